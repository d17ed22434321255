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

log = logging.getLogger(__name__)

Message = dict[str, Any]
Update = tuple[list[Message], str, list[ChatTurn]]


def chat_filters(outlets: Sequence[str] | None, date_from: str | None, date_to: str | None) -> Filters | None:
    """The filter boxes as :class:`Filters` (None: no filter); ``ValueError`` says what is wrong with a date."""
    start, end = parse_day(date_from, "From"), parse_day(date_to, "To")
    if start and end and start > end:
        raise ValueError(f"the date range is empty: {start} is after {end}")
    filters = Filters(outlets=tuple(outlets or ()), date_from=start, date_to=end)
    return None if filters.empty else filters


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
            with gr.Accordion("Filters", open=False):
                outlets = gr.Dropdown([], multiselect=True, label="Outlets", elem_id="attache-outlets")
                with gr.Row():
                    date_from = gr.DateTime(include_time=False, type="string", label="Published from")
                    date_to = gr.DateTime(include_time=False, type="string", label="Published to")
                as_of = gr.DateTime(
                    include_time=False,
                    type="string",
                    label="As of",
                    info="relative dates ('this week') count from this day; default today",
                )
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
            sources = gr.HTML(render_panel([]), label="Sources", elem_id="attache-sources")

    turns = gr.State([])
    view = ChatView(chat, sources, turns, markdown, download)
    wire_history(assistant, demo, panel, view, new, lambda text: export_file(text, exports))

    def on_submit(
        message: str,
        history: list[Message],
        past: list[ChatTurn],
        picked: list[str],
        start: str | None,
        end: str | None,
        day: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        try:
            filters, when = chat_filters(picked, start, end), parse_day(day, "As of")
        except ValueError as exc:
            notice = {"role": "assistant", "content": f"⚠️ {md_text(str(exc))}"}
            yield [*history, notice], gr.skip(), message, past, gr.skip(), gr.skip()
            return
        now = past
        for shown, panel, now in respond(assistant, message, history, past, filters, when):
            yield shown, panel, "", now, gr.skip(), gr.skip()
        if not now:
            return
        text = conversation_markdown(now, assistant.backend_label)
        ready = gr.DownloadButton(value=export_file(text, exports), interactive=True)
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), text, ready

    def on_new() -> tuple[Any, ...]:
        return [], render_panel([]), [], "", "", gr.DownloadButton(value=None, interactive=False)

    chat_out = [chat, sources, box, turns, markdown, download]
    box.submit(on_submit, [box, chat, turns, outlets, date_from, date_to, as_of], chat_out)
    new.click(on_new, None, [chat, sources, turns, box, markdown, download])
    chat.clear(on_new, None, [chat, sources, turns, box, markdown, download])
    copy.click(None, [markdown], None, js="(text) => { navigator.clipboard?.writeText(text || ''); }")
    return outlets
