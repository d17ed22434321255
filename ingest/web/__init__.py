"""Coverage from the web: the polite, safe fetcher, feed and sitemap parsing, URL → article, and ``watch``.

| module | does |
|---|---|
| :mod:`ingest.web.safety` | http(s) only; no private, loopback, link-local address (``ATTACHE_FETCH_ALLOW_PRIVATE``) |
| :mod:`ingest.web.client` | ``Fetcher``: one httpx client, robots.txt, per-host pacing, caps, retries, 304s |
| :mod:`ingest.web.feeds` | the kind of a response; RSS/Atom/JSON Feed, sitemaps, OPML, URL lists; feed discovery |
| :mod:`ingest.web.sources` | URLs → article pages to fetch (listings expanded) → ``Article``s with provenance |
| :mod:`ingest.web.watch` | ``python -m ingest watch``: poll feeds, fetch only new items, state under ``ATTACHE_HOME`` |

The store side is :func:`ingest.pipeline.ingest_urls` (and ``ingest_targets``), which the web app can call.
"""
