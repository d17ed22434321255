"""Chroma, embedded or as a server (``ATTACHE_CHROMA_URL``): the only module that imports chromadb.

Two collections: ``<name>`` holds chunks (the search index) and ``<name>_articles`` holds one
record per article (full text and metadata). An article's record is written *after* its
chunks, so it doubles as a commit marker: chunks without a record are leftovers of an
interrupted write and are removed by :meth:`Store.repair`.

Chroma never embeds anything itself: vectors are always passed in, and the collections carry
a registered embedding function wrapping our own embedder, so Chroma's default (which
downloads a model) is never constructed.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.core.errors import ConfigError, EmbedderMismatch, StoreError
from assistant.core.settings import Settings
from assistant.core.types import Article, ArticleCopy, Chunk, Filters
from assistant.models.embedders import NEW_LIBRARY_EMBEDDER, PACKAGED_EMBEDDERS, Embedder, Vectors
from assistant.store.sentences import ChunkStates, SentenceStates

log = logging.getLogger(__name__)

Where = dict[str, Any]


@register_embedding_function
class AttacheEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma-facing wrapper of an :class:`Embedder`; loads the packaged model lazily."""

    def __init__(self, embedder: Embedder | None = None, max_tokens: int = 256) -> None:
        self._embedder = embedder
        self._max_tokens = max_tokens

    def _get(self) -> Embedder:
        if self._embedder is None:
            from assistant.models.embedders import OnnxMiniLM

            self._embedder = OnnxMiniLM(max_tokens=self._max_tokens)
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:
        return [row for row in self._get().embed_documents(list(input))]

    @staticmethod
    def name() -> str:
        return "attache_embedder"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"max_tokens": self._max_tokens}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AttacheEmbeddingFunction:
        return AttacheEmbeddingFunction(max_tokens=int(config.get("max_tokens", 256)))


def _day(value: date | None) -> int:
    return value.toordinal() if value else -1


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "article_id": chunk.article_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title,
        "outlet": chunk.outlet,
        "url": chunk.url,
        "published": chunk.published.isoformat() if chunk.published else "",
        "published_day": _day(chunk.published),
    }


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    published = str(meta.get("published") or "")
    return Chunk(
        id=chunk_id,
        article_id=str(meta["article_id"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        index=int(meta.get("index", 0)),
        title=str(meta.get("title", "")),
        outlet=str(meta.get("outlet", "")),
        url=str(meta.get("url", "")),
        published=date.fromisoformat(published) if published else None,
        source_path=str(meta.get("source_path", "")),
        feed_url=str(meta.get("feed_url", "")),
        fetched_at=str(meta.get("fetched_at", "")),
        authors=tuple(a for a in str(meta.get("authors") or "").split("; ") if a),
    )


def outlets_metadata(article: Article) -> dict[str, str | int]:
    """Who ran the story, on the article record and on every chunk (filters, "reported by 3 outlets")."""
    return {"also_reported_by": "; ".join(article.also_reported_by), "n_outlets": article.n_outlets}


def provenance_metadata(article: Article) -> dict[str, str | int]:
    """How the article came in, on the article record and on every chunk (the source cards show it)."""
    return {"source_path": article.source_path, "fetched_at": article.fetched_at, "feed_url": article.feed_url}


def article_chunk_metadata(article: Article) -> dict[str, str | int]:
    """Article fields repeated on each of its chunks, beyond what :func:`chunk_metadata` holds."""
    return {"authors": "; ".join(article.authors), **outlets_metadata(article), **provenance_metadata(article)}


def _copies_json(copies: Sequence[ArticleCopy]) -> str:
    return json.dumps([[c.id, c.outlet, c.url, c.source_path, c.content_hash] for c in copies])


def _copies_from_json(raw: Any) -> tuple[ArticleCopy, ...]:
    rows = json.loads(raw) if isinstance(raw, str) and raw else []
    return tuple(ArticleCopy(*map(str, row)) for row in rows)


def copies_metadata(article: Article) -> dict[str, str | int]:
    return {
        "copies": _copies_json(article.copies),
        "also_urls": "; ".join(c.url for c in article.copies if c.url),
        **outlets_metadata(article),
    }


def article_metadata(article: Article, content_hash: str, n_chunks: int) -> dict[str, str | int]:
    return {
        **copies_metadata(article),
        "fingerprint": article.fingerprint,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published.isoformat() if article.published else "",
        "published_day": _day(article.published),
        "authors": "; ".join(article.authors),
        "summary": article.summary,
        **provenance_metadata(article),
        "content_hash": content_hash,
        "n_chunks": n_chunks,
    }


def article_from_record(article_id: str, text: str, meta: dict[str, Any]) -> Article:
    published = str(meta.get("published") or "")
    authors = str(meta.get("authors") or "")
    return Article(
        id=article_id,
        title=str(meta.get("title", "")),
        text=text,
        outlet=str(meta.get("outlet", "")),
        url=str(meta.get("url", "")),
        published=date.fromisoformat(published) if published else None,
        authors=tuple(a for a in authors.split("; ") if a),
        summary=str(meta.get("summary", "")),
        source_path=str(meta.get("source_path", "")),
        copies=_copies_from_json(meta.get("copies")),
        fingerprint=str(meta.get("fingerprint", "")),
        fetched_at=str(meta.get("fetched_at", "")),
        feed_url=str(meta.get("feed_url", "")),
    )


ArticleWrite = tuple[Article, str, Sequence[Chunk], Vectors]


def where_clause(filters: Filters | None) -> Where | None:
    """Filters → a Chroma ``where`` on chunk metadata (outlet, published_day, article_id)."""
    if filters is None or filters.empty:
        return None
    terms: list[Where] = []
    if filters.outlets:
        terms.append({"outlet": {"$in": list(filters.outlets)}})
    if filters.article_ids:
        terms.append({"article_id": {"$in": list(filters.article_ids)}})
    if filters.date_from:
        terms.append({"published_day": {"$gte": filters.date_from.toordinal()}})
    if filters.date_to:
        terms.append({"published_day": {"$lte": filters.date_to.toordinal()}})
        if not filters.date_from:  # undated articles are stored as day -1: a date range never holds them
            terms.append({"published_day": {"$gte": 0}})
    return terms[0] if len(terms) == 1 else {"$and": terms}


def server_headers(settings: Settings) -> dict[str, str]:
    """HTTP headers for the Chroma server: the configured extras plus the token, if any."""
    headers = dict(settings.store.chroma_headers)
    if settings.store.chroma_token is not None:
        token = settings.store.chroma_token.get_secret_value()
        bearer = settings.store.chroma_auth_header == "Authorization"
        headers[settings.store.chroma_auth_header] = f"Bearer {token}" if bearer else token
    return headers


def open_client(settings: Settings) -> Any:
    """``HttpClient`` when ``chroma_url`` is set, else ``PersistentClient`` under ``chroma_path``."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not settings.store.chroma_url:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    url = urlsplit(settings.store.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname or url.path not in ("", "/"):
        raise ConfigError(f"ATTACHE_CHROMA_URL must look like http://host:port, not {settings.store.chroma_url!r}")
    return chromadb.HttpClient(
        host=url.hostname,
        port=url.port or (443 if url.scheme == "https" else 8000),
        ssl=url.scheme == "https",
        headers=server_headers(settings) or None,
        settings=chroma_settings,
        tenant=settings.store.chroma_tenant,
        database=settings.store.chroma_database,
    )


def recorded_embedder(settings: Settings) -> str | None:
    """The name of the embedder the chunk collection was built with; None when there is no collection yet."""
    if not settings.store.chroma_url and not (settings.chroma_path / "chroma.sqlite3").exists():
        return None  # nothing to look at: don't create a store just to find it empty
    try:
        collection = open_client(settings).get_collection(settings.store.collection)
    except ConfigError:
        raise
    except Exception:  # chromadb raises NotFoundError (or ValueError in older versions) for a missing collection
        return None
    name = (collection.metadata or {}).get("embedder")
    return str(name) if name else None


def settle_embedder(settings: Settings) -> Settings:
    """``embed_backend=auto`` made concrete: the packaged embedder an existing library was built with, else
    :data:`NEW_LIBRARY_EMBEDDER` for a new one. Any other choice is kept (a mismatch is the store's clear error)."""
    if settings.embed.backend != "auto":
        return settings
    recorded = recorded_embedder(settings)
    backend = PACKAGED_EMBEDDERS.get(recorded or "", NEW_LIBRARY_EMBEDDER)
    if recorded and recorded not in PACKAGED_EMBEDDERS:
        log.warning("the library was built with %s: set ATTACHE_EMBED_BACKEND to match it", recorded)
    return settings.updated(embed_backend=backend)


class Store:
    """Chunks and articles in Chroma: embedded under ``settings.chroma_path``, or on a server."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._embedder = embedder
        try:
            self._client = open_client(settings)
            function: Any = AttacheEmbeddingFunction(embedder, settings.embed.max_tokens)
            meta = {"embedder": embedder.name, "dim": embedder.dim}
            config: Any = {"hnsw": {"space": "cosine"}}
            self._chunks = self._client.get_or_create_collection(
                settings.store.collection, metadata=meta, configuration=config, embedding_function=function
            )
            self._articles = self._client.get_or_create_collection(
                f"{settings.store.collection}_articles",
                metadata=meta,
                configuration=config,
                embedding_function=function,
            )
        except ConfigError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open Chroma at {settings.chroma_location}: {exc}") from exc
        self._check_embedder(meta)
        self._search_breadth(settings.store.hnsw_ef_search)
        self._max_batch = max(1, int(self._client.get_max_batch_size()))
        self._generation_file = settings.keyword_path.with_name(f"{settings.store.collection}.generation")
        self.sentences = SentenceStates(settings.sentences_path)

    def _search_breadth(self, ef: int) -> None:
        """Chroma's HNSW ``ef_search`` on the chunk collection (a new one and one built before the setting)."""
        for attempt in range(5):
            try:
                current = (self._chunks.configuration or {}).get("hnsw") or {}
                if current.get("ef_search") != ef:
                    self._chunks.modify(configuration={"hnsw": {"ef_search": ef}})
                return
            except Exception as exc:  # a server that refuses the change still answers, less exactly
                if "locked" in str(exc) and attempt < 4:  # another handle on the same folder is writing: wait
                    time.sleep(0.1 * 2**attempt)
                    continue
                log.warning("could not set the HNSW search breadth to %s: %s", ef, exc)
                return

    # -- change tracking (derived indexes compare against it) ------------------------------

    def generation(self) -> str:
        """A token that changes around every write; derived indexes built at another token are stale."""
        try:
            return self._generation_file.read_text().strip()
        except FileNotFoundError:
            return "initial"

    def _changed(self) -> None:
        self._generation_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._generation_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(uuid.uuid4().hex)
        os.replace(tmp, self._generation_file)

    def _check_embedder(self, expected: dict[str, Any]) -> None:
        found = self._chunks.metadata or {}
        if found.get("embedder") != expected["embedder"] or int(found.get("dim", 0)) != expected["dim"]:
            raise EmbedderMismatch(
                f"collection was built with {found.get('embedder')} (dim {found.get('dim')}), "
                f"not {expected['embedder']} (dim {expected['dim']}); re-ingest into a new ATTACHE_HOME"
            )

    # -- writing ---------------------------------------------------------------------------

    def write_article(self, article: Article, content_hash: str, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        """Replace everything stored for ``article`` with ``chunks``; the record is written last."""
        self._changed()
        try:
            self._chunks.delete(where={"article_id": article.id})
            self._upsert_chunks([(article, content_hash, chunks, vectors)])
            self._upsert_records([(article, content_hash, chunks, vectors)])
        except Exception as exc:
            raise StoreError(f"cannot write article {article.id}: {exc}") from exc
        finally:
            self._changed()

    def write_articles(self, items: Sequence[ArticleWrite], states: Sequence[ChunkStates] = ()) -> None:
        """Several articles in a few calls: old chunks go, all new chunks are written, then all records.

        The records are the commit markers, as in :meth:`write_article`: a crash before them leaves
        orphan chunks that :meth:`repair` removes, so every article is either whole or absent. ``states`` (the
        chunks' sentence states from the same embedding pass) go to :attr:`sentences`, a cache checked on read.
        """
        if not items:
            return
        self._changed()
        try:
            ids = [article.id for article, *_ in items]
            stored = self._articles.get(ids=ids, include=[])["ids"]
            if stored:
                self._chunks.delete(where=cast(Any, {"article_id": {"$in": list(stored)}}))
                self.sentences.forget(stored)
            self._upsert_chunks(items)
            self.sentences.put(states)
            self._upsert_records(items)
        except Exception as exc:
            raise StoreError(f"cannot write articles {ids[0]}..{ids[-1]}: {exc}") from exc
        finally:
            self._changed()

    def _upsert_chunks(self, items: Sequence[ArticleWrite]) -> None:
        rows = [
            (chunk, vectors[i], {**chunk_metadata(chunk), **article_chunk_metadata(article)})
            for article, _, chunks, vectors in items
            for i, chunk in enumerate(chunks)
        ]
        for lo in range(0, len(rows), self._max_batch):
            part = rows[lo : lo + self._max_batch]
            self._chunks.upsert(
                ids=[c.id for c, _, _ in part],
                embeddings=cast(Any, np.stack([v for _, v, _ in part])),
                documents=[c.text for c, _, _ in part],
                metadatas=cast(Any, [m for _, _, m in part]),
            )

    def _upsert_records(self, items: Sequence[ArticleWrite]) -> None:
        centroids = np.stack([vectors.mean(axis=0) for _, _, _, vectors in items])
        centroids /= np.clip(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12, None)
        for lo in range(0, len(items), self._max_batch):
            part = items[lo : lo + self._max_batch]
            self._articles.upsert(
                ids=[article.id for article, *_ in part],
                embeddings=cast(Any, centroids[lo : lo + self._max_batch]),
                documents=[article.text for article, *_ in part],
                metadatas=cast(Any, [article_metadata(a, digest, len(chunks)) for a, digest, chunks, _ in part]),
            )

    def update_copies(self, article: Article) -> None:
        """Store ``article.copies`` (and who ran the story) on its chunks first, then on its record."""
        try:
            chunk_ids = self._chunks.get(where={"article_id": article.id}, include=[])["ids"]
            outlets = outlets_metadata(article)
            for lo in range(0, len(chunk_ids), self._max_batch):
                part = chunk_ids[lo : lo + self._max_batch]
                self._chunks.update(ids=part, metadatas=cast(Any, [outlets] * len(part)))
            self._articles.update(ids=[article.id], metadatas=cast(Any, [copies_metadata(article)]))
        except Exception as exc:
            raise StoreError(f"cannot record copies of article {article.id}: {exc}") from exc

    def set_source_path(self, article_id: str, source_path: str) -> None:
        """Point a stored article (its chunks, then its record) at the file it now comes from (the file moved)."""
        try:
            chunk_ids = self._chunks.get(where={"article_id": article_id}, include=[])["ids"]
            for lo in range(0, len(chunk_ids), self._max_batch):
                part = chunk_ids[lo : lo + self._max_batch]
                self._chunks.update(ids=part, metadatas=cast(Any, [{"source_path": source_path}] * len(part)))
            self._articles.update(ids=[article_id], metadatas=[{"source_path": source_path}])
        except Exception as exc:
            raise StoreError(f"cannot record the new source of article {article_id}: {exc}") from exc

    def delete_article(self, article_id: str) -> bool:
        """Remove an article and its chunks; the record goes first so readers never see half."""
        existed = bool(self._articles.get(ids=[article_id], include=[])["ids"])
        self._changed()
        try:
            self._articles.delete(ids=[article_id])
            self._chunks.delete(where={"article_id": article_id})
            self.sentences.forget([article_id])
        finally:
            self._changed()
        return existed

    def repair(self) -> int:
        """Delete chunks whose article has no record (an interrupted write). Returns how many."""
        known = set(self.article_hashes())
        orphans = [cid for cid, meta in self._iter_chunk_meta() if meta["article_id"] not in known]
        if orphans:
            self._changed()
        for lo in range(0, len(orphans), self._max_batch):
            self._chunks.delete(ids=orphans[lo : lo + self._max_batch])
        if orphans:
            self._changed()
        if orphans:
            log.warning("removed %d chunks left by an interrupted write", len(orphans))
        return len(orphans)

    # -- reading ---------------------------------------------------------------------------

    def _iter_chunk_meta(self, page: int = 5000) -> Iterable[tuple[str, dict[str, Any]]]:
        offset = 0
        while True:
            got = self._chunks.get(include=["metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                return
            metas = got["metadatas"] or []
            yield from zip(got["ids"], (dict(m) for m in metas), strict=True)
            offset += len(got["ids"])

    def iter_chunk_texts(self, page: int = 2000) -> Iterable[tuple[str, str, dict[str, Any]]]:
        """Every chunk's ``(id, text, metadata)``, a page at a time (the keyword index's input)."""
        offset = 0
        while True:
            got = self._chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                return
            docs, metas = got["documents"] or [], got["metadatas"] or []
            yield from zip(got["ids"], docs, (dict(m) for m in metas), strict=True)
            offset += len(got["ids"])

    def article_chunks(self, article_id: str) -> list[Chunk]:
        """Every chunk of one article, in text order."""
        got = self._chunks.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        docs, metas = got["documents"] or [], got["metadatas"] or []
        rows = zip(got["ids"], docs, metas, strict=True)
        return sorted((chunk_from_record(cid, doc, dict(meta)) for cid, doc, meta in rows), key=lambda c: c.start)

    def get_chunks(self, ids: Sequence[str]) -> list[tuple[Chunk, Vectors]]:
        """Chunks by id with their stored vectors, in the order asked (missing ids are left out)."""
        if not ids:
            return []
        got = self._chunks.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        docs, metas = got["documents"] or [], got["metadatas"] or []
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        found = {
            cid: (chunk_from_record(cid, doc, dict(meta)), np.asarray(vec, dtype=np.float32))
            for cid, doc, meta, vec in zip(got["ids"], docs, metas, vectors, strict=True)
        }
        return [found[cid] for cid in ids if cid in found]

    def committed(self, article_ids: Sequence[str]) -> set[str]:
        """Those of ``article_ids`` whose record exists (chunks of any other are leftovers of a killed write)."""
        if not article_ids:
            return set()
        return set(self._articles.get(ids=list(dict.fromkeys(article_ids)), include=[])["ids"])

    def article_hashes(self) -> dict[str, str]:
        """Article id → content hash of every committed article."""
        got = self._articles.get(include=["metadatas"])
        metas = got["metadatas"] or []
        return {aid: str(m.get("content_hash", "")) for aid, m in zip(got["ids"], metas, strict=True)}

    def records(self) -> list[tuple[Article, str]]:
        """``(article, content hash)`` of every committed article, without the article text."""
        got = self._articles.get(include=["metadatas"])
        metas = got["metadatas"] or []
        return [
            (article_from_record(aid, "", dict(meta)), str(meta.get("content_hash", "")))
            for aid, meta in zip(got["ids"], metas, strict=True)
        ]

    def get_article(self, article_id: str) -> Article | None:
        got = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        docs, metas = got["documents"] or [""], got["metadatas"] or [{}]
        return article_from_record(article_id, docs[0], dict(metas[0]))

    def get_articles(self, article_ids: Sequence[str]) -> list[Article]:
        """The stored articles among ``article_ids``, with their text (absent ids are left out)."""
        if not article_ids:
            return []
        got = self._articles.get(ids=list(article_ids), include=["documents", "metadatas"])
        docs, metas = got["documents"] or [], got["metadatas"] or []
        rows = zip(got["ids"], docs, metas, strict=True)
        return [article_from_record(aid, doc, dict(meta)) for aid, doc, meta in rows]

    def list_articles(self) -> list[tuple[Article, int]]:
        """Every article with its chunk count, sorted by published date (newest first) then title."""
        got = self._articles.get(include=["documents", "metadatas"])
        docs, metas = got["documents"] or [], got["metadatas"] or []
        rows = [
            (article_from_record(aid, doc, dict(meta)), int(cast(int, meta.get("n_chunks", 0))))
            for aid, doc, meta in zip(got["ids"], docs, metas, strict=True)
        ]
        return sorted(rows, key=lambda r: (-(_day(r[0].published)), r[0].title))

    def chunk_ids(self) -> list[str]:
        return sorted(cid for cid, _ in self._iter_chunk_meta())

    def count_chunks(self) -> int:
        return int(self._chunks.count())

    def count_articles(self) -> int:
        return int(self._articles.count())

    def query(self, vector: Vectors, k: int, where: Where | None = None) -> list[tuple[Chunk, float]]:
        """The ``k`` nearest chunks with cosine similarity, best first (none from an empty store).

        No ``count()`` first: Chroma answers an empty collection with empty lists, and counting costs
        as much as the search itself at 137k chunks (~18 ms).
        """
        if k <= 0:
            return []
        try:
            got = self._chunks.query(
                query_embeddings=cast(Any, vector[None, :]),
                n_results=k,
                where=cast(Any, where) if where else None,
                include=["documents", "metadatas", "distances"],
            )
        except Exception as exc:
            raise StoreError(f"query failed: {exc}") from exc
        ids = got["ids"][0]
        docs = (got["documents"] or [[]])[0]
        metas = (got["metadatas"] or [[]])[0]
        dists = (got["distances"] or [[]])[0]
        return [
            (chunk_from_record(cid, doc, dict(meta)), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
        ]
