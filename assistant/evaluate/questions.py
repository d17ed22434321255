"""Question sets: Attaché's JSONL format, and the shared RealTime QA files mapped onto it."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One row of a question set (see README, "Question-set format")."""

    id: str
    question: str
    answerable: bool = True
    reference_answer: str = ""
    key_facts: tuple[str, ...] = ()
    as_of: date | None = None
    gold_article_ids: tuple[str, ...] = ()
    gold_quotes: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    answer_index: int | None = None
    type: str = ""


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def from_record(record: dict[str, Any]) -> EvalQuestion:
    """Attaché's own format, or a RealTime QA record (``uid`` + ``answer_text``)."""
    if "uid" in record and "answer_text" in record:
        return EvalQuestion(
            id=str(record["uid"]),
            question=str(record["question"]),
            # the answer string occurs in a retrieved article: the benchmark's answerable subset
            answerable=bool(record.get("answer_in_retrieved_text", True)),
            reference_answer=str(record["answer_text"]),
            key_facts=(str(record["answer_text"]),),
            as_of=_date(record.get("as_of")),
            choices=tuple(str(c) for c in record.get("choices") or ()),
            answer_index=record.get("answer_index"),
            type=str(record.get("question_source") or "realtimeqa"),
        )
    return EvalQuestion(
        id=str(record["id"]),
        question=str(record["question"]),
        answerable=bool(record.get("answerable", True)),
        reference_answer=str(record.get("reference_answer") or ""),
        key_facts=tuple(str(k) for k in record.get("key_facts") or ()),
        as_of=_date(record.get("as_of")),
        gold_article_ids=tuple(str(a) for a in record.get("gold_article_ids") or ()),
        gold_quotes=tuple(str(q) for q in record.get("gold_quotes") or ()),
        choices=tuple(str(c) for c in record.get("choices") or ()),
        answer_index=record.get("answer_index"),
        type=str(record.get("type") or ""),
    )


def load_questions(path: Path) -> list[EvalQuestion]:
    """Every question in a ``.jsonl`` (or ``.jsonl.gz``) file; a bad line is an error, not a skip."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    questions: list[EvalQuestion] = []
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        questions.append(from_record(json.loads(line)))
                    except (ValueError, KeyError, TypeError) as exc:
                        raise ConfigError(f"{path}:{number}: not a question record ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read question set {path}: {exc}") from exc
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: question ids are not unique")
    return questions
