"""Sentence and word spans with exact character offsets.

Shared by the chunker (ingest) and the extractive answerer, so that a quoted sentence is
always ``text[start:end]`` of the article it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with a period without ending the sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "cmdr",
        "st",
        "mt",
        "ft",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "vs",
        "etc",
        "al",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "u.n",
        "u.s.a",
        "e.u",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "rev",
        "hon",
        "pres",
        "amb",
        "sec",
        "dept",
        "est",
        "approx",
        "fig",
        "vol",
    ]
)

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets), before white space.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n+")
_WORD = re.compile(r"\w[\w'’.-]*\w|\w")
_ENDS = re.compile(r"[.!?][\"'”’)\]]*\s*$")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial ("J. Smith")."""
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in '("“':
        word_start -= 1
    word = text[word_start:dot].lower()
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()  # an initial


def _next_starts_sentence(text: str, pos: int) -> bool:
    """After white space at ``pos``: does the next token look like a sentence start?"""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        return True
    char = text[pos]
    return char.isupper() or char.isdigit() or char in "\"'“‘([–—-•*"


def ends_sentence(text: str) -> bool:
    """Does the span end as a sentence does (. ! ?, then closing quotes)? A line without one is a heading, a photo
    credit, a caption or a link teaser ("Germany holds back missiles", "Leon Neal/Getty Images")."""
    return bool(_ENDS.search(text))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` into sentence spans (offsets into ``text``), whitespace trimmed."""
    stop = len(text) if end is None else end
    spans: list[Span] = []
    cursor = start
    for match in _END.finditer(text, start, stop):
        boundary = match.end()
        if match.group().startswith("\n"):
            boundary = match.start()
        elif match.group()[0] == "." and len(match.group().rstrip("\"'”’)]")) == 1:
            if _is_abbreviation(text, match.start()) or not _next_starts_sentence(text, match.end()):
                continue
        elif not _next_starts_sentence(text, match.end()):
            continue
        _append_trimmed(text, cursor, boundary, spans)
        cursor = match.end()
    _append_trimmed(text, cursor, stop, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def words(text: str) -> list[str]:
    """Lower-cased word tokens (apostrophes normalised)."""
    return [w.replace("’", "'").lower() for w in _WORD.findall(text)]
