"""Web safety in the real browser, and the failing endpoint as the chat shows it.

``python app.py`` answers through a scripted OpenAI-compatible stub on loopback; its library holds an
article whose title, outlet, URL and text are full of markup. Headless Chromium (Debian's, via Playwright)
asks questions: markup from the article and from the model's reply must show as text, run nothing, load
no image, and link nowhere but http(s). Uploads over the limit or of the wrong type are refused, and the
app refuses to listen on a public interface unless told to.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from assistant.store.chroma import Store
from ingest.pipeline import ingest_paths
from ingest.uploads import MAX_UPLOAD_FILES, screen_uploads
from tests import test_browser
from tests.conftest import SEED_ARTICLE, make_settings
from tests.openai_stub import StubState, openai_stub
from tests.reliability.figures import record
from tests.reliability.web_app import (
    KEY,
    UPLOAD_LIMIT_MB,
    App,
    Tracker,
    app_env,
    hostile_article,
    hostile_reply,
    running_app,
    tracker,
)

browser, page = test_browser.browser, test_browser.page  # the browser test's fixtures: Chromium, a fresh tab

pytestmark = pytest.mark.slow
QUESTION = "What did the envoys discuss about the Geneva ceasefire?"
FIGURES: dict[str, Any] = {}
# Event-handler attributes, scripts, frames and javascript: links inside the chat and the sources panel.
ACTIVE = """() => {
  const nodes = [...document.querySelectorAll('#attache-chat *, #attache-sources *, #attache-table *')];
  return {
    handlers: nodes.filter((n) => [...n.attributes].some((a) => a.name.toLowerCase().startsWith('on'))).length,
    scripts: nodes.filter((n) => ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(n.tagName)).length,
    js_links: [...document.querySelectorAll('[href], [src]')].filter(
      (n) => /^\\s*javascript:/i.test(n.getAttribute('href') || n.getAttribute('src') || '')).length,
    images: nodes.filter((n) => n.tagName === 'IMG' && /127\\.0\\.0\\.1/.test(n.getAttribute('src') || '')).length,
  };
}"""


@pytest.fixture(scope="module")
def stub() -> Iterator[tuple[str, StubState]]:
    with openai_stub() as served:
        yield served


@pytest.fixture(scope="module")
def spy() -> Iterator[Tracker]:
    with tracker() as found:
        yield found


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, stub: tuple[str, StubState], spy: Tracker, embedder: Any
) -> Iterator[App]:
    home = tmp_path_factory.mktemp("web-home")
    article = home / "hostile.md"
    article.write_text(hostile_article(spy), encoding="utf-8")
    settings = make_settings(home)
    report = ingest_paths([SEED_ARTICLE, article], Store(settings, embedder), embedder, settings)
    assert report.added == 2, report.failed
    stub[1].replies = [hostile_reply(spy)]
    with running_app(home, stub[0]) as served:
        yield served


@pytest.fixture(scope="module")
def app_url(app: App) -> str:
    return app.url  # the browser test's ``page`` fixture opens this


def _ask(page: Any, question: str, turn: int, expect: str) -> Any:
    """Ask the ``turn``-th question of the tab and wait for its reply to contain ``expect``. A fresh tab reopens the
    last saved conversation (an earlier test's), so the first question starts a new one."""
    if turn == 1:
        page.wait_for_selector("#attache-history.attache-history-loaded", timeout=15_000)
        if page.is_enabled("#attache-export"):
            page.click("#attache-new")
        page.wait_for_selector("#attache-export[disabled]", timeout=15_000)
    page.fill("#attache-question textarea", question)
    page.press("#attache-question textarea", "Enter")
    reply = page.locator("#attache-chat .message-content").nth(2 * turn - 1)
    reply.filter(has_text=expect).wait_for()
    return reply


def test_chat_shows_endpoint_failures_and_keeps_working(page: Any, stub: tuple[str, StubState]) -> None:
    state = stub[1]
    failures = ("500", "429", "malformed", "cut", "hang")
    for turn, mode in enumerate(failures, start=1):
        state.mode = mode
        reply = _ask(page, f"{QUESTION} ({mode})", turn, "The answering model failed")
        assert "Try again" in reply.inner_text()
    state.mode = "ok"
    reply = _ask(page, QUESTION, len(failures) + 1, "Geneva ceasefire")
    reply.locator("a.attache-cite").first.wait_for()
    assert page.locator("#attache-chat .message-content").count() == 2 * (len(failures) + 1)
    FIGURES["browser_failures"] = len(failures)


def test_markup_in_articles_and_answers_is_inert(page: Any, stub: tuple[str, StubState], spy: Tracker) -> None:
    stub[1].mode = "ok"
    reply = _ask(page, QUESTION, 1, "Geneva ceasefire")
    reply.locator(".attache-badge").first.wait_for()  # the final message: grounding badges come last
    page.locator("#attache-sources .attache-source").first.wait_for()
    page.wait_for_timeout(1500)  # let any image or script that slipped through load or run
    chat, panel = page.inner_text("#attache-chat"), page.inner_text("#attache-sources")
    assert "<script>window.__xss = 4</script>" in panel and '<img src="http' in panel  # shown as text
    assert "<script>window.__xss = 1</script>" in panel and "<b>Evil Outlet</b>" in panel
    assert "[leak](http" in chat and "<script>window.__xss = 12</script>" in chat and "[Click me](javascript:" in chat
    page.get_by_role("tab", name="Library").click()
    page.locator("#attache-table [role=gridcell]", has_text="Geneva ceasefire talks").first.wait_for()
    active = page.evaluate(ACTIVE)
    assert active == {"handlers": 0, "scripts": 0, "js_links": 0, "images": 0}, active
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    assert spy.paths == [], spy.paths  # no image from an article or an answer was fetched
    FIGURES["inert"] = {"tricks": 12, "executed": 0, "images_loaded": len(spy.paths), **active}


def _post_upload(url: str, name: str, content: bytes) -> int:
    """POST one file straight to gradio's upload route, as a script would, bypassing the page."""
    boundary = "attache-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/markdown\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url + "gradio_api/upload", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_uploads_over_the_limit_or_of_the_wrong_type_are_refused(page: Any, app: App, tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("Big story\n\n" + "The envoys met again in Geneva. " * 4000, encoding="utf-8")
    shell = tmp_path / "run.sh"
    shell.write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    assert big.stat().st_size > UPLOAD_LIMIT_MB * 2**20
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#attache-upload input[type=file]", str(big))
    page.get_by_text('exceed the maximum allowed size of 51.2 Kb: "big.md"').first.wait_for()
    page.set_input_files("#attache-upload input[type=file]", str(shell))
    page.get_by_text("Invalid file type: run.sh").first.wait_for()
    assert _post_upload(app.url, "big.md", big.read_bytes()) == 413  # the server enforces it too
    uploads = app.home / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    assert "Articles</th><td>2<" in page.inner_html("#attache-stats")  # nothing was ingested
    # and behind the page, the ingest handler screens again: type, size and count
    kept, refused = screen_uploads([str(shell), str(big)], tmp_path / "kept", int(UPLOAD_LIMIT_MB * 2**20))
    assert kept == [] and refused[0][1].startswith("unsupported file type") and "too large" in refused[1][1]
    many = [tmp_path / f"{i}.md" for i in range(MAX_UPLOAD_FILES + 1)]
    for path in many:
        path.write_text("Small\n\nEnvoys met.", encoding="utf-8")
    kept, refused = screen_uploads([str(p) for p in many], tmp_path / "kept", 2**20)
    assert len(kept) == MAX_UPLOAD_FILES
    assert refused == [(many[-1].name, f"more than {MAX_UPLOAD_FILES} files in one upload")]
    FIGURES["uploads"] = {"limit_mb": UPLOAD_LIMIT_MB, "oversized": "refused (page and HTTP 413)", "wrong_type": 1}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", ""])
def test_app_refuses_a_public_interface_unless_asked(tmp_path: Path, host: str) -> None:
    env = app_env(tmp_path / "home", test_browser._free_port(), "http://127.0.0.1:9/v1") | {"ATTACHE_HOST": host}
    run = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 1 and "refusing to listen on" in run.stderr and "ATTACHE_ALLOW_PUBLIC=1" in run.stderr
    assert not (tmp_path / "home" / "chroma").exists()  # it stopped before opening anything
    FIGURES.setdefault("refused_hosts", []).append(host or "(all)")


def test_allowing_a_public_interface_is_explicit() -> None:
    from app import check_host, is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com", ""))
    check_host("0.0.0.0", "1")  # asked for: allowed (then app.py warns when no password is set)
    with pytest.raises(SystemExit):
        check_host("0.0.0.0", "no")
    assert len(FIGURES.get("refused_hosts", [])) == 3, "run the whole module: the figure needs every check"
    assert {"browser_failures", "inert", "uploads"} <= FIGURES.keys(), "run the whole module"
    inert = FIGURES["inert"]
    record(
        "web",
        "1-browser",
        f"{inert['tricks']} script/onerror/javascript:/markdown-image tricks in article title, outlet, URL, text and "
        f"the model's reply: 0 ran, 0 images loaded, 0 javascript: links; oversized, wrong-type and 201st uploads "
        f"refused; public bind refused {len(FIGURES['refused_hosts'])}/3 without ATTACHE_ALLOW_PUBLIC",
        **FIGURES,
    )
    record(
        "endpoint",
        "2-browser",
        f"in the browser: {FIGURES['browser_failures']} endpoint failures shown as messages, then a cited answer",
        failures=FIGURES["browser_failures"],
    )


def test_the_key_never_reaches_the_page_the_log_or_the_endpoint_body(
    page: Any, app: App, stub: tuple[str, StubState]
) -> None:
    for tab in ("Settings", "Library", "Chat"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(300)
    stub[1].mode = "401"
    _ask(page, QUESTION, 1, "rejected the credentials")
    html = page.content()
    with urllib.request.urlopen(app.url + "config", timeout=10) as response:
        config = response.read().decode("utf-8")
    page.get_by_text("Conversation as Markdown").click()
    exported = page.locator("#attache-markdown textarea").input_value()
    assert "## 1. " in exported
    log = app.log.read_text(encoding="utf-8", errors="replace")
    bodies = json.dumps(stub[1].requests)
    places = {"page": html, "gradio config": config, "export": exported, "app log": log, "endpoint bodies": bodies}
    leaks = [name for name, text in places.items() if KEY in text or KEY[-12:] in text]
    assert leaks == [], leaks
    assert "127.0.0.1" in html and "attache:" not in html  # the endpoint is named, its credentials are not
    record(
        "secrets",
        "2-app",
        f"the web app (page, gradio config, export, log, endpoint request bodies): {len(leaks)} leaks of the key",
        places=list(places),
        leaks=leaks,
    )
