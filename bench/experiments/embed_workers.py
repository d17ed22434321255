"""Does ``--workers 2`` help on this machine? One ONNX session on all cores vs two sessions of half the cores each.

    nice -n 19 .venv/bin/python -m bench.experiments.embed_workers [--chunks 384] [--rounds 3]

The same diplomacy chunks are embedded in batches of 32, alternating the two set-ups round by round so that
a change in the machine's load hits both alike. Writes ``bench/experiments/results/embed_workers.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from assistant.core.settings import Settings, apply_offline_env
from assistant.models.embedders import Embedder, build_embedder, embed_sorted
from bench.corpus import DIPLOMACY, ROOT, require_shared, stream_articles
from ingest.prepare import chunks_for
from ingest.writer import embedding_text

RESULTS = ROOT / "bench" / "experiments" / "results" / "embed_workers.md"


def texts(n: int) -> list[str]:
    out: list[str] = []
    for article in stream_articles(DIPLOMACY):
        out += [embedding_text(c) for c in chunks_for(article, Settings())]
        if len(out) >= n:
            break
    return out[:n]


def rate(embedder: Embedder, chunks: list[str], window: int) -> float:
    started = time.perf_counter()
    for lo in range(0, len(chunks), window):
        embed_sorted(embedder, chunks[lo : lo + window], window)  # what the writer does per flush
    return len(chunks) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=384)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_shared()
    apply_offline_env()
    chunks = texts(args.chunks)
    setups = {n: build_embedder(Settings(ingest_workers=n)) for n in (1, 2)}
    for embedder in setups.values():
        embedder.embed_documents(chunks[:32])  # warm-up
    rates: dict[int, list[float]] = {1: [], 2: []}
    load = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for n, embedder in setups.items():
            rates[n].append(rate(embedder, chunks, 32 * n))
        load.append(os.getloadavg()[0])
        print(f"1 worker {rates[1][-1]:.2f}, 2 workers {rates[2][-1]:.2f} chunks/s", file=sys.stderr, flush=True)
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    lines = [
        "# Embedding workers on this machine",
        "",
        f"Reproduce: `nice -n 19 .venv/bin/python -m bench.experiments.embed_workers {' '.join(sys.argv[1:])}`. "
        f"{len(chunks)} diplomacy chunks, {args.rounds} alternating rounds; {os.cpu_count()} cores, shared; "
        f"1-minute load average {min(load):.1f}–{max(load):.1f}.",
        "",
        "| set-up | chunks/s per round | median |",
        "|---|---|---|",
        f"| `--workers 1`: one session, all cores | {', '.join(f'{r:.2f}' for r in rates[1])} | {one:.2f} |",
        f"| `--workers 2`: two sessions, 1 core each | {', '.join(f'{r:.2f}' for r in rates[2])} | {two:.2f} |",
        "",
        f"**2 workers / 1 worker: {two / one:.2f}×.**",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
