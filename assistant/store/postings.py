"""BM25 postings built a page at a time, in bm25s' own matrix layout, with a fraction of its memory.

``bm25s.BM25.index`` wants every document's token list in memory at once and builds Python dicts and
per-document ``Counter``s on top of them: about 1.3 GiB of peak memory for 145k news chunks. Here each
page of tokenised chunks is reduced at once to its (term, term frequency) pairs, kept as compact numpy
arrays (6 bytes a pair); the scores need the corpus-wide document frequencies and mean length, so they
are computed at the end, page by page, as each page's pairs are scattered into bm25s' CSC layout (one
column per term).
The result is what ``BM25.index`` would have computed (same Lucene BM25, same ``k1``, ``b``), so bm25s
saves, loads (memory-mapped) and scores it unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np


class PostingsBuilder:
    """Add tokenised documents page by page, then :meth:`finish` into a ready ``bm25s.BM25``."""

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._terms: list[np.ndarray] = []  # int32 term id per (document, distinct term), documents in order
        self._tfs: list[np.ndarray] = []  # uint16 term frequency, aligned with _terms
        self._distinct: list[np.ndarray] = []  # int32 distinct terms per document
        self._lengths: list[np.ndarray] = []  # int32 tokens per document

    def add(self, rows: Sequence[Sequence[int]]) -> None:
        """One page of documents, each a sequence of token ids (``0 ≤ id < vocabulary size``)."""
        if not rows:
            return
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        flat = np.fromiter((t for r in rows for t in r), dtype=np.int64, count=int(lengths.sum()))
        doc = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
        width = int(flat.max(initial=0)) + 1
        keys, counts = np.unique(doc * width + flat, return_counts=True)  # sorted by document, then term
        self._terms.append((keys % width).astype(np.int32))
        self._tfs.append(np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16))
        self._distinct.append(np.bincount(keys // width, minlength=len(rows)).astype(np.int32))
        self._lengths.append(lengths.astype(np.int32))

    def finish(self, vocab: dict[str, int]) -> bm25s.BM25:
        """The retriever over everything added; ``vocab`` maps every token to its id (ids ``0..len-1``).

        Pages are scattered into their final positions one at a time (a counting sort by term), each
        page's pairs freed as it goes, so the peak is the final matrix plus one page, not several
        corpus-sized temporaries.
        """
        n_vocab = len(vocab)
        df = np.zeros(n_vocab, dtype=np.int64)
        for terms in self._terms:
            df += np.bincount(terms, minlength=n_vocab)[:n_vocab]
        lengths = _joined(self._lengths, np.int32)
        n_docs = len(lengths)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        mean_length = max(float(lengths.mean()), 1e-9) if n_docs else 1.0
        norm = (self.k1 * ((1 - self.b) + self.b * lengths / mean_length)).astype(np.float32)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(int(indptr[-1]), dtype=np.float32)
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        cursor = indptr[:-1].copy()  # next free slot of each term's column
        first_doc = 0
        while self._terms:
            terms, tfs, distinct = self._terms.pop(0), self._tfs.pop(0).astype(np.float32), self._distinct.pop(0)
            docs = np.repeat(np.arange(first_doc, first_doc + len(distinct), dtype=np.int32), distinct)
            first_doc += len(distinct)
            scores = idf[terms] * (tfs / (norm[docs] + tfs))
            order = np.argsort(terms, kind="stable")  # this page's pairs by term, documents still ascending
            by_term = terms[order]
            starts = np.flatnonzero(np.r_[True, by_term[1:] != by_term[:-1]])
            counts = np.diff(np.r_[starts, len(by_term)])
            rank = np.arange(len(by_term)) - np.repeat(starts, counts)  # position within the term's run
            slots = cursor[by_term] + rank
            data[slots], indices[slots] = scores[order], docs[order]
            cursor[by_term[starts]] += counts
        self._lengths = []
        retriever = bm25s.BM25(k1=self.k1, b=self.b)
        retriever.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
        retriever.vocab_dict = dict(vocab)
        if "" not in retriever.vocab_dict:
            retriever.vocab_dict[""] = max(retriever.vocab_dict.values(), default=-1) + 1
        retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
        retriever.nonoccurrence_array = None
        return retriever


def _joined(parts: list[np.ndarray], dtype: type[np.generic]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def scores_for(retriever: bm25s.BM25, token_ids: Sequence[int]) -> np.ndarray:
    """Every document's BM25 score for the query terms (float32), as ``get_scores`` computes it.

    One ``bincount`` over the terms' joined posting lists instead of bm25s' ``np.add.at`` per term,
    which is an order of magnitude slower on long lists.
    """
    matrix = retriever.scores
    indptr, n_docs = matrix["indptr"], int(matrix["num_docs"])
    spans = [(int(indptr[t]), int(indptr[t + 1])) for t in token_ids if 0 <= t < len(indptr) - 1]
    spans = [(lo, hi) for lo, hi in spans if hi > lo]
    if not spans:
        return np.zeros(n_docs, dtype=np.float32)
    indices = np.concatenate([matrix["indices"][lo:hi] for lo, hi in spans])
    weights = np.concatenate([matrix["data"][lo:hi] for lo, hi in spans])
    return np.bincount(indices, weights=weights, minlength=n_docs).astype(np.float32)
