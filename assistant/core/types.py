"""Frozen boundary types: what crosses module lines.

Vendor objects (Chroma results, LangChain documents) are converted into these at the edge
and never travel further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class ArticleCopy:
    """Another outlet's copy of an article (wire copy, near-duplicate), stored only as a reference."""

    id: str
    outlet: str = ""
    url: str = ""
    source_path: str = ""
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as ingested. ``text`` is the body every offset refers to.

    ``copies`` are the near-duplicates folded into this article at ingest (the same story run by
    other outlets); ``fingerprint`` is the MinHash signature that found them. Provenance: ``source_path``
    is the file or URL it came from, ``feed_url`` the listing that named it, ``fetched_at`` when.
    """

    id: str
    title: str
    text: str
    outlet: str = ""
    url: str = ""
    published: date | None = None
    authors: tuple[str, ...] = ()
    summary: str = ""
    source_path: str = ""
    copies: tuple[ArticleCopy, ...] = ()
    fingerprint: str = ""
    fetched_at: str = ""  # when it was fetched from ``source_path`` (a URL), ISO 8601 UTC; empty for files
    feed_url: str = ""  # the feed, sitemap or OPML list that led to it, if any

    @property
    def also_reported_by(self) -> tuple[str, ...]:
        """Other outlets that ran this story, first seen first, without this article's own outlet."""
        others: dict[str, None] = {}
        for copy in self.copies:
            if copy.outlet and copy.outlet != self.outlet:
                others.setdefault(copy.outlet)
        return tuple(others)

    @property
    def n_outlets(self) -> int:
        """How many outlets ran this story (this one included)."""
        return 1 + len(self.also_reported_by)

    def matches(self, search: str) -> bool:
        """Every word of ``search`` occurs in the title, outlet, date, id or URL (case aside): the library's filter."""
        day = self.published.isoformat() if self.published else ""
        haystack = " ".join((self.title, self.outlet, day, self.id, self.url)).lower()
        return all(word in haystack for word in search.lower().split())


@dataclass(frozen=True, slots=True)
class Chunk:
    """A slice of an article: ``text == article.text[start:end]``.

    ``source_path``, ``feed_url`` and ``fetched_at`` are its article's provenance (see :class:`Article`) and
    ``authors`` its byline, written on every chunk so a source card can say who wrote it and how it came in
    without a second look-up; chunks of stores written before them read back with them empty.
    """

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
    source_path: str = ""
    feed_url: str = ""
    fetched_at: str = ""
    authors: tuple[str, ...] = ()  # its article's byline

    @property
    def provenance(self) -> tuple[str, ...]:
        """How the article came in, in a few words: ``via feed host/path``, ``fetched YYYY-MM-DD``; for a file
        with no URL to link to, ``from file NAME``. Empty when nothing is recorded."""
        notes = []
        if self.feed_url:
            notes.append(f"via feed {short_url(self.feed_url)}")
        if self.fetched_at:
            notes.append(f"fetched {self.fetched_at[:10]}")
        elif self.source_path and not self.url and "://" not in self.source_path:
            notes.append(f"from file {PurePath(self.source_path).name}")
        return tuple(notes)


def short_url(url: str, limit: int = 60) -> str:
    """``host/path`` of ``url`` (no scheme, query or trailing slash), cut to ``limit`` characters."""
    parts = urlsplit(url)
    text = (parts.netloc + parts.path.rstrip("/")) or url
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    verdict: str = ""  # grounding check of this citation against its sentence; "" when not checked


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an answer and the citation markers attached to it."""

    text: str
    citations: tuple[int, ...] = ()
    verdict: str = ""  # grounding check: "supported" | "weak" | "unsupported"; "" when not checked
    support: float = 0.0  # the check's support score in [0, 1]
    # how likely the sentence answers the question (not only matches its source), in [0, 1]; None when the
    # answerer does not estimate it (a model's answer)
    answers: float | None = None
    # the outlets whose articles among the sources say it too (wire copies of the cited article included)
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The published-date window a question's time expression resolved to (inclusive)."""

    start: date
    end: date
    phrase: str = ""
    recent: bool = False  # a short window relative to the as-of date ("this week", "yesterday", "recently")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def label(self) -> str:
        return f"{self.phrase}: {self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict retrieval: outlets (any of), published-date range (inclusive), article ids (any of)."""

    outlets: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    article_ids: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.outlets or self.date_from or self.date_to or self.article_ids)


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
    refusal_rule: str = ""  # which check refused (e.g. "min_score", "off_topic"); "" when answered
    backend: str = "extractive"
    query: str = ""
    dropped_markers: int = 0
    as_of: date | None = None
    date_window: DateWindow | None = None
    repaired_sentences: int = 0  # grounding check: sentences re-cited to a passage that supports them
    dropped_sentences: int = 0  # grounding check: sentences no passage supports, removed
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float | None:
        """How likely the answer answers the question: its most likely sentence's ``answers`` (None when the
        answerer does not estimate it, or it refused). Distinct from grounding, which says each sentence
        matches its source."""
        values = [s.answers for s in self.sentences if s.answers is not None]
        return max(values) if values and not self.abstained else None

    @property
    def uncited_sentences(self) -> tuple[Sentence, ...]:
        """Sentences that carry no valid citation (a generative answer may have some)."""
        return tuple(s for s in self.sentences if not s.citations)

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


# -- the analyst's views (#23) -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation: ``text`` is exactly ``article.text[start:end]`` (the words inside the marks).

    ``speaker`` is the fullest name the article gives (``""`` when the article does not say who said it);
    ``role`` the title or description the article gives them.
    """

    speaker: str
    role: str
    text: str
    article_id: str
    outlet: str = ""
    published: date | None = None
    start: int = 0
    end: int = 0
    title: str = ""
    url: str = ""
    cue: str = ""  # how the speaker was found: after, before, pronoun, inherited
    context: str = ""  # the sentence(s) the quotation stands in, as the article has them


@dataclass(frozen=True, slots=True)
class EventSource:
    """Where an event is reported: the dated sentence at ``[start, end)`` of an article."""

    article_id: str
    outlet: str
    published: date | None
    start: int
    end: int
    title: str = ""
    phrase: str = ""  # the date expression as written ("on Tuesday")


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened (or will) on ``day``; ``None`` when its article gives no date to resolve against.

    ``text`` is the first source's sentence; ``resolved_from`` says how the day was read ("stated in full",
    "'Tuesday' before 2023-06-14 (published)"). The same event in several articles is one ``Event``.
    """

    day: date | None
    text: str
    resolved_from: str
    sources: tuple[EventSource, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.outlet for s in self.sources if s.outlet))


@dataclass(frozen=True, slots=True)
class CoverageSentence:
    """One of an outlet's most relevant sentences on the story, at ``[start, end)`` of its article."""

    text: str
    article_id: str
    start: int
    end: int
    score: float = 0.0
    title: str = ""
    published: date | None = None


@dataclass(frozen=True, slots=True)
class OutletCoverage:
    """How one outlet covered the story: when it first reported it, what it said, and where its copies ran."""

    outlet: str
    first_published: date | None
    sentences: tuple[CoverageSentence, ...]
    article_ids: tuple[str, ...] = ()
    also_ran_in: tuple[str, ...] = ()  # outlets that ran this outlet's articles as wire copies


@dataclass(frozen=True, slots=True)
class Coverage:
    """Who reported a story and how: one entry per outlet, first to report first."""

    query: str
    outlets: tuple[OutletCoverage, ...]
    independent_sources: int = 0  # distinct articles after folding wire copies
