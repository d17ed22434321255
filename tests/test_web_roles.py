"""Roles and privacy on the web app's server side: each handler is called directly, as a request that bypasses
the page would reach it. A reader is refused every change to the library and nothing changes; an editor (and the
one local user of an app without a login) may; one user cannot open, rename, delete or write another's
conversation by its id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.accounts.users import Accounts, UsersFile
from assistant.answering.assistant import Assistant
from assistant.history.store import ConversationStore
from assistant.store.chroma import Store
from assistant.web.chat import respond
from assistant.web.feeds import ALL_FEEDS, add_as, feeds_view, refresh_as, remove_as
from assistant.web.history import HistoryHandlers, save_new_turns
from assistant.web.library import delete_as, ingest_as, ingest_uploads, library_view
from assistant.web.users import NO_LOGIN, current_role, library_refusal, role_note
from tests.test_ingest_web import web_settings
from tests.web_site import LoopbackSite

GOALS = "What were the stated goals of Blinken's trip?"
TALKS, GRAIN = "/meridian/talks.html", "/harbour/grain.html"
ARTICLE = "---\ntitle: Envoys meet\noutlet: Example News\ndate: 2023-06-20\n---\nThe envoys met in Vienna."
READER, EDITOR, STRANGER = (SimpleNamespace(username=name) for name in ("rui", "ana", "eve"))


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", "editor-password", "editor")
    users.add("rui", "reader-password", "reader")
    return Accounts(users.path)


@pytest.fixture
def library(tmp_path: Path, embedder: Any) -> Assistant:
    """An assistant over a library of its own holding one article; fetching from loopback allowed."""
    settings = web_settings(tmp_path / "home")
    bot = Assistant(settings, Store(settings, embedder), embedder)
    upload = tmp_path / "drop" / "vienna.md"
    upload.parent.mkdir()
    upload.write_text(ARTICLE, encoding="utf-8")
    assert "Added 1</strong>" in ingest_uploads(bot, [str(upload)])
    return bot


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite() as running:
        running.growing_feed("/world.xml", [TALKS, GRAIN])
        yield running


def _ids(bot: Assistant) -> list[str]:
    return [str(row[-1]) for row in library_view(bot)[0]]


def test_roles_of_requests(accounts: Accounts) -> None:
    assert current_role(READER, accounts) == "reader" and current_role(EDITOR, accounts) == "editor"
    assert current_role(STRANGER, accounts) is None  # not (or no longer) in the file
    assert current_role(SimpleNamespace(username=None), accounts) is None  # a login is on, yet nobody signed in
    assert current_role(None, NO_LOGIN) == "editor"  # without a login: the one local user edits
    assert library_refusal(EDITOR, accounts) is None and library_refusal(None, NO_LOGIN) is None
    refusal = library_refusal(READER, accounts)
    assert refusal and "Only an editor" in refusal and "rui (reader)" in refusal
    assert "(reader)" in role_note(READER, accounts) and "(editor)" in role_note(EDITOR, accounts)
    assert role_note(None, NO_LOGIN) == ""


def test_a_reader_cannot_delete_or_upload_an_editor_can(library: Assistant, accounts: Accounts, tmp_path: Path) -> None:
    (article,) = _ids(library)
    for who in (READER, STRANGER, SimpleNamespace(username=None)):
        outcome = delete_as(library, accounts, who, article)
        assert outcome.startswith("⚠️ Only an editor may change the library") and "Nothing was changed" in outcome
    assert _ids(library) == [article]  # still there

    upload = tmp_path / "drop" / "second.md"
    upload.write_text(ARTICLE.replace("Envoys meet", "Second envoys").replace("Vienna", "Oslo"), encoding="utf-8")
    uploads = library.settings.home / "uploads"
    kept = sorted(p.name for p in uploads.iterdir())
    refused = ingest_as(library, accounts, READER, [str(upload)])
    assert "Only an editor may change the library" in refused and "Added" not in refused
    assert _ids(library) == [article] and sorted(p.name for p in uploads.iterdir()) == kept  # not even copied

    assert "Added 1</strong>" in ingest_as(library, accounts, EDITOR, [str(upload)])
    assert len(_ids(library)) == 2
    assert delete_as(library, accounts, EDITOR, article) == f"Deleted {article}."
    assert article not in _ids(library)
    assert delete_as(library, NO_LOGIN, None, _ids(library)[0]).startswith("Deleted")  # no login: the local user


def test_a_reader_cannot_add_refresh_or_remove_feeds(
    library: Assistant, accounts: Accounts, site: LoopbackSite
) -> None:
    feed = site.url("/world.xml")
    before = _ids(library)
    refused = add_as(library, accounts, READER, feed)
    assert "Only an editor may change the library" in refused
    assert site.log == [] and _ids(library) == before and feeds_view(library) == ([], [ALL_FEEDS])

    added = add_as(library, accounts, EDITOR, feed)
    assert "Added 2</strong>" in added and len(_ids(library)) == 3
    assert feeds_view(library)[1] == [ALL_FEEDS, feed]

    site.log.clear()
    assert "Only an editor" in refresh_as(library, accounts, READER, ALL_FEEDS) and site.log == []
    assert "Only an editor" in remove_as(library, accounts, READER, feed)
    assert feeds_view(library)[1] == [ALL_FEEDS, feed]  # still followed
    assert "No longer following" in remove_as(library, accounts, EDITOR, feed)
    assert feeds_view(library) == ([], [ALL_FEEDS])


def test_one_user_cannot_reach_anothers_conversation_through_the_handlers(assistant: Any, tmp_path: Path) -> None:
    store = ConversationStore.at_home(tmp_path)
    bot = SimpleNamespace(history=store, backend_label=assistant.backend_label)
    on = HistoryHandlers(bot, lambda text: str(tmp_path / "export.md"))  # type: ignore[arg-type]
    *_, (_, _, turns) = respond(assistant, GOALS, [], [])
    alices = save_new_turns(store, "alice", "", turns)
    alice: Any = SimpleNamespace(username="alice")  # what gr.Request gives a handler: the signed-in name
    bob: Any = SimpleNamespace(username="bob")

    messages, _panel, done, markdown, *_rest, title = on.on_open(alices, "", alice)
    assert done and GOALS in markdown and title == GOALS  # the owner opens it

    with pytest.warns(UserWarning, match="not in your history"):
        messages, _panel, done, markdown, _dl, opened, remembered, listing, title = on.on_open(alices, "", bob)
    assert (messages, done, markdown, opened, remembered, title) == ([], [], "", "", "", "")
    assert listing.choices == []  # bob's list holds nothing of alice's

    messages, _panel, done, *_rest = on.on_load(alices, bob)  # a browser remembering alice's id
    assert messages == [] and done == []
    with pytest.warns(UserWarning):
        on.on_rename(alices, "bob was here", "", bob)
    with pytest.warns(UserWarning):
        on.on_delete(alices, "", bob)
    with pytest.warns(UserWarning, match="could not be saved"):
        on.on_turns([*turns, *turns], alices, "", bob)
    record = store.get("alice", alices)
    assert record is not None and record.title == GOALS and record.n_turns == 1  # untouched
    assert store.list("bob") == []
