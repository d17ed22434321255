"""One article → its quotations and its dated sentences, as boundary types (what ``ViewsIndex`` stores)."""

from __future__ import annotations

from assistant.analysis.quotes import find_quotes
from assistant.analysis.when import dateline, find_events
from assistant.core.sentences import Span, sentence_spans
from assistant.core.types import Article, Event, EventSource, Quote


def _context(spans: list[Span], text: str, start: int, end: int) -> str:
    """The sentences a quotation at ``[start, end)`` stands in (the splitter may cut inside a quotation)."""
    inside = [s for s in spans if s.start < end + 1 and start - 1 < s.end]
    return text[inside[0].start : inside[-1].end] if inside else text[start:end]


def analyse(article: Article) -> tuple[list[Quote], list[Event]]:
    text = article.text
    spans = sentence_spans(text)
    quotes = [
        Quote(
            q.speaker,
            q.role,
            text[q.start : q.end],
            article.id,
            article.outlet,
            article.published,
            q.start,
            q.end,
            article.title,
            article.url,
            q.cue,
            _context(spans, text, q.start, q.end),
        )
        for q in find_quotes(text)
    ]
    events = [
        Event(
            e.day,
            text[e.start : e.end],
            e.resolved_from,
            (
                EventSource(
                    article.id,
                    article.outlet,
                    article.published,
                    e.start,
                    e.end,
                    article.title,
                    text[e.phrase_start : e.phrase_end],
                ),
            ),
        )
        for e in find_events(text, article.published)
    ]
    return quotes, events


def reference_day(article: Article) -> str:
    """What the article's relative dates are read against, for messages."""
    found = dateline(article.text)
    if found is not None:
        return f"dateline {found}"
    return f"published {article.published}" if article.published else "no date"
