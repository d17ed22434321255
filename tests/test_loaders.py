import json
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.metadata import article_id, parse_date
from ingest.readers.text import split_summary
from tests.conftest import SEED_ARTICLE, SHARED


def test_seed_summary_is_recognised() -> None:
    result = load_file(SEED_ARTICLE)
    assert not result.errors
    (article,) = result.articles
    bullets = article.summary.split("\n")
    assert len(bullets) == 5
    assert bullets[0].startswith("Antony Blinken, the top US diplomat")
    assert bullets[-1].startswith("Blinken has already spoken")
    # the body starts with the first paragraph, not glued to the summary
    assert article.text.startswith("As seen on Al Jazeera, the United States has confirmed")
    assert "–" not in article.text[:50]
    assert article.title.startswith("Antony Blinken, the top US diplomat")


def test_split_summary_needs_leading_bullet() -> None:
    assert split_summary("– One point.– Two point.") == ["One point.", "Two point."]
    assert split_summary("A normal paragraph – with a dash.") is None


def test_title_line_and_front_matter(tmp_path: Path) -> None:
    plain = tmp_path / "a.md"
    plain.write_text("# Talks resume in Geneva\n\nDiplomats met on Monday. They agreed to meet again.\n")
    (article,) = load_file(plain).articles
    assert article.title == "Talks resume in Geneva"
    assert article.text.startswith("Diplomats met on Monday.")

    front = tmp_path / "b.md"
    front.write_text(
        "---\ntitle: Summit ends\nurl: https://www.example.org/x\ndate: 2024-03-05\n---\nBody text here.\n"
    )
    (article,) = load_file(front).articles
    assert (article.title, article.outlet, article.published) == (
        "Summit ends",
        "example.org",
        date(2024, 3, 5),
    )
    assert article.id == article_id("https://example.org/x", "")


def test_jsonl_records_and_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = {
        "doc_id": "x",
        "url": "https://cnn.com/a",
        "title": "T",
        "text": "Body.",
        "publish_date": "2023/06/14",
    }
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n")
    result = load_file(path)
    assert [a.title for a in result.articles] == ["T"]
    assert result.articles[0].published == date(2023, 6, 14)
    assert result.articles[0].outlet == "cnn.com"
    assert [e.path for e in result.errors] == [f"{path}:2", f"{path}:3"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"   \n", "empty"), (b"\x00\x01binary", "binary"), (b"\xff\xfe\xfa bad", "UTF-8")],
)
def test_bad_files_are_reported(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = load_file(path)
    assert not result.articles
    assert reason in result.errors[0].reason and result.errors[0].path == str(path)


def test_question_sets_are_not_articles() -> None:
    result = load_file(SEED_ARTICLE.parent / "questions.jsonl")
    assert not result.articles and "question set" in result.errors[0].reason


def test_parse_date() -> None:
    assert parse_date("2022/06/10") == date(2022, 6, 10)
    assert parse_date("2023-06-14T09:30:00Z") == date(2023, 6, 14)
    assert parse_date("") is None and parse_date("soon") is None


def test_shared_realtimeqa_articles_all_parse() -> None:
    path = SHARED / "diplomacy_articles.jsonl"
    if not path.exists():
        pytest.skip(f"shared RealTime QA data not found at {path}")
    result = load_file(path)
    assert len(result.articles) == 1304 and not result.errors
    assert len({a.id for a in result.articles}) == 1304
