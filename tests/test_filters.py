"""Retrieval filters against a real Chroma: outlets, published-date range, article ids."""

from datetime import date
from pathlib import Path
from typing import Any

from assistant.core.types import Filters
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store, where_clause
from ingest.pipeline import ingest_paths


def _write(folder: Path, name: str, url: str, day: str, body: str) -> None:
    (folder / name).write_text(f"---\ntitle: {name}\nurl: {url}\ndate: {day}\n---\n{body}\n")


def test_filters_restrict_retrieval(settings: Any, embedder: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a.md", "https://www.alpha.com/a", "2024-03-01", "Envoys met in Vienna to discuss the ceasefire.")
    _write(docs, "b.md", "https://beta.org/b", "2024-03-15", "Envoys met in Geneva to discuss the ceasefire.")
    _write(docs, "c.md", "https://gamma.net/c", "2024-04-02", "Envoys met in Doha to discuss the ceasefire.")
    store = Store(settings, embedder)
    assert ingest_paths([docs], store, embedder, settings).added == 3
    retriever = Retriever(store, embedder, settings)
    question = "Where did envoys discuss the ceasefire?"

    def outlets(filters: Filters) -> set[str]:
        return {p.chunk.outlet for p in retriever.retrieve(question, filters=filters)}

    assert outlets(Filters()) == {"alpha.com", "beta.org", "gamma.net"}
    assert outlets(Filters(outlets=("beta.org",))) == {"beta.org"}
    assert outlets(Filters(date_from=date(2024, 3, 10))) == {"beta.org", "gamma.net"}
    assert outlets(Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))) == {"alpha.com", "beta.org"}
    some_id = retriever.retrieve(question)[0].chunk.article_id
    assert {p.chunk.article_id for p in retriever.retrieve(question, filters=Filters(article_ids=(some_id,)))} == {
        some_id
    }


def test_where_clause_shapes() -> None:
    assert where_clause(None) is None and where_clause(Filters()) is None
    assert where_clause(Filters(outlets=("x",))) == {"outlet": {"$in": ["x"]}}
    both = where_clause(Filters(outlets=("x",), date_to=date(2024, 1, 2)))
    day = date(2024, 1, 2).toordinal()
    # an open-ended "until" range still leaves out undated articles (stored as day -1), as the BM25 side does
    assert both == {
        "$and": [{"outlet": {"$in": ["x"]}}, {"published_day": {"$lte": day}}, {"published_day": {"$gte": 0}}]
    }
