"""The web history's server side: saving the chat's turns, rebuilding a stored conversation, the current user."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.core.errors import HistoryError
from assistant.history.store import ConversationStore
from assistant.web.chat import respond
from assistant.web.history import chat_messages, chat_turns, history_choices, save_new_turns
from assistant.web.render import ChatTurn, render_panel
from assistant.web.users import current_user

GOALS = "What were the stated goals of Blinken's trip?"


def _ask(assistant: Any, question: str, turns: list[ChatTurn]) -> list[ChatTurn]:
    *_, (_, _, done) = respond(assistant, question, [], turns)
    return done


def test_turns_are_saved_as_they_grow_and_rebuild_the_same_chat(assistant: Any, tmp_path: Path) -> None:
    store = ConversationStore.at_home(tmp_path)
    turns = _ask(assistant, GOALS, [])
    ident = save_new_turns(store, "local", "", turns)
    assert ident and save_new_turns(store, "local", ident, turns) == ident  # nothing new: nothing written
    failed = [*turns, ChatTurn("Broken?", "Broken?", "", None, None, "the backend failed")]
    turns = _ask(assistant, "Who did he meet in Beijing?", failed)
    save_new_turns(store, "local", ident, turns)
    record = store.get("local", ident)
    assert record is not None and record.n_turns == 2  # the failed turn is shown but not saved
    rebuilt = chat_turns(record)
    answered = [t for t in turns if t.result is not None]
    assert [t.result for t in rebuilt] == [t.result for t in answered]
    assert render_panel(rebuilt) == render_panel(answered)  # the same sources panel after a reload
    messages = chat_messages(rebuilt)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2 and "attache-cite" in messages[1]["content"]
    assert history_choices(store, "local") == [(f"{GOALS} · 2 turns · {record.updated_at[:10]}", ident)]


def test_another_users_conversation_is_neither_listed_nor_written(assistant: Any, tmp_path: Path) -> None:
    store = ConversationStore.at_home(tmp_path)
    turns = _ask(assistant, GOALS, [])
    alices = save_new_turns(store, "alice", "", turns)
    assert history_choices(store, "bob") == []
    with pytest.raises(HistoryError):
        save_new_turns(store, "bob", alices, [*turns, *turns])
    assert store.get("bob", alices) is None
    record = store.get("alice", alices)
    assert record is not None and record.n_turns == 1


def test_current_user_is_the_signed_in_name_or_local() -> None:
    assert current_user(None) == "local"
    assert current_user(SimpleNamespace(username=None)) == "local"  # type: ignore[arg-type]
    assert current_user(SimpleNamespace(username="alice")) == "alice"  # type: ignore[arg-type]
