"""Issue #22 items 3-5 below the browser: the welcome, source cards a reader trusts, the reader view, the small
things (dates warned by their field, titles from a first sentence). The browser test drives the real page."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.core.types import Answer, Article, Chunk, Citation, Passage
from assistant.store.chroma import Store
from assistant.web.chat import chat_filters, date_problems, open_article, respond
from assistant.web.reader import cited_spans, reader_html
from assistant.web.render import relevance_level, source_card
from assistant.web.welcome import example_questions, mode_text, names, overview, welcome_markdown
from ingest.metadata import title_from_text
from ingest.readers.text import parse_text_document
from tests.conftest import SEED_ARTICLE, make_settings

GOALS = "What were the stated goals of Blinken's trip?"
HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)">'


@pytest.fixture
def library(tmp_path: Path, embedder: Any) -> Assistant:
    """An assistant over an empty library of its own."""
    settings = make_settings(tmp_path / "home")
    return Assistant(settings, Store(settings, embedder), embedder)


# -- the welcome ------------------------------------------------------------------------------


def test_welcome_says_what_the_seeded_library_holds_and_how_it_answers(assistant: Assistant) -> None:
    view = overview(assistant)
    assert view.articles == 1 and view.outlets == () and view.first is None and view.undated == 1
    text = welcome_markdown(view, mode_text(assistant))
    assert "**1 article** with no outlet named, none dated" in text
    assert "Antony Blinken, the top US diplomat, will visit China this week" in text
    assert "Offline mode" in text and "No language model" in text
    assert 3 <= len(view.questions) <= 4 and len(set(view.questions)) == len(view.questions)
    assert all(q.endswith(("?", ".")) for q in view.questions)
    assert any("Antony Blinken" in q for q in view.questions) and any("China" in q for q in view.questions)


def test_every_example_question_from_the_seed_is_answered_with_citations(assistant: Assistant) -> None:
    for question in overview(assistant).questions:
        answer = assistant.answer(question)
        assert not answer.abstained and answer.citations, question


def test_example_questions_come_from_the_newest_articles_names() -> None:
    vienna = Article("v", "Envoys meet in Vienna over the grain corridor", "Envoys met in Vienna on Monday.")
    turkey = Article("t", "Turkey's President Recep Tayyip Erdogan hosts the UN chief", "The talks began on Friday.")
    found = example_questions([turkey, vienna])
    assert found[0] == "What did Recep Tayyip Erdogan say about the UN?"  # the newest article's best question first
    assert "Brief me on Vienna." in found and len(found) == 4
    assert names("The Chinese minister met Qin Gang in June. Blinken left.") == ["Qin Gang"]
    assert example_questions([Article("x", "talks resume", "talks resume today.")]) == [
        "What does the coverage say about “talks resume”?"
    ]


def test_welcome_of_an_empty_library_points_to_the_library_tab(library: Assistant) -> None:
    text = welcome_markdown(overview(library), mode_text(library))
    assert "The library is empty" in text and "**Library** tab" in text


def test_welcome_escapes_headlines() -> None:
    from assistant.web.welcome import Overview

    hostile = Article("h", HOSTILE, "x", outlet="<b>o</b>", published=date(2024, 3, 1))
    view = Overview(1, (("<b>o</b>", 1),), date(2024, 3, 1), date(2024, 3, 1), 0, (hostile,), ())
    text = welcome_markdown(view, "mode")
    assert "<script>" not in text and "<img" not in text and "<b>" not in text and "published 2024-03-01" in text


# -- source cards -----------------------------------------------------------------------------


def test_relevance_is_a_bounded_level_never_a_raw_number() -> None:
    assert relevance_level(0.62) == ("high", 3) and relevance_level(0.3) == ("medium", 2)
    assert relevance_level(-0.3) == ("low", 1)
    chunk = Chunk("c", "a", "Envoys met.", 0, 11, title="T")
    card = source_card(Passage(chunk, -0.30, 1), [])
    assert "-0.30" not in card and "−0.30" not in card and "low relevance" in card


def test_card_shows_title_outlet_byline_date_link_and_open_article() -> None:
    chunk = Chunk(
        "c",
        "art-1",
        "Envoys met.",
        0,
        11,
        title="Talks <resume>",
        outlet="Example News",
        url="https://example.com/a",
        published=date(2023, 6, 20),
        authors=("Jane Doe", "John <Roe>"),
    )
    card = source_card(Passage(chunk, 0.5, 2), [], turn=3)
    assert "Talks &lt;resume&gt;" in card and "Example News" in card and "by Jane Doe, John &lt;Roe&gt;" in card
    assert "2023-06-20" in card and 'href="https://example.com/a"' in card
    assert 'class="attache-open"' in card and 'data-read="3:art-1"' in card
    bare = source_card(Passage(Chunk("d", "b", "x", 0, 1, title="T"), 0.5, 1), [])
    assert "outlet unknown" in bare and "undated" in bare


def test_answer_cards_carry_the_seed_byline_and_title(assistant: Assistant) -> None:
    *_, (_, panel, _) = respond(assistant, GOALS, [])
    assert "Antony Blinken, the top US diplomat, will visit China this week" in panel
    assert "relevance" in panel and "attache-open" in panel


# -- the reader view --------------------------------------------------------------------------


def _citation(number: int, passage: Passage, text: str, start: int, end: int) -> Citation:
    return Citation(number, passage, text[start:end], start, end)


def test_reader_view_highlights_every_cited_span_and_escapes_the_article() -> None:
    text = f"First sentence here. {HOSTILE} Second quoted part. Third part."
    article = Article("a", "<b>Title</b>", text, outlet="<i>O</i>", authors=("Jane Doe",))
    passage = Passage(Chunk("c", "a", text, 0, len(text)), 0.5, 1)
    other = Passage(Chunk("d", "elsewhere", "x", 0, 1), 0.5, 2)
    s1, s2 = text.index("Second"), text.index("Third")
    citations = (
        _citation(1, passage, text, 0, 20),
        _citation(2, passage, text, s1, s1 + 19),
        _citation(3, passage, text, s1 + 7, s2 + 5),  # overlaps the one before: one mark
        _citation(4, other, "x", 0, 1),
    )
    spans = cited_spans(Answer("Q?", "…", citations, (passage, other)), "a")
    assert spans == [(0, 20, (1,)), (s1, s2 + 5, (2, 3))]
    page = reader_html(article, spans)
    assert page.count("<mark") == 2 and 'id="attache-read-1"' in page and "[2][3]" in page
    assert (
        '<mark id="attache-read-1" class="attache-read-mark" title="quoted by [1]">First sentence here.</mark>' in page
    )
    assert "<script>" not in page and "<img" not in page and "<b>Title" not in page and "<i>O" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "by Jane Doe" in page
    assert "2 quoted passages highlighted" in page
    assert "no longer in the library" in reader_html(None)


def test_open_article_from_a_turn_shows_its_quotes(assistant: Assistant) -> None:
    *_, (_, _, turns) = respond(assistant, GOALS, [])
    answer = turns[0].result
    assert answer is not None
    article_id = answer.citations[0].passage.chunk.article_id
    page = open_article(assistant, turns, f"1:{article_id}")
    assert "<mark" in page and "military-to-military" in page
    assert "Al Jazeera" in page  # the whole article, not a passage
    assert "no longer in the library" in open_article(assistant, turns, "1:nope")
    assert "<mark" not in open_article(assistant, turns, f"9:{article_id}")  # no such turn: no highlights


# -- small things -----------------------------------------------------------------------------


def test_date_warnings_name_their_field_by_its_label() -> None:
    assert date_problems(None, "", None) == {}
    problems = date_problems("March", None, "2023-13-45")
    assert problems["from"].startswith("Published from: 'March' is not a date")
    assert problems["as_of"].startswith("As of: ") and "to" not in problems
    empty = date_problems("2024-04-01", "2024-03-01", None)
    assert list(empty) == ["to"] and "Published to (2024-03-01) is before Published from (2024-04-01)" in empty["to"]
    assert chat_filters([], "2024-03-01", None) is not None


def test_a_title_comes_from_the_first_sentence_at_a_word_boundary(tmp_path: Any) -> None:
    seed = parse_text_document(SEED_ARTICLE.read_text(encoding="utf-8"), SEED_ARTICLE)
    # the whole first sentence (147 characters) fits a text file's title limit: no cut, no ellipsis
    assert seed.title == (
        "Antony Blinken, the top US diplomat, will visit China this week after the trip was postponed in February "
        "due to tensions between the two countries"
    )
    dated = "WASHINGTON, June 14 (Reuters) - The United States and China agreed on Monday to resume talks. More."
    assert title_from_text(dated) == "The United States and China agreed on Monday to resume talks"
    assert title_from_text("By Jane Doe\nPublished June 14, 2023\nEnvoys met in Vienna. Then more.") == (
        "Envoys met in Vienna"
    )
    long = "Envoys " + " ".join(["discussed"] * 40) + " grain."
    cut = title_from_text(long)
    assert cut.endswith("…") and len(cut) <= 91 and cut[:-1] == cut[:-1].rstrip() and " discussed…" in cut
    plain = tmp_path / "note.txt"
    plain.write_text("KYIV, Ukraine — Envoys reached a grain deal on Friday, officials said.\n\nMore text.\n")
    assert (
        parse_text_document(plain.read_text(), plain).title == "Envoys reached a grain deal on Friday, officials said"
    )
