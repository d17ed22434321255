"""Question → ranked ``Passage``s: dense and BM25 candidates, fused, re-scored, date-aware, diversified.

1. *gather*: the ``fetch_k`` nearest chunks from Chroma and the ``fetch_k`` best by BM25, under the
   same filters; every candidate gets its cosine similarity to the question (BM25-only ones from
   their stored vectors), so scores downstream mean the same whichever side found a passage.
2. *order*: reciprocal rank fusion, plus the second stage's feature bonus on the top
   ``rerank_depth``, plus the date adjustment; optionally MMR; then at most
   ``max_chunks_per_article`` per article.

``Passage.score`` stays the cosine similarity (plus the date adjustment): the answerers' abstention
thresholds are calibrated on it. The order is the fused one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from assistant.config import Settings
from assistant.dates import REPORTING_LAG
from assistant.fusion import mmr_order, reciprocal_rank_fusion
from assistant.keyword_index import KeywordIndex
from assistant.models import Embedder, Vectors
from assistant.rerank import FeatureWeights, feature_scores
from assistant.store import Store, where_clause
from assistant.types import Chunk, DateWindow, Filters, Passage


def date_adjustment(
    chunk: Chunk, window: DateWindow | None, as_of: date | None, boost: float, recency: float = 0.0, tau: float = 7.0
) -> float:
    """How a passage's published date moves it: window boost, recency prior, and a penalty for later news.

    The reference day is the end of the question's window, or ``as_of`` without one. A passage published
    inside the (lag-extended) window gains ``boost``; one published on or before the reference day gains
    ``recency · exp(−days before it / tau)`` (news questions ask about the latest coverage); one published
    after the reference day (plus the reporting lag) loses half of both. Undated passages: 0.
    """
    reference = window.end if window is not None else as_of
    if chunk.published is None or reference is None:
        return 0.0
    if chunk.published > reference + REPORTING_LAG or (as_of is not None and chunk.published > as_of + REPORTING_LAG):
        return -(boost + recency) / 2
    adjustment = 0.0
    if window is not None and window.start <= chunk.published <= window.end + REPORTING_LAG:
        adjustment += boost
    if recency:
        days_before = max(0, (reference - chunk.published).days)
        adjustment += recency * math.exp(-days_before / tau)
    return adjustment


@dataclass(slots=True)
class Candidate:
    """A chunk one of the first-stage retrievers found, with what the second stage needs."""

    chunk: Chunk
    cosine: float
    vector: Vectors | None = None
    ranks: dict[str, int] = field(default_factory=dict)  # retriever name → 1-based rank
    fused: float = 0.0
    bonus: float = 0.0  # second stage
    dated: float = 0.0  # date adjustment

    @property
    def total(self) -> float:
        return self.fused + self.bonus + self.dated


class Retriever:
    """Hybrid retrieval over the chunk collection (see the module docstring)."""

    def __init__(
        self, store: Store, embedder: Embedder, settings: Settings, keyword: KeywordIndex | None = None
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings
        self.keyword = keyword or KeywordIndex(settings.keyword_path, store, settings.keyword_recount_seconds)

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        window: DateWindow | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        candidates = self.gather(query, filters)
        return self.order(query, candidates, k or self._settings.top_k, window, as_of)

    def gather(self, query: str, filters: Filters | None = None, mode: str | None = None) -> list[Candidate]:
        """First stage: candidates from dense and/or BM25 retrieval, each with its ranks and cosine."""
        mode = mode or self._settings.retrieval
        depth = self._settings.fetch_k
        vector = self._embedder.embed_query(query)
        found: dict[str, Candidate] = {}
        if mode in ("dense", "hybrid"):
            for rank, (chunk, score) in enumerate(self._store.query(vector, depth, where_clause(filters)), start=1):
                found[chunk.id] = Candidate(chunk=chunk, cosine=score, ranks={"dense": rank})
        if mode in ("bm25", "hybrid"):
            hits = self.keyword.search(query, depth, filters)
            missing = [cid for cid, _ in hits if cid not in found]
            for chunk, stored in self._store.get_chunks(missing):
                found[chunk.id] = Candidate(chunk=chunk, cosine=float(stored @ vector), vector=stored)
            for rank, (cid, _) in enumerate(hits, start=1):
                if cid in found:
                    found[cid].ranks["bm25"] = rank
        return list(found.values())

    def order(
        self,
        query: str,
        candidates: list[Candidate],
        k: int,
        window: DateWindow | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        """Second stage: fuse, re-score, date-adjust, diversify; the top ``k`` as passages."""
        s = self._settings
        rankings = {
            name: [c.chunk.id for c in sorted(candidates, key=lambda c: c.ranks.get(name, 1 << 30)) if name in c.ranks]
            for name in ("dense", "bm25")
        }
        fused = reciprocal_rank_fusion(
            {n: ids for n, ids in rankings.items() if ids}, {"dense": s.dense_weight, "bm25": s.bm25_weight}, s.rrf_k
        )
        for c in candidates:
            c.fused = fused.get(c.chunk.id, 0.0)
            c.dated = date_adjustment(c.chunk, window, as_of, s.date_boost, s.recency_boost, s.recency_days)
        # A write or delete killed half-way can leave chunks whose article record is gone (or not yet written):
        # they stay invisible until repair() removes them.
        committed = self._store.committed([c.chunk.article_id for c in candidates])
        pool = sorted((c for c in candidates if c.chunk.article_id in committed), key=lambda c: -c.fused)
        if s.rerank == "features" and pool:
            head = pool[: s.rerank_depth]
            weights = FeatureWeights(coverage=s.rerank_coverage, title=s.rerank_title)
            bonuses = feature_scores(self.keyword, query, [c.chunk for c in head], weights)
            for c, bonus in zip(head, bonuses, strict=True):
                c.bonus = bonus
        pool.sort(key=lambda c: -c.total)
        if s.mmr_lambda < 1.0 and pool:
            pool = self._mmr(pool[: s.rerank_depth], k * s.max_chunks_per_article) + pool[s.rerank_depth :]
        return _capped(pool, k, s.max_chunks_per_article)

    def _mmr(self, pool: list[Candidate], n: int) -> list[Candidate]:
        need = [c.chunk.id for c in pool if c.vector is None]
        vectors = {chunk.id: vec for chunk, vec in self._store.get_chunks(need)}
        pool = [c if c.vector is not None else replace(c, vector=vectors.get(c.chunk.id)) for c in pool]
        pool = [c for c in pool if c.vector is not None]
        if not pool:
            return pool
        matrix: Vectors = np.stack([c.vector for c in pool if c.vector is not None]).astype(np.float32)
        chosen = mmr_order([c.total for c in pool], matrix, n, self._settings.mmr_lambda)
        rest = [c for i, c in enumerate(pool) if i not in set(chosen)]
        return [pool[i] for i in chosen] + rest


def _capped(pool: list[Candidate], k: int, per_article_cap: int) -> list[Passage]:
    per_article: Counter[str] = Counter()
    passages: list[Passage] = []
    for c in pool:
        if per_article[c.chunk.article_id] >= per_article_cap:
            continue
        per_article[c.chunk.article_id] += 1
        passages.append(Passage(chunk=c.chunk, score=c.cosine + c.dated, rank=len(passages) + 1))
        if len(passages) == k:
            break
    return passages
