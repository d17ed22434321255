"""What the sentence states kept at ingest buy an offline answer: the same store, the same questions, answered with
stored vectors on and off, alternating question by question so that the machine's load hits both alike.

    ATTACHE_HOME=HOME nice -n 19 .venv/bin/python -m bench.experiments.stored_vectors [--questions F] [--limit 60]

HOME must have been ingested by this version (so its chunks have states), e.g. by ``python -m assistant eval
seeds/eval/questions.jsonl --library seeds/eval/library.tsv``. Each answer starts with an empty sentence cache (as a
new question would). Reports whole-answer and first-text p50/p95 per mode, their ratio, and whether the answers'
texts were the same. Writes ``bench/experiments/results/stored_vectors.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from assistant.answering.assistant import Assistant
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import TextEvent
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store, settle_embedder
from bench.corpus import ROOT
from bench.latency import pct
from bench.report import publish

RESULTS = ROOT / "bench" / "experiments" / "results" / "stored_vectors.md"
MODES = {"stored vectors (default)": True, "embedded per question (before)": False}


def timed_answer(bot: Assistant, question: str) -> tuple[float, float, str]:
    """(first text ms, whole answer ms, answer text), with the sentence caches emptied first (a new question)."""
    answerer = bot.answerer
    for cache in (getattr(answerer._embedder, "_cache", None), getattr(answerer._vectors, "_states", None)):  # type: ignore[attr-defined]
        if cache is not None:
            cache.clear()
    started = time.perf_counter()
    first = 0.0
    text = ""
    for event in bot.stream(question):
        if isinstance(event, TextEvent) and not first and event.delta.strip():
            first = time.perf_counter() - started
        text = getattr(getattr(event, "answer", None), "text", text)
    return first * 1000, (time.perf_counter() - started) * 1000, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "seeds" / "eval" / "questions.jsonl")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    apply_offline_env()
    settings = settle_embedder(Settings())
    embedder = build_embedder(settings)
    store = Store(settings, embedder)
    bots = {m: Assistant(settings.updated(stored_vectors=on), store, embedder) for m, on in MODES.items()}
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    questions = [r["question"] for r in rows if not r.get("turns")][: args.limit]
    for bot in bots.values():  # warm both: the model, the BM25 index, the views index
        bot.answer(questions[0])
    first: dict[str, list[float]] = {m: [] for m in MODES}
    whole: dict[str, list[float]] = {m: [] for m in MODES}
    same = 0
    for i, q in enumerate(questions):
        order = list(MODES) if i % 2 == 0 else list(reversed(MODES))
        texts = {}
        for mode in order:
            f, w, texts[mode] = timed_answer(bots[mode], q)
            first[mode].append(f)
            whole[mode].append(w)
        same += len(set(texts.values())) == 1
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    new, base = list(MODES)
    lines = [
        "# Stored sentence vectors against embedding per question",
        "",
        f"Reproduce: `ATTACHE_HOME={settings.home} nice -n 19 .venv/bin/python -m bench.experiments.stored_vectors "
        f"--questions {args.questions.relative_to(ROOT) if args.questions.is_relative_to(ROOT) else args.questions} "
        f"--limit {args.limit}`",
        "",
        f"{len(questions)} questions over {store.count_chunks():,} chunks ({store.count_articles():,} articles), "
        f"embedder `{embedder.name}`, the two modes alternating question by question; load average after: {load}.",
        "",
        "| mode | whole answer p50 ms | p95 ms | first text p50 ms | p95 ms |",
        "|---|---|---|---|---|",
    ]
    for mode in MODES:
        lines.append(
            f"| {mode} | {statistics.median(whole[mode]):.0f} | {pct(whole[mode], 0.95):.0f} | "
            f"{statistics.median(first[mode]):.0f} | {pct(first[mode], 0.95):.0f} |"
        )
    ratio = statistics.median(w1 / w0 for w0, w1 in zip(whole[base], whole[new], strict=True))
    lines += [
        "",
        f"Median per-question ratio of whole-answer time, stored ÷ embedded: **{ratio:.2f}**. "
        f"Same answer text in both modes: {same} of {len(questions)}.",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
