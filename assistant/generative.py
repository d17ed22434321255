"""The generative path as an LCEL chain (langchain-core):

    {question, query} → .assign(passages=retrieve) → .assign(sources=numbered, trimmed to the context)
                      → .assign(answer=prompt | chat model | text) → citation parsing

Sources are passed as data inside ``<source>`` tags; the prompt (``prompts/answer.md``) says they are never
instructions. The chain's ``stream()`` yields the passages first, then the answer token by token.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from assistant.config import Settings
from assistant.errors import BackendResponseError
from assistant.models import translate_llm_error
from assistant.prompts import load_prompt
from assistant.tokens import count_tokens
from assistant.types import Passage

Retrieve = Callable[..., list[Passage]]  # (query, filters=, window=, as_of=) → passages
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


def fit_to_context(passages: list[Passage], question: str, settings: Settings) -> list[Passage]:
    """Keep the best-ranked passages whose sources fit the model's context window."""
    budget = settings.llm_context_tokens - settings.llm_max_tokens - _SAFETY_TOKENS
    budget -= count_tokens(load_prompt("answer")) + count_tokens(question)
    kept: list[Passage] = []
    for passage in sorted(passages, key=lambda p: p.rank):
        cost = count_tokens(format_source(passage)) + 2
        if cost > budget:
            break
        kept.append(passage)
        budget -= cost
    return kept


def build_chain(chat_model: Any, retrieve: Retrieve, settings: Settings) -> Runnable[dict[str, Any], dict[str, Any]]:
    prompt = ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer")), ("human", "Question: {question}\nAnswer:")]
    )

    def passages(x: dict[str, Any]) -> list[Passage]:
        return fit_to_context(retrieve(x["query"], **x.get("scope", {})), x["question"], settings)

    def sources(x: dict[str, Any]) -> str:
        return "\n".join(format_source(p) for p in x["passages"])

    chain: Runnable[dict[str, Any], dict[str, Any]] = (
        RunnablePassthrough.assign(passages=RunnableLambda(passages))
        .assign(sources=RunnableLambda(sources))
        .assign(answer=prompt | chat_model)  # message chunks: the last one carries the finish reason
    )
    return chain


class GenerativeAnswerer:
    """Runs the chain and turns its stream into (passages, text deltas)."""

    def __init__(self, chat_model: Any, retrieve: Retrieve, settings: Settings) -> None:
        self._model = chat_model
        self._settings = settings
        self._chain = build_chain(chat_model, retrieve, settings)

    def stream(self, question: str, query: str, scope: dict[str, Any] | None = None) -> Iterator[list[Passage] | str]:
        """Yields the passages (once, first), then answer text pieces. ``scope``: retrieval keyword arguments.

        A stream that ends without a finish reason was cut off (the connection closed mid-answer): that is a
        :class:`BackendResponseError`, never a silently shortened answer.
        """
        finished, received = False, 0
        try:
            for chunk in self._chain.stream({"question": question, "query": query, "scope": scope or {}}):
                if "passages" in chunk:
                    yield list(chunk["passages"])
                if (piece := chunk.get("answer")) is not None:
                    finished = finished or bool(piece.response_metadata.get("finish_reason"))
                    if text := piece.text:
                        received += len(text)
                        yield text
        except Exception as exc:
            raise translate_llm_error(exc) from exc
        if not finished:
            raise BackendResponseError(f"the model endpoint's answer was cut off after {received} characters")

    def entails(self, sentence: str, quote: str) -> bool | None:
        """The model's yes/no on whether ``quote`` supports ``sentence`` (None when it answers neither)."""
        prompt = load_prompt("entailment").format(passage=quote, sentence=sentence)
        try:
            reply = str(getattr(self._model.invoke(prompt), "content", "")).strip().lower()
        except Exception as exc:
            raise translate_llm_error(exc) from exc
        if reply.startswith("yes"):
            return True
        if reply.startswith("no"):
            return False
        return None

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        """A standalone version of a follow-up question (small prompt, no streaming)."""
        lines = [f"User: {q}\nAssistant: {a[:300]}" for q, a in history[-3:]]
        prompt = load_prompt("rewrite").format(history="\n".join(lines), question=question)
        try:
            reply = self._model.invoke(prompt)
        except Exception as exc:
            raise translate_llm_error(exc) from exc
        text = str(getattr(reply, "content", reply)).strip().split("\n")[0].strip().strip('"')
        return text if 3 <= len(text) <= 400 else question
