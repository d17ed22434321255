"""Who said what: stored quotations searched by speaker and topic."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.core.lexical import content_stems, folded_words
from assistant.core.types import Quote


def speaker_matches(query: str, speaker: str) -> bool:
    """Every word of ``query`` is a word of the speaker's name ("Campbell", "kurt campbell", "Qin")."""
    wanted = folded_words(query)
    have = set(folded_words(speaker))
    return bool(wanted) and bool(have) and all(word in have for word in wanted)


def about_score(about: str, quote: Quote) -> float:
    """Share of the topic's content words the quotation's sentence (or its speaker's role) uses."""
    wanted = set(content_stems(about))
    if not wanted:
        return 1.0
    have = set(content_stems(quote.context or quote.text)) | set(content_stems(quote.role))
    return len(wanted & have) / len(wanted)


def search(quotes: Sequence[Quote], speaker: str | None = None, about: str | None = None) -> list[Quote]:
    """Quotations by ``speaker`` (any form of their name) on ``about``; best topic match first, then newest.

    Without ``speaker``, unattributed quotations are left out: the view is who said what."""
    found = [q for q in quotes if q.speaker and (not speaker or speaker_matches(speaker, q.speaker))]
    # whole statements before fragments ("top line goals"), newest article first, in reading order
    found.sort(key=lambda q: (-(q.published.toordinal() if q.published else 0), len(q.text.split()) < 5, q.start))
    if about and about.strip():
        scored = [(about_score(about, q), q) for q in found]
        found = [q for s, q in sorted(scored, key=lambda p: -p[0]) if s > 0]
    return found


def speakers(quotes: Sequence[Quote]) -> list[tuple[str, int]]:
    """Speakers with their number of quotations, most quoted first."""
    counts: dict[str, int] = {}
    for quote in quotes:
        if quote.speaker:
            counts[quote.speaker] = counts.get(quote.speaker, 0) + 1
    return sorted(counts.items(), key=lambda p: (-p[1], p[0]))
