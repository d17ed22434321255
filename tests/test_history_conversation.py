"""``Assistant.conversation``: saved as it goes, resumed by id with its history, private to its user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.core.errors import ConversationNotFound
from assistant.history.store import ConversationStore
from assistant.store.chroma import Store
from tests.conftest import make_settings

GOALS = "What were the stated goals of Blinken's trip?"
FOLLOW_UP = "Who did he meet in Beijing?"


def _bot(seeded_home: Path, embedder: Any, history: Path) -> Assistant:
    """An assistant over the seeded library whose conversation history lives in ``history`` (a fresh process's)."""
    settings = make_settings(seeded_home)
    bot = Assistant(settings, Store(settings, embedder), embedder)
    bot.history = ConversationStore.at_home(history)  # the seeded home is shared: keep its history untouched
    return bot


def test_a_resumed_conversation_rewrites_its_follow_up_with_the_stored_history(
    seeded_home: Path, embedder: Any, tmp_path: Path
) -> None:
    chat = _bot(seeded_home, embedder, tmp_path).conversation()
    assert chat.id is None  # created with its first answer
    first = chat.ask(GOALS)
    assert chat.id is not None and not first.abstained

    bot = _bot(seeded_home, embedder, tmp_path)  # as after a restart
    resumed = bot.conversation(chat.id)
    assert resumed.turns == chat.turns
    follow = resumed.ask(FOLLOW_UP)
    assert follow.query != FOLLOW_UP and "Blinken" in follow.query
    stored = bot.history.get("local", chat.id)
    assert stored is not None and stored.title == GOALS and stored.n_turns == 2
    assert stored.turns[1].query == follow.query and stored.turns[1].answer == follow
    assert stored.turns[0].answer.citations == first.citations

    fresh = bot.conversation(save=False).ask(FOLLOW_UP)  # no history: nothing to lean on
    assert fresh.query == FOLLOW_UP
    assert [r.id for r in bot.history.list("local")] == [chat.id]  # save=False wrote nothing


def test_another_user_cannot_resume_a_conversation(seeded_home: Path, embedder: Any, tmp_path: Path) -> None:
    bot = _bot(seeded_home, embedder, tmp_path)
    chat = bot.conversation(user="alice")
    chat.ask(GOALS)
    assert chat.id is not None
    with pytest.raises(ConversationNotFound):
        bot.conversation(chat.id, user="bob")
    with pytest.raises(ConversationNotFound):
        bot.conversation("0" * 32)
    assert bot.conversation(chat.id, user="alice").turns == chat.turns


KILLED_MID_WRITE = """
import sys, time
from assistant.answering.assistant import Assistant
from assistant.core.settings import Settings
from assistant.history import store as history_store
from assistant.history.store import ConversationStore
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store

settings = Settings(home=sys.argv[1])
embedder = build_embedder(settings)
bot = Assistant(settings, Store(settings, embedder), embedder)
bot.history = ConversationStore.at_home(sys.argv[2])
chat = bot.conversation()
chat.ask(sys.argv[3])
print(chat.id, flush=True)
encode = history_store.answer_to_json


def stalled(answer):  # the second turn's write transaction is open when the kill arrives
    print("writing", flush=True)
    time.sleep(60)
    return encode(answer)


history_store.answer_to_json = stalled
chat.ask(sys.argv[4])
"""


def test_a_kill_while_an_answer_is_written_loses_only_that_answer(
    seeded_home: Path, embedder: Any, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_WRITE, str(seeded_home), str(tmp_path), GOALS, FOLLOW_UP],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        conversation_id = proc.stdout.readline().strip()
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)  # this PID only
    finally:
        proc.kill()
        proc.wait(timeout=30)
    store = ConversationStore.at_home(tmp_path)
    stored = store.get("local", conversation_id)
    assert stored is not None and stored.n_turns == 1 and len(stored.turns) == 1  # the first turn, whole
    assert stored.turns[0].question == GOALS and stored.turns[0].answer.citations
    resumed = _bot(seeded_home, embedder, tmp_path).conversation(conversation_id)
    assert len(resumed.turns) == 1 and resumed.ask(FOLLOW_UP).citations  # and the conversation goes on
    assert store.get("local", conversation_id).n_turns == 2  # type: ignore[union-attr]
