"""Combining ranked lists: reciprocal rank fusion, and maximal marginal relevance for diversity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from assistant.models.embedders import Vectors


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float], k: int = 60
) -> dict[str, float]:
    """RRF (Cormack et al., 2009): ``Σ w · (k+1)/(k+rank)`` over the lists an id appears in.

    Scaled by ``k+1`` and divided by the total weight so an id ranked first everywhere scores 1.0;
    ids missing from a list get nothing from it. Returns id → score, unordered.
    """
    total = sum(weights.get(name, 1.0) for name in rankings) or 1.0
    fused: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight * (k + 1) / (k + rank) / total
    return fused


def mmr_order(relevance: Sequence[float], vectors: Vectors, n: int, lam: float) -> list[int]:
    """Greedy MMR (Carbonell & Goldstein, 1998): indices picking ``λ·rel − (1−λ)·max sim to picked``."""
    if len(relevance) == 0:
        return []
    rel = np.asarray(relevance, dtype=np.float32)
    sims = vectors @ vectors.T
    chosen: list[int] = [int(np.argmax(rel))]
    left = set(range(len(rel))) - set(chosen)
    while left and len(chosen) < n:
        pool = sorted(left)
        redundancy = sims[np.ix_(pool, chosen)].max(axis=1)
        scores = lam * rel[pool] - (1 - lam) * redundancy
        best = pool[int(np.argmax(scores))]
        chosen.append(best)
        left.remove(best)
    return chosen
