"""Reading files safely (size, emptiness, binary, encoding) and plain-text / Markdown articles."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.types import Article
from ingest.metadata import article_id, outlet_from_url, published_date, split_authors, title_from_text
from ingest.readers import LoadOptions, Reader

# A summary line made of bullets: "– point one.– point two." (en dash, em dash, bullet).
_BULLET = re.compile(r"(?:^|(?<=[.!?”\"']))\s*[–—•]\s*")
_FRONT_MATTER_KEY = re.compile(
    r"^(title|url|link|source|outlet|site|date|published|author|authors|by)\s*:\s*(.+)$", re.I
)
_TITLE_MAX_WORDS = 25
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SNIFF = 4096


def _size(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f} MiB" if n_bytes >= 2**20 else f"{n_bytes / 1024:.0f} KiB"


def missing_reason(path: Path) -> str:
    """Why a path that does not exist cannot be read: gone, or a symbolic link to nowhere."""
    if not path.is_symlink():
        return "no such file or directory"
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 raises this for a loop
        return "symbolic link loop"
    except OSError as exc:
        return "symbolic link loop" if exc.errno == errno.ELOOP else f"broken symbolic link (to {os.readlink(path)})"
    return "no such file or directory"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; oversized, unreadable and empty files raise ``IngestError``."""
    try:
        if not path.is_file():  # a FIFO or device would block or never end
            raise IngestError(str(path), "not a regular file" if path.exists() else missing_reason(path))
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                str(path),
                f"oversized: {_size(size)}, over the {_size(max_bytes)} limit (ATTACHE_INGEST_MAX_FILE_MB)",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise IngestError(str(path), "file is empty")
    return raw


def _utf16_without_bom(head: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: ASCII letters with a NUL beside each one."""
    odd, even = head[1::2], head[0::2]
    return len(head) >= 8 and (odd.count(0) > len(odd) * 0.9 or even.count(0) > len(even) * 0.9)


def decode_text(raw: bytes, path: Path) -> str:
    """UTF-8 text, or UTF-16 with a byte-order mark (a BOM is dropped); binary content raises ``IngestError``."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not raw.startswith(codecs.BOM_UTF32_LE):
        with contextlib.suppress(UnicodeDecodeError):  # not UTF-16 after all: judged as UTF-8 below
            raw = raw.decode("utf-16").encode("utf-8")
    head = raw[:_SNIFF]
    if b"\x00" in raw:  # anywhere: a stray NUL deep in a file is no text either
        if _utf16_without_bom(head):
            raise IngestError(str(path), "UTF-16 text without a byte-order mark; save it as UTF-8")
        raise IngestError(str(path), "binary file (NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not valid UTF-8 (byte {exc.start})") from exc
    sample = text[:_SNIFF]
    if len(_CONTROL.findall(sample)) > len(sample) / 10:
        raise IngestError(str(path), "binary file (control characters), not text")
    return text


def read_text(path: Path, max_bytes: int = 2**62) -> str:
    return decode_text(read_bytes(path, max_bytes), path)


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


def short_title(text: str, limit: int = 150) -> str:
    """A title made from the opening sentence when the source has none (see :func:`ingest.metadata.title_from_text`)."""
    return title_from_text(text, limit)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """YAML-ish ``key: value`` lines between ``---`` fences, and the lines after them."""
    meta: dict[str, str] = {}
    if not lines or lines[0].strip() != "---":
        return meta, lines
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, lines[i + 1 :]
        if match := _FRONT_MATTER_KEY.match(line.strip()):
            meta[match[1].lower()] = match[2].strip().strip("\"'")
    return {}, lines  # no closing fence: not front matter after all


def parse_text_document(raw: str, path: Path) -> Article:
    """A plain-text or Markdown article: optional front matter, summary line, title, body."""
    meta, lines = _front_matter(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
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
    url = meta.get("url") or meta.get("link", "")
    return Article(
        id=article_id(url, body),
        title=title or short_title(summary[0] if summary else body),
        text=body,
        outlet=meta.get("outlet") or meta.get("source") or meta.get("site") or (outlet_from_url(url) if url else ""),
        url=url,
        published=published_date(meta.get("published") or meta.get("date"), url, body),
        authors=split_authors(meta.get("authors") or meta.get("author") or meta.get("by") or ""),
        summary="\n".join(summary),
        source_path=str(path.resolve()),
    )


def _read(raw: bytes, path: Path, _errors: list[IngestError], _options: LoadOptions) -> Iterator[Article]:
    yield parse_text_document(decode_text(raw, path), path)


READER = Reader("text", (".txt", ".md", ".markdown"), ("text/plain", "text/markdown"), _read)
