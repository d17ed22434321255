"""Whole-answer and first-text latency of offline answers to new questions, comparable across commits.

    ATTACHE_HOME=HOME .venv/bin/python bench/experiments/answer_latency.py [--code CHECKOUT] [--rounds 2]
        [--mode cold|warm|session|library]

Answers the first ``--limit`` questions of ``--questions`` through ``Assistant.stream``. ``--mode cold`` (the
default) empties the answerer's caches before each question, and the exact sentence vectors kept in the store's
sidecar (as for a question never asked on sentences never scored); ``warm`` first answers every question once, then
empties the in-memory caches before each timed one (a restarted process on a library already asked about: only kept
vectors remain); ``session`` empties everything once, then asks the questions in turn (a chat on the same story in
one process); ``library`` removes nothing kept on disk and answers nothing ahead (new questions on the library as it
is, e.g. after ``python -m assistant warm``), emptying only the in-memory caches. ``--code`` runs another checkout's
product code (a ``git worktree add /tmp/before REV``) in a child process, alternating with this one round by round,
so that a change in the machine's load hits both alike; each round prints one line per checkout. Only public names,
two cache attributes and an optional ``clear_exact`` are used, so it runs against commits from before this script
existed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _forget(bot: Any, kept: bool) -> None:
    """Empty the answerer's in-memory caches, and with ``kept`` the exact vectors kept on disk (when there are)."""
    answerer = bot.answerer
    for cache in (getattr(answerer, "_embedder", None), getattr(answerer, "_vectors", None)):
        for name in ("_cache", "_states"):
            held = getattr(cache, name, None)
            if held is not None:
                held.clear()
    clear = getattr(getattr(bot.store, "sentences", None), "clear_exact", None)
    if kept and callable(clear):
        clear()


def measure(questions: list[str], label: str, mode: str) -> str:
    from assistant.answering.assistant import Assistant
    from assistant.core.types import TextEvent

    bot = Assistant.from_settings()
    bot.answer(questions[0])  # warm: the model, the BM25 index, the views index
    _forget(bot, kept=mode != "library")
    if mode == "warm":
        for q in questions:
            bot.answer(q)
    whole, first = [], []
    for q in questions:
        if mode != "session":
            _forget(bot, kept=mode == "cold")  # "library": the disk as it is
        started, first_at = time.perf_counter(), 0.0
        for event in bot.stream(q):
            if isinstance(event, TextEvent) and not first_at and event.delta.strip():
                first_at = time.perf_counter() - started
        whole.append((time.perf_counter() - started) * 1000)
        first.append(first_at * 1000)
    load = os.getloadavg()[0]
    return (
        f"{label} {mode}: whole answer p50 {statistics.median(whole):.0f} p95 {_p95(whole):.0f} ms,"
        f" first text p50 {statistics.median(first):.0f} p95 {_p95(first):.0f} ms"
        f" ({len(questions)} questions, load {load:.1f})"
    )


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "seeds" / "eval" / "questions.jsonl")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--code", type=Path, help="another checkout to time against this one")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mode", choices=["cold", "warm", "session", "library"], default="cold")
    parser.add_argument("--only", action="store_true", help=argparse.SUPPRESS)  # one measurement, this process
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    questions = [r["question"] for r in rows if "question" in r][: args.limit]
    if args.only:
        sys.path.insert(0, os.getcwd())
        print(measure(questions, f"{os.getcwd()} @ {_commit(Path.cwd())}", args.mode), flush=True)
        return
    checkouts = [ROOT, *([args.code.resolve()] if args.code else [])]
    for _ in range(args.rounds):
        for checkout in checkouts:
            command = [sys.executable, __file__, "--only", "--questions", str(args.questions.resolve())]
            subprocess.run([*command, "--limit", str(args.limit), "--mode", args.mode], cwd=checkout, check=True)


def _commit(checkout: Path) -> str:
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True, text=True)
    return run.stdout.strip() or "?"


if __name__ == "__main__":
    main()
