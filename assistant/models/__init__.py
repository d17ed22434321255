"""The only place that imports model runtimes and LLM SDKs: embedders, the chat-model builder, llama-server."""
