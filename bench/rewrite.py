"""Follow-up rewriting measured on the conversation set: the offline rules against a model's rewrite.

Usage::

    ATTACHE_HOME=/tmp/rewrite_home .venv/bin/python -m bench.rewrite                 # rules vs the local model
    OPENAI_API_KEY=… ATTACHE_LLM_MODEL=gpt-4o-mini .venv/bin/python -m bench.rewrite --model openai

Every conversation of ``seeds/eval/conversations.jsonl`` is asked twice over the library of
``seeds/eval/library.tsv``, each time answered by the same extractive answerer, so only the rewrite differs:
``rules`` (``assistant/answering/conversation.py``, the offline default) and ``model`` (the generative backend's
``rewrite`` with ``prompts/rewrite.md``: the local llama.cpp server on the packaged SmolLM2-135M-Instruct by default,
or any OpenAI-compatible endpoint with ``--model openai``). A follow-up is right when it passes (answerable) or is
refused (must-abstain), as ``follow_up_correct`` counts it. Prints a table per half and writes
``bench/results/rewrite.md``; the run directories (with every rewritten query) go under ``ATTACHE_HOME/runs``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant.answering.assistant import Assistant
from assistant.answering.backends import BACKENDS
from assistant.core.settings import Settings, apply_offline_env
from assistant.evaluate.library import library_files
from assistant.evaluate.metrics import summarise
from assistant.evaluate.questions import load_questions
from assistant.evaluate.runner import run
from ingest.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = ROOT / "seeds" / "eval" / "conversations.jsonl"
LIBRARY = ROOT / "seeds" / "eval" / "library.tsv"
RESULTS = ROOT / "bench" / "results" / "rewrite.md"
METRICS = ("follow_up_correct", "answer_pass_rate", "wrong_abstention_rate", "abstention_recall")


def _cell(metric: Any) -> str:
    return "n/a" if metric.value is None else f"{metric.value:.1%} ({metric.n})"


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    parser = argparse.ArgumentParser(prog="python -m bench.rewrite", description=__doc__)
    parser.add_argument("--model", choices=("local", "openai"), default="local", help="the backend that rewrites")
    parser.add_argument("--limit", type=int, default=0, help="only the first N turns")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings().updated(backend="extractive")
    assistant = Assistant.from_settings(settings)
    files = library_files(LIBRARY, settings.seeds_dir, settings.home / "library")
    print(ingest_paths(files, assistant.store, assistant.embedder, settings, show_progress=False).summary())
    questions = load_questions(CONVERSATIONS)
    questions = questions[: args.limit] if args.limit else questions
    rows: dict[str, list[dict[str, Any]]] = {}
    rules_rewrite = assistant.answerer.rewrite
    model = BACKENDS[args.model](settings.updated(follow_up_rewrite="model"), assistant.embedder, None)
    try:
        for name, rewrite in (("rules", rules_rewrite), ("model", model.rewrite)):
            assistant.answerer.rewrite = rewrite  # type: ignore[method-assign]
            out = settings.home / "runs" / f"rewrite-{name}-{args.model}"
            print(f"{name}: {out}", file=sys.stderr)
            rows[name] = run(assistant, questions, CONVERSATIONS, out, show_progress=True)
    finally:
        model.close()
    lines = [
        f"Rewrite by rules vs by the `{args.model}` backend ({model.model_name}); answers by the extractive answerer.",
        "",
        "| half | rewrite | " + " | ".join(METRICS) + " |",
        "|---|---|" + "---|" * len(METRICS),
    ]
    for half in ("tune", "test"):
        for name, got in rows.items():
            metrics = summarise([r for r in got if r.get("split") == half], with_ci=False)
            lines.append(f"| {half} | {name} | " + " | ".join(_cell(metrics[m]) for m in METRICS) + " |")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        RESULTS.write_text(
            "# Follow-up rewriting: rules vs a model\n\n"
            f"Command: `ATTACHE_HOME=/tmp/rewrite_home .venv/bin/python -m bench.rewrite --model {args.model}`\n\n"
            f"{table}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
