"""``watch``: a feed that gains an item between two cycles, 304s, state under ATTACHE_HOME, a killed cycle."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import Settings
from assistant.store.chroma import Store
from ingest.pipeline import ingest_targets
from ingest.report import IngestReport
from ingest.web.client import Fetcher
from ingest.web.sources import Expansion
from ingest.web.watch import WatchState, parse_every, run_cycle, state_path
from tests.conftest import run_module
from tests.test_ingest_web import web_settings
from tests.web_site import LoopbackSite

TALKS, GRAIN, SUMMIT = "/meridian/talks.html", "/harbour/grain.html", "/meridian/summit.html"


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite() as running:
        running.growing_feed("/world.xml", [TALKS, GRAIN])
        yield running


def _ingester(store: Store, embedder: Any, settings: Settings) -> Any:
    def ingest(found: Expansion, fetcher: Fetcher) -> IngestReport:
        return ingest_targets(found, store, embedder, settings, fetcher=fetcher)

    return ingest


def test_only_new_items_are_fetched_and_an_unchanged_feed_costs_one_304(
    site: LoopbackSite, embedder: Any, tmp_path: Path
) -> None:
    settings = web_settings(tmp_path / "home")
    store, state = Store(settings, embedder), WatchState(state_path(settings))
    feed, ingest = site.url("/world.xml"), _ingester(store, embedder, settings)

    first = run_cycle([feed], state, settings, ingest)
    assert (first.added, first.not_modified, first.failed) == (2, 0, 0)
    assert first.lines == [f"{feed}: 2 items, 2 new: added 2, failed 0"]

    site.log.clear()
    second = run_cycle([feed], state, settings, ingest)
    assert second.lines == [f"{feed}: not modified (304)"]
    assert (second.requests, second.not_modified, second.added) == (2, 1, 0)  # robots.txt + one 304
    assert [p for p, _h in site.log] == ["/robots.txt", "/world.xml"]

    site.grow("/world.xml", SUMMIT)
    site.log.clear()
    third = run_cycle([feed], state, settings, ingest)
    assert third.lines == [f"{feed}: 3 items, 1 new: added 1, failed 0"]
    assert [p for p, _h in site.log] == ["/robots.txt", "/world.xml", SUMMIT]  # only the new item fetched
    assert store.count_articles() == 3

    saved = state.feed(feed)
    assert (saved.title, saved.items_seen, saved.articles_added, saved.last_error) == ("World news", 3, 3, "")
    assert saved.etag == '"v3"' and saved.last_fetched and saved.last_status == "200"


def test_a_failed_item_is_tried_again_only_when_its_failure_may_pass(
    site: LoopbackSite, embedder: Any, tmp_path: Path
) -> None:
    settings = web_settings(tmp_path / "home", fetch_retries=0)
    store, state = Store(settings, embedder), WatchState(state_path(settings))
    site.growing_feed("/mixed.xml", [TALKS])
    site.routes["/down.html"] = lambda _h: (503, {}, b"")
    original = site.routes["/mixed.xml"]

    def mixed(headers: dict[str, str]) -> Any:
        status, extra, body = original(headers)
        items = f"<item><link>{site.base}/down.html</link></item><item><link>{site.base}/gone.html</link></item>"
        return status, extra, body.replace(b"</channel>", items.encode() + b"</channel>")

    site.routes["/mixed.xml"] = mixed
    feed = site.url("/mixed.xml")
    cycle = run_cycle([feed], state, settings, _ingester(store, embedder, settings))
    assert cycle.lines == [f"{feed}: 3 items, 3 new: added 1, failed 2"]
    assert state.seen(feed) == {site.url(TALKS), site.url("/gone.html")}  # the 503 is tried again next cycle
    assert state.feed(feed).last_error == f"{site.url('/down.html')}: HTTP 503 Service Unavailable"


def test_a_killed_cycle_is_done_again(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    """The state is written after the articles are committed: a cycle that dies in between leaves none."""
    settings = web_settings(tmp_path / "home")
    store, state = Store(settings, embedder), WatchState(state_path(settings))
    feed, ingest = site.url("/world.xml"), _ingester(store, embedder, settings)

    def killed(found: Expansion, fetcher: Fetcher) -> IngestReport:
        ingest(found, fetcher)
        raise KeyboardInterrupt  # after the writes, before the state

    with pytest.raises(KeyboardInterrupt):
        run_cycle([feed], state, settings, killed)
    assert state.feed(feed).etag == "" and state.seen(feed) == set()
    again = run_cycle([feed], state, settings, ingest)
    assert again.lines == [f"{feed}: 2 items, 2 new: added 0, failed 0"]  # fetched whole; both already stored
    assert again.report.unchanged == 2 and store.count_articles() == 2
    assert state.feed(feed).etag == '"v2"'


def test_durations() -> None:
    assert [parse_every(t) for t in ("30m", "1h", "90", "45s", "1.5h")] == [1800, 3600, 90, 45, 5400]
    with pytest.raises(ValueError):
        parse_every("soon")


def test_watch_command_once(site: LoopbackSite, tmp_path: Path) -> None:
    """``python -m ingest watch FEEDS --once`` twice: one line per feed per cycle and a summary; then --list."""
    home = tmp_path / "home"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# followed\n{site.url('/world.xml')}\n{site.url('/missing.xml')}\n")
    env = {**os.environ, "ATTACHE_HOME": str(home), "ATTACHE_FETCH_ALLOW_PRIVATE": "1", "ATTACHE_FETCH_HOST_DELAY": "0"}
    first = run_module("ingest", "watch", str(feeds), "--once", "-q", env=env)
    assert first.returncode == 1, first.stderr  # the missing feed
    assert f"{site.url('/world.xml')}: 2 items, 2 new: added 2, failed 0" in first.stdout
    assert f"{site.url('/missing.xml')}: failed: HTTP 404 Not Found" in first.stdout
    second = run_module("ingest", "watch", "--once", "-q", env=env)  # the feeds followed so far
    assert f"{site.url('/world.xml')}: not modified (304)" in second.stdout
    summary = re.search(r"watch: 2 feeds, (\d+) requests, 1 not modified \(304\), 0 articles added", second.stdout)
    assert summary, second.stdout
    listed = run_module("ingest", "watch", "--list", env=env).stdout
    assert "World news" in listed and "2 items seen, 2 articles added" in listed
