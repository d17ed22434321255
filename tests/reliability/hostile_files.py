"""Generators of hostile input files: each kind is a name, its bytes (or a special file) and what ingest must say.

``expected`` is either words the per-file failure reason must contain, or :data:`INGESTED` with words the
stored article must contain. Nothing here comes from a real article.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.test_ingest_fixtures import make_pdf, story
from tests.test_ingest_hostile import HOSTILE

INGESTED = "ingested"
MAX_FILE_MB = 8


@dataclass(frozen=True)
class Kind:
    name: str  # file name(s) the kind creates, relative to the folder; "a|b" for two
    expected: str  # INGESTED, or words of the failure reason
    words: str = ""  # INGESTED: words the stored article must contain
    failing: tuple[str, ...] = ()  # names (or name:line) that must fail, when not the whole file


def _body(seed: int) -> str:
    return story(seed, 1)


def _page(title: str, body: str, head: bytes = b"") -> bytes:
    return (
        f"<html><head><title>{title}</title>".encode()
        + head
        + f"</head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>".encode()
    )


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Talks resumed in Geneva."], title="Locked"))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("article.txt", _body(40))
    return out.getvalue()


def _jsonl(*lines: str) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def _record(seed: int, **extra: object) -> str:
    return json.dumps({"text": _body(seed), "url": f"https://hostile.example/{seed}", **extra})


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
DEEP = 100_000

# name → (bytes, expectation). Builders run lazily: the 50 MB one is written straight to disk.
CONTENT: dict[str, tuple[Callable[[], bytes], Kind]] = {
    "utf16-bom.txt": (
        lambda: ("Talks in UTF-16\n\n" + _body(21)).encode("utf-16"),
        Kind("utf16-bom.txt", INGESTED, "Talks in UTF-16"),
    ),
    "utf16-no-bom.txt": (
        lambda: ("Talks\n\n" + _body(22)).encode("utf-16-le"),
        Kind("utf16-no-bom.txt", "UTF-16 text without a byte-order mark"),
    ),
    "bom-only.md": (lambda: codecs.BOM_UTF8, Kind("bom-only.md", "no article text")),
    "single-5mb-line.html": (
        lambda: _page("Minified page", _body(23), b"<script>var bundle='" + b"x" * (5 * 2**20) + b"';</script>"),
        Kind("single-5mb-line.html", INGESTED, "Minified page"),
    ),
    "deep.json": (lambda: b"[" * DEEP + b"]" * DEEP, Kind("deep.json", "nested too deeply")),
    "deep-line.jsonl": (
        lambda: _jsonl(_record(24), "[" * DEEP + "]" * DEEP),
        Kind("deep-line.jsonl", "nested too deeply", _body(24)[:40], ("deep-line.jsonl:2",)),
    ),
    "cut-off.jsonl": (
        lambda: _jsonl(_record(25), _record(26), _record(27)[:50]),
        Kind("cut-off.jsonl", "invalid JSON", _body(26)[:40], ("cut-off.jsonl:3",)),
    ),
    "one-bad-line.jsonl": (
        lambda: _jsonl(_record(28), "{'single': 'quotes'}", _record(29)),
        Kind("one-bad-line.jsonl", "invalid JSON", _body(29)[:40], ("one-bad-line.jsonl:2",)),
    ),
    "lone-surrogate.jsonl": (
        lambda: _jsonl(json.dumps({"text": "Talks \ud83d resumed. " + _body(30), "url": "https://hostile.example/s"})),
        Kind("lone-surrogate.jsonl", INGESTED, "Talks \ufffd resumed."),
    ),
    "not-objects.json": (
        lambda: b'[1, "two", null]',
        Kind("not-objects.json", "not a JSON object", "", tuple(f"not-objects.json[{i}]" for i in range(3))),
    ),
    "blank-text.json": (
        lambda: b'{"title": "Nothing", "text": "   "}',
        Kind("blank-text.json", "record has no 'text'"),
    ),
    "odd-types.json": (
        lambda: json.dumps({"text": _body(31), "title": ["A", "list"], "date": "2023-13-45", "url": 7}).encode(),
        Kind("odd-types.json", INGESTED, _body(31)[:40]),
    ),
    "scripts-only.html": (
        lambda: b"<html><head><script>alert(1)</script></head><body><script>document.write('x')</script></body></html>",
        Kind("scripts-only.html", "no article text"),
    ),
    "nesting-bomb.html": (
        lambda: b"<html><body>" + b"<div>" * 200_000 + b"<p>deep</p>" + b"</div>" * 200_000 + b"</body></html>",
        Kind("nesting-bomb.html", "no article text"),
    ),
    "error-page.html": (
        lambda: b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
        Kind("error-page.html", "no article text"),
    ),
    "png-named.html": (lambda: PNG, Kind("png-named.html", "binary")),
    "zip-named.txt": (_zip, Kind("zip-named.txt", "binary")),
    "gzip-named.json": (lambda: gzip.compress(_record(41).encode()), Kind("gzip-named.json", "binary")),
    "encrypted.pdf": (_encrypted_pdf, Kind("encrypted.pdf", "encrypted PDF")),
    "late-nul.txt": (
        lambda: ("Late NUL\n\n" + "Envoys met in Geneva. " * 200 + "\x00" + _body(32)).encode(),
        Kind("late-nul.txt", "binary"),
    ),
    "crlf.txt": (
        lambda: ("CRLF talks\r\n\r\n" + _body(33).replace("\n", "\r\n")).encode(),
        Kind("crlf.txt", INGESTED, "CRLF talks"),
    ),
    "old-mac.txt": (
        lambda: ("Carriage returns only\r\r" + _body(34).replace("\n", "\r")).encode(),
        Kind("old-mac.txt", INGESTED, "Carriage returns only"),
    ),
    "invisible.md": (
        lambda: ("Zero\u200bwidth \u202eright-to-left\u202c talks\n\n" + _body(35) + " e\u0301\u0301\u0301").encode(),
        Kind("invisible.md", INGESTED, "Zero\u200bwidth"),
    ),
    "front-matter-only.md": (
        lambda: b"---\ntitle: Only metadata\n---\n",
        Kind("front-matter-only.md", "no article text"),
    ),
    "blank-lines.md": (
        lambda: ("\n" * 100_000 + "Far down\n\n" + _body(36)).encode(),
        Kind("blank-lines.md", INGESTED, "Far down"),
    ),
    "new\nline.md": (lambda: ("Newline name\n\n" + _body(37)).encode(), Kind("new\nline.md", INGESTED, "Newline name")),
    "caf\u00e9 \u4e2d\u6587 \U0001f680.md": (
        lambda: ("Unicode name\n\n" + _body(38)).encode(),
        Kind("caf\u00e9 \u4e2d\u6587 \U0001f680.md", INGESTED, "Unicode name"),
    ),
    "folder.txt/inside.md": (
        lambda: ("Inside a folder named .txt\n\n" + _body(39)).encode(),
        Kind("folder.txt/inside.md", INGESTED, "Inside a folder named"),
    ),
}

# Kinds from the ingest hostile test, at our size limit (its 36 KB "big.txt" is not oversized here).
REUSED = {name: Kind(name, words) for name, (_, words) in HOSTILE.items() if words != "oversized"}
SPECIAL = [
    Kind("huge-50mb.txt", "oversized"),
    Kind("loop-a.txt|loop-b.txt", "symbolic link loop"),
    Kind("dangling.md", "broken symbolic link"),
    Kind("locked.md", "Permission denied"),
    Kind("pipe.txt", "not a regular file"),
]


def write_hostile(folder: Path) -> list[Kind]:
    """Create every kind in ``folder``; returns their expectations."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (content, _) in HOSTILE.items():
        if name in REUSED:
            (folder / name).write_bytes(content)
    for name, (build, _) in CONTENT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(build())
    with (folder / "huge-50mb.txt").open("wb") as handle:
        line = b"Envoys met again in Geneva on Tuesday. " * 1000 + b"\n"
        for _ in range(50 * 2**20 // len(line) + 1):
            handle.write(line)
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    os.symlink("/nonexistent/article.md", folder / "dangling.md")
    (folder / "locked.md").write_text("Locked away\n\n" + _body(42))
    (folder / "locked.md").chmod(0o000)
    os.mkfifo(folder / "pipe.txt")
    return [*REUSED.values(), *(kind for _, kind in CONTENT.values()), *SPECIAL]
