"""Secrets: the API key never appears in what Attaché prints, logs, reports or raises.

The key goes where users put it (``OPENAI_API_KEY``) and, as some proxies want, into the endpoint URL
(user info and a query parameter). The endpoint echoes it back in its error bodies, as real ones do.
Then every surface is searched for it: CLI output and errors, the eval run's files, the ingest report,
typed errors and their chat messages, the settings' repr and dump. The web app's page, config, export
and log are searched by ``test_web.py``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import BackendError
from assistant.web.render import error_text
from tests.conftest import SEED_ARTICLE, SEEDS, make_settings, run_module
from tests.openai_stub import openai_stub
from tests.reliability.figures import record
from tests.reliability.web_app import KEY
from tests.test_generative import GOALS, _assistant

pytestmark = pytest.mark.slow


def _keyed(url: str) -> str:
    return url.replace("http://", f"http://attache:{KEY}@") + f"?api-key={KEY}"


def _env(home: Path, url: str) -> dict[str, str]:
    env = {**os.environ, "ATTACHE_HOME": str(home), "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": _keyed(url)}
    return env | {"ATTACHE_LLM_MODEL": "stub", "ATTACHE_BACKEND": "openai", "ATTACHE_LLM_RETRIES": "0"}


def _leaks(texts: dict[str, str]) -> list[str]:
    return [name for name, text in texts.items() if KEY in text or KEY[-12:] in text]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_key_is_in_no_output_report_or_error(tmp_path: Path, assistant: Any) -> None:
    seen: dict[str, str] = {}
    with openai_stub() as (url, state):
        state.error_message = f"Incorrect API key provided: {KEY}"
        state.replies = ["Blinken will stress open lines of communication [1]."]
        env = _env(tmp_path / "home", url)
        for mode in ("ok", "401", "500", "429"):
            state.mode = mode
            if mode in ("ok", "401"):  # the command line: an answer, and the error whose body echoes the key
                run = run_module("assistant", "ask", GOALS, env=env)
                assert run.returncode == (0 if mode == "ok" else 2), run.stderr[-2000:]
                seen[f"ask ({mode})"] = run.stdout + run.stderr
            bot = _assistant(assistant, _keyed(url), openai_api_key=KEY, llm_retries=0)
            if mode != "ok":
                with pytest.raises(BackendError) as raised:
                    bot.answer(GOALS)
                seen[f"error ({mode})"] = f"{raised.value!r} {raised.value} {error_text(raised.value)}"
        state.mode = "ok"
        out = tmp_path / "eval"
        run = run_module(
            "assistant", "eval", str(SEEDS / "questions.jsonl"), "--limit", "2", "--out", str(out), env=env
        )
        assert run.returncode == 0, run.stderr[-2000:]
        seen["eval output"] = run.stdout + run.stderr
        seen |= {f"eval {p.name}": p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()}
    refused = run_module(
        "assistant", "ask", GOALS, env=_env(tmp_path / "home", f"http://127.0.0.1:{_closed_port()}/v1")
    )
    assert refused.returncode == 2 and "cannot reach" in refused.stderr
    seen["ask (refused)"] = refused.stdout + refused.stderr
    report = tmp_path / "report.json"
    run = run_module("ingest", "--report", str(report), str(SEED_ARTICLE), env=env)
    seen["ingest output"], seen["ingest report"] = run.stdout + run.stderr, report.read_text(encoding="utf-8")
    key = make_settings(tmp_path / "s", openai_api_key=KEY).llm.api_key
    seen["the key setting"] = f"{key!r} {key}"
    assert len(seen) >= 13
    leaks = _leaks(seen)
    assert leaks == [], leaks
    record(
        "secrets",
        "1-cli",
        f"CLI ask/eval/ingest output, eval files, typed errors and chat messages ({len(seen)} surfaces, "
        f"the key also in the endpoint URL and echoed in error bodies): 0 leaks",
        surfaces=sorted(seen),
        leaks=leaks,
    )
