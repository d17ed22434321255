"""``SentenceVectors``: vectors of a retrieved chunk's sentences, and of runs of them, without a model run.

Ingest keeps, per chunk, the mean token state of each sentence from the chunk's own embedding pass
(:class:`assistant.store.sentences.SentenceStates`); a run of consecutive sentences (a sentence with the one before
it, a grounding window) is their count-weighted mean. These vectors are contextual (each token saw the whole
chunk), so they rank a little differently from a sentence embedded alone: the answerer uses them to choose which
few sentences to embed exactly (``settings.answering.exact_pool``), and the grounding check uses them for its
windows. A chunk without stored states (a store from an older version, a remote embedder, a row that no longer
matches the chunk) is embedded as before, through the caching embedder.

The few sentences embedded exactly per question go through :meth:`SentenceVectors.exact`, which reads the vectors
an earlier question wrote back (:class:`ExactCache`, the store's sidecar) and writes back the ones it computes, so a
sentence is embedded once per library, not once per question: the same float32 either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.core.sentences import sentence_spans
from assistant.core.types import Chunk
from assistant.models.embedders import Embedder, Span, SpanStates, Vectors

StatesSource = Callable[[Sequence[tuple[Chunk, Sequence[Span]]]], dict[str, SpanStates]]


class ExactCache(Protocol):
    """Where exact sentence vectors are kept between questions (:class:`assistant.store.sentences.SentenceStates`)."""

    def get_exact(self, model: str, texts: Sequence[str]) -> dict[str, Vectors]: ...

    def put_exact(self, model: str, rows: Sequence[tuple[str, str, Vectors]]) -> None: ...


@dataclass(frozen=True, slots=True)
class Run:
    """Sentences ``first..last`` (indexes into ``sentence_spans(chunk.text)``) of ``chunk``; ``text`` is what is
    embedded when the chunk has no stored states."""

    chunk: Chunk
    first: int
    last: int
    text: str


class SentenceVectors:
    def __init__(
        self, embedder: Embedder, source: StatesSource | None = None, size: int = 512, kept: ExactCache | None = None
    ) -> None:
        self._embedder = embedder
        self._source = source
        self._kept = kept
        self._size = size
        self._states: dict[str, SpanStates | None] = {}  # recent chunks' states (None: the chunk has none)

    @property
    def stored(self) -> bool:
        """Whether there is a store of states to read at all."""
        return self._source is not None

    def states(self, chunks: Sequence[Chunk]) -> dict[str, SpanStates]:
        """Stored states of ``chunks`` (those that have them), read once per chunk while recent."""
        missing = {c.id: c for c in chunks if c.id not in self._states}
        if missing and self._source is not None:
            found = self._source([(c, [(s.start, s.end) for s in sentence_spans(c.text)]) for c in missing.values()])
            if len(self._states) + len(missing) > self._size:
                self._states.clear()
            for cid in missing:
                self._states[cid] = found.get(cid)
        return {c.id: got for c in chunks if (got := self._states.get(c.id)) is not None}

    def pooled(self, runs: Sequence[Run]) -> tuple[Vectors, list[int]]:
        """Vectors of the runs that stored states cover, and the indexes of those that they don't (rows left 0)."""
        states = self.states(list({r.chunk.id: r.chunk for r in runs}.values()))
        out = np.zeros((len(runs), self._embedder.dim), dtype=np.float32)
        uncovered = []
        for i, run in enumerate(runs):
            got = states.get(run.chunk.id)
            vector = got.vector(run.first, run.last) if got is not None and run.last < len(got.counts) else None
            if vector is None:
                uncovered.append(i)
            else:
                out[i] = vector
        return out, uncovered

    def vectors(self, runs: Sequence[Run]) -> Vectors:
        """A vector for every run: pooled from stored states where there are some, embedded (or kept) otherwise."""
        out, uncovered = self.pooled(runs)
        if uncovered:
            missing = [runs[i] for i in uncovered]
            out[uncovered] = self.exact([r.text for r in missing], [r.chunk.article_id for r in missing])
        return out

    def exact(self, texts: Sequence[str], owners: Sequence[str]) -> Vectors:
        """``texts`` embedded alone by the model (``owners``: the article each comes from), read from the vectors
        kept by earlier questions where there are some, and the others computed in one call and kept."""
        if not texts:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        model = self._embedder.name
        found = self._kept.get_exact(model, texts) if self._kept is not None else {}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            fresh = self._embedder.embed_documents(missing)
            found.update(zip(missing, fresh, strict=True))
            if self._kept is not None:
                owner = dict(zip(texts, owners, strict=True))
                self._kept.put_exact(model, [(owner[t], t, found[t]) for t in missing])
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)
