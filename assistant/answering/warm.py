"""Warm a library: every sentence's exact vectors computed before anyone asks (``python -m assistant warm``).

A first question on a sentence pays for embedding it exactly, alone and with the sentence before it (most of a
cold offline answer's time, docs/benchmarks.md); the answerer keeps every exact vector it computes in the store's
sidecar (:meth:`assistant.store.sentences.SentenceStates.put_exact`), so a later question on the same sentence
embeds only itself. Warming computes those vectors for every candidate sentence of every chunk ahead of time, the
same texts an answer would embed (:func:`exact_texts`), written to the same table, so answers are the ones a cold
library gives, only sooner. It resumes where it stopped (texts already kept are skipped) and stops before the
sidecar's row limit would push out older rows. It costs about as much model time as ingest again: the 10,533-chunk
diplomacy library holds 180,817 such texts, ~14 minutes at ~220 texts/s on two cores and ~370 MiB in the sidecar
(docs/benchmarks.md).

:class:`IdleWarmer` does the same in a background thread of the chat server, whenever no question has been asked
for a few seconds: a question waits at most for the model run in flight (8 texts), and the warmer looks again when the
library's chunk count changes (an upload, a feed, a delete).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from tqdm import tqdm

from assistant.answering.extractive.answerer import candidates
from assistant.answering.grounding import window_runs
from assistant.core.sentences import sentence_spans
from assistant.core.types import Chunk, Passage
from assistant.models.embedders import Embedder, SpanStates
from assistant.store.chroma import Store, chunk_from_record

T = TypeVar("T")
ASKED_TO_STOP = "asked to stop"  # WarmReport.stopped when ``wait`` said so
_RUN = 8  # texts per model run when warming in the background: what an answer may have to wait for
log = logging.getLogger(__name__)


def exact_texts(chunk: Chunk, states: SpanStates | None = None, stored: bool = False) -> list[tuple[str, str]]:
    """``(article_id, text)`` for every text an answer embeds exactly for ``chunk``: each candidate sentence alone
    and with the sentence before it (as :meth:`ExtractiveAnswerer._score` does), and, in a library that keeps
    sentence states (``stored``), the grounding check's windows that the chunk's ``states`` do not cover (a
    sentence past the model's token window has none)."""
    texts = [run.text for c in candidates([Passage(chunk, 0.0, 1)]) for run in c.runs()]
    if stored:
        texts += [t for first, last, t in window_runs(chunk) if states is None or states.vector(first, last) is None]
    return [(chunk.article_id, t) for t in dict.fromkeys(texts)]


def _with_states(store: Store, chunks: list[Chunk]) -> Iterator[tuple[Chunk, SpanStates | None]]:
    """``chunks`` with their stored states, read in one query."""
    found = store.sentences.get([(c, [(s.start, s.end) for s in sentence_spans(c.text)]) for c in chunks])
    return ((c, found.get(c.id)) for c in chunks)


@dataclass
class WarmReport:
    chunks: int = 0
    texts: int = 0  # distinct candidate texts seen
    embedded: int = 0  # of them, computed now (the rest were kept already)
    seconds: float = 0.0
    stopped: str = ""  # why it stopped early, if it did

    def summary(self) -> str:
        rate = f", {self.embedded / self.seconds:.0f} texts/s" if self.seconds and self.embedded else ""
        done = f"warmed {self.chunks} chunks: {self.texts} sentence texts, {self.embedded} embedded now{rate}"
        return done + (f"; stopped: {self.stopped}" if self.stopped else "")


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def warm(
    store: Store,
    embedder: Embedder,
    batch: int = 256,
    show_progress: bool = True,
    wait: Callable[[], bool] | None = None,
) -> WarmReport:
    """Compute and keep the exact vectors of every candidate sentence in ``store`` (see the module doc).

    ``wait`` is called before each model run and every 64 chunks read; it may block (while questions are asked)
    and returns False to stop."""
    kept, model = store.sentences, embedder.name
    report = WarmReport()
    started = time.perf_counter()
    room = kept.exact_limit - kept.count_exact()
    bar = tqdm(total=store.count_chunks(), unit="chunk", disable=not show_progress, file=sys.stderr)

    def rows() -> Iterator[tuple[str, str]]:
        records = (chunk_from_record(*record) for record in store.iter_chunk_texts())
        for chunks in _batches(records, 64):
            if wait is not None and not wait():
                report.stopped = ASKED_TO_STOP
                return
            for chunk, states in _with_states(store, chunks):
                report.chunks += 1
                bar.update(1)
                yield from exact_texts(chunk, states, stored=True)

    seen: set[str] = set()
    try:
        for part in _batches(rows(), batch):
            fresh = []
            for article_id, text in part:  # overlapping chunks repeat sentences: each text once
                if text not in seen:
                    seen.add(text)
                    fresh.append((article_id, text))
            report.texts += len(fresh)
            have = kept.get_exact(model, [t for _, t in fresh])
            missing = [(a, t) for a, t in fresh if t not in have]
            if len(missing) > room:
                report.stopped = f"the sidecar keeps at most {kept.exact_limit:,} exact vectors"
                break
            # by length, so that the model's runs of 8 pad little; with ``wait``, asked before each run (it may
            # block while questions are asked)
            missing.sort(key=lambda row: len(row[1]))
            step = _RUN if wait is not None else max(len(missing), 1)
            for lo in range(0, len(missing), step):
                if wait is not None and not wait():
                    report.stopped = ASKED_TO_STOP
                    break
                run = missing[lo : lo + step]
                vectors = embedder.embed_documents([t for _, t in run])
                kept.put_exact(model, [(a, t, v) for (a, t), v in zip(run, vectors, strict=True)])
                report.embedded += len(run)
                room -= len(run)
            if report.stopped:
                break
            bar.set_postfix_str(f"{report.embedded} embedded", refresh=False)
    finally:
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


class IdleWarmer:
    """Warms the library in a daemon thread while no question is being asked (see the module doc).

    Every answer runs inside :meth:`busy`; the warmer embeds 8 texts per model run, each only once ``idle`` seconds
    have passed since the last answer ended, so an answer waits for at most one such run on the model. After a pass it
    checks the library's chunk count every ``poll`` seconds and warms again when it changed.
    """

    def __init__(
        self, store: Store, embedder: Embedder, idle: float = 5.0, batch: int = 256, poll: float = 30.0
    ) -> None:
        self._store, self._embedder = store, embedder
        self._idle, self._batch, self._poll = idle, batch, poll
        self._cond = threading.Condition()
        self._busy = 0
        self._last = time.monotonic()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.passes: list[WarmReport] = []  # one per finished pass, newest last
        self.warming = False  # a pass is under way

    def start(self) -> IdleWarmer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="attache-warm", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Hold the warmer back while the block runs (an answer), and for ``idle`` seconds after it."""
        with self._cond:
            self._busy += 1
        try:
            yield
        finally:
            with self._cond:
                self._busy -= 1
                self._last = time.monotonic()
                self._cond.notify_all()

    def status(self) -> str:
        """One line for the library page: how far the library is prepared for fast answers."""
        kept = self._store.sentences.count_exact()
        if self.warming or not self.passes:
            return f"preparing while no question is asked ({kept:,} sentence texts ready)"
        if self.passes[-1].stopped:
            return f"{kept:,} sentence texts ready; the rest are prepared as questions reach them"
        return f"ready: {kept:,} sentence texts prepared"

    def _wait_idle(self) -> bool:
        """Block until nothing has been asked for ``idle`` seconds; False once stopping."""
        with self._cond:
            while not self._stopping:
                quiet = time.monotonic() - self._last
                if not self._busy and quiet >= self._idle:
                    return True
                self._cond.wait(None if self._busy else self._idle - quiet)
            return False

    def _sleep(self, seconds: float) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: self._stopping, seconds)
            return not self._stopping

    def _run(self) -> None:
        seen = -1
        while self._wait_idle():
            try:
                count = self._store.count_chunks()
                if count != seen:
                    self.warming = True
                    try:
                        report = warm(
                            self._store, self._embedder, self._batch, show_progress=False, wait=self._wait_idle
                        )
                    finally:
                        self.warming = False
                    if report.stopped == ASKED_TO_STOP:
                        return
                    self.passes.append(report)
                    log.info("%s", report.summary())
                    seen = count
            except Exception:  # a store being rebuilt under us: try again at the next poll, never crash the server
                log.warning("warming the library failed; trying again in %.0f s", self._poll, exc_info=True)
            if not self._sleep(self._poll):
                return
