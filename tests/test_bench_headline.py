"""bench.headline's table and the docs section it rewrites, on made-up figures (no model, no shared data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.headline import DOCS, END, NO_ANSWERER, NOT_MEASURED, START, Result, Side, table, write_between


def _result(ingested: bool = True) -> Result:
    """Made-up figures; ``ingested=False``: a size whose ingest was not measured."""
    ours = Side(
        articles=100,
        chunks=1000,
        ingest_s=50.0 if ingested else None,
        queryable_s=52.0 if ingested else None,
        ingest_rss_mb=600.0 if ingested else None,
        questions=20,
        recall1=0.5,
        recall5=0.8,
        mrr=0.6,
        retrieve_ms=[10.0] * 19 + [40.0],
        answer_ms=[100.0] * 20,
        first_text_ms=[90.0] * 20,
        query_rss_mb=700.0,
    )
    naive = Side(
        articles=100,
        chunks=1250,
        ingest_s=100.0 if ingested else None,
        ingest_rss_mb=800.0 if ingested else None,
        questions=20,
        recall1=0.25,
        recall5=0.4,
        mrr=0.3,
        retrieve_ms=[20.0] * 20,
        query_rss_mb=500.0,
    )
    return Result("1k", ours, naive, 500, (20.0, 30.0) if ingested else None)


def _row(text: str, label: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_table_has_ours_naive_and_their_ratio() -> None:
    text = table([_result(), _result(ingested=False)], "minilm-test")
    assert "`minilm-test`" in text
    assert _row(text, "ingest articles/s")[1:4] == ["2.00", "1.00", "2.00"]
    assert _row(text, "**recall@1**")[1:4] == ["0.500", "0.250", "2.00"]
    assert _row(text, "retrieval p50, ms")[1:4] == ["10.0", "20.0", "0.50"]
    assert _row(text, "whole answer p50, ms")[1:4] == ["100.0", NO_ANSWERER, ""]
    assert _row(text, "**ingest chunks/s ÷ embedder alone** (mean of both)")[1] == "**0.80**"  # 20 over (20+30)/2
    assert _row(text, "ingest chunks/s")[4:7] == [NOT_MEASURED, NOT_MEASURED, ""]  # the second size's columns
    assert len(_row(text, "chunks stored")) == 7


def test_write_between_replaces_only_the_marked_table(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    shutil.copy(DOCS, docs)
    write_between(docs, "first")
    write_between(docs, "| second |")
    text, original = docs.read_text(encoding="utf-8"), DOCS.read_text(encoding="utf-8")
    assert f"{START}\n| second |\n{END}" in text
    assert text.count(START) == text.count(END) == 1
    assert text.split(START)[0] == original.split(START)[0]  # the rest of the page is untouched
    assert text.split(END)[1] == original.split(END)[1]


def test_write_between_without_markers_says_so(tmp_path: Path) -> None:
    docs = tmp_path / "plain.md"
    docs.write_text("# nothing marked\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="markers"):
        write_between(docs, "x")


def test_the_40k_library_is_the_diplomacy_pool_grown_with_dev_articles(tmp_path: Path) -> None:
    """``--size 40k``: every diplomacy article, then dev articles in file order (none twice) until ours would make
    the target's chunks; here a target just past the diplomacy pool's own ~10.5k, so that it takes seconds."""
    from bench.corpus import DEV, DIPLOMACY, _lines
    from bench.headline import _articles_with_chunks, grown

    if not (DIPLOMACY.exists() and DEV.exists()):
        pytest.skip(f"needs the shared RealTime QA pools ({DIPLOMACY.parent}), absent here")
    from assistant.core.settings import Settings

    own = sum(_articles_with_chunks(Settings()).values())
    path = grown(own + 200, tmp_path)
    ids = [json.loads(line)["doc_id"] for line in path.read_text(encoding="utf-8").splitlines()]
    diplomacy = [json.loads(line)["doc_id"] for line in _lines(DIPLOMACY)]
    assert ids[: len(diplomacy)] == diplomacy
    added = ids[len(diplomacy) :]
    assert 1 <= len(added) <= 100, len(added)  # ~7 chunks per article
    assert len(set(ids)) == len(ids)


def test_warm_rows_appear_only_when_the_warm_pass_ran() -> None:
    assert "after it" not in table([_result()], "minilm-test")
    warmed = _result()
    warmed.ours.warm_s, warmed.ours.warm_texts = 80.0, 16_000
    warmed.ours.warm_answer_ms, warmed.ours.warm_first_text_ms = [25.0] * 19 + [60.0], [20.0] * 20
    text = table([warmed], "minilm-test")
    assert _row(text, "idle warm pass (`python -m assistant warm`), s")[1] == "80 (200 texts/s)"
    assert _row(text, "whole answer p50 after it, ms")[1:3] == ["25.0", NO_ANSWERER]
    assert _row(text, "first text p95 after it, ms")[1] == "20.0"
    assert _row(text, "whole answer p50, ms")[1] == "100.0"  # the cold rows stay as they were


def test_the_reproduce_line_carries_the_embedder_and_workers_it_ran_with(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.corpus import reproduce

    monkeypatch.setattr("sys.argv", ["headline.py", "--size", "full"])
    monkeypatch.delenv("ATTACHE_EMBED_BACKEND", raising=False)
    monkeypatch.delenv("ATTACHE_INGEST_WORKERS", raising=False)
    monkeypatch.delenv("ATTACHE_EMBED_RUNTIME", raising=False)
    assert reproduce("bench.headline") == "nice -n 19 .venv/bin/python -m bench.headline --size full"
    monkeypatch.setenv("ATTACHE_EMBED_BACKEND", "onnx-pc")
    monkeypatch.setenv("ATTACHE_INGEST_WORKERS", "2")
    monkeypatch.setenv("ATTACHE_EMBED_RUNTIME", "onnxruntime")
    line = reproduce("bench.headline")
    env = "ATTACHE_EMBED_BACKEND=onnx-pc ATTACHE_EMBED_RUNTIME=onnxruntime ATTACHE_INGEST_WORKERS=2"
    assert line.startswith(f"{env} nice -n 19 ")
    assert line.endswith("-m bench.headline --size full")
