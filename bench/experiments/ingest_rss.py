"""Peak memory of one real ``python -m ingest`` process adding articles to a large store.

Usage::

    ATTACHE_EMBED_BACKEND=onnx-pc nice -n 19 .venv/bin/python -m bench.experiments.ingest_rss --store /tmp/syn137k \\
        --articles /tmp/dev_tail300.jsonl [--tree before=/tmp/old_checkout] [--tree after=.]

The ~145k-chunk ingest takes two hours here; its memory, though, is set by what one process holds at
the end: the store's HNSW graph and SQLite caches, the embedder's arena, then the keyword index
rebuilt over every chunk. So this copies ``--store`` (an ingested ATTACHE_HOME, e.g. from
``bench/replicate.py``) to a scratch folder per run and runs the real command line on
``--articles`` (a JSONL file outside the repo) in a child process, sampling its VmRSS every 0.2 s;
``ru_maxrss`` comes from ``wait4``. Each ``--tree LABEL=DIR`` is a checkout whose code runs (a
``git worktree`` of an older commit, say), one after the other in the same run.
Writes ``bench/experiments/results/ingest_rss.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import ROOT, RssSampler, reproduce

RESULTS = ROOT / "bench" / "experiments" / "results" / "ingest_rss.md"


@dataclass
class Run:
    label: str
    seconds: float
    maxrss_mb: float
    phases: list[tuple[float, float]]  # (seconds since start, RSS MiB) samples
    summary: str


def run_one(label: str, tree: Path, store: Path, articles: Path) -> Run:
    with tempfile.TemporaryDirectory(prefix="ingest_rss_") as scratch:
        home = Path(scratch) / "home"
        shutil.copytree(store, home)
        env = {**os.environ, "ATTACHE_HOME": str(home)}
        command = [sys.executable, "-m", "ingest", "-q", str(articles)]
        child = subprocess.Popen(
            command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        with RssSampler(child.pid) as rss:
            assert child.stdout is not None
            output = child.stdout.read()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        summary = next((line.strip() for line in output.splitlines() if line.startswith("added")), output[-300:])
        return Run(label, rss.seconds, usage.ru_maxrss / 1024, rss.samples, summary)


def markdown(runs: list[Run], args: argparse.Namespace, chunks: int, load: str) -> str:
    lines = [
        f"# Peak RSS of `python -m ingest` into a {chunks:,}-chunk store ({time.strftime('%Y-%m-%d')})",
        "",
        f"Reproduce: `{reproduce('bench.experiments.ingest_rss')}`. "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared; load average {load}. Each run: a fresh "
        "copy of the store, then the real command line in a child process (embedding, writes, and the keyword "
        "index rebuilt over every chunk at the end).",
        "",
        "| code | seconds | peak RSS MiB (ru_maxrss) | RSS at 25 / 50 / 75 % of the run MiB | result |",
        "|---|---|---|---|---|",
    ]
    for r in runs:
        marks = []
        for q in (0.25, 0.5, 0.75):
            at = [mb for t, mb in r.phases if t >= q * r.seconds]
            marks.append(f"{at[0]:.0f}" if at else "—")
        lines.append(f"| {r.label} | {r.seconds:.0f} | **{r.maxrss_mb:.0f}** | {' / '.join(marks)} | {r.summary} |")
    return "\n".join([*lines, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an ingested ATTACHE_HOME (copied, never changed)")
    parser.add_argument("--articles", type=Path, required=True, help="what to ingest (outside the repo)")
    parser.add_argument("--tree", action="append", default=[], metavar="LABEL=DIR", help="code to run (default: .)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    trees = [(label, Path(path).resolve()) for label, path in (t.split("=", 1) for t in args.tree)] or [("this", ROOT)]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    from assistant.core.settings import Settings
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store, settle_embedder

    settings = settle_embedder(Settings(home=args.store))
    chunks = Store(settings, build_embedder(settings)).count_chunks()
    runs = []
    for label, tree in trees:
        runs.append(run_one(label, tree, args.store, args.articles))
        print(f"{label}: {runs[-1].seconds:.0f} s, peak {runs[-1].maxrss_mb:.0f} MiB", file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(runs, args, chunks, load), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
