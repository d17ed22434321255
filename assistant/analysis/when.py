"""Day-level date expressions in an article, resolved to calendar days, and the sentences they date.

Three kinds, each with how it was resolved:

- **explicit** ("June 16, 2023", "4 June 2024", "Oct. 7", "2024-06-04"): parsed with ``dateutil``; without a year,
  the year that puts the day nearest the reference day (an article of 5 January 2024 that says "Dec. 28" means 2023);
- **weekday** ("on Tuesday", "said Monday", "last Friday"): news style names a day of the week only within a week of
  the story, so it is the nearest such day before the reference day, or after it when the clause speaks of the
  future ("will meet on Tuesday", "is due to", "next Friday");
- **deictic** ("today", "yesterday", "tomorrow", "last night").

The reference day is the dateline's date when the text opens with one ("BEIJING, June 14 (Reuters) —"), else the
published date. Without either, only expressions that carry their year are resolved: nothing gets a made-up date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as date_parser

from assistant.core.sentences import sentence_spans

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_RANGE_END = re.compile(r"\s*(?:to|-|–|through)\s*(?P<end>[12]\d|3[01]|0?[1-9])(?!\d|\s*(?:%|per|years|days|people))")
_EXPLICIT = re.compile(
    rf"\b(?:{_MONTH}\s+{_DAY}(?!\d)(?:,?\s+{_YEAR}\b)?|{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR}\b)?|{_YEAR}-[01]\d-[0-3]\d)"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"\b(?:(?P<mod>[Ll]ast|[Nn]ext|[Tt]his|[Pp]ast|[Cc]oming)\s+)?(?P<day>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"
)
# Named days that are not the weekday of the story ("Black Friday", "Super Tuesday").
_NOT_WEEKDAY = re.compile(r"(?:Black|Good|Super|Ash|Cyber|Giving|Easter|Palm|Holy|Bloody|Maundy)\s+$")
_DEICTIC = re.compile(
    r"\b(?P<word>today|yesterday|tomorrow|tonight|last night|this morning|this afternoon|this evening)\b", re.I
)
_DEICTIC_OFFSET = {"yesterday": -1, "last night": -1, "tomorrow": 1}
_FUTURE = re.compile(
    r"\b(?:will|shall|would|is set to|are set to|is expected to|are expected to|is scheduled|are scheduled|is due|"
    r"are due|plans? to|planned for|is to|are to|to be held|upcoming|going to|set for|slated)\b",
    re.I,
)
_DATELINE = re.compile(
    rf"^\s*[A-Z][A-Za-z .'-]{{1,40}},?\s+(?P<date>{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)\s*(?:\(\w[\w .]*\))?\s*[-—–]"
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date expression at ``text[start:end]`` and its day (None when it cannot be told)."""

    start: int
    end: int
    day: date | None
    kind: str  # explicit | weekday | deictic
    resolved_from: str  # how: "stated in full", "'Tuesday' before 2023-06-14 (published)", …


@dataclass(frozen=True, slots=True)
class FoundEvent:
    """A sentence at ``text[start:end]`` dated by the expression at ``text[phrase_start:phrase_end]``."""

    start: int
    end: int
    day: date | None
    phrase_start: int
    phrase_end: int
    resolved_from: str


def dateline(text: str) -> date | None:
    """The date of a dateline opening the text ("BEIJING, June 14, 2023 (Reuters) —"), when it has a year."""
    found = _DATELINE.match(text[:160])
    if not found or not re.search(_YEAR, found.group("date")):
        return None
    return _parse(found.group("date"), None)


def _parse(phrase: str, reference: date | None) -> date | None:
    default = datetime(reference.year if reference else 1900, 1, 1)
    try:
        parsed: date = date_parser.parse(phrase.replace("Sept.", "Sep.").replace("of ", ""), default=default).date()
    except (ValueError, OverflowError):
        return None
    if re.search(_YEAR, phrase):
        return parsed
    if reference is None:
        return None
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(parsed.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda d: abs((d - reference).days)) if candidates else None


def _reference(text: str, published: date | None) -> tuple[date | None, str]:
    found = dateline(text)
    if found is not None:
        return found, "dateline"
    # Not tried again: reading weekdays against the latest day an updated article reports (python -m bench.timeline:
    # +2 on the tune half, -3 on the test half).
    return published, "published"


def find_dates(text: str, published: date | None) -> list[FoundDate]:
    """Every day-level date expression in ``text``, in reading order."""
    reference, source = _reference(text, published)
    found = [
        *_explicit(text, reference, source),
        *_weekdays(text, reference, source),
        *_deictic(text, reference, source),
    ]
    return sorted(found, key=lambda d: d.start)


def _explicit(text: str, reference: date | None, source: str) -> list[FoundDate]:
    found = []
    for match in _EXPLICIT.finditer(text):
        phrase = match.group()
        day = _parse(phrase, reference)
        if re.search(_YEAR, phrase):
            how = "stated in full"
        elif day is not None:
            how = f"year from the {source} date {reference}"
        else:
            how = "no year and no published date"
        found.append(FoundDate(match.start(), match.end(), day, "explicit", how))
        end = _RANGE_END.match(text, match.end())
        if end and day is not None and phrase[:1].isalpha() and not re.search(_YEAR, phrase):
            try:
                last = day.replace(day=int(end.group("end")))
            except ValueError:
                continue
            if last > day:
                how = f"end of the range from {day}"
                found.append(FoundDate(end.start("end"), end.end("end"), last, "explicit", how))
    return found


def _clause_before(text: str, pos: int) -> str:
    start = max(text.rfind(".", 0, pos), text.rfind("\n", 0, pos), pos - 120)
    return text[start + 1 : pos]


def _weekdays(text: str, reference: date | None, source: str) -> list[FoundDate]:
    found = []
    for match in _WEEKDAY.finditer(text):
        if _NOT_WEEKDAY.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        name = match.group("day").lower()
        modifier = (match.group("mod") or "").lower()
        future = modifier in {"next", "coming"} or (
            modifier not in {"last", "past"} and bool(_FUTURE.search(_clause_before(text, match.start())))
        )
        start = match.start("day") if modifier in {"", "this"} else match.start()
        if reference is None:
            found.append(FoundDate(start, match.end(), None, "weekday", "no published date"))
            continue
        shift = (_WEEKDAYS.index(name) - reference.weekday()) % 7
        if future:
            shift = shift or (7 if modifier == "next" else 0)
            day = reference + timedelta(days=shift)
        else:
            back = (reference.weekday() - _WEEKDAYS.index(name)) % 7
            back = back or (7 if modifier == "last" else 0)
            day = reference - timedelta(days=back)
        direction = "after" if future else "on or before" if day == reference else "before"
        how = f"'{match.group('day')}' {direction} {reference} ({source})"
        found.append(FoundDate(start, match.end(), day, "weekday", how))
    return found


def _deictic(text: str, reference: date | None, source: str) -> list[FoundDate]:
    found = []
    for match in _DEICTIC.finditer(text):
        word = match.group("word").lower()
        if reference is None:
            found.append(FoundDate(match.start(), match.end(), None, "deictic", "no published date"))
            continue
        day = reference + timedelta(days=_DEICTIC_OFFSET.get(word, 0))
        found.append(FoundDate(match.start(), match.end(), day, "deictic", f"'{word}' from {reference} ({source})"))
    return found


def find_events(text: str, published: date | None) -> list[FoundEvent]:
    """The sentences of ``text`` that carry a day, one event per sentence and distinct day, in reading order."""
    dates = find_dates(text, published)
    events: list[FoundEvent] = []
    if not dates:
        return events
    for span in sentence_spans(text):
        seen: set[date | None] = set()
        for found in dates:
            if not (span.start <= found.start < span.end) or found.day in seen:
                continue
            seen.add(found.day)
            events.append(FoundEvent(span.start, span.end, found.day, found.start, found.end, found.resolved_from))
    return events
