"""Fit how likely an extractive answer sentence answers the question, from its score (``Sentence.answers``).

Usage::

    ATTACHE_HOME=/tmp/ranker_home .venv/bin/python -m bench.training.answer_confidence --pools /tmp/ranker_pools.pkl

The grounding mark (✓) says a sentence matches its source; for an extractive answer that is always true, since
every sentence is quoted. What a reader also needs is whether the sentence *answers*. For every answerable
question of ``seeds/eval/questions.jsonl`` (the pools of ``bench.experiments.sentence_ranker``: the product's
retrieval, every candidate embedded), the sentences an answer would keep (the best four above the keep floor)
are labelled by whether they hold one of the question's key facts, and a one-feature logistic regression
maps the hand-weighted score to that probability. It is fitted on the **tune** half; the reliability table
(predicted against observed, per band the web chat shows) and the Brier score are given for both halves.
The label is a lower bound of "answers" (a sentence may answer in other words than the key fact's).
``--write`` writes ``bench/training/results/answer_confidence.md``; the two constants live in
``assistant/answering/extractive/answerer.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.experiments.sentence_ranker import _logistic_1d, build_pools, hand_scores, labels, rows_of

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "training" / "results" / "answer_confidence.md"
BANDS = ((0.0, 0.3, "related"), (0.3, 0.6, "may answer"), (0.6, 1.01, "likely answers"))


def kept(pools: list[dict], half: str) -> tuple[np.ndarray, np.ndarray]:
    """(score, holds a key fact) of the sentences an answer keeps: the best four at the keep floor or above."""
    scores, hits = [], []
    for pool in pools:
        if pool["split"] != half:
            continue
        y, s = labels(pool), hand_scores(pool, rows_of(pool))
        floor = max(0.35, 0.75 * float(s.max()))
        for i in np.argsort(-s)[:4]:
            if s[i] >= floor:
                scores.append(float(s[i]))
                hits.append(float(y[i]))
    return np.array(scores), np.array(hits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.training.answer_confidence", description=__doc__)
    parser.add_argument("--pools", type=Path, required=True)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pools = [p for p in build_pools(args.pools) if p["record"].get("answerable", True)]
    x_tune, y_tune = kept(pools, "tune")
    slope, intercept = _logistic_1d(x_tune, y_tune)
    lines = [
        f"Fitted on the tune half: answers = 1 / (1 + exp(-({slope:.2f} × score {intercept:+.2f})))",
        "",
        "| half | sentences | Brier (constant rate) | "
        + " | ".join(f"{name}: n, predicted, observed" for *_, name in BANDS)
        + " |",
        "|---|---|---|" + "---|" * len(BANDS),
    ]
    for half in ("tune", "test"):
        x, y = (x_tune, y_tune) if half == "tune" else kept(pools, "test")
        p = 1.0 / (1.0 + np.exp(-(slope * x + intercept)))
        brier, constant = float(np.mean((p - y) ** 2)), float(np.mean((y.mean() - y) ** 2))
        cells = []
        for low, high, _ in BANDS:
            band = (p >= low) & (p < high)
            cells.append(f"{int(band.sum())}, {p[band].mean():.2f}, {y[band].mean():.2f}" if band.any() else "0")
        lines.append(f"| {half} | {len(y)} | {brier:.3f} ({constant:.3f}) | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        RESULTS.write_text(
            "# How likely a sentence answers (extractive)\n\n"
            "Command: `ATTACHE_HOME=/tmp/ranker_home .venv/bin/python -m bench.training.answer_confidence "
            f"--pools /tmp/ranker_pools.pkl --write`\n\n{table}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
