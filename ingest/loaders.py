"""Files and records → ``Article``s.

Each loader either yields articles or raises ``IngestError`` naming the file and the reason.
For ``.jsonl`` a bad line is reported on its own (``LoadResult.errors``) and the good lines
still load.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import IngestError
from assistant.types import Article

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
RECORD_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | RECORD_SUFFIXES

# A summary line made of bullets: "– point one.– point two." (en dash, em dash, bullet).
_BULLET = re.compile(r"(?:^|(?<=[.!?”\"']))\s*[–—•]\s*")
_FRONT_MATTER_KEY = re.compile(r"^(title|url|link|source|outlet|date|published|author|authors|by)\s*:\s*(.+)$", re.I)
_TITLE_MAX_WORDS = 25


@dataclass
class LoadResult:
    """What one input file produced."""

    path: str
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def article_id(url: str, text: str) -> str:
    """Stable id: from the URL when there is one, else from the content."""
    key = normalise_url(url) if url else " ".join(text.split())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(article: Article) -> str:
    payload = "\x1f".join([article.title, article.text, article.url, str(article.published or "")])
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def outlet_from_url(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    return host.removeprefix("www.")


def parse_date(value: Any) -> date | None:
    """ISO, ``YYYY/MM/DD``, ``YYYY-MM-DDTHH:MM...``; anything else → None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("/", "-")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise IngestError(str(path), "file is empty")
    if b"\x00" in raw[:4096]:
        raise IngestError(str(path), "binary file (NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not valid UTF-8 (byte {exc.start})") from exc


def split_summary(line: str) -> list[str] | None:
    """The bullets of a summary line, or None when the line is not one."""
    stripped = line.strip()
    if not stripped or stripped[0] not in "–—•":
        return None
    bullets = [b.strip() for b in _BULLET.split(stripped) if b.strip()]
    return bullets or None


def _title_like(line: str) -> bool:
    stripped = line.strip().lstrip("#").strip()
    n_words = len(stripped.split())
    return 0 < n_words <= _TITLE_MAX_WORDS and not stripped.endswith((".", ",", ";", ":"))


def _short_title(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text.rstrip(".")
    return text[:limit].rsplit(" ", 1)[0] + "…"


def parse_text_document(raw: str, path: Path) -> Article:
    """A plain-text or Markdown article: optional front matter, summary line, title, body."""
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":  # YAML-ish front matter
        for i, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                lines = lines[i + 1 :]
                break
            if match := _FRONT_MATTER_KEY.match(line.strip()):
                meta[match[1].lower()] = match[2].strip().strip("\"'")
    while lines and not lines[0].strip():
        lines.pop(0)
    summary: list[str] = []
    title = meta.get("title", "")
    if lines and (bullets := split_summary(lines[0])):
        summary = bullets
        lines.pop(0)
    elif lines and len(lines) > 1 and _title_like(lines[0]) and not title:
        title = lines.pop(0).strip().lstrip("#").strip()
    body = "\n".join(lines).strip()
    if not body:
        raise IngestError(str(path), "no article text after the title/summary")
    if not title:
        title = _short_title(summary[0] if summary else body.split("\n", 1)[0])
    url = meta.get("url") or meta.get("link", "")
    authors = meta.get("authors") or meta.get("author") or meta.get("by") or ""
    return Article(
        id=article_id(url, body),
        title=title,
        text=body,
        outlet=meta.get("outlet") or meta.get("source") or (outlet_from_url(url) if url else ""),
        url=url,
        published=parse_date(meta.get("published") or meta.get("date")),
        authors=tuple(a.strip() for a in re.split(r",|;| and ", authors) if a.strip()),
        summary="\n".join(summary),
        source_path=str(path),
    )


def article_from_record(record: dict[str, Any], source: str) -> Article:
    """A JSON record with ``title``/``text``/``url``/``publish_date`` (RealTime QA's shape)."""
    text = record.get("text") or record.get("content") or record.get("body") or ""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("record has no 'text'")
    text = text.strip()
    url = str(record.get("url") or "")
    title = str(record.get("title") or "").strip() or _short_title(text.split("\n", 1)[0])
    authors = record.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    published = parse_date(record.get("publish_date") or record.get("published") or record.get("date"))
    return Article(
        id=article_id(url, text),
        title=title,
        text=text,
        outlet=str(record.get("outlet") or record.get("source") or (outlet_from_url(url) if url else "")),
        url=url,
        published=published,
        authors=tuple(str(a) for a in authors if a),
        summary=str(record.get("summary") or ""),
        source_path=source,
    )


def iter_jsonl(path: Path, result: LoadResult) -> Iterator[Article]:
    raw = read_text(path)
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("line is not a JSON object")
            if "question" in record and "text" not in record:
                raise IngestError(str(path), "a question set, not articles")
            yield article_from_record(record, where)
        except (ValueError, RecursionError) as exc:
            result.errors.append(IngestError(where, f"bad record: {exc}"))


def load_file(path: Path) -> LoadResult:
    """Every article in one file; file-level failures are recorded, never raised."""
    result = LoadResult(path=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            result.articles.append(parse_text_document(read_text(path), path))
        elif suffix in RECORD_SUFFIXES:
            result.articles.extend(iter_jsonl(path, result))
            if not result.articles and not result.errors:
                raise IngestError(str(path), "no records")
        else:
            raise IngestError(str(path), f"unsupported file type {suffix or '(none)'}")
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


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and supported files under directories named (recursively, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            found.append(path)
    return found
