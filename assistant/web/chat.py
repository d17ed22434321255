"""The Chat tab: the question box, the conversation, filters and the as-of date, the sources panel.

Handlers call the assistant and hand what comes back to :mod:`assistant.web.render`, which escapes everything
from an article or a model.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answering.assistant import Assistant
from assistant.core.errors import AttacheError
from assistant.core.types import AnswerEvent, Filters, Passage, PassagesEvent, TextEvent
from assistant.web.history import ChatView, history_panel, wire_history
from assistant.web.reader import cited_spans, reader_html
from assistant.web.render import (
    ChatTurn,
    answer_message,
    conversation_markdown,
    error_text,
    md_text,
    parse_day,
    render_panel,
    with_marker_links,
)
from assistant.web.welcome import mode_text, overview, welcome_markdown

log = logging.getLogger(__name__)

Message = dict[str, Any]
Update = tuple[list[Message], str, list[ChatTurn]]
DATE_FIELDS = {"from": "Published from", "to": "Published to", "as_of": "As of"}  # the fields' labels


def date_problems(date_from: str | None, date_to: str | None, as_of: str | None) -> dict[str, str]:
    """What is wrong with each date field (keys of :data:`DATE_FIELDS`), in words naming the field by its label."""
    problems, days = {}, {}
    for key, value in (("from", date_from), ("to", date_to), ("as_of", as_of)):
        try:
            days[key] = parse_day(value, DATE_FIELDS[key])
        except ValueError as exc:
            problems[key] = str(exc)
    start, end = days.get("from"), days.get("to")
    if start and end and start > end:
        problems["to"] = f"the date range is empty: Published to ({end}) is before Published from ({start})"
    return problems


def chat_filters(outlets: Sequence[str] | None, date_from: str | None, date_to: str | None) -> Filters | None:
    """The filter boxes as :class:`Filters` (None: no filter); ``ValueError`` says what is wrong with a date."""
    if problems := date_problems(date_from, date_to, None):
        raise ValueError("; ".join(problems.values()))
    start, end = parse_day(date_from, DATE_FIELDS["from"]), parse_day(date_to, DATE_FIELDS["to"])
    filters = Filters(outlets=tuple(outlets or ()), date_from=start, date_to=end)
    return None if filters.empty else filters


def welcome(assistant: Assistant) -> gr.Chatbot:
    """The empty chat's welcome and example questions, as of now (run at every page load)."""
    view = overview(assistant)
    examples: list[Any] = [{"text": q} for q in view.questions]
    return gr.Chatbot(placeholder=welcome_markdown(view, mode_text(assistant)), examples=examples or None)


def open_article(assistant: Assistant, turns: Sequence[ChatTurn], key: str) -> str:
    """The reader view for ``"turn:article_id"`` (from a card's "open article"), that turn's quotes highlighted."""
    number, _, article_id = (key or "").partition(":")
    turn = turns[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(turns) else None
    answer = turn.result if turn is not None else None
    return reader_html(assistant.store.get_article(article_id), cited_spans(answer, article_id))


def respond(
    assistant: Assistant,
    message: str,
    history: list[Message],
    turns: Sequence[ChatTurn] | None = None,
    filters: Filters | None = None,
    as_of: date | None = None,
) -> Iterator[Update]:
    """One chat turn as a stream of (chat history, sources panel, turns) updates; errors become messages."""
    done = list(turns or [])
    question = (message or "").strip()
    if not question:
        yield history, render_panel(done), done
        return
    number = len(done) + 1
    history = [*history, {"role": "user", "content": md_text(question)}, {"role": "assistant", "content": ""}]
    text, passages = "", tuple[Passage, ...]()
    past = [t for t in done if t.result is not None]  # a failed turn is no context for a follow-up
    try:
        for event in assistant.stream(question, past, filters, as_of=as_of):
            match event:
                case PassagesEvent(passages=passages):
                    pass
                case TextEvent(delta=delta):
                    text += delta
                    history[-1] = {"role": "assistant", "content": with_marker_links(text, number, _ranks(passages))}
                case AnswerEvent(answer=answer):
                    done.append(ChatTurn(question, answer.query, answer.text, answer, filters))
                    history[-1] = {"role": "assistant", "content": answer_message(done[-1], number)}
                    yield list(history), render_panel(done), list(done)
                    return
            yield list(history), render_panel(done, (question, passages)), list(done)
    except Exception as exc:  # the edge: every failure becomes a message and the chat keeps working
        if not isinstance(exc, AttacheError):
            log.exception("chat turn failed")
        done.append(ChatTurn(question, question, "", None, filters, error_text(exc)))
        history[-1] = {"role": "assistant", "content": answer_message(done[-1], number)}
        yield history, render_panel(done), done


def _ranks(passages: Sequence[Passage]) -> list[int]:
    return [p.rank for p in passages]


def export_file(markdown: str, folder: Path) -> str:
    """Write the conversation for the download button; one folder per export keeps the file name plain."""
    target = folder / uuid.uuid4().hex[:12] / "attache-conversation.md"
    target.parent.mkdir(parents=True)
    target.write_text(markdown, encoding="utf-8")
    return str(target)


def example_text(picked: gr.SelectData) -> str:
    """The question of a clicked example."""
    return str(picked.value.get("text", "")) if isinstance(picked.value, dict) else ""


def _warning(problem: str | None) -> dict[str, Any]:
    return gr.update(value=f"⚠️ {md_text(problem)}" if problem else "", visible=bool(problem))


def chat_tab(assistant: Assistant, exports: Path, demo: gr.Blocks) -> gr.Dropdown:
    """The Chat tab's components and handlers (inside an open ``gr.Tab``); returns the outlets filter, which the
    Library tab keeps up to date."""
    with gr.Row():
        with gr.Column(scale=1, min_width=220, elem_id="attache-history-panel"):
            panel = history_panel()
        with gr.Column(scale=3):
            # no built-in copy buttons: they copy the HTML of the messages; "Copy as Markdown" copies text
            chat = gr.Chatbot(label="Chat", height=540, elem_id="attache-chat", buttons=[], latex_delimiters=[])
            box = gr.Textbox(
                placeholder="Ask about the coverage…",
                show_label=False,
                submit_btn=True,
                elem_id="attache-question",
            )
            with gr.Row():
                new = gr.Button("New conversation", size="sm", elem_id="attache-new")
                copy = gr.Button("Copy as Markdown", size="sm", elem_id="attache-copy")
                download = gr.DownloadButton("Export .md", size="sm", interactive=False, elem_id="attache-export")
            with gr.Accordion("Filters", open=False) as filter_box:
                outlets = gr.Dropdown([], multiselect=True, label="Outlets", elem_id="attache-outlets")
                with gr.Row():
                    with gr.Column(min_width=160):
                        date_from = gr.DateTime(
                            include_time=False, type="string", label=DATE_FIELDS["from"], elem_id="attache-from"
                        )
                        warn_from = gr.Markdown(visible=False, elem_id="attache-from-warning", elem_classes="warn")
                    with gr.Column(min_width=160):
                        date_to = gr.DateTime(
                            include_time=False, type="string", label=DATE_FIELDS["to"], elem_id="attache-to"
                        )
                        warn_to = gr.Markdown(visible=False, elem_id="attache-to-warning", elem_classes="warn")
                as_of = gr.DateTime(
                    include_time=False,
                    type="string",
                    label=DATE_FIELDS["as_of"],
                    info="relative dates ('this week') count from this day; default today",
                    elem_id="attache-as-of",
                )
                warn_as_of = gr.Markdown(visible=False, elem_id="attache-as-of-warning", elem_classes="warn")
            with gr.Accordion("Conversation as Markdown", open=False):
                markdown = gr.Textbox(
                    show_label=False,
                    lines=8,
                    max_lines=20,
                    interactive=False,
                    buttons=["copy"],
                    elem_id="attache-markdown",
                )
        with gr.Column(scale=2):
            with gr.Column(visible=False, elem_id="attache-reader-pane") as reader_pane:
                back = gr.Button("← Back to the sources", size="sm", elem_id="attache-reader-back")
                reader = gr.HTML("", elem_id="attache-reader")
            sources = gr.HTML(render_panel([]), label="Sources", elem_id="attache-sources")
            # a card's "open article" link writes "turn:article_id" here and clicks the button (assets.CITE_JS)
            read_key = gr.Textbox(visible="hidden", elem_id="attache-read-key")
            read = gr.Button(visible="hidden", elem_id="attache-read")

    turns = gr.State([])
    view = ChatView(chat, sources, turns, markdown, download)
    wire_history(assistant, demo, panel, view, new, lambda text: export_file(text, exports))
    warnings = [warn_from, warn_to, warn_as_of]

    def on_submit(
        message: str,
        history: list[Message],
        past: list[ChatTurn],
        picked: list[str],
        start: str | None,
        end: str | None,
        day: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        problems = date_problems(start, end, day)
        fields = [_warning(problems.get(key)) for key in DATE_FIELDS]
        if problems:  # the warning goes by its field and the question stays in the box
            yield gr.skip(), gr.skip(), message, past, gr.skip(), gr.skip(), gr.Accordion(open=True), *fields
            return
        filters, when = chat_filters(picked, start, end), parse_day(day, DATE_FIELDS["as_of"])
        now, quiet = past, [gr.skip()] * len(warnings)
        first = True
        for shown, panel, now in respond(assistant, message, history, past, filters, when):
            yield shown, panel, "", now, gr.skip(), gr.skip(), gr.skip(), *(fields if first else quiet)
            first = False
        if not now:
            return
        text = conversation_markdown(now, assistant.backend_label)
        ready = gr.DownloadButton(value=export_file(text, exports), interactive=True)
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), text, ready, gr.skip(), *quiet

    def on_new() -> tuple[Any, ...]:
        return [], render_panel([]), [], "", "", gr.DownloadButton(value=None, interactive=False)

    chat_in = [box, chat, turns, outlets, date_from, date_to, as_of]
    chat_out = [chat, sources, box, turns, markdown, download, filter_box, *warnings]
    box.submit(on_submit, chat_in, chat_out)
    chat.example_select(example_text, None, box).then(on_submit, chat_in, chat_out)
    for asked in (box.submit, chat.example_select, new.click):  # a new question closes the reader view
        asked(lambda: (gr.Column(visible=False), gr.HTML(visible=True)), None, [reader_pane, sources])
    new.click(on_new, None, [chat, sources, turns, box, markdown, download])
    chat.clear(on_new, None, [chat, sources, turns, box, markdown, download])
    demo.load(lambda: welcome(assistant), None, chat)
    scroll = "() => document.querySelector('#attache-reader mark')?.scrollIntoView({block: 'center'})"
    read.click(lambda past, key: open_article(assistant, past, key), [turns, read_key], reader).then(
        lambda: (gr.Column(visible=True), gr.HTML(visible=False)), None, [reader_pane, sources]
    ).then(None, None, None, js=scroll)
    back.click(lambda: (gr.Column(visible=False), gr.HTML(visible=True)), None, [reader_pane, sources])
    copy.click(None, [markdown], None, js="(text) => { navigator.clipboard?.writeText(text || ''); }")
    return outlets
