"""The Quotes tab: who said what, verbatim, by speaker and topic, each quotation opening its article at its words.

:func:`quotes_html` and :func:`speaker_choices` render (everything from an article HTML-escaped); :func:`quotes_tab`
lays out the tab and wires its handlers to :meth:`Assistant.quotes`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.answering.assistant import Assistant
from assistant.core.types import Quote
from assistant.web.analyst import (
    FilterRow,
    day_text,
    failure_html,
    notice_html,
    plural,
    read_filters,
    reader_pane,
    scope_text,
    view_filters,
    wire_reader,
)
from assistant.web.reader import span_link
from assistant.web.render import safe_url

PANE = "quotes"
MAX_SHOWN = 200  # cards on the page; the header says how many more there are
CSS = "attache-quotes"

# -- rendering --------------------------------------------------------------------------------


def speaker_choices(speakers: Sequence[tuple[str, int]]) -> list[tuple[str, str]]:
    """The speaker picker's (label, value) pairs: "Ana Ruiz (2)" → "Ana Ruiz", most quoted first."""
    return [(f"{name} ({count})", name) for name, count in speakers]


def _asked(speaker: str, about: str) -> str:
    parts = [f"by “{speaker}”" if speaker else "", f"about “{about}”" if about else ""]
    return " ".join(p for p in parts if p)


def _speaker(quote: Quote) -> str:
    who = html.escape(quote.speaker) if quote.speaker else '<span class="attache-missing">speaker not named</span>'
    role = f', <span class="attache-quote-role">{html.escape(quote.role)}</span>' if quote.role else ""
    return f'<div class="attache-quote-speaker">— {who}{role}</div>'


def _meta(quote: Quote) -> str:
    parts = [
        html.escape(quote.outlet) if quote.outlet else '<span class="attache-missing">outlet unknown</span>',
        html.escape(day_text(quote.published)),
        f'<span class="attache-quote-title">{html.escape(quote.title or "(untitled)")}</span>',
        span_link(
            PANE, quote.article_id, quote.start, quote.end, "read in context", "the article, this quotation marked"
        ),
    ]
    if href := safe_url(quote.url):
        parts.append(f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">original ↗</a>')
    return f'<div class="attache-card-meta">{" · ".join(parts)}</div>'


def quote_card(quote: Quote) -> str:
    """One quotation: the words verbatim in quotation marks (a link to them in their article), who said them, where."""
    words = span_link(
        PANE,
        quote.article_id,
        quote.start,
        quote.end,
        f"“{html.escape(quote.text)}”",
        "open the article at this quotation",
    )
    return (
        f'<figure class="attache-quote" data-article="{html.escape(quote.article_id)}">'
        f'<div class="attache-quote-words">{words}</div>'
        f"<figcaption>{_speaker(quote)}{_meta(quote)}</figcaption></figure>"
    )


def quotes_html(quotes: Sequence[Quote], speaker: str = "", about: str = "", scope: str = "the whole library") -> str:
    """The results: a header (how many quotations, from how many speakers, searched where), then one card each."""
    asked = _asked(speaker.strip(), about.strip())
    if not quotes:
        hint = "Try part of the name, another topic or wider filters." if asked else "Try wider filters."
        return notice_html(CSS, f"No quotations {asked or 'found'} in {scope}. {hint}")
    speakers = {q.speaker for q in quotes if q.speaker}
    head = f"{plural(len(quotes), 'quotation')} from {plural(len(speakers), 'speaker')}"
    shown = f" · showing the first {MAX_SHOWN}: narrow by speaker, topic or filters" if len(quotes) > MAX_SHOWN else ""
    head_html = (
        f'<p class="attache-view-head"><strong>{head}</strong>{" " + html.escape(asked) if asked else ""}'
        f'<span class="attache-meta"> · in {html.escape(scope)}{shown}</span></p>'
    )
    cards = "".join(quote_card(q) for q in quotes[:MAX_SHOWN])
    return f'<div class="{CSS}">{head_html}<div class="attache-quote-list">{cards}</div></div>'


# -- the tab ----------------------------------------------------------------------------------


def find_quotes(
    assistant: Assistant,
    speaker: str | None,
    about: str | None,
    outlets: Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    as_of: str | None,
) -> tuple[str, Any]:
    """(the results, the speaker picker with its choices under these filters)."""
    try:
        filters, day = read_filters(outlets, date_from, date_to, as_of)
    except ValueError as exc:
        return notice_html(CSS, f"⚠️ {exc}"), gr.skip()
    who, topic = (speaker or "").strip(), (about or "").strip()
    try:
        quotes = assistant.quotes(who or None, topic or None, filters, day)
        speakers = assistant.views.speakers(filters, day)
    except Exception as exc:  # the edge: a failure is a sentence and the page carries on
        return failure_html(CSS, exc), gr.skip()
    return quotes_html(quotes, who, topic, scope_text(filters, day)), gr.Dropdown(choices=speaker_choices(speakers))


def quotes_tab(assistant: Assistant, demo: gr.Blocks, tab: gr.Tab, chat: FilterRow) -> None:
    """Lay out the Quotes tab inside the open ``tab`` and wire it; ``chat`` is the Chat's filter row."""
    with gr.Row(elem_classes="attache-view-query"):
        speaker = gr.Dropdown(
            [],
            value=None,
            label="Speaker",
            info="pick one, or type any part of a name",
            allow_custom_value=True,
            filterable=True,
            scale=2,
            elem_id="attache-quotes-speaker",
        )
        about = gr.Textbox(
            label="About", placeholder="a topic: fisheries, patrol…", scale=3, elem_id="attache-quotes-about"
        )
        search = gr.Button(
            "Find quotations", variant="primary", scale=0, min_width=200, elem_id="attache-quotes-search"
        )
    row = view_filters(PANE, assistant, demo, tab, chat)
    with gr.Row():
        with gr.Column(scale=3, min_width=360):
            results = gr.HTML(notice_html(CSS, "Loading the quotations…"), elem_id="attache-quotes-results")
        pane = reader_pane(PANE)
    wire_reader(assistant, PANE, pane, "the quotation highlighted")

    def run(*values: Any) -> tuple[str, Any]:
        return find_quotes(assistant, *values)

    inputs, outputs = [speaker, about, *row.fields], [results, speaker]
    for event in (search.click, about.submit, speaker.change, tab.select):
        event(run, inputs, outputs)
