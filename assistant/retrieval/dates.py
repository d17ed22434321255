"""Relative dates in a question → a published-date window, resolved against an ``as_of`` date.

"this week" means the seven days ending on ``as_of`` (news quizzes ask on a Friday about the past week;
a calendar week would leave a Monday question with one day), "last week" the seven before those,
"this month" / "this year" run from the first day to ``as_of``, "last month" / "last year" are the previous
calendar month / year, a bare month ("in June") is its most recent occurrence not after ``as_of``, "in June
2023" and "in 2023" are what they say, "yesterday" / "today" / "on Tuesday" are single days, "recently" is
the past 30 days and "past N days/weeks/months" counts back from ``as_of``.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from assistant.core.types import DateWindow

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS.pop("may", None)  # "may" is a verb far more often than a month; "in May" is handled below
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_WORD = "|".join(sorted((*_MONTHS, "may"), key=len, reverse=True))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# Coverage trails events by a few days; a passage this long after a window still reports on it.
REPORTING_LAG = timedelta(days=3)


def _window(start: date, end: date, phrase: str, recent: bool = False) -> DateWindow:
    return DateWindow(start=start, end=end, phrase=phrase, recent=recent)


def off_window(window: DateWindow | None, published: list[date | None]) -> bool:
    """True when a *recent* window's question is answered only from coverage dated outside it.

    "Who resigned this week?" answered from last year's articles answers another question. Undated
    passages count as possibly inside (they are never held against an answer); so does coverage a day
    early (time zones) or up to :data:`REPORTING_LAG` late.
    """
    if window is None or not window.recent or not published:
        return False
    early, late = window.start - timedelta(days=1), window.end + REPORTING_LAG
    return all(day is not None and not early <= day <= late for day in published)


def _relative(q: str, as_of: date) -> DateWindow | None:
    window = _relative_span(q, as_of)
    if window is None or window.phrase in ("this year", "last year"):
        return window
    return _window(window.start, window.end, window.phrase, recent=True)


def _relative_span(q: str, as_of: date) -> DateWindow | None:
    if m := re.search(r"\b(this|the past|the last)\s+week\b", q):
        return _window(as_of - timedelta(days=6), as_of, m.group(0))
    if m := re.search(r"\blast week\b", q):
        return _window(as_of - timedelta(days=13), as_of - timedelta(days=7), m.group(0))
    if m := re.search(r"\bthis month\b", q):
        return _window(as_of.replace(day=1), as_of, m.group(0))
    if m := re.search(r"\blast month\b", q):
        last = as_of.replace(day=1) - timedelta(days=1)
        return _window(last.replace(day=1), last, m.group(0))
    if m := re.search(r"\bthis year\b", q):
        return _window(date(as_of.year, 1, 1), as_of, m.group(0))
    if m := re.search(r"\blast year\b", q):
        return _window(date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31), m.group(0))
    if m := re.search(r"\byesterday\b", q):
        day = as_of - timedelta(days=1)
        return _window(day, day, m.group(0))
    if m := re.search(r"\btoday\b|\btonight\b", q):
        return _window(as_of, as_of, m.group(0))
    if m := re.search(r"\b(past|last)\s+(\d+)\s+(day|week|month)s?\b", q):
        days = int(m.group(2)) * {"day": 1, "week": 7, "month": 30}[m.group(3)]
        return _window(as_of - timedelta(days=days - 1), as_of, m.group(0))
    if m := re.search(r"\b(recently|lately|latest|these days)\b", q):
        return _window(as_of - timedelta(days=29), as_of, m.group(0))
    return None


def _absolute(q: str, as_of: date) -> DateWindow | None:
    m = re.search(rf"\b(?:in|during|since|of|on)?\s*({_MONTH_WORD})\.?(?:\s+(\d{{4}}))?\b", q)
    if m and (m.group(1) != "may" or re.search(r"\b(in|during|since|of)\s+may\b|\bmay\s+\d{4}\b", q)):
        month = 5 if m.group(1) == "may" else _MONTHS[m.group(1)]
        year = int(m.group(2)) if m.group(2) else (as_of.year if month <= as_of.month else as_of.year - 1)
        end = (
            min(_month_end(year, month), as_of)
            if (year, month) == (as_of.year, as_of.month)
            else _month_end(year, month)
        )
        return _window(date(year, month, 1), end, m.group(0).strip())
    if m := re.search(r"\b(?:in|during)\s+((?:19|20)\d{2})\b", q):
        year = int(m.group(1))
        return _window(date(year, 1, 1), min(date(year, 12, 31), as_of), m.group(0))
    if m := re.search(r"\b(?:on|last)\s+(" + "|".join(_WEEKDAYS) + r")\b", q):
        back = (as_of.weekday() - _WEEKDAYS[m.group(1)]) % 7 or (7 if m.group(0).startswith("last") else 0)
        day = as_of - timedelta(days=back)
        return _window(day, day, m.group(0))
    return None


def resolve_window(question: str, as_of: date | None = None) -> DateWindow | None:
    """The published-date window a question's time expression points at, or None when it has none."""
    as_of = as_of or date.today()
    q = question.lower()
    return _relative(q, as_of) or _absolute(q, as_of)
