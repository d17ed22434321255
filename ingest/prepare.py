"""The reading stage: files → articles → (hash, signature, chunks), optionally on a background thread.

Everything here is per-article work that needs no store: loading and parsing, hashing,
MinHash and chunking. :func:`read_ahead` runs it on a thread while the main thread embeds
(onnxruntime releases the GIL), so parsing HTML or PDFs overlaps the embedder.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from assistant.core.errors import IngestError
from assistant.core.settings import Settings
from assistant.core.types import Article, Chunk
from ingest.chunking import chunk_article
from ingest.dedupe import Fingerprint, fingerprint
from ingest.loaders import LoadOptions, load_file
from ingest.metadata import content_hash

T = TypeVar("T")


@dataclass(frozen=True)
class Prepared:
    """One article ready for the writer. ``chunks`` is None when the store already has this version."""

    article: Article
    digest: str
    print_: Fingerprint | None = None
    chunks: tuple[Chunk, ...] | None = None


@dataclass(frozen=True)
class FileDone:
    """Every article of ``path`` has been yielded; ``errors`` are its failures (``complete``: none)."""

    path: Path
    errors: tuple[IngestError, ...]

    @property
    def complete(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Failed:
    """An input that gave no article (a URL that could not be fetched or read), with the reason."""

    source: str
    reason: str
    transient: bool = False  # may work later (a timeout, 429, 5xx): a watched feed tries it again


Item = Prepared | FileDone | Failed


def chunks_for(article: Article, settings: Settings) -> tuple[Chunk, ...]:
    return tuple(
        chunk_article(
            article, settings.chunking.target_words, settings.chunking.max_words, settings.chunking.overlap_sentences
        )
    )


def prepare(article: Article, settings: Settings, known: Mapping[str, str], dedupe: bool) -> Prepared:
    digest = content_hash(article)
    if known.get(article.id) == digest:
        return Prepared(article, digest)
    print_ = fingerprint(article.text) if dedupe else None
    return Prepared(article, digest, print_, chunks_for(article, settings))


def prepare_articles(
    articles: Iterable[Article], settings: Settings, known: Mapping[str, str], dedupe: bool
) -> Iterator[Item]:
    for article in articles:
        yield prepare(article, settings, known, dedupe)


def prepare_files(
    files: Iterable[Path], options: LoadOptions, settings: Settings, known: Mapping[str, str], dedupe: bool
) -> Iterator[Item]:
    for path in files:
        result = load_file(path, options)
        yield from prepare_articles(result.articles, settings, known, dedupe)
        yield FileDone(path, tuple(result.errors))


class _End:
    pass


@dataclass(frozen=True)
class _Raised:
    error: BaseException


def read_ahead(items: Iterator[T], size: int) -> Iterator[T]:
    """``items``, produced up to ``size`` ahead by a daemon thread; ``size`` 0 means inline."""
    if size <= 0:
        yield from items
        return
    buffer: queue.Queue[object] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_End())
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Raised(exc))

    thread = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    thread.start()
    try:
        while not isinstance(value := buffer.get(), _End):
            if isinstance(value, _Raised):
                raise value.error
            yield cast(T, value)
    finally:
        stop.set()
        thread.join(timeout=5)
