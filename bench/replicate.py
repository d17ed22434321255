"""A synthetic large store for latency at scale: an ingested store's chunks replicated with jittered vectors.

Usage::

    .venv/bin/python -m bench.replicate --source /tmp/rtqa_home --copies 13 --out /tmp/syn134k
    .venv/bin/python -m bench.latency --store 137k-synthetic=/tmp/syn134k --questions 60 --answers 15

Embedding the 19,467 dev articles (~134k chunks) takes hours on 2 cores. Search cost, by contrast, depends
on how many vectors the HNSW graph holds and how long BM25's posting lists are, not on what the texts say.
So this copies every chunk and article record of ``--source`` ``--copies`` times. Each copy gets new ids
(``<id>~<n>``), its own article id, and its vector plus Gaussian noise, renormalised (cosine ≈ 0.95 to the
original), so the graph cannot collapse copies onto one point. Quality figures from such a store mean
nothing; only its latency does. No embedding happens here.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from assistant.core.settings import Settings, apply_offline_env
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store

PAGE = 2000


def _jitter(vectors: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    noisy = vectors + rng.normal(0.0, sigma, size=vectors.shape).astype(np.float32)
    unit: np.ndarray = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return unit


def replicate(source: Store, target: Store, copies: int, sigma: float = 0.016) -> int:
    """Write ``copies`` jittered copies of every chunk and record of ``source`` into ``target``; returns chunks."""
    rng = np.random.default_rng(0)
    batch = max(1, min(PAGE, int(target._client.get_max_batch_size())))
    written = 0
    for name in ("_chunks", "_articles"):
        src, dst = getattr(source, name), getattr(target, name)
        offset = 0
        while True:
            got = src.get(include=["documents", "metadatas", "embeddings"], limit=batch, offset=offset)
            if not got["ids"]:
                break
            vectors = np.asarray(got["embeddings"], dtype=np.float32)
            for n in range(copies):
                original = n == 0
                metas = [dict(m) for m in got["metadatas"] or []]
                if not original:
                    for row in metas:
                        if "article_id" in row:
                            row["article_id"] = f"{row['article_id']}~{n}"
                dst.add(
                    ids=list(got["ids"]) if original else [f"{i}~{n}" for i in got["ids"]],
                    embeddings=cast(Any, vectors if original else _jitter(vectors, rng, sigma)),
                    documents=got["documents"],
                    metadatas=cast(Any, metas),
                )
                if name == "_chunks":
                    written += len(got["ids"])
            offset += len(got["ids"])
            print(f"\r{name[1:]}: {offset} source rows × {copies}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    target._changed()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="an ingested ATTACHE_HOME (read only)")
    parser.add_argument("--copies", type=int, default=13)
    parser.add_argument("--out", type=Path, required=True, help="a new ATTACHE_HOME (replaced)")
    args = parser.parse_args()
    apply_offline_env()
    embedder = build_embedder(Settings())
    shutil.rmtree(args.out, ignore_errors=True)
    started = time.perf_counter()
    source = Store(Settings(home=args.source), embedder)
    target = Store(Settings(home=args.out), embedder)
    chunks = replicate(source, target, args.copies)
    print(f"{chunks} chunks in {args.out} after {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
