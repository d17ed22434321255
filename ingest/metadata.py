"""News metadata: stable ids and hashes, outlets from URLs, dates from fields, URLs and datelines, authors, titles."""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from assistant.core.sentences import sentence_spans
from assistant.core.types import Article

# calendar's full names and three-letter abbreviations ("may" is both), and the "Sept." news styles use.
_MONTHS = {name.lower(): n for n in range(1, 13) for name in (calendar.month_name[n], calendar.month_abbr[n])}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# "June 14, 2023", "14 June 2023", "2023-06-14": the forms a dateline or a "Published ..." line takes.
_TEXT_DATES = [
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
]
# /2022/05/16/ (CNN, USA Today) or /2022-05-16/ in a URL path.
_URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d\d)[/-](?P<month>\d{1,2})[/-](?P<day>\d{1,2})(?:/|-|$)")
_DATELINE_CHARS = 400
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.I)
# A dateline before the first sentence: "WASHINGTON, June 14 (Reuters) - ", "KYIV, Ukraine — ", "BEIJING (AP) — ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Za-z.]+)?(?:\s+\d{1,2})?(?:,?\s+\d{4})?)?"
    r"\s*(?:\([^)]{1,40}\))?\s*[-–—:]+\s+"
)
# A long first sentence is cut before a word that opens a subordinate clause, or after a comma: a whole clause
# reads as a headline ("Blinken will visit China this week"), a cut in mid-phrase does not.
_CLAUSE_WORDS = {
    "after", "before", "because", "while", "amid", "despite", "following", "which", "who", "where", "when",
    "since", "although", "though", "but", "and", "as", "until", "unless", "whereas", "over",
}  # fmt: skip
_DANGLING = {"a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "and", "or", "but", "from", "as"}
_TITLE_MIN_WORDS = 5
_BYLINE = re.compile(r"^(by|published|updated|posted)\b", re.I)


def article_id(url: str, text: str) -> str:
    """Stable id: from the URL when there is one, else from the content."""
    key = normalise_url(url) if url else " ".join(text.split())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(article: Article) -> str:
    """Everything ingest stores about an article, so any correction (even only the outlet) is picked up."""
    fields = [article.title, article.text, article.url, str(article.published or ""), article.outlet]
    payload = "\x1f".join([*fields, "; ".join(article.authors), article.summary])
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def outlet_from_url(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    return host.removeprefix("www.")


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if found.year <= date.today().year + 1 else None


def _month_number(value: str) -> int:
    return int(value) if value.isdigit() else _MONTHS[value.lower()]


def parse_date(value: Any) -> date | None:
    """ISO, ``YYYY/MM/DD``, RFC 2822, "June 14, 2023", Unix seconds or milliseconds; anything else → None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value / 1000 if value > 10**11 else value).date()
        except (OverflowError, OSError, ValueError):
            return None
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("/", "-")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    if match := re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return _valid(int(match[1]), int(match[2]), int(match[3]))
    try:
        return parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError, IndexError):
        pass
    return date_in_text(value, limit=len(value))


def date_from_url(url: str) -> date | None:
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    return _valid(int(match["year"]), int(match["month"]), int(match["day"])) if match else None


def date_in_text(text: str, limit: int = _DATELINE_CHARS) -> date | None:
    """The first full date in the opening of ``text`` (a dateline or a "Published ..." line)."""
    head = text[:limit]
    found: list[tuple[int, date]] = []
    for pattern in _TEXT_DATES:
        match = pattern.search(head)
        if match and (day := _valid(int(match["year"]), _month_number(match["month"]), int(match["day"]))):
            found.append((match.start(), day))
    return min(found)[1] if found else None


def published_date(value: Any, url: str, text: str) -> date | None:
    """The declared date, else the date in the URL path, else the dateline or the text's first date."""
    return parse_date(value) or date_from_url(url) or date_in_text(text)


def split_authors(value: Any) -> tuple[str, ...]:
    """``"By Jane Doe and John Roe"``, ``"A; B"``, ``["A", {"name": "B"}]`` → ``("Jane Doe", "John Roe")``."""
    if isinstance(value, str):
        parts = _AUTHOR_SPLIT.split(re.sub(r"^\s*by\s+", "", value, flags=re.I))
    elif isinstance(value, list | tuple):
        parts = [str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value]
    else:
        return ()
    names = (" ".join(p.split()) for p in parts)
    return tuple(dict.fromkeys(n for n in names if n))


def _first_sentence(text: str) -> str:
    """The first sentence that says something: a dateline, a byline or a bare date line is skipped."""
    candidates = [" ".join(span.of(text).split()) for span in sentence_spans(text)] or [" ".join(text.split())]
    for candidate in candidates:
        sentence = _DATELINE.sub("", candidate, count=1).strip()
        if _BYLINE.match(sentence) or (len(sentence.split()) < 3 and len(candidates) > 1):
            continue
        return sentence.removesuffix(".") if not sentence.endswith("..") else sentence
    return candidates[0]


def title_from_text(text: str, limit: int = 90) -> str:
    """A title for an article that has none: its first sentence (after any dateline), cut at a word boundary.

    A sentence over ``limit`` characters ends before the last clause that fits (before "after", "while", "which"…
    or at a comma); only when no clause fits does it end at a word, with "…".
    """
    sentence = _first_sentence(text)
    if len(sentence) <= limit:
        return sentence
    words = sentence.split()
    for i in range(len(words) - 1, _TITLE_MIN_WORDS - 1, -1):
        head = " ".join(words[:i])
        if len(head) > limit:
            continue
        if words[i].lower() in _CLAUSE_WORDS or head.endswith((",", ";", ":")):
            return head.rstrip(",;: —–-")
    cut = sentence[: limit + 1].rsplit(" ", 1)[0].split()
    while len(cut) > 1 and cut[-1].lower().strip(",;:") in _DANGLING:
        cut.pop()
    return " ".join(cut).rstrip(",;: —–-") + "…"
