"""``Assistant``: the one object behind the web chat, the CLI, ``answer()`` and the evaluator.

Streaming is the primitive: :meth:`Assistant.stream` returns a :class:`~assistant.answering.response.Response`
that yields the numbered passages first, then the answer text in pieces, then the final
:class:`~assistant.core.types.Answer`; :meth:`Assistant.answer` waits for it. Retrieval is shared; the
answering itself is the configured backend's (:data:`~assistant.answering.backends.BACKENDS`).
A :class:`Conversation` keeps the history and turns follow-ups into standalone queries; it is saved turn by turn
in the user's conversation history (:mod:`assistant.history.store`) and can be resumed by its id.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from functools import cached_property
from typing import Any

from assistant.answering.backends import BACKENDS
from assistant.answering.conversation import Turn, leans_on_context, split_context
from assistant.answering.corroboration import corroborate
from assistant.answering.draft import NO_PASSAGES, Draft, DraftStream, Scope
from assistant.answering.extractive.answerer import asks_by_role, candidates, role_speaker
from assistant.answering.quoted import quote_draft, quote_request
from assistant.answering.response import Response
from assistant.answering.vectors import SentenceVectors
from assistant.answering.warm import IdleWarmer
from assistant.core.errors import ConversationNotFound
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import (
    Answer,
    AnswerEvent,
    Coverage,
    Event,
    Filters,
    Passage,
    PassagesEvent,
    Quote,
    StreamEvent,
    TextEvent,
)
from assistant.history.records import ConversationRecord
from assistant.history.store import LOCAL_USER, ConversationStore
from assistant.models.embedders import CachedEmbedder, Embedder, build_embedder, describe
from assistant.retrieval.dates import resolve_window
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store, settle_embedder
from assistant.views.service import Views


class Assistant:
    """Holds the store, the embedder, the backend and the settings; answers questions with citations."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder, chat_model: Any = None) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        cached = CachedEmbedder(embedder)  # one cache: the answerer reuses the vector retrieval took of the question
        self.retriever = Retriever(store, cached, settings)
        self.backend = "openai" if chat_model is not None else settings.resolved_backend
        answering = settings.answering
        kept = store.sentences if answering.keep_exact_vectors else None  # exact vectors written back for reuse
        vectors = SentenceVectors(cached, store.sentences.get, kept=kept) if answering.stored_vectors else None
        self.answerer = BACKENDS[self.backend](settings, cached, chat_model, vectors)
        self.warmer: IdleWarmer | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        apply_offline_env()
        settings = settle_embedder(settings or Settings())  # auto: the embedder the library was built with
        embedder = build_embedder(settings)
        return cls(settings, Store(settings, embedder), embedder)

    @property
    def backend_label(self) -> str:
        return self.answerer.label

    @property
    def embedder_label(self) -> str:
        """The embedder, its size and where it computes ("… (384 dimensions, local ONNX on OpenVINO, bf16)")."""
        return f"{self.embedder.name} ({self.embedder.dim} dimensions, {describe(self.embedder)})"

    def close(self) -> None:
        """Stop the warmer and the local model server, if this assistant started them."""
        if self.warmer is not None:
            self.warmer.stop()
        self.answerer.close()

    def warm_when_idle(self) -> IdleWarmer | None:
        """Warm the library in the background whenever no question is being asked (:class:`IdleWarmer`), so new
        questions embed only themselves. None when it is switched off (``warm_when_idle``) or nothing would use it:
        another backend than the offline one, or exact vectors not kept (``settings.answering``)."""
        answering = self.settings.answering
        used = self.backend == "extractive" and answering.keep_exact_vectors and answering.stored_vectors
        if not (answering.warm_when_idle and used):
            return None
        if self.warmer is None:
            self.warmer = IdleWarmer(self.store, self.embedder, idle=answering.warm_idle_seconds).start()
        return self.warmer

    def standalone_query(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The query retrieval uses: the question itself, or a rewrite of a follow-up."""
        query = " ".join(question.split())
        if not history or not leans_on_context(query):
            return query
        return self.answerer.rewrite(query, history)

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> Response:
        """Answer ``question`` (a follow-up of ``history``), within ``filters``, as asked on ``as_of``.

        Relative dates in the question ("this week", "in June") resolve against ``as_of`` (default: today) into
        a window that boosts passages published in it; coverage published shortly before ``as_of`` is preferred
        (the recency prior) and later coverage demoted; articles without a date are kept.
        """
        return Response(self._events(question, history, filters, as_of))

    def _events(
        self, question: str, history: Sequence[Turn], filters: Filters | None, as_of: date | None
    ) -> Iterator[StreamEvent]:
        with self._busy():
            yield from self._answer_events(question, history, filters, as_of)

    def _busy(self) -> AbstractContextManager[None]:
        """Holds the background warmer back while an answer or a view is computed (it waits for them)."""
        return self.warmer.busy() if self.warmer is not None else nullcontext()

    def _answer_events(
        self, question: str, history: Sequence[Turn], filters: Filters | None, as_of: date | None
    ) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        query = self.standalone_query(question, history)
        rewritten = time.perf_counter()
        as_of = as_of or date.today()
        scope = Scope(filters, resolve_window(query, as_of), as_of)
        quoted = self._quoted(query, filters, as_of)
        if quoted is not None:
            passages, draft = quoted
            retrieved = time.perf_counter()
            yield PassagesEvent(tuple(passages))
            yield TextEvent(draft.text)
        else:
            passages = self.answerer.sources(question, self._retrieve(query, scope))
            retrieved = time.perf_counter()
            yield PassagesEvent(tuple(passages))
            if passages:
                draft = yield from _text_events(self.answerer.stream(question, query, passages, scope))
                draft = self._corroborated(draft, passages)
            else:  # nothing to ground an answer on: never ask a model to improvise
                draft = Draft.refusal(NO_PASSAGES, rule="no_passages")
        timings = {
            "rewrite_ms": (rewritten - started) * 1000,
            "retrieve_ms": (retrieved - rewritten) * 1000,
            "answer_ms": (time.perf_counter() - retrieved) * 1000,
            **draft.timings,
            "total_ms": (time.perf_counter() - started) * 1000,
        }
        yield AnswerEvent(
            Answer(
                question=question,
                text=draft.text,
                citations=draft.citations,
                passages=tuple(passages),
                sentences=draft.sentences,
                abstained=draft.abstained,
                abstain_reason=draft.reason,
                refusal_rule=draft.rule,
                backend=self.backend,
                query=query,
                dropped_markers=draft.dropped_markers,
                as_of=as_of,
                date_window=scope.window,
                repaired_sentences=draft.repaired_sentences,
                dropped_sentences=draft.dropped_sentences,
                timings=timings,
            )
        )

    def _retrieve(self, query: str, scope: Scope) -> list[Passage]:
        """The passages for ``query``; for "What did the defense secretary say …?", when the passages name exactly
        one person holding that role, retrieved again with the name added ("… Lloyd Austin"): the chunk that holds
        their words may name them only ("Austin underscored that position …")."""
        passages = self.retriever.retrieve(query, **scope.retrieval())
        core, context = split_context(query)
        if not self.settings.answering.role_retrieval or not asks_by_role(core):
            return passages
        name = role_speaker(core, candidates(passages))
        if name and not set(name.lower().split()) & set(query.lower().split()):
            named = f"{core} {name}" + (f" ({context})" if context else "")
            passages = self.retriever.retrieve(named, **scope.retrieval())
        return passages

    def _quoted(self, query: str, filters: Filters | None, as_of: date) -> tuple[list[Passage], Draft] | None:
        """ "What did X say (about Y)?": X's quotations, verbatim, when the library has any on the topic."""
        asked = quote_request(query) if self.settings.answering.quote_answers else None
        if asked is None:
            return None
        quotes = self.views.quotes(asked[0], asked[1] or None, filters, as_of)
        if not quotes:
            return None
        passages, draft = quote_draft(quotes, self.store.article_chunks)
        return (passages, draft) if passages else None

    def _corroborated(self, draft: Draft, passages: list[Passage]) -> Draft:
        """Each cited sentence with the outlets that say it too."""
        if draft.abstained:
            return draft
        cited = {c.passage.chunk.article_id for c in draft.citations}
        return corroborate(draft, passages, {a.id: a for a in self.store.get_articles(sorted(cited))})

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> Answer:
        return self.stream(question, history, filters=filters, as_of=as_of).answer()

    # -- the analyst's views ---------------------------------------------------------------------------

    @cached_property
    def views(self) -> Views:
        return Views(self.settings, self.store, self.embedder, self.retriever)

    def quotes(
        self,
        speaker: str | None = None,
        about: str | None = None,
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> list[Quote]:
        """Direct quotations, verbatim at their article offsets: by ``speaker`` (any part of the name), on
        ``about``, within ``filters``, published by ``as_of``."""
        with self._busy():
            return self.views.quotes(speaker, about, filters, as_of)

    def timeline(
        self, query: str | None = None, filters: Filters | None = None, as_of: date | None = None
    ) -> list[Event]:
        """Dated events in day order (on ``query`` when given); the same event from several articles is one entry.
        Events of undated articles come last, with ``day`` None."""
        with self._busy():
            return self.views.timeline(query, filters, as_of)

    def coverage(self, query: str, filters: Filters | None = None, as_of: date | None = None) -> Coverage:
        """The outlets that covered the story ``query`` is about, first to report first, side by side."""
        with self._busy():
            return self.views.coverage(query, filters, as_of)

    @cached_property
    def history(self) -> ConversationStore:
        """The saved conversations (``ATTACHE_HOME/conversations.sqlite3``), opened on first use."""
        return ConversationStore.at_home(self.settings.home)

    def conversation(self, id: str | None = None, user: str = LOCAL_USER, save: bool = True) -> Conversation:
        """A new conversation, or ``user``'s saved conversation ``id`` resumed with its turns as history.

        Each finished answer is saved as a turn (a new conversation is created with the first one), unless
        ``save=False`` (the evaluator's runs stay out of the history). ``ConversationNotFound`` when ``user``
        has no conversation ``id`` (another user's included).
        """
        record = None
        if id is not None:
            record = self.history.get(user, id)
            if record is None:
                raise ConversationNotFound(id)
        return Conversation(self, user, record, self.history if save else None)


def _text_events(pieces: DraftStream) -> Generator[TextEvent, None, Draft]:
    """The answerer's text pieces as events; returns the draft the answerer returned."""
    while True:
        try:
            piece = next(pieces)
        except StopIteration as done:
            draft: Draft = done.value
            return draft
        yield TextEvent(piece)


class Conversation:
    """A chat that remembers: each follow-up is answered in the context of the turns before it.

    With a ``store``, each finished answer is saved as the next turn of conversation :attr:`id` (None until the
    first answer creates it); ``record`` resumes a saved conversation.
    """

    def __init__(
        self,
        assistant: Assistant,
        user: str = LOCAL_USER,
        record: ConversationRecord | None = None,
        store: ConversationStore | None = None,
    ) -> None:
        self.assistant = assistant
        self.user = user
        self.store = store
        self.id = record.id if record else None
        self.turns: list[Turn] = [Turn(t.question, t.query, t.answer.text) for t in (record.turns if record else ())]

    def stream(self, question: str, filters: Filters | None = None, as_of: date | None = None) -> Response:
        def remember(answer: Answer) -> None:
            self.turns.append(Turn(question, answer.query, answer.text))
            self._save(answer, filters)

        response = self.assistant.stream(question, list(self.turns), filters=filters, as_of=as_of)
        return Response(iter(response), on_answer=remember)

    def ask(self, question: str, filters: Filters | None = None, as_of: date | None = None) -> Answer:
        return self.stream(question, filters=filters, as_of=as_of).answer()

    def _save(self, answer: Answer, filters: Filters | None) -> None:
        if self.store is None:
            return
        if self.id is None:
            self.id = self.store.create(self.user, answer.question, answer.backend).id
        self.store.append_turn(self.user, self.id, answer, filters)
