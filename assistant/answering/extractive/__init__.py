"""The LLM-free answerer: picks and cites the source sentences that answer."""
