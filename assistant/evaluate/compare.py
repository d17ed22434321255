"""Run vs run: metric deltas with paired-bootstrap intervals, and the questions that flipped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.evaluate.metrics import Row, summarise
from assistant.evaluate.report import verdict


@dataclass(frozen=True, slots=True)
class Delta:
    name: str
    a: float | None
    b: float | None
    low: float | None
    high: float | None


Flip = tuple[str, str, str]


def _passed(row: Row) -> float:
    return float(verdict(row).startswith("pass"))


def compare(rows_a: list[Row], rows_b: list[Row], samples: int = 400) -> tuple[list[Delta], list[Flip]]:
    """Deltas (B − A) of every metric on the questions both runs share, with paired-bootstrap 95 % CIs."""
    by_a = {r["id"]: r for r in rows_a}
    by_b = {r["id"]: r for r in rows_b}
    common = sorted(set(by_a) & set(by_b))
    paired_a, paired_b = [by_a[i] for i in common], [by_b[i] for i in common]
    point_a, point_b = summarise(paired_a, with_ci=False), summarise(paired_b, with_ci=False)
    draws: dict[str, list[float]] = {name: [] for name in point_a}
    rng = np.random.default_rng(0)
    for _ in range(samples if common else 0):
        idx = rng.integers(0, len(common), size=len(common))
        sample_a = summarise([paired_a[i] for i in idx], with_ci=False)
        sample_b = summarise([paired_b[i] for i in idx], with_ci=False)
        for name in draws:
            a, b = sample_a[name].value, sample_b[name].value
            if a is not None and b is not None:
                draws[name].append(b - a)
    deltas = []
    for name in point_a:
        values = draws[name]
        low, high = np.percentile(values, [2.5, 97.5]) if values else (None, None)
        deltas.append(
            Delta(
                name,
                point_a[name].value,
                point_b[name].value,
                None if low is None else float(low),
                None if high is None else float(high),
            )
        )
    flipped = [(i, verdict(by_a[i]), verdict(by_b[i])) for i in common if _passed(by_a[i]) != _passed(by_b[i])]
    return deltas, flipped


def format_comparison(deltas: list[Delta], flipped: list[Flip]) -> str:
    def num(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines = ["| metric | A | B | B − A [95% CI] |", "|---|---|---|---|"]
    for d in deltas:
        change = "n/a" if d.a is None or d.b is None else f"{d.b - d.a:+.3f}"
        if d.low is not None and d.high is not None:
            change += f" [{d.low:+.3f}, {d.high:+.3f}]"
        lines.append(f"| {d.name} | {num(d.a)} | {num(d.b)} | {change} |")
    lines += ["", f"Flipped questions: {len(flipped)}"]
    lines += [f"- {qid}: {a}  →  {b}" for qid, a, b in flipped]
    return "\n".join(lines)
