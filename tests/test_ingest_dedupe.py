"""Wire copies are stored once with every outlet recorded; different stories on one event stay apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.store.chroma import Store
from ingest.dedupe import Fingerprint, NearDuplicates, fingerprint
from ingest.manage import describe
from ingest.pipeline import ingest_paths
from tests.conftest import make_settings, run_module
from tests.test_ingest_fixtures import same_event_story, story, wire_copy, write_article


def _outlets(folder: Path, seed: int, outlets: list[str]) -> list[Path]:
    """The same agency story as run by each outlet (the first runs the original)."""
    paths = []
    for i, outlet in enumerate(outlets):
        text = story(seed) if i == 0 else wire_copy(story(seed), dateline=f"GENEVA ({outlet}) —", footer=f"© {outlet}")
        url = f"https://www.{outlet.lower()}.example/world/talks-{seed}"
        paths.append(write_article(folder / f"{i}-{outlet}.md", text, f"Talks in Geneva ({outlet})", url=url))
    return paths


def _chunk_metas(store: Store) -> list[dict[str, Any]]:
    return [dict(m) for m in store._chunks.get(include=["metadatas"])["metadatas"] or []]


def test_near_duplicate_pair_is_stored_once_with_both_outlets(settings: Any, embedder: Any, tmp_path: Path) -> None:
    _outlets(tmp_path / "in", 1, ["Herald", "Courier"])
    store = Store(settings, embedder)
    report = ingest_paths([tmp_path / "in"], store, embedder, settings)
    assert (report.added, len(report.duplicates)) == (1, 1)
    assert report.duplicates[0].similarity > 0.7
    ((article, n_chunks),) = store.list_articles()
    assert article.outlet == "herald.example" and article.also_reported_by == ("courier.example",)
    assert [c.url for c in article.copies] == ["https://www.courier.example/world/talks-1"]
    assert store.count_chunks() == n_chunks
    assert {(m["also_reported_by"], m["n_outlets"]) for m in _chunk_metas(store)} == {("courier.example", 2)}
    assert "also reported by courier.example (1 copies)" in describe(article)


def test_different_stories_on_the_same_event_are_kept_apart(settings: Any, embedder: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for seed in (2, 3):
        write_article(folder / f"a{seed}.md", story(seed), "Geneva talks", url=f"https://a.example/{seed}")
        write_article(folder / f"b{seed}.md", same_event_story(seed), "Geneva talks", url=f"https://b.example/{seed}")
    store = Store(settings, embedder)
    report = ingest_paths([folder], store, embedder, settings)
    assert (report.added, report.duplicates) == (4, [])
    assert all(article.copies == () for article, _ in store.list_articles())


def test_copies_arriving_later_are_recorded_on_the_stored_article(settings: Any, embedder: Any, tmp_path: Path) -> None:
    first, *later = _outlets(tmp_path / "all", 4, ["Herald", "Courier", "Gazette"])
    store = Store(settings, embedder)
    assert ingest_paths([first], store, embedder, settings).added == 1
    report = ingest_paths(later, Store(make_settings(settings.home), embedder), embedder, settings)
    assert (report.added, len(report.duplicates)) == (0, 2)
    ((article, _),) = store.list_articles()
    assert article.also_reported_by == ("courier.example", "gazette.example") and article.n_outlets == 3
    assert {m["n_outlets"] for m in _chunk_metas(store)} == {3}
    again = ingest_paths([tmp_path / "all"], store, embedder, settings)
    assert (again.unchanged, again.added, again.duplicates) == (3, 0, [])


def test_a_copy_rewritten_into_its_own_story_becomes_an_article(settings: Any, embedder: Any, tmp_path: Path) -> None:
    _, copy_path = _outlets(tmp_path / "in", 5, ["Herald", "Courier"])
    store = Store(settings, embedder)
    ingest_paths([tmp_path / "in"], store, embedder, settings)
    write_article(copy_path, story(99), "Courier's own story", url="https://www.courier.example/world/talks-5")
    report = ingest_paths([tmp_path / "in"], store, embedder, settings)
    assert (report.added, report.unchanged, report.duplicates) == (1, 1, [])
    articles = {a.outlet: a for a, _ in store.list_articles()}
    assert set(articles) == {"herald.example", "courier.example"} and articles["herald.example"].copies == ()
    assert {m["n_outlets"] for m in _chunk_metas(store)} == {1}


def test_dedupe_can_be_turned_off(tmp_path: Path, embedder: Any) -> None:
    settings = make_settings(tmp_path / "home", dedupe_threshold=0.0)
    _outlets(tmp_path / "in", 6, ["Herald", "Courier"])
    report = ingest_paths([tmp_path / "in"], Store(settings, embedder), embedder, settings)
    assert (report.added, report.duplicates) == (2, [])


def test_index_prefers_the_closest_match_and_round_trips_signatures() -> None:
    index = NearDuplicates(0.6)
    base, other = fingerprint(story(7)), fingerprint(story(8))
    assert base and other
    index.add("b", base)
    index.add("o", other)
    copy = fingerprint(wire_copy(story(7)))
    assert copy is not None
    match = index.best_match(copy)
    assert match is not None and match[0] == "b" and match[1] > 0.7
    decoded = Fingerprint.decode(base.encode())
    assert decoded is not None and decoded.jaccard(base) == 1.0
    assert Fingerprint.decode("") is None and Fingerprint.decode("v0:abc") is None
    assert fingerprint("too short to compare") is None


def test_cli_show_lists_the_copies_and_delete_removes_the_article(tmp_path: Path) -> None:
    _outlets(tmp_path / "in", 9, ["Herald", "Courier", "Gazette"])
    env = {"ATTACHE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    assert run_module("ingest", "-q", str(tmp_path / "in"), env=env).returncode == 0
    listing = run_module("ingest", "list", env=env)
    assert "1 articles" in listing.stdout and "herald.example +2" in listing.stdout
    article_id = listing.stdout.split()[0]
    shown = run_module("ingest", "show", article_id, env=env)
    assert shown.returncode == 0
    assert "also reported by courier.example, gazette.example (2 copies):" in shown.stdout
    assert "https://www.gazette.example/world/talks-9" in shown.stdout and "from " in shown.stdout
    assert run_module("ingest", "delete", article_id, env=env).stdout.strip() == f"deleted {article_id}"
    missing = run_module("ingest", "show", article_id, env=env)
    assert missing.returncode == 1 and f"no article {article_id}" in missing.stderr
    assert "0 articles, 0 chunks" in run_module("ingest", "list", env=env).stdout
