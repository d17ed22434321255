"""``Assistant``: the one object behind the web chat, the CLI, ``answer()`` and the evaluator.

Streaming is the primitive: :meth:`Assistant.stream` yields the numbered passages first, then the answer
text in pieces, then the final :class:`~assistant.types.Answer`. :meth:`Assistant.answer` consumes it.
A :class:`Conversation` keeps the history and turns follow-ups into standalone queries.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.citations import parse_answer
from assistant.config import Settings, apply_offline_env
from assistant.conversation import Turn, carry_over, leans_on_context
from assistant.dates import off_window, resolve_window
from assistant.extractive import Composition, ExtractiveAnswerer, closest_coverage
from assistant.generative import GenerativeAnswerer
from assistant.grounding import GroundingChecker
from assistant.models import CachedEmbedder, Embedder, build_chat_model, build_embedder
from assistant.retrieve import Retriever
from assistant.store import Store
from assistant.types import (
    Answer,
    AnswerEvent,
    Citation,
    DateWindow,
    Filters,
    Passage,
    PassagesEvent,
    Sentence,
    StreamEvent,
    TextEvent,
)

log = logging.getLogger(__name__)

NO_PASSAGES = "The sources don't say: no passage in the library matches this question."


@dataclass(frozen=True, slots=True)
class Scope:
    """What limits retrieval for one question: filters, the resolved date window, the as-of date."""

    filters: Filters | None = None
    window: DateWindow | None = None
    as_of: date | None = None

    def retrieval(self) -> dict[str, Any]:
        return {"filters": self.filters, "window": self.window, "as_of": self.as_of}


def off_window_reason(window: DateWindow | None, citations: Sequence[Citation]) -> str:
    """Why an answer to a "this week" question must not stand, when all it cites is dated outside the week."""
    published = [c.passage.chunk.published for c in citations]
    if window is None or not off_window(window, published):
        return ""
    days = sorted({d.isoformat() for d in published if d is not None})
    shown = ", ".join(days[:3]) + ("…" if len(days) > 3 else "")
    return (
        f"The sources don't say: nothing published {window.phrase} ({window.start.isoformat()} – "
        f"{window.end.isoformat()}) answers this; the closest coverage is from {shown}."
    )


class Assistant:
    """Holds the store, the embedder, the backend and the settings; answers questions with citations."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder, chat_model: Any = None) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = Retriever(store, embedder, settings)
        self.backend = "openai" if chat_model is not None else settings.resolved_backend
        cached = CachedEmbedder(embedder)
        self._extractive = ExtractiveAnswerer(cached, settings)
        self._checker = GroundingChecker(cached, judge=self._judge if settings.grounding_judge else None)
        self._chat_model = chat_model
        self._generative: GenerativeAnswerer | None = None
        self._local: Any = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        apply_offline_env()
        settings = settings or Settings()
        embedder = build_embedder(settings)
        return cls(settings, Store(settings, embedder), embedder)

    @property
    def backend_label(self) -> str:
        if self.backend == "extractive":
            return "offline extractive mode (no LLM configured)"
        if self.backend == "local":
            return f"local llama.cpp · {self.settings.local_model_path or 'SmolLM2-135M-Instruct'}"
        return f"OpenAI-compatible · {self.settings.llm_model} @ {shown_url(self.settings.openai_base_url)}"

    def _answerer(self) -> GenerativeAnswerer:
        if self._generative is None:
            model = self._chat_model
            if model is None and self.backend == "local":
                from assistant.llama_server import LlamaServer

                self._local = LlamaServer.start(self.settings)
                model = build_chat_model(self.settings, base_url=self._local.base_url, model=self._local.model_name)
            elif model is None:
                model = build_chat_model(self.settings)
            self._chat_model = model
            self._generative = GenerativeAnswerer(model, self.retriever.retrieve, self.settings)
        return self._generative

    def _judge(self, sentence: str, quote: str) -> bool | None:
        """Entailment by the generative model (only when one is configured)."""
        if self.backend == "extractive":
            return None
        return self._answerer().entails(sentence, quote)

    def close(self) -> None:
        """Stop the local model server, if this assistant started one."""
        if self._local is not None:
            self._local.stop()
            self._local = None
            self._generative = None

    def ensure_seeded(self, seeds_dir: Path | None = None) -> int:
        """Ingest the seed articles when the library is empty. Returns articles added."""
        if self.store.count_articles():
            return 0
        from ingest.loaders import TEXT_SUFFIXES
        from ingest.pipeline import ingest_paths

        folder = seeds_dir or self.settings.seeds_dir
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in TEXT_SUFFIXES)
        report = ingest_paths(files, self.store, self.embedder, self.settings)
        for path, reason in report.failed:
            log.warning("seed %s not ingested: %s", path, reason)
        return report.added

    def standalone_query(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The query retrieval uses: the question itself, or a rewrite of a follow-up."""
        query = " ".join(question.split())
        if not history or not leans_on_context(query):
            return query
        if self.backend == "extractive":
            return carry_over(query, history[-1].query)
        return self._answerer().rewrite(query, [(t.question, t.answer) for t in history])

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> Iterator[StreamEvent]:
        """Answer ``question`` (a follow-up of ``history``), within ``filters``, as asked on ``as_of``.

        Relative dates in the question ("this week", "in June") resolve against ``as_of`` (default: today) into
        a window that boosts passages published in it; coverage published shortly before ``as_of`` is preferred
        (the recency prior) and later coverage demoted; articles without a date are kept.
        """
        started = time.perf_counter()
        query = self.standalone_query(question, history)
        rewritten = time.perf_counter()
        as_of = as_of or date.today()
        scope = Scope(filters, resolve_window(query, as_of), as_of)
        if self.backend == "extractive":
            events = self._stream_extractive(question, query, scope)
        else:
            events = self._stream_generative(question, query, scope)
        for event in events:
            if isinstance(event, AnswerEvent):
                timings = {**event.answer.timings, "rewrite_ms": (rewritten - started) * 1000}
                timings["total_ms"] = (time.perf_counter() - started) * 1000
                changes = {"timings": timings, "as_of": as_of, "date_window": scope.window}
                event = AnswerEvent(_with(event.answer, **changes))
            yield event

    def _stream_extractive(self, question: str, query: str, scope: Scope) -> Iterator[StreamEvent]:
        t0 = time.perf_counter()
        passages = self.retriever.retrieve(query, **scope.retrieval())
        t1 = time.perf_counter()
        yield PassagesEvent(tuple(passages))
        draft: Composition = self._extractive.compose(query, passages)
        if not draft.abstained and (stale := off_window_reason(scope.window, draft.citations)):
            draft = Composition(stale, (Sentence(stale),), (), True, stale)
        if not draft.abstained and self.settings.grounding_check:
            sentences, citations = self._checker.annotate(draft.sentences, draft.citations)
            draft = Composition(draft.text, sentences, citations, False)
        for i, sentence in enumerate(draft.sentences):
            yield TextEvent(sentence.text if i == 0 else " " + sentence.text)
        timings = {"retrieve_ms": (t1 - t0) * 1000, "answer_ms": (time.perf_counter() - t1) * 1000}
        yield AnswerEvent(
            Answer(
                question=question,
                text=draft.text,
                citations=draft.citations,
                passages=tuple(passages),
                sentences=draft.sentences,
                abstained=draft.abstained,
                abstain_reason=draft.reason,
                backend="extractive",
                query=query,
                timings=timings,
            )
        )

    def _stream_generative(self, question: str, query: str, scope: Scope) -> Iterator[StreamEvent]:
        t0 = time.perf_counter()
        passages: list[Passage] = []
        pieces: list[str] = []
        first_token: float | None = None
        for item in self._answerer().stream(question, query, scope.retrieval()):
            if isinstance(item, list):
                passages = item
                yield PassagesEvent(tuple(passages))
                if not passages:
                    break  # nothing to ground an answer on: never ask the model to improvise
            else:
                first_token = first_token or time.perf_counter()
                pieces.append(item)
                yield TextEvent(item)
        answer = self._parsed(question, query, "".join(pieces), passages, t0, first_token)
        if not answer.abstained and (stale := off_window_reason(scope.window, answer.citations)):
            answer = self._abstention(question, query, stale, passages, answer.timings)
        yield AnswerEvent(answer)

    def _abstention(
        self, question: str, query: str, reason: str, passages: list[Passage], timings: dict[str, float], **extra: int
    ) -> Answer:
        return Answer(
            question=question,
            text=reason,
            passages=tuple(passages),
            sentences=(Sentence(reason),),
            abstained=True,
            abstain_reason=reason,
            backend=self.backend,
            query=query,
            timings=timings,
            **extra,  # type: ignore[arg-type]
        )

    def _parsed(
        self, question: str, query: str, raw: str, passages: list[Passage], t0: float, first_token: float | None
    ) -> Answer:
        timings = {"answer_ms": (time.perf_counter() - t0) * 1000}
        if first_token is not None:
            timings["first_token_ms"] = (first_token - t0) * 1000
        if not passages or not raw.strip():
            reason = NO_PASSAGES if not passages else "The model returned an empty answer."
            return self._abstention(question, query, reason, passages, timings)
        parsed = parse_answer(raw, passages)
        sentences, citations = parsed.sentences, parsed.citations
        repaired = dropped = 0
        if not parsed.abstained and self.settings.grounding_check:
            checked = self._checker.check(sentences, passages, self.settings.grounding_unsupported == "drop")
            sentences, citations = checked.sentences, checked.citations
            repaired, dropped = checked.repaired, checked.dropped
            if not sentences:
                reason = "The sources don't support an answer to this." + closest_coverage(passages)
                extra = {"dropped_markers": parsed.dropped_markers, "dropped_sentences": dropped}
                return self._abstention(question, query, reason, passages, timings, **extra)
        reason = parsed.text if parsed.abstained else ""
        return Answer(
            question=question,
            text=" ".join(s.text for s in sentences),
            citations=citations,
            passages=tuple(passages),
            sentences=sentences,
            abstained=parsed.abstained,
            abstain_reason=reason,
            backend=self.backend,
            query=query,
            dropped_markers=parsed.dropped_markers,
            repaired_sentences=repaired,
            dropped_sentences=dropped,
            timings=timings,
        )

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> Answer:
        for event in self.stream(question, history, filters=filters, as_of=as_of):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("stream ended without an answer")  # pragma: no cover

    def conversation(self) -> Conversation:
        return Conversation(self)


class Conversation:
    """A chat that remembers: each follow-up is answered in the context of the turns before it."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.turns: list[Turn] = []

    def stream(self, question: str) -> Iterator[StreamEvent]:
        for event in self.assistant.stream(question, self.turns):
            if isinstance(event, AnswerEvent):
                self.turns.append(Turn(question, event.answer.query, event.answer.text))
            yield event

    def ask(self, question: str) -> Answer:
        for event in self.stream(question):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("stream ended without an answer")  # pragma: no cover


def shown_url(url: str) -> str:
    """An endpoint URL fit to show or log: no user name, password, query or fragment (keys travel there)."""
    if not url:
        return "api.openai.com"
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    with contextlib.suppress(ValueError):  # an out-of-range port: leave it out
        netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _with(answer: Answer, **changes: Any) -> Answer:
    from dataclasses import replace

    return replace(answer, **changes)


_default: Assistant | None = None


def answer(question: str) -> Answer:
    """Answer ``question`` with the default assistant (settings from the environment)."""
    global _default
    if _default is None:
        _default = Assistant.from_settings()
        _default.ensure_seeded()
    return _default.answer(question)
