"""Ingest from the web into a real Chroma: feeds, sitemaps, OPML, pages and every bad case in one run; the CLI.

The site is tests/web_site.py on loopback (its own thread, stopped by the test); the embedder is the real one,
so the articles are few and short.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import Settings
from assistant.store.chroma import Store
from assistant.store.keyword_index import KeywordIndex
from ingest.pipeline import ingest_urls
from ingest.web.client import Fetcher
from tests.conftest import make_settings, run_module
from tests.web_site import ARTICLES, HARBOUR, HTML, MERIDIAN, LoopbackSite, article_page

BAD = {
    "/missing.html": "HTTP 404 Not Found",
    "/slow.html": "timed out",
    "/loop": "too many redirects",
    "/big.html": "oversized",
    "/image.bin": "not an article, feed or sitemap: application/octet-stream (binary)",
    "/home.html": "no article text found",
    "/private/secret.html": "disallowed by robots.txt",
}


def web_settings(home: Path, **overrides: Any) -> Settings:
    values = {
        "fetch_allow_private": True,
        "fetch_host_delay": 0.0,
        "fetch_timeout": 0.5,
        "fetch_retries": 1,
        "fetch_max_mb": 0.05,
    }
    return make_settings(home, **{**values, **overrides})


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(slow_seconds=1.2) as running:
        yield running


def _consistent(store: Store, settings: Settings) -> None:
    assert store.repair() == 0
    assert store.count_chunks() == sum(n for _, n in store.list_articles())
    built = (settings.keyword_path / "current").read_text()
    KeywordIndex(settings.keyword_path, store).ensure_fresh()  # kept in step by the run: loads, does not rebuild
    assert (settings.keyword_path / "current").read_text() == built


def test_feeds_sitemaps_opml_and_bad_urls_in_one_run(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    settings = web_settings(tmp_path / "home")
    store = Store(settings, embedder)
    urls = [site.url(p) for p in ("/feeds.opml", "/sitemap_index.xml", "/flaky.html", "/busy.html", *BAD)]
    progress: list[tuple[int, int]] = []
    with Fetcher(settings.fetch, backoff=0.05) as fetcher:
        report = ingest_urls(
            urls, store, embedder, settings, on_progress=lambda d, t: progress.append((d, t)), fetcher=fetcher
        )
    failed = dict(report.failed)
    assert set(failed) == {site.url(p) for p in BAD}, report.summary()
    for path, reason in BAD.items():
        assert reason in failed[site.url(path)], (path, failed[site.url(path)])
    # feed.xml (2) + atom.xml (1) via OPML, sitemap index → envoy (talks again: once); flaky and busy serve
    # the envoy and summit stories again under other URLs: folded as copies, as wire copies are
    assert (report.added, len(report.duplicates)) == (4, 2) and report.ok is False
    assert {d.url for d in report.duplicates} == {site.url("/flaky.html"), site.url("/busy.html")}
    assert progress[-1][0] == progress[-1][1] == 6 + 1  # the page that is not an article is counted too
    stored = {a.url: a for a, _n in store.list_articles()}
    talks = stored[site.url("/meridian/talks.html")]
    assert (talks.outlet, str(talks.published), talks.authors) == (MERIDIAN, "2024-03-04", ("Anna Keller",))
    assert talks.title == ARTICLES["/meridian/talks.html"][0]
    assert talks.feed_url == site.url("/feed.xml") and talks.source_path == site.url("/meridian/talks.html")
    assert talks.fetched_at.startswith("20")
    grain = stored[site.url("/harbour/grain.html")]
    assert (grain.outlet, str(grain.published)) == (HARBOUR, "2024-03-05")
    outcomes = {source: what for source, _id, what in report.outcomes}
    assert outcomes[site.url("/missing.html")] == "failed" and outcomes[site.url("/slow.html")] == "retry"
    assert json.loads(json.dumps(report.to_dict()))["articles"]
    _consistent(store, settings)


def test_refetch_is_unchanged_and_changed_content_replaces(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    settings = web_settings(tmp_path / "home")
    store = Store(settings, embedder)
    first = ingest_urls([site.url("/feed.xml")], store, embedder, settings)
    again = ingest_urls([site.url("/feed.xml")], store, embedder, settings)
    assert (first.added, again.added, again.unchanged, again.chunks) == (2, 0, 2, 0)
    title, outlet, day, author, paragraphs = ARTICLES["/harbour/grain.html"]
    corrected = [paragraphs[0], paragraphs[1].replace("a fortnight", "ten days")]
    site.routes["/harbour/grain.html"] = lambda _h: (200, HTML, article_page(title, outlet, day, author, corrected))
    third = ingest_urls([site.url("/feed.xml")], store, embedder, settings)
    assert (third.replaced, third.unchanged, third.added) == (1, 1, 0)
    grain = next(a for a, _n in store.list_articles() if a.outlet == HARBOUR)
    assert "ten days" in store.get_article(grain.id).text  # type: ignore[union-attr]
    assert store.count_articles() == 2
    _consistent(store, settings)


def test_discover_finds_the_feeds_of_a_home_page(site: LoopbackSite, embedder: Any, tmp_path: Path) -> None:
    settings = web_settings(tmp_path / "home")
    store = Store(settings, embedder)
    report = ingest_urls([site.url("/home.html")], store, embedder, settings, discover=True)
    assert report.added == 2 and report.ok


def _ingest(*args: str, home: Path, allow: bool) -> Any:
    env = {**os.environ, "ATTACHE_HOME": str(home), "ATTACHE_FETCH_HOST_DELAY": "0"}
    env.pop("ATTACHE_FETCH_ALLOW_PRIVATE", None)
    if allow:
        env["ATTACHE_FETCH_ALLOW_PRIVATE"] = "1"
    return run_module("ingest", *args, env=env)


def test_done_when_the_cli_ingests_a_feed_then_finds_it_unchanged(site: LoopbackSite, tmp_path: Path) -> None:
    """The issue's check: two dated articles from two outlets; unchanged on a second run; a dead URL named;
    refused without the switch."""
    home, feed, dead = tmp_path / "home", site.url("/feed.xml"), site.url("/gone.html")
    first = _ingest(feed, "-q", home=home, allow=True)
    assert first.returncode == 0, first.stderr
    assert "added 2, replaced 0, unchanged 0" in first.stdout
    listing = _ingest("list", home=home, allow=True).stdout
    assert "2024-03-04" in listing and MERIDIAN[:20] in listing
    assert "2024-03-05" in listing and HARBOUR in listing
    second = _ingest(feed, dead, "-q", "--report", str(tmp_path / "run.json"), home=home, allow=True)
    assert second.returncode == 1
    assert "added 0, replaced 0, unchanged 2" in second.stdout
    assert f"failed: {dead}: HTTP 404 Not Found" in second.stdout
    assert json.loads((tmp_path / "run.json").read_text())["failed"] == [{"path": dead, "reason": "HTTP 404 Not Found"}]
    article_id = listing.split()[0]
    shown = _ingest("show", article_id, home=home, allow=True).stdout
    assert f"listed in {feed}" in shown and "fetched 20" in shown
    refused = _ingest(feed, "-q", home=home, allow=False)
    assert refused.returncode == 1
    assert f"failed: {feed}: refused: 127.0.0.1 is a loopback address" in refused.stdout
    assert "ATTACHE_FETCH_ALLOW_PRIVATE=1" in refused.stdout
