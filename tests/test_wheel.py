"""The package: ``python -m build`` makes an sdist and, from it, a wheel carrying the prompts and the seed article;
the wheel installed into a fresh venv gives an ``attache`` command that answers from the packaged seed, run from a
folder that is not the checkout, with an empty ``ATTACHE_HOME`` (``ask`` seeds an empty library, as the web app does),
and its ``attache serve --api-only`` answers over HTTP.

How the fresh venv gets its dependencies: ``pip install WHEEL``, the resolver and the downloads as a user has them
(the pip cache is warm from ``make``'s own install of the same pins), with ``--no-compile`` (no bytecode for
chromadb, gradio & co: the answer doesn't need it). Measured on the 2-core machine: see the ``measured`` section
that the run prints (build, install, ask).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import MEASURED, REPO_ROOT, SEED_ARTICLE
from tests.servers import stop
from tests.test_browser import _free_port, _wait_until_up

pytestmark = pytest.mark.slow

QUESTION = "What were the stated goals of Blinken's trip to China?"


def _run(command: list[str | Path], timeout: int, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done  # type: ignore[no-any-return]


def _timed(name: str, command: list[str | Path], timeout: int, **kwargs: object) -> subprocess.CompletedProcess[str]:
    start = time.perf_counter()
    done = _run(command, timeout, **kwargs)
    MEASURED[f"wheel: {name}"] = f"{time.perf_counter() - start:.1f} s"
    return done


def test_the_wheel_installed_in_a_fresh_venv_answers_from_its_seed(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _timed("build sdist + wheel", [sys.executable, "-m", "build", "--outdir", dist, REPO_ROOT], timeout=600)
    (wheel,) = dist.glob("attache-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in ("prompts/answer.md", "prompts/rewrite.md", f"seeds/{SEED_ARTICLE.name}", "seeds/questions.jsonl"):
        assert f"assistant/data/{packaged}" in names, packaged
    assert not any(name.startswith(("prompts/", "seeds/", "tests/")) for name in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], timeout=120)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", wheel]
    _timed("fresh venv install", pip, timeout=1200)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTACHE_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"ATTACHE_HOME": str(tmp_path / "home"), "ATTACHE_BACKEND": "extractive"}
    where = "import assistant, assistant.core.resources as r; print(assistant.__file__); print(r.data_dir('seeds'))"
    located = _run([venv / "bin" / "python", "-c", where], timeout=120, cwd=elsewhere, env=env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in located), located  # the wheel's files, not the checkout's

    done = _timed(
        "attache ask (seeds an empty library)", [venv / "bin" / "attache", "ask", QUESTION], 600, cwd=elsewhere, env=env
    )
    answer, _, sources = done.stdout.partition("Sources:")
    assert "[1]" in answer and "open lines of communication" in answer, done.stdout
    assert "[1] Antony Blinken" in sources and SEED_ARTICLE.name in sources and "“" in sources, done.stdout
    assert (tmp_path / "home").is_dir()
    _serves_the_api(venv, elsewhere, env)


def _serves_the_api(venv: Path, cwd: Path, env: dict[str, str]) -> None:
    """The installed ``attache serve --api-only`` answers over HTTP; stopped by its own PID."""
    port = _free_port()
    log = cwd / "serve.log"
    with log.open("wb") as out:
        command = [venv / "bin" / "attache", "serve", "--api-only", "--port", str(port)]
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/articles", proc, log)
        reply = httpx.post(f"http://127.0.0.1:{port}/api/answer", json={"question": QUESTION}, timeout=120).json()
        assert reply["answer"]["citations"] and reply["answer"]["citations"][0]["quote"] in SEED_ARTICLE.read_text()
    finally:
        stop(proc)
