"""Every answer sentence checked against its citations: supported / weak / unsupported, with repair.

Support of a sentence by a passage is scored on the passage's best-matching sentence window (one or two
consecutive source sentences): content-word recall (how much of what the sentence says is in the quote),
embedding similarity, and hard checks on numbers and names — a sentence stating a number or a name the
passage does not contain is never "supported", however similar it reads ("12 ships" vs "21 ships").
An optional judge (the generative backend's model, ``prompts/entailment.md``) settles the weak cases.

Repair: an unsupported sentence whose claim another retrieved passage supports is re-cited to it; one that
no passage supports is dropped or kept and marked (``grounding_unsupported``), never silently kept.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.core.lexical import content_stems, stem, tokens
from assistant.core.sentences import sentence_spans
from assistant.core.settings import GroundingSettings
from assistant.core.types import Citation, Passage, Sentence
from assistant.models.embedders import Embedder

SUPPORTED, WEAK, UNSUPPORTED = "supported", "weak", "unsupported"
_MARKER = re.compile(r"\s*\[\d+\]")
_NUMBER = re.compile(r"\d[\d,.]*")
_NEGATION = re.compile(r"\b(not|no|never|nor|neither|without|n't)\b|n't\b", re.I)
_MIN_CLAIM_WORDS = 3

Judge = Callable[[str, str], bool | None]  # (sentence, quote) → entailed? None when undecided


@dataclass(frozen=True, slots=True)
class Support:
    score: float
    verdict: str
    quote: str
    start: int  # article offsets of the quote
    end: int


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}


def _names(text: str) -> set[str]:
    """Stems of capitalised words not opening the sentence (people, places, organisations)."""
    found = set()
    for i, token in enumerate(tokens(text)):
        if i > 0 and token[0].isupper() and len(token) > 1:
            found.add(stem(token))
    return found


def _windows(passage: Passage) -> list[tuple[str, int, int]]:
    """Single sentences and pairs of consecutive sentences of the passage, with article offsets."""
    chunk = passage.chunk
    spans = sentence_spans(chunk.text)
    out = [(s.of(chunk.text), chunk.start + s.start, chunk.start + s.end) for s in spans]
    for a, b in itertools.pairwise(spans):
        out.append((chunk.text[a.start : b.end], chunk.start + a.start, chunk.start + b.end))
    return out or [(chunk.text, chunk.start, chunk.end)]


@dataclass(frozen=True, slots=True)
class Checked:
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    repaired: int
    dropped: int


class GroundingChecker:
    """Scores sentence support with lexical, number, name and embedding evidence (and an optional judge)."""

    def __init__(
        self, embedder: Embedder, settings: GroundingSettings | None = None, judge: Judge | None = None
    ) -> None:
        self._embedder = embedder
        settings = settings or GroundingSettings()
        self._supported_at, self._weak_at = settings.supported_at, settings.weak_at
        self._weights = settings.weight_lexical, settings.weight_dense
        self._judge = judge

    def support(self, sentence: str, passage: Passage) -> Support:
        claim = _MARKER.sub("", sentence).strip()
        windows = _windows(passage)
        wanted = set(content_stems(claim))
        if len(wanted) < _MIN_CLAIM_WORDS:  # "The answer is:", a cut-off fragment: nothing checkable
            chunk = passage.chunk
            return Support(0.0, UNSUPPORTED, chunk.text[:0], chunk.start, chunk.start)
        lexical = np.array([len(wanted & set(content_stems(w))) / (len(wanted) or 1) for w, _, _ in windows])
        vectors = self._embedder.embed_documents([claim] + [w for w, _, _ in windows])
        dense = vectors[1:] @ vectors[0]
        scores = self._weights[0] * lexical + self._weights[1] * np.clip(dense, 0.0, 1.0)
        best = int(np.argmax(scores))
        quote, start, end = windows[best]
        score = float(scores[best])
        supported_at, weak_at = self._supported_at, self._weak_at
        verdict = SUPPORTED if score >= supported_at else WEAK if score >= weak_at else UNSUPPORTED
        passage_text = passage.chunk.text + " " + passage.chunk.title
        missing_numbers = _numbers(claim) - _numbers(passage_text)
        missing_names = _names(claim) - {stem(t) for t in tokens(passage_text)}
        if missing_numbers or missing_names:
            verdict = UNSUPPORTED if missing_numbers or score < supported_at else WEAK
            score = min(score, weak_at - 0.01) if missing_numbers else score
        elif verdict == SUPPORTED and _negated(claim) != _negated(quote):
            verdict = WEAK  # "did not agree" vs "agreed": same words, opposite claim
        if verdict == WEAK and self._judge is not None:
            decided = self._judge(claim, quote)
            if decided is not None:
                verdict = SUPPORTED if decided else UNSUPPORTED
        return Support(score, verdict, quote, start, end)

    def check(
        self,
        sentences: Sequence[Sentence],
        passages: Sequence[Passage],
        drop_unsupported: bool = True,
    ) -> Checked:
        """Verdicts for every sentence, repaired citations; returns (sentences, citations, repaired, dropped)."""
        by_rank = {p.rank: p for p in passages}
        kept: list[Sentence] = []
        citations: list[Citation] = []
        repaired = dropped = 0
        for sentence in sentences:
            verdicts = {n: self.support(sentence.text, by_rank[n]) for n in sentence.citations if n in by_rank}
            good = {n: s for n, s in verdicts.items() if s.verdict != UNSUPPORTED}
            if not good:
                alternative = self._best_other(sentence.text, passages, exclude=set(verdicts))
                if alternative is not None:
                    number, found = alternative
                    sentence = replace(sentence, text=_recite(sentence.text, number), citations=(number,))
                    good = {number: found}
                    repaired += 1
            if not good:
                if drop_unsupported:
                    dropped += 1
                    continue
                best = max(verdicts.values(), key=lambda s: s.score, default=None)
                kept.append(replace(sentence, verdict=UNSUPPORTED, support=best.score if best else 0.0))
                continue
            weakest = min(good.values(), key=lambda s: s.score)
            verdict = SUPPORTED if all(s.verdict == SUPPORTED for s in good.values()) else WEAK
            kept.append(replace(sentence, citations=tuple(good), verdict=verdict, support=round(weakest.score, 3)))
            citations += [Citation(n, by_rank[n], s.quote, s.start, s.end, s.verdict) for n, s in good.items()]

        return Checked(tuple(kept), tuple(citations), repaired, dropped)

    def annotate(
        self, sentences: Sequence[Sentence], citations: Sequence[Citation]
    ) -> tuple[tuple[Sentence, ...], tuple[Citation, ...]]:
        """Verdicts for extractive answers, whose sentence i is the verbatim quote of citation i: no repair."""
        out_sentences, out_citations = [], []
        for sentence, citation in zip(sentences, citations, strict=True):
            found = self.support(sentence.text, citation.passage)
            out_sentences.append(replace(sentence, verdict=found.verdict, support=round(found.score, 3)))
            out_citations.append(replace(citation, verdict=found.verdict))
        return tuple(out_sentences), tuple(out_citations)

    def _best_other(self, sentence: str, passages: Sequence[Passage], exclude: set[int]) -> tuple[int, Support] | None:
        best: tuple[int, Support] | None = None
        for passage in passages:
            if passage.rank in exclude:
                continue
            found = self.support(sentence, passage)
            if found.verdict == SUPPORTED and (best is None or found.score > best[1].score):
                best = (passage.rank, found)
        return best


def _recite(text: str, number: int) -> str:
    """The sentence with its markers replaced by ``[number]`` (before the final punctuation)."""
    bare = _MARKER.sub("", text).rstrip()
    match = re.search(r"[.!?]+[\"'”’)]*$", bare)
    if match:
        return f"{bare[: match.start()]} [{number}]{match.group()}"
    return f"{bare} [{number}]"
