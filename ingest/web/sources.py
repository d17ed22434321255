"""URLs → the article pages to fetch (feeds, sitemaps, OPML and ``--discover`` expanded) → ``Article``s.

Two stages, so progress can count articles: :func:`expand` fetches what was named and turns each listing
into :class:`Target` pages (a page named directly keeps its body, so it is fetched once); :func:`read_target`
fetches one page and reads it with the reader its content type names (trafilatura for HTML, as for saved
``.html`` files). Each article records its provenance: the URL it came from, the listing that named it and
when it was fetched. Every failure is a :class:`~assistant.core.errors.FetchError` naming the URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from assistant.core.errors import FetchError, IngestError
from assistant.core.types import Article
from ingest.metadata import article_id, outlet_from_url
from ingest.readers import LoadOptions, for_content_type
from ingest.readers.html import parse_page
from ingest.web.client import Fetched, Fetcher
from ingest.web.feeds import LISTINGS, Entry, feed_links, parse_listing, sniff

__all__ = ["Expansion", "Target", "expand", "expand_listing", "read_target"]

log = logging.getLogger(__name__)

MAX_DEPTH = 2  # OPML → feed → articles; sitemap index → sitemap → articles


@dataclass(frozen=True)
class Target:
    """An article page to fetch; ``feed_url`` the listing that named it, ``published`` the listing's date."""

    url: str
    feed_url: str = ""
    published: date | None = None
    fetched: Fetched | None = None  # already fetched (a page named directly)


@dataclass
class Expansion:
    """What :func:`expand` found: pages to fetch, failures and skips (``(url, reason)``), listing titles."""

    targets: list[Target] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    transient: set[str] = field(default_factory=set)  # failed URLs worth trying later

    def fail(self, error: FetchError, url: str = "") -> None:
        self.failed.append((url or error.path, error.reason))
        if error.transient:
            self.transient.add(url or error.path)

    def add(self, target: Target) -> None:
        if all(t.url != target.url for t in self.targets):
            self.targets.append(target)


def expand(
    urls: list[str],
    fetcher: Fetcher,
    max_items: int,
    discover: bool = False,
    on_listing: Callable[[str], None] | None = None,
) -> Expansion:
    """Fetch each URL once and decide what it is: an article page stays a target, a listing becomes its pages."""
    found = Expansion()
    for url in dict.fromkeys(urls):
        if on_listing:
            on_listing(url)
        try:
            _expand_one(url, fetcher, max_items, discover, found, depth=0)
        except FetchError as exc:
            found.fail(exc, url)
    return found


def _expand_one(url: str, fetcher: Fetcher, max_items: int, discover: bool, found: Expansion, depth: int) -> None:
    fetched = fetcher.get(url)
    kind = sniff(fetched.content_type, fetched.body)
    if kind in LISTINGS:
        expand_listing(fetched, fetcher, max_items, found, depth)
    elif kind == "page" and discover:
        feeds = feed_links(fetched.body, fetched.final_url) or fetcher.sitemaps(fetched.final_url)
        if not feeds:
            raise FetchError(url, "no feed or sitemap found on the page (--discover)")
        log.info("%s: discovered %s", url, ", ".join(feeds))
        for feed in feeds[:5]:
            try:
                _expand_one(feed, fetcher, max_items, False, found, depth + 1)
            except FetchError as exc:
                found.fail(exc, feed)
    elif kind == "page":
        found.add(Target(url, fetched=fetched))
    else:
        raise FetchError(url, _not_an_article(fetched))


def expand_listing(fetched: Fetched, fetcher: Fetcher, max_items: int, found: Expansion, depth: int = 0) -> None:
    """A listing's links into ``found``: article pages, or (OPML, sitemap index) listings expanded in turn."""
    url = fetched.url
    listing = parse_listing(sniff(fetched.content_type, fetched.body), fetched.body, fetched.final_url)
    found.titles[url] = listing.title
    entries: list[Entry] = list(listing.entries)
    if listing.kind == "sitemap":  # newest first, so a capped sitemap keeps the recent articles
        entries.sort(key=lambda e: e.published or date.min, reverse=True)
    if len(entries) > max_items:
        found.skipped.append(
            (url, f"{len(entries) - max_items} more entries past the limit of {max_items} (ATTACHE_FETCH_MAX_ITEMS)")
        )
        entries = entries[:max_items]
    if not entries:
        found.skipped.append((url, f"the {listing.kind.replace('_', ' ')} lists no links"))
    nested = listing.kind in ("opml", "sitemap_index")
    for entry in entries:
        if not nested:
            found.add(Target(entry.url, url, entry.published))
        elif depth >= MAX_DEPTH:
            found.skipped.append((entry.url, f"nested too deep (listed in {url})"))
        else:
            try:
                _expand_one(entry.url, fetcher, max_items, False, found, depth + 1)
            except FetchError as exc:
                found.fail(exc, entry.url)


def _not_an_article(fetched: Fetched) -> str:
    mime = fetched.content_type.split(";")[0].strip() or "no content type"
    binary = b"\x00" in fetched.body[:4096]
    return f"not an article, feed or sitemap: {mime}" + (" (binary)" if binary else "")


def read_target(target: Target, fetcher: Fetcher, options: LoadOptions) -> Article:
    """Fetch (unless fetched already) and read one article page, with its provenance."""
    fetched = target.fetched or fetcher.get(target.url)
    kind = sniff(fetched.content_type, fetched.body)
    if kind in LISTINGS:
        raise FetchError(target.url, f"a {kind.replace('_', ' ')}, not an article page")
    if kind != "page":
        raise FetchError(target.url, _not_an_article(fetched))
    article = _read(fetched, options)
    if not article.url:  # a text or PDF document: the page's own URL names it
        article = replace(article, url=fetched.final_url, id=article_id(fetched.final_url, article.text))
    return replace(
        article,
        outlet=article.outlet or outlet_from_url(article.url or fetched.final_url),
        published=article.published or target.published,
        source_path=target.url,
        feed_url=target.feed_url,
        fetched_at=fetched.fetched_at,
    )


def _read(fetched: Fetched, options: LoadOptions) -> Article:
    mime = fetched.content_type.split(";")[0].strip().lower()
    reader = for_content_type(mime)
    try:
        if reader is None or reader.name == "html" or mime == "":
            return _page(fetched)
        if reader.many:
            raise FetchError(fetched.url, f"not an article: {mime}")
        name = PurePosixPath(urlsplit(fetched.final_url).path).name or "page"  # its source_path is set after
        errors: list[IngestError] = []
        articles = list(reader.read(fetched.body, Path(name), errors, options))
    except FetchError:
        raise
    except IngestError as exc:
        raise FetchError(fetched.url, exc.reason) from exc
    if errors or not articles:
        raise FetchError(fetched.url, errors[0].reason if errors else "no article found")
    return articles[0]


def _page(fetched: Fetched) -> Article:
    try:
        return parse_page(fetched.body, fetched.final_url)
    except IngestError as exc:
        hint = " (a home page or section? give it with --discover to follow its feeds)"
        raise FetchError(fetched.url, exc.reason + (hint if "no article text" in exc.reason else "")) from exc
