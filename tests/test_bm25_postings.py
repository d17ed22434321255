"""The page-at-a-time BM25 builder against bm25s' own ``BM25.index`` on the same tokens."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest
import Stemmer
from bm25s.tokenization import Tokenizer

from assistant.store.postings import PostingsBuilder, scores_for

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_c8c58ef786186102.txt"


def _corpus() -> list[str]:
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    return [*paragraphs, "", "ties ties ties ties", "Blinken", "Xi Jinping met Blinken in Beijing's Great Hall"]


def _tokenised() -> tuple[Tokenizer, list[list[int]]]:
    tokenizer = Tokenizer(stemmer=Stemmer.Stemmer("english").stemWord, stopwords="en")
    rows = tokenizer.tokenize(_corpus(), update_vocab=True, return_as="ids", show_progress=False)
    return tokenizer, rows


@pytest.mark.parametrize("page", [1, 3, 1000])
def test_same_matrix_as_bm25s(page: int) -> None:
    tokenizer, rows = _tokenised()
    reference = bm25s.BM25()
    reference.index(([np.asarray(r, dtype=np.int32) for r in rows], tokenizer.get_vocab_dict()), show_progress=False)
    builder = PostingsBuilder()
    for lo in range(0, len(rows), page):
        builder.add(rows[lo : lo + page])
    mine = builder.finish(tokenizer.get_vocab_dict())
    assert mine.scores["num_docs"] == reference.scores["num_docs"] == len(rows)
    np.testing.assert_array_equal(mine.scores["indptr"], reference.scores["indptr"])
    np.testing.assert_array_equal(mine.scores["indices"], reference.scores["indices"])
    np.testing.assert_allclose(mine.scores["data"], reference.scores["data"], rtol=1e-6)
    assert mine.vocab_dict == reference.vocab_dict


def test_scores_match_get_scores_and_round_trip(tmp_path: Path) -> None:
    tokenizer, rows = _tokenised()
    builder = PostingsBuilder()
    builder.add(rows)
    retriever = builder.finish(tokenizer.get_vocab_dict())
    retriever.save(str(tmp_path / "bm25"), show_progress=False)
    loaded = bm25s.BM25.load(str(tmp_path / "bm25"), mmap=True, show_progress=False)
    for query in ["Blinken Beijing ties", "ties ties", "what did Xi say about Taiwan", "Blinken"]:
        ids = tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)[0]
        ids = [t for t in ids if t != 0]
        assert ids
        expected = retriever.get_scores(ids)
        np.testing.assert_allclose(scores_for(loaded, ids), expected, rtol=1e-5, atol=1e-7)
        assert scores_for(loaded, ids).max() > 0


def test_unknown_and_empty_queries_score_nothing() -> None:
    tokenizer, rows = _tokenised()
    builder = PostingsBuilder()
    builder.add(rows)
    retriever = builder.finish(tokenizer.get_vocab_dict())
    assert not scores_for(retriever, []).any()
    assert not scores_for(retriever, [10**9]).any()
    assert scores_for(retriever, []).shape == (len(rows),)
