"""Question → ranked ``Passage``s: dense top-k from the store, capped per article."""

from __future__ import annotations

from collections import Counter

from assistant.config import Settings
from assistant.models import Embedder
from assistant.store import Store, Where
from assistant.types import Passage


class Retriever:
    """Dense retrieval over the chunk collection with a per-article diversity cap."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings

    def retrieve(self, query: str, k: int | None = None, where: Where | None = None) -> list[Passage]:
        k = k or self._settings.top_k
        vector = self._embedder.embed_query(query)
        candidates = self._store.query(vector, max(k, self._settings.fetch_k), where)
        per_article: Counter[str] = Counter()
        passages: list[Passage] = []
        for chunk, score in candidates:
            if per_article[chunk.article_id] >= self._settings.max_chunks_per_article:
                continue
            per_article[chunk.article_id] += 1
            passages.append(Passage(chunk=chunk, score=score, rank=len(passages) + 1))
            if len(passages) == k:
                break
        return passages
