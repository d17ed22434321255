"""The keyword (BM25) index build at the end of an ingest: ours against ``bm25s.BM25.index``, time and memory.

Usage (``--home`` is an ingested ATTACHE_HOME, e.g. one ``bench/replicate.py`` made; its keyword folder
is replaced)::

    ATTACHE_EMBED_BACKEND=onnx-pc nice -n 19 .venv/bin/python -m bench.experiments.keyword_build --home /tmp/syn137k

Each builder runs in a fresh process that first puts itself where an ingest is when the build starts:
the store open with its HNSW graph loaded (one query), and the embedder's arena grown by embedding
``--warm`` chunks in ingest-sized batches and then handed back (``release_memory``, as
``refresh_keyword_index`` does). Then the build runs while a thread samples VmRSS. Reported per builder:
seconds, RSS when the build started, the build's peak RSS, and the process's ``ru_maxrss``.

* **ours**: ``KeywordIndex`` as shipped (``assistant/store/postings.py``, page by page);
* **bm25s**: every chunk's token ids held at once, then ``bm25s.BM25().index(...)``, which is what the
  index did before.

Writes ``bench/experiments/results/keyword_build.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.corpus import ROOT, RssSampler, peak_rss_mb, reproduce

if TYPE_CHECKING:
    from assistant.store.keyword_index import ChunkSource

RESULTS = ROOT / "bench" / "experiments" / "results" / "keyword_build.md"
BUILDERS = ("ours", "bm25s")


def _bm25s_build(store: ChunkSource) -> int:
    """The previous build: all token ids in memory, then bm25s' own ``index``."""
    import bm25s
    import numpy as np

    from assistant.store.keyword_index import _tokenizer, index_text

    tokenizer = _tokenizer()
    token_ids: list[np.ndarray] = []
    texts: list[str] = []
    for _cid, text, meta in store.iter_chunk_texts(2000):
        texts.append(index_text(str(meta.get("title", "")), text))
        if len(texts) >= 2000:
            rows = tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
            token_ids.extend(np.asarray(r, dtype=np.int32) for r in rows)
            texts.clear()
    if texts:
        rows = tokenizer.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
        token_ids.extend(np.asarray(r, dtype=np.int32) for r in rows)
    retriever = bm25s.BM25()
    retriever.index((token_ids, tokenizer.get_vocab_dict()), show_progress=False)
    return len(token_ids)


def one(builder: str, home: Path, warm: int) -> dict[str, float]:
    """Run one builder in this process (the child side); returns its figures."""
    from assistant.core.settings import Settings, apply_offline_env
    from assistant.models.embedders import build_embedder, release_memory
    from assistant.store.chroma import Store, settle_embedder
    from assistant.store.keyword_index import KeywordIndex

    apply_offline_env()
    settings = settle_embedder(Settings(home=home))
    embedder = build_embedder(settings)
    store = Store(settings, embedder)
    store.query(embedder.embed_query("warm up"), 10)  # loads the HNSW graph, as the ingest's writes had
    texts = [text for _, (_cid, text, _meta) in zip(range(warm), store.iter_chunk_texts(500), strict=False)]
    for lo in range(0, len(texts), settings.embed.batch_size):
        embedder.embed_documents(texts[lo : lo + settings.embed.batch_size])
    release_memory(embedder)
    shutil.rmtree(settings.keyword_path, ignore_errors=True)
    with RssSampler(every=0.1) as rss:
        if builder == "ours":
            chunks = KeywordIndex(settings.keyword_path, store).ensure_fresh().count
        else:
            chunks = _bm25s_build(store)
    return {
        "chunks": chunks,
        "seconds": rss.seconds,
        "rss_before_mb": rss.start_mb,
        "build_peak_mb": rss.peak_mb,
        "maxrss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--warm", type=int, default=2000, help="chunks embedded before the build")
    parser.add_argument("--builders", default=",".join(BUILDERS))
    parser.add_argument("--one", choices=BUILDERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.home, args.warm)))
        return
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    figures: dict[str, dict[str, float]] = {}
    for builder in args.builders.split(","):
        module = "bench.experiments.keyword_build"
        command = [sys.executable, "-m", module, "--home", str(args.home), "--warm", str(args.warm)]
        done = subprocess.run([*command, "--one", builder], capture_output=True, text=True, cwd=ROOT, check=True)
        figures[builder] = json.loads(done.stdout.strip().splitlines()[-1])
        print(builder, figures[builder], file=sys.stderr, flush=True)
    lines = [
        f"# Keyword index build after an ingest ({time.strftime('%Y-%m-%d')})",
        "",
        f"Reproduce: `{reproduce('bench.experiments.keyword_build')}`. "
        f"Each builder in a fresh process that first loaded the HNSW graph and embedded {args.warm} chunks "
        f"(then released the embedder's arena). Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"shared; load average {load} before.",
        "",
        "| builder | chunks | seconds | RSS at start MiB | build peak RSS MiB | build adds MiB | ru_maxrss MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, f in figures.items():
        lines.append(
            f"| {name} | {f['chunks']:.0f} | {f['seconds']:.1f} | {f['rss_before_mb']:.0f} | {f['build_peak_mb']:.0f} "
            f"| {f['build_peak_mb'] - f['rss_before_mb']:.0f} | {f['maxrss_mb']:.0f} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join([*lines, ""]), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
