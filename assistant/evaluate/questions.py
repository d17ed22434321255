"""Question sets: Attaché's JSONL format (single questions and multi-turn conversations), and the shared
RealTime QA files mapped onto it.

A conversation record (``{"id", "as_of", "turns": [...]}``) becomes one :class:`EvalQuestion` per turn, with
``conversation`` and ``turn`` set; the runner asks them in order within one conversation.

Every question falls in the ``tune`` or the ``test`` half by a fixed rule on its id (a conversation's turns
by the conversation's id): :func:`split_of`. Rules and thresholds are changed by looking at ``tune`` only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, replace
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
    min_key_facts: int | None = None  # a list or summary passes with this many key facts; None: all of them
    article: str = ""  # the article the question is about (a doc id of the library, or "seed")
    conversation: str = ""  # the conversation this turn belongs to ("" for a single question)
    turn: int = 0  # 1-based turn in its conversation

    @property
    def split(self) -> str:
        return split_of(self.conversation or self.id)

    @property
    def required_facts(self) -> int:
        """How many key facts a passing answer states."""
        if self.min_key_facts is None:
            return len(self.key_facts)
        return min(self.min_key_facts, len(self.key_facts))


def split_of(key: str) -> str:
    """``tune`` or ``test``, fixed by the id alone (SHA-1 parity), so neither half is chosen by its results."""
    return "tune" if int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


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
        min_key_facts=record.get("min_key_facts"),
        article=str(record.get("article") or ""),
    )


def from_conversation(record: dict[str, Any]) -> list[EvalQuestion]:
    """A conversation record → its turns, in order (ids ``<conversation>#<n>``)."""
    conversation, as_of = str(record["id"]), record.get("as_of")
    turns = []
    for number, turn in enumerate(record["turns"], start=1):
        question = from_record({"as_of": as_of, **turn, "id": f"{conversation}#{number}"})
        turns.append(replace(question, conversation=conversation, turn=number))
    return turns


def load_questions(path: Path) -> list[EvalQuestion]:
    """Every question in a ``.jsonl`` (or ``.jsonl.gz``) file; a bad line is an error, not a skip."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    questions: list[EvalQuestion] = []
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                        if "turns" in record:
                            questions.extend(from_conversation(record))
                        else:
                            questions.append(from_record(record))
                    except (ValueError, KeyError, TypeError) as exc:
                        raise ConfigError(f"{path}:{number}: not a question record ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read question set {path}: {exc}") from exc
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: question ids are not unique")
    return questions
