"""Saved conversations in a real browser: a reload and a restart reopen the conversation with its sources, the
history list opens an earlier one, rename and search work. The app runs as in ``tests/test_browser.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import ARTIFACTS, GOALS, TIMEOUT_MS, _ask_first, app_process, browser

__all__ = ["browser"]  # the fixture, shared with tests/test_browser.py
pytestmark = pytest.mark.slow

BEIJING = "Who did Blinken meet in Beijing?"


def _app(home: Path) -> Any:
    """``python app.py`` over ``home``; stopped by its PID when the block ends (a restart is a second block)."""
    return app_process(home)


def _tab(browser: Any, url: str) -> Any:
    """A fresh browser context (its own local storage) on the app."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(url)
    tab.wait_for_selector("#attache-question textarea")
    return tab


def _showing(tab: Any, question: str) -> None:
    """The chat and the sources panel show the conversation whose last question is ``question``."""
    tab.wait_for_selector(f"#attache-chat :text({question!r})")
    tab.wait_for_selector(f"#attache-sources .attache-turn-title:has-text({question!r})")
    tab.wait_for_selector("#attache-sources .attache-passage")


def _listed(tab: Any) -> list[str]:
    return [str(t) for t in tab.locator("#attache-history label").all_inner_texts()]


def test_reload_restart_and_the_history_list_reopen_a_conversation(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("history-home")
    with _app(home) as url:
        tab = _tab(browser, url)
        _ask_first(tab, GOALS)
        tab.wait_for_selector(f"#attache-history label:has-text({GOALS!r})")
        cards = tab.inner_text("#attache-sources")

        tab.reload()  # the same conversation and its sources come back
        _showing(tab, GOALS)
        assert tab.inner_text("#attache-sources") == cards
        assert tab.is_enabled("#attache-export")

        _ask_first(tab, BEIJING)  # starts a new conversation (a second click on New could land after the question)
        tab.wait_for_function("document.querySelectorAll('#attache-history label').length === 2")
        assert BEIJING in _listed(tab)[0] and GOALS in _listed(tab)[1]  # newest first

        tab.click(f"#attache-history label:has-text({GOALS!r})")  # open the earlier one
        _showing(tab, GOALS)
        assert BEIJING not in tab.inner_text("#attache-chat")
        tab.reload()  # this browser reopens the conversation it had open, not the newest
        _showing(tab, GOALS)
        assert BEIJING not in tab.inner_text("#attache-chat")

        tab.fill("#attache-history-title textarea, #attache-history-title input", "Blinken's goals in China")
        tab.click("#attache-history-rename")
        tab.wait_for_selector('#attache-history label:has-text("Blinken\'s goals in China")')
        tab.fill("#attache-history-search textarea, #attache-history-search input", "beijing")
        tab.wait_for_function("document.querySelectorAll('#attache-history label').length === 1")
        tab.fill("#attache-history-search textarea, #attache-history-search input", "")
        tab.wait_for_function("document.querySelectorAll('#attache-history label').length === 2")
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "history-list.png"))
        tab.context.close()

    with _app(home) as url:  # a restart, and a browser that never opened a conversation: the newest one
        tab = _tab(browser, url)
        _showing(tab, BEIJING)  # the conversation updated last
        assert len(_listed(tab)) == 2
        tab.click("#attache-history-delete")  # deletes the open one: the chat empties, the list keeps the other
        tab.wait_for_function("document.querySelectorAll('#attache-history label').length === 1")
        assert "Blinken's goals in China" in _listed(tab)[0]
        tab.wait_for_selector("#attache-export[disabled]")
        tab.context.close()
