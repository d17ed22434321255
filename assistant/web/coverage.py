"""The Coverage tab: who reported a story and how, the outlets side by side, first to report first.

:func:`coverage_html` renders (everything from an article HTML-escaped): a header counting outlets and
independent articles (wire copies counted once), then one column per outlet with when it first reported the story,
where its articles also ran, and its most relevant sentences, each a link to the sentence in its article.
:func:`coverage_tab` lays out the tab and wires it to :meth:`Assistant.coverage`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.answering.assistant import Assistant
from assistant.core.types import Coverage, CoverageSentence, OutletCoverage
from assistant.web.analyst import (
    FilterRow,
    day_text,
    notice_html,
    plural,
    reader_pane,
    show_view,
    view_filters,
    wire_reader,
)
from assistant.web.reader import span_link

PANE = "coverage"
CSS = "attache-coverage"
ASK = "Name a story (a few words) to see which outlets covered it and how."

# -- rendering --------------------------------------------------------------------------------


def _sentence(sentence: CoverageSentence) -> str:
    words = span_link(
        PANE,
        sentence.article_id,
        sentence.start,
        sentence.end,
        html.escape(sentence.text),
        "the article, this sentence marked",
    )
    where = f"{sentence.title or '(untitled)'} · {day_text(sentence.published)}"
    return f'<li>{words}<div class="attache-card-meta">{html.escape(where)}</div></li>'


def outlet_column(outlet: OutletCoverage, first: bool = False) -> str:
    """One outlet: its name, first published, its articles, "also ran in", its most relevant sentences."""
    name = html.escape(outlet.outlet) if outlet.outlet else '<span class="attache-missing">outlet unknown</span>'
    badge = (
        ' <span class="attache-cov-first" title="the first outlet to report the story">first</span>' if first else ""
    )
    meta = f"first published {day_text(outlet.first_published)} · {plural(len(outlet.article_ids), 'article')}"
    also = (
        f'<p class="attache-cov-also">also ran in: {html.escape(", ".join(outlet.also_ran_in))}</p>'
        if outlet.also_ran_in
        else ""
    )
    sentences = "".join(_sentence(s) for s in outlet.sentences)
    body = f'<ol class="attache-cov-sentences">{sentences}</ol>' if sentences else '<p class="attache-meta">–</p>'
    return (
        f'<section class="attache-cov-outlet" data-outlet="{html.escape(outlet.outlet)}">'
        f'<h4>{name}{badge}</h4><p class="attache-card-meta">{meta}</p>{also}{body}</section>'
    )


def _first(outlets: Sequence[OutletCoverage]) -> str | None:
    """The outlet that reported first, when one did so strictly before the others (dated ones only)."""
    dated = sorted((o.first_published, o.outlet) for o in outlets if o.first_published is not None)
    if not dated or (len(dated) > 1 and dated[0][0] == dated[1][0]):
        return None
    return dated[0][1]


def coverage_html(coverage: Coverage, scope: str = "the whole library") -> str:
    """The header ("4 independent articles from 2 outlets"), then the outlets side by side, first to report first."""
    query = coverage.query.strip()
    if not query:
        return notice_html(CSS, ASK)
    if not coverage.outlets:
        return notice_html(CSS, f"No outlet covered “{query}” in {scope}. Try other words or wider filters.")
    outlets = coverage.outlets
    head = f"{plural(coverage.independent_sources, 'independent article')} from {plural(len(outlets), 'outlet')}"
    wire = " · wire copies counted once" if any(o.also_ran_in for o in outlets) else ""
    head_html = (
        f'<p class="attache-view-head"><strong>{head}</strong> on “{html.escape(query)}”'
        f'<span class="attache-meta">{wire} · in {html.escape(scope)}</span></p>'
    )
    first = _first(outlets)
    columns = "".join(outlet_column(o, o.outlet == first) for o in outlets)
    return f'<div class="{CSS}">{head_html}<div class="attache-cov-grid">{columns}</div></div>'


# -- the tab ----------------------------------------------------------------------------------


def find_coverage(
    assistant: Assistant,
    query: str | None,
    outlets: Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    as_of: str | None,
) -> str:
    words = (query or "").strip()
    if not words:
        return notice_html(CSS, ASK)
    return show_view(
        CSS,
        (outlets, date_from, date_to, as_of),
        lambda filters, day: assistant.coverage(words, filters, day),
        coverage_html,
    )


def coverage_tab(assistant: Assistant, demo: gr.Blocks, tab: gr.Tab, chat: FilterRow) -> None:
    """Lay out the Coverage tab inside the open ``tab`` and wire it; ``chat`` is the Chat's filter row."""
    with gr.Row(elem_classes="attache-view-query"):
        query = gr.Textbox(label="Story", placeholder="e.g. fisheries talks", scale=5, elem_id="attache-coverage-query")
        compare = gr.Button(
            "Compare coverage", variant="primary", scale=0, min_width=200, elem_id="attache-coverage-compare"
        )
    row = view_filters(PANE, assistant, demo, tab, chat)
    with gr.Row():
        with gr.Column(scale=3, min_width=360):
            results = gr.HTML(notice_html(CSS, ASK), elem_id="attache-coverage-results")
        pane = reader_pane(PANE)
    wire_reader(assistant, PANE, pane, "the sentence highlighted")

    def run(*values: Any) -> str:
        return find_coverage(assistant, *values)

    for event in (compare.click, query.submit, tab.select):
        event(run, [query, *row.fields], [results])
