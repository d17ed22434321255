"""The Library tab's "Add from the web" and Feeds list, on the handlers, against the loopback site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.store.chroma import Store
from assistant.web.feeds import ALL_FEEDS, add_from_web, feeds_view, parse_urls, refresh_feeds, remove_feed
from tests.test_ingest_web import web_settings
from tests.web_site import LoopbackSite

TALKS, GRAIN, SUMMIT = "/meridian/talks.html", "/harbour/grain.html", "/meridian/summit.html"


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite() as running:
        running.growing_feed("/world.xml", [TALKS, GRAIN])
        yield running


def _assistant(home: Path, embedder: Any, **overrides: Any) -> Assistant:
    settings = web_settings(home, **overrides)
    return Assistant(settings, Store(settings, embedder), embedder)


def test_a_feed_is_ingested_followed_and_refreshed(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    library = _assistant(tmp_path / "home", embedder)
    feed = site.url("/world.xml")
    steps: list[str] = []
    progress: list[tuple[int, int]] = []
    report = add_from_web(library, feed, lambda n, total: progress.append((n, total)), steps.append)
    assert "Added 2</strong>" in report and "failed 0" in report and steps == [feed] and progress
    assert f"{site.url(TALKS)}</td><td>added: Velmora and Ostrand resume border talks in Lisvik" in report
    assert f"Now following {feed}" in report
    rows, choices = feeds_view(library)
    assert choices == [ALL_FEEDS, feed]
    assert rows[0][0] == feed and rows[0][1] == "World news" and rows[0][3] == 2 and rows[0][4] == ""

    site.grow("/world.xml", SUMMIT)
    site.log.clear()
    cycle = refresh_feeds(library, ALL_FEEDS)
    assert f"{feed}: 3 items, 1 new: added 1, failed 0" in cycle
    assert [p for p, _h in site.log].count(TALKS) == 0  # items met when added are not fetched again
    assert feeds_view(library)[0][0][3] == 3
    assert "not modified (304)" in refresh_feeds(library, feed)

    assert "unchanged 1" in add_from_web(library, site.url(TALKS))  # an article page, again
    assert remove_feed(library, feed).startswith("No longer following")
    assert feeds_view(library) == ([], [ALL_FEEDS]) and "No feeds followed" in refresh_feeds(library, None)


def test_a_home_page_is_read_for_its_feeds(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    library = _assistant(tmp_path / "home", embedder)
    report = add_from_web(library, site.url("/home.html"))
    assert "Added 2</strong>" in report and "failed 0" in report
    assert feeds_view(library)[1] == [ALL_FEEDS, site.url("/feed.xml")]


def test_bad_and_private_urls_are_named_with_their_reason(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    library = _assistant(tmp_path / "home", embedder)
    report = add_from_web(library, f"{site.url('/missing.html')}\n{site.url('/image.bin')}")
    assert "failed 2" in report and "HTTP 404 Not Found" in report and "not an article, feed or sitemap" in report
    assert "Now following" not in report and feeds_view(library)[0] == []
    closed = _assistant(tmp_path / "closed", embedder, fetch_allow_private=False)
    refused = add_from_web(closed, site.url(TALKS))
    assert "refused: 127.0.0.1 is a loopback address" in refused and "ATTACHE_FETCH_ALLOW_PRIVATE=1" in refused
    assert site.requests_to(TALKS) == 0
    assert "give the URL" in add_from_web(closed, "  ")


def test_urls_are_split_and_given_a_scheme() -> None:
    assert parse_urls("a.example/x, https://b.example/feed.xml\nhttps://b.example/feed.xml") == [
        "https://a.example/x",
        "https://b.example/feed.xml",
    ]
