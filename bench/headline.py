"""The headline benchmark: ours against the naive LangChain pipeline on the same articles, in one table.

Usage::

    nice -n 19 .venv/bin/python -m bench.headline                    # --size 1k: a few minutes
    nice -n 19 .venv/bin/python -m bench.headline --size 1k 10k --home /tmp/headline_home
    nice -n 19 .venv/bin/python -m bench.headline --size 10k --home /tmp/headline_home --reuse   # skip the ingests

Sizes (chunks of ours; the naive splitter makes other chunks of the same articles):

* ``1k``: the diplomacy articles the first answerable diplomacy questions point to (``retrieved_doc_ids``), taken
  question by question until ours would store ~1,000 chunks; recall is over those questions only;
* ``10k``: all 1,304 diplomacy articles (~10.6k chunks), recall over the 107 answerable diplomacy questions;
* ``40k``: the 1,304 diplomacy articles and then dev articles in file order until ours would store ~40,000 chunks,
  the 107 answerable diplomacy questions: a point between 10k and the full pool that fits in an hour;
* ``full``: the 19,467 dev articles (they include the diplomacy ones; ~145k chunks, hours), the same questions.

For each size, one after the other, child processes (so that each figure's peak RSS is its own pipeline's):

1. **ours, ingest**: ``bench.ingest.product`` (parse, dedupe, chunk, embed, write) into a fresh ATTACHE_HOME and
   the BM25 build (``keyword_build``), with the embedder as built (``bench.ingest.TimedEmbedder`` would hide its
   ``embed_spans``: the store would lack the sentence states the answerer reads); the **embedder alone**
   (``bench.ingest.ceiling``, ours' batching) on the first ``--ceiling-sample`` of ours' chunk texts just before
   and just after, in the same process: the load of a shared machine moves in minutes, so the ratio is taken
   against the mean of the two and both are shown;
2. **naive, ingest**: ``bench.naive.naive_ingest`` (``RecursiveCharacterTextSplitter`` 1000/200,
   ``Chroma.from_documents``, the same embedder wrapped as LangChain ``Embeddings``);
3. **ours, queries**: ``bench.retrieval.score`` of the default configuration (hybrid, the question's date), then
   every question through ``Assistant.stream`` with the configured answering backend: whole answer and first
   non-empty text piece;
4. **naive, queries**: ``bench.retrieval.score`` of ``similarity_search``. The naive pipeline has no answerer:
   its answer columns say so.

A hit at k: the gold answer string is in one of the top-k chunks (``bench.retrieval``); both retrieve 10 per
question (the naive pipeline hands its LLM the top 4). Retrieval latency is that call, query embedding included,
after one warm-up. ``--home`` keeps each size's stores in ``DIR/<size>/`` with an ``ingest.json`` written when
both ingests finished; ``--reuse`` skips the ingests of a size that has one (its ingest rows are the figures that run
recorded, dated in a note under the table).
Prints the table, writes ``bench/results/headline.md`` and the table in ``docs/benchmarks.md`` between
``<!-- headline:start -->`` and ``<!-- headline:end -->`` (``--no-docs``: not).

``--warm`` adds what the chat server answers once left idle: after step 3, the idle warmer's whole pass
(``assistant.answering.warm.warm``, as ``python -m assistant warm``) over the store the questions were asked of,
then the same questions again (every sentence's exact vectors kept by then, whichever question or pass computed
them). Step 3 asks its questions of a copy of ours' store, so the ingested store stays as ingest left it and a
``--reuse`` run measures cold answers again. Article text stays in
``../shared`` (the 1k subset is written to the run's home, outside the repo unless ``--home`` says otherwise).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings, apply_offline_env
from bench.corpus import DEV, DIPLOMACY, ROOT, SHARED, _lines, count_records, peak_rss_mb, reproduce, require_shared
from bench.latency import pct
from bench.retrieval import Config, Question, Row, load_questions, score

QUESTIONS = SHARED / "diplomacy_questions.jsonl"
DOCS = ROOT / "docs" / "benchmarks.md"
PAGE = ROOT / "bench" / "results" / "headline.md"
START, END = "<!-- headline:start -->", "<!-- headline:end -->"
SIZES = {"1k": 1_000, "10k": 0, "40k": 40_000, "full": 0}  # chunks of ours for a subset; 0: a whole pool
NO_ANSWERER = "n/a (no answerer)"
WARM_PASS = "idle warm pass (`python -m assistant warm`), s"
NOT_MEASURED = "not measured"


# -- the figures ------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One pipeline's figures at one size; ``None``: not measured."""

    articles: int = 0
    chunks: int = 0
    ingest_s: float | None = None
    queryable_s: float | None = None  # ingest + the BM25 build (ours): until the store answers
    ingest_rss_mb: float | None = None
    questions: int = 0
    recall1: float = 0.0
    recall5: float = 0.0
    mrr: float = 0.0
    retrieve_ms: list[float] = field(default_factory=list)
    answer_ms: list[float] | None = None  # None: no answerer
    first_text_ms: list[float] | None = None
    query_rss_mb: float = 0.0
    warm_s: float | None = None  # --warm: the idle warmer's whole pass (python -m assistant warm), seconds
    warm_texts: int = 0  # sentence texts it embedded
    warm_answer_ms: list[float] | None = None  # the same questions once that pass has run
    warm_first_text_ms: list[float] | None = None


@dataclass
class Result:
    size: str
    ours: Side
    naive: Side
    ceiling_chunks: int = 0
    ceiling_per_s: tuple[float, float] | None = None  # just before and just after ours' ingest
    notes: list[str] = field(default_factory=list)


def _num(value: float | None, digits: int) -> str:
    return NOT_MEASURED if value is None else f"{value:,.{digits}f}"


def _rate(n: int, seconds: float | None) -> float | None:
    return None if seconds is None else n / max(seconds, 1e-9)


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else ""


def _line(label: str, a: float | None, b: float | None, digits: int) -> tuple[str, ...]:
    return label, _num(a, digits), _num(b, digits), _ratio(a, b)


def _times(
    label: str, ours: Sequence[float] | None, naive: Sequence[float] | None, after: str = ""
) -> list[tuple[str, ...]]:
    """p50 and p95 rows of two latency lists (``None``: that pipeline has no such step), ``after`` each row's
    percentile."""
    rows = []
    for name, q in (("p50", 0.5), ("p95", 0.95)):
        a = pct(ours, q) if ours else None
        b = pct(naive, q) if naive else None
        cells = [NO_ANSWERER if v is None and s is None else "—" if v is None else f"{v:,.1f}"
                 for v, s in ((a, ours), (b, naive))]  # fmt: skip
        rows.append((f"{label} {name}{after}, ms", *cells, _ratio(a, b)))
    return rows


def rows(r: Result) -> list[tuple[str, ...]]:
    """(figure, ours, naive, ours ÷ naive) of one size."""
    o, n = r.ours, r.naive
    ours_rate, naive_rate = _rate(o.chunks, o.ingest_s), _rate(n.chunks, n.ingest_s)
    alone = sum(r.ceiling_per_s) / 2 if r.ceiling_per_s else None
    to_ceiling = None if ours_rate is None or not alone else ours_rate / alone
    ceiling = NOT_MEASURED
    if r.ceiling_per_s:
        ceiling = "{:,.2f} before, {:,.2f} after ({} chunks)".format(*r.ceiling_per_s, r.ceiling_chunks)
    return [
        _line("articles", o.articles, n.articles, 0),
        _line("chunks stored", o.chunks, n.chunks, 0),
        _line("ingest wall, s", o.ingest_s, n.ingest_s, 0),
        _line("ingest + BM25 build (until it answers), s", o.queryable_s, n.ingest_s, 0),
        _line("ingest articles/s", _rate(o.articles, o.ingest_s), _rate(n.articles, n.ingest_s), 2),
        _line("ingest chunks/s", ours_rate, naive_rate, 2),
        ("embedder alone on ours' chunks, chunks/s", ceiling, "", ""),
        ("**ingest chunks/s ÷ embedder alone** (mean of both)", f"**{_num(to_ceiling, 2)}**", "", ""),
        _line("peak RSS, ingest, MiB", o.ingest_rss_mb, n.ingest_rss_mb, 0),
        ("questions (recall, latency)", str(o.questions), str(n.questions), ""),
        _line("**recall@1**", o.recall1, n.recall1, 3),
        _line("**recall@5**", o.recall5, n.recall5, 3),
        _line("MRR (top 10)", o.mrr, n.mrr, 3),
        *_times("retrieval", o.retrieve_ms, n.retrieve_ms),
        *_times("whole answer", o.answer_ms, n.answer_ms),
        *_times("first text", o.first_text_ms, n.first_text_ms),
        _line("peak RSS, queries + answers, MiB", o.query_rss_mb, n.query_rss_mb, 0),
        *(_warmed(o) if o.warm_s is not None else []),  # --warm (every size of a run alike)
    ]


def _warmed(o: Side) -> list[tuple[str, ...]]:
    """The rows after the idle warmer's pass (``--warm``): what the chat server answers once left idle."""
    assert o.warm_s is not None
    rate = f"{o.warm_s:,.0f} ({o.warm_texts / o.warm_s:,.0f} texts/s)" if o.warm_s else "0"
    return [
        (WARM_PASS, rate, "", ""),
        *_times("whole answer", o.warm_answer_ms, None, " after it"),
        *_times("first text", o.warm_first_text_ms, None, " after it"),
    ]


def table(results: Sequence[Result], embedder: str) -> str:
    """One Markdown table: a row per figure, ours / naive / ours ÷ naive per size."""
    head = ["figure"] + [f"{r.size} {c}" for r in results for c in ("ours", "naive", "ours ÷ naive")]
    per_size = [rows(r) for r in results]
    lines = [
        f"Embedder: `{embedder}` for both pipelines. ours ÷ naive above 1: ours is higher (better for rates and "
        "recall, worse for times and memory).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for i, (label, *_) in enumerate(per_size[0]):
        cells = [cell for size_rows in per_size for cell in size_rows[i][1:]]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return "\n".join(lines)


def write_between(path: Path, text: str) -> None:
    """Replace what lies between the headline markers of ``path`` with ``text``."""
    doc = path.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        raise SystemExit(f"{path}: no {START} … {END} markers")
    before, rest = doc.split(START, 1)
    after = rest.split(END, 1)[1]
    path.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")


# -- the phases, each in a child process --------------------------------------------------------------------


def _in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``fn(*args)`` in a fresh (spawned) process; its result with that process's peak RSS."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_phase, fn, *args).result()


def _phase(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    out = fn(*args)
    out.setdefault("peak_rss_mb", peak_rss_mb())
    return out


def ours_ingest(path: Path, home: Path, sample: int) -> dict[str, Any]:
    from assistant.models.embedders import build_embedder
    from bench.ingest import ceiling, keyword_build, product, sample_texts

    settings = Settings(home=home)
    embedder = build_embedder(settings)  # as shipped: a wrapper would hide what it can do (embed_spans)
    batch = settings.embed.batch_size * settings.ingest.workers
    texts = sample_texts(path, settings, sample)
    chunks, before = ceiling(embedder, texts, batch)
    report = product(path, settings, embedder, 0, count_records(path))
    index_s, _ = keyword_build(settings, embedder)
    rss = peak_rss_mb()  # not the second embedder-alone run's
    _, after = ceiling(embedder, texts, batch)
    return {
        "embedder": embedder.name,
        "articles": report.articles,
        "chunks": report.chunks,
        "seconds": report.seconds,
        "index_seconds": index_s,
        "peak_rss_mb": rss,
        "ceiling_chunks": chunks,
        "ceiling_seconds": [before, after],
    }


def naive_ingest(path: Path, folder: Path) -> dict[str, Any]:
    from assistant.models.embedders import build_embedder
    from bench import naive

    settings = Settings()
    return naive.naive_ingest(path, build_embedder(settings), 0, settings.embed.batch_size, keep=folder)


def _recall(row: Row) -> dict[str, Any]:
    return {
        "questions": row.n,
        "recall1": row.hits[1] / row.n,
        "recall5": row.hits[5] / row.n,
        "mrr": row.rr / row.n,
        "retrieve_ms": row.latencies,
    }


def ours_queries(home: Path, questions: list[Question]) -> dict[str, Any]:
    from assistant import Assistant
    from assistant.core.types import TextEvent
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store
    from bench.retrieval import ours

    settings = Settings(home=home)
    embedder = build_embedder(settings)
    store = Store(settings, embedder)
    search = ours(Config("ours (default settings, the question's date)", {}, dated=True), home, store, embedder)
    search(questions[0])  # warm-up
    out = _recall(score("ours", questions, search))
    del search  # the answerer's retriever loads its own BM25 index: not two at once
    gc.collect()
    bot = Assistant(settings, store, embedder)
    bot.answer(questions[0].text, as_of=questions[0].as_of)  # warm-up
    whole, first = [], []
    for q in questions:
        started, first_at = time.perf_counter(), 0.0
        for event in bot.stream(q.text, as_of=q.as_of):
            if not first_at and isinstance(event, TextEvent) and event.delta.strip():
                first_at = time.perf_counter()
        whole.append((time.perf_counter() - started) * 1000)
        if first_at:
            first.append((first_at - started) * 1000)
    bot.close()
    return {
        **out,
        "embedder": bot.embedder_label,  # the name, and the runtime that computed (OpenVINO or onnxruntime)
        "backend": bot.backend_label,
        "chunks": store.count_chunks(),
        "answer_ms": whole,
        "first_text_ms": first,
    }


def ours_warm(home: Path) -> dict[str, Any]:
    """The idle warmer's pass over the whole store, as ``python -m assistant warm`` runs it."""
    from assistant.answering.warm import warm
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store

    settings = Settings(home=home)
    embedder = build_embedder(settings)
    report = warm(Store(settings, embedder), embedder, show_progress=False)
    if report.stopped:
        _log(f"warm pass stopped: {report.stopped}")
    return {"seconds": report.seconds, "embedded": report.embedded, "summary": report.summary()}


def naive_queries(path: Path, folder: Path, questions: list[Question]) -> dict[str, Any]:
    from assistant.models.embedders import build_embedder
    from bench.retrieval import naive

    search = naive(path, build_embedder(Settings()), folder)
    search(questions[0])  # warm-up
    return _recall(score("naive", questions, search))


# -- one size ---------------------------------------------------------------------------------------------


def _chunk_count(record: dict[str, Any], source: Path, settings: Settings) -> int | None:
    """The chunks ours makes of one article record (chunking only, no embedding); None when it has no text."""
    from ingest.prepare import chunks_for
    from ingest.readers.records import article_from_record

    try:
        return len(chunks_for(article_from_record(record, str(source)), settings))
    except ValueError:  # no text
        return None


def _articles_with_chunks(settings: Settings) -> dict[str, int]:
    """doc_id -> chunks ours makes of it, for the diplomacy pool."""
    counts = {}
    for record in map(json.loads, _lines(DIPLOMACY)):
        if (n := _chunk_count(record, DIPLOMACY, settings)) is not None:
            counts[record["doc_id"]] = n
    return counts


def grown(target: int, folder: Path) -> Path:
    """All diplomacy articles, then dev articles (file order, none of the diplomacy ones) until ours would make
    ``target`` chunks; written to ``folder/articles.jsonl``."""
    settings = Settings()
    total = sum(_articles_with_chunks(settings).values())
    path = folder / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        seen = set()
        for line in _lines(DIPLOMACY):
            seen.add(json.loads(line)["doc_id"])
            out.write(line.rstrip("\n") + "\n")
        for line in _lines(DEV):
            if total >= target:
                break
            record = json.loads(line)
            if record["doc_id"] in seen or (n := _chunk_count(record, DEV, settings)) is None:
                continue
            total += n
            out.write(line.rstrip("\n") + "\n")
    return path


def subset(target: int, folder: Path, questions: list[Question]) -> tuple[Path, list[Question]]:
    """The articles of the first answerable questions, question by question until ours makes ``target`` chunks.

    Writes them (file order) to ``folder/articles.jsonl``; returns it and the questions whose articles it holds.
    """
    chunks = _articles_with_chunks(Settings())
    retrieved = {row["uid"]: row["retrieved_doc_ids"] for row in map(json.loads, _lines(QUESTIONS))}
    chosen: set[str] = set()
    kept = []
    for q in questions:
        if sum(chunks[d] for d in chosen) >= target:
            break
        chosen.update(d for d in retrieved[q.uid] if d in chunks)
        kept.append(q)
    path = folder / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.writelines(line.rstrip("\n") + "\n" for line in _lines(DIPLOMACY) if json.loads(line)["doc_id"] in chosen)
    return path, kept


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} headline: {message}", file=sys.stderr, flush=True)


def both_ingests(path: Path, folder: Path, sample: int, reuse: bool) -> dict[str, Any]:
    """Both ingests into ``folder`` (or, with ``reuse``, what a finished earlier run recorded there)."""
    record = folder / "ingest.json"
    if reuse and record.exists():
        _log(f"{folder}: reusing the stores ({record})")
        return {**json.loads(record.read_text(encoding="utf-8")), "reused": True}
    for part in ("ours", "naive"):
        shutil.rmtree(folder / part, ignore_errors=True)
    record.unlink(missing_ok=True)
    _log(f"ours: ingesting {path.name} into {folder / 'ours'}, the embedder alone on {sample} chunks before and after")
    ours = _in_child(ours_ingest, path, folder / "ours", sample)
    _log(f"ours: {ours['chunks']} chunks in {ours['seconds']:.0f} s; naive: splitting, embedding, storing")
    naive = _in_child(naive_ingest, path, folder / "naive")
    _log(f"naive: {naive['chunks']:.0f} chunks in {naive['seconds']:.0f} s")
    done = {"ours": ours, "naive": naive}
    record.write_text(json.dumps(done, indent=1), encoding="utf-8")
    return done


def measure(size: str, folder: Path, questions: list[Question], args: argparse.Namespace) -> tuple[Result, str]:
    """One size, end to end; the result and the embedder's name."""
    folder.mkdir(parents=True, exist_ok=True)
    notes = []
    if size == "40k":
        path = grown(SIZES[size], folder)
        notes.append(f"{size}: the diplomacy articles, then dev articles in file order; the 107 diplomacy questions.")
    elif SIZES[size]:
        path, questions = subset(SIZES[size], folder, questions)
        notes.append(
            f"{size}: the diplomacy articles of the first {len(questions)} answerable questions (file order); "
            f"recall and latency over those {len(questions)} questions only."
        )
    else:
        path = DIPLOMACY if size == "10k" else DEV
    done = both_ingests(path, folder, args.ceiling_sample, args.reuse)
    i, n = done["ours"], done["naive"]
    reused = done.get("reused", False)
    _log(f"{size}: ours, {len(questions)} questions: retrieval, then whole answers")
    # on a copy: answers keep their sentences' vectors (keep_exact_vectors), and the ingested store must stay as
    # ingest left it, so that a --reuse run measures new questions again, not ones asked before
    asked = folder / "ours_asked"
    shutil.rmtree(asked, ignore_errors=True)
    shutil.copytree(folder / "ours", asked)
    oq = _in_child(ours_queries, asked, questions)
    _log(f"{size}: naive, {len(questions)} questions: retrieval")
    nq = _in_child(naive_queries, path, folder / "naive", questions)
    query_keys = ("questions", "recall1", "recall5", "mrr", "retrieve_ms")
    ours = Side(
        articles=i["articles"],
        chunks=oq["chunks"],
        ingest_s=i["seconds"],
        queryable_s=i["seconds"] + i["index_seconds"],
        ingest_rss_mb=i["peak_rss_mb"],
        answer_ms=oq["answer_ms"],
        first_text_ms=oq["first_text_ms"],
        query_rss_mb=oq["peak_rss_mb"],
        **{k: oq[k] for k in query_keys},
    )
    naive = Side(
        articles=int(n["articles"]),
        chunks=int(n["chunks"]),
        ingest_s=n["seconds"],
        ingest_rss_mb=n["peak_rss_mb"],
        query_rss_mb=nq["peak_rss_mb"],
        **{k: nq[k] for k in query_keys},
    )
    if args.warm:
        _log(f"{size}: ours, the idle warmer's pass over that store, then the same questions again")
        w = _in_child(ours_warm, asked)
        _log(f"{size}: {w['summary']}")
        wq = _in_child(ours_queries, asked, questions)
        ours.warm_s, ours.warm_texts = w["seconds"], w["embedded"]
        ours.warm_answer_ms, ours.warm_first_text_ms = wq["answer_ms"], wq["first_text_ms"]
        notes.append(f"{size}: warm pass: {w['summary']}.")
    shutil.rmtree(asked, ignore_errors=True)
    if len(oq["first_text_ms"]) < len(questions):
        notes.append(f"{size}: {len(questions) - len(oq['first_text_ms'])} answers had no text (no passages).")
    notes.append(f"{size}: answering backend `{oq['backend']}`.")
    ceiling = tuple(i["ceiling_chunks"] / seconds for seconds in i["ceiling_seconds"])
    if reused:  # the ingest rows are what the run that built these stores recorded, not this run's
        built = time.strftime("%Y-%m-%d %H:%M", time.localtime((folder / "ingest.json").stat().st_mtime))
        notes.append(f"{size}: ingest rows as recorded by the run that built these stores ({built}, `--reuse`).")
    return Result(size, ours, naive, i["ceiling_chunks"], ceiling, notes), oq["embedder"]


# -- the page ---------------------------------------------------------------------------------------------


def page(results: Sequence[Result], embedder: str, load: str, minutes: dict[str, float]) -> str:
    took = ", ".join(f"{size} {m:.0f} min" for size, m in minutes.items())
    notes = [note for r in results for note in r.notes]
    return "\n".join(
        [
            f"# Headline: ours against the naive LangChain pipeline ({time.strftime('%Y-%m-%d')})",
            "",
            f"Reproduce: `{reproduce('bench.headline')}`. Embedder: `{embedder}`. Machine: {platform.machine()}, "
            f"{os.cpu_count()} cores, shared with other jobs; load average {load}. Took {took}.",
            "",
            "Same articles, same embedder, one command; every phase in its own child process, one after the other "
            "(peak RSS is that process's `ru_maxrss`, the embedder included). Naive: `RecursiveCharacterTextSplitter`"
            " 1000/200, `Chroma.from_documents`, `similarity_search`. Ours: `python -m ingest`'s pipeline, the "
            "default retrieval (hybrid, the question's date), the configured answerer through `Assistant.stream`. "
            "Ingest chunks/s is the embed-and-write wall (as `bench.ingest`); the BM25 build is the row below it. "
            "The embedder alone runs on ours' first chunk texts in ours' batching and process, just before and "
            "just after the ingest (the load moves in minutes; the ratio takes their mean). A hit at k: the gold "
            "answer string in one of the top k chunks (both retrieve 10; the naive pipeline would hand its LLM 4). "
            "First text: from calling `Assistant.stream` to the first non-empty text piece; the "
            "whole answer goes on to the grounding check of the sentences sent.",
            "",
            table(results, embedder),
            "",
            *(f"- {note}" for note in notes),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", nargs="+", choices=list(SIZES), default=["1k"], help="1k, 10k, 40k and/or full")
    parser.add_argument("--home", type=Path, help="keep each size's stores in DIR/<size>/ (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="skip the ingests of a size that --home holds already")
    parser.add_argument("--ceiling-sample", type=int, default=2000, help="chunks per embedder-alone run")
    parser.add_argument("--out", type=Path, default=PAGE, help="the results page")
    parser.add_argument(
        "--warm", action="store_true", help="also time the idle warmer's pass and the answers after it (~14 min at 10k)"
    )
    parser.add_argument("--no-docs", action="store_true", help=f"leave the table in {DOCS.name} as it is")
    args = parser.parse_args()
    require_shared()
    if {"40k", "full"} & set(args.size) and not DEV.exists():
        raise SystemExit(f"skipped: --size 40k and full need {DEV}")
    apply_offline_env()
    before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    questions = load_questions(QUESTIONS)
    results, minutes, embedder = [], {}, ""
    with tempfile.TemporaryDirectory(prefix="attache-headline-") as scratch:
        for size in dict.fromkeys(args.size):
            started = time.perf_counter()
            result, embedder = measure(size, (args.home or Path(scratch)) / size, questions, args)
            results.append(result)
            minutes[size] = (time.perf_counter() - started) / 60
            _log(f"{size} done in {minutes[size]:.1f} min")
    load = f"{before} before, {' / '.join(f'{x:.1f}' for x in os.getloadavg())} after"
    text = page(results, embedder, load, minutes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    if not args.no_docs:
        source = f"{args.out.relative_to(ROOT)}" if args.out.is_relative_to(ROOT) else str(args.out)
        stamp = f"Measured {time.strftime('%Y-%m-%d')}, load average {load}; the notes are in `{source}`."
        write_between(DOCS, f"{stamp}\n\n{table(results, embedder)}")
    print(text)


if __name__ == "__main__":
    main()
