"""Question → ranked ``Passage``s: dense and BM25 candidates, fused, re-scored, date-aware, diversified.

1. *gather*: the ``fetch_k`` nearest chunks from Chroma and the ``fetch_k`` best by BM25, under the
   same filters. BM25-only hits are not fetched yet: the keyword index carries the article and day
   that ordering needs.
2. *order*: reciprocal rank fusion, plus the second stage's feature bonus on the top
   ``rerank_depth``, plus the date adjustment; optionally MMR; then at most
   ``max_chunks_per_article`` per article. Only the BM25-only hits that reach the top ``k`` (or the
   second stage's head, which reads text or vectors) are fetched, with their stored vectors, so every
   passage gets its cosine similarity to the question whichever side found it. Through a Chroma server
   that saves a round trip carrying ~50 chunks per question.

``Passage.score`` stays the cosine similarity (plus the date adjustment): the answerers' abstention
thresholds are calibrated on it. The order is the fused one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from assistant.core.settings import Settings
from assistant.core.types import Chunk, DateWindow, Filters, Passage
from assistant.models.embedders import Embedder, Vectors
from assistant.retrieval.dates import REPORTING_LAG
from assistant.retrieval.fusion import mmr_order, reciprocal_rank_fusion
from assistant.retrieval.rerank import FeatureWeights, feature_scores
from assistant.store.chroma import Store, where_clause
from assistant.store.keyword_index import KeywordIndex


def date_adjustment(
    published: date | None,
    window: DateWindow | None,
    as_of: date | None,
    boost: float,
    recency: float = 0.0,
    tau: float = 7.0,
) -> float:
    """How a passage's published date moves it: window boost, recency prior, and a penalty for later news.

    The reference day is the end of the question's window, or ``as_of`` without one. A passage published
    inside the (lag-extended) window gains ``boost``; one published on or before the reference day gains
    ``recency · exp(−days before it / tau)`` (news questions ask about the latest coverage); one published
    after the reference day (plus the reporting lag) loses half of both. Undated passages: 0 here (see
    ``undated_share`` in :meth:`Retriever.order`).
    """
    reference = window.end if window is not None else as_of
    if published is None or reference is None:
        return 0.0
    if published > reference + REPORTING_LAG or (as_of is not None and published > as_of + REPORTING_LAG):
        return -(boost + recency) / 2
    adjustment = 0.0
    if window is not None and window.start <= published <= window.end + REPORTING_LAG:
        adjustment += boost
    if recency:
        days_before = max(0, (reference - published).days)
        adjustment += recency * math.exp(-days_before / tau)
    return adjustment


@dataclass(frozen=True, slots=True)
class Gathered:
    """The first stage's output: the question's vector and the candidates."""

    vector: Vectors
    candidates: list[Candidate]


@dataclass(slots=True)
class Candidate:
    """A chunk one of the first-stage retrievers found, with what the second stage needs.

    ``chunk`` is None for a BM25-only hit until :meth:`Retriever.fill` fetches it (with its vector and cosine).
    """

    id: str
    article_id: str
    published: date | None
    chunk: Chunk | None = None
    cosine: float = 0.0
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
        self.keyword = keyword or KeywordIndex(settings.keyword_path, store, settings.retrieval.keyword_recount_seconds)

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        window: DateWindow | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        gathered = self.gather(query, filters)
        return self.order(query, gathered, k or self._settings.retrieval.top_k, window, as_of)

    def gather(self, query: str, filters: Filters | None = None, mode: str | None = None) -> Gathered:
        """First stage: candidates from dense and/or BM25 retrieval, each with its ranks (BM25-only: unfetched)."""
        mode = mode or self._settings.retrieval.mode
        depth = self._settings.retrieval.fetch_k
        vector = self._embedder.embed_query(query)
        found: dict[str, Candidate] = {}
        if mode in ("dense", "hybrid"):
            for rank, (chunk, score) in enumerate(self._store.query(vector, depth, where_clause(filters)), start=1):
                found[chunk.id] = Candidate(
                    chunk.id, chunk.article_id, chunk.published, chunk=chunk, cosine=score, ranks={"dense": rank}
                )
        if mode in ("bm25", "hybrid"):
            for rank, hit in enumerate(self.keyword.search(query, depth, filters), start=1):
                if hit.chunk_id not in found:
                    found[hit.chunk_id] = Candidate(hit.chunk_id, hit.article_id, hit.published)
                found[hit.chunk_id].ranks["bm25"] = rank
        return Gathered(vector, list(found.values()))

    def fill(self, candidates: list[Candidate], vector: Vectors, vectors: bool = False) -> None:
        """Fetch the unfetched among ``candidates`` (chunk, stored vector, cosine), and with ``vectors`` every
        missing stored vector too, in one round trip. A chunk gone from the store since indexing stays None."""
        wanted = {c.id: c for c in candidates if c.chunk is None or (vectors and c.vector is None)}
        for chunk, stored in self._store.get_chunks(list(wanted)):
            c = wanted[chunk.id]
            if c.chunk is None:
                c.chunk, c.cosine = chunk, float(stored @ vector)
            c.vector = stored

    def order(
        self,
        query: str,
        gathered: Gathered,
        k: int,
        window: DateWindow | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        """Second stage: fuse, re-score, date-adjust, diversify; the top ``k`` as passages."""
        s = self._settings
        candidates, vector = gathered.candidates, gathered.vector
        rankings = {
            name: [c.id for c in sorted(candidates, key=lambda c: c.ranks.get(name, 1 << 30)) if name in c.ranks]
            for name in ("dense", "bm25")
        }
        fused = reciprocal_rank_fusion(
            {n: ids for n, ids in rankings.items() if ids},
            {"dense": s.retrieval.dense_weight, "bm25": s.retrieval.bm25_weight},
            s.retrieval.rrf_k,
        )
        for c in candidates:
            c.fused = fused.get(c.id, 0.0)
            c.dated = date_adjustment(
                c.published, window, as_of, s.retrieval.date_boost, s.retrieval.recency_boost, s.retrieval.recency_days
            )
        # An undated article (a user's own file, often) is of unknown date, not old: it gets a share of what the
        # best-placed dated candidate gets, so the recency prior does not bury it under any recent coverage.
        best = max((c.dated for c in candidates if c.published is not None), default=0.0)
        for c in candidates:
            if c.published is None:
                c.dated = s.retrieval.undated_share * max(0.0, best)
        # A write or delete killed half-way can leave chunks whose article record is gone (or not yet written):
        # they stay invisible until repair() removes them.
        committed = self._store.committed([c.article_id for c in candidates])
        pool = sorted((c for c in candidates if c.article_id in committed), key=lambda c: -c.fused)
        if s.retrieval.rerank == "features" and pool:
            pool = self._fetched(pool[: s.retrieval.rerank_depth], vector) + pool[s.retrieval.rerank_depth :]
            head = pool[: s.retrieval.rerank_depth]
            weights = FeatureWeights(coverage=s.retrieval.rerank_coverage, title=s.retrieval.rerank_title)
            bonuses = feature_scores(self.keyword, query, [c.chunk for c in head if c.chunk is not None], weights)
            for c, bonus in zip(head, bonuses, strict=True):
                c.bonus = bonus
        pool.sort(key=lambda c: -c.total)
        if s.retrieval.mmr_lambda < 1.0 and pool:
            pool = (
                self._mmr(pool[: s.retrieval.rerank_depth], k * s.retrieval.max_chunks_per_article, vector)
                + pool[s.retrieval.rerank_depth :]
            )
        return self._top(pool, k, vector)

    def _fetched(self, pool: list[Candidate], vector: Vectors, vectors: bool = False) -> list[Candidate]:
        """``pool`` with its unfetched candidates fetched, less any gone from the store since indexing."""
        self.fill(pool, vector, vectors)
        return [c for c in pool if c.chunk is not None and (c.vector is not None or not vectors)]

    def _top(self, pool: list[Candidate], k: int, vector: Vectors) -> list[Passage]:
        """The first ``k`` of ``pool`` under the per-article cap, fetching only the unfetched ones among them."""
        while True:
            top = _capped(pool, k, self._settings.retrieval.max_chunks_per_article)
            unfetched = [c for c in top if c.chunk is None]
            if not unfetched:
                return [
                    Passage(chunk=c.chunk, score=c.cosine + c.dated, rank=rank)
                    for rank, c in enumerate(top, start=1)
                    if c.chunk is not None
                ]
            self.fill(unfetched, vector)
            gone = {c.id for c in unfetched if c.chunk is None}
            pool = [c for c in pool if c.id not in gone]

    def _mmr(self, pool: list[Candidate], n: int, vector: Vectors) -> list[Candidate]:
        pool = self._fetched(pool, vector, vectors=True)
        if not pool:
            return pool
        matrix: Vectors = np.stack([c.vector for c in pool if c.vector is not None]).astype(np.float32)
        chosen = mmr_order([c.total for c in pool], matrix, n, self._settings.retrieval.mmr_lambda)
        rest = [c for i, c in enumerate(pool) if i not in set(chosen)]
        return [pool[i] for i in chosen] + rest


def _capped(pool: list[Candidate], k: int, per_article_cap: int) -> list[Candidate]:
    per_article: Counter[str] = Counter()
    top: list[Candidate] = []
    for c in pool:
        if per_article[c.article_id] >= per_article_cap:
            continue
        per_article[c.article_id] += 1
        top.append(c)
        if len(top) == k:
            break
    return top
