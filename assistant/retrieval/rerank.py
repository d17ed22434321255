"""Second stage: re-score the top fused candidates with cheap passage features.

No cross-encoder ships its weights on PyPI, so the second stage is feature-based: how much of the
question's idf-weighted vocabulary the passage (and, separately, its title) contains. This rewards
passages that mention *all* the question's rare names, where BM25 can be won by repeating one and
dense similarity by being on-topic without the specifics. Date proximity, the other passage feature,
is applied with the date window in :func:`assistant.retrieval.retriever.date_adjustment`.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.types import Chunk
from assistant.store.keyword_index import KeywordIndex, index_text


@dataclass(frozen=True, slots=True)
class FeatureWeights:
    """How much each feature adds to the fused score (which is in (0, 1]).

    Query-term coverage is off by default: on the shared diplomacy set it cost recall@5 (see
    ``bench/results/retrieval.md``, "+ coverage"); the title match is kept.
    """

    coverage: float = 0.0
    title: float = 0.15


def feature_scores(
    index: KeywordIndex, query: str, chunks: list[Chunk], weights: FeatureWeights | None = None
) -> list[float]:
    """Bonus per chunk: ``coverage · w_c + title coverage · w_t``, both idf-weighted fractions in [0, 1]."""
    weights = weights or FeatureWeights()
    idf = index.term_weights(query)
    total = sum(idf.values())
    if not chunks or total <= 0:
        return [0.0] * len(chunks)
    # Tokenizing passage bodies is the costly part: only done when coverage counts.
    bodies = index.terms([index_text(c.title, c.text) for c in chunks]) if weights.coverage else [set()] * len(chunks)
    titles = index.terms([c.title for c in chunks]) if weights.title else [set()] * len(chunks)
    out: list[float] = []
    for body, title in zip(bodies, titles, strict=True):
        coverage = sum(w for t, w in idf.items() if t in body) / total
        in_title = sum(w for t, w in idf.items() if t in title) / total
        out.append(weights.coverage * coverage + weights.title * in_title)
    return out
