"""Question → ranked ``Passage``s: dense top-k from the store, date-aware, capped per article."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from assistant.config import Settings
from assistant.models import Embedder
from assistant.store import Store, where_clause
from assistant.types import Chunk, DateWindow, Filters, Passage

# Reports trail events: an article a few days after the window still covers it.
_REPORTING_LAG = timedelta(days=3)


def date_adjustment(chunk: Chunk, window: DateWindow | None, as_of: date | None, boost: float) -> float:
    """+boost inside the (lag-extended) window, −boost/2 for articles published after ``as_of``; undated: 0."""
    if chunk.published is None:
        return 0.0
    if as_of is not None and chunk.published > as_of + _REPORTING_LAG:
        return -boost / 2
    if window is not None and window.start <= chunk.published <= window.end + _REPORTING_LAG:
        return boost
    return 0.0


class Retriever:
    """Dense retrieval over the chunk collection with date boosting and a per-article diversity cap."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        window: DateWindow | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        k = k or self._settings.top_k
        vector = self._embedder.embed_query(query)
        candidates = self._store.query(vector, max(k, self._settings.fetch_k), where_clause(filters))
        boost = self._settings.date_boost
        scored = sorted(
            ((chunk, score + date_adjustment(chunk, window, as_of, boost)) for chunk, score in candidates),
            key=lambda pair: -pair[1],
        )
        per_article: Counter[str] = Counter()
        passages: list[Passage] = []
        for chunk, score in scored:
            if per_article[chunk.article_id] >= self._settings.max_chunks_per_article:
                continue
            per_article[chunk.article_id] += 1
            passages.append(Passage(chunk=chunk, score=score, rank=len(passages) + 1))
            if len(passages) == k:
                break
        return passages
