"""What a response is, and the article URLs a listing holds: RSS/Atom (feedparser), JSON Feed, sitemaps and
sitemap indexes, OPML, plain lists of URLs; feed links on a home page (``--discover``).

The kind is decided from the response, never from the URL's spelling: the content type first, then the
content itself (a feed served as ``text/html`` or ``application/octet-stream`` is still a feed). XML is parsed
by lxml without entities, network or huge trees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from assistant.core.errors import FetchError
from ingest.metadata import parse_date

__all__ = ["Entry", "Kind", "Listing", "feed_links", "parse_feed_list", "parse_listing", "sniff"]

Kind = Literal["page", "feed", "json_feed", "sitemap", "sitemap_index", "opml", "urls", "other"]
LISTINGS = ("feed", "json_feed", "sitemap", "sitemap_index", "opml", "urls")

_XML_ROOTS: dict[str, Kind] = {
    "rss": "feed",
    "rdf": "feed",
    "feed": "feed",
    "urlset": "sitemap",
    "sitemapindex": "sitemap_index",
    "opml": "opml",
}
_ROOT = re.compile(rb"<(?![?!])\s*(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/pdf")


@dataclass(frozen=True)
class Entry:
    """One link of a listing: the article (or, for an index or OPML, the feed) URL, with what the listing says."""

    url: str
    title: str = ""
    published: date | None = None


@dataclass(frozen=True)
class Listing:
    kind: Kind
    title: str
    entries: tuple[Entry, ...]


def _mime(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _xml_root(body: bytes) -> str:
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    head = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    match = _ROOT.search(head)
    return match.group(1).decode("ascii", "replace").lower() if match else ""


def _is_json_feed(body: bytes) -> bool:
    return body.lstrip()[:1] == b"{" and b"jsonfeed.org/version" in body[:2048]


def _is_url_list(body: bytes) -> bool:
    lines = [line.strip() for line in body[:65536].splitlines() if line.strip()]
    return bool(lines) and all(re.fullmatch(rb"https?://\S+", line) for line in lines)


def sniff(content_type: str, body: bytes) -> Kind:
    """The kind of a response: a page to read as an article, a listing of links, or something else."""
    mime = _mime(content_type)
    if mime in ("application/feed+json", "application/json") or _is_json_feed(body):
        return "json_feed" if _is_json_feed(body) else "other"
    root = _xml_root(body) if body.lstrip()[:1] == b"<" or body.startswith(b"\xef\xbb\xbf<") else ""
    if root in _XML_ROOTS:
        return _XML_ROOTS[root]
    if mime in _FEED_TYPES:
        return "feed"
    if root == "html" or mime in ("text/html", "application/xhtml+xml"):
        return "page"
    if mime == "text/plain" and _is_url_list(body):
        return "urls"
    if mime in _PAGE_TYPES:
        return "page"
    return "other"


def _xml(body: bytes, url: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FetchError(url, f"cannot parse XML: {exc}") from exc
    if root is None:
        raise FetchError(url, "cannot parse XML: empty document")
    return root


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children_text(element: Any, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _sitemap(body: bytes, url: str, item: str) -> tuple[Entry, ...]:
    entries = []
    for element in _xml(body, url).iter():
        if _local(element.tag) == item and (loc := _children_text(element, "loc")):
            entries.append(Entry(urljoin(url, loc), published=parse_date(_children_text(element, "lastmod"))))
    return tuple(entries)


def _opml(body: bytes, url: str) -> tuple[str, tuple[Entry, ...]]:
    root = _xml(body, url)
    title = next((e.text or "" for e in root.iter() if _local(e.tag) == "title"), "")
    entries = [
        Entry(urljoin(url, e.get("xmlUrl")), e.get("title") or e.get("text") or "")
        for e in root.iter()
        if _local(e.tag) == "outline" and e.get("xmlUrl")
    ]
    return title.strip(), tuple(entries)


def _feed(body: bytes, url: str) -> tuple[str, tuple[Entry, ...]]:
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.entries and parsed.bozo:
        raise FetchError(url, f"cannot parse the feed: {parsed.get('bozo_exception', 'malformed')}")
    entries = []
    for item in parsed.entries:
        link = item.get("link") or next((x.get("href") for x in item.get("links", []) if x.get("href")), "")
        if link:
            when = item.get("published_parsed") or item.get("updated_parsed")
            published = date(when.tm_year, when.tm_mon, when.tm_mday) if when else None
            entries.append(Entry(urljoin(url, link), (item.get("title") or "").strip(), published))
    return (parsed.feed.get("title") or "").strip(), tuple(entries)


def _json_feed(body: bytes, url: str) -> tuple[str, tuple[Entry, ...]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(url, f"cannot parse the JSON Feed: {exc}") from exc
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FetchError(url, "cannot parse the JSON Feed: no items")
    entries = []
    for item in items:
        link = isinstance(item, dict) and (item.get("url") or item.get("external_url"))
        if isinstance(link, str) and link:
            published = parse_date(item.get("date_published") or item.get("date_modified"))
            entries.append(Entry(urljoin(url, link), str(item.get("title") or "").strip(), published))
    return str(data.get("title") or "").strip(), tuple(entries)


def parse_listing(kind: Kind, body: bytes, url: str) -> Listing:
    """The links a listing holds (article URLs; sitemap URLs for an index; feed URLs for OPML)."""
    if kind == "feed":
        title, entries = _feed(body, url)
    elif kind == "json_feed":
        title, entries = _json_feed(body, url)
    elif kind == "opml":
        title, entries = _opml(body, url)
    elif kind in ("sitemap", "sitemap_index"):
        title, entries = "", _sitemap(body, url, "url" if kind == "sitemap" else "sitemap")
    elif kind == "urls":
        title, entries = "", tuple(Entry(line.strip()) for line in body.decode("utf-8", "replace").splitlines())
        entries = tuple(e for e in entries if e.url)
    else:
        raise FetchError(url, f"not a feed or sitemap ({kind})")
    return Listing(kind, title, tuple(dict((e.url, e) for e in entries).values()))


_LINK = re.compile(r"<link\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_ANCHOR = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']([^"']+)["']""", re.I)
_FEEDISH = re.compile(r"(?:^|[/._-])(?:rss|atom|feeds?)(?:[/._-]|$)", re.I)


def feed_links(html: bytes, url: str) -> list[str]:
    """Feeds a page announces (``<link rel="alternate" type="application/rss+xml">``), else same-site links
    that look like feeds (``/rss``, ``/feed/``, ``atom.xml``)."""
    text = html[:2_000_000].decode("utf-8", "replace")
    found = []
    for tag in _LINK.findall(text):
        attrs = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTR.findall(tag)}
        if "alternate" in attrs.get("rel", "").lower().split() and attrs.get("type", "").lower() in _FEED_TYPES:
            found.append(urljoin(url, attrs.get("href", "")))
    if not found:
        host = urlsplit(url).netloc.lower()
        for href in _ANCHOR.findall(text):
            link = urljoin(url, href)
            if urlsplit(link).netloc.lower() == host and _FEEDISH.search(urlsplit(link).path):
                found.append(link)
    return list(dict.fromkeys(link for link in found if link.startswith(("http://", "https://"))))


def parse_feed_list(text: str, where: str) -> list[str]:
    """``--feeds FILE``: an OPML export, or one URL per line (blank lines and ``#`` comments skipped)."""
    if text.lstrip().startswith("<"):
        return [entry.url for entry in _opml(text.encode("utf-8"), where)[1]]
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
