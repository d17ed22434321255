"""What happened when: dated sentences in day order, the same event in several articles merged into one entry."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from assistant.core.lexical import content_stems
from assistant.core.types import Event, Passage

# Two dated sentences of one day are one event when this share of the shorter one's content words is in both.
SAME_EVENT_OVERLAP = 0.5


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def within(events: Sequence[Event], passages: Sequence[Passage]) -> list[Event]:
    """The events whose sentence lies in one of ``passages`` (what retrieval found on the query)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for passage in passages:
        spans.setdefault(passage.chunk.article_id, []).append((passage.chunk.start, passage.chunk.end))
    kept = []
    for event in events:
        source = event.sources[0]
        if any(s <= source.start < e for s, e in spans.get(source.article_id, ())):
            kept.append(event)
    return kept


def merge(events: Sequence[Event]) -> list[Event]:
    """One entry per event and day, listing every article that reports it; dated first, in day order, then undated."""
    merged: list[tuple[Event, set[str]]] = []
    by_day: dict[date, list[int]] = {}
    for event in events:
        words = set(content_stems(event.text))
        same = None if event.day is None else _same_event(merged, by_day.get(event.day, []), event, words)
        if same is None:
            if event.day is not None:
                by_day.setdefault(event.day, []).append(len(merged))
            merged.append((event, words))
            continue
        kept, kept_words = merged[same]
        if _leans_back(kept.text) and not _leans_back(event.text):  # show the sentence that stands on its own
            joined = Event(kept.day, event.text, event.resolved_from, (*event.sources, *kept.sources))
        else:
            joined = Event(kept.day, kept.text, kept.resolved_from, (*kept.sources, *event.sources))
        merged[same] = (joined, kept_words | words)
    return sorted((e for e, _ in merged), key=_order)


def _leans_back(sentence: str) -> bool:
    """"He added that …", "It said …": a sentence that needs the one before it."""
    return bool(re.match(r"\s*(?:He|She|They|It|This|That|These|Those)\b", sentence))


def _same_event(
    merged: list[tuple[Event, set[str]]], candidates: list[int], event: Event, words: set[str]
) -> int | None:
    """The entry of the same day ``event`` repeats (from another article), if any."""
    article = event.sources[0].article_id
    for i in candidates:
        kept, kept_words = merged[i]
        if article not in {s.article_id for s in kept.sources} and _overlap(words, kept_words) >= SAME_EVENT_OVERLAP:
            return i
    return None


def _order(event: Event) -> tuple[int, date, date, int]:
    first = event.sources[0]
    far = date.max
    return (event.day is None, event.day or far, first.published or far, first.start)
