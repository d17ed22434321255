"""An OpenAI-compatible endpoint, so any OpenAI client or chat front end (Open WebUI, LibreChat, the ``openai``
SDK) can use Attaché as a model: ``GET /v1/models`` and ``POST /v1/chat/completions``, streaming and not.

The last user message is the question; earlier user/assistant pairs are the conversation it follows up. The reply
is the cited answer with its ``[n]`` markers and a trailing "Sources" list in the text (so a plain chat window shows
them), and the structured citations travel beside it in the documented extra field ``attache`` (the final chunk's,
when streaming): ``{"citations": [...], "sentences": [...], "abstained", "confidence", ...}``, the same objects
``POST /api/answer`` returns. Sampling parameters are accepted and ignored: the answer is grounded, not sampled.
Options of ours ride in ``attache`` of the request: ``{"filters": {...}, "as_of": "YYYY-MM-DD"}``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.answering.assistant import Assistant
from assistant.answering.conversation import Turn
from assistant.api.deps import Served, Who
from assistant.api.errors import ApiError, translate
from assistant.api.schemas import ErrorBody, FiltersIn, answer_out
from assistant.core.errors import AttacheError
from assistant.core.types import Answer, AnswerEvent, TextEvent

MODEL = "attache"
SOURCES = "\n\nSources:\n"
router = APIRouter(prefix="/v1", tags=["openai"], responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}})


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filters: FiltersIn | None = None
    as_of: date | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, …: accepted, not used
    model: str = MODEL
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    attache: Options | None = None


def _question_and_history(messages: list[Message]) -> tuple[str, list[Turn]]:
    """The last user message, and the user → assistant exchanges before it (their Sources lists cut off)."""
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users or not messages[users[-1]].text.strip():
        raise ApiError(422, "messages: the last user message is the question, and there is none", "invalid_request")
    last = users[-1]
    history: list[Turn] = []
    for i in users[:-1]:
        reply = next((m for m in messages[i + 1 : last] if m.role == "assistant"), None)
        if reply is not None:
            question = messages[i].text.strip()
            history.append(Turn(question, question, reply.text.split(SOURCES, 1)[0].strip()))
    return messages[last].text.strip(), history


def _short(quote: str, limit: int = 300) -> str:
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def sources_text(answer: Answer) -> str:
    """The trailing "Sources" list: each cited passage once, by its marker, with outlet, date and URL, then every
    quote of it the answer uses."""
    if not answer.citations:
        return ""
    lines = []
    for number in sorted({c.number for c in answer.citations}):
        cites = [c for c in answer.citations if c.number == number]
        chunk = cites[0].passage.chunk
        where = ", ".join(x for x in (chunk.outlet, str(chunk.published or ""), chunk.url) if x)
        lines.append(f"[{number}] {chunk.title or chunk.article_id}" + (f" ({where})" if where else ""))
        lines += [f'    "{_short(quote)}"' for quote in dict.fromkeys(c.quote for c in cites)]
    return SOURCES + "\n".join(lines)


def _check_model(name: str) -> None:
    if name != MODEL:
        raise ApiError(404, f"the model {name!r} does not exist: use {MODEL!r} (GET /v1/models)", "model_not_found")


@router.get("/models")
def models(who: Who) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "attache"}],
    }


def _usage(question: str, text: str) -> dict[str, int]:
    prompt, completion = len(question.split()), len(text.split())  # words: a rough count, no tokenizer here
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


@router.post("/chat/completions")
def chat_completions(body: ChatRequest, assistant: Served, who: Who) -> Any:
    """The cited answer to the last user message, as an OpenAI chat completion (``stream``: chunks as SSE)."""
    _check_model(body.model)
    question, history = _question_and_history(body.messages)
    options = body.attache or Options()
    filters = options.filters.to_filters() if options.filters else None
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        events = _stream(assistant, question, history, filters, options.as_of, ident, created)
        return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-store"})
    answer = assistant.stream(question, history, filters, as_of=options.as_of).answer()
    text = answer.text + sources_text(answer)
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _usage(question, text),
        "attache": jsonable_encoder(answer_out(answer)),
    }


def _chunk(ident: str, created: int, delta: dict[str, str], finish: str | None = None, **extra: Any) -> str:
    body = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(jsonable_encoder(body), ensure_ascii=False)}\n\n"


def _stream(
    assistant: Assistant,
    question: str,
    history: list[Turn],
    filters: Any,
    as_of: date | None,
    ident: str,
    created: int,
) -> Iterator[str]:
    yield _chunk(ident, created, {"role": "assistant", "content": ""})
    try:
        for event in assistant.stream(question, history, filters, as_of=as_of):
            if isinstance(event, TextEvent) and event.delta:
                yield _chunk(ident, created, {"content": event.delta})
            elif isinstance(event, AnswerEvent):
                answer = event.answer
                if tail := sources_text(answer):
                    yield _chunk(ident, created, {"content": tail})
                yield _chunk(ident, created, {}, "stop", attache=answer_out(answer))
    except AttacheError as exc:
        yield f"data: {json.dumps(translate(exc).body())}\n\n"
    yield "data: [DONE]\n\n"
