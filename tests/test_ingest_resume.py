"""Crash safety and the single-writer lock, with real processes: SIGKILL mid-ingest, then resume."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from assistant.store.chroma import Store
from assistant.store.lock import StoreBusy, store_lock
from tests.conftest import MEASURED, make_settings, run_module
from tests.test_ingest_fixtures import story, wire_copy, write_article, write_jsonl

# Small chunks and batches: many commits in a few seconds, so the kill lands mid-run.
SMALL = {"ATTACHE_EMBED_BATCH_SIZE": "8", "ATTACHE_CHUNK_TARGET_WORDS": "50", "ATTACHE_CHUNK_MAX_WORDS": "80"}
_PROGRESS = re.compile(r"(\d+)/(\d+) \[")


def _corpus(folder: Path) -> int:
    """30 articles, 2 of them wire copies of others, in Markdown files and one JSONL export."""
    for i in range(20):
        write_article(folder / f"{i:02d}.md", story(100 + i, 3), f"Story {i}", url=f"https://news.example/{i}")
    for i in (3, 11):
        write_article(
            folder / f"copy{i}.md", wire_copy(story(100 + i, 3)), f"Copy {i}", url=f"https://wire.example/{i}"
        )
    records = [{"text": story(200 + i, 3), "url": f"https://feed.example/{i}", "title": f"Feed {i}"} for i in range(8)]
    write_jsonl(folder / "feed.jsonl", records)
    return 30


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "ATTACHE_HOME": str(home), **SMALL}


def _state(home: Path, embedder: Any) -> dict[str, Any]:
    store = Store(make_settings(home), embedder)
    articles = store.list_articles()
    return {
        "articles": sorted(a.id for a, _ in articles),
        "chunks": store.chunk_ids(),
        "copies": sorted((a.id, tuple(sorted(c.id for c in a.copies))) for a, _ in articles if a.copies),
        "n_chunks": sum(n for _, n in articles),
    }


class _Stderr:
    """Collects a child's stderr on a thread so the test can wait for a pattern."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.text = ""
        assert proc.stderr is not None
        self._thread = threading.Thread(target=self._read, args=(proc.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        while chunk := stream.read1(4096):
            self.text += chunk.decode("utf-8", "replace")

    def wait_for(self, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.text):
                return True
            time.sleep(0.05)
        return False


def _ingest_process(folder: Path, home: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "ingest", str(folder), *args]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _progress(text: str) -> int:
    found = _PROGRESS.findall(text)
    return int(found[-1][0]) if found else 0


def test_sigkill_mid_ingest_then_resume_matches_a_clean_run(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "in"
    total = _corpus(folder)
    clean = run_module("ingest", "-q", str(folder), env=_env(tmp_path / "clean"))
    assert clean.returncode == 0, clean.stderr
    assert "added 28" in clean.stdout and "duplicates 2" in clean.stdout

    proc = _ingest_process(folder, tmp_path / "killed")
    stderr = _Stderr(proc)
    reached = stderr.wait_for(lambda text: _progress(text) >= total // 2, timeout=240)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert reached and proc.returncode == -signal.SIGKILL, stderr.text[-2000:]
    partial = _state(tmp_path / "killed", embedder)
    assert 0 < len(partial["articles"]) < 28, "the kill should land mid-run"

    resumed = run_module("ingest", "-q", str(folder), env=_env(tmp_path / "killed"))
    assert resumed.returncode == 0, resumed.stderr
    committed = len(partial["articles"]) + sum(len(ids) for _, ids in partial["copies"])
    assert f"added {28 - len(partial['articles'])}, replaced 0, unchanged {committed}," in resumed.stdout
    final = _state(tmp_path / "killed", embedder)
    assert final == _state(tmp_path / "clean", embedder)
    assert Store(make_settings(tmp_path / "killed"), embedder).repair() == 0
    MEASURED["kill-and-resume"] = (
        f"SIGKILL after {len(partial['articles'])}/28 articles committed; the re-run added the rest: "
        f"{len(final['articles'])} articles, {len(final['chunks'])} chunk ids, copies identical to a clean run"
    )


def test_a_second_writer_waits_for_the_lock_then_runs(tmp_path: Path, settings: Any) -> None:
    article = write_article(tmp_path / "a.md", story(1, 2), "Waiting", url="https://news.example/wait")
    with store_lock(settings.chroma_path, timeout=0, purpose="the test"):
        proc = _ingest_process(article, settings.home, "-q", "--wait", "120")
        stderr = _Stderr(proc)
        assert stderr.wait_for(lambda text: "waiting up to 120 s" in text, timeout=120), stderr.text
        assert f"in use by pid {os.getpid()}, the test" in stderr.text
        time.sleep(0.5)
        assert proc.poll() is None  # still waiting while we hold the lock
    assert proc.wait(timeout=120) == 0, stderr.text
    assert "got the store lock" in stderr.text


def test_a_second_writer_gives_up_with_a_clear_error(tmp_path: Path, settings: Any) -> None:
    article = write_article(tmp_path / "a.md", story(2, 2), "Busy", url="https://news.example/busy")
    env = {**os.environ, "ATTACHE_HOME": str(settings.home)}
    with store_lock(settings.chroma_path, timeout=0, purpose="the web app"):
        run = run_module("ingest", "-q", "--wait", "1", str(article), env=env)
        listing = run_module("ingest", "list", env={**env, "ATTACHE_INGEST_LOCK_TIMEOUT": "0.5"})
    assert run.returncode == 2
    assert "gave up after 1 s" in run.stderr and "the web app" in run.stderr and "server mode" in run.stderr
    assert listing.returncode == 2 and "gave up" in listing.stderr  # readers wait for writers too


def _can_lock(path: Path, **kwargs: Any) -> bool:
    try:
        with store_lock(path, **kwargs):
            return True
    except StoreBusy:
        return False


def test_readers_share_the_lock_and_writers_exclude_everyone(settings: Any) -> None:
    path = settings.chroma_path
    with store_lock(path, timeout=0, shared=True):
        assert _can_lock(path, timeout=0, shared=True)
        assert not _can_lock(path, timeout=0)
        with pytest.raises(StoreBusy, match="another process"), store_lock(path, timeout=0):
            pass
    with store_lock(path, timeout=0):
        assert not _can_lock(path, timeout=0.3, shared=True)
        assert not _can_lock(path, timeout=0)
    assert _can_lock(path, timeout=0)  # released after every block
