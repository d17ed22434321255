"""The shared RealTime QA diplomacy pool: every record parses; a 100-article sample ingests end to end.

The full 1,304-article ingest is a benchmark (``bench/experiments/ingest_rate.py``), not a test.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.store.chroma import Store
from ingest.loaders import load_file
from tests.conftest import MEASURED, SHARED, make_settings, run_module

ARTICLES = SHARED / "diplomacy_articles.jsonl"
SAMPLE = 100


@pytest.fixture(scope="module")
def shared_articles() -> Path:
    if not ARTICLES.exists():
        pytest.skip(f"shared RealTime QA data not found at {ARTICLES} (needs ../shared next to the repo)")
    return ARTICLES


def test_every_shared_record_parses_with_its_metadata(shared_articles: Path) -> None:
    result = load_file(shared_articles)
    assert not result.errors and len(result.articles) == 1304
    assert len({a.id for a in result.articles}) == 1304
    assert all(a.title and a.url and a.outlet and a.text for a in result.articles)
    assert sum(a.published is not None for a in result.articles) == 1304  # one from its URL or text
    records = [json.loads(line) for line in shared_articles.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [a.authors for a in result.articles] == [tuple(dict.fromkeys(r["authors"])) for r in records]
    assert Counter(a.outlet for a in result.articles).keys() == {"cnn.com", "usatoday.com", "theweek.co.uk"}


def test_a_100_article_sample_ingests_end_to_end(shared_articles: Path, tmp_path: Path, embedder: Any) -> None:
    lines = [line for line in shared_articles.read_text(encoding="utf-8").splitlines() if line.strip()]
    step = len(lines) // SAMPLE
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines[::step][:SAMPLE]) + "\n", encoding="utf-8")
    home, report_path = tmp_path / "home", tmp_path / "report.json"
    env = {**os.environ, "ATTACHE_HOME": str(home)}
    # ~850 chunks: 2-3 minutes on an idle 2-core machine, several times that when it is shared
    run = run_module("ingest", "-q", str(sample), "--report", str(report_path), env=env, timeout=1800)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(report_path.read_text())
    assert report["ok"] and report["failed"] == []
    assert report["added"] + len(report["duplicates"]) == SAMPLE
    store = Store(make_settings(home), embedder)
    assert store.count_articles() == report["added"]
    assert store.count_chunks() == report["chunks"] == sum(n for _, n in store.list_articles())
    metas = [dict(m) for m in store._chunks.get(include=["metadatas"])["metadatas"] or []]
    assert all(m["title"] and m["outlet"] and m["url"] and m["published"] for m in metas)
    MEASURED["shared 100-article sample"] = (
        f"{report['added']} stored + {len(report['duplicates'])} near-duplicates, {report['chunks']} chunks, "
        f"{report['articles_per_second']:.2f} articles/s, {report['chunks_per_second']:.1f} chunks/s"
    )
