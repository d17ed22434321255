"""The naive LangChain pipeline, as a tutorial writes it: the baseline ``bench/ingest.py`` compares against.

``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` (the LangChain RAG tutorial's settings),
``langchain_chroma.Chroma.from_documents`` and similarity top-4, with *our* embedder wrapped as LangChain
``Embeddings`` so that only the pipeline differs. Needs the ``bench`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.models.embedders import Embedder
from bench.corpus import stream_articles

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4


class WrappedEmbedder(Embeddings):
    """Our embedder behind LangChain's interface, in fixed-size batches in input order (no length sorting)."""

    def __init__(self, inner: Embedder, batch_size: int) -> None:
        self.inner, self.batch_size, self.seconds = inner, batch_size, 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        rows: list[list[float]] = []
        for lo in range(0, len(texts), self.batch_size):
            rows.extend(self.inner.embed_documents(texts[lo : lo + self.batch_size]).tolist())
        self.seconds += time.perf_counter() - started
        return rows

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.inner.embed_query(text)]


def _documents(path: Path, limit: int) -> list[Document]:
    return [
        Document(page_content=a.text, metadata={"title": a.title, "url": a.url}) for a in stream_articles(path, limit)
    ]


def naive_ingest(
    path: Path, embedder: Embedder, limit: int, batch_size: int, keep: Path | None = None
) -> dict[str, float]:
    """Split, embed and store the first ``limit`` articles (0: all) the naive way; returns counts and seconds."""
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    wrapped = WrappedEmbedder(embedder, batch_size)
    with tempfile.TemporaryDirectory(prefix="attache-naive-") as scratch:
        started = time.perf_counter()
        documents = _documents(path, limit)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        splits = splitter.split_documents(documents)
        split_done = time.perf_counter()
        Chroma.from_documents(
            splits, embedding=wrapped, persist_directory=str(keep or scratch), collection_name="naive"
        )
        seconds = time.perf_counter() - started
    return {
        "articles": float(len(documents)),
        "chunks": float(len(splits)),
        "seconds": seconds,
        "split_seconds": split_done - started,
        "embed_seconds": wrapped.seconds,
    }


def naive_search_ms(store_dir: Path, embedder: Embedder, queries: Sequence[str]) -> list[float]:
    """Milliseconds of ``similarity_search(q, k=4)`` per query on a kept naive store (query embedding included)."""
    from langchain_chroma import Chroma

    store = Chroma(
        collection_name="naive", embedding_function=WrappedEmbedder(embedder, 32), persist_directory=str(store_dir)
    )
    store.similarity_search(queries[0], k=TOP_K)  # warm-up
    times = []
    for query in queries:
        started = time.perf_counter()
        store.similarity_search(query, k=TOP_K)
        times.append((time.perf_counter() - started) * 1000)
    return times
