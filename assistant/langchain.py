"""Attaché inside your own LangChain (LCEL) chains.

:class:`AttacheRetriever` is a ``BaseRetriever``: a question in, Attaché's ranked passages out as LangChain
``Document``\\s, their metadata pointing back at the article (id, outlet, date, URL, character offsets).
:func:`as_runnable` is the whole answer (retrieval, the configured backend, citations, the grounding check) as a
``Runnable`` that takes a question and returns Attaché's :class:`~assistant.core.types.Answer`.

This module is the boundary: ``Document`` objects are built here and nowhere else, and whatever comes in (a dict
of filters, an ISO date) becomes Attaché's own types before it goes further. ``langchain_core`` is imported only
here, and ``assistant``'s package face does not import this module.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answering.assistant import Assistant
from assistant.answering.conversation import Turn
from assistant.answering.draft import Scope
from assistant.core.types import Answer, Filters, Passage
from assistant.retrieval.dates import resolve_window

AnswerInput = str | Mapping[str, Any]
"""A question, or ``{"question": ..., "filters": ..., "as_of": ..., "history": ...}`` (all but the question
optional)."""

_BUILDING = threading.Lock()  # one default assistant per retriever or runnable, even under ``batch``'s threads


class AttacheRetriever(BaseRetriever):
    """Attaché's retrieval as a LangChain retriever: hybrid search, date windows, filters, the per-article cap.

    Relative dates in the query ("this week", "in June") resolve against ``as_of`` (default: today) exactly as
    :meth:`Assistant.stream` resolves them. ``assistant`` defaults to ``Assistant.from_settings()`` (the
    environment's ``ATTACHE_*`` settings), built on first use; ``k`` defaults to the settings' ``top_k``.

    Each ``Document`` has ``page_content`` = the passage's text and ``id`` = its chunk id; its ``metadata``
    holds plain JSON values only:

    ``article_id``, ``chunk_id``
        the article the passage comes from and the passage's own id
    ``title``, ``outlet``, ``url``
        the article's title, outlet (a domain such as ``"aljazeera.com"``; ``""`` when unknown) and URL (``""``)
    ``published``
        the article's publication date as ``"YYYY-MM-DD"``, or None
    ``start``, ``end``
        the passage's character offsets in the article: ``article.text[start:end] == page_content``
    ``score``, ``rank``
        relevance (higher is better) and the 1-based rank, in the order the documents come back
    ``source``
        the URL, or the article id when there is none (what LangChain's ``format_document`` helpers expect)
    """

    assistant: Any = None  # an ``Assistant``
    k: int | None = None
    filters: Filters | None = None
    as_of: date | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        bot = self._assistant()
        query = bot.standalone_query(query)  # whitespace folded, as the assistant does before retrieval
        as_of = self.as_of or date.today()
        scope = Scope(self.filters, resolve_window(query, as_of), as_of)
        return [to_document(p) for p in bot.retriever.retrieve(query, k=self.k, **scope.retrieval())]

    def _assistant(self) -> Assistant:
        if self.assistant is None:
            with _BUILDING:
                if self.assistant is None:
                    self.assistant = Assistant.from_settings()
        bot: Assistant = self.assistant
        return bot


def to_document(passage: Passage) -> Document:
    """One passage as a LangChain ``Document`` (the metadata of :class:`AttacheRetriever`)."""
    chunk = passage.chunk
    metadata = {
        "article_id": chunk.article_id,
        "chunk_id": chunk.id,
        "title": chunk.title,
        "outlet": chunk.outlet,
        "url": chunk.url,
        "published": chunk.published.isoformat() if chunk.published else None,
        "start": chunk.start,
        "end": chunk.end,
        "score": float(passage.score),
        "rank": passage.rank,
        "source": chunk.url or chunk.article_id,
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.id)


def as_runnable(assistant: Assistant | None = None) -> Runnable[AnswerInput, Answer]:
    """The whole answer as a ``Runnable``: a question (or a dict, see :data:`AnswerInput`) → an ``Answer``.

    ``invoke``, ``batch`` and their async forms work as for any runnable; ``stream`` yields the one final
    ``Answer`` (for the text as it is written, iterate :meth:`Assistant.stream`). ``filters`` may be a
    ``Filters`` or a dict of its fields; ``as_of`` a date or ``"YYYY-MM-DD"``; ``history`` earlier turns, each a
    ``Turn`` or a dict with ``question`` and ``answer`` (and optionally ``query``). ``assistant`` defaults to
    ``Assistant.from_settings()``, built on first use.
    """
    built: list[Assistant] = [assistant] if assistant is not None else []

    def current() -> Assistant:
        if not built:
            with _BUILDING:
                if not built:
                    built.append(Assistant.from_settings())
        return built[0]

    def answer(asked: AnswerInput) -> Answer:
        question, filters, as_of, history = _read_input(asked)
        return current().answer(question, history, filters=filters, as_of=as_of)

    return RunnableLambda(answer, name="attache_answer")


def _read_input(asked: AnswerInput) -> tuple[str, Filters | None, date | None, list[Turn]]:
    """What the runnable was given, as Attaché's own types."""
    if isinstance(asked, str):
        return asked, None, None, []
    if not isinstance(asked, Mapping) or not isinstance(asked.get("question"), str):
        raise TypeError(f"expected a question or a dict with a 'question' string, got {asked!r}")
    return asked["question"], _filters(asked.get("filters")), _day(asked.get("as_of")), _history(asked.get("history"))


def _filters(given: Filters | Mapping[str, Any] | None) -> Filters | None:
    if given is None or isinstance(given, Filters):
        return given
    unknown = set(given) - {"outlets", "date_from", "date_to", "article_ids"}
    if unknown:
        raise TypeError(f"unknown filters {sorted(unknown)}: use outlets, date_from, date_to, article_ids")
    return Filters(
        outlets=tuple(given.get("outlets") or ()),
        date_from=_day(given.get("date_from")),
        date_to=_day(given.get("date_to")),
        article_ids=tuple(given.get("article_ids") or ()),
    )


def _day(given: date | str | None) -> date | None:
    return date.fromisoformat(given) if isinstance(given, str) else given


def _history(given: Sequence[Turn | Mapping[str, str]] | None) -> list[Turn]:
    turns = []
    for turn in given or ():
        if isinstance(turn, Turn):
            turns.append(turn)
        else:
            turns.append(Turn(turn["question"], turn.get("query") or turn["question"], turn["answer"]))
    return turns
