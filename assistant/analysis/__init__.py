"""Text analysis of stored articles: who said what (quotes), what happened when (dated events)."""
