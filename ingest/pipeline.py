"""Paths → articles → chunks → vectors → store, with progress and a per-file error report."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.config import Settings
from assistant.models import Embedder
from assistant.store import Store
from assistant.types import Article, Chunk
from ingest.chunking import chunk_article
from ingest.loaders import content_hash, estimate_articles, expand_paths, load_file

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


@dataclass
class IngestReport:
    """What a run did. ``failed`` holds ``(path, reason)`` pairs."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    chunks: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        line = (
            f"added {self.added}, replaced {self.replaced}, unchanged {self.unchanged}, "
            f"failed {len(self.failed)} ({self.chunks} chunks written)"
        )
        return "\n".join([line, *(f"  failed: {path}: {reason}" for path, reason in self.failed)])


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees: the headline gives a chunk its topic."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def _iter_articles(files: list[Path], report: IngestReport) -> Iterator[Article]:
    for path in files:
        result = load_file(path)
        report.failed.extend((err.path, err.reason) for err in result.errors)
        yield from result.articles


class _Writer:
    """Embeds pending articles in cross-article batches and writes each one whole."""

    def __init__(self, store: Store, embedder: Embedder, batch_size: int, report: IngestReport) -> None:
        self.store, self.embedder, self.batch_size, self.report = store, embedder, batch_size, report
        self.pending: list[tuple[Article, str, list[Chunk], bool]] = []
        self.pending_chunks = 0

    def add(self, article: Article, digest: str, chunks: list[Chunk], replacing: bool) -> None:
        self.pending.append((article, digest, chunks, replacing))
        self.pending_chunks += len(chunks)
        if self.pending_chunks >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        texts = [embedding_text(c) for _, _, chunks, _ in self.pending for c in chunks]
        vectors = self.embedder.embed_documents(texts)
        offset = 0
        for article, digest, chunks, replacing in self.pending:
            self.store.write_article(article, digest, chunks, vectors[offset : offset + len(chunks)])
            offset += len(chunks)
            self.report.chunks += len(chunks)
            if replacing:
                self.report.replaced += 1
            else:
                self.report.added += 1
        self.pending, self.pending_chunks = [], 0


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
    store.repair()
    known = store.article_hashes()
    writer = _Writer(store, embedder, settings.embed_batch_size, report)
    bar = tqdm(total=total, unit="article", disable=not show_progress, file=sys.stderr, dynamic_ncols=True)
    try:
        for done, article in enumerate(articles, start=1):
            digest = content_hash(article)
            if known.get(article.id) == digest:
                report.unchanged += 1
            else:
                chunks = chunk_article(
                    article,
                    settings.chunk_target_words,
                    settings.chunk_max_words,
                    settings.chunk_overlap_sentences,
                )
                writer.add(article, digest, chunks, replacing=article.id in known)
                known[article.id] = digest
            bar.update(1)
            if on_progress:
                on_progress(done, total or 0)
        writer.flush()
    finally:
        bar.close()
    return report


def ingest_paths(
    paths: list[Path],
    store: Store,
    embedder: Embedder,
    settings: Settings,
    show_progress: bool = False,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    report = IngestReport()
    files = expand_paths(paths)
    total = sum(estimate_articles(path) for path in files)
    return ingest_articles(
        _iter_articles(files, report), store, embedder, settings, report, show_progress, total, on_progress
    )
