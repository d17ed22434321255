"""A model's answer text → sentences with ``[n]`` markers mapped to passages and quotes.

Accepted markers: ``[1]``, ``[1][2]``, ``[1, 2]``, ``[1,2]``; a marker after the sentence's full stop
belongs to that sentence. Markers pointing at no passage are dropped and counted; a sentence without a
valid marker is kept with no citations (uncited). Each citation quotes the sentence of the cited passage
that best matches the answer sentence, with its exact article offsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.draft import Draft
from assistant.core.lexical import content_stems
from assistant.core.sentences import sentence_spans
from assistant.core.types import Citation, Passage, Sentence

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_MARKERS_AFTER_STOP = re.compile(r"([.!?][\"'”’)]*)((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)")
_ABSTAIN = re.compile(
    r"(sources?|passages?|context|articles?|documents?)\s+(do(es)?\s*n[o']t|did\s*n[o']t|does not|do not|never)\s+"
    r"(say|state|mention|contain|provide|cover|include|answer|specify|address)|"
    r"\bnot (mentioned|stated|found|covered|provided) in the (sources?|passages?|context|articles?)|"
    r"\b(no|not enough) information\b|\bcannot (be )?answer|\bcan't answer|\bI (do not|don't) know",
    re.I,
)


def _numbers(group: str) -> list[int]:
    return [int(n) for n in re.split(r"\s*[,;]\s*", group) if n]


def best_quote(sentence: str, passage: Passage) -> tuple[str, int, int]:
    """The passage sentence sharing most content words with ``sentence`` (article offsets)."""
    chunk = passage.chunk
    wanted = set(content_stems(sentence))
    best, best_overlap = None, -1.0
    for span in sentence_spans(chunk.text):
        stems = set(content_stems(span.of(chunk.text)))
        overlap = len(wanted & stems) / (len(wanted) or 1) + 1e-3 * len(stems & wanted) / (len(stems) or 1)
        if overlap > best_overlap:
            best, best_overlap = span, overlap
    if best is None:
        return chunk.text, chunk.start, chunk.end
    return best.of(chunk.text), chunk.start + best.start, chunk.start + best.end


def looks_like_abstention(text: str) -> bool:
    return bool(_ABSTAIN.search(text))


def parse_answer(raw: str, passages: Sequence[Passage]) -> Draft:
    """Split ``raw`` into sentences, map markers to passages, quote the best-matching span. A reply that says
    the sources are silent, and cites nothing, is a refusal."""
    by_rank = {p.rank: p for p in passages}
    text = _MARKERS_AFTER_STOP.sub(lambda m: f"{m.group(2).strip()}{m.group(1)}", raw.strip())
    text = re.sub(r"(?<=\S)\[", " [", text)
    text = re.sub(r"\]\s+\[", "][", text)
    sentences: list[Sentence] = []
    citations: list[Citation] = []
    dropped = 0
    for span in sentence_spans(text):
        sentence = span.of(text)
        numbers: list[int] = []
        for match in _MARKER.finditer(sentence):
            for n in _numbers(match.group(1)):
                if n in by_rank and n not in numbers:
                    numbers.append(n)
                elif n not in by_rank:
                    dropped += 1
        clean = _MARKER.sub(lambda m: _keep(m, by_rank), sentence)
        clean = re.sub(r"\s+([.!?,;:])", r"\1", re.sub(r"\s{2,}", " ", clean)).strip()
        if not clean or not re.search(r"\w", _MARKER.sub("", clean)):
            continue
        sentences.append(Sentence(clean, tuple(numbers)))
        for n in numbers:
            quote, start, end = best_quote(_MARKER.sub("", clean), by_rank[n])
            citations.append(Citation(n, by_rank[n], quote, start, end))
    final = " ".join(s.text for s in sentences)
    abstained = looks_like_abstention(final) and not citations
    reason = final if abstained else ""
    return Draft(final, tuple(sentences), tuple(citations), abstained, reason, dropped_markers=dropped)


def _keep(match: re.Match[str], by_rank: dict[int, Passage]) -> str:
    """A marker rewritten with only its valid numbers, as ``[1][2]``; empty when none is valid."""
    valid = [n for n in _numbers(match.group(1)) if n in by_rank]
    return "".join(f"[{n}]" for n in dict.fromkeys(valid))
