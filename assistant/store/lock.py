"""One writer per store: an advisory lock file (``fcntl.flock``) in the Chroma directory.

Two processes opening one embedded Chroma directory, one of them writing, give transient
"Nothing found on disk" errors, so every process that touches the store holds this lock:
writers (ingest, delete, the web app while it ingests) exclusively, readers (``list``,
``show``) shared. A second writer waits, says so, and gives up after ``timeout`` seconds
with :class:`StoreBusy`. The kernel drops the lock when its holder dies, even by SIGKILL, so a
crash never leaves the store locked.

The lock is per open file, not per process or thread: two ``store_lock`` blocks in one process
exclude each other too, and nesting them on one thread waits for itself. Use one block
around a whole operation.

    with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout):
        ingest_paths(paths, Store(settings, embedder), embedder, settings)
"""

from __future__ import annotations

import fcntl
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from assistant.core.errors import StoreBusy

__all__ = ["StoreBusy", "holder", "lock_path", "store_lock"]

log = logging.getLogger(__name__)

LOCK_FILE = "attache.lock"


def lock_path(chroma_path: Path) -> Path:
    return chroma_path / LOCK_FILE


def _try(handle: IO[str], shared: bool) -> bool:
    try:
        fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holder(chroma_path: Path) -> str:
    """Who holds the lock, as its holder wrote it ("pid 123, python -m ingest, since 10:02:11")."""
    try:
        text = lock_path(chroma_path).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process (reading)"


def _wait(handle: IO[str], shared: bool, chroma_path: Path, timeout: float, poll: float) -> None:
    who = holder(chroma_path)
    log.warning(
        "the store at %s is in use by %s; waiting up to %g s for it (ATTACHE_INGEST_LOCK_TIMEOUT)",
        chroma_path,
        who,
        timeout,
    )
    started = time.monotonic()
    while not _try(handle, shared):
        if time.monotonic() - started >= timeout:
            raise StoreBusy(
                f"gave up after {timeout:g} s: the store at {chroma_path} is still in use by {who}. "
                "Wait for it to finish, stop it, allow a longer wait (--wait / ATTACHE_INGEST_LOCK_TIMEOUT), "
                "or run Chroma in server mode for several writers."
            )
        time.sleep(poll)
    log.warning("got the store lock after %.1f s", time.monotonic() - started)


def _describe(purpose: str) -> str:
    command = purpose or " ".join(["python", *sys.argv[:1]])
    return f"pid {os.getpid()}, {command}, since {datetime.now():%Y-%m-%d %H:%M:%S}"


@contextmanager
def store_lock(
    chroma_path: Path, *, timeout: float, shared: bool = False, purpose: str = "", poll: float = 0.2
) -> Iterator[None]:
    """Hold the store lock for the block: exclusive for writers, ``shared`` for readers."""
    chroma_path.mkdir(parents=True, exist_ok=True)
    with lock_path(chroma_path).open("a+", encoding="utf-8") as handle:
        if not _try(handle, shared):
            _wait(handle, shared, chroma_path, timeout, poll)
        try:
            if not shared:
                handle.seek(0)
                handle.truncate()
                handle.write(_describe(purpose) + "\n")
                handle.flush()
            yield
        finally:
            if not shared:
                handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
