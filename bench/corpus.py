"""The shared RealTime QA article pools, streamed one article at a time (never the whole file in memory).

The texts stay in ``../shared/eval/realtimeqa/``: benches read them from there and never copy them into the repo.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from assistant.core.types import Article
from ingest.readers.records import article_from_record

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


def current_rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process now, in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler:
    """Samples a process's VmRSS on a thread while the ``with`` block runs.

    ``ru_maxrss`` only rises, so the peak of one phase of a run is read this way; ``samples`` holds
    ``(seconds since the block began, MiB)``.
    """

    def __init__(self, pid: int | str = "self", every: float = 0.2) -> None:
        self._pid, self._every = pid, every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._started = 0.0
        self.seconds = 0.0
        self.samples: list[tuple[float, float]] = []

    @property
    def start_mb(self) -> float:
        return self.samples[0][1] if self.samples else 0.0

    @property
    def peak_mb(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)

    def _record(self) -> None:
        if (mb := current_rss_mb(self._pid)) > 0:
            self.samples.append((time.perf_counter() - self._started, mb))

    def _sample(self) -> None:
        while not self._done.wait(self._every):
            self._record()

    def __enter__(self) -> RssSampler:
        self._started = time.perf_counter()
        self._record()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._record()
        self._done.set()
        self._thread.join()
        self.seconds = time.perf_counter() - self._started


# the settings that change what a bench measures when set in its environment
REPRODUCED_ENV = ("ATTACHE_EMBED_BACKEND", "ATTACHE_EMBED_RUNTIME", "ATTACHE_INGEST_WORKERS")


def reproduce(module: str) -> str:
    """The command line that re-runs this bench as it was called, with the embedder backend and ingest workers
    it ran with when they were set."""
    env = "".join(f"{name}={os.environ[name]} " for name in REPRODUCED_ENV if os.environ.get(name))
    return " ".join([f"{env}nice -n 19 .venv/bin/python -m {module}", *sys.argv[1:]])
