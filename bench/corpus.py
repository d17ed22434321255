"""The shared RealTime QA article pools, streamed one article at a time (never the whole file in memory).

The texts stay in ``../shared/eval/realtimeqa/``: benches read them from there and never copy them into the repo.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from assistant.types import Article
from ingest.records import article_from_record

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval" / "realtimeqa"
DIPLOMACY = SHARED / "diplomacy_articles.jsonl"
DEV = SHARED / "dev_articles.jsonl.gz"
CORPORA = {"diplomacy": DIPLOMACY, "dev": DEV}


def require_shared() -> None:
    """Exit with a message (not a traceback) when the shared data folder is absent."""
    if not DIPLOMACY.exists():
        raise SystemExit(f"skipped: shared RealTime QA data not found under {SHARED}")


def _open(path: Path) -> IO[str]:
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def _lines(path: Path) -> Iterator[str]:
    with _open(path) as handle:
        yield from (line for line in handle if line.strip())


def stream_articles(path: Path, limit: int = 0) -> Iterator[Article]:
    """Articles of a JSONL(.gz) pool in file order; records without text are skipped."""
    n = 0
    for line in _lines(path):
        try:
            article = article_from_record(json.loads(line), str(path))
        except ValueError:
            continue
        yield article
        n += 1
        if limit and n >= limit:
            return


def count_records(path: Path) -> int:
    return sum(1 for _ in _lines(path))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reproduce(module: str) -> str:
    """The command line that re-runs this bench as it was called, with a non-default embedder backend."""
    backend = os.environ.get("ATTACHE_EMBED_BACKEND")
    env = f"ATTACHE_EMBED_BACKEND={backend} " if backend else ""
    return " ".join([f"{env}nice -n 19 .venv/bin/python -m {module}", *sys.argv[1:]])
