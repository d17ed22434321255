"""The Timeline tab: what happened on which day, as a chart of events per day by outlet and a cited list.

Rendering (:func:`timeline_html`, :func:`chart_svg`) is plain HTML and SVG, escaped, drawn on the server: nothing
to load in the browser. The chart has one bar per day that has events, in day order, each outlet a colour; a bar
links to its day in the list. Events whose article has no date are never given one: they are listed apart under
"Undated". :func:`timeline_tab` lays out the tab and wires it to :meth:`Assistant.timeline`.
"""

from __future__ import annotations

import calendar
import html
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import gradio as gr

from assistant.answering.assistant import Assistant
from assistant.core.types import Event, EventSource
from assistant.web.analyst import (
    FilterRow,
    notice_html,
    plural,
    reader_pane,
    show_view,
    view_filters,
    wire_reader,
)
from assistant.web.reader import span_link

PANE = "timeline"
CSS = "attache-timeline"
MAX_SHOWN = 300  # events listed; the chart counts them all
UNKNOWN = "outlet unknown"
# Tableau 10: distinct at a glance, in the order outlets are given them (most events first)
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 210, 34, 8, 10, 62  # the chart's box and margins, in SVG units
MAX_LABELS = 24  # day labels under the bars; more days label every n-th

# -- rendering --------------------------------------------------------------------------------


def _outlets(event: Event) -> tuple[str, ...]:
    return event.outlets or (UNKNOWN,)


def outlet_colours(events: Sequence[Event]) -> dict[str, str]:
    """A colour per outlet, the outlets with most events first (the palette repeats past nine outlets)."""
    counts = Counter(outlet for event in events for outlet in _outlets(event))
    ranked = sorted(counts, key=lambda outlet: (-counts[outlet], outlet.lower()))
    return {outlet: PALETTE[i % len(PALETTE)] for i, outlet in enumerate(ranked)}


def day_counts(events: Sequence[Event]) -> dict[date, Counter[str]]:
    """Per day with events: how many events each outlet reports (an event two outlets report counts for each)."""
    days: dict[date, Counter[str]] = {}
    for event in events:
        if event.day is not None:
            days.setdefault(event.day, Counter()).update(_outlets(event))
    return dict(sorted(days.items()))


def _bar(day: date, x: float, width: float, counts: Counter[str], colours: dict[str, str], scale: float) -> str:
    bottom: float = HEIGHT - BOTTOM
    rects = []
    for outlet in sorted(counts, key=list(colours).index):
        height = counts[outlet] * scale
        bottom -= height
        tip = html.escape(f"{day.isoformat()} · {outlet}: {plural(counts[outlet], 'event')}")
        rects.append(
            f'<rect x="{x:.1f}" y="{bottom:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{colours[outlet]}"><title>{tip}</title></rect>'
        )
    target = f"attache-day-{day.isoformat()}"
    return f'<a class="attache-jump" href="#{target}" data-target="{target}">{"".join(rects)}</a>'


def _axis(top: int) -> str:
    plot_bottom, out = HEIGHT - BOTTOM, []
    for tick in range(top + 1) if top <= 5 else sorted({0, top // 2, top}):
        y = plot_bottom - tick * (plot_bottom - TOP) / top
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    return "".join(out)


def chart_svg(events: Sequence[Event], colours: dict[str, str]) -> str:
    """Events per day as stacked bars, one colour per outlet; "" when no event has a day."""
    days = day_counts(events)
    if not days:
        return ""
    top = max(sum(c.values()) for c in days.values())
    slot = (WIDTH - LEFT - RIGHT) / len(days)
    width, scale = min(36.0, slot * 0.72), (HEIGHT - TOP - BOTTOM) / top
    every = math.ceil(len(days) / MAX_LABELS)
    parts = [_axis(top)]
    for i, (day, counts) in enumerate(days.items()):
        x = LEFT + i * slot + (slot - width) / 2
        parts.append(_bar(day, x, width, counts, colours, scale))
        if i % every == 0:
            cx, cy = x + width / 2, HEIGHT - BOTTOM + 14
            parts.append(
                f'<text x="{cx:.1f}" y="{cy}" text-anchor="end" transform="rotate(-35 {cx:.1f} {cy})">{day}</text>'
            )
    label = f"Events per day by outlet, {plural(len(days), 'day')} from {min(days)} to {max(days)}"
    return (
        f'<svg class="attache-tl-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{''.join(parts)}</svg>"
    )


def legend_html(events: Sequence[Event], colours: dict[str, str]) -> str:
    counts = Counter(outlet for event in events for outlet in _outlets(event))
    items = "".join(
        f'<span class="attache-tl-key"><span class="attache-swatch" style="background:{colour}"></span>'
        f"{html.escape(outlet)} ({counts[outlet]})</span>"
        for outlet, colour in colours.items()
    )
    return f'<div class="attache-tl-legend">{items}</div>'


def _source(source: EventSource, colours: dict[str, str]) -> str:
    outlet = source.outlet or UNKNOWN
    body = f"{html.escape(outlet)} · {html.escape(source.title or '(untitled)')}"
    link = span_link(PANE, source.article_id, source.start, source.end, body, "the article, this sentence marked")
    swatch = f'<span class="attache-swatch" style="background:{colours.get(outlet, "#999")}"></span>'
    when = f"published {source.published.isoformat()}" if source.published else "undated"
    return f'<li>{swatch}{link} <span class="attache-meta">· {when}</span></li>'


def event_html(event: Event, colours: dict[str, str]) -> str:
    """One event: its sentence, where it is reported (each a link to the sentence in its article), how it was dated."""
    how = f"how the day was read: {event.resolved_from}" if event.day else f"not dated: {event.resolved_from}"
    sources = "".join(_source(s, colours) for s in event.sources)
    return (
        f'<div class="attache-event"><p class="attache-event-text">{html.escape(event.text)}</p>'
        f'<ul class="attache-event-sources">{sources}</ul><div class="attache-tl-how">{html.escape(how)}</div></div>'
    )


def _day_heading(day: date) -> str:
    return f"{day.isoformat()} · {calendar.day_name[day.weekday()]}"


def _list_html(events: Sequence[Event], colours: dict[str, str]) -> str:
    """Dated events under their day, in day order, then the undated ones in a section of their own."""
    dated, undated = [e for e in events if e.day is not None], [e for e in events if e.day is None]
    days: dict[date, list[Event]] = {}
    for event in sorted(dated, key=lambda e: e.day or date.min):
        days.setdefault(event.day or date.min, []).append(event)
    sections = [
        f'<section class="attache-tl-day" id="attache-day-{day.isoformat()}"><h4>{_day_heading(day)}</h4>'
        + "".join(event_html(e, colours) for e in day_events)
        + "</section>"
        for day, day_events in days.items()
    ]
    if undated:
        sections.append(
            '<section class="attache-tl-undated" id="attache-day-undated"><h4>Undated</h4>'
            '<p class="attache-meta">Their articles carry no date, so these events cannot be placed on a day.</p>'
            + "".join(event_html(e, colours) for e in undated)
            + "</section>"
        )
    return f'<div class="attache-tl-list">{"".join(sections)}</div>'


def timeline_html(events: Sequence[Event], query: str = "", scope: str = "the whole library") -> str:
    """The header (how many events, days, outlets), the chart and its legend, then the cited list."""
    asked = f" on “{query.strip()}”" if query.strip() else ""
    if not events:
        hint = "Try other words or wider filters." if asked else "No article here has a sentence with a date in it."
        return notice_html(CSS, f"No dated events{asked} in {scope}. {hint}")
    colours = outlet_colours(events)
    dated = [e for e in events if e.day is not None]
    undated = len(events) - len(dated)
    head = f"{plural(len(dated), 'event')} on {plural(len({e.day for e in dated}), 'day')}"
    notes = [f"{undated} undated" if undated else "", f"{plural(len(colours), 'outlet')}", f"in {scope}"]
    if len(events) > MAX_SHOWN:
        notes.append(f"listing the first {MAX_SHOWN}: narrow by words or filters")
    head_html = (
        f'<p class="attache-view-head"><strong>{head}</strong>{html.escape(asked)}'
        f'<span class="attache-meta"> · {html.escape(" · ".join(n for n in notes if n))}</span></p>'
    )
    chart = chart_svg(events, colours)
    figure = f'<figure class="attache-tl-figure">{chart}{legend_html(events, colours)}</figure>' if chart else ""
    return f'<div class="{CSS}">{head_html}{figure}{_list_html(events[:MAX_SHOWN], colours)}</div>'


# -- the tab ----------------------------------------------------------------------------------


def find_events(
    assistant: Assistant,
    query: str | None,
    outlets: Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    as_of: str | None,
) -> str:
    words = (query or "").strip()
    return show_view(
        CSS,
        (outlets, date_from, date_to, as_of),
        lambda filters, day: assistant.timeline(words or None, filters, day),
        lambda events, scope: timeline_html(events, words, scope),
    )


def timeline_tab(assistant: Assistant, demo: gr.Blocks, tab: gr.Tab, chat: FilterRow) -> None:
    """Lay out the Timeline tab inside the open ``tab`` and wire it; ``chat`` is the Chat's filter row."""
    with gr.Row(elem_classes="attache-view-query"):
        query = gr.Textbox(
            label="Story",
            placeholder="what the events are about (leave empty for the whole library)",
            scale=5,
            elem_id="attache-timeline-query",
        )
        show = gr.Button("Show timeline", variant="primary", scale=0, min_width=200, elem_id="attache-timeline-show")
    row = view_filters(PANE, assistant, demo, tab, chat)
    with gr.Row():
        with gr.Column(scale=3, min_width=360):
            results = gr.HTML(notice_html(CSS, "Loading the timeline…"), elem_id="attache-timeline-results")
        pane = reader_pane(PANE)
    wire_reader(assistant, PANE, pane, "the dated sentence highlighted")

    def run(*values: Any) -> str:
        return find_events(assistant, *values)

    for event in (show.click, query.submit, tab.select):
        event(run, [query, *row.fields], [results])
