"""``answer()``: one question to the default assistant, the shortest way in from Python.

A composition root like ``app.py`` and the CLI: it builds the assistant from the environment's settings and
seeds an empty library on first use.
"""

from __future__ import annotations

from assistant.answering.assistant import Assistant
from assistant.core.types import Answer

_default: Assistant | None = None


def default_assistant() -> Assistant:
    """The assistant ``answer()`` uses: settings from the environment, the library seeded when empty."""
    global _default
    if _default is None:
        from ingest.seed import ensure_seeded

        assistant = Assistant.from_settings()
        ensure_seeded(assistant.store, assistant.embedder, assistant.settings)
        _default = assistant
    return _default


def answer(question: str) -> Answer:
    """Answer ``question`` with the default assistant (settings from the environment)."""
    return default_assistant().answer(question)
