"""The real app in a real browser: ``python app.py`` on 127.0.0.1, driven by headless Chromium via Playwright.

Screenshots go to ``tests/artifacts/`` (git-ignored). ``make test`` installs Chromium (Debian) and Playwright.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from tests.servers import stop
from tests.web_site import LoopbackSite

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (make test installs Debian's chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing (make test installs it)")

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GOALS = "What were the stated goals of Blinken's trip?"
TIMEOUT_MS = 90_000
ARTICLE = """---
title: Envoys meet in Vienna over the grain corridor
outlet: Example News
date: 2023-06-20
url: https://example.com/2023/06/20/vienna-grain
---
Envoys met in Vienna on Monday to discuss reopening the grain corridor. The talks lasted six hours.
"""
HOSTILE = """---
title: <b>Hostile</b> headline <script>window.__xss = 1</script>
outlet: <i>Evil Outlet</i>
url: javascript:alert(5)
---
Envoys discussed the <script>window.__xss = 2; alert("xss")</script> ceasefire in Geneva \
<img src=x onerror="window.__xss = 3; alert(1)"> on Friday. ${alert(3)} {{constructor.constructor('alert(4)')()}}
The Geneva talks on the ceasefire ended late.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"app.py did not answer on {url} within {seconds:g} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def app_process(home: Path, **env: str) -> Iterator[str]:
    """``python app.py`` over ``home`` (extractive, on a free loopback port, no ``ATTACHE_AUTH`` unless ``env``
    sets it; ``env`` adds settings), yielding its URL; stopped by its own PID when the block ends (a restart is a
    second block)."""
    port = _free_port()
    environ = {**os.environ, "ATTACHE_HOME": str(home), "ATTACHE_PORT": str(port), "ATTACHE_HOST": "127.0.0.1"}
    environ.pop("ATTACHE_AUTH", None)
    environ.update(ATTACHE_BACKEND="extractive", **env)
    log = home / f"app-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO_ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, proc, log)
        yield url
    finally:
        stop(proc)  # this PID only: the app starts no children in extractive mode


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python app.py`` in its own ATTACHE_HOME (it ingests the seed article on first start)."""
    home = tmp_path_factory.mktemp("browser-home")
    # the tests' news site is on loopback
    with app_process(home, ATTACHE_FETCH_ALLOW_PRIVATE="1", ATTACHE_FETCH_HOST_DELAY="0") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_tab(browser: Any, url: str) -> tuple[Any, Any]:
    """(context, tab): a fresh tab on ``url`` that records every dialog (an ``alert`` would mean injected script
    ran) in ``tab.dialogs``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(url)
    return context, tab


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    """A fresh tab on the app that records every dialog (an ``alert`` would mean injected script ran)."""
    context, tab = new_tab(browser, app_url)
    tab.wait_for_selector("#attache-question textarea")
    yield tab
    context.close()


def _ask_first(page: Any, question: str) -> None:
    """Ask the first question of a new conversation and wait for the whole answer: Export turns on after the last
    update. A fresh tab reopens the last saved conversation, so start a new one once the page has loaded it."""
    page.wait_for_selector("#attache-history.attache-history-loaded", timeout=15_000)
    if page.is_enabled("#attache-export"):
        page.click("#attache-new")
    page.wait_for_selector("#attache-export[disabled]", timeout=15_000)  # no answer yet in this conversation
    page.fill("#attache-question textarea", question)
    page.press("#attache-question textarea", "Enter")
    page.wait_for_selector("#attache-export:not([disabled])")
    page.wait_for_selector(f"#attache-sources .attache-turn-title:has-text({question!r})")


def _upload(page: Any, path: Path) -> str:
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#attache-upload input[type=file]", str(path))
    # the file's download link appears once the upload request has finished, not merely started
    page.wait_for_selector(f"#attache-upload a[data-testid=download-link][download={path.name!r}]")
    page.click("#attache-ingest")
    page.wait_for_selector("#attache-report :text('Added')")
    return str(page.inner_text("#attache-report"))


def test_streamed_answer_and_citation_click_highlights_the_passage(page: Any) -> None:
    _ask_first(page, GOALS)
    answer = page.locator("#attache-chat .message-content").last
    answer.locator("a.attache-cite", has_text="[1]").first.wait_for()
    text = answer.inner_text()
    assert "military-to-military" in text
    # the citation closing the military-to-military sentence (its number follows the passage ranking)
    cited = re.search(r"military-to-military[^\[]*\[(\d+)\]", text)
    assert cited is not None, text
    number = cited.group(1)
    answer.locator("a.attache-cite", has_text=f"[{number}]").first.click()
    card = page.locator(".attache-source.attache-active")
    card.wait_for()
    assert card.get_attribute("data-cite") == f"1-{number}" and card.get_attribute("id") == f"source-{number}"
    assert card.locator("mark").count() >= 1
    assert any("military-to-military" in quote for quote in card.locator("mark").all_inner_texts())
    page.wait_for_timeout(800)  # the smooth scroll
    box, view = card.bounding_box(), page.viewport_size
    assert box is not None and box["y"] < view["height"] and box["y"] + box["height"] > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-with-sources.png"))
    with page.expect_download() as download:
        page.click("#attache-export")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "attache-conversation.md"
    assert f"## 1. {GOALS}" in exported and "**Sources**" in exported
    page.click("#attache-new")
    page.wait_for_selector("#attache-sources :text('No sources yet.')")
    page.wait_for_selector("#attache-export[disabled]")
    assert page.locator("#attache-chat .message-content").count() == 0


def test_upload_lists_then_delete_removes_the_article(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "vienna-grain.md"
    article.write_text(ARTICLE, encoding="utf-8")
    report = _upload(page, article)
    assert "Added 1" in report and "failed 0" in report
    table = page.locator("#attache-table")
    table.locator("[role=gridcell]", has_text="Envoys meet in Vienna").first.wait_for()
    assert "Example News" in table.inner_text() and "2023-06-20" in table.inner_text()
    assert "Example News (1)" in page.inner_text("#attache-stats")
    assert "sentence texts" in page.inner_text("#attache-stats")  # the background warming's progress
    page.screenshot(path=str(ARTIFACTS / "library.png"))
    table.locator("[role=gridcell]", has_text="Envoys meet in Vienna").first.click()
    page.wait_for_function("document.querySelector('#attache-doomed input').value.includes('Envoys meet in Vienna')")
    page.click("#attache-delete")
    page.wait_for_selector("#attache-deleted :text('Deleted')")
    page.wait_for_function("!document.querySelector('#attache-table').innerText.includes('Envoys meet in Vienna')")


def test_hostile_article_renders_as_text_in_the_sources_panel(page: Any, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    assert "Added 1" in _upload(page, hostile)
    page.get_by_role("tab", name="Chat").click()
    _ask_first(page, "What did envoys discuss in Geneva?")
    panel = page.locator("#attache-sources")
    text = panel.inner_text()
    assert "<script>window.__xss = 2;" in text and '<img src=x onerror="window.__xss = 3; alert(1)">' in text
    assert "<b>Hostile</b> headline" in text and "<i>Evil Outlet</i>" in text and "${alert(3)}" in text
    injected = "#attache-sources script, #attache-sources img, #attache-sources b, #attache-sources i"
    assert page.locator(injected).count() == 0
    assert page.locator("#attache-sources a[href^='javascript']").count() == 0
    assert page.locator("#attache-chat script, #attache-chat img[src=x]").count() == 0
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "hostile-article.png"))


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    """The tests' news site on loopback: ``/feed.xml`` lists two dated articles from two outlets."""
    with LoopbackSite() as running:
        yield running


def test_a_feed_added_from_the_library_is_followed_and_cited(page: Any, site: LoopbackSite) -> None:
    feed = site.url("/feed.xml")
    page.get_by_role("tab", name="Library").click()
    page.fill("#attache-url textarea, #attache-url input", feed)
    page.click("#attache-add-url")
    page.wait_for_selector("#attache-web-report :text('Added')")
    report = page.inner_text("#attache-web-report")
    assert "Added 2" in report and "failed 0" in report and f"Now following {feed}" in report
    assert "Velmora and Ostrand resume border talks in Lisvik" in report
    feeds = page.locator("#attache-feeds")
    feeds.locator("[role=gridcell]", has_text=feed).first.wait_for()
    assert "World news" in feeds.inner_text()
    table = page.locator("#attache-table")
    table.locator("[role=gridcell]", has_text="Castria signs grain corridor accord").first.wait_for()
    assert "Harbour Ledger" in table.inner_text() and "The Meridian Courier" in table.inner_text()
    page.click("#attache-refresh-feeds")  # one watch cycle: the feed's two items are met already
    page.wait_for_selector("#attache-feeds-outcome :text('watch: 1 feeds')")
    assert f"{feed}: 2 items, 0 new: added 0" in page.inner_text("#attache-feeds-outcome")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "library-from-the-web.png"), full_page=True)
    page.get_by_role("tab", name="Chat").click()
    _ask_first(page, "Which countries did the grain corridor accord signed by Castria open routes to?")
    answer = page.locator("#attache-chat .message-content").last
    answer.locator("a.attache-cite").first.wait_for()
    card = page.locator("#attache-sources .attache-source", has_text="Castria signs grain corridor accord").first
    assert "Harbour Ledger" in card.inner_text() and "2024-03-05" in card.inner_text()
    number = str(card.get_attribute("id")).removeprefix("source-")
    assert f"[{number}]" in answer.inner_text() and card.locator("mark").count() >= 1  # cited, and quoted
    page.screenshot(path=str(ARTIFACTS / "chat-from-a-feed.png"))


def _new_conversation(page: Any) -> None:
    """An empty chat: a fresh tab reopens the last saved conversation, so start a new one once it is loaded."""
    page.wait_for_selector("#attache-history.attache-history-loaded", timeout=15_000)
    if page.is_enabled("#attache-export"):
        page.click("#attache-new")
    page.wait_for_selector("#attache-export[disabled]", timeout=15_000)


def test_welcome_shows_the_library_and_an_example_question_asks_itself(page: Any) -> None:
    _new_conversation(page)
    chat = page.locator("#attache-chat")
    chat.get_by_text("The library holds").wait_for()
    welcome = chat.inner_text()
    assert re.search(r"The library holds \d+ articles?", welcome) and "Newest:" in welcome
    assert "Offline mode" in welcome  # the module's app shares one library: the seed and what other tests add
    examples = chat.locator("button.example")
    assert 3 <= examples.count() <= 4
    assert page.locator("footer").count() == 0  # Gradio's own links are hidden
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "welcome.png"))
    question = examples.first.inner_text().strip()
    examples.first.click()
    page.wait_for_selector("#attache-export:not([disabled])")
    page.wait_for_selector(f"#attache-sources .attache-turn-title:has-text({question!r})")
    assert page.locator("#attache-chat .message-content").first.inner_text().strip() == question
    page.locator("#attache-chat .message-content").last.locator("a.attache-cite").first.wait_for()


def test_open_article_shows_the_whole_article_with_the_cited_span_in_view(page: Any) -> None:
    _ask_first(page, GOALS)
    card = page.locator("#attache-sources .attache-source:not(.uncited)").first
    meta = card.locator(".attache-card-meta").all_inner_texts()
    assert any("relevance" in m for m in meta) and not re.search(r"-?\d\.\d\d", " ".join(meta))
    quote = card.locator("mark").first.inner_text()
    card.locator("a.attache-open").click()
    reader = page.locator("#attache-reader .attache-reader")
    reader.locator("mark").first.wait_for()
    assert "As seen on Al Jazeera" in reader.inner_text()  # the whole article, not the passage
    marks = reader.locator("mark").all_inner_texts()
    assert " ".join(quote.split()) in [" ".join(m.split()) for m in marks]
    page.wait_for_timeout(600)
    first, box = reader.locator("mark").first.bounding_box(), reader.locator(".attache-read-scroll").bounding_box()
    assert first is not None and box is not None and box["y"] <= first["y"] < box["y"] + box["height"]
    assert not page.locator("#attache-sources").is_visible()
    page.screenshot(path=str(ARTIFACTS / "reader-view.png"))
    page.click("#attache-reader-back")
    page.locator("#attache-sources .attache-source").first.wait_for()


def test_a_bad_date_warns_by_its_field_and_keeps_the_question(page: Any) -> None:
    _new_conversation(page)
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("As of", exact=True).fill("2023-06-16")  # found by its label
    page.get_by_label("Published from", exact=True).fill("2023-13-45")
    page.fill("#attache-question textarea", "Who did Blinken call?")
    page.press("#attache-question textarea", "Enter")
    warning = page.locator("#attache-from-warning")
    warning.get_by_text("Published from").wait_for()
    assert "'2023-13-45' is not a date" in warning.inner_text()
    assert page.input_value("#attache-question textarea") == "Who did Blinken call?"
    assert page.locator("#attache-chat .message-content").count() == 0  # no bubble took the warning
    field, note = page.get_by_label("Published from", exact=True).bounding_box(), warning.bounding_box()
    assert field is not None and note is not None and 0 <= note["y"] - field["y"] < 120
    warning.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "date-warning.png"))
    page.get_by_label("Published from", exact=True).fill("")
    page.press("#attache-question textarea", "Enter")
    page.wait_for_selector("#attache-export:not([disabled])")
    assert not warning.is_visible()


def test_the_log_has_no_share_hint(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    logs = list(tmp_path_factory.getbasetemp().glob("browser-home*/app-*.log"))
    assert app_url and logs
    text = logs[0].read_text(errors="replace")
    assert f"Attaché on {app_url.rstrip('/')}" in text and "share=True" not in text and "public link" not in text
