"""The Chat tab's history list: saved conversations, newest first; open, rename, delete, search.

Saving follows the conversation's Markdown, which the chat rewrites once each answer is finished: when it
changes, the answered turns the stored conversation lacks are appended to the conversation on screen (created
with its first answer), so nothing in the chat's own handlers knows about saving. (Not a change listener on the
turns' ``gr.State``: Gradio hashes a watched state, and an ``Answer`` holds a dict.) Opening the page reopens the
conversation last open in this browser (a ``gr.BrowserState``), else the user's newest, with its sources panel.
Every call passes the current user (:func:`assistant.web.users.current_user`): the store refuses another
user's conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.answering.assistant import Assistant
from assistant.core.errors import HistoryError
from assistant.history.records import ConversationRecord
from assistant.history.store import ConversationStore
from assistant.web.render import ChatTurn, answer_message, conversation_markdown, md_text, render_panel
from assistant.web.users import current_user

log = logging.getLogger(__name__)

LISTED = 50
Message = dict[str, Any]


def chat_turns(record: ConversationRecord) -> list[ChatTurn]:
    """A stored conversation's turns as the chat keeps them (each with its answer, so its sources)."""
    return [ChatTurn(t.question, t.query, t.answer.text, t.answer, t.filters) for t in record.turns]


def chat_messages(turns: list[ChatTurn]) -> list[Message]:
    """The chat's messages for ``turns``, numbered as when they were asked (citation links included)."""
    messages: list[Message] = []
    for number, turn in enumerate(turns, start=1):
        messages.append({"role": "user", "content": md_text(turn.question)})
        messages.append({"role": "assistant", "content": answer_message(turn, number)})
    return messages


def choice_label(record: ConversationRecord) -> str:
    turns = f"{record.n_turns} turn" + ("" if record.n_turns == 1 else "s")
    return f"{record.title or 'Untitled'} · {turns} · {record.updated_at[:10]}"


def history_choices(store: ConversationStore, user: str, search: str = "") -> list[tuple[str, str]]:
    """``(label, id)`` for the list: the user's conversations with a turn, newest first, matching ``search``."""
    return [(choice_label(r), r.id) for r in store.list(user, search=search, limit=LISTED) if r.n_turns]


def save_new_turns(store: ConversationStore, user: str, conversation_id: str, turns: list[ChatTurn]) -> str:
    """Append the answered turns the stored conversation does not have yet (failed turns are not saved); the
    conversation's id, created with its first answer. ``ConversationNotFound`` if it is not ``user``'s."""
    answered = [t for t in turns if t.result is not None]
    record = store.get(user, conversation_id) if conversation_id else None
    if conversation_id and record is None:
        raise HistoryError("the conversation on screen is no longer in your history")
    for turn in answered[record.n_turns if record else 0 :]:
        assert turn.result is not None
        if not conversation_id:
            conversation_id = store.create(user, turn.question, turn.result.backend).id
        store.append_turn(user, conversation_id, turn.result, turn.filters)
    return conversation_id


@dataclass(frozen=True)
class ChatView:
    """The Chat tab's components that show a conversation."""

    chat: gr.Chatbot
    sources: gr.HTML
    turns: gr.State
    markdown: gr.Textbox
    download: gr.DownloadButton


@dataclass(frozen=True)
class HistoryPanel:
    """The history column's components and the id of the conversation on screen."""

    search: gr.Textbox
    listing: gr.Radio
    title: gr.Textbox
    rename: gr.Button
    delete: gr.Button
    opened: gr.State
    remembered: gr.BrowserState


def history_panel() -> HistoryPanel:
    """The history column's components (inside an open ``gr.Column``)."""
    search = gr.Textbox(placeholder="Search conversations…", show_label=False, elem_id="attache-history-search")
    listing = gr.Radio([], label="Conversations", elem_id="attache-history")
    title = gr.Textbox(label="Title", max_lines=1, elem_id="attache-history-title")
    with gr.Row():
        rename = gr.Button("Rename", size="sm", elem_id="attache-history-rename")
        delete = gr.Button("Delete", size="sm", variant="stop", elem_id="attache-history-delete")
    opened = gr.State("")  # the id of the conversation on screen ("" until its first answer is saved)
    remembered = gr.BrowserState("", storage_key="attache-conversation")
    return HistoryPanel(search, listing, title, rename, delete, opened, remembered)


class HistoryHandlers:
    """The history's server side, one method per event; each asks :func:`current_user` and passes the user to
    the store, which refuses another user's conversation. Methods return what the event's outputs show."""

    def __init__(self, assistant: Assistant, export: Callable[[str], str]) -> None:
        self.assistant = assistant
        self.store = assistant.history
        self.export = export

    def listed(self, user: str, query: str, conversation: str) -> Any:
        return gr.Radio(history_choices(self.store, user, query), value=conversation or None)

    def shown(self, record: ConversationRecord | None, user: str, query: str = "") -> tuple[Any, ...]:
        """Everything the tab shows for ``record`` (None: an empty chat), and the history list: chat, sources,
        turns, Markdown, export, opened id, remembered id, list, title."""
        done = chat_turns(record) if record else []
        ident = record.id if record else ""
        text = conversation_markdown(done, self.assistant.backend_label) if done else ""
        ready = gr.DownloadButton(value=self.export(text) if done else None, interactive=bool(done))
        messages = chat_messages(done)
        title = record.title if record else ""
        return messages, render_panel(done), done, text, ready, ident, ident, self.listed(user, query, ident), title

    def on_turns(self, turns: list[ChatTurn], conversation: str, query: str, request: gr.Request) -> tuple[Any, ...]:
        user = current_user(request)
        if not any(t.result is not None for t in turns):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            saved = save_new_turns(self.store, user, conversation, turns)
        except HistoryError as exc:  # the answer stands; only its saving failed
            log.warning("could not save the turn: %s", exc)
            gr.Warning(f"This answer could not be saved to the history: {exc}")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        record = self.store.get(user, saved)
        return saved, saved, self.listed(user, query, saved), record.title if record else gr.skip()

    def on_load(self, remembered: str, request: gr.Request) -> tuple[Any, ...]:
        user = current_user(request)
        record = (self.store.get(user, remembered) if remembered else None) or self.store.latest(user)
        *view_parts, _, title = self.shown(record, user)
        ident = record.id if record else None
        # the class says the page now shows what the history holds (a test waits for it before asking)
        loaded = gr.Radio(history_choices(self.store, user), value=ident, elem_classes=["attache-history-loaded"])
        return *view_parts, loaded, title

    def on_open(self, picked: str | None, query: str, request: gr.Request) -> tuple[Any, ...]:
        user = current_user(request)
        record = self.store.get(user, picked) if picked else None
        if picked and record is None:
            gr.Warning("That conversation is not in your history.")
        return self.shown(record, user, query)

    def on_new(self, query: str, request: gr.Request) -> tuple[Any, ...]:
        """Beside the chat's own "New conversation": nothing is open any more."""
        return "", "", self.listed(current_user(request), query, ""), ""

    def on_rename(self, conversation: str, title: str, query: str, request: gr.Request) -> Any:
        user = current_user(request)
        if conversation:
            try:
                self.store.rename(user, conversation, title)
            except (HistoryError, ValueError) as exc:
                gr.Warning(str(exc))
        return self.listed(user, query, conversation)

    def on_delete(self, conversation: str, query: str, request: gr.Request) -> tuple[Any, ...]:
        user = current_user(request)
        if conversation:
            try:
                self.store.delete(user, conversation)
            except HistoryError as exc:
                gr.Warning(str(exc))
        return self.shown(None, user, query)

    def on_search(self, query: str, conversation: str, request: gr.Request) -> Any:
        return self.listed(current_user(request), query, conversation)


def wire_history(
    assistant: Assistant,
    demo: gr.Blocks,
    panel: HistoryPanel,
    view: ChatView,
    new: gr.Button,
    export: Callable[[str], str],
) -> None:
    """The history's handlers: save as the chat's turns grow; reopen on load; open, new, rename, delete, search."""
    on = HistoryHandlers(assistant, export)
    shows = [view.chat, view.sources, view.turns, view.markdown, view.download, *_ids(panel), panel.listing]
    shows.append(panel.title)
    named = [*_ids(panel), panel.listing, panel.title]
    view.markdown.change(on.on_turns, [view.turns, panel.opened, panel.search], named)
    demo.load(on.on_load, [panel.remembered], shows)
    panel.listing.input(on.on_open, [panel.listing, panel.search], shows)
    new.click(on.on_new, [panel.search], named)
    view.chat.clear(on.on_new, [panel.search], named)
    panel.rename.click(on.on_rename, [panel.opened, panel.title, panel.search], [panel.listing])
    panel.title.submit(on.on_rename, [panel.opened, panel.title, panel.search], [panel.listing])
    panel.delete.click(on.on_delete, [panel.opened, panel.search], shows)
    panel.search.change(on.on_search, [panel.search, panel.opened], [panel.listing])


def _ids(panel: HistoryPanel) -> list[Any]:
    return [panel.opened, panel.remembered]
