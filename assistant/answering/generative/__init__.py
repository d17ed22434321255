"""The LLM answerer: an LCEL chain over any OpenAI-compatible chat model."""
