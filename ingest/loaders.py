"""Files → ``Article``s, by file type; every failure is recorded with its path and reason, never raised.

| suffix | loader |
|---|---|
| ``.txt`` ``.md`` ``.markdown`` | :func:`ingest.text_files.parse_text_document` (front matter, title, summary line) |
| ``.html`` ``.htm`` | :func:`ingest.html_pages.parse_html` (trafilatura) |
| ``.pdf`` | :func:`ingest.pdf_files.parse_pdf` (pypdf) |
| ``.json`` | :func:`ingest.records.iter_json` (one object or a list) |
| ``.jsonl`` ``.ndjson`` | :func:`ingest.records.iter_jsonl` (one object per line; a bad line fails alone) |
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import IngestError
from assistant.types import Article
from ingest.html_pages import parse_html
from ingest.metadata import article_id, content_hash, normalise_url, outlet_from_url, parse_date
from ingest.pdf_files import parse_pdf
from ingest.records import FieldMap, article_from_record, iter_json, iter_jsonl
from ingest.text_files import decode_text, missing_reason, parse_text_document, read_bytes, read_text, split_summary

__all__ = [
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "LoadOptions",
    "LoadResult",
    "article_from_record",
    "article_id",
    "content_hash",
    "estimate_articles",
    "expand_paths",
    "load_file",
    "normalise_url",
    "outlet_from_url",
    "parse_date",
    "read_text",
    "split_summary",
]

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
RECORD_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES | {".json", ".pdf"}
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class LoadOptions:
    """How files are read: the size limit and the JSON field mapping."""

    max_bytes: int = 64 * 2**20
    field_map: FieldMap = field(default_factory=dict)


@dataclass
class LoadResult:
    """What one input file produced. ``complete``: every record in it loaded."""

    path: str
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.errors


Loader = Callable[[bytes, Path, LoadResult, LoadOptions], Iterator[Article]]


def _text(raw: bytes, path: Path, _result: LoadResult, _options: LoadOptions) -> Iterator[Article]:
    yield parse_text_document(decode_text(raw, path), path)


def _html(raw: bytes, path: Path, _result: LoadResult, _options: LoadOptions) -> Iterator[Article]:
    yield parse_html(raw, path)


def _pdf(raw: bytes, path: Path, _result: LoadResult, _options: LoadOptions) -> Iterator[Article]:
    yield parse_pdf(raw, path)


def _json(raw: bytes, path: Path, result: LoadResult, options: LoadOptions) -> Iterator[Article]:
    yield from iter_json(decode_text(raw, path), path, result.errors, options.field_map)


def _jsonl(raw: bytes, path: Path, result: LoadResult, options: LoadOptions) -> Iterator[Article]:
    yield from iter_jsonl(decode_text(raw, path), path, result.errors, options.field_map)


def _loader(suffix: str) -> Loader | None:
    if suffix in TEXT_SUFFIXES:
        return _text
    if suffix in HTML_SUFFIXES:
        return _html
    if suffix in RECORD_SUFFIXES:
        return _jsonl
    return {".json": _json, ".pdf": _pdf}.get(suffix)


def load_file(path: Path, options: LoadOptions | None = None) -> LoadResult:
    """Every article in one file; file-level failures are recorded in ``errors``, never raised."""
    options = options or LoadOptions()
    result = LoadResult(path=str(path))
    loader = _loader(path.suffix.lower())
    try:
        if not path.exists():
            raise IngestError(str(path), missing_reason(path))
        if loader is None:
            raise IngestError(str(path), f"unsupported file type {path.suffix or '(none)'}")
        result.articles.extend(loader(read_bytes(path, options.max_bytes), path, result, options))
        if not result.articles and not result.errors:
            raise IngestError(str(path), "no records")
    except IngestError as exc:
        result.errors.append(exc)
    return result


def estimate_articles(path: Path) -> int:
    """A cheap count for the progress bar: lines of a JSONL file, else one."""
    if path.suffix.lower() not in RECORD_SUFFIXES:
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
