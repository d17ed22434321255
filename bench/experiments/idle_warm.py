"""The chat server's background warming (``IdleWarmer``, #24): what answers cost while it runs, how long it takes,
and what they cost once it is done.

    ATTACHE_HOME=COPY .venv/bin/python -m bench.experiments.idle_warm [--every 10] [--idle 2] [--limit 40]

COPY is a copy of a library that is not warmed (its kept exact vectors are removed first). Three phases in one
process, one question at a time, each question new to the library (in-memory caches emptied before each):

1. cold: ``--limit`` questions with nothing kept (exact vectors neither read nor written: the cold cost);
2. while warming: the warmer started, one question every ``--every`` seconds (a user reading each answer), from
   another slice of the question file, until the warmer's pass ends;
3. after: the first phase's questions again, on the warmed library.

Prints one line per phase (whole answer and first-text p50 / p95) and the pass's length and rate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.corpus import SHARED
from bench.experiments.answer_latency import _forget

QUESTIONS = SHARED / "diplomacy_questions.jsonl"


def _timed(bot: Any, question: str) -> tuple[float, float]:
    """Whole answer and first text, ms, for a question new to ``bot`` (its in-memory caches emptied first)."""
    from assistant.core.types import TextEvent

    _forget(bot, kept=False)
    started, first = time.perf_counter(), 0.0
    for event in bot.stream(question):
        if isinstance(event, TextEvent) and not first and event.delta.strip():
            first = time.perf_counter() - started
    return (time.perf_counter() - started) * 1000, first * 1000


def _line(label: str, rows: list[tuple[float, float]]) -> str:
    def p(values: list[float]) -> str:
        p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
        return f"p50 {statistics.median(values):.0f} p95 {p95:.0f} ms"

    whole, first = [w for w, _ in rows], [f for _, f in rows]
    load = os.getloadavg()[0]
    return f"{label}: {len(rows)} questions, whole answer {p(whole)}, first text {p(first)}, load {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between questions while warming")
    parser.add_argument("--idle", type=float, default=2.0, help="the warmer's idle wait (warm_idle_seconds)")
    args = parser.parse_args()
    if not args.questions.exists():
        raise SystemExit(f"{args.questions} not found: this benchmark reads the shared RealTime QA questions")
    from assistant.answering.assistant import Assistant
    from assistant.core.settings import Settings

    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    questions = [r["question"] for r in rows]
    asked, during = questions[: args.limit], questions[args.limit : 2 * args.limit]
    base = Settings()

    def with_answering(**update: Any) -> Settings:
        return base.model_copy(update={"answering": base.answering.model_copy(update=update)})

    cold = Assistant.from_settings(with_answering(keep_exact_vectors=False))
    cold.answer(questions[-1])  # the model, the BM25 index, the views index
    cold.store.sentences.clear_exact()
    print(_line("cold", [_timed(cold, q) for q in asked]), flush=True)

    bot = Assistant.from_settings(with_answering(warm_idle_seconds=args.idle))
    bot.answer(questions[-1])
    bot.store.sentences.clear_exact()
    started = time.monotonic()
    warmer = bot.warm_when_idle()
    assert warmer is not None, "the warmer runs with the offline backend, kept exact vectors and warm_when_idle only"
    timed: list[tuple[float, float]] = []
    while not warmer.passes:
        time.sleep(args.every)
        if len(timed) < len(during):
            timed.append(_timed(bot, during[len(timed)]))
    report = warmer.passes[-1]
    print(f"warm pass: {time.monotonic() - started:.0f} s, {report.summary()}", flush=True)
    print(_line("while warming", timed), flush=True)
    time.sleep(args.idle + 1)
    print(_line("after", [_timed(bot, q) for q in asked]), flush=True)
    warmer.stop()


if __name__ == "__main__":
    main()
