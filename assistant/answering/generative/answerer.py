"""The generative path as an LCEL chain (langchain-core):

    {question, passages} → .assign(sources=numbered <source> tags) → .assign(answer=prompt | chat model)
                         → citation parsing → grounding check

Retrieval happens before (the assistant's, shared with every backend); :meth:`GenerativeAnswerer.sources` keeps
the passages that fit the model's context. Sources are passed as data inside ``<source>`` tags; the prompt
(``prompts/answer.md``) says they are never instructions. The answer streams token by token.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from assistant.answering.citations import parse_answer
from assistant.answering.conversation import Turn, resolve
from assistant.answering.draft import Draft, DraftStream, Scope, closest_coverage, off_window_reason
from assistant.answering.generative.prompts import load_prompt
from assistant.answering.grounding import GroundingChecker
from assistant.core.errors import BackendResponseError
from assistant.core.settings import Settings
from assistant.core.tokens import count_tokens
from assistant.core.types import Passage
from assistant.models.chat import translate_llm_error
from assistant.models.embedders import Embedder

_SAFETY_TOKENS = 256


def format_source(passage: Passage) -> str:
    chunk = passage.chunk
    attrs = f'id="{passage.rank}" title="{html.escape(chunk.title, quote=True)}"'
    if chunk.outlet:
        attrs += f' outlet="{html.escape(chunk.outlet, quote=True)}"'
    if chunk.published:
        attrs += f' date="{chunk.published.isoformat()}"'
    # the passage is data: neutralise anything that could close the tag early
    body = chunk.text.replace("</source>", "</ source>").replace("<source", "< source")
    return f"<source {attrs}>{body}</source>"


def fit_to_context(passages: Sequence[Passage], question: str, settings: Settings) -> list[Passage]:
    """Keep the best-ranked passages whose sources fit the model's context window."""
    budget = settings.llm.context_tokens - settings.llm.max_tokens - _SAFETY_TOKENS
    budget -= count_tokens(load_prompt("answer")) + count_tokens(question)
    kept: list[Passage] = []
    for passage in sorted(passages, key=lambda p: p.rank):
        cost = count_tokens(format_source(passage)) + 2
        if cost > budget:
            break
        kept.append(passage)
        budget -= cost
    return kept


def build_chain(chat_model: Any) -> Runnable[dict[str, Any], dict[str, Any]]:
    """{question, passages} → the same dict grown by ``sources`` and ``answer`` (streamed message chunks)."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer")), ("human", "Today is {today}.\nQuestion: {question}\nAnswer:")]
    )

    def sources(x: dict[str, Any]) -> str:
        return "\n".join(format_source(p) for p in x["passages"])

    chain: Runnable[dict[str, Any], dict[str, Any]] = RunnablePassthrough.assign(
        sources=RunnableLambda(sources)
    ).assign(answer=prompt | chat_model)  # message chunks: the last one carries the finish reason
    return chain


def _today(as_of: date | None) -> str:
    """The day the question is asked, as the model reads it: "Friday, 2023-06-16"."""
    day = as_of or date.today()
    return f"{day:%A}, {day.isoformat()}"


Connect = Callable[[], Any]
"""Builds the chat model on first use (a local backend starts its server there)."""


class GenerativeAnswerer:
    """Runs the chain on any LangChain chat model; parses ``[n]`` markers into citations and checks each sentence."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        connect: Connect,
        *,
        name: str,
        label: str,
        model_name: str,
        on_close: Callable[[], None] | None = None,
        rewrite_by_rules: bool = False,
    ) -> None:
        self.name = name
        self._rewrite_by_rules = rewrite_by_rules
        self.label = label
        self.model_name = model_name
        self._settings = settings
        self._connect = connect
        self._on_close = on_close
        self._model: Any = None
        self._chain: Runnable[dict[str, Any], dict[str, Any]] | None = None
        self._checker = GroundingChecker(
            embedder, settings.grounding, judge=self.entails if settings.grounding.judge else None
        )

    @property
    def chat_model(self) -> Any:
        if self._model is None:
            self._model = self._connect()
            self._chain = build_chain(self._model)
        return self._model

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
        self._model = self._chain = None

    def sources(self, question: str, passages: Sequence[Passage]) -> list[Passage]:
        return fit_to_context(passages, question, self._settings)

    def stream(self, question: str, query: str, passages: Sequence[Passage], scope: Scope) -> DraftStream:
        """Stream the model's answer, then parse, check and date-check it into a draft."""
        t0 = time.perf_counter()
        pieces: list[str] = []
        first_token: float | None = None
        for piece in self._tokens(question, passages, scope.as_of):
            first_token = first_token or time.perf_counter()
            pieces.append(piece)
            yield piece
        timings = {"answer_ms": (time.perf_counter() - t0) * 1000}
        if first_token is not None:
            timings["first_token_ms"] = (first_token - t0) * 1000
        draft = self._draft("".join(pieces), passages)
        if not draft.abstained and (stale := off_window_reason(scope.window, draft.citations)):
            draft = Draft.refusal(stale, rule="off_window")
        return replace(draft, timings=timings)

    def _tokens(self, question: str, passages: Sequence[Passage], as_of: date | None = None) -> Iterator[str]:
        """The answer's text pieces. A stream that ends without a finish reason was cut off (the connection
        closed mid-answer): that is a :class:`BackendResponseError`, never a silently shortened answer."""
        finished, received = False, 0
        self.chat_model  # noqa: B018 - connect before streaming
        assert self._chain is not None
        try:
            inputs = {"question": question, "passages": list(passages), "today": _today(as_of)}
            for chunk in self._chain.stream(inputs):
                if (piece := chunk.get("answer")) is not None:
                    finished = finished or bool(piece.response_metadata.get("finish_reason"))
                    if text := piece.text:
                        received += len(text)
                        yield text
        except Exception as exc:
            raise translate_llm_error(exc) from exc
        if not finished:
            raise BackendResponseError(f"the model endpoint's answer was cut off after {received} characters")

    def _draft(self, raw: str, passages: Sequence[Passage]) -> Draft:
        if not raw.strip():
            return Draft.refusal("The model returned an empty answer.")
        parsed = parse_answer(raw, list(passages))
        if parsed.abstained or not self._settings.grounding.check:
            return parsed
        drop = self._settings.grounding.unsupported == "drop"
        checked = self._checker.check(parsed.sentences, list(passages), drop)
        if not checked.sentences:
            reason = "The sources don't support an answer to this." + closest_coverage(passages)
            return Draft.refusal(reason, dropped_markers=parsed.dropped_markers, dropped_sentences=checked.dropped)
        return replace(
            parsed,
            text=" ".join(s.text for s in checked.sentences),
            sentences=checked.sentences,
            citations=checked.citations,
            repaired_sentences=checked.repaired,
            dropped_sentences=checked.dropped,
        )

    def entails(self, sentence: str, quote: str) -> bool | None:
        """The model's yes/no on whether ``quote`` supports ``sentence`` (None when it answers neither)."""
        prompt = load_prompt("entailment").format(passage=quote, sentence=sentence)
        try:
            reply = str(getattr(self.chat_model.invoke(prompt), "content", "")).strip().lower()
        except Exception as exc:
            raise translate_llm_error(exc) from exc
        if reply.startswith("yes"):
            return True
        if reply.startswith("no"):
            return False
        return None

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """A standalone version of a follow-up question (small prompt, no streaming; or the offline rules)."""
        if self._rewrite_by_rules:
            return resolve(question, history[-1].query, history[-1].answer)
        lines = [f"User: {t.question}\nAssistant: {t.answer[:300]}" for t in history[-3:]]
        prompt = load_prompt("rewrite").format(history="\n".join(lines), question=question)
        try:
            reply = self.chat_model.invoke(prompt)
        except Exception as exc:
            raise translate_llm_error(exc) from exc
        text = str(getattr(reply, "content", reply)).strip().split("\n")[0].strip().strip('"')
        return text if 3 <= len(text) <= 400 else question
