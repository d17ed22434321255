"""``python -m assistant history``: list, search, show, rename, delete the saved conversations of ATTACHE_HOME."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.history.store import ConversationStore
from tests.conftest import run_module

GOALS = "What were the stated goals of Blinken's trip?"


@pytest.fixture
def home(tmp_path: Path, assistant: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ATTACHE_HOME holding two saved conversations of real answers (and one of another user)."""
    store = ConversationStore.at_home(tmp_path)
    goals = store.create("local")
    store.append_turn("local", goals.id, assistant.answer(GOALS))
    store.append_turn("local", goals.id, assistant.answer("Who did Blinken meet in Beijing?"))
    other = store.create("local")
    store.append_turn("local", other.id, assistant.answer("What is the weather on Mars?"))
    store.append_turn("bob", store.create("bob").id, assistant.answer("Bob's own question about Blinken?"))
    monkeypatch.setenv("ATTACHE_HOME", str(tmp_path))
    return tmp_path


def _ids(home: Path) -> list[str]:
    return [r.id for r in ConversationStore.at_home(home).list("local")]


def test_history_lists_newest_first_as_a_user_runs_it(home: Path) -> None:
    done = run_module("assistant", "history", env={**os.environ, "ATTACHE_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and "Bob" not in done.stdout  # another user's conversations are not listed
    assert lines[0].startswith(_ids(home)[0]) and lines[0].endswith("What is the weather on Mars?")
    assert "  2 turns  " + GOALS in lines[1]


def test_history_search_show_rename_delete(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mars, goals = _ids(home)
    assert main(["history", "--search", "beijing"]) == 0  # matches a later question, not only titles
    out = capsys.readouterr().out
    assert goals in out and mars not in out
    assert main(["history", "--show", goals]) == 0
    shown = capsys.readouterr().out
    assert f"## 1. {GOALS}" in shown and "## 2. Who did Blinken meet in Beijing?" in shown
    assert "Sources:" in shown and "[1]" in shown and "“" in shown  # the answers with their cited quotes
    assert main(["history", "--rename", goals, "Blinken in China"]) == 0
    assert main(["history", "--delete", mars]) == 0
    capsys.readouterr()
    assert main(["history"]) == 0
    listed = capsys.readouterr().out
    assert listed.strip().endswith("Blinken in China") and mars not in listed
    assert main(["history", "--show", mars]) == 2
    assert "no conversation" in capsys.readouterr().err
    assert main(["history", "--search", "nothing like this"]) == 0
    assert "No saved conversations matching" in capsys.readouterr().out
