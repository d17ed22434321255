"""The web chat: ``build_ui(assistant) -> gr.Blocks``. Renders stream events; no business logic.

Everything that comes from an article (titles, passages, quotes, URLs) is HTML-escaped
before it reaches the page.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.answer import Assistant
from assistant.errors import AttacheError
from assistant.types import Answer, AnswerEvent, Citation, Passage, PassagesEvent, TextEvent

Message = dict[str, str]

CSS = """
.attache-sources { font-size: 0.92em; }
.attache-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin-bottom: 8px; }
.attache-source h4 { margin: 0 0 4px 0; font-size: 0.95em; }
.attache-source .meta { color: var(--body-text-color-subdued); font-size: 0.85em; margin-bottom: 4px; }
.attache-source mark { background: #fde68a; color: inherit; padding: 0 1px; }
.attache-source.uncited { opacity: 0.7; }
"""


def _highlighted(passage: Passage, citations: list[Citation]) -> str:
    """The passage text, escaped, with each cited quote wrapped in <mark>."""
    chunk = passage.chunk
    spans = sorted({(max(c.start, chunk.start) - chunk.start, min(c.end, chunk.end) - chunk.start) for c in citations})
    out, cursor = [], 0
    for start, end in spans:
        if start < cursor or end <= start:
            continue
        out.append(html.escape(chunk.text[cursor:start]))
        out.append(f"<mark>{html.escape(chunk.text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(chunk.text[cursor:]))
    return "".join(out)


def _source_card(passage: Passage, citations: list[Citation]) -> str:
    chunk = passage.chunk
    meta = " · ".join(html.escape(x) for x in (chunk.outlet, str(chunk.published or "")) if x)
    link = ""
    if chunk.url.startswith(("http://", "https://")):
        href = html.escape(chunk.url, quote=True)
        link = f' · <a href="{href}" target="_blank" rel="noopener noreferrer">link</a>'
    css = "attache-source" + ("" if citations else " uncited")
    return (
        f'<div class="{css}" id="source-{passage.rank}">'
        f"<h4>[{passage.rank}] {html.escape(chunk.title)}</h4>"
        f'<div class="meta">{meta}{link} · relevance {passage.score:.2f}</div>'
        f"<div>{_highlighted(passage, citations)}</div></div>"
    )


def render_sources(passages: tuple[Passage, ...], answer: Answer | None = None) -> str:
    """Cited passages first (with quotes highlighted), then the other retrieved ones."""
    if not passages:
        return '<div class="attache-sources"><p>No sources yet.</p></div>'
    cited: dict[int, list[Citation]] = {}
    for citation in answer.citations if answer else ():
        cited.setdefault(citation.number, []).append(citation)
    ordered = sorted(passages, key=lambda p: (p.rank not in cited, p.rank))
    cards = [_source_card(p, cited.get(p.rank, [])) for p in ordered]
    return '<div class="attache-sources">' + "".join(cards) + "</div>"


def respond(assistant: Assistant, message: str, history: list[Message]) -> Iterator[tuple[list[Message], str]]:
    """One chat turn as a stream of (chat history, sources panel) updates."""
    question = (message or "").strip()
    if not question:
        yield history, render_sources(())
        return
    history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": ""}]
    text, passages = "", tuple[Passage, ...]()
    try:
        for event in assistant.stream(question):
            if isinstance(event, PassagesEvent):
                passages = event.passages
                yield history, render_sources(passages)
            elif isinstance(event, TextEvent):
                text += event.delta
                history[-1] = {"role": "assistant", "content": html.escape(text)}
                yield history, render_sources(passages)
            elif isinstance(event, AnswerEvent):
                history[-1] = {"role": "assistant", "content": html.escape(event.answer.text)}
                yield history, render_sources(event.answer.passages, event.answer)
    except AttacheError as exc:
        history[-1] = {
            "role": "assistant",
            "content": f"Sorry, something went wrong: {html.escape(str(exc))}",
        }
        yield history, render_sources(passages)


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat page. Launching (host, port, auth) is the caller's business."""
    with gr.Blocks(title="Attaché") as demo:
        gr.Markdown(f"## Attaché\nCited answers over your news library · _{assistant.backend_label}_")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=520, buttons=["copy"])
                box = gr.Textbox(placeholder="Ask about the coverage…", show_label=False, submit_btn=True)
            with gr.Column(scale=2):
                sources = gr.HTML(render_sources(()), label="Sources")

        def on_submit(message: str, history: list[Message]) -> Iterator[tuple[Any, ...]]:
            for updated, panel in respond(assistant, message, history):
                yield updated, panel, ""

        box.submit(on_submit, [box, chat], [chat, sources, box])
    blocks: gr.Blocks = demo
    return blocks
