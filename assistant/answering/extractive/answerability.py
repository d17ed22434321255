"""Whether a source sentence answers the question: a small logistic model over the extractive scorer's signals.

The extractive answerer's rules abstain when the sources never name what the question hinges on, or hold no
sentence of the asked-for kind. What they miss is the on-topic sentence that names *something* of that kind
but answers another question (a 2019 nominee for "who did Trump pick for UN ambassador"). This model scores
each candidate sentence on fifteen signals the answerer already computes (its score, embedding similarity,
the passage's retrieval score, whether it fills the question's slot and names the question's entities, how
far its article lags the newest retrieved one, whether other articles repeat the name it offers, ...); the
answer abstains when no candidate reaches ``Settings.abstain_min_answerability``.

The check is opt-in (0, off, by default): fitted on news-quiz questions over a many-article library, it helps
there (held-out abstention 43.3% -> 56.7% at the same pass rate) and refuses right answers to detail questions
about a few articles (seed pass rate 95.7% -> 52.2%); ``bench/training/results/answerability.md`` has the table.

The weights in ``answerability.json`` are fitted by ``bench/training/answerability_train.py`` on RealTime QA *dev*
questions (the diplomacy set held out): a sentence is a positive when it holds the gold answer. No language
model and no download: fifteen weights, a mean and a scale per feature.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.answering.extractive.slot import fills, new_names, slot_of
from assistant.core.lexical import answer_type, content_stems, entities, has_answer_type, mentioned
from assistant.core.types import Passage
from assistant.models.embedders import Vectors

MODEL_PATH = Path(__file__).resolve().parent / "answerability.json"
FEATURES = (
    "score",  # the answerer's sentence score
    "relative",  # that score over the best sentence's
    "dense",  # cosine of the sentence and the question
    "passage",  # the passage's retrieval score
    "has_slot",  # the question names a kind of answer (a country, a person, a number...)
    "fills_slot",  # the sentence holds one the question does not already name
    "entity_coverage",  # share of the question's names the sentence (or its headline) mentions
    "new_names",  # capitalised words the question does not use, up to 5, over 5
    "typed",  # holds the answer type (time, number, person) answer_type() reads off the question
    "has_type",  # the question has such a type
    "days_behind",  # log1p(days its article is older than the newest retrieved one) / 8
    "undated",  # its article has no date
    "rank",  # the passage's rank over 6
    "corroborated",  # other articles of the pool naming one of its new names or numbers, up to 3, over 3
    "headlined",  # one of its new names or numbers is in a retrieved headline
)
_MAX_NAMES = 5
_MAX_CORROBORATING = 3
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


class Sentenced(Protocol):
    """What the model reads of a candidate sentence (``extractive.Candidate`` is one)."""

    @property
    def passage(self) -> Passage: ...

    @property
    def text(self) -> str: ...


def embedded(vectors: Vectors) -> list[int]:
    """The sentences the answerer embedded (``_score`` leaves the others' vectors zero): the ones the model reads."""
    return [int(i) for i in np.flatnonzero(np.abs(vectors).sum(axis=1) > 0)]


def features(
    question: str, pool: Sequence[Sentenced], indices: Sequence[int], scores: Vectors, vectors: Vectors, query: Vectors
) -> np.ndarray:
    """One row of ``FEATURES`` per sentence ``pool[i]`` for i in ``indices`` (rows of ``vectors`` are unit)."""
    best = float(scores.max()) if len(scores) else 0.0
    slot = slot_of(question)
    known = slot.known if slot else frozenset(content_stems(question))
    names = entities(question)
    kind = answer_type(question)
    dates = [c.passage.chunk.published for c in pool if c.passage.chunk.published]
    newest = max(dates) if dates else None
    chunks = {c.passage.chunk.id: c.passage.chunk for c in pool}.values()
    texts: dict[str, list[str]] = {}
    for chunk in chunks:
        texts.setdefault(chunk.article_id, []).append(_words(chunk.text))
    articles = {aid: f" {' '.join(parts)} " for aid, parts in texts.items()}
    headlines = f" {' '.join(dict.fromkeys(_words(c.title) for c in chunks))} "
    rows = []
    for i in indices:
        cand = pool[i]
        chunk = cand.passage.chunk
        stems = set(content_stems(f"{cand.text} {chunk.title}"))
        coverage = sum(mentioned(e, stems) for e in names) / len(names) if names else 1.0
        behind = (newest - chunk.published).days if (chunk.published and newest) else 0
        fresh = new_names(cand.text, known)
        claims = {_words(n) for n in fresh} | {n for n in _NUMBER.findall(cand.text) if n not in question}
        claims.discard("")
        others = [text for aid, text in articles.items() if aid != chunk.article_id]
        corroborated = max((sum(f" {c} " in t for t in others) for c in claims), default=0)
        rows.append(
            [
                float(scores[i]),
                float(scores[i]) / best if best > 0 else 0.0,
                max(float(vectors[i] @ query), 0.0),
                cand.passage.score,
                1.0 if slot else 0.0,
                1.0 if slot and fills(slot, cand.text) else 0.0,
                coverage,
                min(len(fresh), _MAX_NAMES) / _MAX_NAMES,
                1.0 if has_answer_type(cand.text, kind) else 0.0,
                1.0 if kind else 0.0,
                math.log1p(max(behind, 0)) / 8,
                0.0 if chunk.published else 1.0,
                cand.passage.rank / 6,
                min(corroborated, _MAX_CORROBORATING) / _MAX_CORROBORATING,
                1.0 if any(f" {c} " in headlines for c in claims) else 0.0,
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _words(text: str) -> str:
    """Lower-case words and numbers joined by single spaces, for whole-word containment."""
    return " ".join(re.findall(r"[\w][\w,.]*[\w]|[\w]", text.lower()))


@dataclass(frozen=True, slots=True)
class AnswerabilityModel:
    """Logistic regression over standardised ``FEATURES``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    fitted_on: str = ""

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - np.array(self.mean)) / np.array(self.scale)) @ np.array(self.weights) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def to_json(self) -> str:
        payload = {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "fitted_on": self.fitted_on,
        }
        return json.dumps(payload, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AnswerabilityModel:
        payload = json.loads(text)
        if tuple(payload["features"]) != FEATURES:
            raise ValueError(f"answerability model was fitted on other features: {payload['features']}")
        return cls(
            tuple(payload["mean"]),
            tuple(payload["scale"]),
            tuple(payload["weights"]),
            float(payload["bias"]),
            str(payload.get("fitted_on", "")),
        )


@lru_cache(maxsize=1)
def packaged_model() -> AnswerabilityModel:
    return AnswerabilityModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))
