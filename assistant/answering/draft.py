"""What every answerer shares: the question's :class:`Scope`, the :class:`Draft` it returns, the
:class:`Answerer` protocol, and the refusal texts both backends use.

An answerer is handed the passages retrieval found; it names the ones it will read (:meth:`Answerer.sources`),
streams its text, and returns a :class:`Draft`. The :class:`~assistant.answering.assistant.Assistant` turns the
draft into the public :class:`~assistant.core.types.Answer`. A new backend is a class with these methods and a
line in :data:`assistant.answering.backends.BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from assistant.answering.conversation import Turn
from assistant.core.types import Citation, DateWindow, Filters, Passage, Sentence
from assistant.retrieval.dates import off_window

NO_PASSAGES = "The sources don't say: no passage in the library matches this question."


@dataclass(frozen=True, slots=True)
class Scope:
    """What limits retrieval for one question: filters, the resolved date window, the as-of date."""

    filters: Filters | None = None
    window: DateWindow | None = None
    as_of: date | None = None

    def retrieval(self) -> dict[str, Any]:
        return {"filters": self.filters, "window": self.window, "as_of": self.as_of}


@dataclass(frozen=True, slots=True)
class Draft:
    """An answerer's answer before the assistant dresses it: the cited sentences, or a refusal and its reason."""

    text: str
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    reason: str = ""
    dropped_markers: int = 0  # generative: markers pointing at no passage
    repaired_sentences: int = 0  # grounding check: sentences re-cited to a passage that supports them
    dropped_sentences: int = 0  # grounding check: sentences no passage supports, removed
    timings: dict[str, float] = field(default_factory=dict)
    rule: str = ""  # the refusal rule that fired ("" when answered)

    @classmethod
    def refusal(cls, reason: str, rule: str = "", dropped_markers: int = 0, dropped_sentences: int = 0) -> Draft:
        """The sources don't answer: ``reason`` is both the text and why; ``rule`` names the check that said so."""
        return cls(
            reason,
            (Sentence(reason),),
            abstained=True,
            reason=reason,
            dropped_markers=dropped_markers,
            dropped_sentences=dropped_sentences,
            rule=rule,
        )


DraftStream = Generator[str, None, Draft]
"""Text pieces in reading order; the generator's return value is the finished draft."""


class Answerer(Protocol):
    """One answering backend (extractive, an OpenAI-compatible model, a local model)."""

    name: str

    @property
    def label(self) -> str:
        """The backend in plain words, for the settings page and the eval report."""
        ...

    @property
    def model_name(self) -> str:
        """The model that writes the answers, in plain words."""
        ...

    def sources(self, question: str, passages: Sequence[Passage]) -> list[Passage]:
        """The retrieved passages this answerer will read and may cite, best first."""
        ...

    def stream(self, question: str, query: str, passages: Sequence[Passage], scope: Scope) -> DraftStream:
        """Answer ``question`` (retrieved as ``query``) from ``passages``: yield text, return the draft."""
        ...

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up of ``history`` as a standalone retrieval query."""
        ...

    def close(self) -> None:
        """Release what the backend started (a local model server)."""
        ...


def off_window_reason(window: DateWindow | None, citations: Sequence[Citation]) -> str:
    """Why an answer to a "this week" question must not stand, when all it cites is dated outside the week."""
    published = [c.passage.chunk.published for c in citations]
    if window is None or not off_window(window, published):
        return ""
    days = sorted({d.isoformat() for d in published if d is not None})
    shown = ", ".join(days[:3]) + ("…" if len(days) > 3 else "")
    return (
        f"The sources don't say: nothing published {window.phrase} ({window.start.isoformat()} – "
        f"{window.end.isoformat()}) answers this; the closest coverage is from {shown}."
    )


def closest_coverage(passages: Sequence[Passage]) -> str:
    """' The closest passages are about “A” and “B”.' — what the sources do cover."""
    titles = list(dict.fromkeys(p.chunk.title for p in passages if p.chunk.title))[:2]
    if not titles:
        return ""
    quoted = " and ".join(f"“{t}”" for t in titles)
    return f" The closest passages are about {quoted}."
