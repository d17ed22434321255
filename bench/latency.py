"""Retrieval and full-answer latency vs corpus size: embedded and server mode, with and without the second stage.

Usage (each ``--store`` is a writable ATTACHE_HOME that ``bench/ingest.py --home`` built, or a copy of one)::

    nice -n 19 .venv/bin/python -m bench.latency --store 1k=/tmp/lat_1k --store 10k=/tmp/lat_10k \\
        --store 134k=/tmp/dev_home --server --naive 2k=/tmp/bench_dip300/naive

For every store and mode (embedded ``PersistentClient``; with ``--server`` also a real ``chroma run`` on the
same folder, reached through ``ATTACHE_CHROMA_URL``) and every retrieval configuration, the diplomacy
questions are asked one at a time: retrieval (query embedding included) and the full extractive answer are
timed separately; the query embedding alone is timed once. ``--naive LABEL=DIR`` adds the naive LangChain
store's ``similarity_search(k=4)`` for comparison with ours on the store of the same label. Ingest time per
store comes from the ``ingest_run_*.json`` that ``bench/ingest.py --home`` left there. Writes
``bench/results/latency.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.assistant import Assistant
from assistant.core.settings import RetrievalSettings, Settings, apply_offline_env
from assistant.models.embedders import Embedder, build_embedder
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store
from bench.corpus import ROOT, SHARED, require_shared

RESULTS = ROOT / "bench" / "results" / "latency.md"
# (retrieval, second stage): dense alone; hybrid (dense + BM25 fused); hybrid with the feature re-scorer
CONFIGS = [("dense", "off"), ("hybrid", "off"), ("hybrid", "features")]
HAS_STAGES = "rerank" in RetrievalSettings.model_fields


@dataclass
class Row:
    label: str
    chunks: int
    mode: str
    retrieval: str
    rerank: str
    retrieve_ms: list[float]
    answer_ms: list[float]


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    out = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        out.append((time.perf_counter() - started) * 1000)
    return out


def questions(n: int) -> list[str]:
    lines = (SHARED / "diplomacy_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:n]


def _forget_embedded_clients() -> None:
    """Drop Chroma's cached embedded client so a server can own the folder (bench-only chromadb import)."""
    from chromadb.api.client import SharedSystemClient

    gc.collect()
    SharedSystemClient.clear_system_cache()


@contextmanager
def modes(home: Path, server: bool) -> Iterator[Iterator[tuple[str, Settings]]]:
    def each() -> Iterator[tuple[str, Settings]]:
        yield "embedded", Settings(home=home)
        if server:
            from tests.servers import chroma_server

            _forget_embedded_clients()
            with chroma_server(home / "chroma", home / "chroma-server.log") as running:
                yield "server", Settings(home=home, chroma_url=running.url)

    yield each()


def measure_store(label: str, home: Path, embedder: Embedder, args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    queries, answered = questions(args.questions), questions(args.answers)
    with modes(home, args.server) as each:
        for mode, base in each:
            store = Store(base, embedder)
            chunks = store.count_chunks()
            for retrieval, rerank in CONFIGS if HAS_STAGES else [("dense", "off")]:
                settings = base.updated(retrieval=retrieval, rerank=rerank) if HAS_STAGES else base
                retriever = Retriever(store, embedder, settings)
                started = time.perf_counter()
                retriever.retrieve(queries[0])  # warm-up; builds the BM25 index on first use
                print(f"{label} {mode} {retrieval}/{rerank}: warm-up {time.perf_counter() - started:.1f} s",
                      file=sys.stderr, flush=True)  # fmt: skip
                retrieve_ms = timed(retriever.retrieve, queries)
                answer_ms: list[float] = []
                if retrieval == "hybrid" or not HAS_STAGES:
                    # cold answers in every mode: nothing kept from the rows and modes asked before
                    bot = Assistant(settings.updated(keep_exact_vectors=False), store, embedder)
                    bot.answer(queries[-1])  # warm-up
                    answer_ms = timed(bot.answer, answered)
                rows.append(Row(label, chunks, mode, retrieval, rerank, retrieve_ms, answer_ms))
            del store
    return rows


def ingest_seconds(home: Path) -> str:
    runs = sorted(home.glob("ingest_run_*.json"))
    if not runs:
        return "—"
    total = sum(json.loads(p.read_text())["seconds"] for p in runs)
    return f"{total:.0f}" + (f" ({len(runs)} runs)" if len(runs) > 1 else "")


def _ms(values: Sequence[float]) -> str:
    return f"{pct(values, 0.5):.1f} / {pct(values, 0.95):.1f}" if values else "—"


def markdown(rows: list[Row], embed_ms: list[float], naive: dict[str, list[float]], args: argparse.Namespace,
             homes: dict[str, Path], load: str) -> str:  # fmt: skip
    command = " ".join(["nice -n 19 .venv/bin/python -m bench.latency", *sys.argv[1:]])
    lines = [
        f"# Retrieval and answer latency vs corpus size ({time.strftime('%Y-%m-%d')})",
        "",
        f"Reproduce: `{command}`. {args.questions} diplomacy questions per retrieval row, {args.answers} per "
        f"answer row (extractive backend), one at a time after a warm-up. Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, shared with other jobs; load average {load}.",
        "",
        f"Query embedding alone (MiniLM int8, one question): p50 / p95 **{_ms(embed_ms)} ms**.",
        "",
        *(
            [f"Built and queried with the re-quantised MiniLM (`onnx-pc`): {', '.join(args.fast_embedder)}.", ""]
            if args.fast_embedder
            else []
        ),
        "Targets at ~134k chunks: retrieval p50 ≤ 50 ms, ≤ 100 ms with the second stage.",
        "",
        "| store | chunks | mode | retrieval | second stage | retrieve p50 / p95 ms | answer p50 / p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.label} | {r.chunks} | {r.mode} | {r.retrieval} | {r.rerank} | {_ms(r.retrieve_ms)} "
        f"| {_ms(r.answer_ms)} |"
        for r in rows
    ]
    lines += ["", "## How cost grows", "", "| store | chunks | ingest s | dense p50 ms | hybrid + features p50 ms |"]
    lines += ["|---|---|---|---|---|"]
    for label, home in homes.items():
        mine = [r for r in rows if r.label == label and r.mode == "embedded"]
        dense = next((r for r in mine if r.retrieval == "dense"), None)
        full = next((r for r in mine if r.rerank == "features"), None)
        chunks = mine[0].chunks if mine else 0
        p50s = [pct(r.retrieve_ms, 0.5) if r else float("nan") for r in (dense, full)]
        lines.append(f"| {label} | {chunks} | {ingest_seconds(home)} | {p50s[0]:.1f} | {p50s[1]:.1f} |")
    if naive:
        lines += ["", "## Against the naive LangChain pipeline (same articles)", ""]
        lines += ["| store | naive similarity_search k=4 p50 / p95 ms | ours, dense p50 / p95 ms | ours, full |"]
        lines += ["|---|---|---|---|"]
        for label, times in naive.items():
            mine = [r for r in rows if r.label == label and r.mode == "embedded"]
            dense = next((r.retrieve_ms for r in mine if r.retrieval == "dense"), [])
            full = next((r.retrieve_ms for r in mine if r.rerank == "features"), [])
            lines.append(f"| {label} | {_ms(times)} | {_ms(dense)} | {_ms(full)} |")
    return "\n".join([*lines, ""])


def _pairs(values: list[str]) -> dict[str, Path]:
    return {label: Path(path) for label, path in (v.split("=", 1) for v in values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", action="append", default=[], metavar="LABEL=HOME", help="a writable ATTACHE_HOME")
    parser.add_argument("--naive", action="append", default=[], metavar="LABEL=DIR", help="a kept naive store")
    parser.add_argument("--server", action="store_true", help="also measure through a real `chroma run`")
    parser.add_argument("--questions", type=int, default=60, help="questions per retrieval row")
    parser.add_argument("--answers", type=int, default=15, help="questions per answer row")
    parser.add_argument(
        "--fast-embedder",
        action="append",
        default=[],
        metavar="LABEL",
        help="this store was built with ATTACHE_EMBED_BACKEND=onnx-pc (the re-quantised MiniLM)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    require_shared()
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    homes = _pairs(args.store)
    if not homes:
        parser.error("give at least one --store LABEL=HOME")
    embedder = build_embedder(Settings(embed_backend="onnx"))
    before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    embedder.embed_query("warm up")
    embed_ms = timed(embedder.embed_query, questions(args.questions))
    rows: list[Row] = []
    for label, home in homes.items():
        own = build_embedder(Settings(home=home, embed_backend="onnx-pc")) if label in args.fast_embedder else embedder
        rows += measure_store(label, home, own, args)
    naive: dict[str, list[float]] = {}
    if args.naive:
        from bench.naive import naive_search_ms

        naive = {
            label: naive_search_ms(path, embedder, questions(args.questions))
            for label, path in _pairs(args.naive).items()
        }
    load = f"{before} before, {' / '.join(f'{x:.1f}' for x in os.getloadavg())} after"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(rows, embed_ms, naive, args, homes, load), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
