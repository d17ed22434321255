"""The reader view: a whole article with every span an answer cites from it highlighted. No gradio here.

Everything from the article (title, outlet, byline, text) is HTML-escaped; the only markup is ours. Each cited
span becomes ``<mark id="attache-read-N">`` with the answer's marker numbers beside it, so the page can scroll
to the first one. Overlapping quotes share one mark.

The analyst's views open the reader at one span (a quotation, a dated sentence, an outlet's sentence): a
:func:`span_link` carries ``"article_id:start:end"`` (:func:`span_key`) and the name of the view whose reader
pane it opens; :data:`assistant.web.assets.CITE_JS` hands the key to that pane's hidden button.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from assistant.core.types import Answer, Article
from assistant.web.render import safe_url

Span = tuple[int, int, tuple[int, ...]]  # article offsets [start, end) and the markers citing them


def cited_spans(answer: Answer | None, article_id: str) -> list[Span]:
    """The spans of ``article_id`` that ``answer`` quotes, merged where they overlap, in text order."""
    found = sorted(
        (c.start, c.end, c.number)
        for c in (answer.citations if answer else ())
        if c.passage.chunk.article_id == article_id and c.end > c.start
    )
    merged: list[tuple[int, int, list[int]]] = []
    for start, end, number in found:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), [*last[2], number])
        else:
            merged.append((start, end, [number]))
    return [(start, end, tuple(dict.fromkeys(numbers))) for start, end, numbers in merged]


def span_key(article_id: str, start: int, end: int) -> str:
    """What a span link carries to the reader: ``"article_id:start:end"``."""
    return f"{article_id}:{start}:{end}"


def parse_span_key(key: str | None) -> tuple[str, int, int] | None:
    """``(article_id, start, end)`` from :func:`span_key`'s text; None when it is not one (an empty box)."""
    rest, _, end = (key or "").rpartition(":")
    article_id, _, start = rest.rpartition(":")
    if not (article_id and start.isdigit() and end.isdigit() and int(start) < int(end)):
        return None
    return article_id, int(start), int(end)


def span_link(pane: str, article_id: str, start: int, end: int, body: str, tip: str = "") -> str:
    """A link opening the reader pane of the view ``pane`` at ``[start, end)`` of the article; ``body`` is HTML
    already escaped by the caller."""
    key = html.escape(span_key(article_id, start, end))
    title = f' title="{html.escape(tip)}"' if tip else ""
    return f'<a class="attache-open" href="#read" data-pane="{html.escape(pane)}" data-read="{key}"{title}>{body}</a>'


def _marked_text(text: str, spans: Sequence[Span], prefix: str = "attache-read") -> str:
    out, cursor = [], 0
    for i, (start, end, numbers) in enumerate(spans, start=1):
        start, end = max(start, cursor), min(end, len(text))
        if end <= start:
            continue
        label = "".join(f"[{n}]" for n in numbers)
        tip = f' title="quoted by {label}"' if label else ""
        cite = f'<sup class="attache-read-cite">{label}</sup>' if label else ""
        out.append(html.escape(text[cursor:start]))
        out.append(
            f'<mark id="{prefix}-{i}" class="attache-read-mark"{tip}>{html.escape(text[start:end])}</mark>{cite}'
        )
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def _meta(article: Article) -> str:
    parts = [html.escape(article.outlet) if article.outlet else "outlet unknown"]
    if article.authors:
        parts.append("by " + html.escape(", ".join(article.authors)))
    parts.append(article.published.isoformat() if article.published else "undated")
    if href := safe_url(article.url):
        parts.append(f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">original ↗</a>')
    return " · ".join(parts)


def reader_html(
    article: Article | None, spans: Sequence[Span] = (), note: str = "", prefix: str = "attache-read"
) -> str:
    """The article as a page to read, cited spans highlighted; a note when it is no longer in the library.

    ``note`` says what is highlighted (default: how many passages the answer quotes); ``prefix`` starts the marks'
    ids, so that two reader panes on one page never share an id."""
    if article is None:
        return '<div class="attache-reader"><p>This article is no longer in the library.</p></div>'
    count = len(spans)
    quoted = f"{count} quoted passage{'s' if count != 1 else ''} highlighted" if count else "not quoted in this answer"
    quoted = html.escape(note) if note else quoted
    summary = "".join(f"<li>{html.escape(line)}</li>" for line in article.summary.splitlines() if line.strip())
    return (
        f'<div class="attache-reader" data-article="{html.escape(article.id)}">'
        f"<h3>{html.escape(article.title or '(untitled)')}</h3>"
        f'<p class="attache-card-meta">{_meta(article)} · {quoted}</p>'
        + '<div class="attache-read-scroll">'
        + (f'<ul class="attache-read-summary">{summary}</ul>' if summary else "")
        + f'<div class="attache-read-body">{_marked_text(article.text, spans, prefix)}</div></div></div>'
    )
