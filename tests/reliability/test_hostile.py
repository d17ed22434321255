"""Hostile files, generated here: every kind gets a clear per-file error or a correct ingest, in one real run.

The run is ``python -m ingest`` in a subprocess (as root it drops the capabilities that ignore file modes,
so the mode-000 file really is unreadable). Afterwards the store must be consistent: chunk counts add up,
nothing is left to repair, every stored text is valid UTF-8, and a search still answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store
from tests.conftest import make_settings
from tests.reliability.figures import record
from tests.reliability.hostile_files import INGESTED, MAX_FILE_MB, write_hostile
from tests.test_ingest_hostile import _without_root_file_access

pytestmark = pytest.mark.slow


def _ingest(folder: Path, home: Path, report: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ingest", "-q", "--max-file-mb", str(MAX_FILE_MB), "--report", str(report)]
    drop = _without_root_file_access if os.geteuid() == 0 else None
    return subprocess.run(
        [*command, str(folder)],
        cwd=REPO_ROOT,
        env={**os.environ, "ATTACHE_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=drop,
    )


def test_thirty_kinds_of_hostile_file_each_fail_clearly_or_ingest(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "in"
    kinds = write_hostile(folder)
    assert len(kinds) >= 30
    run = _ingest(folder, tmp_path / "home", tmp_path / "report.json")
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]  # some failed, the run finished
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    reasons = {str(Path(f["path"]).relative_to(folder)): f["reason"] for f in report["failed"]}
    store = Store(make_settings(tmp_path / "home"), embedder)
    stored = store.list_articles()
    by_file: dict[str, list[str]] = {}
    for article, _ in stored:
        name = str(Path(article.source_path).relative_to(folder.resolve()))
        by_file.setdefault(name, []).append(f"{article.title}\n{article.text}")

    outcomes: dict[str, str] = {}
    for kind in kinds:
        for name in kind.name.split("|"):
            failing = kind.failing or ((name,) if kind.expected != INGESTED else ())
            for where in failing:
                assert kind.expected in reasons.get(where, ""), (where, reasons.get(where))
            if kind.expected == INGESTED or kind.words:
                texts = by_file.get(name, [])
                assert any(kind.words in text for text in texts), (name, [t[:80] for t in texts])
            else:
                assert name not in by_file, name
            outcomes[name] = "ingested" if name in by_file else reasons[failing[0]]
    expected_failures = {
        w for k in kinds for n in k.name.split("|") for w in (k.failing or [n]) if k.expected != INGESTED
    }
    assert set(reasons) == expected_failures, set(reasons) ^ expected_failures

    # the store is whole: counts add up, nothing half-written, every text is valid UTF-8, search answers
    assert store.count_chunks() == sum(n for _, n in stored) and store.repair() == 0
    assert all(article.text.encode("utf-8") for article, _ in stored)
    settings = make_settings(tmp_path / "home")
    assert Retriever(store, embedder, settings).retrieve("ceasefire talks in Geneva")
    n_files = sum(len(k.name.split("|")) for k in kinds)
    n_ingested = sum(1 for k in kinds if k.expected == INGESTED)
    record(
        "hostile",
        "1-files",
        f"{len(kinds)} kinds ({n_files} files): {len(kinds) - n_ingested} failed with a per-file reason, "
        f"{n_ingested} ingested, 0 crashes, store consistent",
        kinds=len(kinds),
        files=n_files,
        articles=len(stored),
        chunks=store.count_chunks(),
        outcomes=outcomes,
    )
