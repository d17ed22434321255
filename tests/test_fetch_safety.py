"""The fetcher on its own (no store): safety, politeness and limits, against the loopback site and a mock."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.core.errors import FetchError
from assistant.core.settings import Settings
from ingest.web import safety
from ingest.web.client import Fetcher
from ingest.web.feeds import feed_links, parse_feed_list, parse_listing, sniff
from ingest.web.safety import check_url, is_public, looks_like_url
from tests.web_site import LoopbackSite


def fetch_settings(**overrides: object) -> Settings:
    values = {"fetch_allow_private": True, "fetch_host_delay": 0.0, "fetch_timeout": 0.5, "fetch_retries": 2}
    return Settings(**{**values, **overrides})


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(slow_seconds=1.5) as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(fetch_settings(fetch_max_mb=0.05).fetch, backoff=0.05) as client:
        yield client


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
        "198.18.0.1",
    ],
)
def test_private_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


def test_public_addresses_are_public() -> None:
    assert is_public("93.184.216.34") and is_public("2606:4700::1111")


def test_only_http_and_https() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/a", "gopher://x/", "javascript:alert(1)"):
        with pytest.raises(FetchError, match="refused"):
            check_url(url, allow_private=True)
    with pytest.raises(FetchError, match="user name or password"):
        check_url("http://user:secret@example.org/", allow_private=True)


def test_private_names_are_refused_after_resolution() -> None:
    for url in ("http://127.0.0.1:8000/", "http://localhost/admin", "http://[::1]/", "http://169.254.169.254/meta"):
        with pytest.raises(FetchError, match="ATTACHE_FETCH_ALLOW_PRIVATE=1") as caught:
            check_url(url)
        assert "refused" in caught.value.reason
    check_url("http://127.0.0.1:8000/", allow_private=True)


def test_urls_are_told_from_paths() -> None:
    assert looks_like_url("https://example.org/a") and looks_like_url("ftp://x")
    assert not looks_like_url("articles/2024") and not looks_like_url("C:\\news") and not looks_like_url("a.html")


def test_a_redirect_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first hop is public; the redirect it answers with points at loopback, and is checked again."""
    monkeypatch.setattr(
        safety, "_addresses", lambda host, port: ["93.184.216.34"] if host == "news.test" else ["127.0.0.1"]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://internal.test/admin"})

    transport = httpx.MockTransport(handler)
    with (
        Fetcher(Settings(fetch_host_delay=0.0).fetch, transport=transport) as client,
        pytest.raises(FetchError, match=r"refused: internal\.test is a loopback address"),
    ):
        client.get("http://news.test/story")


def test_loopback_without_the_switch_is_refused(site: LoopbackSite) -> None:
    with Fetcher(Settings(fetch_host_delay=0.0).fetch) as client, pytest.raises(FetchError, match="loopback"):
        client.get(site.url("/feed.xml?unswitched"))
    assert all(path != "/feed.xml?unswitched" for path, _h in site.log)  # refused before connecting


def test_a_name_that_turns_private_after_the_check_reaches_nothing(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the check sees a public address, the connection a moment later would get loopback. The
    socket is opened only to an address resolved and checked for it, so nothing reaches the loopback site."""
    answers = iter([["93.184.216.34"]])  # the first resolution (the check) is public, every later one loopback
    monkeypatch.setattr(safety, "_addresses", lambda host, port: next(answers, ["127.0.0.1"]))
    before = len(site.log)
    port = httpx.URL(site.url("/")).port
    with (
        Fetcher(Settings(fetch_host_delay=0.0, fetch_retries=2, fetch_robots=False).fetch) as client,
        pytest.raises(FetchError, match=r"refused: rebind\.test resolves to a loopback address .* connection time"),
    ):
        client.get(f"http://rebind.test:{port}/meridian/talks.html")
    assert len(site.log) == before and client.requests == 1  # one attempt (not retried), and no request arrived


def test_user_agent_and_robots(site: LoopbackSite, fetcher: Fetcher) -> None:
    fetcher.get(site.url("/meridian/talks.html"))
    _path, headers = next((p, h) for p, h in reversed(site.log) if p == "/meridian/talks.html")
    assert headers["user-agent"] == fetcher.settings.user_agent
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.get(site.url("/private/secret.html"))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.html", "HTTP 404 Not Found"),
        ("/loop", "too many redirects"),
        ("/big.html", "oversized: the body is over the 0.05 MiB limit"),
        ("/slow.html", r"timed out \(no answer within 0.5 s\) \(after 3 tries\)"),
    ],
)
def test_bad_responses_are_named(site: LoopbackSite, fetcher: Fetcher, path: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason) as caught:
        fetcher.get(site.url(path))
    assert caught.value.path == site.url(path)


def test_retries_500_then_success_and_honours_retry_after(site: LoopbackSite, fetcher: Fetcher) -> None:
    assert fetcher.get(site.url("/flaky.html")).status == 200
    started = time.monotonic()
    assert fetcher.get(site.url("/busy.html")).status == 200
    assert time.monotonic() - started >= 0.9  # Retry-After: 1, not the 0.05 s backoff


def test_a_retry_after_over_the_limit_fails_at_once(site: LoopbackSite) -> None:
    site.routes["/later.html"] = lambda _h: (429, {"Retry-After": "3600"}, b"")
    with Fetcher(fetch_settings().fetch) as client, pytest.raises(FetchError, match="over the 60 s limit"):
        client.get(site.url("/later.html"))


def test_a_declared_size_over_the_cap_is_refused_before_reading(site: LoopbackSite) -> None:
    site.routes["/huge.xml"] = lambda _h: (200, {"Content-Type": "application/xml"}, b"<rss>" + b" " * 200_000)
    with Fetcher(fetch_settings(fetch_max_mb=0.1).fetch) as client, pytest.raises(FetchError, match=r"0\.2 MiB"):
        client.get(site.url("/huge.xml"))


def test_requests_to_one_host_are_paced(site: LoopbackSite) -> None:
    with Fetcher(fetch_settings(fetch_host_delay=0.3).fetch) as client:
        client.get(site.url("/feed.xml"))  # robots.txt, then the feed: already one pause
        started = time.monotonic()
        client.get(site.url("/atom.xml"))
        assert time.monotonic() - started >= 0.28


def test_conditional_requests_get_304(site: LoopbackSite, fetcher: Fetcher) -> None:
    site.growing_feed("/cond.xml", ["/meridian/talks.html"])
    first = fetcher.get(site.url("/cond.xml"))
    assert first.status == 200 and first.etag
    again = fetcher.get(site.url("/cond.xml"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""


def test_the_kind_comes_from_the_response_not_the_url(site: LoopbackSite, fetcher: Fetcher) -> None:
    kinds = {
        path: sniff(f.content_type, f.body)
        for path in (
            "/feed.xml",
            "/atom.xml",
            "/sitemap.xml",
            "/sitemap_index.xml",
            "/feeds.opml",
            "/meridian/talks.html",
            "/image.bin",
        )
        for f in [fetcher.get(site.url(path))]
    }
    assert kinds == {
        "/feed.xml": "feed",
        "/atom.xml": "feed",
        "/sitemap.xml": "sitemap",
        "/sitemap_index.xml": "sitemap_index",
        "/feeds.opml": "opml",
        "/meridian/talks.html": "page",
        "/image.bin": "other",
    }
    assert sniff("text/html", b'<?xml version="1.0"?><rss version="2.0"></rss>') == "feed"  # mislabelled
    assert sniff("application/octet-stream", b"<urlset></urlset>") == "sitemap"
    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"url": "/a", '
        b'"title": "A", "date_published": "2024-03-04T08:00:00Z"}]}'
    )
    assert sniff("application/json", json_feed) == "json_feed"
    listing = parse_listing("json_feed", json_feed, "http://x.test/feed.json")
    assert listing.entries[0].url == "http://x.test/a" and str(listing.entries[0].published) == "2024-03-04"


def test_feed_lists_and_discovery() -> None:
    assert parse_feed_list("# mine\nhttp://a.test/feed\n\nhttp://b.test/rss#top\n", "f") == [
        "http://a.test/feed",
        "http://b.test/rss#top",
    ]
    page = b'<link rel="alternate" type="application/atom+xml" href="/atom.xml"><a href="/feed/">x</a>'
    assert feed_links(page, "http://a.test/") == ["http://a.test/atom.xml"]
    assert feed_links(b'<a href="/rss/world.xml">RSS</a><a href="/about">a</a>', "http://a.test/") == [
        "http://a.test/rss/world.xml"
    ]
