"""Incremental ingest: re-runs are no-ops, a changed article replaces only its own chunks, prune forgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assistant.store.chroma import Store
from ingest.pipeline import ingest_paths
from tests.conftest import make_settings, run_module
from tests.test_ingest_fixtures import story, wire_copy, write_article, write_jsonl


def _snapshot(store: Store) -> dict[str, tuple[str, str, tuple[float, ...]]]:
    """Chunk id → (article id, text, rounded embedding)."""
    got = store._chunks.get(include=["metadatas", "documents", "embeddings"])
    rows = zip(got["ids"], got["metadatas"] or [], got["documents"] or [], got["embeddings"], strict=True)
    return {cid: (str(m["article_id"]), doc, tuple(np.round(e, 5))) for cid, m, doc, e in rows}


def _library(folder: Path, host: str = "news.example", seed: int = 20) -> list[Path]:
    return [
        write_article(folder / f"story{i}.md", story(seed + i), f"Story {i}", url=f"https://{host}/{i}")
        for i in range(3)
    ]


def test_reingest_is_a_noop(settings: Any, embedder: Any, tmp_path: Path) -> None:
    _library(tmp_path / "in")
    store = Store(settings, embedder)
    first = ingest_paths([tmp_path / "in"], store, embedder, settings)
    before = _snapshot(store)
    second = ingest_paths([tmp_path / "in"], Store(settings, embedder), embedder, settings)
    assert (first.added, first.unchanged) == (3, 0)
    assert (second.added, second.replaced, second.unchanged, second.chunks) == (0, 0, 3, 0)
    assert _snapshot(store) == before


def test_changed_article_replaces_only_its_own_chunks(settings: Any, embedder: Any, tmp_path: Path) -> None:
    paths = _library(tmp_path / "in")
    store = Store(settings, embedder)
    ingest_paths([tmp_path / "in"], store, embedder, settings)
    before = _snapshot(store)
    changed_id = next(aid for aid, _, _ in before.values() if store.get_article(aid).title == "Story 1")  # type: ignore[union-attr]
    write_article(paths[1], "Update: the talks were called off. " * 40, "Story 1", url="https://news.example/1")
    report = ingest_paths([tmp_path / "in"], store, embedder, settings)
    after = _snapshot(store)
    assert (report.replaced, report.unchanged, report.added) == (1, 2, 0)
    untouched = {cid: row for cid, row in before.items() if row[0] != changed_id}
    assert {cid: row for cid, row in after.items() if row[0] != changed_id} == untouched
    new_chunks = [row for row in after.values() if row[0] == changed_id]
    old_chunks = [row for row in before.values() if row[0] == changed_id]
    assert len(new_chunks) == 1 < len(old_chunks)  # no leftovers of the longer old version
    assert new_chunks[0][1].startswith("Update: the talks were called off.")
    assert store.get_article(changed_id).text.startswith("Update:")  # type: ignore[union-attr]
    assert store.repair() == 0


def test_moved_file_is_not_reembedded_and_keeps_its_source(settings: Any, embedder: Any, tmp_path: Path) -> None:
    (path,) = _library(tmp_path / "in")[:1]
    store = Store(settings, embedder)
    ingest_paths([tmp_path / "in"], store, embedder, settings)
    moved = tmp_path / "in" / "archive" / path.name
    moved.parent.mkdir()
    path.rename(moved)
    report = ingest_paths([tmp_path / "in"], store, embedder, settings, prune_missing=True)
    assert (report.unchanged, report.chunks, report.pruned) == (3, 0, [])
    sources = {a.source_path for a, _ in store.list_articles()}
    assert str(moved.resolve()) in sources and str(path.resolve()) not in sources


def test_prune_deletes_articles_whose_files_are_gone(settings: Any, embedder: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paths = _library(folder)
    export = write_jsonl(
        folder / "export.jsonl",
        [{"text": story(30 + i), "url": f"https://wire.example/{i}", "title": f"Wire {i}"} for i in range(3)],
    )
    store = Store(settings, embedder)
    assert ingest_paths([folder], store, embedder, settings).added == 6
    paths[0].unlink()  # a file removed
    write_jsonl(export, [{"text": story(30), "url": "https://wire.example/0", "title": "Wire 0"}])  # two records
    report = ingest_paths([folder], store, embedder, settings, prune_missing=True)
    assert report.ok and len(report.pruned) == 3, report.summary()
    assert sorted(a.title for a, _ in store.list_articles()) == ["Story 1", "Story 2", "Wire 0"]
    assert store.count_chunks() == sum(n for _, n in store.list_articles())
    assert store.repair() == 0


def test_prune_keeps_articles_of_files_that_failed_and_outside_the_paths(
    settings: Any, embedder: Any, tmp_path: Path
) -> None:
    inside, outside = _library(tmp_path / "in"), _library(tmp_path / "elsewhere", "other.example", 50)
    store = Store(settings, embedder)
    ingest_paths([tmp_path / "in", tmp_path / "elsewhere"], store, embedder, settings)
    outside[0].unlink()  # gone, but not under the pruned path
    inside[1].write_bytes(b"\xff\xfe broken now")  # unreadable this time: not a reason to delete
    report = ingest_paths([tmp_path / "in"], store, embedder, settings, prune_missing=True)
    assert report.pruned == [] and len(report.failed) == 1
    assert store.count_articles() == 6


def test_prune_of_a_kept_article_promotes_its_surviving_copy(settings: Any, embedder: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    original = write_article(folder / "a.md", story(40), "Deal reached", url="https://first.example/deal")
    write_article(folder / "b.md", wire_copy(story(40)), "Deal reached", url="https://second.example/deal")
    store = Store(settings, embedder)
    first = ingest_paths([folder], store, embedder, settings)
    assert (first.added, len(first.duplicates)) == (1, 1)
    original.unlink()
    report = ingest_paths([folder], store, embedder, settings, prune_missing=True)
    ((article, _),) = store.list_articles()
    assert article.url == "https://second.example/deal" and article.copies == ()
    assert report.added == 1 and len(report.pruned) == 1


def test_cli_prune_and_report(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "in"
    paths = _library(folder)
    env = {"ATTACHE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "ANONYMIZED_TELEMETRY": "False"}
    assert run_module("ingest", "-q", str(folder), env=env).returncode == 0
    paths[2].unlink()
    run = run_module("ingest", "-q", "--prune", str(folder), "--report", str(tmp_path / "r.json"), env=env)
    assert run.returncode == 0, run.stderr
    assert "pruned 1" in run.stdout and '"pruned": [' in (tmp_path / "r.json").read_text()
    listing = run_module("ingest", "list", env=env)
    assert "2 articles" in listing.stdout and "Story 2" not in listing.stdout
    assert Store(make_settings(tmp_path / "home"), embedder).count_articles() == 2


def test_a_metadata_correction_is_picked_up(settings: Any, embedder: Any, tmp_path: Path) -> None:
    path = write_article(tmp_path / "a.md", story(60), "Talks", url="https://news.example/a")
    store = Store(settings, embedder)
    ingest_paths([path], store, embedder, settings)
    write_article(path, story(60), "Talks", url="https://news.example/a", outlet="Example News")
    report = ingest_paths([path], store, embedder, settings)
    assert report.replaced == 1
    metas = store._chunks.get(include=["metadatas"])["metadatas"] or []
    assert {m["outlet"] for m in metas} == {"Example News"}
