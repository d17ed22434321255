"""The held-out set (seeds/eval/outside/) and the extra sets (seeds/eval/extra/, seeds/eval/more/) are well formed
against the shared articles they name.

The held-out set is measured, never tuned on; the extra sets (written 2026-12-04, fifth and sixth sessions) are
split into tune and test halves like seeds/eval and gated on nothing yet (docs/evaluation.md). What is checked
here is that a reader can trust them: every key fact is an exact span of its article, every gold span holds one,
ids are unique, a question is answerable exactly when it has key facts, and each half has items. Skipped
without ../shared/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from assistant.evaluate.library import SHARED_POOL, library_ids, shared_records
from assistant.evaluate.questions import load_questions

SETS = [REPO_ROOT / "seeds" / "eval" / name for name in ("outside", "extra", "more")]

pytestmark = [
    pytest.mark.skipif(not SHARED_POOL.is_file(), reason=f"the shared article pool is absent ({SHARED_POOL})"),
    pytest.mark.parametrize("folder", SETS, ids=[s.name for s in SETS]),
]


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _items(folder: Path) -> list[dict[str, Any]]:
    questions = _records(folder / "questions.jsonl")
    turns = [turn for conv in _records(folder / "conversations.jsonl") for turn in conv["turns"]]
    return questions + turns


def test_every_key_fact_is_a_span_of_its_article(folder: Path) -> None:
    ids = library_ids(folder / "library.tsv")
    texts = {i: json.loads(line)["text"] for i, line in shared_records(ids, named_by=folder.name).items()}
    assert len(texts) == 4
    for item in _items(folder):
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


def test_ids_are_unique_and_the_loader_reads_both_files(folder: Path) -> None:
    questions = load_questions(folder / "questions.jsonl")
    turns = load_questions(folder / "conversations.jsonl")
    assert len(questions) == 48 and len(turns) == 48
    assert len({q.id for q in questions}) == 48
    assert len({c["id"] for c in _records(folder / "conversations.jsonl")}) == 12
    assert {q.split for q in questions} == {"tune", "test"}
    assert {q.split for q in turns} == {"tune", "test"}
