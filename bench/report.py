"""What the abstention benchmarks share, importing nothing of the product (bench.experiments.judge_probe's scoring
runs in a venv with torch and without chromadb): AUC, the best abstention threshold, and writing a results page."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MAX_WRONG = 0.10  # #7's bound on wrong abstentions


def auc(p: Any, y: Any) -> float:
    """Rank AUC of scores ``p`` for labels ``y`` (1 = positive)."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    ranks = np.empty(len(p))
    ranks[np.argsort(p, kind="stable")] = np.arange(1, len(p) + 1)
    pos = y.sum()
    return float((ranks[y > 0].sum() - pos * (pos + 1) / 2) / (pos * (len(y) - pos)))


def operating_point(
    scores: Sequence[float], answerable: Sequence[bool], ruled: Sequence[bool] | None = None
) -> tuple[float, float]:
    """(abstention on must-abstain, wrong abstentions) at the threshold that abstains most within MAX_WRONG.

    A question abstains when its score is below the threshold, or when ``ruled`` says the rules abstained.
    """
    ruled = ruled if ruled is not None else [False] * len(scores)
    best = (0.0, 0.0)
    for t in [*sorted(set(scores)), float("inf")]:
        abstain = [r or s < t for s, r in zip(scores, ruled, strict=True)]
        wrong = statistics.fmean(x for x, a in zip(abstain, answerable, strict=True) if a)
        hit = statistics.fmean(x for x, a in zip(abstain, answerable, strict=True) if not a)
        if wrong <= MAX_WRONG + 1e-9 and hit > best[0]:
            best = (hit, wrong)
    return best


def publish(lines: list[str], out: Path) -> None:
    """Print a results page and write it to ``out``."""
    text = "\n".join(lines)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
