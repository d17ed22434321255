"""The store against a real embedded Chroma in a tmp dir."""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import EmbedderMismatch
from assistant.store.chroma import Store, chunk_from_record
from ingest.chunking import chunk_article
from ingest.loaders import load_file
from ingest.metadata import content_hash
from ingest.pipeline import ingest_paths
from tests.conftest import SEED_ARTICLE, OtherEmbedder, make_settings


def test_seed_ingest_then_reingest_is_a_noop(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    first = ingest_paths([SEED_ARTICLE], store, embedder, settings)
    assert (first.added, first.unchanged, first.chunks, first.failed) == (1, 0, 3, [])
    ids_before = store.chunk_ids()
    second = ingest_paths([SEED_ARTICLE], Store(settings, embedder), embedder, settings)
    assert (second.added, second.replaced, second.unchanged, second.chunks) == (0, 0, 1, 0)
    assert store.chunk_ids() == ids_before and store.count_chunks() == 3 and store.count_articles() == 1


def test_changed_article_replaces_its_chunks(settings: Any, embedder: Any, tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("---\nurl: https://example.org/story\n---\n" + "Talks went on. " * 300)
    store = Store(settings, embedder)
    ingest_paths([path], store, embedder, settings)
    before = store.count_chunks()
    path.write_text("---\nurl: https://example.org/story\n---\nTalks ended early today.\n")
    report = ingest_paths([path], store, embedder, settings)
    assert report.replaced == 1 and before > 1 and store.count_chunks() == 1


def test_query_returns_similarity_and_offsets(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    ingest_paths([SEED_ARTICLE], store, embedder, settings)
    hits = store.query(embedder.embed_query("military-to-military communication"), k=3)
    assert len(hits) == 3 and hits[0][1] >= hits[-1][1]
    article = store.get_article(hits[0][0].article_id)
    assert article is not None
    for chunk, score in hits:
        assert -1.0 <= score <= 1.0
        assert article.text[chunk.start : chunk.end] == chunk.text


def test_repair_removes_chunks_of_an_interrupted_write(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    (article,) = load_file(SEED_ARTICLE).articles
    chunks = chunk_article(article)
    vectors = embedder.embed_documents([c.text for c in chunks])
    store.write_article(article, content_hash(article), chunks, vectors)
    store._articles.delete(ids=[article.id])  # simulate a crash before the record was written
    assert store.repair() == 3 and store.count_chunks() == 0


def test_embedder_mismatch_is_refused(settings: Any, embedder: Any) -> None:
    Store(settings, embedder)

    with pytest.raises(EmbedderMismatch):
        Store(make_settings(settings.home), OtherEmbedder())


def test_chroma_default_embedder_is_never_built(settings: Any, embedder: Any) -> None:
    """The autouse fixture makes constructing it raise; reopening a collection must not need it."""
    store = Store(settings, embedder)
    ingest_paths([SEED_ARTICLE], store, embedder, settings)
    reopened = Store(make_settings(settings.home), embedder)
    assert reopened.count_chunks() == 3
    assert reopened._chunks._embedding_function is not None
    assert type(reopened._chunks._embedding_function).__name__ == "AttacheEmbeddingFunction"


def test_chunks_carry_their_articles_provenance(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    (article,) = load_file(SEED_ARTICLE).articles
    fed = replace(
        article,
        source_path="https://outlet.example/a",
        feed_url="https://outlet.example/rss.xml",
        fetched_at="2026-03-02T08:15:00+00:00",
    )
    chunks = chunk_article(fed)
    store.write_article(fed, content_hash(fed), chunks, embedder.embed_documents([c.text for c in chunks]))
    (chunk, _), *_ = store.get_chunks([chunks[0].id])
    hit, _ = store.query(embedder.embed_query(chunk.text), k=1)[0]
    for got in (chunk, hit):
        assert (got.source_path, got.feed_url, got.fetched_at) == (fed.source_path, fed.feed_url, fed.fetched_at)
    store.set_source_path(fed.id, "/moved/a.html")  # a moved file: the chunks follow the record
    assert store.get_chunks([chunks[0].id])[0][0].source_path == "/moved/a.html"
    old = {"article_id": "a", "start": 0, "end": 4, "title": "t", "url": "", "published": ""}  # written before
    assert chunk_from_record("c", "text", old).provenance == ()


def test_the_search_breadth_is_set_on_new_and_existing_stores(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    assert store._chunks.configuration["hnsw"]["ef_search"] == settings.store.hnsw_ef_search == 1000
    assert Store(settings.updated(hnsw_ef_search=200), embedder)._chunks.configuration["hnsw"]["ef_search"] == 200
    assert Store(settings, embedder)._chunks.configuration["hnsw"]["ef_search"] == 1000


def test_the_search_breadth_waits_out_a_locked_database(settings: Any, embedder: Any) -> None:
    """Another handle writing to the same folder locks SQLite for a moment (seen on a busy CI machine): the
    change is retried, not dropped with a warning."""
    store = Store(settings, embedder)
    real = store._chunks

    class Locked:  # the collection, refusing the first two changes as SQLite does while another writer holds it
        failures = 2
        configuration = property(lambda self: real.configuration)

        def modify(self, **change: Any) -> None:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("Database error: error returned from database: (code: 5) database is locked")
            real.modify(**change)

    store._chunks = Locked()  # type: ignore[assignment]
    store._search_breadth(300)
    assert store._chunks.failures == 0
    assert real.configuration["hnsw"]["ef_search"] == 300
