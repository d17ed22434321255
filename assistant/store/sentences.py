"""``SentenceStates``: each chunk's sentence states from its own embedding pass, in ``<collection>.sentences.sqlite3``.

Ingest embeds a chunk once; the same forward pass gives the mean token state of every sentence in it
(:class:`assistant.models.embedders.SpanStates`). Kept here, they give the answerer and the grounding check a
vector for any sentence or run of sentences of a retrieved chunk without running the model per question.

A cache beside Chroma, not a second source of truth: a row is keyed by chunk id and the hash of the chunk's text
and span layout, so a row that does not match the chunk read from Chroma (rewritten since, or written by another
machine in server mode) is ignored, and the reader embeds as before. States are stored as int8 with a scale per
sentence (a quarter of float32; cosines move by about 1e-3).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.core.types import Chunk
from assistant.models.embedders import Span, SpanStates

log = logging.getLogger(__name__)

ChunkStates = tuple[Chunk, Sequence[Span], SpanStates]  # a chunk, its sentence spans (chunk offsets), their states

SCHEMA = """
CREATE TABLE IF NOT EXISTS states (
    chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, digest TEXT NOT NULL,
    counts BLOB NOT NULL, scales BLOB NOT NULL, states BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS states_by_article ON states (article_id);
"""


def layout_digest(text: str, spans: Sequence[Span]) -> str:
    """What a row was computed from: the chunk text and its sentence spans."""
    layout = ";".join(f"{a},{b}" for a, b in spans)
    return hashlib.blake2b(f"{layout}|{text}".encode(), digest_size=12).hexdigest()


def _pack(states: SpanStates) -> tuple[bytes, bytes, bytes]:
    scales = np.abs(states.means).max(axis=1) / 127.0
    safe = np.where(scales > 0, scales, 1.0)
    quantised = np.clip(np.rint(states.means / safe[:, None]), -127, 127).astype(np.int8)
    return states.counts.astype(np.int32).tobytes(), scales.astype(np.float32).tobytes(), quantised.tobytes()


def _unpack(counts: bytes, scales: bytes, raw: bytes) -> SpanStates:
    n = np.frombuffer(counts, dtype=np.int32).copy()
    s = np.frombuffer(scales, dtype=np.float32)
    means = np.frombuffer(raw, dtype=np.int8).reshape(len(n), -1).astype(np.float32) * s[:, None]
    return SpanStates(means, n)


class SentenceStates:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    def put(self, rows: Sequence[ChunkStates]) -> None:
        """Store each chunk's states (replacing what its id held)."""
        if not rows:
            return
        values = [
            (chunk.id, chunk.article_id, layout_digest(chunk.text, spans), *_pack(states))
            for chunk, spans, states in rows
        ]
        with self._lock:
            db = self._open()
            with db:
                db.executemany("INSERT OR REPLACE INTO states VALUES (?, ?, ?, ?, ?, ?)", values)

    def get(self, chunks: Sequence[tuple[Chunk, Sequence[Span]]]) -> dict[str, SpanStates]:
        """States of the chunks whose row matches their text and spans (others are absent from the result)."""
        if not chunks or not self.path.exists():
            return {}
        wanted = {chunk.id: layout_digest(chunk.text, spans) for chunk, spans in chunks}
        marks = ",".join("?" * len(wanted))
        try:
            with self._lock:
                rows = (
                    self._open()
                    .execute(
                        f"SELECT chunk_id, digest, counts, scales, states FROM states WHERE chunk_id IN ({marks})",
                        list(wanted),
                    )
                    .fetchall()
                )
        except sqlite3.Error as exc:  # a cache: answer without it
            log.warning("sentence states unreadable (%s): embedding instead", exc)
            return {}
        return {cid: _unpack(*blobs) for cid, digest, *blobs in rows if wanted.get(cid) == digest}

    def forget(self, article_ids: Sequence[str]) -> None:
        if not article_ids or not self.path.exists():
            return
        with self._lock:
            db = self._open()
            with db:
                db.executemany("DELETE FROM states WHERE article_id = ?", [(a,) for a in article_ids])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
