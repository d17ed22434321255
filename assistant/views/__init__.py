"""The analyst's views over the library: who said what (quotes), what happened when (timeline), who reported it
and how (coverage). Each takes the chat's filters and as-of date and works with the offline default."""
