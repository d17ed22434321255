"""PDF files → ``Article``: text and document info (title, author, dates) via pypdf."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.types import Article
from ingest.metadata import article_id, published_date, split_authors
from ingest.readers import LoadOptions, Reader
from ingest.readers.text import short_title

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable PDFs warn on every object

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_SOFT_BREAK = re.compile(r"(?<![.!?:;\"”’)\n])\n(?!\n)")


def _unwrap(text: str) -> str:
    """Undo line wrapping: rejoin hyphenated words, join lines inside a sentence, keep paragraph breaks."""
    text = _HYPHEN_BREAK.sub(r"\1\2", text.replace("\r\n", "\n"))
    text = _SOFT_BREAK.sub(" ", text)
    return "\n\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _info_date(info: Any) -> date | None:
    for getter in ("creation_date", "modification_date"):
        try:
            value = getattr(info, getter, None)
        except (ValueError, TypeError):  # an unparseable /CreationDate string
            continue
        if value is not None:
            return date(value.year, value.month, value.day)
    return None


def _read(raw: bytes, path: Path) -> tuple[Any, str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(str(path), "encrypted PDF (needs a password)")
        pages = [page.extract_text() or "" for page in reader.pages]
        return reader.metadata, "\n\n".join(pages)
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise IngestError(str(path), f"cannot read PDF: {exc or type(exc).__name__}") from exc


def parse_pdf(raw: bytes, path: Path) -> Article:
    """One PDF is one article; a PDF with no extractable text (a scan) raises ``IngestError``."""
    if not raw.lstrip().startswith(b"%PDF"):
        raise IngestError(str(path), "not a PDF (no %PDF header)")
    info, pages = _read(raw, path)
    text = _unwrap(pages)
    if not text:
        raise IngestError(str(path), "no extractable text in the PDF (scanned images need OCR)")
    title = str((info.title if info else None) or "").strip()
    # No URL: a link printed in a PDF may be one the article cites, not the article's own.
    return Article(
        id=article_id("", text),
        title=title or short_title(text.split("\n", 1)[0]),
        text=text,
        published=published_date(None, "", text) or (_info_date(info) if info else None),
        authors=split_authors(str((info.author if info else None) or "")),
        source_path=str(path.resolve()),
    )


def _read_pdf(raw: bytes, path: Path, _errors: list[IngestError], _options: LoadOptions) -> Iterator[Article]:
    yield parse_pdf(raw, path)


READER = Reader("pdf", (".pdf",), ("application/pdf",), _read_pdf)
