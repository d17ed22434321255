"""Fit the answerability model on dev rows; score it on the held-out diplomacy sample.

The model is the shipped ``assistant/answering/extractive/answerability.json``.

Usage::

    .venv/bin/python -m bench.training.answerability_train --rows /tmp/answerability_rows.jsonl \
        --heldout /tmp/answerability_heldout.jsonl --features /tmp/answerability_features.npz

``--rows`` come from ``bench.training.answerability_data`` (dev questions, top 30 passages each), ``--heldout`` from
``bench.training.answerability_data --heldout`` (bench.abstention's 60 diplomacy questions, as the product answered
them). Each dev question gives two pools of six passages: the library's top six, and the top six once the
articles stating its answer are gone. Every sentence the answerer embeds is a row; it is a positive when it
holds the gold answer. The answer of each pool is re-composed with the default embedder, so the figures
below are the answerer's own, and the model is scored at pool level the way bench.abstention counts:
abstention on redacted pools, abstentions on full ones. Writes ``bench/training/results/answerability.md``;
``--write-model`` also replaces the packaged weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.assistant import Assistant
from assistant.answering.draft import off_window_reason
from assistant.answering.extractive.answerability import FEATURES, MODEL_PATH, AnswerabilityModel, embedded, features
from assistant.answering.extractive.answerer import Candidate, ExtractiveAnswerer, candidates
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import Chunk, Passage
from assistant.evaluate.metrics import contains, normalise
from assistant.evaluate.questions import from_record
from assistant.models.embedders import Embedder, Vectors, build_embedder
from assistant.retrieval.dates import resolve_window
from assistant.store.chroma import Store
from bench.abstention import evidence_terms
from bench.report import auc, publish
from ingest.pipeline import ingest_paths

RESULTS = Path(__file__).resolve().parent / "results" / "answerability.md"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_ARTICLE, SEED_QUESTIONS = SEEDS / "000_c8c58ef786186102.txt", SEEDS / "questions.jsonl"
TOP = 6
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(15))
# The threshold recommended for Settings.abstain_min_answerability: the highest whose abstentions cost at most
# this share of the dev pools the rules alone answer right. Chosen on dev, never on the held-out sample.
MAX_PASS_LOSS = 0.01


class _Recording(ExtractiveAnswerer):
    """The answerer, keeping its last sentence scores (the features reuse them rather than embed twice)."""

    last: tuple[str, list[Candidate], tuple[Vectors, Vectors, Vectors]] | None = None

    def _score(self, question: str, pool: list[Candidate]) -> tuple[Vectors, Vectors, Vectors]:
        scored = super()._score(question, pool)
        self.last = (question, pool, scored)
        return scored


@dataclass
class Pool:
    id: str
    redacted: bool
    abstained: bool  # by the answerer's rules, without the model
    passed: bool  # the rules' answer holds the gold answer
    rows: np.ndarray  # (sentences, FEATURES)
    labels: np.ndarray  # sentence holds the gold answer


def passages_of(records: list[dict[str, Any]]) -> list[Passage]:
    out = []
    for rank, r in enumerate(records, start=1):
        published = date.fromisoformat(r["published"]) if r.get("published") else None
        chunk_id = r.get("chunk_id") or f"{r['article_id']}@{r['start']}"
        end = r["start"] + len(r["text"])
        chunk = Chunk(chunk_id, r["article_id"], r["text"], r["start"], end, 0, r["title"], published=published)
        out.append(Passage(chunk, r["score"], rank))
    return out


def holds(text: str, terms: list[str]) -> bool:
    padded = f" {normalise(text)} "
    return any(f" {t} " in padded for t in terms)


def pool_of(
    answerer: _Recording, row: dict[str, Any], passages: list[Passage], redacted: bool, facts: tuple[str, ...] = ()
) -> Pool:
    """The answer the rules give on these passages, and every embedded sentence's features and label.

    The answer passes when it holds the gold answer, or, given ``facts``, every one of them (the seed questions).
    """
    question, terms = row["question"], evidence_terms(row["gold"])
    as_of = date.fromisoformat(row["as_of"]) if row.get("as_of") else date.today()
    answerer.last = None
    draft = answerer.compose(question, passages)  # the model is off in the answerer given to this script
    abstained = draft.abstained or bool(off_window_reason(resolve_window(question, as_of), draft.citations))
    right = all(contains(draft.text, f) for f in facts) if facts else holds(draft.text, terms[:1])
    passed = not abstained and not redacted and right
    pool = candidates(passages)
    if not pool:
        return Pool(row["id"], redacted, abstained, passed, np.zeros((0, len(FEATURES))), np.zeros(0))
    if answerer.last is not None and answerer.last[0] == question:
        pool, (scores, vectors, query) = answerer.last[1], answerer.last[2]
    else:
        scores, vectors, query = answerer._score(question, pool)
    read = embedded(vectors)
    labels = np.array([holds(pool[i].text, terms) for i in read], dtype=np.float64)
    rows = features(question, pool, read, scores, vectors, query)
    return Pool(row["id"], redacted, abstained, passed, rows, labels)


def pools_of(path: Path, answerer: _Recording, heldout: bool) -> list[Pool]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pools = []
    for n, row in enumerate(rows, start=1):
        if heldout:
            pools.append(pool_of(answerer, row, passages_of(row["passages"]), row["redacted"]))
        else:
            ps = row["passages"]
            pools.append(pool_of(answerer, row, passages_of(ps[:TOP]), False))
            if gone := [p for p in ps if not p["states"]][:TOP]:
                pools.append(pool_of(answerer, row, passages_of(gone), True))
        print(f"\rfeatures {path.name}: {n}/{len(rows)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return pools


def seed_pools(answerer: _Recording, embedder: Embedder) -> list[Pool]:
    """The answerable seed questions over the seed article, retrieved as the product retrieves them today."""
    questions = [from_record(json.loads(line)) for line in SEED_QUESTIONS.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), abstain_min_answerability=0.0)
        store = Store(settings, embedder)
        ingest_paths([SEED_ARTICLE], store, embedder, settings)
        bot = Assistant(settings, store, embedder)
        pools = []
        for q in (q for q in questions if q.answerable):
            window = resolve_window(q.question, date.today())
            passages = bot.retriever.retrieve(q.question, window=window, as_of=date.today())
            row = {"id": q.id, "question": q.question, "gold": q.reference_answer}
            pools.append(pool_of(answerer, row, passages, False, q.key_facts))
    return pools


def save(pools: list[Pool], path: Path) -> None:
    np.savez(
        path,
        ids=np.array([p.id for p in pools]),
        meta=np.array([[p.redacted, p.abstained, p.passed] for p in pools], dtype=bool),
        sizes=np.array([len(p.labels) for p in pools]),
        rows=np.concatenate([p.rows for p in pools]),
        labels=np.concatenate([p.labels for p in pools]),
    )


def load(path: Path) -> list[Pool]:
    data = np.load(path)
    bounds = np.concatenate([[0], np.cumsum(data["sizes"])])
    return [
        Pool(str(i), bool(m[0]), bool(m[1]), bool(m[2]), data["rows"][a:b], data["labels"][a:b])
        for i, m, a, b in zip(data["ids"], data["meta"], bounds[:-1], bounds[1:], strict=True)
    ]


def fit(rows: np.ndarray, labels: np.ndarray, l2: float = 1e-2, steps: int = 50) -> AnswerabilityModel:
    """Class-balanced L2 logistic regression by Newton's method (a handful of features: exact and fast)."""
    mean, spread = rows.mean(axis=0), rows.std(axis=0)
    scale = np.where(spread > 1e-9, spread, 1.0)  # a feature constant on dev (no undated article) stays unweighted
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    y = labels
    share = y.mean()
    weight = np.where(y > 0, 0.5 / share, 0.5 / (1 - share)) / len(y)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (weight * (p - y)) + penalty * w
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return AnswerabilityModel(tuple(mean), tuple(scale), tuple(w[:-1]), float(w[-1]))


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if len(flags) else float("nan")


def pool_table(pools: list[Pool], model: AnswerabilityModel) -> list[tuple[float, float, float, float]]:
    """(threshold, abstention on redacted pools, abstention on full pools, pass rate on full pools)."""
    best = np.array([model.probabilities(p.rows).max() if len(p.rows) else 0.0 for p in pools])
    redacted = np.array([p.redacted for p in pools])
    ruled = np.array([p.abstained for p in pools])
    passed = np.array([p.passed for p in pools])
    out = []
    for t in THRESHOLDS:
        abstain = ruled | (best < t)
        out.append(
            (t, _share(abstain[redacted]), _share(abstain[~redacted]), _share((passed & ~abstain)[~redacted]))
        )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=Path, required=True)
    parser.add_argument("--heldout", type=Path, required=True)
    parser.add_argument("--features", type=Path, help="cache of the computed features (.npz, outside the repo)")
    parser.add_argument("--write-model", action="store_true", help=f"replace {MODEL_PATH.name}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    apply_offline_env()
    settings = Settings(abstain_min_answerability=0.0)
    embedder = build_embedder(settings)
    answerer = _Recording(embedder, settings)
    cache = args.features
    held_cache = cache.with_name(cache.stem + "-heldout.npz") if cache else None
    seeds = seed_pools(answerer, embedder)
    if cache and cache.exists() and held_cache and held_cache.exists():
        dev, held = load(cache), load(held_cache)
    else:
        dev, held = pools_of(args.rows, answerer, False), pools_of(args.heldout, answerer, True)
        if cache and held_cache:
            save(dev, cache)
            save(held, held_cache)
    rows, labels = np.concatenate([p.rows for p in dev]), np.concatenate([p.labels for p in dev])
    model = fit(rows, labels)
    model = AnswerabilityModel(
        model.mean, model.scale, model.weights, model.bias,
        f"bench/training/answerability_train.py: {len(dev)} pools ({len(labels)} sentences) "
        "of RealTime QA dev questions",
    )  # fmt: skip
    held_rows, held_labels = np.concatenate([p.rows for p in held]), np.concatenate([p.labels for p in held])
    dev_table, held_table, seed_table = pool_table(dev, model), pool_table(held, model), pool_table(seeds, model)
    chosen = max(t for t, _, _, passed in dev_table if passed >= dev_table[0][3] - MAX_PASS_LOSS)
    lines = [
        "# Answerability model: fitted on dev questions, scored on the held-out diplomacy sample",
        "",
        "Reproduce: the rows with `bench.training.answerability_data` (its docstring: 300 dev questions from a store "
        "of the dev articles, and bench.abstention's 60 held-out questions), then "
        f"`.venv/bin/python -m bench.training.answerability_train {' '.join(sys.argv[1:])}`.",
        f"Dev: {len(dev)} pools, {len(labels)} sentences ({labels.mean():.1%} hold the gold answer). Held out: "
        f"{len(held)} pools (bench.abstention's sample), {len(held_labels)} sentences.",
        "",
        f"Sentence AUC: dev (fit) {auc(model.probabilities(rows), labels):.3f}, held out "
        f"{auc(model.probabilities(held_rows), held_labels):.3f}.",
        "",
        "Abstain: share of pools abstained on (the rules' abstentions, then the model's); pass: share of full pools "
        "answered right. Seeds: the 23 answerable seed questions over the seed article.",
        "",
        "| threshold | dev: abstain, redacted | dev: abstain, full | dev: pass | held out: abstain, redacted "
        "| held out: abstain, full | held out: pass | seeds: pass |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (t, a, b, c), (_, d, e, f), seed in zip(dev_table, held_table, seed_table, strict=True):
        mark = " (chosen)" if t == chosen else ""
        lines.append(f"| {t:.2f}{mark} | {a:.1%} | {b:.1%} | {c:.1%} | {d:.1%} | {e:.1%} | {f:.1%} | {seed[3]:.1%} |")
    lines += [
        "",
        f"Chosen on dev: {chosen:.2f}, the highest threshold whose abstentions cost at most "
        f"{MAX_PASS_LOSS:.0%} of the dev pass rate (`Settings.abstain_min_answerability`).",
        "",
        "Weights (standardised features):",
        "",
    ]
    lines += [f"- `{name}`: {w:+.3f}" for name, w in zip(FEATURES, model.weights, strict=True)]
    publish([*lines, ""], args.out)
    if args.write_model:
        MODEL_PATH.write_text(model.to_json(), encoding="utf-8")
        print(f"wrote {MODEL_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
