"""The analyst's views end to end (#23): real ingest, real Chroma, the real embedder, on the seed and on a small
library of dated articles from two outlets with a wire copy and an undated article (tests/views_library.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.conversation import Turn
from assistant.core.types import Filters
from tests.conftest import make_settings
from tests.views_library import CAPITAL, HARBOR, ingest_views_library


@pytest.fixture(scope="module")
def views_home(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    home = tmp_path_factory.mktemp("views")
    ingest_views_library(home, embedder)
    return home


@pytest.fixture(scope="module")
def bot(views_home: Path, embedder: Any) -> Any:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import Store

    settings = make_settings(views_home)
    return Assistant(settings, Store(settings, embedder), embedder)


def _text(bot: Any, article_id: str) -> str:
    article = bot.store.get_article(article_id)
    assert article is not None
    return str(article.text)


def test_campbell_over_the_seed_returns_his_lines_of_communication_quote(assistant: Any) -> None:
    quotes = assistant.quotes(speaker="Campbell")
    assert quotes and {q.speaker for q in quotes} == {"Kurt Campbell"}
    wanted = "I believe Secretary Blinken will advocate strongly that these lines of communication are necessary,"
    [quote] = [q for q in quotes if q.text == wanted]
    assert quote.role == "White House Indo-Pacific Coordinator"
    assert _text(assistant, quote.article_id)[quote.start : quote.end] == wanted
    assert assistant.quotes(speaker="Campbell", about="lines of communication")[0].text in {wanted, quotes[0].text}


def test_every_quote_is_an_exact_substring_of_its_article(bot: Any, assistant: Any) -> None:
    for holder in (bot, assistant):
        quotes = holder.views.index.quotes()
        assert quotes
        for quote in quotes:
            assert _text(holder, quote.article_id)[quote.start : quote.end] == quote.text


def test_quotes_by_speaker_topic_outlet_and_date(bot: Any) -> None:
    varga = bot.quotes(speaker="Varga")
    assert {q.speaker for q in varga} == {"Piet Varga"} and len(varga) == 2
    assert all(q.outlet == CAPITAL for q in varga)
    assert [q.text for q in bot.quotes(speaker="varga", about="coast guard agreement")] == [
        "This is the first coast guard agreement between our countries,"
    ]
    assert bot.quotes(speaker="Varga", filters=Filters(outlets=(HARBOR,))) == []
    assert [q.published for q in bot.quotes(speaker="Varga", as_of=date(2024, 3, 5))] == [date(2024, 3, 4)]
    assert bot.quotes(speaker="Nobody Atall") == []
    ruiz = bot.quotes(speaker="Ruiz")
    assert {q.outlet for q in ruiz} == {CAPITAL, HARBOR}  # "she said" in the harbour piece is hers too
    assert ruiz[0].role == "Norland’s foreign minister" or any(q.role for q in ruiz)


def test_timeline_in_day_order_merges_one_event_and_lists_the_undated_last(bot: Any) -> None:
    events = bot.timeline()
    days = [e.day for e in events]
    dated = [d for d in days if d is not None]
    assert dated == sorted(dated) and days[-1] is None and days.index(None) == len(dated)
    commission = [e for e in events if e.day == date(2024, 3, 18)]
    assert len(commission) == 1 and {s.outlet for s in commission[0].sources} == {CAPITAL, HARBOR}
    assert "published" in commission[0].resolved_from
    undated = [e for e in events if e.day is None]
    assert undated and "no published date" in undated[0].resolved_from
    for event in events:
        for source in event.sources:
            assert _text(bot, source.article_id)[source.start : source.end] == event.text or len(event.sources) > 1
    signing = [e for e in events if e.day == date(2024, 3, 8)]
    assert signing and "Friday" in signing[0].resolved_from


def test_timeline_on_a_query_keeps_the_story_and_drops_the_tram(bot: Any) -> None:
    events = bot.timeline("joint patrol agreement for the fisheries")
    assert events and not any("tram" in e.text for e in events)
    assert any(e.day == date(2024, 3, 8) for e in events)
    assert [e.day for e in bot.timeline(filters=Filters(outlets=(HARBOR,))) if e.day] == sorted(
        e.day for e in bot.timeline(filters=Filters(outlets=(HARBOR,))) if e.day
    )


def test_coverage_lays_out_both_outlets_with_the_wire_copy_folded(bot: Any) -> None:
    coverage = bot.coverage("fisheries talks between Norland and Sudavia")
    outlets = [o.outlet for o in coverage.outlets]
    assert outlets == [CAPITAL, HARBOR]  # the first to report first
    capital = coverage.outlets[0]
    assert capital.first_published == date(2024, 3, 4) and capital.also_ran_in == (HARBOR,)
    assert coverage.outlets[1].first_published == date(2024, 3, 5)
    assert coverage.independent_sources >= 2
    for outlet in coverage.outlets:
        assert outlet.sentences
        for sentence in outlet.sentences:
            assert _text(bot, sentence.article_id)[sentence.start : sentence.end] == sentence.text
    assert bot.coverage("tram line", filters=Filters(outlets=(CAPITAL,))).outlets == ()
    early = bot.coverage("fisheries talks", as_of=date(2024, 3, 4))
    assert early.outlets[0].outlet == CAPITAL
    for outlet in early.outlets:  # nothing published after the as-of date (undated background may stay)
        assert outlet.first_published is None or outlet.first_published <= date(2024, 3, 4)
        assert all(s.published is None or s.published <= date(2024, 3, 4) for s in outlet.sentences)


def test_chat_answers_what_someone_said_with_their_quotes(bot: Any) -> None:
    answer = bot.answer("What did Piet Varga say about the coast guard agreement?")
    assert not answer.abstained
    assert "“This is the first coast guard agreement between our countries,”" in answer.text
    [citation] = answer.citations
    assert _text(bot, citation.passage.chunk.article_id)[citation.start : citation.end] == citation.quote
    plain = bot.answer("When will the fisheries commission first meet?")
    assert not plain.citations or all("“" not in s.text[:1] for s in plain.sentences)


def test_a_follow_up_about_what_someone_said_gets_their_quotes(bot: Any) -> None:
    """The rewritten follow-up carries topic words for retrieval ("… (Sudavia foreign minister)"); the quote
    answer reads the question without them."""
    first = bot.answer("Who is Piet Varga, Sudavia's foreign minister?")
    history = [Turn("Who is Piet Varga, Sudavia's foreign minister?", first.query, first.text)]
    answer = bot.answer("What did he say about the coast guard agreement?", history=history)
    assert answer.query.endswith(")")
    assert "“This is the first coast guard agreement between our countries,”" in answer.text
    assert all(s.text.startswith("Piet Varga") for s in answer.sentences)  # his quotations, each under his name


def test_answer_sentences_count_the_outlets_that_say_them(bot: Any) -> None:
    answer = bot.answer("What did Norland and Sudavia agree about fishing quotas?")
    assert not answer.abstained
    counted = [s for s in answer.sentences if s.citations]
    assert counted and all(s.outlets for s in counted)
    assert max(len(s.outlets) for s in counted) == 2  # both outlets report the joint commission


def test_the_views_follow_deletes(views_home: Path, embedder: Any) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import Store

    settings = make_settings(views_home)
    bot = Assistant(settings, Store(settings, embedder), embedder)
    patrol = next(q for q in bot.quotes(speaker="Varga") if "coast guard" in q.text)
    try:
        assert bot.store.delete_article(patrol.article_id)
        assert all(q.article_id != patrol.article_id for q in bot.quotes())
    finally:
        ingest_views_library(views_home, embedder)
    assert any(q.article_id == patrol.article_id for q in bot.quotes())


def test_the_commands(views_home: Path) -> None:
    env = {"ATTACHE_HOME": str(views_home), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Piet Varga" in run("quotes")
    found = json.loads(run("quotes", "Varga", "--about", "coast guard", "--json"))
    assert found[0]["speaker"] == "Piet Varga" and found[0]["end"] > found[0]["start"]
    timeline = run("timeline", "fisheries", "--outlet", CAPITAL)
    assert "2024-03-08" in timeline and HARBOR not in timeline
    coverage = run("coverage", "fisheries", "talks", "between", "Norland", "and", "Sudavia")
    assert f"also ran in: {HARBOR}" in coverage


def test_a_merged_event_shows_the_sentence_that_stands_on_its_own(bot: Any) -> None:
    [signing] = [e for e in bot.timeline() if e.day == date(2024, 3, 8)]
    assert signing.text.startswith("Norland and Sudavia signed")  # not "He added that … on Friday."
    assert len(signing.sources) == 2 and signing.sources[0].published == date(2024, 3, 8)
    assert _text(bot, signing.sources[0].article_id)[signing.sources[0].start : signing.sources[0].end] == signing.text
