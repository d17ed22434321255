"""Attaché in LangChain chains: `AttacheRetriever` and `as_runnable` over the real assistant and the seed article."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant.core.types import Answer, Filters
from assistant.langchain import AttacheRetriever, as_runnable
from assistant.retrieval.dates import resolve_window

GOALS = "What were the stated goals of Blinken's trip?"
KEYS = {"article_id", "chunk_id", "title", "outlet", "url", "published", "start", "end", "score", "rank", "source"}


def test_retriever_returns_documents_that_point_back_at_the_article(assistant: Any) -> None:
    retriever = AttacheRetriever(assistant=assistant)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke(GOALS)
    assert docs and all(isinstance(d, Document) for d in docs)
    for doc in docs:
        assert set(doc.metadata) == KEYS
        json.dumps(doc.metadata)  # plain JSON values only
        article = assistant.store.get_article(doc.metadata["article_id"])
        assert article.text[doc.metadata["start"] : doc.metadata["end"]] == doc.page_content
        assert doc.id == doc.metadata["chunk_id"]
        assert doc.metadata["source"] == (doc.metadata["url"] or doc.metadata["article_id"])
        assert doc.metadata["published"] == (article.published.isoformat() if article.published else None)
    ranks = [d.metadata["rank"] for d in docs]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert any("military-to-military" in d.page_content for d in docs)


def test_retriever_matches_the_assistants_retrieval(assistant: Any) -> None:
    """Same query, same date window, same as-of: the same passages in the same order."""
    as_of = date(2023, 6, 16)
    question = "What did Blinken plan for this week?"
    docs = AttacheRetriever(assistant=assistant, as_of=as_of).invoke(question)
    passages = assistant.retriever.retrieve(question, window=resolve_window(question, as_of), as_of=as_of)
    assert [d.metadata["chunk_id"] for d in docs] == [p.chunk.id for p in passages]
    assert [d.metadata["score"] for d in docs] == [float(p.score) for p in passages]


def test_retriever_honours_k_and_filters(assistant: Any) -> None:
    assert len(AttacheRetriever(assistant=assistant, k=1).invoke(GOALS)) == 1
    nowhere = Filters(outlets=("no-such-outlet.example",))
    assert AttacheRetriever(assistant=assistant, filters=nowhere).invoke(GOALS) == []
    article_id = AttacheRetriever(assistant=assistant, k=1).invoke(GOALS)[0].metadata["article_id"]
    only = AttacheRetriever(assistant=assistant, filters={"article_ids": [article_id]}).invoke(GOALS)
    assert only and {d.metadata["article_id"] for d in only} == {article_id}


def test_a_users_lcel_chain_over_the_retriever_runs_end_to_end(assistant: Any) -> None:
    retriever = AttacheRetriever(assistant=assistant, k=4)

    def format_docs(docs: list[Document]) -> str:
        return "\n\n".join(f"[{d.metadata['rank']}] ({d.metadata['outlet']}) {d.page_content}" for d in docs)

    def reply(x: dict[str, Any]) -> str:
        return f"Q: {x['question']}\nContext:\n{x['context']}"

    chain = {"context": retriever | RunnableLambda(format_docs), "question": RunnablePassthrough()} | RunnableLambda(
        reply
    )
    out = chain.invoke(GOALS)
    assert out.startswith(f"Q: {GOALS}") and "[1]" in out and "military-to-military" in out
    assert chain.batch([GOALS, "When had Blinken's China trip originally been put off?"])[1].count("[1]") == 1


def test_as_runnable_answers_with_citations(assistant: Any) -> None:
    attache = as_runnable(assistant)
    answer = attache.invoke(GOALS)
    assert isinstance(answer, Answer) and not answer.abstained
    assert answer.citations and "military-to-military" in answer.text
    for citation in answer.citations:
        article = assistant.store.get_article(citation.passage.chunk.article_id)
        assert article.text[citation.start : citation.end] == citation.quote

    both = attache.batch([GOALS, "When had Blinken's China trip originally been put off?"])
    assert [a.question for a in both] == [GOALS, "When had Blinken's China trip originally been put off?"]
    assert all(a.citations for a in both) and "February" in both[1].text
    assert [a.text for a in both] == [assistant.answer(q).text for q in (GOALS, both[1].question)]  # threads agree
    assert [a.text for a in attache.stream(GOALS)] == [answer.text]  # stream yields the one final Answer


def test_as_runnable_takes_a_dict_with_filters_as_of_and_history(assistant: Any) -> None:
    attache = as_runnable(assistant)
    nowhere = attache.invoke({"question": GOALS, "filters": {"outlets": ["no-such-outlet.example"]}})
    assert nowhere.abstained and not nowhere.passages
    also_none = attache.invoke({"question": GOALS, "filters": Filters(outlets=("no-such-outlet.example",))})
    assert also_none.abstained

    dated = attache.invoke({"question": GOALS, "as_of": "2023-06-16"})
    assert dated.as_of == date(2023, 6, 16) and dated.citations

    history = [{"question": GOALS, "answer": dated.text}]
    follow_up = attache.invoke({"question": "When was it postponed?", "history": history, "as_of": date(2023, 6, 16)})
    assert follow_up.query != "When was it postponed?" and follow_up.passages


def test_as_runnable_composes_into_a_users_chain(assistant: Any) -> None:
    chain = as_runnable(assistant) | RunnableLambda(
        lambda a: {"text": a.text, "sources": [c.passage.chunk.url or c.passage.chunk.article_id for c in a.citations]}
    )
    out = chain.invoke(GOALS)
    assert "military-to-military" in out["text"] and out["sources"]


def test_bad_input_is_a_type_error(assistant: Any) -> None:
    attache = as_runnable(assistant)
    for bad in ({"q": GOALS}, {"question": GOALS, "filters": {"outlet": "x"}}, 42):
        try:
            attache.invoke(bad)  # type: ignore[arg-type]
        except TypeError:
            continue
        raise AssertionError(f"accepted {bad!r}")
