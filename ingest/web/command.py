"""``python -m ingest watch [FEEDS...] [--every 30m | --once] [--list] [--remove URL]``.

FEEDS are feed, sitemap or OPML URLs, or files listing them (one URL per line, or OPML); each is remembered,
so a later ``watch`` without FEEDS polls every feed followed so far. The store lock is held only while a
cycle writes, never while it polls or sleeps. Exit codes as for ingest: 0, 1 (a feed or item failed in the
last cycle), 2 (nothing could be done), 130 (interrupted; run it again).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.core.errors import ConfigError
from assistant.core.settings import Settings
from ingest.report import IngestReport
from ingest.web.client import Fetcher
from ingest.web.feeds import parse_feed_list
from ingest.web.safety import looks_like_url
from ingest.web.sources import Expansion
from ingest.web.watch import WatchState, parse_every, state_path, watch

__all__ = ["watch_command"]


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest watch",
        description="Follow feeds: poll each one, fetch only new items, remember what was met (ATTACHE_HOME).",
    )
    parser.add_argument("feeds", nargs="*", help="feed/sitemap/OPML URLs or files listing them (default: all followed)")
    every = parser.add_mutually_exclusive_group()
    every.add_argument(
        "--every",
        default=f"{settings.fetch.watch_every:g}s",
        metavar="DURATION",
        help="30m, 1h, 90s (default: %(default)s)",
    )
    every.add_argument("--once", action="store_true", help="one cycle, then exit (for cron)")
    parser.add_argument("--list", action="store_true", help="the feeds followed, and what each has given")
    parser.add_argument("--remove", metavar="URL", action="append", default=[], help="stop following a feed")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--wait", type=float, metavar="SECONDS", help="how long to wait for the store lock")
    return parser


def _feed_urls(items: list[str]) -> list[str]:
    urls: list[str] = []
    for item in items:
        if looks_like_url(item):
            urls.append(item)
            continue
        try:
            urls.extend(parse_feed_list(Path(item).read_text(encoding="utf-8"), item))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{item} is neither a URL nor a readable feed list: {exc}") from exc
    return list(dict.fromkeys(urls))


def _list(state: WatchState) -> int:
    for feed in state.feeds():
        print(
            f"{feed.url}  {feed.title or '-'}  "
            f"last fetched {feed.last_fetched or 'never'} ({feed.last_status or '-'}), "
            f"{feed.items_seen} items seen, {feed.articles_added} articles added"
            + (f"; last error: {feed.last_error}" if feed.last_error else "")
        )
    return 0


def watch_command(argv: list[str], settings: Settings) -> int:
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store, settle_embedder
    from assistant.store.lock import store_lock
    from ingest.pipeline import ingest_targets

    args = _parser(settings).parse_args(argv)
    if args.wait is not None:
        settings = settings.updated(ingest_lock_timeout=args.wait)
    state = WatchState(state_path(settings))
    if args.list or args.remove:
        for url in args.remove:
            print(f"{'removed' if state.remove(url) else 'not followed'}: {url}")
        return _list(state) if args.list else 0
    try:
        every = parse_every(args.every)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    feeds = _feed_urls(args.feeds)
    if not feeds and not state.feeds():
        raise ConfigError("no feeds: give feed URLs or a file listing them")
    settings = settle_embedder(settings)
    embedder = build_embedder(settings)

    def ingest(found: Expansion, fetcher: Fetcher) -> IngestReport:
        purpose = "python -m ingest watch"
        with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose=purpose):
            store = Store(settings, embedder)
            return ingest_targets(found, store, embedder, settings, not args.quiet, fetcher=fetcher)

    cycle = watch(feeds, settings, ingest, every, args.once, lambda line: print(line, flush=True))
    return 0 if not cycle.failed else 1
