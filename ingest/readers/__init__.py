"""One reader per source kind, looked up by file suffix or by a response's content type.

| reader | suffixes | module |
|---|---|---|
| text | ``.txt`` ``.md`` ``.markdown`` | :mod:`ingest.readers.text` (front matter, title, summary line) |
| html | ``.html`` ``.htm`` | :mod:`ingest.readers.html` (trafilatura) |
| pdf | ``.pdf`` | :mod:`ingest.readers.pdf` (pypdf) |
| json | ``.json`` | :mod:`ingest.readers.records` (one object or a list) |
| jsonl | ``.jsonl`` ``.ndjson`` | :mod:`ingest.readers.records` (one object per line; a bad line fails alone) |

A new source kind is a module with a :class:`Reader` and one line in :data:`READERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.types import Article

FieldMap = Mapping[str, str]


@dataclass(frozen=True)
class LoadOptions:
    """How files are read: the size limit and the JSON field mapping."""

    max_bytes: int = 64 * 2**20
    field_map: FieldMap = field(default_factory=dict)


Read = Callable[[bytes, Path, list[IngestError], LoadOptions], Iterator[Article]]
"""(raw bytes, where they came from, where per-record errors go, options) → articles."""


@dataclass(frozen=True)
class Reader:
    """A source kind: what it is called, how it is recognised, how it is read."""

    name: str
    suffixes: tuple[str, ...]
    content_types: tuple[str, ...]
    read: Read
    many: bool = False  # one input may hold many articles (one per line, or a list)


def _readers() -> tuple[Reader, ...]:
    from ingest.readers import html, pdf, records, text

    return (text.READER, html.READER, pdf.READER, records.JSON_READER, records.JSONL_READER)


READERS: tuple[Reader, ...] = _readers()
_BY_SUFFIX = {suffix: reader for reader in READERS for suffix in reader.suffixes}
_BY_CONTENT_TYPE = {kind: reader for reader in READERS for kind in reader.content_types}
SUPPORTED_SUFFIXES = frozenset(_BY_SUFFIX)


def for_suffix(suffix: str) -> Reader | None:
    """The reader of files ending in ``suffix`` (``.html``; any case), or None."""
    return _BY_SUFFIX.get(suffix.lower())


def for_content_type(content_type: str) -> Reader | None:
    """The reader of a response whose ``Content-Type`` is ``content_type`` (parameters ignored), or None."""
    return _BY_CONTENT_TYPE.get(content_type.split(";")[0].strip().lower())
