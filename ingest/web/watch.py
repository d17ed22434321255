"""``python -m ingest watch FEEDS… --every 30m`` (``--once`` for cron): follow feeds, fetch only what is new.

Each cycle asks every feed with ``If-None-Match`` / ``If-Modified-Since`` (an unchanged feed costs one 304),
fetches only the items it has not met before, ingests them in one run under the store lock (the keyword index
kept in step) and prints one line per feed. The state lives in ``ATTACHE_HOME/feeds.sqlite3``: per feed its
title, validators, when it was last fetched, items seen, articles added and last error, and the item URLs
met. A feed's state is written only after its articles are committed, in one transaction, so a cycle killed
half-way is simply done again: the feed is fetched whole, committed articles come out unchanged, the rest
are added. An item that failed for a passing reason (timeout, 429, 5xx) is tried again next cycle.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.core.errors import FetchError
from assistant.core.settings import Settings
from ingest.report import IngestReport
from ingest.web.client import Fetcher
from ingest.web.feeds import LISTINGS, sniff
from ingest.web.sources import Expansion, expand_listing

__all__ = ["Cycle", "FeedState", "WatchState", "follow", "parse_every", "run_cycle", "state_path", "watch"]

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, title TEXT DEFAULT '', etag TEXT DEFAULT '', last_modified TEXT DEFAULT '',
    added_at TEXT DEFAULT '', last_fetched TEXT DEFAULT '', last_status TEXT DEFAULT '',
    articles_added INTEGER DEFAULT 0, last_error TEXT DEFAULT ''
);
CREATE TABLE IF NOT EXISTS seen (feed TEXT, item TEXT, PRIMARY KEY (feed, item));
"""
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def state_path(settings: Settings) -> Path:
    return settings.home / "feeds.sqlite3"


def parse_every(text: str) -> float:
    """``30m``, ``1h``, ``45s``, ``90`` (seconds) → seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"not a duration: {text!r} (e.g. 30m, 1h, 90s)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FeedState:
    """What the watch knows of one feed (the web app's Feeds list shows these)."""

    url: str
    title: str = ""
    etag: str = ""
    last_modified: str = ""
    added_at: str = ""
    last_fetched: str = ""
    last_status: str = ""
    articles_added: int = 0
    last_error: str = ""
    items_seen: int = 0


class WatchState:
    """The feeds followed and what each has given, in one SQLite file (every write one transaction)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            yield db

    def add(self, urls: Iterable[str]) -> None:
        with self._db() as db:
            db.executemany("INSERT OR IGNORE INTO feeds (url, added_at) VALUES (?, ?)", [(u, _now()) for u in urls])

    def remove(self, url: str) -> bool:
        with self._db() as db:
            db.execute("DELETE FROM seen WHERE feed = ?", (url,))
            return db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount > 0

    def feeds(self) -> list[FeedState]:
        with self._db() as db:
            rows = db.execute(
                "SELECT f.url, title, etag, last_modified, added_at, last_fetched, last_status, articles_added, "
                "last_error, (SELECT COUNT(*) FROM seen s WHERE s.feed = f.url) FROM feeds f ORDER BY added_at, url"
            ).fetchall()
        return [FeedState(*row) for row in rows]

    def feed(self, url: str) -> FeedState:
        return next((f for f in self.feeds() if f.url == url), FeedState(url))

    def seen(self, url: str) -> set[str]:
        with self._db() as db:
            return {row[0] for row in db.execute("SELECT item FROM seen WHERE feed = ?", (url,))}

    def record(self, state: FeedState, new_items: Iterable[str] = (), added: int = 0) -> None:
        """One feed's cycle, in one transaction: validators, status, error, items met, articles added."""
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO feeds (url, added_at) VALUES (?, ?)", (state.url, _now()))
            db.execute(
                "UPDATE feeds SET title = COALESCE(NULLIF(?, ''), title), etag = ?, last_modified = ?, "
                "last_fetched = ?, last_status = ?, last_error = ?, articles_added = articles_added + ? WHERE url = ?",
                (
                    state.title,
                    state.etag,
                    state.last_modified,
                    state.last_fetched,
                    state.last_status,
                    state.last_error,
                    added,
                    state.url,
                ),
            )
            db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", [(state.url, item) for item in new_items])


@dataclass
class _Polled:
    state: FeedState
    items: int = 0
    new: list[str] = field(default_factory=list)


@dataclass
class Cycle:
    """One cycle's figures and its lines (one per feed)."""

    feeds: int = 0
    requests: int = 0
    not_modified: int = 0
    added: int = 0
    failed: int = 0
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    report: IngestReport = field(default_factory=IngestReport)

    def summary(self) -> str:
        return (
            f"watch: {self.feeds} feeds, {self.requests} requests, {self.not_modified} not modified (304), "
            f"{self.added} articles added, {self.failed} failed, in {self.seconds:.1f} s"
        )


def _poll(url: str, state: WatchState, fetcher: Fetcher, max_items: int, found: Expansion) -> _Polled:
    """Ask one feed (conditionally); its new items go into ``found``."""
    prior = state.feed(url)
    fetched = fetcher.get(url, etag=prior.etag, last_modified=prior.last_modified)
    base = FeedState(url, prior.title, prior.etag, prior.last_modified, last_fetched=fetched.fetched_at)
    if fetched.not_modified:
        return _Polled(FeedState(**{**base.__dict__, "last_status": "304 not modified"}))
    kind = sniff(fetched.content_type, fetched.body)
    if kind not in LISTINGS:
        raise FetchError(url, f"not a feed or sitemap ({kind})")
    mine = Expansion()
    expand_listing(fetched, fetcher, max_items, mine)
    seen = state.seen(url)
    new = [t for t in mine.targets if t.url not in seen]
    for target in new:
        found.add(target)
    found.failed.extend(mine.failed)
    found.transient |= mine.transient
    polled = FeedState(
        url,
        mine.titles.get(url, ""),
        fetched.etag,
        fetched.last_modified,
        last_fetched=fetched.fetched_at,
        last_status="200",
    )
    return _Polled(polled, len(mine.targets), [t.url for t in new])


IngestFn = Callable[[Expansion, Fetcher], IngestReport]


def run_cycle(
    feeds: list[str],
    state: WatchState,
    settings: Settings,
    ingest: IngestFn,
    fetcher: Fetcher | None = None,
) -> Cycle:
    """Poll every feed, ingest the new items in one run (``ingest``), then record each feed's state."""
    started = time.perf_counter()
    cycle = Cycle(feeds=len(feeds))
    client = fetcher or Fetcher(settings.fetch)
    try:
        found, polled, errors = Expansion(), {}, {}
        for url in feeds:
            try:
                polled[url] = _poll(url, state, client, settings.fetch.max_items, found)
            except FetchError as exc:
                errors[url] = exc.reason
        cycle.report = ingest(found, client) if found.targets or found.failed else IngestReport()
        cycle.requests, cycle.not_modified = client.requests, client.not_modified
    finally:
        if fetcher is None:
            client.close()
    _record(cycle, feeds, polled, errors, state)
    cycle.seconds = time.perf_counter() - started
    return cycle


def _record(
    cycle: Cycle, feeds: list[str], polled: dict[str, _Polled], errors: dict[str, str], state: WatchState
) -> None:
    outcome = {source: what for source, _id, what in cycle.report.outcomes}
    reasons = dict(cycle.report.failed)
    for url in feeds:
        if url in errors:
            cycle.failed += 1
            state.record(FeedState(url, last_fetched=_now(), last_status="failed", last_error=errors[url]))
            cycle.lines.append(f"{url}: failed: {errors[url]}")
            continue
        feed = polled[url]
        added = sum(outcome.get(item) in ("added", "replaced") for item in feed.new)
        failed = [item for item in feed.new if outcome.get(item) in ("failed", "retry")]
        done = [item for item in feed.new if outcome.get(item) != "retry"]
        error = f"{failed[0]}: {reasons.get(failed[0], '')}" if failed else ""
        state.record(FeedState(**{**feed.state.__dict__, "last_error": error}), done, added)
        cycle.added += added
        cycle.failed += len(failed)
        cycle.lines.append(_line(url, feed, added, len(failed)))


def follow(state: WatchState, found: Expansion, report: IngestReport) -> list[str]:
    """Follow every listing that named pages in an ingest run (the web app's "Add from the web"), its items met.

    Each such feed joins the watched feeds with what this run added, so the next cycle fetches only new
    items. Its validators are not known here, so the next cycle reads the feed whole once. Returns the feeds.
    """
    outcome = {source: what for source, _id, what in report.outcomes}
    reasons = dict(report.failed)
    feeds = list(dict.fromkeys(t.feed_url for t in found.targets if t.feed_url))
    for url in feeds:
        items = [t.url for t in found.targets if t.feed_url == url]
        failed = [item for item in items if outcome.get(item) in ("failed", "retry")]
        added = sum(outcome.get(item) in ("added", "replaced") for item in items)
        error = f"{failed[0]}: {reasons.get(failed[0], '')}" if failed else ""
        title = found.titles.get(url, "")
        fresh = FeedState(url, title, last_fetched=_now(), last_status="200", last_error=error)
        state.record(fresh, [item for item in items if outcome.get(item) != "retry"], added)
    return feeds


def _line(url: str, feed: _Polled, added: int, failed: int) -> str:
    if feed.state.last_status.startswith("304"):
        return f"{url}: not modified (304)"
    return f"{url}: {feed.items} items, {len(feed.new)} new: added {added}, failed {failed}"


def watch(
    feeds: list[str],
    settings: Settings,
    ingest: IngestFn,
    every: float,
    once: bool,
    say: Callable[[str], None],
) -> Cycle:
    """Cycles until interrupted (or one, ``once``); each cycle's lines go to ``say``. Returns the last cycle."""
    state = WatchState(state_path(settings))
    state.add(feeds)
    while True:
        urls = feeds or [f.url for f in state.feeds()]
        cycle = run_cycle(urls, state, settings, ingest)
        for line in [*cycle.lines, cycle.summary()]:
            say(line)
        if once:
            return cycle
        time.sleep(every)
