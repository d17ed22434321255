"""Paths → ``Article``s: globs and folders expanded, each file read by the reader its suffix names.

Every failure is recorded with its path and reason, never raised. The readers live in :mod:`ingest.readers`.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.types import Article
from ingest.readers import SUPPORTED_SUFFIXES, LoadOptions, for_suffix
from ingest.readers.text import missing_reason, read_bytes

__all__ = [
    "SUPPORTED_SUFFIXES",
    "LoadOptions",
    "LoadResult",
    "estimate_articles",
    "expand_paths",
    "is_supported",
    "load_file",
]

_GLOB_CHARS = set("*?[")


@dataclass
class LoadResult:
    """What one input file produced. ``complete``: every record in it loaded."""

    path: str
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.errors


def load_file(path: Path, options: LoadOptions | None = None) -> LoadResult:
    """Every article in one file; file-level failures are recorded in ``errors``, never raised."""
    options = options or LoadOptions()
    result = LoadResult(path=str(path))
    reader = for_suffix(path.suffix)
    try:
        if not path.exists():
            raise IngestError(str(path), missing_reason(path))
        if reader is None:
            raise IngestError(str(path), f"unsupported file type {path.suffix or '(none)'}")
        result.articles.extend(reader.read(read_bytes(path, options.max_bytes), path, result.errors, options))
        if not result.articles and not result.errors:
            raise IngestError(str(path), "no records")
    except IngestError as exc:
        result.errors.append(exc)
    return result


def estimate_articles(path: Path) -> int:
    """A cheap count for the progress bar: lines of a JSONL file, else one."""
    reader = for_suffix(path.suffix)
    if reader is None or reader.name != "jsonl":
        return 1
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 1


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, recursively and sorted, skipping hidden files and folders."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if not any(part.startswith(".") for part in relative) and not path.is_dir():
            found.append(path)
    return found


def expand_paths(paths: list[Path], skipped: list[Path] | None = None) -> list[Path]:
    """Files named, supported files under directories named (recursively, sorted) and glob matches, once each.

    Unsupported files met inside directories or glob matches go to ``skipped`` when it is given.
    """
    found: list[Path] = []
    unsupported: list[Path] = []
    for path in paths:
        if not path.exists() and _GLOB_CHARS & set(str(path)):
            matches = [Path(m) for m in sorted(glob.glob(str(path), recursive=True))]
            candidates = [m for m in matches if m.is_file()] + [f for m in matches if m.is_dir() for f in _walk(m)]
            if not candidates:
                found.append(path)  # loading it reports "no such file"
        else:
            candidates = _walk(path) if path.is_dir() else []
            if not path.is_dir():
                found.append(path)  # named explicitly: an unsupported type is an error, not a skip
        found.extend(c for c in candidates if is_supported(c))
        unsupported.extend(c for c in candidates if not is_supported(c))
    if skipped is not None:
        skipped.extend(dict.fromkeys(unsupported))
    return list(dict.fromkeys(found))


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES
