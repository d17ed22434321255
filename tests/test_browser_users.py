"""Users and roles in a real browser: two people sign in (``ATTACHE_USERS_FILE``) from separate browser contexts,
each asks a question and sees only their own conversation, a remembered id of the other's opens nothing, and the
reader's Library shows the shared articles without the controls that change them. The app runs as in
``tests/test_browser.py``; the server-side refusals are in ``tests/test_web_roles.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.accounts.users import UsersFile
from tests.test_browser import ARTIFACTS, GOALS, TIMEOUT_MS, _ask_first, app_process, browser

__all__ = ["browser"]  # the fixture, shared with tests/test_browser.py
pytestmark = pytest.mark.slow

BEIJING = "Who did Blinken meet in Beijing?"
EDITOR, READER = ("ana", "ana-editor-pw"), ("rui", "rui-reader-pw")
EDITOR_CONTROLS = ["#attache-upload", "#attache-ingest", "#attache-add-url", "#attache-remove-feed", "#attache-delete"]


def _app(home: Path, users: Path) -> Any:
    """``python app.py`` over ``home`` with a login from ``users``; stopped by its PID when the block ends."""
    return app_process(home, ATTACHE_USERS_FILE=str(users))


def _sign_in(browser: Any, url: str, name: str, password: str) -> Any:
    """A fresh browser context (its own cookies and local storage) signed in as ``name``."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(url)
    tab.wait_for_selector("input[type=password]")
    tab.locator("input:not([type=password])").first.fill(name)
    tab.fill("input[type=password]", password)
    tab.get_by_role("button", name="Login").click()
    tab.wait_for_selector("#attache-question textarea")
    return tab


def _listed(tab: Any) -> list[str]:
    return [str(t) for t in tab.locator("#attache-history label").all_inner_texts()]


def _library(tab: Any) -> None:
    tab.get_by_role("tab", name="Library").click()
    tab.wait_for_selector("#attache-role :text('Signed in as')")
    tab.locator("#attache-table :text('Blinken') >> visible=true").first.wait_for()  # the shared library


def test_two_users_each_see_their_own_conversations_and_a_reader_cannot_delete(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("users-home")
    users = UsersFile(home / "users.json")
    users.add(*EDITOR, role="editor")
    users.add(*READER, role="reader")
    with _app(home, users.path) as url:
        wrong = browser.new_context()
        tab = wrong.new_page()
        tab.goto(url)
        tab.wait_for_selector("input[type=password]")
        tab.locator("input:not([type=password])").first.fill(READER[0])
        tab.fill("input[type=password]", EDITOR[1])  # another user's password
        tab.get_by_role("button", name="Login").click()
        tab.wait_for_selector(":text-matches('incorrect credentials', 'i')", timeout=TIMEOUT_MS)
        assert tab.locator("#attache-question").count() == 0
        wrong.close()

        ana = _sign_in(browser, url, *EDITOR)
        _ask_first(ana, GOALS)
        ana.wait_for_selector(f"#attache-history label:has-text({GOALS!r})")
        anas = ana.evaluate("() => localStorage.getItem('attache-conversation')")
        assert anas  # the id of ana's conversation, remembered in her browser

        rui = _sign_in(browser, url, *READER)
        rui.wait_for_selector("#attache-history.attache-history-loaded")
        assert _listed(rui) == []  # nothing of ana's
        assert GOALS not in rui.inner_text("#attache-chat")
        _ask_first(rui, BEIJING)
        rui.wait_for_selector(f"#attache-history label:has-text({BEIJING!r})")
        assert len(_listed(rui)) == 1

        ana.reload()
        ana.wait_for_selector("#attache-history.attache-history-loaded")
        ana.wait_for_selector(f"#attache-chat :text({GOALS!r})")
        assert len(_listed(ana)) == 1 and GOALS in _listed(ana)[0] and BEIJING not in ana.inner_text("#attache-chat")

        # rui's browser claims ana's conversation by its id: the server opens rui's own instead
        rui.evaluate("(ident) => localStorage.setItem('attache-conversation', ident)", anas)
        rui.reload()
        rui.wait_for_selector("#attache-history.attache-history-loaded")
        rui.wait_for_selector(f"#attache-chat :text({BEIJING!r})")
        assert GOALS not in rui.inner_text("#attache-chat") and len(_listed(rui)) == 1

        _library(rui)
        assert "rui" in rui.inner_text("#attache-role") and "reader" in rui.inner_text("#attache-role")
        assert not any(rui.locator(sel).is_visible() for sel in EDITOR_CONTROLS)
        ARTIFACTS.mkdir(exist_ok=True)
        rui.screenshot(path=str(ARTIFACTS / "sign-in-reader.png"), full_page=True)

        _library(ana)
        assert "(editor)" in ana.inner_text("#attache-role")
        assert all(ana.locator(sel).is_visible() for sel in EDITOR_CONTROLS)
        ana.context.close()
        rui.context.close()
