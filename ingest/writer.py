"""Cross-article batches: chunks of several articles are embedded together, then written in one go.

Articles wait until ``embed_batch_size`` chunks are pending; those are embedded in batches of
that size, sorted by length so each padded batch wastes little, and written with one Chroma
call per collection (several articles per write cost about what one costs alone). An article
is committed when its record is written (:meth:`assistant.store.Store.write_articles`), so a
crash loses at most the pending batch, and the next run redoes exactly that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.core.sentences import sentence_spans
from assistant.core.types import Article, Chunk
from assistant.models.embedders import Embedder, Vectors, embed_sorted, spans_embedder
from assistant.store.chroma import Store
from assistant.store.sentences import ChunkStates
from ingest.report import IngestReport

log = logging.getLogger(__name__)


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees: the headline gives a chunk its topic."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk], batch_size: int) -> tuple[Vectors, list[ChunkStates]]:
    """The chunks' vectors in their order and, when the embedder is a local model, each chunk's sentence states
    from the same forward pass (:class:`assistant.store.sentences.SentenceStates`); batches of similar length."""
    texts = [embedding_text(c) for c in chunks]
    local = spans_embedder(embedder)
    if local is None:
        return embed_sorted(embedder, texts, batch_size), []
    spans = [[(s.start, s.end) for s in sentence_spans(c.text)] for c in chunks]
    shifts = [len(t) - len(c.text) for t, c in zip(texts, chunks, strict=True)]  # the headline before the text
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    states: list[ChunkStates | None] = [None] * len(texts)
    for lo in range(0, len(order), batch_size):
        part = order[lo : lo + batch_size]
        shifted = [[(a + shifts[i], b + shifts[i]) for a, b in spans[i]] for i in part]
        vectors[part], found = local.embed_spans([texts[i] for i in part], shifted)
        for i, got in zip(part, found, strict=True):
            states[i] = (chunks[i], spans[i], got)
    return vectors, [s for s in states if s is not None]


@dataclass
class _Pending:
    article: Article
    digest: str
    chunks: Sequence[Chunk]
    replacing: bool


class BatchWriter:
    """Embeds pending articles in cross-article batches and writes each batch whole."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        batch_size: int,
        report: IngestReport,
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.embedder, self.batch_size, self.report = store, embedder, batch_size, report
        self._on_flush = on_flush
        self._pending: dict[str, _Pending] = {}
        self._pending_chunks = 0

    def add(self, article: Article, digest: str, chunks: Sequence[Chunk], replacing: bool) -> None:
        if article.id in self._pending:  # the same article twice in one run: the later version wins
            self.flush()
        self._pending[article.id] = _Pending(article, digest, chunks, replacing)
        self._pending_chunks += len(chunks)
        if self._pending_chunks >= self.batch_size:
            self.flush()

    def update_copies(self, kept: Article) -> bool:
        """Give a pending article its new copies; False when it is not pending (it is in the store)."""
        pending = self._pending.get(kept.id)
        if pending is None:
            return False
        pending.article = replace(pending.article, copies=kept.copies)
        return True

    def flush(self) -> None:
        if not self._pending:
            return
        items = list(self._pending.values())
        vectors, states = embed_chunks(self.embedder, [c for item in items for c in item.chunks], self.batch_size)
        writes, offset = [], 0
        for item in items:
            writes.append((item.article, item.digest, item.chunks, vectors[offset : offset + len(item.chunks)]))
            offset += len(item.chunks)
        self.store.write_articles(writes, states)
        for item in items:
            self.report.chunks += len(item.chunks)
            if item.replacing:
                self.report.replaced += 1
            else:
                self.report.added += 1
        self._pending, self._pending_chunks = {}, 0
        if self._on_flush:
            self._on_flush()
