"""Experiment: how exact is Chroma's HNSW search at the store's ``ef_search``, and is it the same run to run?

Usage::

    .venv/bin/python -m bench.experiments.hnsw_ef --home /tmp/k10_onnx --ef 100 300 1000 --runs 2

For the 186 shared diplomacy questions (their query vectors), each ``--ef`` in a fresh process: the store is
opened with ``hnsw_ef_search`` set to it (which changes the store under ``--home``: use a copy), every question
is searched for the top 60 (``fetch_k``), and the result is compared with the exact top 60 by brute force over
every stored vector: recall@10 and @60 of the exact neighbours, the share of questions whose top 60 differs between two
runs of the same setting (a fresh process each), and the search's p50. Prints a table; ``--out`` writes it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.settings import Settings, apply_offline_env
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store, settle_embedder
from bench.corpus import SHARED

QUESTIONS = SHARED / "diplomacy_questions.jsonl"
K = 60


def _store(home: Path, ef: int | None = None) -> tuple[Store, Any]:
    """The store under ``home``; with ``ef``, opened with that HNSW search breadth (the store sets it on open)."""
    settings = settle_embedder(Settings(home=home))
    if ef is not None:
        settings = settings.updated(hnsw_ef_search=ef)
    embedder = build_embedder(settings)
    return Store(settings, embedder), embedder


def exact(home: Path, questions: list[str]) -> tuple[list[list[str]], int]:
    store, embedder = _store(home)
    ids = store.chunk_ids()
    rows = [vector for i in range(0, len(ids), 5000) for _, vector in store.get_chunks(ids[i : i + 5000])]
    matrix = np.stack(rows).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    out = []
    for q in questions:
        sims = matrix @ embedder.embed_query(q)
        top = np.argsort(-sims, kind="stable")[:K]
        out.append([ids[i] for i in top])
    return out, len(ids)


def search(home: Path, ef: int, questions: list[str]) -> dict[str, Any]:
    store, embedder = _store(home, ef)
    results, times = [], []
    for q in questions:
        vector = embedder.embed_query(q)
        started = time.perf_counter()
        found = store.query(vector, K)
        times.append((time.perf_counter() - started) * 1000)
        results.append([chunk.id for chunk, _ in found])
    return {"results": results, "p50_ms": statistics.median(times)}


def _child(home: Path, ef: int) -> dict[str, Any]:
    code = (
        "import json, sys; from pathlib import Path; from bench.experiments.hnsw_ef import search, questions; "
        f"print(json.dumps(search(Path({str(home)!r}), {ef}, questions())))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def questions() -> list[str]:
    return [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]


def recall(found: list[list[str]], truth: list[list[str]], k: int) -> float:
    return statistics.mean(len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--ef", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not QUESTIONS.exists():
        raise SystemExit(f"skipped: needs {QUESTIONS}")
    apply_offline_env()
    qs = questions()
    truth, chunks = exact(args.home, qs)
    lines = [
        f"`python -m bench.experiments.hnsw_ef --home {args.home} --ef {' '.join(map(str, args.ef))}`: "
        f"{len(qs)} diplomacy questions, top {K} of {chunks:,} chunks, each setting in {args.runs} fresh processes.",
        "",
        "| ef_search | recall@10 of the exact top 10 | recall@60 of the exact top 60 | questions whose top 60 differs "
        "between two runs | search p50 ms |",
        "|---|---|---|---|---|",
    ]
    for ef in args.ef:
        runs = [_child(args.home, ef) for _ in range(args.runs)]
        differ = sum(a != b for a, b in zip(runs[0]["results"], runs[-1]["results"], strict=True))
        lines.append(
            f"| {ef} | {recall(runs[0]['results'], truth, 10):.4f} | {recall(runs[0]['results'], truth, K):.4f} | "
            f"{differ} of {len(qs)} | {statistics.median(r['p50_ms'] for r in runs):.1f} |"
        )
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
