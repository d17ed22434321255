"""``ViewsIndex``: every article's quotations and dated sentences, in ``ATTACHE_HOME/views/<collection>.sqlite3``.

Like the keyword index it is a view of the store, kept in step by content hash: :meth:`ViewsIndex.sync` analyses the
articles that are new or changed since the last sync and forgets the deleted ones, and it costs one generation
check when nothing was written (:meth:`Store.generation`). Ingest syncs after every run; readers sync before
they read, so a store written by an older version, or by another machine, catches up on first use.

The analysis itself is passed in (``analyse``), so the store never imports the text analysis.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Protocol

from assistant.core.lexical import folded_words
from assistant.core.types import Article, Event, EventSource, Filters, Quote

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, title TEXT NOT NULL, outlet TEXT NOT NULL, url TEXT NOT NULL,
    published TEXT
);
CREATE TABLE IF NOT EXISTS quotes (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL, speaker TEXT NOT NULL, role TEXT NOT NULL, cue TEXT NOT NULL,
    text TEXT NOT NULL, context TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS quotes_by_article ON quotes (article_id);
CREATE TABLE IF NOT EXISTS events (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL, day TEXT, phrase TEXT NOT NULL, resolved_from TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_day ON events (day);
"""
# Of the analysis and its tables: bump it when quotes or dates are found differently, or a column changes; the
# index then starts afresh in a new file (``<collection>.v<VERSION>.sqlite3``) and every article is analysed again.
VERSION = "2"
_BATCH = 200

Analyse = Callable[[Article], tuple[Sequence[Quote], Sequence[Event]]]


class ArticleSource(Protocol):
    """What the index reads from the store (``Store`` implements it)."""

    def generation(self) -> str: ...

    def article_hashes(self) -> dict[str, str]: ...

    def get_articles(self, article_ids: Sequence[str]) -> list[Article]: ...


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _source(row: sqlite3.Row) -> EventSource:
    return EventSource(
        row["article_id"], row["outlet"], _day(row["published"]), row["start"], row["end"], row["title"], row["phrase"]
    )


class ViewsIndex:
    def __init__(self, path: Path, store: ArticleSource, analyse: Analyse) -> None:
        path = Path(path)
        self.path = path.with_name(f"{path.stem}.v{VERSION}{path.suffix}")
        self.store = store
        self.analyse = analyse
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        db.create_function("folded", 1, lambda text: " ".join(folded_words(text or "")), deterministic=True)
        try:
            yield db
        finally:
            db.close()

    def _meta(self, db: sqlite3.Connection, key: str) -> str:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"]) if row else ""

    # -- keeping in step --------------------------------------------------------------------------------

    def sync(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Analyse new and changed articles, forget deleted ones; returns how many articles were (re)analysed."""
        generation = self.store.generation()
        with self._connect() as db:
            if self._meta(db, "generation") == generation:
                return 0
            have = {r["id"]: r["hash"] for r in db.execute("SELECT id, hash FROM articles")}
        hashes = self.store.article_hashes()
        stale = [aid for aid, digest in hashes.items() if have.get(aid) != digest]
        gone = [aid for aid in have if aid not in hashes]
        for begin in range(0, len(stale), _BATCH):
            self._write(self.store.get_articles(stale[begin : begin + _BATCH]), hashes)
            if progress is not None:
                progress(min(begin + _BATCH, len(stale)), len(stale))
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM articles WHERE id = ?", [(aid,) for aid in gone])
            db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (generation,))
            db.execute("COMMIT")
        if stale or gone:
            log.info("views: analysed %d articles, forgot %d", len(stale), len(gone))
        return len(stale)

    def _write(self, articles: Sequence[Article], hashes: dict[str, str]) -> None:
        rows = [(article, *self.analyse(article)) for article in articles]
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            for article, quotes, events in rows:
                db.execute("DELETE FROM articles WHERE id = ?", (article.id,))
                published = article.published.isoformat() if article.published else None
                db.execute(
                    "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                    (article.id, hashes.get(article.id, ""), article.title, article.outlet, article.url, published),
                )
                db.executemany(
                    "INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(article.id, q.start, q.end, q.speaker, q.role, q.cue, q.text, q.context) for q in quotes],
                )
                db.executemany(
                    "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (article.id, s.start, s.end, _iso(e.day), s.phrase, e.resolved_from, e.text)
                        for e in events
                        for s in e.sources[:1]
                    ],
                )
            db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------------------------

    @staticmethod
    def _where(filters: Filters | None, as_of: date | None) -> tuple[str, list[object]]:
        clauses: list[str] = ["1 = 1"]
        params: list[object] = []
        if filters is not None:
            if filters.outlets:
                clauses.append(f"a.outlet IN ({', '.join('?' * len(filters.outlets))})")
                params.extend(filters.outlets)
            if filters.article_ids:
                clauses.append(f"a.id IN ({', '.join('?' * len(filters.article_ids))})")
                params.extend(filters.article_ids)
            if filters.date_from:
                clauses.append("a.published >= ?")
                params.append(filters.date_from.isoformat())
            if filters.date_to:
                clauses.append("a.published <= ?")
                params.append(filters.date_to.isoformat())
        if as_of is not None:
            clauses.append("(a.published IS NULL OR a.published <= ?)")
            params.append(as_of.isoformat())
        return " AND ".join(clauses), params

    def quotes(
        self, filters: Filters | None = None, as_of: date | None = None, speaker: str | None = None
    ) -> list[Quote]:
        """The stored quotations within ``filters`` and ``as_of``; with ``speaker``, only those whose speaker's name
        holds each of its words somewhere (a pre-filter in SQL: the caller decides what matches)."""
        where, params = self._where(filters, as_of)
        for word in folded_words(speaker or ""):
            where += " AND folded(q.speaker) LIKE ?"
            params.append(f"%{word}%")
        sql = (
            "SELECT q.*, a.outlet, a.published, a.title, a.url FROM quotes q JOIN articles a ON a.id = q.article_id "
            f"WHERE {where} ORDER BY a.published DESC, q.article_id, q.start"
        )
        with self._connect() as db:
            return [
                Quote(
                    r["speaker"],
                    r["role"],
                    r["text"],
                    r["article_id"],
                    r["outlet"],
                    _day(r["published"]),
                    r["start"],
                    r["end"],
                    r["title"],
                    r["url"],
                    r["cue"],
                    r["context"],
                )
                for r in db.execute(sql, params)
            ]

    def events(self, filters: Filters | None = None, as_of: date | None = None) -> list[Event]:
        """Every dated sentence as a one-source event, in article order (merging is the caller's)."""
        where, params = self._where(filters, as_of)
        sql = (
            "SELECT e.*, a.outlet, a.published, a.title FROM events e JOIN articles a ON a.id = e.article_id "
            f"WHERE {where} ORDER BY e.article_id, e.start"
        )
        with self._connect() as db:
            return [
                Event(
                    _day(r["day"]),
                    r["text"],
                    r["resolved_from"],
                    (_source(r),),
                )
                for r in db.execute(sql, params)
            ]
