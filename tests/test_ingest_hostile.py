"""A folder of hostile files: every bad one reported by path and reason, the good ones ingested, exit 1."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT
from assistant.store.chroma import Store
from ingest.loaders import LoadOptions, load_file
from tests.conftest import make_settings
from tests.test_ingest_fixtures import make_pdf, story, write_article, write_jsonl

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
LIMIT_MB = 0.02  # about 20 KB: the good fixtures are smaller, big.txt is not

# file name → (content, the words its reason must contain)
HOSTILE: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "file is empty"),
    "blank.md": (b"  \n\t\n", "file is empty"),
    "binary.txt": (b"\x00\x01\x02\x03 not text", "binary"),
    "binary.html": (b"<html>\x00\x00\x00</html>", "binary"),
    "control.md": (bytes(range(1, 9)) * 50, "binary"),
    "latin1.txt": ("Caf\u00e9 talks in Gen\u00e8ve. ".encode("latin-1") * 20, "not valid UTF-8"),
    "truncated.json": (b'{"title": "Talks", "text": "The envoys met on', "truncated JSON"),
    "invalid.json": (b'{"title": "Talks", text: nope}', "invalid JSON"),
    "empty-list.json": (b"[]", "no records"),
    "questions.jsonl": (json.dumps({"question": "Who?", "answer": "x"}).encode() + b"\n", "question set"),
    "nav-only.html": (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R", "PDF"),
    "fake.pdf": (b"just text named .pdf\n", "not a PDF"),
    "big.txt": (("Envoys met again. " * 2000).encode(), "oversized"),
}


def _good_files(folder: Path) -> int:
    write_article(folder / "good.md", story(1, 3), "Good one", url="https://good.example/1")
    (folder / "good.txt").write_text("Talks resume\n\n" + story(2, 3))
    write_jsonl(
        folder / "mixed.jsonl",
        [
            {"text": story(3, 3), "url": "https://good.example/3"},
            {"text": story(4, 3), "url": "https://good.example/4"},
        ],
    )
    with (folder / "mixed.jsonl").open("a") as handle:
        handle.write('{"text": "cut off in the mid\n')
    (folder / "good.pdf").write_bytes(make_pdf(story(5, 2).split(". ")[:20], title="Good PDF"))
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not ours")  # skipped, not a failure
    return 5


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (content, _) in HOSTILE.items():
        (folder / name).write_bytes(content)
    (folder / "locked.md").write_text("Secret talks\n\n" + story(9, 2))
    (folder / "locked.md").chmod(0o000)
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    return folder


def _without_root_file_access() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set.

    Root then obeys file modes like anyone else, so the mode-000 file really cannot be read.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_ingest(folder: Path, home: Path, report: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ingest", "-q", "--max-file-mb", str(LIMIT_MB), "--report", str(report)]
    env = {**os.environ, "ATTACHE_HOME": str(home)}
    drop = _without_root_file_access if os.geteuid() == 0 else None
    return subprocess.run(
        [*command, str(folder)], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, preexec_fn=drop
    )


def test_hostile_folder_reports_every_bad_file_and_ingests_the_rest(hostile_folder: Path, embedder: Any) -> None:
    n_good = _good_files(hostile_folder)
    home, report_path = hostile_folder.parent / "home", hostile_folder.parent / "report.json"
    run = _run_ingest(hostile_folder, home, report_path)
    assert run.returncode == 1, run.stdout + run.stderr
    report = json.loads(report_path.read_text())
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failed"]}
    expected = {name: words for name, (_, words) in HOSTILE.items()}
    expected |= {"locked.md": "Permission denied", "mixed.jsonl:3": "invalid JSON", "pipe.txt": "not a regular file"}
    assert set(reasons) == set(expected), reasons
    for name, words in expected.items():
        assert words in reasons[name], (name, reasons[name])
        assert f"failed: {hostile_folder / name}: " in run.stdout  # the summary names the path too
    assert report["added"] == n_good and not report["ok"]
    assert [Path(s["path"]).name for s in report["skipped"]] == ["notes.docx"]
    store = Store(make_settings(home), embedder)
    assert store.count_articles() == n_good
    assert store.count_chunks() == sum(n for _, n in store.list_articles())


def test_oversized_limit_comes_from_the_options(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title\n\n" + "word " * 400)
    assert load_file(path, LoadOptions(max_bytes=1000)).errors[0].reason.startswith("oversized: 2 KiB, over the 1 KiB")
    assert load_file(path, LoadOptions(max_bytes=10_000)).articles
