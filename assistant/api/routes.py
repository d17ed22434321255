"""``/api/…``: answers (whole or as server-sent events), the caller's saved conversations and the analyst's views
(the library is :mod:`assistant.api.library`). Every route names its caller (:func:`assistant.api.auth.caller`);
blocking work runs in FastAPI's thread pool, never on the event loop."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse

from assistant.api.deps import Served, Who
from assistant.api.errors import translate
from assistant.api.schemas import (
    AnswerRequest,
    AnswerResponse,
    ConversationOut,
    ConversationsOut,
    ErrorBody,
    FiltersIn,
    TurnOut,
    answer_out,
    passage_out,
)
from assistant.core.errors import AttacheError, ConversationNotFound
from assistant.core.types import AnswerEvent, PassagesEvent, TextEvent
from assistant.history.records import ConversationRecord

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in ((401, "not signed in"), (404, "no such thing for this caller"), (422, "invalid request"))
}
router = APIRouter(prefix="/api", responses=ERRORS)


# -- answers ------------------------------------------------------------------------------------------------------


@router.post("/answer", response_model=AnswerResponse, tags=["answers"])
def answer(body: AnswerRequest, who: Who, assistant: Served) -> AnswerResponse:
    """Answer a question with citations (a follow-up when ``conversation_id`` names the caller's conversation)."""
    conversation = assistant.conversation(body.conversation_id, user=who.name, save=body.save)
    filters = body.filters.to_filters() if body.filters else None
    result = conversation.ask(body.question, filters=filters, as_of=body.as_of)
    return AnswerResponse(conversation_id=conversation.id, answer=answer_out(result))


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(jsonable_encoder(data), ensure_ascii=False)}\n\n"


@router.post(
    "/answer/stream",
    tags=["answers"],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "passages, text…, answer (or error)"}},
)
def answer_stream(body: AnswerRequest, who: Who, assistant: Served) -> StreamingResponse:
    """The answer as server-sent events: ``passages`` (the numbered sources, first), ``text`` (``{"delta"}`` pieces
    in order), then ``answer`` (what ``POST /api/answer`` returns); ``error`` (``{"error": {code, message}}``) if
    it fails on the way."""
    conversation = assistant.conversation(body.conversation_id, user=who.name, save=body.save)  # 404 before 200
    filters = body.filters.to_filters() if body.filters else None

    def events() -> Iterator[str]:
        try:
            for event in conversation.stream(body.question, filters=filters, as_of=body.as_of):
                match event:
                    case PassagesEvent(passages):
                        yield sse("passages", {"passages": [passage_out(p) for p in passages]})
                    case TextEvent(delta):
                        yield sse("text", {"delta": delta})
                    case AnswerEvent(result):
                        yield sse("answer", AnswerResponse(conversation_id=conversation.id, answer=answer_out(result)))
        except AttacheError as exc:
            yield sse("error", translate(exc).body())

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


# -- saved conversations ------------------------------------------------------------------------------------------


def conversation_out(record: ConversationRecord) -> ConversationOut:
    return ConversationOut(
        id=record.id,
        title=record.title,
        created_at=record.created_at,
        updated_at=record.updated_at,
        backend=record.backend,
        n_turns=record.n_turns or len(record.turns),
        turns=[TurnOut(question=t.question, answer=answer_out(t.answer)) for t in record.turns],
    )


@router.get("/conversations", response_model=ConversationsOut, tags=["conversations"])
def conversations(
    who: Who, assistant: Served, q: str = "", limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> ConversationsOut:
    """The caller's saved conversations, newest first (``q``: their questions and answers contain it)."""
    found = assistant.history.list(who.name, search=q, limit=limit)
    return ConversationsOut(conversations=[conversation_out(r) for r in found])


@router.get("/conversations/{conversation_id}", response_model=ConversationOut, tags=["conversations"])
def conversation(conversation_id: str, who: Who, assistant: Served) -> ConversationOut:
    """One of the caller's conversations with every turn (another user's is 404, as if it did not exist)."""
    record = assistant.history.get(who.name, conversation_id)
    if record is None:
        raise translate(ConversationNotFound(conversation_id))
    return conversation_out(record)


@router.delete("/conversations/{conversation_id}", status_code=204, tags=["conversations"])
def delete_conversation(conversation_id: str, who: Who, assistant: Served) -> Response:
    if assistant.history.get(who.name, conversation_id) is None:
        raise translate(ConversationNotFound(conversation_id))
    assistant.history.delete(who.name, conversation_id)
    return Response(status_code=204)


# -- the analyst's views ------------------------------------------------------------------------------------------


def _view_filters(outlet: list[str] | None, date_from: date | None, date_to: date | None) -> Any:
    return FiltersIn(outlets=outlet or [], date_from=date_from, date_to=date_to).to_filters()


Outlets = Annotated[list[str] | None, Query(description="Any of these outlets (repeat the parameter).")]


@router.get("/quotes", tags=["views"])
def quotes(
    who: Who,
    assistant: Served,
    speaker: str | None = None,
    about: str | None = None,
    outlet: Outlets = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Who said what: direct quotations, verbatim at their article offsets, by ``speaker`` and on ``about``."""
    found = assistant.quotes(speaker, about, _view_filters(outlet, date_from, date_to), as_of)
    return {"quotes": jsonable_encoder([dataclasses.asdict(q) for q in found])}


@router.get("/timeline", tags=["views"])
def timeline(
    who: Who,
    assistant: Served,
    q: str | None = None,
    outlet: Outlets = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Dated events in day order (on ``q`` when given), each with the articles that report it."""
    found = assistant.timeline(q, _view_filters(outlet, date_from, date_to), as_of)
    return {"events": jsonable_encoder([dataclasses.asdict(e) for e in found])}


@router.get("/coverage", tags=["views"])
def coverage(
    who: Who,
    assistant: Served,
    q: Annotated[str, Query(min_length=1)],
    outlet: Outlets = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """How each outlet covered the story ``q`` is about, first to report first."""
    found = assistant.coverage(q, _view_filters(outlet, date_from, date_to), as_of)
    return {"coverage": jsonable_encoder(dataclasses.asdict(found))}
