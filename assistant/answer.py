"""``Assistant``: the one object behind the web chat, the CLI, ``answer()`` and the evaluator.

Streaming is the primitive: :meth:`Assistant.stream` yields the numbered passages first, then
the answer text in pieces, then the final :class:`~assistant.types.Answer`.
:meth:`Assistant.answer` just consumes that stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from assistant.config import Settings, apply_offline_env
from assistant.extractive import ExtractiveAnswerer
from assistant.models import Embedder, build_embedder
from assistant.retrieve import Retriever
from assistant.store import Store, Where
from assistant.types import Answer, AnswerEvent, PassagesEvent, StreamEvent, TextEvent

log = logging.getLogger(__name__)


class Assistant:
    """Holds the store, the embedder and the settings; answers questions with citations."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = Retriever(store, embedder, settings)
        self._extractive = ExtractiveAnswerer(embedder, settings)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        apply_offline_env()
        settings = settings or Settings()
        embedder = build_embedder(settings)
        return cls(settings, Store(settings, embedder), embedder)

    @property
    def backend_label(self) -> str:
        return "offline extractive mode (no LLM configured)"

    def ensure_seeded(self, seeds_dir: Path | None = None) -> int:
        """Ingest the seed articles when the library is empty. Returns articles added."""
        if self.store.count_articles():
            return 0
        from ingest.loaders import TEXT_SUFFIXES
        from ingest.pipeline import ingest_paths

        folder = seeds_dir or self.settings.seeds_dir
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in TEXT_SUFFIXES)
        report = ingest_paths(files, self.store, self.embedder, self.settings)
        for path, reason in report.failed:
            log.warning("seed %s not ingested: %s", path, reason)
        return report.added

    def stream(self, question: str, where: Where | None = None) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        query = " ".join(question.split())
        passages = self.retriever.retrieve(query, where=where)
        retrieved = time.perf_counter()
        yield PassagesEvent(tuple(passages))
        draft = self._extractive.compose(query, passages)
        for sentence in draft.sentences:
            yield TextEvent(sentence.text if sentence is draft.sentences[0] else " " + sentence.text)
        done = time.perf_counter()
        yield AnswerEvent(
            Answer(
                question=question,
                text=draft.text,
                citations=draft.citations,
                passages=tuple(passages),
                sentences=draft.sentences,
                abstained=draft.abstained,
                abstain_reason=draft.reason,
                backend="extractive",
                query=query,
                timings={
                    "retrieve_ms": (retrieved - started) * 1000,
                    "answer_ms": (done - retrieved) * 1000,
                    "total_ms": (done - started) * 1000,
                },
            )
        )

    def answer(self, question: str, where: Where | None = None) -> Answer:
        for event in self.stream(question, where=where):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("stream ended without an answer")  # pragma: no cover


_default: Assistant | None = None


def answer(question: str) -> Answer:
    """Answer ``question`` with the default assistant (settings from the environment)."""
    global _default
    if _default is None:
        _default = Assistant.from_settings()
        _default.ensure_seeded()
    return _default.answer(question)
