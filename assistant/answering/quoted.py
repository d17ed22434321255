"""Chat questions about what someone said ("What did Campbell say about military communication?") answered
with that person's quotations, verbatim and cited at their exact offsets, from the quotes view.

Only a question that names a speaker the library quotes is taken; anything else (or a topic none of their
quotations touches) goes to the usual answerer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answering.draft import Draft
from assistant.core.types import Chunk, Citation, Passage, Quote, Sentence

_VERB = r"(?:say|said|tell|told|stress|stressed|warn|warned|state|stated|claim|claimed|argue|argued|announce|announced)"
_ASK = re.compile(
    rf"^\s*(?:and\s+)?(?:what|which\s+\w+)\s+(?:did|does|has|have|had)\s+(?P<who>.+?)\s+{_VERB}"
    r"(?:\s+(?:to\s+)?(?:reporters|journalists|the\s+press|him|her|them|us))?"
    r"(?:\s+(?:about|on|regarding|concerning|of|over|when|after|in)\s+(?P<about>.+?))?\s*[?.!]*\s*$",
    re.I,
)
_QUOTES_BY = re.compile(
    r"^\s*(?:show\s+(?:me\s+)?|give\s+(?:me\s+)?|list\s+)?(?:the\s+)?(?:quotes?|quotations?|statements?)\s+"
    r"(?:from|by|of)\s+(?P<who>.+?)(?:\s+(?:about|on|regarding)\s+(?P<about>.+?))?\s*[?.!]*\s*$",
    re.I,
)
MAX_QUOTES = 6
# A quotation shorter than this is shown in its sentence.
FRAGMENT_WORDS = 5


def quote_request(query: str) -> tuple[str, str] | None:
    """``(speaker, topic)`` when ``query`` asks what someone said; the topic may be ""."""
    found = _ASK.match(query) or _QUOTES_BY.match(query)
    if not found:
        return None
    who = re.sub(r"^(?:the\s+)?", "", found.group("who")).strip(" ,")
    if not who or len(who.split()) > 6 or who.lower() in {"he", "she", "they", "it", "the sources", "the article"}:
        return None
    return who, (found.group("about") or "").strip()


def _span(quote: Quote, chunk: Chunk) -> tuple[str, int, int]:
    """What to quote: the quotation itself, or, for a fragment of a few words ("record", "frank and useful"), the
    sentence it stands in, which says what it was about (an exact span of the chunk either way)."""
    if len(quote.text.split()) >= FRAGMENT_WORDS or not quote.context:
        return f"“{quote.text.strip()}”", quote.start, quote.end
    at = chunk.text.find(quote.context)
    if at < 0:
        return f"“{quote.text.strip()}”", quote.start, quote.end
    return quote.context, chunk.start + at, chunk.start + at + len(quote.context)


@dataclass
class _Shown:
    quote: Quote
    chunk: Chunk
    said: str
    start: int
    end: int


def quote_draft(quotes: Sequence[Quote], chunks_of: Callable[[str], list[Chunk]]) -> tuple[list[Passage], Draft]:
    """The passages holding ``quotes`` (numbered in order) and an answer quoting each one, cited at its span."""
    shown: list[_Shown] = []
    chunks: dict[str, list[Chunk]] = {}
    for quote in quotes:
        if quote.article_id not in chunks:
            chunks[quote.article_id] = chunks_of(quote.article_id)
        chunk = next((c for c in chunks[quote.article_id] if c.start <= quote.start < c.end), None)
        if chunk is None:
            continue
        said, start, end = _span(quote, chunk)
        same = [x for x in shown if x.quote.article_id == quote.article_id and start < x.end and x.start < end]
        if not same and len(shown) < MAX_QUOTES:
            shown.append(_Shown(quote, chunk, said, start, end))
        elif len(same) == 1 and start <= same[0].start and same[0].end <= end:
            # a fragment's sentence holding a quotation already shown: the sentence says both
            same[0].said, same[0].start, same[0].end = said, start, end
    passages: list[Passage] = []
    citations: list[Citation] = []
    sentences: list[Sentence] = []
    for number, item in enumerate(shown, start=1):
        quote = item.quote
        passages.append(Passage(item.chunk, 1.0, number))
        exact = item.said[1:-1] if item.said.startswith("“") else item.said
        citations.append(Citation(number, passages[-1], exact, item.start, item.end, "supported"))
        who = f"{quote.speaker} ({quote.role})" if quote.role and number == 1 else quote.speaker
        when = f", {quote.outlet or 'source'} {quote.published}" if quote.published else ""
        sentences.append(Sentence(f"{who}{when}: {item.said} [{number}]", (number,), "supported", 1.0))
    text = " ".join(s.text for s in sentences)
    return passages, Draft(text, tuple(sentences), tuple(citations))
