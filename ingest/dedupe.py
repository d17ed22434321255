"""Near-duplicate detection: MinHash signatures of 5-word shingles, an LSH index, a Jaccard cut-off.

The same agency story run by several outlets differs in its dateline, a trimmed last
paragraph or an added line; its 5-word shingles mostly agree (Jaccard 0.6 and up on the
RealTime QA pool). Two reporters writing about the same event share names and a quote, but
hardly any run of five words, so their similarity stays far lower. The LSH index finds
candidates below the cut-off and the estimated Jaccard decides.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 5
MIN_WORDS = 25  # shorter texts have too few shingles for a stable estimate: never folded
_VERSION = "mh1"
_WORD = re.compile(r"\w+")
_LSH_SLACK = 0.15  # query the index below the cut-off so borderline pairs are still candidates


@dataclass(frozen=True)
class Fingerprint:
    """A MinHash signature (``NUM_PERM`` values), stored on the article record as text."""

    values: npt.NDArray[np.uint64]

    def encode(self) -> str:
        return f"{_VERSION}:" + base64.b64encode(self.values.astype("<u4").tobytes()).decode("ascii")

    @staticmethod
    def decode(text: str) -> Fingerprint | None:
        """The signature in ``text``; None for an empty or older-format value (that article is not indexed)."""
        version, _, payload = text.partition(":")
        if version != _VERSION or not payload:
            return None
        values = np.frombuffer(base64.b64decode(payload), dtype="<u4").astype(np.uint64)
        return Fingerprint(values) if len(values) == NUM_PERM else None

    def minhash(self) -> LeanMinHash:
        return LeanMinHash(seed=1, hashvalues=self.values)

    def jaccard(self, other: Fingerprint) -> float:
        return float(np.mean(self.values == other.values))


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def fingerprint(text: str) -> Fingerprint | None:
    """The signature of ``text``, or None when it is too short to compare reliably."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    minhash.update_batch(sorted(shingles(text)))
    # Round-trip through uint32 so fresh and stored signatures hash into the same LSH buckets.
    return Fingerprint(minhash.hashvalues.astype("<u4").astype(np.uint64))


class NearDuplicates:
    """Article id → signature, with an LSH index for finding the closest earlier copy."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._prints: dict[str, Fingerprint] = {}
        self._lsh = MinHashLSH(threshold=max(0.05, threshold - _LSH_SLACK), num_perm=NUM_PERM)

    def __len__(self) -> int:
        return len(self._prints)

    def add(self, article_id: str, print_: Fingerprint) -> None:
        self.remove(article_id)
        self._prints[article_id] = print_
        self._lsh.insert(article_id, print_.minhash())

    def remove(self, article_id: str) -> None:
        if self._prints.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def best_match(self, print_: Fingerprint) -> tuple[str, float] | None:
        """The most similar indexed article at or above the cut-off (ties: smallest id), or None."""
        scored = [(key, print_.jaccard(self._prints[key])) for key in self._lsh.query(print_.minhash())]
        above = [(key, score) for key, score in scored if score >= self.threshold]
        return min(above, key=lambda pair: (-pair[1], pair[0]), default=None)
