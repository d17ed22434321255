"""The conversation store: a real SQLite file in a tmp dir, two users, two threads."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from assistant.core.errors import ConversationNotFound
from assistant.core.types import Answer, Chunk, Citation, DateWindow, Filters, Passage, Sentence
from assistant.history.records import answer_from_json, answer_to_json, title_of
from assistant.history.store import SCHEMA_VERSION, ConversationStore


def _answer(question: str, text: str = "Blinken met Xi [1].") -> Answer:
    chunk = Chunk(
        "c1", "a1", "Blinken met Xi in Beijing.", 10, 36, 0, "Blinken in Beijing", "Example News",
        "https://example.com/a", date(2023, 6, 19),
    )
    passage = Passage(chunk, 0.42, 1)
    return Answer(
        question=question,
        text=text,
        citations=(Citation(1, passage, "Blinken met Xi", 10, 24, "supported"),),
        passages=(passage, Passage(Chunk("c2", "a2", "Other.", 0, 6), -0.3, 2)),
        sentences=(Sentence(text, (1,), "supported", 0.9, 0.7),),
        query=question + " (Blinken)",
        as_of=date(2023, 6, 20),
        date_window=DateWindow(date(2023, 6, 19), date(2023, 6, 25), "this week", True),
        refusal_rule="",
        timings={"total_ms": 12.5},
    )


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore.at_home(tmp_path / "home")


def test_answer_survives_the_json_round_trip() -> None:
    answer = _answer("Who met Xi?")
    assert answer_from_json(answer_to_json(answer)) == answer


def test_create_append_get_and_title_from_the_first_question(store: ConversationStore) -> None:
    record = store.create("local")
    assert len(record.id) == 32 and record.title == ""
    filters = Filters(outlets=("Example News",), date_from=date(2023, 6, 1))
    store.append_turn("local", record.id, _answer("  Who   met Xi?  "), filters)
    store.append_turn("local", record.id, _answer("Where?"))
    got = store.get("local", record.id)
    assert got is not None and got.title == "Who met Xi?" and got.n_turns == 2
    assert [t.position for t in got.turns] == [1, 2]
    assert got.turns[0].answer == _answer("  Who   met Xi?  ") and got.turns[0].filters == filters
    assert got.turns[1].filters is None and got.turns[1].query == "Where? (Blinken)"
    assert got.turns[0].answer.citations[0].passage.chunk.outlet == "Example News"


def test_list_is_newest_first_and_searches_titles_and_questions(store: ConversationStore) -> None:
    first, second, third = (store.create("local") for _ in range(3))
    store.append_turn("local", first.id, _answer("What did Blinken say in Beijing?"))
    store.append_turn("local", second.id, _answer("Grain corridor talks?"))
    store.append_turn("local", third.id, _answer("Tariffs on steel?"))
    store.append_turn("local", first.id, _answer("And the 100% tariff_rate?"))  # first is now the newest
    assert [r.id for r in store.list("local")] == [first.id, third.id, second.id]
    assert [r.id for r in store.list("local", search="grain")] == [second.id]
    assert [r.id for r in store.list("local", search="TARIFF")] == [first.id, third.id]  # a later question
    assert [r.id for r in store.list("local", search="100%")] == [first.id]  # % is literal
    assert store.list("local", search="nothing like it") == []


def test_rename_and_delete(store: ConversationStore) -> None:
    record = store.create("local")
    store.append_turn("local", record.id, _answer("Who met Xi?"))
    store.rename("local", record.id, "  Beijing   trip ")
    assert store.list("local")[0].title == "Beijing trip"
    with pytest.raises(ValueError):
        store.rename("local", record.id, "   ")
    store.delete("local", record.id)
    assert store.get("local", record.id) is None and store.list("local") == []
    with pytest.raises(ConversationNotFound):
        store.delete("local", record.id)


def test_one_user_cannot_touch_another_users_conversation(store: ConversationStore) -> None:
    mine = store.create("alice")
    store.append_turn("alice", mine.id, _answer("Alice's question?"))
    assert store.get("bob", mine.id) is None
    assert store.list("bob") == [] and store.list("bob", search="Alice") == []
    for attempt in (
        lambda: store.rename("bob", mine.id, "taken"),
        lambda: store.delete("bob", mine.id),
        lambda: store.append_turn("bob", mine.id, _answer("Bob's?")),
    ):
        with pytest.raises(ConversationNotFound):
            attempt()
    got = store.get("alice", mine.id)
    assert got is not None and got.title == "Alice's question?" and got.n_turns == 1


def test_an_empty_file_is_migrated_and_a_reopened_store_sees_the_data(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    path.touch()  # empty: SQLite reads it as a new database
    store = ConversationStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    record = store.create("local")
    store.append_turn("local", record.id, _answer("Who met Xi?"))
    again = ConversationStore(path)  # migrations already applied: nothing re-run, nothing lost
    got = again.get("local", record.id)
    assert got is not None and got.turns[0].answer.text == "Blinken met Xi [1]."
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(range(SCHEMA_VERSION))


def test_two_threads_appending_lose_no_turn(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    shared = ConversationStore(path).create("local")
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        store = ConversationStore(path)  # its own store object, as another process would have
        try:
            for i in range(25):
                store.append_turn("local", shared.id, _answer(f"{name} question {i}?"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    got = ConversationStore(path).get("local", shared.id)
    assert got is not None and got.n_turns == 50
    assert [t.position for t in got.turns] == list(range(1, 51))
    assert {t.question for t in got.turns} == {f"{n} question {i}?" for n in "ab" for i in range(25)}


def test_titles_are_cut_at_a_word_boundary() -> None:
    long = "What did the Secretary of State say about the export controls on advanced chips during the talks?"
    title = title_of(long)
    assert len(title) <= 80 and title.endswith("…") and long.startswith(title[:-1])
    assert title_of("   ") == "Untitled"
