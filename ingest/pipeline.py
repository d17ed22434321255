"""Paths or URLs → articles → chunks → vectors → store, with dedupe, progress, pruning and a per-input report.

Each article is classified against the :class:`~ingest.catalog.Catalog` of what is stored:

* unchanged (same id, same content hash): skipped;
* a recorded copy of another article, unchanged: skipped;
* changed: re-chunked and re-embedded, replacing all of its chunks;
* new and a near-duplicate of a stored article: recorded on that article as a copy
  (outlet, URL, source) and not stored again;
* new: chunked, embedded, stored.

The run is resumable because every decision is a pure function of the input and the store:
an interrupted run leaves whole articles or none (``Store.repair`` removes half-written
ones), and the next run skips what was committed and redoes the rest.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from assistant.analysis.article import analyse
from assistant.core.errors import FetchError
from assistant.core.settings import Settings
from assistant.core.types import Article, ArticleCopy
from assistant.models.embedders import Embedder, release_memory
from assistant.store.chroma import Store
from assistant.store.keyword_index import KeywordIndex
from assistant.store.views import ViewsIndex
from ingest.catalog import Catalog, Entry
from ingest.dedupe import fingerprint
from ingest.loaders import LoadOptions, estimate_articles, expand_paths
from ingest.prepare import (
    Failed,
    FileDone,
    Item,
    Prepared,
    chunks_for,
    prepare,
    prepare_articles,
    prepare_files,
    read_ahead,
)
from ingest.prune import Scopes, gone_after, prune
from ingest.readers import FieldMap
from ingest.report import Duplicate, IngestReport
from ingest.web.client import Fetcher
from ingest.web.sources import Expansion, expand, read_target
from ingest.writer import BatchWriter, embedding_text

__all__ = ["IngestReport", "embedding_text", "ingest_articles", "ingest_paths", "ingest_targets", "ingest_urls"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


class _Run:
    """One ingest run: classifies each prepared article and hands new work to the writer."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings, report: IngestReport) -> None:
        self.store, self.settings, self.report = store, settings, report
        store.repair()
        self.catalog = Catalog(store.records(), settings.ingest.dedupe_threshold)
        window = settings.embed.batch_size * settings.ingest.workers  # one batch per worker per embedding call
        self.writer = BatchWriter(store, embedder, window, report, on_flush=self._show_rate)
        self.seen: set[str] = set()
        self.complete_files: set[Path] = set()
        self._bar: tqdm[None] | None = None
        self._started = time.perf_counter()

    def consume(
        self, items: Iterator[Item], total: int | None, show: bool, on_progress: ProgressCallback | None
    ) -> None:
        done = 0
        self._bar = tqdm(total=total, unit="article", disable=not show, file=sys.stderr, dynamic_ncols=True)
        try:
            for item in read_ahead(items, self.settings.ingest.prefetch):
                if isinstance(item, FileDone):
                    self._file_done(item)
                    continue
                if isinstance(item, Failed):
                    self.report.failed.append((item.source, item.reason))
                    self.report.outcomes.append((item.source, "", "retry" if item.transient else "failed"))
                else:
                    self.handle(item)
                done += 1
                self._bar.update(1)
                if on_progress:
                    on_progress(done, total or 0)
            self.writer.flush()
        finally:
            self._bar.close()
            self.report.seconds = time.perf_counter() - self._started

    def _file_done(self, item: FileDone) -> None:
        self.report.failed.extend((err.path, err.reason) for err in item.errors)
        if item.complete:
            self.complete_files.add(item.path)

    def _show_rate(self) -> None:
        if self._bar is not None and not self._bar.disable:
            elapsed = max(time.perf_counter() - self._started, 1e-9)
            self._bar.set_postfix_str(f"{self.report.chunks} chunks, {self.report.chunks / elapsed:.1f} chunks/s")

    def handle(self, item: Prepared) -> None:
        article, digest = item.article, item.digest
        self.seen.add(article.id)
        entry = self.catalog.get(article.id)
        if entry is not None and entry.digest == digest:
            self._unchanged(entry, article)
            self._outcome(article, "unchanged")
            return
        if self.catalog.owner(article.id) is not None:
            if self.catalog.copy(article.id).content_hash == digest:
                self.report.unchanged += 1
                self._outcome(article, "unchanged")
                return
            self._save_copies(self.catalog.detach(article.id))  # changed: judge it afresh
        print_ = item.print_ or (fingerprint(article.text) if self.catalog.dedupe else None)
        if entry is None and (match := self.catalog.find_original(print_)):
            self._fold(article, digest, *match)
            self._outcome(article, "duplicate")
            return
        stored = replace(
            article,
            copies=entry.article.copies if entry else (),
            fingerprint=print_.encode() if print_ else "",
        )
        chunks = item.chunks if item.chunks is not None else chunks_for(article, self.settings)
        self.writer.add(stored, digest, chunks, replacing=entry is not None)
        self.catalog.add(stored, digest, print_)
        self._outcome(article, "replaced" if entry is not None else "added")

    def _outcome(self, article: Article, what: str) -> None:
        self.report.outcomes.append((article.source_path, article.id, what))

    def _unchanged(self, entry: Entry, article: Article) -> None:
        self.report.unchanged += 1
        if article.source_path and article.source_path != entry.article.source_path:
            self.store.set_source_path(article.id, article.source_path)  # the file moved
            self.catalog.move(article.id, article.source_path)

    def _fold(self, article: Article, digest: str, kept_id: str, similarity: float) -> None:
        copy = ArticleCopy(article.id, article.outlet, article.url, article.source_path, digest)
        self._save_copies(self.catalog.attach(kept_id, copy))
        self.report.duplicates.append(Duplicate(article.id, kept_id, article.outlet, article.url, similarity))
        log.info("%s (%s) is a copy of %s (similarity %.2f)", article.id, article.url or "-", kept_id, similarity)

    def _save_copies(self, kept: Article | None) -> None:
        if kept is not None and not self.writer.update_copies(kept):
            self.store.update_copies(kept)


def ingest_articles(
    articles: Iterable[Article],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    report: IngestReport | None = None,
    show_progress: bool = False,
    total: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Store every new or changed article; unchanged ones are skipped by content hash."""
    report = report or IngestReport()
    run = _Run(store, embedder, settings, report)
    items = prepare_articles(articles, settings, run.catalog.digests(), run.catalog.dedupe)
    run.consume(items, total, show_progress, on_progress)
    return report


def ingest_paths(
    paths: list[Path],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    show_progress: bool = False,
    on_progress: ProgressCallback | None = None,
    *,
    field_map: FieldMap | None = None,
    prune_missing: bool = False,
) -> IngestReport:
    """Ingest files, folders (recursively) and globs; with ``prune_missing``, also forget what left them.

    Pruning then deletes stored articles that came from under ``paths`` but whose file is gone
    or no longer holds them (see :mod:`ingest.prune`); a surviving copy of a deleted article is
    ingested in its place.
    """
    report = IngestReport()
    options = LoadOptions(max_bytes=int(settings.ingest.max_file_mb * 2**20), field_map=field_map or {})
    skipped: list[Path] = []
    files = expand_paths(paths, skipped)
    report.skipped = [(str(p), "unsupported file type") for p in skipped]
    if prune_missing:  # a path that is gone is only a scope to prune, not a failure
        files = [f for f in files if f.exists()]
    run = _Run(store, embedder, settings, report)
    _consume_files(run, files, options, show_progress, on_progress)
    if prune_missing:
        gone = gone_after(run.seen, run.complete_files)
        if orphans := prune(store, run.catalog, Scopes(paths), gone, report):
            _consume_files(run, orphans, options, show_progress, None)
    refresh_keyword_index(store, embedder, settings)
    return report


def refresh_keyword_index(store: Store, embedder: Embedder, settings: Settings) -> None:
    """Bring the BM25 index up to date after the writes, so the first question does not wait for it.

    The embedder's buffers go back first: the build is an ingest's other memory peak.
    """
    release_memory(embedder)
    KeywordIndex(settings.keyword_path, store).ensure_fresh()
    ViewsIndex(settings.views_path, store, analyse).sync()  # quotations and dated sentences (#23)


def _consume_files(
    run: _Run, files: list[Path], options: LoadOptions, show: bool, on_progress: ProgressCallback | None
) -> None:
    total = sum(estimate_articles(path) for path in files)
    items = prepare_files(files, options, run.settings, run.catalog.digests(), run.catalog.dedupe)
    run.consume(items, total, show, on_progress)


def ingest_urls(
    urls: list[str],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    show_progress: bool = False,
    on_progress: ProgressCallback | None = None,
    *,
    discover: bool = False,
    fetcher: Fetcher | None = None,
) -> IngestReport:
    """Ingest article pages, feeds, sitemaps and OPML lists by URL (``discover``: find a home page's feeds).

    The same report as :func:`ingest_paths`: every URL that failed is in ``failed`` with its reason,
    ``outcomes`` says what became of each article (added, replaced, unchanged, duplicate).
    """
    with _fetcher(fetcher, settings) as client:
        found = expand(urls, client, settings.fetch.max_items, discover)
        return ingest_targets(found, store, embedder, settings, show_progress, on_progress, fetcher=client)


def ingest_targets(
    found: Expansion,
    store: Store,
    embedder: Embedder,
    settings: Settings,
    show_progress: bool = False,
    on_progress: ProgressCallback | None = None,
    *,
    fetcher: Fetcher | None = None,
) -> IngestReport:
    """Fetch and ingest the pages :func:`~ingest.web.sources.expand` found (``watch`` gives only new ones)."""
    report = IngestReport(failed=list(found.failed), skipped=list(found.skipped))
    report.outcomes = [(url, "", "retry" if url in found.transient else "failed") for url, _ in found.failed]
    options = LoadOptions(max_bytes=int(settings.fetch.max_mb * 2**20))
    with _fetcher(fetcher, settings) as client:
        run = _Run(store, embedder, settings, report)
        known, dedupe = run.catalog.digests(), run.catalog.dedupe

        def items() -> Iterator[Item]:
            for target in found.targets:
                try:
                    yield prepare(read_target(target, client, options), settings, known, dedupe)
                except FetchError as exc:
                    yield Failed(target.url, exc.reason, exc.transient)

        run.consume(items(), len(found.targets), show_progress, on_progress)
    refresh_keyword_index(store, embedder, settings)
    return report


@contextlib.contextmanager
def _fetcher(given: Fetcher | None, settings: Settings) -> Iterator[Fetcher]:
    """The caller's fetcher (left open), or one for this call."""
    if given is not None:
        yield given
        return
    with Fetcher(settings.fetch) as fetcher:
        yield fetcher
