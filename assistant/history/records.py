"""What a saved conversation holds, and the small explicit JSON codec for the :class:`Answer` it keeps.

Each turn stores its whole :class:`~assistant.core.types.Answer` (text, citations with quotes and spans,
the passages shown as sources, sentences with their verdicts, as-of date, date window, refusal rule,
timings) and its :class:`~assistant.core.types.Filters`, so a reopened conversation draws the same chat
and sources panel. The codec names every field it writes: a field added to a type later reads back as its
default from older rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from assistant.core.types import Answer, Chunk, Citation, DateWindow, Filters, Passage, Sentence

TITLE_CHARS = 80
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """One finished exchange as saved: the answer (``answer.question``, ``answer.query``, ``answer.text``)."""

    position: int
    answer: Answer
    filters: Filters | None = None
    created_at: str = ""

    @property
    def question(self) -> str:
        return self.answer.question

    @property
    def query(self) -> str:
        return self.answer.query or self.answer.question


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """A saved conversation: its row, and its turns when read whole (:meth:`ConversationStore.get`)."""

    id: str
    user: str
    title: str
    created_at: str
    updated_at: str
    backend: str = ""
    n_turns: int = 0
    turns: tuple[StoredTurn, ...] = ()


def title_of(question: str) -> str:
    """The first question, whitespace folded, cut at a word boundary to :data:`TITLE_CHARS`."""
    text = " ".join(question.split())
    if len(text) <= TITLE_CHARS:
        return text or "Untitled"
    cut = text[: TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _read_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def chunk_to_json(chunk: Chunk) -> Json:
    """Every field of the chunk (a field added to :class:`Chunk` later is stored too; older rows lack it)."""
    data = {f.name: getattr(chunk, f.name) for f in fields(Chunk)}
    data["published"] = _day(chunk.published)
    return {name: list(value) if isinstance(value, tuple) else value for name, value in data.items()}


def chunk_from_json(data: Json) -> Chunk:
    known = {f.name for f in fields(Chunk)}
    values: Json = {name: tuple(v) if isinstance(v, list) else v for name, v in data.items() if name in known}
    values["published"] = _read_day(data.get("published"))
    return Chunk(**values)


def passage_to_json(passage: Passage) -> Json:
    return {"chunk": chunk_to_json(passage.chunk), "score": passage.score, "rank": passage.rank}


def passage_from_json(data: Json) -> Passage:
    return Passage(chunk_from_json(data["chunk"]), float(data["score"]), int(data["rank"]))


def citation_to_json(citation: Citation) -> Json:
    """A citation names its passage by rank; the passage itself is stored once, with the answer's passages."""
    return {
        "number": citation.number,
        "rank": citation.passage.rank,
        "article_id": citation.passage.chunk.article_id,
        "chunk_id": citation.passage.chunk.id,
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "verdict": citation.verdict,
    }


def sentence_to_json(sentence: Sentence) -> Json:
    return {
        "text": sentence.text,
        "citations": list(sentence.citations),
        "verdict": sentence.verdict,
        "support": sentence.support,
        "answers": sentence.answers,
        "outlets": list(sentence.outlets),
    }


def sentence_from_json(data: Json) -> Sentence:
    return Sentence(
        data["text"],
        tuple(data.get("citations", ())),
        data.get("verdict", ""),
        data.get("support", 0.0),
        data.get("answers"),
        tuple(data.get("outlets", ())),
    )


def window_to_json(window: DateWindow | None) -> Json | None:
    if window is None:
        return None
    return {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "phrase": window.phrase,
        "recent": window.recent,
    }


def window_from_json(data: Json | None) -> DateWindow | None:
    if not data:
        return None
    return DateWindow(
        date.fromisoformat(data["start"]),
        date.fromisoformat(data["end"]),
        data.get("phrase", ""),
        bool(data.get("recent", False)),
    )


def filters_to_json(filters: Filters | None) -> Json | None:
    if filters is None or filters.empty:
        return None
    return {
        "outlets": list(filters.outlets),
        "date_from": _day(filters.date_from),
        "date_to": _day(filters.date_to),
        "article_ids": list(filters.article_ids),
    }


def filters_from_json(data: Json | None) -> Filters | None:
    if not data:
        return None
    return Filters(
        tuple(data.get("outlets", ())),
        _read_day(data.get("date_from")),
        _read_day(data.get("date_to")),
        tuple(data.get("article_ids", ())),
    )


def answer_to_json(answer: Answer) -> Json:
    """Everything the chat, the sources panel and the CLI show of an answer."""
    passages = {p.rank: p for p in answer.passages}
    extra = [c.passage for c in answer.citations if passages.get(c.passage.rank) is not c.passage]
    return {
        "question": answer.question,
        "text": answer.text,
        "query": answer.query,
        "backend": answer.backend,
        "passages": [passage_to_json(p) for p in answer.passages],
        "cited_elsewhere": [passage_to_json(p) for p in extra],  # a cited passage not among ``passages``
        "citations": [citation_to_json(c) for c in answer.citations],
        "sentences": [sentence_to_json(s) for s in answer.sentences],
        "abstained": answer.abstained,
        "abstain_reason": answer.abstain_reason,
        "refusal_rule": answer.refusal_rule,
        "dropped_markers": answer.dropped_markers,
        "as_of": _day(answer.as_of),
        "date_window": window_to_json(answer.date_window),
        "repaired_sentences": answer.repaired_sentences,
        "dropped_sentences": answer.dropped_sentences,
        "timings": dict(answer.timings),
    }


def answer_from_json(data: Json) -> Answer:
    passages = tuple(passage_from_json(p) for p in data.get("passages", ()))
    by_chunk = {(p.rank, p.chunk.id): p for p in passages}
    for extra in data.get("cited_elsewhere", ()):
        passage = passage_from_json(extra)
        by_chunk.setdefault((passage.rank, passage.chunk.id), passage)
    citations = tuple(
        Citation(
            c["number"], by_chunk[(c["rank"], c["chunk_id"])], c["quote"], c["start"], c["end"], c.get("verdict", "")
        )
        for c in data.get("citations", ())
    )
    return Answer(
        question=data["question"],
        text=data["text"],
        citations=citations,
        passages=passages,
        sentences=tuple(sentence_from_json(s) for s in data.get("sentences", ())),
        abstained=bool(data.get("abstained", False)),
        abstain_reason=data.get("abstain_reason", ""),
        refusal_rule=data.get("refusal_rule", ""),
        backend=data.get("backend", "extractive"),
        query=data.get("query", ""),
        dropped_markers=int(data.get("dropped_markers", 0)),
        as_of=_read_day(data.get("as_of")),
        date_window=window_from_json(data.get("date_window")),
        repaired_sentences=int(data.get("repaired_sentences", 0)),
        dropped_sentences=int(data.get("dropped_sentences", 0)),
        timings={k: float(v) for k, v in data.get("timings", {}).items()},
    )
