"""BM25 over every stored chunk (the ``bm25s`` package), persisted beside Chroma and rebuilt when stale.

Chroma is the source of truth; this index is a view of it. Every write to the store changes the store's
*generation* (:meth:`Store.generation`) before and after it touches Chroma, so an index built while a
write was under way, or before one, never matches and is rebuilt on next use. A chunk count that differs
from the store's (another machine writing to the same Chroma server) also triggers a rebuild; counting
costs ~18 ms at 137k chunks, so it runs at most every ``recount_seconds`` (the generation file, a few
microseconds to read, is checked before every search).

Layout under ``home/keyword/<collection>/``: one directory per build (``<generation>-<pid>``) holding
bm25s' sparse matrix, the tokenizer vocabulary and the chunk ids with the metadata filters need; the
``current`` file names the live build and is replaced atomically, so readers never see half a build.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import bm25s
import numpy as np
import Stemmer
from bm25s.tokenization import Tokenizer

from assistant.core.types import Filters
from assistant.store.postings import PostingsBuilder, scores_for

log = logging.getLogger(__name__)

_PAGE = 2000


class ChunkSource(Protocol):
    """What the index reads from the store (``Store`` implements it)."""

    def generation(self) -> str: ...

    def count_chunks(self) -> int: ...

    def iter_chunk_texts(self, page: int = _PAGE) -> Iterable[tuple[str, str, dict[str, Any]]]: ...


@dataclass(frozen=True, slots=True)
class _Build:
    """One loaded index build: bm25s' matrix, the tokenizer, and per-chunk ids and filter fields."""

    generation: str
    count: int
    retriever: bm25s.BM25 | None
    tokenizer: Tokenizer
    ids: list[str]
    article_ids: np.ndarray  # int index into ``articles``
    articles: list[str]
    outlets: np.ndarray  # int index into ``outlet_names``
    outlet_names: list[str]
    days: np.ndarray  # published ordinal day, -1 when undated


class KeywordHit(NamedTuple):
    """One BM25 result with the chunk metadata ranking needs, so unfetched hits can be ordered."""

    chunk_id: str
    score: float
    article_id: str
    published: date | None


def _tokenizer() -> Tokenizer:
    return Tokenizer(stemmer=Stemmer.Stemmer("english").stemWord, stopwords="en")


def index_text(title: str, text: str) -> str:
    """What BM25 indexes for a chunk: its article's title (a strong signal in news) and its text."""
    return f"{title}\n{text}" if title else text


_SAVE_LOCKS: dict[Path, threading.Lock] = {}
_SAVE_LOCKS_GUARD = threading.Lock()


def _saving(root: Path) -> threading.Lock:
    """The lock that serialises the saves of every index of ``root`` in this process: two of them saving at once
    (an ingest refreshing the index while a chat rebuilds it) would each remove the other's fresh build."""
    with _SAVE_LOCKS_GUARD:
        return _SAVE_LOCKS.setdefault(root.resolve(), threading.Lock())


class KeywordIndex:
    """BM25 search over the store's chunks, with the same filters as the dense side."""

    def __init__(self, root: Path, source: ChunkSource, recount_seconds: float = 0.0) -> None:
        self._root = root
        self._source = source
        self._recount_seconds = recount_seconds
        self._counted_at = -math.inf  # monotonic time the in-memory build's count last matched the store's
        self._build: _Build | None = None
        self._lock = threading.Lock()

    # -- freshness -------------------------------------------------------------------------

    def _fresh(self, build: _Build | None) -> bool:
        if build is None or build.generation != self._source.generation():
            return False
        if build is self._build and time.monotonic() - self._counted_at < self._recount_seconds:
            return True
        if build.count != self._source.count_chunks():
            return False
        self._counted_at = time.monotonic()
        return True

    def ensure_fresh(self) -> _Build:
        """The current build: the one in memory, the one on disk, or a new one, whichever is fresh."""
        with self._lock:
            build = self._build
            if build is None or not self._fresh(build):
                build = self._load()
                if build is None or not self._fresh(build):
                    build = self._rebuild()
                self._build = build
            return build

    def _current(self) -> _Build:
        """The build the last :meth:`search` checked, without checking again (one check per question)."""
        return self._build if self._build is not None else self.ensure_fresh()

    # -- search ----------------------------------------------------------------------------

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[KeywordHit]:
        """The ``k`` best chunks by BM25 score (> 0), best first, within ``filters``."""
        build = self.ensure_fresh()
        if build.retriever is None or k <= 0:
            return []
        tokens = build.tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)[0]
        tokens = [t for t in tokens if t != 0]
        if not tokens:
            return []
        scores = scores_for(build.retriever, tokens)
        mask = _filter_mask(build, filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(k, int(np.count_nonzero(scores > 0)))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            KeywordHit(
                chunk_id=build.ids[i],
                score=float(scores[i]),
                article_id=build.articles[build.article_ids[i]],
                published=date.fromordinal(int(build.days[i])) if build.days[i] > 0 else None,
            )
            for i in top
        ]

    def term_weights(self, text: str) -> dict[int, float]:
        """Distinct vocabulary terms of ``text`` with their BM25 idf (unknown terms are left out)."""
        build = self._current()
        if build.retriever is None:
            return {}
        tokens = build.tokenizer.tokenize([text], update_vocab=False, return_as="ids", show_progress=False)[0]
        indptr = build.retriever.scores["indptr"]
        n_docs = max(1, int(build.retriever.scores["num_docs"]))
        weights: dict[int, float] = {}
        for t in tokens:
            if t != 0 and t not in weights and t + 1 < len(indptr):
                df = int(indptr[t + 1] - indptr[t])
                weights[t] = float(np.log(1 + (n_docs - df + 0.5) / (df + 0.5)))
        return weights

    def terms(self, texts: list[str]) -> list[set[int]]:
        """The distinct vocabulary terms of each text, as the index tokenizes it."""
        build = self._current()
        rows = build.tokenizer.tokenize(texts, update_vocab=False, return_as="ids", show_progress=False)
        return [{t for t in row if t != 0} for row in rows]

    # -- building and loading --------------------------------------------------------------

    def _rebuild(self) -> _Build:
        started = time.perf_counter()
        generation = self._source.generation()
        tokenizer = _tokenizer()
        ids: list[str] = []
        postings = PostingsBuilder()  # page by page: the token lists of the whole corpus never sit in memory
        articles: dict[str, int] = {}
        outlets: dict[str, int] = {}
        article_idx: list[int] = []
        outlet_idx: list[int] = []
        days: list[int] = []
        page_ids: list[str] = []
        page_texts: list[str] = []

        def flush() -> None:
            if page_texts:
                postings.add(tokenizer.tokenize(page_texts, update_vocab=True, return_as="ids", show_progress=False))
                ids.extend(page_ids)
                page_ids.clear()
                page_texts.clear()

        for chunk_id, text, meta in self._source.iter_chunk_texts(_PAGE):
            page_ids.append(chunk_id)
            page_texts.append(index_text(str(meta.get("title", "")), text))
            article_idx.append(articles.setdefault(str(meta.get("article_id", "")), len(articles)))
            outlet_idx.append(outlets.setdefault(str(meta.get("outlet", "")), len(outlets)))
            days.append(int(meta.get("published_day", -1)))
            if len(page_texts) >= _PAGE:
                flush()
        flush()
        retriever = postings.finish(tokenizer.get_vocab_dict()) if ids else None
        build = _Build(
            generation=generation,
            count=len(ids),
            retriever=retriever,
            tokenizer=tokenizer,
            ids=ids,
            article_ids=np.asarray(article_idx, dtype=np.int32),
            articles=list(articles),
            outlets=np.asarray(outlet_idx, dtype=np.int32),
            outlet_names=list(outlets),
            days=np.asarray(days, dtype=np.int32),
        )
        self._save(build)
        log.info("keyword index: %d chunks in %.1f s", len(ids), time.perf_counter() - started)
        return build

    def _save(self, build: _Build) -> None:
        with _saving(self._root):  # another index of this root in this process (an ingest's, a chat's) waits
            self._write(build)

    def _write(self, build: _Build) -> None:
        self._root.mkdir(parents=True, exist_ok=True)
        name = f"{build.generation}-{build.count}-{uuid.uuid4().hex[:12]}"
        target = self._root / name
        tmp = self._root / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if build.retriever is not None:
            build.retriever.save(str(tmp / "bm25"), show_progress=False)
        build.tokenizer.save_vocab(str(tmp))
        manifest = {
            "generation": build.generation,
            "count": build.count,
            "ids": build.ids,
            "articles": build.articles,
            "outlets": build.outlet_names,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest))
        np.save(tmp / "article_ids.npy", build.article_ids)
        np.save(tmp / "outlet_ids.npy", build.outlets)
        np.save(tmp / "days.npy", build.days)
        os.replace(tmp, target)
        pointer = self._root / f".current.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"  # one per save, not per process
        pointer.write_text(name)
        os.replace(pointer, self._root / "current")
        for old in self._root.iterdir():
            if old.is_dir() and old.name != name and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)

    def _load(self) -> _Build | None:
        try:
            name = (self._root / "current").read_text().strip()
            folder = self._root / name
            manifest = json.loads((folder / "manifest.json").read_text())
            tokenizer = _tokenizer()
            tokenizer.load_vocab(str(folder))
            bm25_dir = folder / "bm25"
            retriever = bm25s.BM25.load(str(bm25_dir), mmap=True, show_progress=False) if bm25_dir.exists() else None
            return _Build(
                generation=str(manifest["generation"]),
                count=int(manifest["count"]),
                retriever=retriever,
                tokenizer=tokenizer,
                ids=list(manifest["ids"]),
                article_ids=np.load(folder / "article_ids.npy"),
                articles=list(manifest["articles"]),
                outlets=np.load(folder / "outlet_ids.npy"),
                outlet_names=list(manifest["outlets"]),
                days=np.load(folder / "days.npy"),
            )
        except (OSError, ValueError, KeyError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("keyword index unreadable, rebuilding: %s", exc)
            return None


def _filter_mask(build: _Build, filters: Filters | None) -> np.ndarray | None:
    """Boolean mask of chunks inside ``filters`` (the same semantics as the store's ``where``)."""
    if filters is None or filters.empty:
        return None
    mask = np.ones(len(build.ids), dtype=bool)
    if filters.outlets:
        wanted = [i for i, name in enumerate(build.outlet_names) if name in set(filters.outlets)]
        mask &= np.isin(build.outlets, wanted)
    if filters.article_ids:
        wanted = [i for i, aid in enumerate(build.articles) if aid in set(filters.article_ids)]
        mask &= np.isin(build.article_ids, wanted)
    if filters.date_from:
        mask &= build.days >= filters.date_from.toordinal()
    if filters.date_to:
        mask &= (build.days <= filters.date_to.toordinal()) & (build.days >= 0)
    return mask
