"""Ingest throughput against its ceiling (the embedder alone) and the naive LangChain pipeline.

Usage::

    nice -n 19 .venv/bin/python -m bench.ingest                      # 1,304 diplomacy articles, all three
    nice -n 19 .venv/bin/python -m bench.ingest --limit 300          # the first 300 articles, all three
    nice -n 19 .venv/bin/python -m bench.ingest --corpus dev --home /tmp/dev_home   # 19,467 articles (~2.5 h)

Every figure comes from one process and one run:

* **product**: ``ingest_articles`` (parse, dedupe, chunk, embed, write) into a fresh store, the embedder
  wrapped in a timer, so the share of wall time the embedder was busy is measured too;
* **ceiling**: the bare embedder on the very texts the product embedded (the diplomacy pool), or on a
  sample of the first chunks (``--corpus dev``, measured before the ingest), in batches of the same size;
* **naive** (diplomacy pool only): ``langchain_chroma.Chroma.from_documents`` with
  ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` (LangChain's RAG tutorial
  settings) and the same embedder wrapped as LangChain ``Embeddings``.

``--corpus dev`` keeps its store (``--home``) for ``bench/latency.py`` and writes its figures to
``<home>/ingest_run_<limit|all>.json`` too. Peak RSS is the process's ``ru_maxrss``. Article text never leaves
``../shared``. Writes ``bench/results/ingest_<corpus>.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings, apply_offline_env
from assistant.models.embedders import (
    Embedder,
    Vectors,
    build_embedder,
    embed_sorted,
    release_memory,
    spans_embedder,
)
from assistant.store.lock import store_lock
from bench.corpus import CORPORA, ROOT, RssSampler, current_rss_mb, peak_rss_mb, require_shared, stream_articles
from ingest.pipeline import IngestReport, embedding_text, ingest_articles, refresh_keyword_index
from ingest.prepare import chunks_for

log = logging.getLogger("bench.ingest")
RESULTS = ROOT / "bench" / "results"
DEV_TOTAL = 19_467


class TimedEmbedder:
    """An :class:`Embedder` that adds up the seconds spent inside ``embed_documents`` (and keeps texts)."""

    def __init__(self, inner: Embedder, keep: int = 0) -> None:
        self._inner, self._keep = inner, keep
        self.seconds, self.calls, self.count = 0.0, 0, 0
        self.texts: list[str] = []
        self._lock = threading.Lock()
        local = spans_embedder(inner)
        if local is not None:  # ingest asks for the sentence states too: time that call, don't hide it
            self.embed_spans = self._timed(local.embed_spans)

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        vectors: Vectors = self._timed(self._inner.embed_documents)(texts)
        return vectors

    def _timed(self, embed: Callable[..., Any]) -> Callable[..., Any]:
        def run(texts: Sequence[str], *rest: Any) -> Any:
            started = time.perf_counter()
            out = embed(texts, *rest)
            with self._lock:
                self.seconds += time.perf_counter() - started
                self.calls += 1
                self.count += len(texts)
                room = self._keep - len(self.texts)
                if room > 0:
                    self.texts.extend(texts[:room])
            return out

        return run

    def embed_query(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]

    def release_memory(self) -> None:
        release_memory(self._inner)


@dataclass
class Figures:
    corpus: str
    articles: int = 0
    stored: int = 0
    chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    embed_calls: int = 0
    peak_rss_mb: float = 0.0
    index_seconds: float = 0.0
    index_peak_rss_mb: float = 0.0  # the peak after the embedding phase, while the keyword index is built
    ceiling_chunks: int = 0
    ceiling_seconds: float = 0.0
    naive: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / max(self.seconds, 1e-9)

    @property
    def ceiling_per_s(self) -> float:
        return self.ceiling_chunks / max(self.ceiling_seconds, 1e-9)


def ceiling(embedder: Embedder, texts: Sequence[str], batch_size: int) -> tuple[int, float]:
    """The bare embedder on ``texts``, in the product's batching (length-sorted batches)."""
    started = time.perf_counter()
    for lo in range(0, len(texts), batch_size * 8):  # the writer sorts within windows of pending chunks
        embed_sorted(embedder, texts[lo : lo + batch_size * 8], batch_size)
    return len(texts), time.perf_counter() - started


def sample_texts(path: Path, settings: Settings, n: int) -> list[str]:
    texts: list[str] = []
    for article in stream_articles(path):
        texts.extend(embedding_text(c) for c in chunks_for(article, settings))
        if len(texts) >= n:
            break
    return texts[:n]


def _progress(report: IngestReport, started: float, every: int) -> Any:
    def show(done: int, total: int) -> None:
        if done % every == 0:
            elapsed = time.perf_counter() - started
            print(
                f"{time.strftime('%H:%M:%S')} {done}/{total} articles, {report.chunks} chunks, {elapsed:.0f} s, "
                f"{report.chunks / max(elapsed, 1e-9):.2f} chunks/s, rss {current_rss_mb():.0f} MiB "
                f"(peak {peak_rss_mb():.0f})",
                file=sys.stderr,
                flush=True,
            )

    return show


def product(path: Path, settings: Settings, timed: TimedEmbedder, limit: int, total: int) -> IngestReport:
    from assistant.store.chroma import Store

    report = IngestReport()
    started = time.perf_counter()
    with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="bench/ingest.py"):
        store = Store(settings, timed)
        ingest_articles(
            stream_articles(path, limit),
            store,
            timed,
            settings,
            report=report,
            total=total,
            on_progress=_progress(report, started, 250),
        )
    return report


def keyword_build(settings: Settings, embedder: Embedder) -> tuple[float, float]:
    """``ingest_paths``' last step (``refresh_keyword_index``), timed.

    Returns the build's seconds and the process's RSS peak while it ran (``ru_maxrss`` only rises, so
    the peak of this phase alone is read by sampling ``VmRSS``).
    """
    from assistant.store.chroma import Store

    with RssSampler() as rss:
        refresh_keyword_index(Store(settings, embedder), embedder, settings)
    return rss.seconds, rss.peak_mb


def run(args: argparse.Namespace, home: Path) -> Figures:
    path = CORPORA[args.corpus]
    settings = Settings(home=home, ingest_workers=args.workers)
    bare = build_embedder(settings)
    batch = settings.embed.batch_size * settings.ingest.workers  # what the writer hands the embedder per call
    figures = Figures(corpus=args.corpus)
    keep = 0 if args.corpus == "dev" else 10**9
    if args.corpus == "dev":
        texts = sample_texts(path, settings, args.ceiling_sample)
        figures.ceiling_chunks, figures.ceiling_seconds = ceiling(bare, texts, batch)
        figures.notes.append(f"ceiling measured on the first {len(texts)} chunks, before the ingest")
        print(f"ceiling: {figures.ceiling_per_s:.2f} chunks/s", file=sys.stderr, flush=True)
    timed = TimedEmbedder(bare, keep=keep)
    total = args.limit or (DEV_TOTAL if args.corpus == "dev" else 1304)
    report = product(path, settings, timed, args.limit, total)
    figures.articles, figures.stored, figures.chunks = report.articles, report.added + report.replaced, report.chunks
    figures.seconds, figures.embed_seconds, figures.embed_calls = report.seconds, timed.seconds, timed.calls
    figures.index_seconds, figures.index_peak_rss_mb = keyword_build(settings, timed)
    figures.peak_rss_mb = peak_rss_mb()
    if args.corpus != "dev" and not args.no_ceiling:
        figures.ceiling_chunks, figures.ceiling_seconds = ceiling(bare, timed.texts, batch)
        figures.notes.append("ceiling measured on the texts the product embedded, after the ingest")
        if args.naive_limit >= 0:
            from bench.naive import naive_ingest

            n = args.naive_limit or args.limit
            figures.naive = naive_ingest(path, bare, n, settings.embed.batch_size, keep=args.naive_keep)
            if n != args.limit:
                note = f"naive pipeline on the first {n or 'all'} articles, ours on {args.limit or 'all'}"
                figures.notes.append(note)
    return figures


def index_only(home: Path | None) -> None:
    """Rebuild the keyword index of an existing store and print its time and memory."""
    import shutil

    from assistant.store.chroma import settle_embedder

    if home is None:
        sys.exit("--index-only needs --home")
    settings = settle_embedder(Settings(home=home))
    shutil.rmtree(settings.keyword_path, ignore_errors=True)
    base = current_rss_mb()
    seconds, peak = keyword_build(settings, build_embedder(settings))
    print(
        f"keyword index of {home}: {seconds:.0f} s; RSS {base:.0f} MiB before, peak {peak:.0f} MiB "
        f"(ru_maxrss {peak_rss_mb():.0f} MiB)"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def markdown(args: argparse.Namespace, f: Figures, load: str) -> str:
    backend = Settings().embed.backend
    env = [] if backend == "onnx" else [f"ATTACHE_EMBED_BACKEND={backend}"]
    command = " ".join([*env, "nice -n 19 .venv/bin/python -m bench.ingest", *sys.argv[1:]])
    articles_s = f.articles / max(f.seconds, 1e-9)
    lines = [
        f"# Ingest throughput: {f.corpus} pool ({time.strftime('%Y-%m-%d')})",
        "",
        f"Reproduce: `{command}`. Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other jobs; "
        f"load average {load}.",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| embedding workers (--workers) | {args.workers} | |",
        f"| articles read | {f.articles} ({f.stored} stored, the rest near-duplicates or skipped) | |",
        f"| chunks embedded and written | {f.chunks} | |",
        f"| wall time | {f.seconds:.0f} s | |",
        f"| articles/s | {articles_s:.2f} | |",
        f"| chunks/s | {f.chunks_per_s:.2f} | |",
        f"| embedder busy (seconds inside the embedder / wall) | {_ratio(f.embed_seconds, f.seconds)} | |",
        f"| embedder alone, chunks/s ({f.ceiling_chunks} chunks) | {f.ceiling_per_s:.2f} | |",
        f"| **ingest / embedder alone** | **{_ratio(f.chunks_per_s, f.ceiling_per_s)}** | ≥ 0.9 |",
        f"| keyword (BM25) index build after the writes | {f.index_seconds:.0f} s, "
        f"RSS peak {f.index_peak_rss_mb:.0f} MiB | |",
        f"| peak RSS (whole run) | {f.peak_rss_mb:.0f} MiB | ≤ 3 GiB |",
    ]
    if f.naive:
        n = f.naive
        ours = f.articles / max(f.seconds, 1e-9)
        lines += [
            f"| naive LangChain: articles, chunks, seconds | {n['articles']:.0f}, {n['chunks']:.0f}, "
            f"{n['seconds']:.0f} s | |",
            f"| naive articles/s, chunks/s | {n['articles'] / n['seconds']:.2f}, {n['chunks'] / n['seconds']:.2f} | |",
            f"| **ingest rate / naive (articles/s)** | **{_ratio(ours, n['articles'] / n['seconds'])}** | ≥ 2 |",
        ]
    lines += ["", *(f"- {note}" for note in f.notes), ""]
    return "\n".join(lines)


def repeats_table(runs: list[Figures]) -> str:
    """One row per repeat: the ratios move with the machine's load, so all of them are shown."""
    lines = ["", "## Every repeat (the table above is the median one by ingest / embedder alone)", ""]
    lines += ["| repeat | ours chunks/s | embedder alone chunks/s | ratio | naive articles/s | ours / naive |"]
    lines += ["|---|---|---|---|---|---|"]
    for i, f in enumerate(runs, start=1):
        ours = f.articles / max(f.seconds, 1e-9)
        naive = f.naive["articles"] / f.naive["seconds"] if f.naive else 0.0
        lines.append(
            f"| {i} | {f.chunks_per_s:.2f} | {f.ceiling_per_s:.2f} | {_ratio(f.chunks_per_s, f.ceiling_per_s)} "
            f"| {naive:.2f} | {_ratio(ours, naive)} |"
        )
    return "\n".join([*lines, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="diplomacy")
    parser.add_argument("--home", type=Path, help="keep the store here (default: a temporary folder)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--ceiling-sample", type=int, default=2000, help="dev: chunks the embedder-alone run sees")
    parser.add_argument(
        "--naive-limit", type=int, default=0, help="naive pipeline on the first N articles (0: as ours, -1: skip)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="whole runs to repeat (not with --home)")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the embedder-alone run (to build a store)")
    parser.add_argument("--workers", type=int, default=1, help="ATTACHE_INGEST_WORKERS for ours and the ceiling")
    parser.add_argument("--naive-keep", type=Path, help="keep the naive store here (for bench/latency.py)")
    parser.add_argument("--out", type=Path, help="markdown to write (default bench/results/ingest_<corpus>.md)")
    parser.add_argument(
        "--index-only", action="store_true", help="only (re)build the keyword index of --home, in a fresh process"
    )
    args = parser.parse_args()
    require_shared()
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    if args.index_only:
        index_only(args.home)
        return
    before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    runs: list[Figures] = []
    for _ in range(1 if args.home else args.repeat):
        with tempfile.TemporaryDirectory(prefix="attache-bench-") as scratch:
            home = args.home or Path(scratch)
            runs.append(run(args, home))
            if args.home:
                (home / f"ingest_run_{args.limit or 'all'}.json").write_text(
                    json.dumps(runs[-1].__dict__, indent=1), encoding="utf-8"
                )
    load = f"{before} before, {' / '.join(f'{x:.1f}' for x in os.getloadavg())} after"
    out = args.out or RESULTS / f"ingest_{args.corpus}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    ranked = sorted(runs, key=lambda f: f.chunks_per_s / max(f.ceiling_per_s, 1e-9))
    text = markdown(args, ranked[len(ranked) // 2], load)
    out.write_text(text + (repeats_table(runs) if len(runs) > 1 else ""), encoding="utf-8")
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
