"""One article → its quotations and its dated sentences, as boundary types (what ``ViewsIndex`` stores)."""

from __future__ import annotations

from assistant.analysis.quotes import find_quotes
from assistant.analysis.when import dateline, find_events
from assistant.core.types import Article, Event, EventSource, Quote


def analyse(article: Article) -> tuple[list[Quote], list[Event]]:
    text = article.text
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
