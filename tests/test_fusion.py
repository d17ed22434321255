"""Reciprocal rank fusion and MMR: the arithmetic, on hand-made rankings."""

import numpy as np
import pytest

from assistant.retrieval.fusion import mmr_order, reciprocal_rank_fusion


def test_rrf_prefers_agreement_over_one_first_place() -> None:
    fused = reciprocal_rank_fusion({"dense": ["a", "x", "b"], "bm25": ["y", "x", "c", "d", "a"]}, {}, k=60)
    # x is second in both lists; a is first in one and fifth in the other; y, b, c and d appear once
    assert sorted(fused, key=lambda i: -fused[i]) == ["x", "a", "y", "b", "c", "d"]
    assert fused["x"] == pytest.approx(61 / 62)
    assert fused["y"] == pytest.approx(0.5)


def test_rrf_top_everywhere_is_one_and_weights_tilt_it() -> None:
    assert reciprocal_rank_fusion({"dense": ["a"], "bm25": ["a"]}, {}, k=60)["a"] == pytest.approx(1.0)
    fused = reciprocal_rank_fusion({"dense": ["d"], "bm25": ["b"]}, {"dense": 1.0, "bm25": 1.5}, k=60)
    assert fused["b"] == pytest.approx(0.6) and fused["d"] == pytest.approx(0.4)
    assert reciprocal_rank_fusion({"dense": [], "bm25": ["b"]}, {}, k=60)["b"] == pytest.approx(0.5)


def test_rrf_constant_flattens_rank_differences() -> None:
    sharp = reciprocal_rank_fusion({"dense": ["a", "b"]}, {}, k=1)
    flat = reciprocal_rank_fusion({"dense": ["a", "b"]}, {}, k=100)
    assert sharp["b"] / sharp["a"] < flat["b"] / flat["a"]


def test_mmr_skips_a_near_copy_of_what_it_already_picked() -> None:
    vectors = np.array([[1.0, 0.0], [0.999, 0.045], [0.0, 1.0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    relevance = [0.9, 0.89, 0.5]
    assert mmr_order(relevance, vectors, 3, lam=1.0) == [0, 1, 2]  # λ = 1: plain relevance order
    assert mmr_order(relevance, vectors, 3, lam=0.5) == [0, 2, 1]  # the copy waits
    assert mmr_order([], vectors[:0], 3, lam=0.5) == []
