"""Add from the web: fetch the URLs a person gives and ingest what they hold (the web app's "Add from the web" box
and ``POST /api/articles``).

A URL may name an article page, a feed, a sitemap or OPML list, or a site's home page: a page that holds no article
is read again for the feeds it links to. The caller holds the store lock.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.core.settings import Settings
from assistant.models.embedders import Embedder
from assistant.store.chroma import Store
from ingest.pipeline import ingest_targets
from ingest.report import IngestReport
from ingest.web.client import Fetcher
from ingest.web.safety import looks_like_url
from ingest.web.sources import Expansion, expand

MAX_URLS = 20
HOME_PAGE = "no article text found"  # the reason a home or section page gives; its feeds are looked for then
Progress = Callable[[int, int], None]
Step = Callable[[str], None]


def parse_urls(text: str | None) -> list[str]:
    """URLs one a line (or spaced); a bare ``host/path`` gets ``https://``."""
    words = (text or "").replace(",", " ").split()
    return list(dict.fromkeys(w if looks_like_url(w) else f"https://{w}" for w in words))


def fetch_and_ingest(
    urls: list[str],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    on_progress: Progress | None = None,
    on_step: Step | None = None,
) -> tuple[IngestReport, Expansion]:
    """Expand and ingest ``urls``; a page with no article in it is read again for its feeds."""
    max_items = settings.fetch.max_items

    def ingest(found: Expansion, client: Fetcher) -> IngestReport:
        return ingest_targets(found, store, embedder, settings, on_progress=on_progress, fetcher=client)

    with Fetcher(settings.fetch) as client:
        found = expand(urls, client, max_items, on_listing=on_step)
        report = ingest(found, client)
        homes = [url for url, reason in report.failed if url in urls and HOME_PAGE in reason]
        if not homes:
            return report, found
        report.failed = [(u, r) for u, r in report.failed if u not in homes]
        report.outcomes = [o for o in report.outcomes if o[0] not in homes]
        feeds = expand(homes, client, max_items, discover=True, on_listing=on_step)
        report.merge(ingest(feeds, client))
    found.targets.extend(feeds.targets)
    found.titles.update(feeds.titles)
    return report, found
