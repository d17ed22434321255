"""The real app for the web-safety and secrets tests: ``python app.py`` on 127.0.0.1, answering through a
scripted OpenAI-compatible stub, with a hostile article in its library and an API key to keep secret.

A "tracker" server on loopback counts every request: a markdown image or ``<img>`` that the browser
actually loads shows up there.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.core.settings import REPO_ROOT
from tests.servers import stop
from tests.test_browser import _free_port, _wait_until_up

KEY = "sk-attache-" + secrets.token_hex(16)  # the secret every test hunts for
UPLOAD_LIMIT_MB = 0.05


@dataclass
class Tracker:
    port: int = 0
    paths: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@contextmanager
def tracker() -> Iterator[Tracker]:
    """A loopback server that records every path requested from it."""
    found = Tracker()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found.paths.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


def hostile_article(spy: Tracker) -> str:
    """Markup in the title, outlet, URL and text; markdown and HTML images that would call the tracker."""
    return f"""---
title: <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> Geneva ceasefire talks
outlet: <b>Evil Outlet</b>
url: javascript:window.__xss = 3
---
The envoys discussed the Geneva ceasefire <script>window.__xss = 4</script> on Friday.
Look ![pixel]({spy.url("article-markdown.png")}) and
<img src="{spy.url("article-img.png")}" onerror="window.__xss = 5">.
Click [here](javascript:window.__xss = 6) or <a href="javascript:window.__xss = 7">this</a> for the ceasefire.
<svg onload="window.__xss = 8"></svg><iframe src="javascript:window.__xss = 9"></iframe> The ceasefire held.
The Geneva ceasefire talks ended late on Friday.
"""


def hostile_reply(spy: Tracker) -> str:
    """What the scripted model answers: a real citation, then every trick a model's text could carry."""
    return (
        "The envoys discussed the Geneva ceasefire on Friday [1]. "
        f"Here is a chart ![leak]({spy.url('answer-markdown.png')}) of the ceasefire talks [1]. "
        f'<img src="{spy.url("answer-img.png")}" onerror="window.__xss = 10"> The ceasefire held [1]. '
        "[Click me](javascript:window.__xss = 11) <script>window.__xss = 12</script> for the ceasefire talks [1]."
    )


@dataclass
class App:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]


def app_env(home: Path, port: int, stub_url: str) -> dict[str, str]:
    """The app's environment: the stub as its endpoint, the key in the usual variable *and* in the URL."""
    env = {**os.environ, "ATTACHE_HOME": str(home), "ATTACHE_PORT": str(port), "ATTACHE_HOST": "127.0.0.1"}
    for name in ("ATTACHE_AUTH", "ATTACHE_ALLOW_PUBLIC"):
        env.pop(name, None)
    keyed_url = stub_url.replace("http://", f"http://attache:{KEY}@") + f"?api-key={KEY}"
    env |= {
        "ATTACHE_BACKEND": "openai",
        "ATTACHE_LLM_MODEL": "stub",
        "OPENAI_BASE_URL": keyed_url,
        "OPENAI_API_KEY": KEY,
        "ATTACHE_LLM_RETRIES": "0",
        "ATTACHE_LLM_TIMEOUT": "3",
        "ATTACHE_INGEST_MAX_FILE_MB": str(UPLOAD_LIMIT_MB),
        "ATTACHE_GROUNDING_UNSUPPORTED": "mark",  # keep the model's hostile sentences on the page
    }
    return env


@contextmanager
def running_app(home: Path, stub_url: str) -> Iterator[App]:
    """``python app.py`` until the block ends; stopped by its own PID."""
    port = _free_port()
    log = home / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=REPO_ROOT,
            env=app_env(home, port, stub_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, proc, log)
        yield App(url, home, log, proc)
    finally:
        stop(proc)
