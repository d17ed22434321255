"""``SentenceStates``: each chunk's sentence states from its own embedding pass, in ``<collection>.sentences.sqlite3``.

Ingest embeds a chunk once; the same forward pass gives the mean token state of every sentence in it
(:class:`assistant.models.embedders.SpanStates`). Kept here, they give the answerer and the grounding check a
vector for any sentence or run of sentences of a retrieved chunk without running the model per question.

A cache beside Chroma, not a second source of truth: a row is keyed by chunk id and the hash of the chunk's text
and span layout, so a row that does not match the chunk read from Chroma (rewritten since, or written by another
machine in server mode) is ignored, and the reader embeds as before. States are stored as int8 with a scale per
sentence (a quarter of float32; cosines move by about 1e-3).

The same file keeps the *exact* vectors the answerer computes per question (a candidate sentence embedded alone,
and with the sentence before it): such a vector depends only on the text and the model, so it is written back the
first time and read by every later question instead of running the model again, bit for bit the same float32.
A row is keyed by a hash of the model's name and the text, and owned by the article it was computed for, so
deleting or replacing that article drops it (:meth:`SentenceStates.forget`); past ``exact_limit`` rows the oldest
go (0: none are kept).
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
from assistant.models.embedders import Span, SpanStates, Vectors

log = logging.getLogger(__name__)

ChunkStates = tuple[Chunk, Sequence[Span], SpanStates]  # a chunk, its sentence spans (chunk offsets), their states

SCHEMA = """
CREATE TABLE IF NOT EXISTS states (
    chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, digest TEXT NOT NULL,
    counts BLOB NOT NULL, scales BLOB NOT NULL, states BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS states_by_article ON states (article_id);
CREATE TABLE IF NOT EXISTS exact (key TEXT PRIMARY KEY, article_id TEXT NOT NULL, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS exact_by_article ON exact (article_id);
"""
EXACT_LIMIT = 200_000  # rows of 1.5 KiB (384 float32): ~300 MiB at most


def exact_key(model: str, text: str) -> str:
    """What an exact vector depends on: the model and the text."""
    return hashlib.blake2b(f"{model}\x00{text}".encode(), digest_size=16).hexdigest()


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
    def __init__(self, path: Path, exact_limit: int = EXACT_LIMIT) -> None:
        self.path = Path(path)
        self.exact_limit = exact_limit
        self._exact_added = 0  # rows written since the last trim
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: a power cut may lose the last writes, never corrupt
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

    def get_exact(self, model: str, texts: Sequence[str]) -> dict[str, Vectors]:
        """The exact vectors written back for ``texts`` by ``model`` (texts without one are absent)."""
        if not texts or not self.path.exists():
            return {}
        keys = {exact_key(model, t): t for t in texts}
        marks = ",".join("?" * len(keys))
        try:
            with self._lock:
                sql = f"SELECT key, vector FROM exact WHERE key IN ({marks})"
                rows = self._open().execute(sql, list(keys)).fetchall()
        except (sqlite3.Error, OSError) as exc:  # a cache: embed instead
            log.warning("exact sentence vectors unreadable (%s): embedding instead", exc)
            return {}
        return {keys[key]: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}

    def put_exact(self, model: str, rows: Sequence[tuple[str, str, Vectors]]) -> None:
        """Write back ``(article_id, text, vector)`` rows computed by ``model``; a failure only costs speed."""
        if not rows or self.exact_limit <= 0:
            return
        values = [(exact_key(model, text), aid, np.asarray(v, dtype=np.float32).tobytes()) for aid, text, v in rows]
        try:
            with self._lock:
                db = self._open()
                with db:
                    db.executemany("INSERT OR IGNORE INTO exact VALUES (?, ?, ?)", values)
                    self._exact_added += len(values)
                    if self._exact_added >= max(1, self.exact_limit // 10):
                        self._exact_added = 0
                        db.execute(
                            "DELETE FROM exact WHERE rowid <= (SELECT MAX(rowid) FROM exact) - ?", (self.exact_limit,)
                        )
        except (sqlite3.Error, OSError) as exc:  # a read-only home, say: answer without keeping, and say so once
            log.warning("exact sentence vectors not kept (%s): each question embeds its own", exc)
            self.exact_limit = 0

    def count_exact(self) -> int:
        """How many exact vectors are kept (0 when the sidecar cannot be read)."""
        if not self.path.exists():
            return 0
        try:
            with self._lock:
                return int(self._open().execute("SELECT COUNT(*) FROM exact").fetchone()[0])
        except (sqlite3.Error, OSError):
            return 0

    def clear_exact(self) -> None:
        """Drop every written-back exact vector (benchmarks time answers as if no question had been asked)."""
        if self.path.exists():
            with self._lock:
                db = self._open()
                with db:
                    db.execute("DELETE FROM exact")

    def forget(self, article_ids: Sequence[str]) -> None:
        if not article_ids or not self.path.exists():
            return
        owners = [(a,) for a in article_ids]
        with self._lock:
            db = self._open()
            with db:
                db.executemany("DELETE FROM states WHERE article_id = ?", owners)
                db.executemany("DELETE FROM exact WHERE article_id = ?", owners)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
