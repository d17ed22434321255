"""A strong model's answers with planted errors, replayed through the whole generative chain (``bench/replay.py``).

The loopback OpenAI-compatible stub serves hand-written answers about the seed article
(``tests/fixtures/replay/seed_replay.jsonl``); the real chain parses their markers and checks every sentence.
CI gates on the test half only (the tune half chose the checks). Measured on the test half: 51 of 56 correct
sentences kept (91.1%), 30 of 32 planted errors caught (93.8%). The issue's targets are 95% kept and 80% caught;
kept is below target, so its floor is the measured rate less one sentence (89%); caught's floor sits between
the target and the measured rate (85%). ``docs/answering.md`` has the tables.
"""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.grounding import SUPPORTED, UNSUPPORTED, GroundingChecker
from assistant.core.types import Chunk, Passage
from assistant.evaluate.library import SHARED_POOL
from bench.replay import (
    CORRECT,
    DROPPED,
    KINDS,
    SHARED_REPLAY,
    Outcome,
    ReplayItem,
    ReplaySentence,
    load,
    rates,
    replay,
    reply_for,
    seeded_assistant,
)
from tests.conftest import MEASURED
from tests.openai_stub import openai_stub
from tests.test_generative import _assistant

KEPT_FLOOR = 0.92  # test half: 53 of 56 correct kept (94.6%) since the negation-placement fix, 51 before
CAUGHT_FLOOR = 0.85


def test_replay_set_is_well_formed() -> None:
    items = load()  # checks every sentence is one sentence and cites text of the article
    labels = Counter(s.label for item in items for s in item.sentences)
    assert len(items) >= 40 and {item.half for item in items} == {"tune", "test"}
    assert set(labels) == {CORRECT, *KINDS}
    assert 0.55 <= labels[CORRECT] / sum(labels.values()) <= 0.7


def test_test_half_through_the_generative_chain(assistant: Any) -> None:
    items = [item for item in load() if item.half == "test"]
    with openai_stub() as (url, state):
        outcomes = replay(items, _assistant(assistant, url, quote_answers=False), state)  # the model answers all
    measured = rates(outcomes)
    MEASURED["replay, test half"] = f"correct kept {measured['kept']:.1%}, planted caught {measured['caught']:.1%}"
    assert len(state.requests) == len(items)  # one answer request per question: nothing else asked the model
    assert measured["kept"] >= KEPT_FLOOR, measured
    assert measured["caught"] >= CAUGHT_FLOOR, measured


# The same over three shared articles no threshold was chosen on (bench/results/replay_shared.md): test half at
# 1b3ba3c + the grounding fixes its tune half found, 29 of 41 correct kept (70.7%), 22 of 23 planted caught
# (95.7%); with a negation that stands elsewhere in the same denial no contradiction, 31 of 41 (75.6%) and 21 of 23
# (91.3%). Far below the 95% kept target: the floors guard what holds, a sentence under each measured rate.
SHARED_KEPT_FLOOR = 0.73
SHARED_CAUGHT_FLOOR = 0.90
# Of those, the sentences whose cited text retrieval put among the model's sources (6 correct and 3 planted of the
# test half rest on text not retrieved, so no model reading its sources writes them): 31 of 35 kept (88.6%), 18 of
# 20 caught (90.0%) at 44b1b4b; tune 33 of 34 (97.1%), 18 of 19 (94.7%).
SHARED_KEPT_GIVEN_FLOOR = 0.85


def test_shared_articles_test_half_through_the_generative_chain(tmp_path: Path) -> None:
    if not SHARED_POOL.is_file():
        pytest.skip(f"shared RealTime QA data not found at {SHARED_POOL} (needs ../shared next to the repo)")
    items = [item for item in load(SHARED_REPLAY) if item.half == "test"]
    articles = list(dict.fromkeys(item.article for item in items))
    assert len(items) >= 15 and len(articles) == 3
    with openai_stub() as (url, state), seeded_assistant(url, tmp_path, articles=articles) as assistant:
        outcomes = replay(items, assistant, state)
    measured = rates(outcomes)
    MEASURED["replay over shared articles, test half"] = (
        f"correct kept {measured['kept']:.1%}, planted caught {measured['caught']:.1%}"
    )
    assert measured["kept"] >= SHARED_KEPT_FLOOR, measured
    assert measured["caught"] >= SHARED_CAUGHT_FLOOR, measured
    assert measured["kept_given"] >= SHARED_KEPT_GIVEN_FLOOR, measured
    assert measured["caught_given"] >= SHARED_CAUGHT_FLOOR, measured


def test_a_sentence_resting_on_text_not_retrieved_is_counted_apart() -> None:
    item = ReplayItem(
        "t",
        "Where did they meet?",
        (
            ReplaySentence(CORRECT, "They met in Geneva.", ("talks opened in Geneva",)),
            ReplaySentence(CORRECT, "They meet again in March.", ("meet again in March",)),
            ReplaySentence("wrong_date", "They met on Monday.", ("opened in Geneva on Tuesday",)),
        ),
    )
    request = {
        "messages": [{"content": '<source id="1">x</source> <source id="2">The talks opened in Geneva.</source>'}]
    }
    text, cited, given = reply_for(item, request)
    assert cited == [(2,), (1,), (1,)]  # text no source holds is cited as [1]
    assert given == [True, False, False]
    assert text.startswith("They met in Geneva [2].")
    outcomes = [
        Outcome("t", "test", CORRECT, "supported", "", (2,), 0.9, True),
        Outcome("t", "test", CORRECT, DROPPED, "", (1,), 0.0, False),
        Outcome("t", "test", "wrong_date", DROPPED, "", (1,), 0.0, False),
        Outcome("t", "test", "wrong_date", "weak", "", (2,), 0.5, True),
    ]
    assert rates(outcomes) == {"kept": 0.5, "caught": 0.5, "kept_given": 1.0, "caught_given": 0.0}


TALKS = (
    "The talks opened in Geneva on Tuesday. “We are not here to sign a deal,” Ambassador Ruiz told reporters. "
    "Minister Okafor said the two sides would meet again in March. Brazil accused Nigeria of delaying the accord."
)
PASSAGE = Passage(Chunk("t-0", "talks", TALKS, 0, len(TALKS), title="Talks open"), 0.6, 1)


@pytest.fixture(scope="module")
def checker(embedder: Any) -> GroundingChecker:
    return GroundingChecker(embedder)


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Okafor said the two sides would hold another round of talks in March [1].", SUPPORTED),
        ("Okafor said the two sides would hold another round of talks in April [1].", UNSUPPORTED),  # a date
        ("Ruiz said the two sides would hold another round of talks in March [1].", UNSUPPORTED),  # a speaker swap
        ("Ambassador Ruiz told reporters that the delegations had come to sign a deal [1].", UNSUPPORTED),  # negation
        ("Nigeria accused Brazil of delaying the accord [1].", UNSUPPORTED),  # who accused whom
        ("The talks opened in Geneva on Tuesday, with three delegations present [1].", UNSUPPORTED),  # a number
    ],
)
def test_the_hard_checks(checker: GroundingChecker, sentence: str, verdict: str) -> None:
    assert checker.support(sentence, PASSAGE).verdict == verdict


TRIP = (
    "The ministry said on Monday that the minister was postponing, and not cancelling, her visit to Lagos, although a "
    "new date has not been set."
)
TRIP_PASSAGE = Passage(Chunk("t-1", "trip", TRIP, 0, len(TRIP), title="Visit put off"), 0.6, 1)


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("No new date for the minister's visit to Lagos has been set [1].", True),  # the same denial, worded apart
        ("The ministry said the minister was cancelling, not postponing, her visit to Lagos [1].", False),  # swapped
        ("The ministry said the minister was cancelling her visit to Lagos [1].", False),
    ],
)
def test_where_the_negation_stands(checker: GroundingChecker, sentence: str, kept: bool) -> None:
    assert (checker.support(sentence, TRIP_PASSAGE).verdict != UNSUPPORTED) == kept
