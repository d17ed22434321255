"""The answerability model: its features, its file, and the abstentions it adds to the extractive answerer."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.answering.extractive.answerability import (
    FEATURES,
    AnswerabilityModel,
    embedded,
    features,
    packaged_model,
)
from assistant.answering.extractive.answerer import ExtractiveAnswerer, candidates
from assistant.core.types import Chunk, Passage
from tests.conftest import make_settings


def passage(text: str, rank: int, published: date | None, title: str = "", score: float = 0.9) -> Passage:
    chunk = Chunk(f"c{rank}", f"a{rank}", text, 0, len(text), title=title, published=published)
    return Passage(chunk, score, rank)


# Hand-written coverage (not the shared articles): the pick is named in this week's report; a years-old
# report about an earlier nominee holds a name of the asked-for kind but answers another question.
QUESTION = "Who did the president name as his pick for ambassador to the United Nations?"
ANSWERING = passage(
    "The president on Monday named Senator Maria Delgado as his pick for ambassador to the United Nations, "
    "praising her as a tough negotiator.",
    1,
    date(2024, 11, 12),
    "President names Delgado as UN ambassador pick",
)
STALE = passage(
    "Paul Hendricks, once floated as a candidate for ambassador to the United Nations, withdrew his name "
    "from consideration after questions about his qualifications.",
    1,
    date(2019, 2, 16),
    "Hendricks withdraws from consideration",
    score=0.6,
)
FILLER = [
    passage("Delegates met this week for the annual debate in the assembly hall.", 2, date(2024, 11, 10)),
    passage("Diplomats said the Security Council would vote on the resolution next week.", 3, date(2024, 11, 11)),
]


def rows_for(answerer: ExtractiveAnswerer, question: str, passages: list[Passage]) -> tuple[list[Any], np.ndarray]:
    pool = candidates(passages)
    scores, vectors, query = answerer._score(question, pool)
    read = embedded(vectors)
    return [pool[i] for i in read], features(question, pool, read, scores, vectors, query)


@pytest.fixture(scope="module")
def answerer(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(embedder, make_settings(tmp_path_factory.mktemp("home")))


def test_the_model_file_round_trips_and_refuses_other_features() -> None:
    model = packaged_model()
    assert len(model.weights) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert AnswerabilityModel.from_json(model.to_json()) == model
    other = model.to_json().replace('"rank"', '"position"')
    with pytest.raises(ValueError, match="other features"):
        AnswerabilityModel.from_json(other)


def test_features_read_slot_names_and_age(answerer: ExtractiveAnswerer) -> None:
    pool, rows = rows_for(answerer, QUESTION, [ANSWERING, *FILLER[:1]])
    by_text = {c.text.split()[1]: row for c, row in zip(pool, rows, strict=True)}
    named, leaders = by_text["president"], by_text["met"]
    column = {name: i for i, name in enumerate(FEATURES)}
    assert rows.shape == (len(pool), len(FEATURES))
    assert named[column["has_slot"]] == leaders[column["has_slot"]] == 1.0  # "who": a person
    assert named[column["fills_slot"]] == 1.0 and leaders[column["fills_slot"]] == 0.0
    assert named[column["new_names"]] > 0.0
    assert named[column["days_behind"]] == 0.0  # the newest article of the pool
    assert leaders[column["days_behind"]] == pytest.approx(np.log1p(2) / 8)
    assert named[column["undated"]] == 0.0
    assert named[column["rank"]] == pytest.approx(1 / 6)
    assert named[column["headlined"]] == 1.0 and leaders[column["headlined"]] == 0.0  # "Delgado" heads it
    assert named[column["corroborated"]] == 0.0  # no other article names her


def test_the_answering_sentence_outscores_the_stale_one(answerer: ExtractiveAnswerer) -> None:
    _, answering = rows_for(answerer, QUESTION, [ANSWERING, *FILLER])
    _, stale = rows_for(answerer, QUESTION, [STALE, *FILLER])
    model = packaged_model()
    assert model.probabilities(answering).max() > model.probabilities(stale).max()


def test_compose_abstains_when_no_sentence_answers(embedder: Any, tmp_path: Path) -> None:
    on = ExtractiveAnswerer(embedder, make_settings(tmp_path / "on", abstain_min_answerability=0.45))
    off = ExtractiveAnswerer(embedder, make_settings(tmp_path / "off"))  # the default: the check is opt-in
    stale = [STALE, *FILLER]
    assert not off.compose(QUESTION, stale).abstained  # the rules alone answer with the earlier nominee
    refused = on.compose(QUESTION, stale)
    assert refused.abstained and "no sentence in them answers" in refused.reason
    answered = on.compose(QUESTION, [ANSWERING, *FILLER])
    assert not answered.abstained and "Delgado" in answered.text
