"""The packaged MiniLM on OpenVINO against onnxruntime: time and agreement on the product's two workloads.

Usage::

    .venv/bin/python -m bench.experiments.runtimes                   # 5 alternating rounds, writes the results page
    .venv/bin/python -m bench.experiments.runtimes --rounds 3 --articles 40 --out /tmp/runtimes.md

Both runtimes load the same ONNX file in one process and embed the same texts, round by round in turn (so the
machine's load hits both alike):

- **answer**: what a cold question embeds, 32 texts per round: 16 article sentences alone and each with the
  sentence before it (``embed_documents``, runs of 8 sorted by length, as the answerer does);
- **ingest**: 64 chunks per round, cut from the same articles by the product's chunker (``chunk_article``).

It prints and writes medians of each runtime's seconds per round, their ratio, and the cosine of each text's two
vectors (minimum and mean over every round). OpenVINO computes in bfloat16 on a CPU with native bfloat16 (this
repository's EPYC has AVX512-BF16), in float32 elsewhere; the page says which. The articles are the first
``--articles`` of the shared RealTime QA diplomacy pool; without ``../shared`` it says so and stops.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from assistant.core.sentences import sentence_spans
from assistant.core.types import Article
from assistant.models.embedders import OnnxMiniLM
from ingest.chunking import chunk_article

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "eval" / "realtimeqa" / "diplomacy_articles.jsonl"
RESULTS = ROOT / "bench" / "experiments" / "results" / "runtimes.md"


def workloads(articles: int) -> tuple[list[str], list[str]]:
    """(sentence texts: each alone, then with the one before; chunk texts), from the first ``articles``."""
    sentences: list[str] = []
    chunks: list[str] = []
    with DATA.open(encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            if i >= articles:
                break
            row = json.loads(line)
            text = row.get("text") or ""
            spans = sentence_spans(text)
            for before, span in itertools.pairwise(spans[:8]):
                sentences += [text[span.start : span.end], text[before.start : span.end]]
            article = Article(id=f"a{i}", title=row.get("title") or "", text=text)
            chunks += [c.text for c in chunk_article(article)]
    return sentences, chunks


def measure(rounds: int, articles: int) -> tuple[dict[str, dict[str, list[float]]], str]:
    """Per workload: each runtime's seconds per round, the cosines; and the precision OpenVINO computed in."""
    sentences, chunks = workloads(articles)
    models = {name: OnnxMiniLM(runtime=name) for name in ("onnxruntime", "openvino")}
    for model in models.values():  # first runs compile kernels for the shapes they meet
        model.embed_documents(sentences[:32])
        model.embed_documents(chunks[:16])
    out: dict[str, dict[str, list[float]]] = {}
    for label, texts, size in (("answer", sentences, 32), ("ingest", chunks, 64)):
        seconds: dict[str, list[float]] = {name: [] for name in models}
        cosines: list[float] = []
        for r in range(rounds):
            lo = (r * size) % max(1, len(texts) - size)
            batch = texts[lo : lo + size]
            vectors = {}
            for name in models if r % 2 == 0 else reversed(list(models)):
                started = time.perf_counter()
                vectors[name] = models[name].embed_documents(batch)
                seconds[name].append(time.perf_counter() - started)
            cosines += [float(c) for c in (vectors["openvino"] * vectors["onnxruntime"]).sum(axis=1)]
        out[label] = {**seconds, "cosine": cosines, "texts": [float(size)]}
    return out, models["openvino"].precision


def table(results: dict[str, dict[str, list[float]]]) -> list[str]:
    lines = [
        "| workload | texts per round | onnxruntime p50, ms | OpenVINO p50, ms | OpenVINO ÷ onnxruntime | "
        "cosine min / mean |",
        "|---|---|---|---|---|---|",
    ]
    for label, r in results.items():
        ort, ov = statistics.median(r["onnxruntime"]), statistics.median(r["openvino"])
        lines.append(
            f"| {label} | {int(r['texts'][0])} | {ort * 1000:.1f} | {ov * 1000:.1f} | **{ov / ort:.2f}** | "
            f"{min(r['cosine']):.6f} / {float(np.mean(r['cosine'])):.6f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: {DATA} is absent (the shared RealTime QA pool)", file=sys.stderr)
        return 0
    started = os.getloadavg()
    results, precision = measure(args.rounds, args.articles)
    body = [
        f"# The packaged MiniLM on OpenVINO and onnxruntime ({date.today().isoformat()})",
        "",
        f"Reproduce: `.venv/bin/python -m bench.experiments.runtimes --rounds {args.rounds} --articles "
        f"{args.articles}`. Machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{started[0]:.1f} before, {os.getloadavg()[0]:.1f} after; {args.rounds} rounds, the runtimes in turn. "
        f"OpenVINO's matrix products ran in {precision} (its choice for this CPU), onnxruntime's in f32.",
        "",
        *table(results),
        "",
    ]
    text = "\n".join(body)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
