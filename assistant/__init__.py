"""Attaché: cited answers over diplomatic news coverage.

The names below load on first use, so ``from assistant import Answer`` imports no model runtime, vector store,
LLM SDK or web framework.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answering.assistant import Assistant, Conversation
    from assistant.answering.response import Response
    from assistant.core.errors import AttacheError
    from assistant.core.settings import Settings
    from assistant.core.types import (
        Answer,
        AnswerEvent,
        Article,
        Chunk,
        Citation,
        Coverage,
        Event,
        Filters,
        Passage,
        PassagesEvent,
        Quote,
        Sentence,
        StreamEvent,
        TextEvent,
    )
    from assistant.default import answer

__all__ = [
    "Answer",
    "AnswerEvent",
    "Article",
    "Assistant",
    "AttacheError",
    "Chunk",
    "Citation",
    "Conversation",
    "Coverage",
    "Event",
    "Filters",
    "Passage",
    "PassagesEvent",
    "Quote",
    "Response",
    "Sentence",
    "Settings",
    "StreamEvent",
    "TextEvent",
    "answer",
]

_HOMES = {
    "Answer": "assistant.core.types",
    "AnswerEvent": "assistant.core.types",
    "Article": "assistant.core.types",
    "Assistant": "assistant.answering.assistant",
    "AttacheError": "assistant.core.errors",
    "Chunk": "assistant.core.types",
    "Citation": "assistant.core.types",
    "Conversation": "assistant.answering.assistant",
    "Coverage": "assistant.core.types",
    "Event": "assistant.core.types",
    "Filters": "assistant.core.types",
    "Passage": "assistant.core.types",
    "PassagesEvent": "assistant.core.types",
    "Quote": "assistant.core.types",
    "Response": "assistant.answering.response",
    "Sentence": "assistant.core.types",
    "Settings": "assistant.core.settings",
    "StreamEvent": "assistant.core.types",
    "TextEvent": "assistant.core.types",
    "answer": "assistant.default",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
