"""Training rows for the answerability model: what retrieval hands the answerer for dev questions.

Usage::

    ATTACHE_EMBED_BACKEND=onnx-pc .venv/bin/python -m bench.training.answerability_data --home /tmp/dev_home \
        --out /tmp/answerability_rows.jsonl --limit 300
    ATTACHE_EMBED_BACKEND=onnx-pc .venv/bin/python -m bench.training.answerability_data --home /tmp/rtqa_pc \
        --out /tmp/answerability_heldout.jsonl --heldout

The questions are RealTime QA's *dev* split (``dev_questions.jsonl.gz``) minus every question of the diplomacy
set, so the diplomacy sample that ``bench.abstention`` scores stays held out. For each question whose answer
some article of the library states, one JSON line: the question, its gold answer and date, and the top 30
passages of the library's retrieval (as the product ranks them for that date), each marked with whether its
article states the answer. ``bench.training.answerability_train`` makes two pools of six from it: the top six, and
the top six once the stating articles are gone, which is how ``bench.abstention`` builds its must-abstain
questions (there by filtering retrieval; the top 30 stand in for that here). ``--heldout`` instead answers
bench.abstention's own 60 questions through the product and keeps its six passages. Resumable: questions
already in ``--out`` are skipped. The rows hold text of the shared articles, so ``--out`` must lie outside
the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answering.assistant import Assistant
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import Passage
from assistant.evaluate.metrics import normalise
from assistant.evaluate.questions import EvalQuestion, from_record
from assistant.models.embedders import build_embedder
from assistant.retrieval.dates import resolve_window
from assistant.store.chroma import Store
from bench.abstention import evidence_terms, redaction
from bench.abstention import sample as abstention_sample
from bench.corpus import SHARED

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261202
POOL = 30  # passages kept per question: the full library's top 6, and the top 6 once the answer's articles go


def dev_questions() -> list[dict[str, Any]]:
    held_out = {
        json.loads(line)["uid"] for line in (SHARED / "diplomacy_questions.jsonl").read_text().splitlines() if line
    }
    with gzip.open(SHARED / "dev_questions.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    chosen = [r for r in records if r["uid"] not in held_out and r.get("answer_in_retrieved_text")]
    random.Random(SEED).shuffle(chosen)
    return chosen


def question_record(q: EvalQuestion) -> dict[str, Any]:
    return {
        "id": q.id,
        "question": q.question,
        "gold": q.reference_answer,
        "as_of": q.as_of.isoformat() if q.as_of else None,
    }


def passage_record(p: Passage) -> dict[str, Any]:
    return {
        "rank": p.rank,
        "score": p.score,
        "article_id": p.chunk.article_id,
        "chunk_id": p.chunk.id,
        "start": p.chunk.start,
        "text": p.chunk.text,
        "title": p.chunk.title,
        "published": p.chunk.published.isoformat() if p.chunk.published else None,
    }


def heldout(bot: Assistant, out: Path) -> None:
    """bench.abstention's 60 questions (30 full, 30 with their answer's articles removed), with their passages."""
    full, gone = abstention_sample(SHARED / "diplomacy_questions.jsonl")
    articles = {a.id: a for a, _ in bot.store.list_articles()}
    with out.open("w", encoding="utf-8") as handle:
        for i, q in enumerate([*full, *gone], start=1):
            answer = bot.answer(q.question, filters=redaction(q, articles), as_of=q.as_of)
            row = question_record(q) | {
                "redacted": not q.answerable,
                "passages": [passage_record(p) for p in answer.passages],
            }
            handle.write(json.dumps(row) + "\n")
            print(f"\rasked {i}/{len(full) + len(gone)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="a home holding (part of) the dev articles")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=800, help="questions to ask (each twice)")
    parser.add_argument(
        "--heldout", action="store_true", help="instead: bench.abstention's diplomacy sample, asked as it asks them"
    )
    args = parser.parse_args()
    if ROOT in args.out.resolve().parents:
        sys.exit("--out holds article sentences: write it outside the repository")
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    embedder = build_embedder(Settings())
    settings = Settings(home=args.home)
    bot = Assistant(settings, Store(settings, embedder), embedder)
    if args.heldout:
        heldout(bot, args.out)
        return
    texts = {a.id: f" {normalise(f'{a.title} {a.text}')} " for a, _ in bot.store.list_articles()}
    done = set()
    if args.out.exists():
        done = {json.loads(line)["id"] for line in args.out.read_text().splitlines() if line.strip()}
    asked = 0
    with args.out.open("a", encoding="utf-8") as out:
        for record in dev_questions():
            if asked >= args.limit:
                break
            q = from_record(record)
            terms = evidence_terms(q.reference_answer)
            stating = {aid for aid, t in texts.items() if any(f" {term} " in t for term in terms)}
            if not stating or q.id in done:
                continue
            asked += 1
            window = resolve_window(q.question, q.as_of or date.today())
            passages = bot.retriever.retrieve(q.question, k=POOL, window=window, as_of=q.as_of)
            row = question_record(q) | {
                "passages": [{**passage_record(p), "states": p.chunk.article_id in stating} for p in passages]
            }
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(f"\rasked {asked}/{args.limit}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
