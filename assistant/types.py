"""Frozen boundary types: what crosses module lines.

Vendor objects (Chroma results, LangChain documents) are converted into these at the edge
and never travel further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as ingested. ``text`` is the body every offset refers to."""

    id: str
    title: str
    text: str
    outlet: str = ""
    url: str = ""
    published: date | None = None
    authors: tuple[str, ...] = ()
    summary: str = ""
    source_path: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A slice of an article: ``text == article.text[start:end]``."""

    id: str
    article_id: str
    text: str
    start: int
    end: int
    index: int = 0
    title: str = ""
    outlet: str = ""
    url: str = ""
    published: date | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its relevance score (higher is better) and 1-based rank."""

    chunk: Chunk
    score: float
    rank: int


@dataclass(frozen=True, slots=True)
class Citation:
    """Marker ``[number]`` in an answer, pointing at ``passage``.

    ``quote`` is the exact span of the article text at ``[start, end)`` that supports the
    cited sentence (article offsets, not chunk offsets).
    """

    number: int
    passage: Passage
    quote: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an answer and the citation markers attached to it."""

    text: str
    citations: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of one question."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    abstained: bool = False
    abstain_reason: str = ""
    backend: str = "extractive"
    query: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cited_passages(self) -> tuple[Passage, ...]:
        """Passages referenced by at least one citation, in marker order."""
        seen: dict[int, Passage] = {}
        for citation in sorted(self.citations, key=lambda c: c.number):
            seen.setdefault(citation.number, citation.passage)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class PassagesEvent:
    """First event of a stream: the numbered sources the answer may cite."""

    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class TextEvent:
    """A piece of answer text, in order."""

    delta: str


@dataclass(frozen=True, slots=True)
class AnswerEvent:
    """Last event of a stream: the complete, parsed answer."""

    answer: Answer


StreamEvent = PassagesEvent | TextEvent | AnswerEvent
