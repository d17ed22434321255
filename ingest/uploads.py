"""Uploaded files (the web app's Library tab and ``POST /api/articles``): checked for type, size and count, and
copied into ``ATTACHE_HOME/uploads`` so every article keeps a real source file."""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Sequence
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES

UPLOAD_TYPES = sorted(SUPPORTED_SUFFIXES)
MAX_UPLOAD_FILES = 200


def keep_upload(upload: Path, folder: Path) -> Path:
    """Copy an upload into ``folder`` (same name and bytes: reuse it; a name clash: number the copy)."""
    target, n = folder / upload.name, 1
    while target.exists() and not filecmp.cmp(target, upload, shallow=False):
        n += 1
        target = folder / f"{upload.stem}-{n}{upload.suffix}"
    if not target.exists():
        shutil.copyfile(upload, target)
    return target


def upload_refusal(name: str, size: int, max_bytes: int) -> str:
    """Why an upload named ``name`` of ``size`` bytes is refused; "" when it is accepted."""
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type; accepted: {' '.join(UPLOAD_TYPES)}"
    if size > max_bytes:
        return f"too large: over the {max_bytes / 2**20:g} MiB limit"
    return ""


def screen_uploads(paths: Sequence[str], folder: Path, max_bytes: int) -> tuple[list[Path], list[tuple[str, str]]]:
    """Uploads within the type, size and count limits (copied into ``folder``), and why the others are not."""
    kept: list[Path] = []
    refused: list[tuple[str, str]] = []
    for i, raw in enumerate(paths):
        path = Path(raw)
        if i >= MAX_UPLOAD_FILES:
            refused.append((path.name, f"more than {MAX_UPLOAD_FILES} files in one upload"))
        elif reason := upload_refusal(path.name, path.stat().st_size, max_bytes):
            refused.append((path.name, reason))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            kept.append(keep_upload(path, folder))
    return kept, refused
