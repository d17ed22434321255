"""Agreement of the grounding check with hand labels on SmolLM2-135M answers to the seed questions.

``tests/fixtures/smollm2_labels.jsonl``: sentences the local model wrote (with the grounding check off),
the passages it was given (chunk ids of the seed article, with their ranks) and a human label: "supported"
(every fact in the sentence is in those passages) or "unsupported". The check must catch (drop, or mark
unsupported) at least 90 % of the unsupported sentences; how many supported ones it keeps is reported with
the run's figures.
"""

import json
from typing import Any

import pytest

from assistant.answering.grounding import UNSUPPORTED, GroundingChecker
from assistant.core.settings import REPO_ROOT
from assistant.core.types import Passage, Sentence
from ingest.chunking import chunk_article
from ingest.loaders import load_file
from tests.conftest import MEASURED, SEED_ARTICLE

LABELS = REPO_ROOT / "tests" / "fixtures" / "smollm2_labels.jsonl"


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labelled_sample_is_well_formed() -> None:
    rows = _rows()
    assert len({r["question_id"] for r in rows}) >= 20
    assert {r["label"] for r in rows} <= {"supported", "unsupported"}


def test_check_agrees_with_the_hand_labels(embedder: Any) -> None:
    (article,) = load_file(SEED_ARTICLE).articles
    chunks = {c.id: c for c in chunk_article(article)}
    checker = GroundingChecker(embedder)
    caught = missed = kept = wrongly_dropped = 0
    for row in _rows():
        passages = [Passage(chunks[cid], 0.5, rank) for cid, rank in row["passages"] if cid in chunks]
        checked = checker.check([Sentence(row["sentence"], tuple(row["cited"]))], passages, drop_unsupported=False)
        flagged = checked.sentences[0].verdict == UNSUPPORTED
        if row["label"] == "unsupported":
            caught += flagged
            missed += not flagged
        else:
            kept += not flagged
            wrongly_dropped += flagged
    MEASURED["grounding vs hand labels (SmolLM2, 20 answers)"] = (
        f"unsupported caught {caught}, missed {missed}; supported kept {kept}, wrongly flagged {wrongly_dropped}"
    )
    # measured: 43 of 47 caught; the misses reuse the passage's words in a false relation ("the US had warned …
    # serious difficulties" where China warned), which word and embedding overlap cannot see: an NLI judge can
    assert caught + missed >= 40
    assert caught >= 0.9 * (caught + missed)


@pytest.mark.parametrize("label", ["supported", "unsupported"])
def test_labels_cover_both_classes_or_say_so(label: str) -> None:
    counts = sum(r["label"] == label for r in _rows())
    assert counts > 0, f"no {label} sentence in the labelled sample"
