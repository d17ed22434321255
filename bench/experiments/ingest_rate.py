"""Ingest rate on the shared RealTime QA diplomacy pool (1,304 articles): articles/s, chunks/s, near-duplicates.

Usage::

    .venv/bin/python bench/experiments/ingest_rate.py                 # median of 3 full runs
    .venv/bin/python bench/experiments/ingest_rate.py --runs 1        # one full run
    .venv/bin/python bench/experiments/ingest_rate.py --limit 100     # a quick look

Each run ingests into a fresh temporary ATTACHE_HOME with the product's own pipeline
(``ingest_paths``: parse, dedupe, chunk, embed, write), the embedder loaded once beforehand.
It also times the reading stage alone (parse, hash, MinHash, chunk: the most that overlapping
it with embedding can save) and a no-op re-run. Writes ``bench/experiments/results/ingest_rate.md``.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings, apply_offline_env
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store
from ingest.loaders import LoadOptions
from ingest.pipeline import IngestReport, ingest_paths
from ingest.prepare import prepare_files

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "eval" / "realtimeqa" / "diplomacy_articles.jsonl"
RESULTS = ROOT / "bench" / "experiments" / "results" / "ingest_rate.md"


def _input(limit: int | None, folder: Path) -> Path:
    if not limit:
        return DATA
    lines = [line for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()][:limit]
    path = folder / f"first-{limit}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(data: Path, embedder: Any, overrides: dict[str, Any]) -> tuple[IngestReport, float]:
    """One ingest into a fresh home, then a no-op re-run; returns the first report and the re-run's seconds."""
    with tempfile.TemporaryDirectory(prefix="attache-bench-") as home:
        settings = Settings(home=Path(home), **overrides)
        report = ingest_paths([data], Store(settings, embedder), embedder, settings)
        again = ingest_paths([data], Store(settings, embedder), embedder, settings)
        assert again.unchanged == report.articles and again.chunks == 0, again.summary()
        return report, again.seconds


def _reading_seconds(data: Path, settings: Settings) -> float:
    started = time.perf_counter()
    for _ in prepare_files([data], LoadOptions(), settings, {}, dedupe=True):
        pass
    return time.perf_counter() - started


def _row(i: int, report: IngestReport, noop: float) -> str:
    return (
        f"| {i} | {report.articles} | {report.added} | {len(report.duplicates)} | {report.chunks} | "
        f"{report.seconds:.1f} | {report.rate(report.articles):.2f} | {report.rate(report.chunks):.2f} | {noop:.1f} |"
    )


def _duplicates_table(report: IngestReport) -> list[str]:
    by_pair = Counter(d.outlet for d in report.duplicates)
    lines = ["| outlet of the copy | copies folded |", "|---|---|"]
    lines += [f"| {outlet or '-'} | {n} |" for outlet, n in by_pair.most_common()]
    top = sorted(report.duplicates, key=lambda d: -d.similarity)[:5]
    lines += ["", "Closest pairs (copy → kept article, estimated Jaccard of 5-word shingles):", ""]
    lines += [f"- `{d.id}` → `{d.kept_id}` ({d.similarity:.2f}) {d.url}" for d in top]
    return lines


def _markdown(args: argparse.Namespace, runs: list[tuple[IngestReport, float]], reading: float, load: str) -> str:
    reports = [r for r, _ in runs]
    median_a = statistics.median(r.rate(r.articles) for r in reports)
    median_c = statistics.median(r.rate(r.chunks) for r in reports)
    median_s = statistics.median(r.seconds for r in reports)
    command = " ".join([".venv/bin/python bench/experiments/ingest_rate.py", *sys.argv[1:]])
    first = reports[0]
    settings = Settings()
    lines = [
        "# Ingest rate: RealTime QA diplomacy pool",
        "",
        f"Reproduce: `{command}` (data: `../shared/eval/realtimeqa/diplomacy_articles.jsonl`"
        + (f", first {args.limit} records" if args.limit else ", all records")
        + ").",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load}. Settings: embed batch {settings.embed.batch_size}, "
        f"chunks {settings.chunking.target_words}/{settings.chunking.max_words} words, "
        f"read-ahead {settings.ingest.prefetch} articles, dedupe cut-off {settings.ingest.dedupe_threshold}.",
        "",
        f"**Median of {len(reports)}: {median_a:.2f} articles/s, {median_c:.2f} chunks/s "
        f"({median_s:.0f} s for {first.articles} articles, {first.chunks} chunks); "
        f"{len(first.duplicates)} near-duplicates found and stored once.**",
        "",
        "| run | articles | stored | near-duplicates | chunks | seconds | articles/s | chunks/s | no-op re-run s |",
        "|---|---|---|---|---|---|---|---|---|",
        *(_row(i, report, noop) for i, (report, noop) in enumerate(runs, start=1)),
        "",
        f"Reading stage alone (parse, hash, MinHash, chunk; no embedding): {reading:.1f} s, "
        f"{100 * reading / max(median_s, 1e-9):.1f}% of a run: the most that reading ahead on a thread can save "
        "for this input. Embedding is the rest.",
        "",
        "## Near-duplicates",
        "",
        *_duplicates_table(first),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs to take the median of")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--prefetch", type=int, help="override ATTACHE_INGEST_PREFETCH for the runs")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the markdown")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"shared data not found at {DATA}")
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    overrides = {} if args.prefetch is None else {"ingest_prefetch": args.prefetch}
    embedder = build_embedder(Settings())
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as scratch:
        data = _input(args.limit, Path(scratch))
        reading = _reading_seconds(data, Settings())
        runs = []
        for i in range(args.runs):
            runs.append(_run(data, embedder, overrides))
            print(f"run {i + 1}: {runs[-1][0].summary().splitlines()[0]}", file=sys.stderr)
    load = f"{load_before} before, {' / '.join(f'{x:.1f}' for x in os.getloadavg())} after (1/5/15 min)"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_markdown(args, runs, reading, load), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
