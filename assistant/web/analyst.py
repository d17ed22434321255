"""What the analyst's views (Quotes, Timeline, Coverage) share: a filter row that follows the Chat's filters, the
reader pane a span link opens, and the words saying what a view was restricted to.

Filters: each view has its own row (outlets, published from/to, as of), so it can be narrowed where it is read.
The row starts from the Chat's filters and follows them: a change in the Chat is copied into every view's row (in
the browser, no round trip), while a change made in a view applies to that view alone. ``chat_tab`` returns only
its outlets field; :func:`chat_filter_row` finds its date fields by their element ids (which the browser tests rely
on too).

Reader: a :func:`assistant.web.reader.span_link` in a view's results names the view (``data-pane``); the page
script (:data:`assistant.web.assets.CITE_JS`) writes its key into the view's hidden box and clicks its hidden
button, which opens the article beside the results with that span marked and scrolled to.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import gradio as gr

from assistant.answering.assistant import Assistant
from assistant.core.errors import AttacheError
from assistant.core.types import Filters
from assistant.web.chat import DATE_FIELDS, chat_filters, date_problems
from assistant.web.library import outlet_choices
from assistant.web.reader import parse_span_key, reader_html
from assistant.web.render import error_text, parse_day

log = logging.getLogger(__name__)
T = TypeVar("T")

FILTERS_LABEL = "Filters (they follow the Chat's; a change here applies to this view only)"
CHAT_DATE_IDS = ("attache-from", "attache-to", "attache-as-of")  # the Chat's date fields, as chat_tab names them

# Bring the marked span into the middle of the reader's scroll box, and the pane into view; the marks may arrive
# a moment after the event that rendered them, so look a few times.
SCROLL_JS = """
() => {
  let tries = 0;
  const look = () => {
    const pane = document.querySelector("#attache-%s-reader");
    const mark = pane?.querySelector("mark");
    const box = pane?.querySelector(".attache-read-scroll");
    if (!mark || !box) { if (++tries < 20) setTimeout(look, 100); return; }
    box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
    pane.scrollIntoView({ block: "nearest" });
  };
  setTimeout(look, 50);
}
"""


@dataclass(frozen=True)
class FilterRow:
    """The four filter fields, in the order every view's handler takes them."""

    outlets: gr.Dropdown
    date_from: gr.DateTime
    date_to: gr.DateTime
    as_of: gr.DateTime

    @property
    def fields(self) -> list[Any]:
        return [self.outlets, self.date_from, self.date_to, self.as_of]


@dataclass(frozen=True)
class ReaderPane:
    """A view's reader: a column beside the results (hidden until a span link opens it) and its hidden trigger."""

    column: gr.Column
    body: gr.HTML
    key: gr.Textbox
    button: gr.Button
    close: gr.Button


# -- rendering --------------------------------------------------------------------------------


def read_filters(
    outlets: Sequence[str] | None, date_from: str | None, date_to: str | None, as_of: str | None
) -> tuple[Filters | None, date | None]:
    """A filter row's values as (:class:`Filters` or None, as-of day); ``ValueError`` names each bad field."""
    if problems := date_problems(date_from, date_to, as_of):
        raise ValueError("; ".join(problems.values()))
    return chat_filters(outlets, date_from, date_to), parse_day(as_of, DATE_FIELDS["as_of"])


def show_view(
    css: str,
    row: tuple[Sequence[str] | None, str | None, str | None, str | None],
    fetch: Callable[[Filters | None, date | None], T],
    render: Callable[[T, str], str],
) -> str:
    """A view's handler: read the filter ``row`` (outlets, from, to, as of), ``fetch`` from the assistant, ``render``
    with the scope in words; a bad date or a failing fetch becomes a sentence and the page carries on."""
    try:
        filters, day = read_filters(*row)
    except ValueError as exc:
        return notice_html(css, f"⚠️ {exc}")
    try:
        found = fetch(filters, day)
    except Exception as exc:  # the edge: a failure is a sentence and the page carries on
        return failure_html(css, exc)
    return render(found, scope_text(filters, day))


def scope_text(filters: Filters | None, as_of: date | None) -> str:
    """What a view looked through, in words: "the whole library", or its outlets, dates and as-of day."""
    parts = []
    if filters is not None and filters.outlets:
        parts.append("outlets: " + ", ".join(filters.outlets))
    if filters is not None and (filters.date_from or filters.date_to):
        parts.append(f"published {filters.date_from or '…'} – {filters.date_to or '…'}")
    if as_of is not None:
        parts.append(f"as of {as_of.isoformat()}")
    return " · ".join(parts) or "the whole library"


def notice_html(css: str, text: str) -> str:
    """A plain sentence in place of a view's results (nothing found, a bad date, an error)."""
    return f'<div class="{css}"><p class="attache-empty">{html.escape(text)}</p></div>'


def failure_html(css: str, exc: Exception) -> str:
    """A view's error as a sentence; the page carries on."""
    if isinstance(exc, AttacheError):
        return notice_html(css, "⚠️ " + error_text(exc))
    log.exception("a view failed")
    return notice_html(css, "⚠️ Unexpected error while reading the library (details are in the server log).")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def day_text(day: date | None) -> str:
    return day.isoformat() if day else "undated"


# -- the shared pieces of a tab ---------------------------------------------------------------


def chat_filter_row(demo: gr.Blocks, outlets: gr.Dropdown) -> FilterRow:
    """The Chat's filter fields: its outlets (which ``chat_tab`` returns) and its date fields, by element id."""
    by_id = {getattr(block, "elem_id", None): block for block in demo.blocks.values()}
    missing = [elem_id for elem_id in CHAT_DATE_IDS if not isinstance(by_id.get(elem_id), gr.DateTime)]
    if missing:
        raise RuntimeError(f"the Chat tab has no date field {', '.join(missing)}: build it before the views")
    date_from, date_to, as_of = (by_id[elem_id] for elem_id in CHAT_DATE_IDS)
    return FilterRow(outlets, date_from, date_to, as_of)  # type: ignore[arg-type]  # checked just above


def view_filters(name: str, assistant: Assistant, demo: gr.Blocks, tab: gr.Tab, chat: FilterRow) -> FilterRow:
    """The view's filter row (inside the open tab), following ``chat``'s; its outlets are offered afresh whenever
    the tab is opened, since the Library tab may have added some."""
    with (
        gr.Accordion(FILTERS_LABEL, open=True, elem_id=f"attache-{name}-filters"),
        gr.Row(equal_height=True),
    ):
        outlets = gr.Dropdown(
            [], multiselect=True, label="Outlets", scale=2, min_width=240, elem_id=f"attache-{name}-outlets"
        )
        dates = [
            gr.DateTime(
                include_time=False,
                type="string",
                label=DATE_FIELDS[key],
                scale=1,
                min_width=250,  # the calendar button needs room beside the date
                elem_id=f"attache-{name}-{key.replace('_', '-')}",
            )
            for key in ("from", "to", "as_of")
        ]
    row = FilterRow(outlets, *dates)
    for source, target in zip(chat.fields, row.fields, strict=True):
        source.change(None, [source], [target], js="(value) => [value]")  # one output: its value in a list

    def offer() -> Any:
        try:
            return gr.Dropdown(choices=outlet_choices(assistant.store.list_articles()))
        except Exception:  # the edge: the view still works without the outlets offered
            log.exception("cannot list the outlets")
            return gr.skip()

    demo.load(offer, None, [outlets])
    tab.select(offer, None, [outlets])
    return row


def reader_pane(name: str) -> ReaderPane:
    """The reader column (call inside the results' ``gr.Row``), hidden until a span link of this view opens it."""
    with gr.Column(
        scale=2, min_width=320, visible=False, elem_id=f"attache-{name}-reader-pane", elem_classes="attache-view-reader"
    ) as column:
        close = gr.Button("Close the article ✕", size="sm", elem_id=f"attache-{name}-reader-close")
        body = gr.HTML("", elem_id=f"attache-{name}-reader")
    key = gr.Textbox(visible="hidden", elem_id=f"attache-{name}-read-key")
    button = gr.Button(visible="hidden", elem_id=f"attache-{name}-read")
    return ReaderPane(column, body, key, button, close)


def open_span(assistant: Assistant, key: str | None, note: str, prefix: str) -> str:
    """The reader view for a span key: the article with that span marked (or why it cannot be shown)."""
    found = parse_span_key(key)
    if found is None:
        return '<div class="attache-reader"><p>Nothing to open.</p></div>'
    article_id, start, end = found
    return reader_html(assistant.store.get_article(article_id), [(start, end, ())], note=note, prefix=prefix)


def wire_reader(assistant: Assistant, name: str, pane: ReaderPane, note: str) -> None:
    """A click on one of the view's span links opens the article at that span; Close folds the pane away."""

    def show(key: str | None) -> tuple[str, Any]:
        return open_span(assistant, key, note, f"attache-{name}-read"), gr.Column(visible=True)

    pane.button.click(show, [pane.key], [pane.body, pane.column]).then(None, None, None, js=SCROLL_JS % name)
    pane.close.click(lambda: gr.Column(visible=False), None, [pane.column])
