"""The BM25 index stays in step with the store: add, replace, delete, interrupted writes, other writers."""

import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from assistant.core.types import Filters
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store
from assistant.store.keyword_index import KeywordIndex
from ingest.pipeline import ingest_paths


def _write(folder: Path, name: str, body: str, url: str = "", day: str = "") -> Path:
    head = f"---\ntitle: {name}\n" + (f"url: {url}\n" if url else "") + (f"date: {day}\n" if day else "") + "---\n"
    path = folder / f"{name}.md"
    path.write_text(f"{head}{body}\n")
    return path


def _titles(index: KeywordIndex, store: Store, query: str, filters: Filters | None = None) -> list[str]:
    ids = [hit.chunk_id for hit in index.search(query, 10, filters)]
    return [chunk.title for chunk, _ in store.get_chunks(ids)]


def _write_as_another_client(store: Store, embedder: Any) -> None:
    """A chunk added straight to Chroma, as another machine on the same server would: no generation bump."""
    text = "Quillmark protocol"
    vector = embedder.embed_documents([text])[0]
    meta = {"article_id": "elsewhere", "start": 0, "end": 18, "title": "remote", "published_day": -1}
    store._chunks.add(ids=["remote-0"], embeddings=[vector.tolist()], documents=[text], metadatas=[meta])


def test_index_follows_add_replace_delete(settings: Any, embedder: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "vienna", "Negotiators in Vienna discussed the Zephyrax accord on uranium enrichment.")
    _write(docs, "geneva", "Envoys in Geneva reviewed grain corridor inspections.", "https://news.example/g")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    index = KeywordIndex(settings.keyword_path, store)
    assert _titles(index, store, "Zephyrax accord") == ["vienna"]
    assert _titles(index, store, "nothing matches qwertyuiop") == []

    # replace: the article's new text is searchable, its old text is not
    _write(docs, "geneva", "Envoys in Geneva signed the Quillmark protocol on shipping.", "https://news.example/g")
    assert ingest_paths([docs], store, embedder, settings).replaced == 1
    assert _titles(index, store, "Quillmark protocol") == ["geneva"]
    assert _titles(index, store, "grain corridor inspections") == []

    # delete
    vienna_id = next(a.id for a, _ in store.list_articles() if a.title == "vienna")
    assert store.delete_article(vienna_id)
    assert _titles(index, store, "Zephyrax accord") == []
    assert store.count_chunks() == index.ensure_fresh().count


def test_index_is_persisted_and_rebuilt_only_when_stale(settings: Any, embedder: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a", "The Zephyrax accord was signed in Vienna.")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)  # builds the index at the end of the run
    built = (settings.keyword_path / "current").read_text()

    fresh = KeywordIndex(settings.keyword_path, store)  # a new process: loads, does not rebuild
    assert fresh.search("Zephyrax", 5)
    assert (settings.keyword_path / "current").read_text() == built

    store._changed()  # what a write killed half-way leaves behind: a generation no build has
    assert fresh.search("Zephyrax", 5)
    assert (settings.keyword_path / "current").read_text() != built


def test_a_write_by_another_client_is_noticed(settings: Any, embedder: Any, tmp_path: Path) -> None:
    """Another machine writing to the same Chroma server does not bump our generation file: the count does."""
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a", "The Zephyrax accord was signed in Vienna.")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    index = KeywordIndex(settings.keyword_path, store)
    assert index.search("Quillmark", 5) == []
    _write_as_another_client(store, embedder)
    assert [hit.chunk_id for hit in index.search("Quillmark", 5)] == ["remote-0"]


def test_other_clients_writes_show_within_the_recount_interval(settings: Any, embedder: Any, tmp_path: Path) -> None:
    """Counting is skipped between recounts; this machine's own writes are still seen by the very next search."""
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a", "The Zephyrax accord was signed in Vienna.")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    index = KeywordIndex(settings.keyword_path, store, recount_seconds=0.5)
    assert index.search("Quillmark", 5) == []
    _write_as_another_client(store, embedder)
    time.sleep(0.6)
    assert [hit.chunk_id for hit in index.search("Quillmark", 5)] == ["remote-0"]
    _write(docs, "b", "Delegates from Vortigan arrived in Oslo.")
    ingest_paths([docs], store, embedder, settings)
    assert _titles(index, store, "Vortigan") == ["b"]


def test_bm25_side_honours_every_filter(settings: Any, embedder: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    body = "Envoys met in {} to discuss the Zephyrax ceasefire."
    _write(docs, "a", body.format("Vienna"), "https://www.alpha.com/a", "2024-03-01")
    _write(docs, "b", body.format("Geneva"), "https://beta.org/b", "2024-03-15")
    _write(docs, "c", body.format("Doha"), "https://gamma.net/c", "2024-04-02")
    _write(docs, "d", body.format("Oslo"))  # undated, no outlet
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    retriever = Retriever(store, embedder, settings.updated(retrieval="bm25"))

    def titles(filters: Filters) -> set[str]:
        return {p.chunk.title for p in retriever.retrieve("Zephyrax ceasefire", filters=filters)}

    assert titles(Filters()) == {"a", "b", "c", "d"}
    assert titles(Filters(outlets=("beta.org", "gamma.net"))) == {"b", "c"}
    assert titles(Filters(date_from=date(2024, 3, 10))) == {"b", "c"}
    assert titles(Filters(date_to=date(2024, 3, 31))) == {"a", "b"}
    b_id = next(a.id for a, _ in store.list_articles() if a.title == "b")
    assert titles(Filters(article_ids=(b_id,))) == {"b"}


def test_chunks_of_a_half_deleted_article_are_never_retrieved(settings: Any, embedder: Any, tmp_path: Path) -> None:
    """A delete killed between its two steps leaves chunks without a record: readers must not see them."""
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a", "The Zephyrax accord was signed in Vienna.", "https://news.example/a")
    _write(docs, "b", "The Zephyrax talks continue in Geneva next week.", "https://news.example/b")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    a_id = next(a.id for a, _ in store.list_articles() if a.title == "a")
    store._articles.delete(ids=[a_id])  # the record goes first; the process dies before the chunks
    for mode in ("dense", "bm25", "hybrid"):
        retriever = Retriever(store, embedder, settings.updated(retrieval=mode))
        assert {p.chunk.title for p in retriever.retrieve("Zephyrax accord Vienna")} == {"b"}, mode
    assert store.repair() == 1


def test_two_indexes_of_one_root_rebuild_at_once_without_error(settings: Any, embedder: Any, tmp_path: Path) -> None:
    """An ingest's index and a chat's index of the same library, in one process, saving at the same moment (a
    reliability run once failed on the rename of their shared pointer file)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a", "The Zephyrax accord was signed in Vienna.")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    indexes = [KeywordIndex(settings.keyword_path, store) for _ in range(4)]
    errors: list[BaseException] = []

    def rebuild(index: KeywordIndex) -> None:
        try:
            for _ in range(5):
                index._rebuild()  # builds and saves
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=rebuild, args=(i,)) for i in indexes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert KeywordIndex(settings.keyword_path, store).search("Zephyrax", 5)
