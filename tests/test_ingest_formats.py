"""Every input format, with fixtures the tests write: text, metadata, ids, dates, folders, globs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import ConfigError
from assistant.store.chroma import Store
from ingest.loaders import LoadOptions, expand_paths, load_file
from ingest.metadata import article_id, date_in_text, parse_date, published_date, split_authors
from ingest.pipeline import ingest_paths
from ingest.readers.records import parse_field_map
from tests.test_ingest_fixtures import make_pdf, paragraphs, story, write_article, write_jsonl

URL = "https://www.example-times.org/world/2023/06/14/envoys-vienna"


def _page(body: str, *, meta: bool = True) -> str:
    head = (
        '<meta property="og:site_name" content="Example Times">'
        '<meta property="og:title" content="Envoys meet in Vienna">'
        '<meta name="author" content="Jane Doe and John Roe">'
        '<meta property="article:published_time" content="2023-06-14T09:30:00Z">'
        f'<link rel="canonical" href="{URL}">'
        if meta
        else ""
    )
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f"<html><head><title>Envoys meet in Vienna | Example Times</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a> | <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Envoys meet in Vienna</h1>{paras}</article>"
        "<footer>Copyright Example Times. Subscribe to our newsletter. Cookie settings.</footer></body></html>"
    )


def test_html_text_and_metadata_come_from_trafilatura(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(_page(story(1)), encoding="utf-8")
    (article,) = load_file(path).articles
    assert article.title == "Envoys meet in Vienna"
    assert (article.outlet, article.url, article.published) == ("Example Times", URL, date(2023, 6, 14))
    assert article.authors == ("Jane Doe", "John Roe")
    assert article.id == article_id(URL, "")
    assert article.text.startswith(paragraphs(1)[0][:60])
    assert "Subscribe" not in article.text and "Home" not in article.text and "Sport" not in article.text
    assert article.text.count("\n\n") == 7  # paragraphs kept


def test_html_without_metadata_falls_back_to_host_and_content_id(tmp_path: Path) -> None:
    path = tmp_path / "bare.htm"
    path.write_text(_page("GENEVA, March 3, 2024 — " + story(2), meta=False), encoding="utf-8")
    (article,) = load_file(path).articles
    assert article.url == "" and article.id == article_id("", article.text)
    assert article.published == date(2024, 3, 3)


def test_json_single_object_and_list(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"title": "Talks", "text": story(3), "url": "https://news.example.com/a"}))
    (article,) = load_file(one).articles
    assert (article.title, article.outlet) == ("Talks", "news.example.com")

    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": story(4), "url": "https://a.example/1"}, {"title": "no text"}]))
    result = load_file(many)
    assert len(result.articles) == 1
    assert [(e.path, "text" in e.reason) for e in result.errors] == [(f"{many}[1]", True)]


def test_jsonl_field_mapping_with_nested_keys(tmp_path: Path) -> None:
    record = {
        "headline": "Ministers agree timetable",
        "body": story(5),
        "link": "https://wire.example.net/story/77",
        "meta": {"when": "Wed, 14 Jun 2023 09:30:00 GMT", "source": {"name": "Example Wire"}},
        "byline": "By Ana Ruiz & Li Wei",
    }
    path = write_jsonl(tmp_path / "export.jsonl", [record])
    options = LoadOptions(
        field_map=parse_field_map("text=body,title=headline,url=link,published=meta.when,outlet=meta.source")
    )
    (article,) = load_file(path, options).articles
    assert (article.title, article.url, article.outlet) == (
        "Ministers agree timetable",
        "https://wire.example.net/story/77",
        "Example Wire",
    )
    assert article.published == date(2023, 6, 14) and article.authors == ("Ana Ruiz", "Li Wei")
    unmapped = load_file(write_jsonl(tmp_path / "other.jsonl", [{"story": "x"}]))
    assert "--map text=KEY" in unmapped.errors[0].reason


def test_field_map_rejects_unknown_fields() -> None:
    with pytest.raises(ConfigError, match="unknown field 'body'"):
        parse_field_map("body=text")
    with pytest.raises(ConfigError, match="expected FIELD=KEY"):
        parse_field_map("text")


def test_pdf_text_title_author_and_date(tmp_path: Path) -> None:
    lines = ["Envoys meet in Vienna", "VIENNA, June 14, 2023 - Envoys from twelve countries met on Tuesday", "to"]
    lines[-1] += " discuss a cease-"
    lines.append("fire, officials said. The talks lasted nine hours.")
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(lines, title="Envoys meet in Vienna", author="Jane Doe", created="D:20230615120000Z"))
    (article,) = load_file(path).articles
    assert article.title == "Envoys meet in Vienna" and article.authors == ("Jane Doe",)
    assert article.published == date(2023, 6, 14)  # the dateline, not the day the PDF was made
    assert "discuss a ceasefire, officials said." in article.text
    assert "met on Tuesday to discuss" in article.text  # wrapped lines rejoined


def test_text_dateline_gives_the_date(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Talks stall\n\nOSLO, 2 February 2024 (Newswire) - " + story(6))
    (article,) = load_file(path).articles
    assert article.title == "Talks stall" and article.published == date(2024, 2, 2)


@pytest.mark.parametrize(
    ("value", "url", "text", "expected"),
    [
        ("2023/06/14", "", "", date(2023, 6, 14)),
        ("Wed, 14 Jun 2023 09:30:00 GMT", "", "", date(2023, 6, 14)),
        ("Updated 9:30 AM EDT, Wed June 14, 2023", "", "", date(2023, 6, 14)),
        (1686735000, "", "", date(2023, 6, 14)),
        ("", "https://www.cnn.com/2022/05/16/politics/x/index.html", "", date(2022, 5, 16)),
        ("", "", "WASHINGTON, Sept. 9, 2022 — The talks ended.", date(2022, 9, 9)),
        ("soon", "", "No date here at all.", None),
    ],
)
def test_published_date_sources(value: Any, url: str, text: str, expected: date | None) -> None:
    assert published_date(value, url, text) == expected


def test_dates_and_authors_edge_cases() -> None:
    assert parse_date("2023-02-30") is None and parse_date(None) is None
    assert date_in_text("x " * 300 + "June 14, 2023") is None  # past the dateline
    assert split_authors("By Jane Doe, John Roe and Ana Ruiz") == ("Jane Doe", "John Roe", "Ana Ruiz")
    assert split_authors([{"name": "A B"}, "C D", "A B"]) == ("A B", "C D")


def test_folders_recurse_globs_expand_and_unsupported_files_are_skipped(tmp_path: Path) -> None:
    for name in ["a/one.md", "a/b/two.txt", "a/b/c/three.html", "a/.hidden/x.md", "a/four.pdf"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "a/notes.docx").write_bytes(b"PK")
    skipped: list[Path] = []
    found = expand_paths([tmp_path / "a"], skipped)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/b/c/three.html",
        "a/b/two.txt",
        "a/four.pdf",
        "a/one.md",
    ]
    assert skipped == [tmp_path / "a/notes.docx"]
    assert expand_paths([tmp_path / "a/**/*.txt"]) == [tmp_path / "a/b/two.txt"]
    assert expand_paths([tmp_path / "nothing*.md"]) == [tmp_path / "nothing*.md"]  # reported as missing


def test_mixed_folder_metadata_is_on_every_chunk(settings: Any, embedder: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder / "a.md", story(7), "Talks resume", url="https://a.example/x", date="2024-03-05")
    (folder / "b.html").write_text(_page(story(8)), encoding="utf-8")
    write_jsonl(folder / "c.jsonl", [{"text": story(9), "url": "https://c.example/2", "authors": ["Ana Ruiz"]}])
    (folder / "d.pdf").write_bytes(make_pdf(story(10).split(". ")[:30], title="Brief"))
    store = Store(settings, embedder)
    report = ingest_paths([folder / "*"], store, embedder, settings)
    assert report.ok and report.added == 4, report.summary()
    got = store._chunks.get(include=["metadatas"])
    metas = [dict(m) for m in got["metadatas"] or []]
    assert {m["outlet"] for m in metas} == {"a.example", "Example Times", "c.example", ""}
    by_outlet = {m["outlet"]: m for m in metas}
    assert by_outlet["Example Times"]["authors"] == "Jane Doe; John Roe"
    assert by_outlet["Example Times"]["published"] == "2023-06-14"
    assert by_outlet["c.example"]["authors"] == "Ana Ruiz"
    assert all({"title", "url", "published", "published_day", "authors", "n_outlets"} <= set(m) for m in metas)
    assert len(metas) == store.count_chunks() == sum(n for _, n in store.list_articles())
