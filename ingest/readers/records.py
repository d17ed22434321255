"""JSON records → ``Article``s: ``.json`` (one object or a list) and ``.jsonl`` (one object per line).

Field names differ between exports, so each of our fields is looked up under a list of usual
keys; a ``FieldMap`` (``--map text=body,title=headline``) names the key, dotted for nesting
(``outlet=source.name``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from assistant.core.errors import ConfigError, IngestError
from assistant.core.types import Article
from ingest.metadata import article_id, outlet_from_url, published_date, split_authors
from ingest.readers import FieldMap, LoadOptions, Reader
from ingest.readers.text import decode_text, short_title

# JSON may escape half of a surrogate pair ("\\ud83d" of a cut emoji): such a string cannot be encoded as UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "maintext"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
    "published": ("publish_date", "published", "date", "pubDate", "date_publish", "datePublished"),
    "authors": ("authors", "author", "byline"),
    "outlet": ("outlet", "source", "site_name", "publisher", "source_domain"),
    "summary": ("summary", "description"),
}


def parse_field_map(spec: str) -> dict[str, str]:
    """``"text=body,title=headline"`` → ``{"text": "body", "title": "headline"}``."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        ours, sep, theirs = item.partition("=")
        if not sep or not theirs.strip():
            raise ConfigError(f"bad field mapping {item!r}: expected FIELD=KEY")
        if ours.strip() not in DEFAULT_KEYS:
            raise ConfigError(f"unknown field {ours.strip()!r} in mapping; known: {', '.join(DEFAULT_KEYS)}")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def _lookup(record: Mapping[str, Any], dotted: str) -> Any:
    value: Any = record
    for key in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _mend(value: Any) -> Any:
    """Lone surrogates become U+FFFD, in a string or a list of strings (an authors list)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_mend(item) if isinstance(item, str) else item for item in value]
    return value


def _field(record: Mapping[str, Any], name: str, field_map: FieldMap) -> Any:
    keys = (field_map[name],) if name in field_map else DEFAULT_KEYS[name]
    for key in keys:
        value = _lookup(record, key)
        if value not in (None, "", [], {}):
            return _mend(value)
    return None


def _string(value: Any) -> str:
    if isinstance(value, Mapping):  # {"name": "Reuters"}, {"href": ...}
        value = value.get("name") or value.get("title") or value.get("href") or ""
    return str(value).strip() if value is not None else ""


def article_from_record(record: Mapping[str, Any], source: str, field_map: FieldMap | None = None) -> Article:
    """A JSON record (RealTime QA's ``title``/``text``/``url``/``publish_date`` shape by default)."""
    field_map = field_map or {}
    text = _field(record, "text", field_map)
    if not isinstance(text, str) or not text.strip():
        wanted = field_map.get("text", "text")
        raise ValueError(f"record has no {wanted!r}" + ("" if "text" in field_map else " (map it: --map text=KEY)"))
    text = text.strip()
    url = _string(_field(record, "url", field_map))
    return Article(
        id=article_id(url, text),
        title=_string(_field(record, "title", field_map)) or short_title(text.split("\n", 1)[0]),
        text=text,
        outlet=_string(_field(record, "outlet", field_map)) or (outlet_from_url(url) if url else ""),
        url=url,
        published=published_date(_field(record, "published", field_map), url, text),
        authors=split_authors(_field(record, "authors", field_map)),
        summary=_string(_field(record, "summary", field_map)),
        source_path=source,
    )


def _checked(record: Any, where: str, path: Path, field_map: FieldMap) -> Article:
    if not isinstance(record, dict):
        raise IngestError(where, f"bad record: not a JSON object but {type(record).__name__}")
    if "question" in record and "text" not in record:
        raise IngestError(str(path), "a question set, not articles")
    try:
        return article_from_record(record, str(path.resolve()), field_map)
    except (ValueError, TypeError, RecursionError) as exc:
        raise IngestError(where, f"bad record: {exc}") from exc


def iter_jsonl(raw: str, path: Path, errors: list[IngestError], field_map: FieldMap) -> Iterator[Article]:
    """One article per line; a bad line is recorded in ``errors`` and the rest still load."""
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield _checked(json.loads(line), where, path, field_map)
        except json.JSONDecodeError as exc:
            errors.append(IngestError(where, f"bad record: invalid JSON ({exc.msg} at column {exc.colno})"))
        except RecursionError:
            errors.append(IngestError(where, "bad record: JSON nested too deeply"))
        except IngestError as exc:
            if exc.path == str(path):
                raise
            errors.append(exc)


def iter_json(raw: str, path: Path, errors: list[IngestError], field_map: FieldMap) -> Iterator[Article]:
    """One article (an object) or many (a list, or an object holding an ``articles`` list)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        # An unterminated string runs to the end of the input: cut off too.
        cut = exc.pos >= len(raw.rstrip()) or exc.msg.startswith("Unterminated string")
        kind = "truncated" if cut else "invalid"
        raise IngestError(str(path), f"{kind} JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise IngestError(str(path), "JSON nested too deeply") from exc
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        where = f"{path}[{index}]" if isinstance(data, list) else str(path)
        try:
            yield _checked(record, where, path, field_map)
        except IngestError as exc:
            if exc.path == str(path) or not isinstance(data, list):
                raise
            errors.append(exc)


def _read_json(raw: bytes, path: Path, errors: list[IngestError], options: LoadOptions) -> Iterator[Article]:
    yield from iter_json(decode_text(raw, path), path, errors, options.field_map)


def _read_jsonl(raw: bytes, path: Path, errors: list[IngestError], options: LoadOptions) -> Iterator[Article]:
    yield from iter_jsonl(decode_text(raw, path), path, errors, options.field_map)


JSON_READER = Reader("json", (".json",), ("application/json",), _read_json, many=True)
JSONL_READER = Reader(
    "jsonl", (".jsonl", ".ndjson"), ("application/x-ndjson", "application/jsonl"), _read_jsonl, many=True
)
