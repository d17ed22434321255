"""The held-out set (seeds/eval/outside/) is well formed against the shared articles it names.

It is measured, never tuned on (docs/evaluation.md), so nothing gates on its figures; what is checked here is that
a reader can trust it: every key fact is an exact span of its article, every gold span holds one, ids are unique
and a question is answerable exactly when it has key facts. Skipped without ../shared/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from assistant.evaluate.library import SHARED_POOL, library_ids, shared_records
from assistant.evaluate.questions import load_questions

SET = REPO_ROOT / "seeds" / "eval" / "outside"

pytestmark = pytest.mark.skipif(not SHARED_POOL.is_file(), reason=f"the shared article pool is absent ({SHARED_POOL})")


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _items() -> list[dict[str, Any]]:
    questions = _records(SET / "questions.jsonl")
    turns = [turn for conv in _records(SET / "conversations.jsonl") for turn in conv["turns"]]
    return questions + turns


def test_every_key_fact_is_a_span_of_its_article() -> None:
    ids = library_ids(SET / "library.tsv")
    texts = {i: json.loads(line)["text"] for i, line in shared_records(ids, named_by="outside").items()}
    assert len(texts) == 4
    for item in _items():
        facts = item["key_facts"]
        assert bool(facts) == item["answerable"], item["question"]
        if not facts:
            assert not item["gold_spans"], item["question"]
            continue
        text = texts[item["article"]]
        for fact in facts:
            assert fact in text, (item["question"], fact)
        for start, end in item["gold_spans"]:
            assert any(fact in text[start:end] for fact in facts), (item["question"], start, end)


def test_ids_are_unique_and_the_loader_reads_both_files() -> None:
    questions = load_questions(SET / "questions.jsonl")
    turns = load_questions(SET / "conversations.jsonl")
    assert len(questions) == 48 and len(turns) == 48
    assert len({q.id for q in questions}) == 48
    assert len({c["id"] for c in _records(SET / "conversations.jsonl")}) == 12
    assert {q.split for q in questions} == {"tune", "test"}
