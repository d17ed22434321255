"""Saved web pages → ``Article``: trafilatura finds the article text and its metadata.

Title, author, date (htmldate: meta tags, JSON-LD, then the page itself), site name and the
canonical URL come from the page; the text is the main content without navigation, ads or
comments. No tag stripping of our own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.types import Article
from ingest.metadata import article_id, outlet_from_url, published_date, split_authors
from ingest.readers import LoadOptions, Reader
from ingest.readers.text import short_title

log = logging.getLogger(__name__)

# trafilatura and its helpers log every page they find hard; the report says what failed.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.ERROR)

MIN_WORDS = 15  # less is a menu, a cookie wall or an error page that trafilatura fell back to


def _paragraphs(text: str, title: str) -> str:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if lines and title and lines[0].rstrip(".") == title.rstrip("."):
        lines.pop(0)  # the headline repeated as the first line of the body
    return "\n\n".join(lines)


def parse_html(raw: bytes, path: Path) -> Article:
    """The article in one saved page; a page without article text raises ``IngestError``."""
    return _extract(raw, str(path), str(path.resolve()))


def parse_page(raw: bytes, url: str) -> Article:
    """The article in a page fetched from ``url`` (its URL when the page names no canonical one)."""
    return _extract(raw, url, url, page_url=url)


def _extract(raw: bytes, where: str, source: str, page_url: str = "") -> Article:
    import trafilatura

    if b"\x00" in raw[:4096]:
        raise IngestError(where, "binary file (NUL bytes), not HTML")
    try:
        doc = trafilatura.bare_extraction(
            raw, url=page_url or None, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception as exc:  # trafilatura raises whatever its parsers raise
        raise IngestError(where, f"cannot parse HTML: {exc}") from exc
    if doc is None or isinstance(doc, dict):
        raise IngestError(where, "no article text found in the HTML")
    title = (doc.title or "").strip()
    text = _paragraphs(doc.text or "", title)
    if len(text.split()) < MIN_WORDS:
        raise IngestError(where, f"no article text found in the HTML ({len(text.split())} words)")
    url = (doc.url or page_url).strip()
    return Article(
        id=article_id(url, text),
        title=title or short_title(text.split("\n", 1)[0]),
        text=text,
        outlet=(doc.sitename or "").strip() or (outlet_from_url(url) if url else (doc.hostname or "")),
        url=url,
        published=published_date(doc.date, url, text),
        authors=split_authors(doc.author or ""),
        summary=(doc.description or "").strip(),
        source_path=source,
    )


def _read(raw: bytes, path: Path, _errors: list[IngestError], _options: LoadOptions) -> Iterator[Article]:
    yield parse_html(raw, path)


READER = Reader("html", (".html", ".htm"), ("text/html", "application/xhtml+xml"), _read)
