"""How far the abstention target is: question-level operating points of each abstention signal, and the ceiling
that retrieval depth sets, on bench.abstention's sample.

Usage::

    ATTACHE_EMBED_BACKEND=onnx-pc .venv/bin/python -m bench.experiments.abstention_curve --home /tmp/rtqa_pc

#7's target is a point on a question-level curve: abstain on >= 90% of the must-abstain (answer-removed)
questions while abstaining on <= 10% of the answerable ones. For each of bench.abstention's 60 questions, asked
as it asks them (same filter, same date), this records:

- whether the default rules abstain;
- question-level scores the answerer has: the answerability model's best sentence probability, the best
  sentence score, the top passage's retrieval score, and how many days the newest passage precedes the
  question's date;
- for the answerable ones, the rank of the first of the top 30 passages that states the gold answer.

For each score it prints the AUC (answerable vs. must-abstain) and the best abstention reachable with at most
10% wrong abstentions, choosing the threshold *on these same questions*: an upper bound, not a result. The
"perfect judge" rows abstain exactly when none of the top k passages states the answer: what a flawless
sentence-level check would score if the answerer read k passages. Writes
``bench/experiments/results/abstention_curve.md``.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from assistant.answering.assistant import Assistant
from assistant.answering.draft import Scope
from assistant.answering.extractive.answerability import embedded, features, packaged_model
from assistant.answering.extractive.answerer import candidates
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import Answer, Article, Filters, Passage
from assistant.evaluate.questions import EvalQuestion
from assistant.models.embedders import build_embedder
from assistant.retrieval.dates import resolve_window
from assistant.retrieval.retriever import date_adjustment
from assistant.store.chroma import Store
from bench.abstention import evidence_terms, redaction, sample, states
from bench.report import MAX_WRONG, auc, operating_point, publish
from bench.retrieval import CACHE, data_arguments, open_store

RESULTS = Path(__file__).resolve().parent / "results" / "abstention_curve.md"
DEPTH = 30
DEPTHS = (6, 10, 20, 30)


@dataclass
class Asked:
    id: str
    answerable: bool
    ruled: bool  # the default product abstained
    signals: dict[str, float] = field(default_factory=dict)
    first_stating: int = 0  # 1-based rank of the first of the top DEPTH passages stating the answer; 0: none


def answered_deeper(
    bot: Assistant, q: EvalQuestion, filters: Filters | None, depth: int
) -> tuple[Answer, list[Passage], Scope]:
    """The product's answer to ``q`` within ``filters``, and the top ``depth`` passages of the same retrieval."""
    as_of = q.as_of or date.today()
    answer = bot.answer(q.question, filters=filters, as_of=as_of)
    scope = Scope(filters, resolve_window(q.question, as_of), as_of)
    return answer, bot.retriever.retrieve(q.question, **(scope.retrieval() | {"k": depth})), scope


def ask(bot: Assistant, q: EvalQuestion, articles: dict[str, Article]) -> Asked:
    answer, deep, scope = answered_deeper(bot, q, redaction(q, articles), DEPTH)
    asked = Asked(q.id, q.answerable, answer.abstained)
    terms = evidence_terms(q.reference_answer)
    asked.first_stating = next((p.rank for p in deep if states(f"{p.chunk.title}\n{p.chunk.text}", terms)), 0)
    asked.signals = signals(bot, q.question, list(answer.passages), scope)
    return asked


def signals(bot: Assistant, question: str, passages: list[Passage], scope: Scope) -> dict[str, float]:
    """Higher means 'answer'; every signal is one a product could threshold."""
    pool = candidates(passages)
    as_of = scope.as_of or date.today()
    if not pool:
        return dict.fromkeys(("answerability", "sentence score", "passage score", "passage cosine"), 0.0) | {
            "recency": -1e9
        }
    s = bot.settings
    cosine = [
        p.score
        - date_adjustment(
            p.chunk.published,
            scope.window,
            as_of,
            s.retrieval.date_boost,
            s.retrieval.recency_boost,
            s.retrieval.recency_days,
        )
        for p in passages
    ]
    scores, vectors, query = bot.answerer._score(  # type: ignore[attr-defined]
        question, pool
    )
    rows = features(question, pool, embedded(vectors), scores, vectors, query)
    dated = [p.chunk.published for p in passages if p.chunk.published]
    newest = max(dated) if dated else None
    return {
        "answerability": float(packaged_model().probabilities(rows).max()) if len(rows) else 0.0,
        "sentence score": float(scores.max()),
        "passage score": max(p.score for p in passages),
        "passage cosine": max(cosine),
        "recency": -float((as_of - newest).days) if newest else -1e9,
    }


def table(asked: list[Asked]) -> list[str]:
    full = [a for a in asked if a.answerable]
    gone = [a for a in asked if not a.answerable]
    answerable = [a.answerable for a in asked]
    ruled_hit = statistics.fmean(a.ruled for a in gone)
    ruled_wrong = statistics.fmean(a.ruled for a in full)
    lines = [
        "| abstention signal | AUC | best abstention at <= 10% wrong (alone) | same, with the rules |",
        "|---|---|---|---|",
        f"| default rules | | {ruled_hit:.1%} at {ruled_wrong:.1%} wrong | |",
    ]
    for name in asked[0].signals:
        p = np.array([a.signals[name] for a in asked])
        alone = operating_point(list(p), answerable)
        ruled = operating_point(list(p), answerable, [a.ruled for a in asked])
        cell = "unreachable: the rules alone abstain on more" if ruled_wrong > MAX_WRONG else f"{ruled[0]:.1%}"
        lines.append(f"| {name} | {auc(p, answerable):.3f} | {alone[0]:.1%} at {alone[1]:.1%} wrong | {cell} |")
    lines += [
        "",
        "| perfect sentence judge over the top k passages | abstention | wrong abstentions |",
        "|---|---|---|",
    ]
    for k in DEPTHS:
        missing = statistics.fmean(not (a.first_stating and a.first_stating <= k) for a in full)
        lines.append(f"| k = {k} | 100.0% | {missing:.1%} |")
    return lines


def main() -> None:
    parser = data_arguments(__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rows", type=Path, help="also write each question's signals as JSONL here")
    parser.add_argument("--top-k", type=int, help="passages the answerer reads (default: the setting's)")
    args = parser.parse_args()
    if not args.questions.exists() or not args.articles.exists():
        sys.exit(f"shared data not found ({args.questions}); skipping the abstention curve")
    apply_offline_env()
    home = args.home or CACHE / f"retrieval-{args.articles.stem}"
    embedder = build_embedder(Settings())
    open_store(home, args.articles, embedder)
    settings = Settings(home=home, **({"top_k": args.top_k} if args.top_k else {}))
    bot = Assistant(settings, Store(settings, embedder), embedder)
    articles = {a.id: a for a, _ in bot.store.list_articles()}
    full, gone = sample(args.questions)
    asked = []
    for i, q in enumerate([*full, *gone], start=1):
        asked.append(ask(bot, q, articles))
        print(f"\rasked {i}/{len(full) + len(gone)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if args.rows:
        args.rows.write_text("".join(json.dumps(asdict(a)) + "\n" for a in asked), encoding="utf-8")
    ranks = [a.first_stating for a in asked if a.answerable]
    lines = [
        "# Abstention: how far the target is (question-level operating points, shared diplomacy sample)",
        "",
        f"Reproduce: `.venv/bin/python -m bench.experiments.abstention_curve {' '.join(sys.argv[1:])}`. "
        "bench.abstention's "
        f"{len(asked)} questions ({len(full)} answerable, {len(gone)} with their answer's articles filtered out), "
        f"embedder {embedder.name}, the answerer reading {settings.retrieval.top_k} passages. Thresholds are chosen on "
        "these same questions, so every 'best' figure is an upper bound for that signal. Rank of the first "
        "passage stating the answer, answerable questions: "
        + ", ".join(str(r) if r else "-" for r in ranks)
        + f" (- = not in the top {DEPTH}).",
        "",
        *table(asked),
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
