"""Retrieval quality and latency on the shared RealTime QA diplomacy set, configuration by configuration.

Usage::

    .venv/bin/python -m bench.retrieval                       # all configurations + the naive baseline
    .venv/bin/python -m bench.retrieval --home /tmp/rtqa_home # reuse an already-ingested store
    .venv/bin/python -m bench.retrieval --heldout 120 --no-naive --out bench/results/retrieval-heldout.md
    .venv/bin/python -m bench.retrieval --questions Q.jsonl --articles A.jsonl --out R.md  # another set

The articles are ingested once into ``bench/cache/`` (kept between runs). For every question whose gold
``answer_text`` occurs in the article pool (``answer_in_retrieved_text``), a configuration's retrieval hit
at k is "the gold answer string appears, case-insensitively, in one of the top-k chunks' text".
Configurations: dense only, BM25 only, hybrid (RRF), hybrid + second stage, hybrid + second stage + date
(the question's time expression resolved against its ``as_of``, boosting by published date). In the same
run, the naive LangChain pipeline: ``langchain_chroma.Chroma.from_documents`` over a
``RecursiveCharacterTextSplitter`` split (1,000 characters, 200 overlap) with the same embedder
(``bench/naive.py``), ``similarity_search`` top-k. Latency is one ``retrieve`` call (query embedding included), p50/p95.
Writes ``bench/results/retrieval.md``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings, apply_offline_env
from assistant.models.embedders import Embedder, build_embedder
from assistant.retrieval.dates import resolve_window
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store, settle_embedder
from ingest.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval" / "realtimeqa"
CACHE = ROOT / "bench" / "cache"
RESULTS = ROOT / "bench" / "results" / "retrieval.md"
KS = (1, 5, 10)


@dataclass(frozen=True)
class Config:
    name: str
    overrides: dict[str, Any]
    dated: bool = False


CONFIGS = (
    Config("dense only", {"retrieval": "dense", "rerank": "off"}),
    Config("BM25 only", {"retrieval": "bm25", "rerank": "off"}),
    Config("hybrid (RRF)", {"retrieval": "hybrid", "rerank": "off"}),
    Config("hybrid + second stage (title match)", {"retrieval": "hybrid", "rerank": "features"}),
    Config("hybrid + second stage + coverage", {"retrieval": "hybrid", "rerank": "features", "rerank_coverage": 0.5}),
    Config("hybrid + date window only (no recency prior)", {"retrieval": "hybrid", "recency_boost": 0.0}, dated=True),
    Config("hybrid + date (default)", {"retrieval": "hybrid", "rerank": "off"}, dated=True),
    Config("hybrid + second stage + date", {"retrieval": "hybrid", "rerank": "features"}, dated=True),
)


@dataclass(frozen=True)
class Question:
    uid: str
    text: str
    answer: str
    as_of: date | None


@dataclass
class Row:
    name: str
    hits: dict[int, int]
    rr: float
    n: int
    latencies: list[float]

    def cells(self) -> str:
        recall = " | ".join(f"{self.hits[k] / self.n:.3f}" for k in KS)
        lat = sorted(self.latencies)
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        return f"| {self.name} | {recall} | {self.rr / self.n:.3f} | {p50:.1f} | {p95:.1f} |"


def load_questions(path: Path) -> list[Question]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("answer_in_retrieved_text", True) and row.get("answer_text"):
            as_of = date.fromisoformat(row["as_of"]) if row.get("as_of") else None
            out.append(Question(row["uid"], row["question"], row["answer_text"], as_of))
    return out


def first_hit(texts: Sequence[str], answer: str) -> int:
    """1-based rank of the first text containing ``answer`` (case-insensitive); 0 when none does."""
    needle = answer.lower()
    return next((i for i, text in enumerate(texts, start=1) if needle in text.lower()), 0)


def score(name: str, questions: list[Question], search: Callable[[Question], list[str]]) -> Row:
    row = Row(name, {k: 0 for k in KS}, 0.0, len(questions), [])
    for q in questions:
        started = time.perf_counter()
        texts = search(q)
        row.latencies.append((time.perf_counter() - started) * 1000)
        rank = first_hit(texts[: max(KS)], q.answer)
        for k in KS:
            row.hits[k] += bool(rank and rank <= k)
        row.rr += 1.0 / rank if rank else 0.0
    return row


def open_store(home: Path, articles: Path, embedder: Embedder) -> tuple[Settings, Store]:
    settings = Settings(home=home)
    store = Store(settings, embedder)
    if store.count_chunks() == 0:
        print(f"ingesting {articles} into {home} (once; cached) ...", file=sys.stderr)
        ingest_paths([articles], store, embedder, settings)
    return settings, store


def ours(config: Config, home: Path, store: Store, embedder: Embedder) -> Callable[[Question], list[str]]:
    retriever = Retriever(store, embedder, Settings(home=home, **config.overrides))
    retriever.keyword.ensure_fresh()  # build or load the BM25 index outside the timed calls

    def search(q: Question) -> list[str]:
        window = resolve_window(q.text, q.as_of) if config.dated else None
        as_of = q.as_of if config.dated else None
        passages = retriever.retrieve(q.text, k=max(KS), window=window, as_of=as_of)
        return [p.chunk.text for p in passages]

    return search


def naive(articles: Path, embedder: Embedder, folder: Path) -> Callable[[Question], list[str]]:
    """The LangChain tutorial pipeline (``bench/naive.py``) on the same articles, built once and kept."""
    from langchain_chroma import Chroma

    from bench.naive import WrappedEmbedder, naive_ingest

    wrapped = WrappedEmbedder(embedder, 32)
    db = Chroma(collection_name="naive", embedding_function=wrapped, persist_directory=str(folder))
    if db._collection.count() == 0:  # first run, or a run that died half-way: build it from scratch
        from chromadb.api.shared_system_client import SharedSystemClient

        del db
        SharedSystemClient.clear_system_cache()  # the cached client would point at the deleted files
        shutil.rmtree(folder, ignore_errors=True)
        print("naive baseline: splitting and embedding the articles (once; cached) ...", file=sys.stderr)
        naive_ingest(articles, embedder, 0, Settings().embed.batch_size, keep=folder)
        db = Chroma(collection_name="naive", embedding_function=wrapped, persist_directory=str(folder))

    def search(q: Question) -> list[str]:
        return [d.page_content for d in db.similarity_search(q.text, k=max(KS))]

    return search


def markdown(rows: list[Row], args: argparse.Namespace, n_chunks: int, load: str) -> str:
    command = " ".join([".venv/bin/python -m bench.retrieval", *sys.argv[1:]])
    r = Settings().retrieval
    return "\n".join(
        [
            f"# Retrieval: {args.questions.name}",
            "",
            f"Reproduce: `{command}`. Questions: the {rows[0].n} whose gold answer occurs in the article pool; "
            f"store: {n_chunks} chunks. A hit at k: the gold `answer_text` appears (case-insensitive) in one of "
            "the top-k chunks. Latency: one retrieve call including the query embedding, in ms.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores; load average before the run {load}. "
            f"Settings: fetch_k {r.fetch_k} per retriever, RRF k {r.rrf_k}, weights dense {r.dense_weight} / "
            f"BM25 {r.bm25_weight}, second stage over the top {r.rerank_depth}, date boost {r.date_boost}, "
            f"at most {r.max_chunks_per_article} chunks per article.",
            "",
            "| configuration | recall@1 | recall@5 | recall@10 | MRR | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|",
            *(row.cells() for row in rows),
            "",
        ]
    )


def heldout_set(n: int, seed: int = 7) -> tuple[Path, Path]:
    """``n`` answerable dev questions outside the diplomacy set (seeded) and their articles, under bench/cache/."""
    folder = CACHE / f"heldout-{n}-seed{seed}"
    questions, articles = folder / "questions.jsonl", folder / "articles.jsonl"
    if questions.exists() and articles.exists():
        return questions, articles
    folder.mkdir(parents=True, exist_ok=True)
    tuning = {json.loads(line)["uid"] for line in (SHARED / "diplomacy_questions.jsonl").open(encoding="utf-8")}
    with gzip.open(SHARED / "dev_questions.jsonl.gz", "rt", encoding="utf-8") as handle:
        pool = [q for q in map(json.loads, handle) if q["uid"] not in tuning and q["answer_in_retrieved_text"]]
    random.Random(seed).shuffle(pool)
    chosen = pool[:n]
    needed = {doc for q in chosen for doc in q["retrieved_doc_ids"]}
    with gzip.open(SHARED / "dev_articles.jsonl.gz", "rt", encoding="utf-8") as handle, articles.open("w") as out:
        for line in handle:
            if json.loads(line)["doc_id"] in needed:
                out.write(line if line.endswith("\n") else line + "\n")
    questions.write_text("".join(json.dumps(q) + "\n" for q in chosen), encoding="utf-8")
    return questions, articles


def data_arguments(description: str) -> argparse.ArgumentParser:
    """The options every shared-data benchmark takes: the question set, its articles, a ready ATTACHE_HOME."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--questions", type=Path, default=SHARED / "diplomacy_questions.jsonl")
    parser.add_argument("--articles", type=Path, default=SHARED / "diplomacy_articles.jsonl")
    parser.add_argument("--home", type=Path, help="an ATTACHE_HOME holding these articles already (not modified)")
    return parser


def main() -> None:
    parser = data_arguments(__doc__.split("\n")[0])
    parser.add_argument("--no-naive", action="store_true", help="skip the LangChain baseline")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--heldout", type=int, default=0, help="N seeded dev questions outside the diplomacy set")
    args = parser.parse_args()
    if args.heldout and (SHARED / "dev_questions.jsonl.gz").exists():
        args.questions, args.articles = heldout_set(args.heldout)
    if not args.questions.exists() or not args.articles.exists():
        sys.exit(f"shared data not found ({args.questions}); skipping the retrieval benchmark")
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    tag = args.articles.stem
    home = args.home or CACHE / f"retrieval-{tag}"
    embedder = build_embedder(settle_embedder(Settings(home=home)))  # a given --home keeps its embedder
    questions = load_questions(args.questions)
    _, store = open_store(home, args.articles, embedder)
    rows = [score(c.name, questions, ours(c, home, store, embedder)) for c in CONFIGS]
    if not args.no_naive:
        search = naive(args.articles, embedder, CACHE / f"naive-{tag}")
        rows.append(score("naive LangChain (Chroma.from_documents, top-k)", questions, search))
    text = markdown(rows, args, store.count_chunks(), load)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
