"""The analyst's views in the web app (#23): the Quotes, Timeline and Coverage renderers on values built by hand
(escaping, the undated section, "also ran in", empty results), the span reader, the filter row's parsing, and the
handlers on the real views library (tests/views_library.py). The browser test is tests/test_browser_views.py."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.core.types import (
    Article,
    Coverage,
    CoverageSentence,
    Event,
    EventSource,
    Filters,
    OutletCoverage,
    Quote,
)
from assistant.web.analyst import open_span, read_filters, scope_text
from assistant.web.coverage import coverage_html, find_coverage
from assistant.web.quotes import find_quotes, quote_card, quotes_html, speaker_choices
from assistant.web.reader import parse_span_key, reader_html, span_key, span_link
from assistant.web.timeline import chart_svg, day_counts, find_events, outlet_colours, timeline_html
from tests.conftest import make_settings
from tests.views_library import CAPITAL, HARBOR, ingest_views_library

EVIL = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
HOSTILE_TEXT = f"Officials said {EVIL} on Monday."


def _links(page: str) -> list[tuple[str, str]]:
    """(data-pane, data-read) of every span link on the page."""
    return re.findall(r'<a class="attache-open" href="#read" data-pane="(\w+)" data-read="([^"]+)"', page)


# -- the reader at a span ---------------------------------------------------------------------


def test_span_keys_round_trip_and_refuse_what_is_not_one() -> None:
    assert parse_span_key(span_key("ab12", 3, 9)) == ("ab12", 3, 9)
    assert parse_span_key("with:colon:3:9") == ("with:colon", 3, 9)
    for bad in ("", None, "ab12", "ab12:3", "ab12:x:9", "ab12:9:3", ":3:9"):
        assert parse_span_key(bad) is None, bad


def test_span_link_escapes_what_it_carries() -> None:
    link = span_link("quotes", 'a"b', 1, 2, "words", tip='say "hi"')
    assert 'data-read="a&quot;b:1:2"' in link and 'title="say &quot;hi&quot;"' in link and ">words</a>" in link


def test_reader_at_one_span_marks_exactly_it_without_numbers() -> None:
    text = f"Intro. “Quoted {EVIL} words,” she said. End."
    start, end = text.index("Quoted"), text.index(",”") + 1
    page = reader_html(Article("a", "<b>T</b>", text), [(start, end, ())], note="the quotation highlighted", prefix="p")
    mark = re.search(r'<mark id="p-1" class="attache-read-mark">(.*?)</mark>', page)
    assert mark is not None and mark.group(1) == f"Quoted {ESCAPED} words,"
    assert "<sup" not in page and "title=" not in page.split("<mark")[1].split(">")[0]
    assert "the quotation highlighted" in page and "<script>" not in page and "<b>T" not in page


class _Store:
    def __init__(self, *articles: Article) -> None:
        self.articles = {a.id: a for a in articles}

    def get_article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)


class _Assistant:
    store: Any


def test_open_span_reads_the_key_and_says_when_the_article_is_gone() -> None:
    bot = _Assistant()
    bot.store = _Store(Article("a", "Title", "One two three."))
    assert "<mark" in open_span(bot, "a:4:7", "x", "p")  # type: ignore[arg-type]
    assert "no longer in the library" in open_span(bot, "gone:0:3", "x", "p")  # type: ignore[arg-type]
    assert "Nothing to open" in open_span(bot, "", "x", "p")  # type: ignore[arg-type]


# -- filters ------------------------------------------------------------------------------------


def test_the_filter_row_parses_like_the_chats_and_names_a_bad_field() -> None:
    filters, as_of = read_filters([CAPITAL], "2024-03-01", "", "2024-03-10")
    assert filters == Filters(outlets=(CAPITAL,), date_from=date(2024, 3, 1)) and as_of == date(2024, 3, 10)
    assert read_filters([], None, None, None) == (None, None)
    with pytest.raises(ValueError, match="As of: '2024-13-01' is not a date"):
        read_filters([], "", "", "2024-13-01")
    with pytest.raises(ValueError, match="the date range is empty"):
        read_filters([], "2024-03-05", "2024-03-01", "")
    assert scope_text(None, None) == "the whole library"
    assert scope_text(filters, as_of) == f"outlets: {CAPITAL} · published 2024-03-01 – … · as of 2024-03-10"


# -- quotes ---------------------------------------------------------------------------------------


def _quote(**overrides: Any) -> Quote:
    values: dict[str, Any] = {
        "speaker": "Piet Varga",
        "role": "Sudavia's foreign minister",
        "text": "This is the first coast guard agreement",
        "article_id": "art1",
        "outlet": CAPITAL,
        "published": date(2024, 3, 8),
        "start": 10,
        "end": 49,
        "title": "Patrol agreement signed",
        "url": "https://capitalwire.example/patrol",
    }
    return Quote(**{**values, **overrides})


def test_a_quote_card_quotes_verbatim_names_the_speaker_and_links_to_its_span() -> None:
    card = quote_card(_quote())
    assert "“This is the first coast guard agreement”" in card
    assert "— Piet Varga" in card and "Sudavia&#x27;s foreign minister" in card
    assert CAPITAL in card and "2024-03-08" in card and "Patrol agreement signed" in card
    assert _links(card) == [("quotes", "art1:10:49"), ("quotes", "art1:10:49")]  # the words, and "read in context"
    assert 'href="https://capitalwire.example/patrol"' in card


def test_quotes_escape_everything_from_the_article() -> None:
    hostile = _quote(speaker=EVIL, role=EVIL, text=EVIL, outlet=EVIL, title=EVIL, url="javascript:alert(1)")
    page = quotes_html([hostile], speaker=EVIL, about=EVIL)
    assert "<script>" not in page and "javascript:" not in page
    assert page.count(ESCAPED) >= 6  # speaker, role, words, outlet, title, and the search echoed in the header


def test_quotes_header_counts_and_an_unnamed_speaker_says_so() -> None:
    page = quotes_html([_quote(), _quote(speaker="", role="", start=60, end=70)], about="patrol")
    assert "2 quotations from 1 speaker" in page and "about “patrol”" in page and "in the whole library" in page
    assert "speaker not named" in page


def test_no_quotations_is_said_plainly() -> None:
    page = quotes_html([], speaker="Nobody", scope=f"outlets: {CAPITAL}")
    assert "No quotations by “Nobody” in outlets: capitalwire.example" in page and 'class="attache-quote"' not in page
    assert "No quotations found in the whole library" in quotes_html([])


def test_speakers_are_offered_with_their_counts() -> None:
    assert speaker_choices([("Ana Ruiz", 2), ("Piet Varga", 1)]) == [
        ("Ana Ruiz (2)", "Ana Ruiz"),
        ("Piet Varga (1)", "Piet Varga"),
    ]


# -- timeline -------------------------------------------------------------------------------------


def _source(article_id: str, outlet: str, published: date | None, title: str = "A title") -> EventSource:
    return EventSource(article_id, outlet, published, 5, 40, title, "Monday")


def _events() -> list[Event]:
    return [
        Event(date(2024, 3, 18), "The commission meets.", "year from the published date 2024-03-04",
              (_source("c1", CAPITAL, date(2024, 3, 4)), _source("h1", HARBOR, date(2024, 3, 5)))),
        Event(date(2024, 3, 4), "Ministers met.", "'Monday' on or before 2024-03-04 (published)",
              (_source("c1", CAPITAL, date(2024, 3, 4)),)),
        Event(None, HOSTILE_TEXT, "no published date", (_source("u1", HARBOR, None, title=EVIL),)),
    ]  # fmt: skip


def test_the_timeline_lists_days_in_order_and_the_undated_apart() -> None:
    page = timeline_html(_events(), query="fisheries")
    first, second, undated = (page.index(x) for x in ("2024-03-04 · Monday", "2024-03-18 · Monday", ">Undated<"))
    assert first < second < undated
    assert page.index("Ministers met.") < page.index("The commission meets.") < page.index("Officials said")
    tail = page[undated:]
    assert "attache-tl-day" not in tail and not re.search(r"\d{4}-\d\d-\d\d ·", tail)  # never given a day
    assert "cannot be placed on a day" in tail and "not dated: no published date" in tail
    assert "2 events on 2 days" in page and "1 undated" in page and "2 outlets" in page and "on “fisheries”" in page
    assert "how the day was read: &#x27;Monday&#x27; on or before 2024-03-04 (published)" in page


def test_every_source_of_an_event_links_to_its_sentence() -> None:
    page = timeline_html(_events())
    keys = ["c1:5:40", "c1:5:40", "h1:5:40", "u1:5:40"]  # each source of each event, in day order
    assert _links(page) == [("timeline", key) for key in keys]
    assert f"{CAPITAL} · A title" in page and "· published 2024-03-05" in page and "· undated" in page


def test_the_timeline_escapes_the_article() -> None:
    page = timeline_html(_events())
    assert "<script>" not in page and page.count(ESCAPED) == 2  # the sentence and the title


def test_the_chart_stacks_outlets_per_day_and_leaves_the_undated_out() -> None:
    events = _events()
    colours = outlet_colours(events)
    assert list(colours) == [CAPITAL, HARBOR] and len(set(colours.values())) == 2  # most events first
    assert {day: dict(c) for day, c in day_counts(events).items()} == {
        date(2024, 3, 4): {CAPITAL: 1},
        date(2024, 3, 18): {CAPITAL: 1, HARBOR: 1},
    }
    svg = chart_svg(events, colours)
    assert svg.startswith("<svg") and svg.count("<rect") == 3 and svg.count('class="attache-jump"') == 2
    assert 'href="#attache-day-2024-03-18"' in svg and f"2024-03-18 · {HARBOR}: 1 event" in svg
    assert "undated" not in svg


def test_only_undated_events_draw_no_chart_but_are_listed() -> None:
    page = timeline_html(_events()[2:])
    assert "<svg" not in page and ">Undated<" in page and "0 events on 0 days" in page


def test_no_events_is_said_plainly() -> None:
    assert "No dated events on “tariffs” in the whole library" in timeline_html([], query="tariffs")


# -- coverage -------------------------------------------------------------------------------------


def _coverage() -> Coverage:
    capital = OutletCoverage(
        CAPITAL,
        date(2024, 3, 4),
        (CoverageSentence("Ministers met in Valdora.", "c1", 0, 25, 1.0, "Talks open", date(2024, 3, 4)),),
        ("c1",),
        (HARBOR,),
    )
    harbor = OutletCoverage(
        HARBOR, date(2024, 3, 5), (CoverageSentence(HOSTILE_TEXT, "h1", 3, 30, 0.5, EVIL, None),), ("h1", "h2")
    )
    return Coverage("fisheries talks", (capital, harbor), independent_sources=3)


def test_coverage_sets_the_outlets_side_by_side_first_to_report_first() -> None:
    page = coverage_html(_coverage())
    assert "3 independent articles from 2 outlets" in page and "on “fisheries talks”" in page
    assert page.count('class="attache-cov-outlet"') == 2 and page.index(CAPITAL) < page.index(f"<h4>{HARBOR}")
    assert f"also ran in: {HARBOR}" in page and page.count("also ran in") == 1 and "wire copies counted once" in page
    assert "first published 2024-03-04 · 1 article" in page and "first published 2024-03-05 · 2 articles" in page
    assert page.count(">first</span>") == 1
    assert _links(page) == [("coverage", "c1:0:25"), ("coverage", "h1:3:30")]


def test_coverage_escapes_the_article() -> None:
    page = coverage_html(_coverage())
    assert "<script>" not in page and page.count(ESCAPED) == 2 and "undated" in page


def test_no_coverage_and_no_query_are_said_plainly() -> None:
    assert "No outlet covered “tariffs” in the whole library" in coverage_html(Coverage("tariffs", ()))
    assert "Name a story" in coverage_html(Coverage("  ", ()))


# -- the handlers on the real views library ---------------------------------------------------------


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Any:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import Store

    home: Path = tmp_path_factory.mktemp("web-views")
    ingest_views_library(home, embedder)
    settings = make_settings(home)
    return Assistant(settings, Store(settings, embedder), embedder)


def test_find_quotes_by_part_of_a_name_and_open_the_quote_in_its_article(bot: Any) -> None:
    page, picker = find_quotes(bot, "Varga", "", [], "", "", "")
    assert "from 1 speaker" in page and "— Piet Varga" in page and "Ana Ruiz" not in page
    offered = dict(picker.choices)
    assert {"Ana Ruiz", "Piet Varga"} <= set(offered.values()) and "Ana Ruiz (2)" in offered
    card = next(c for c in page.split("<figure")[1:] if "coast guard agreement" in c)
    (pane, key), *_ = _links(card)
    article_id, start, end = parse_span_key(key) or ("", 0, 0)
    reader = open_span(bot, key, "the quotation highlighted", "attache-quotes-read")
    marked = re.findall(r"<mark [^>]*>(.*?)</mark>", reader)
    assert pane == "quotes" and marked == [bot.store.get_article(article_id).text[start:end]]
    assert marked[0].startswith("This is the first coast guard agreement")


def test_find_quotes_applies_the_filters_and_names_a_bad_date(bot: Any) -> None:
    page, _ = find_quotes(bot, "", "", [HARBOR], "", "", "")
    assert "Lena Okafor" in page and "Ana Ruiz" not in page and f"outlets: {HARBOR}" in page
    page, _ = find_quotes(bot, "", "", [], "2024-02-30", "", "")
    assert "Published from: &#x27;2024-02-30&#x27; is not a date" in page


def test_find_events_lists_the_days_in_order_with_the_undated_last(bot: Any) -> None:
    page = find_events(bot, "", [], "", "", "")
    days = re.findall(r'id="attache-day-(\d{4}-\d\d-\d\d)"', page)
    assert days == sorted(days) and len(days) >= 3 and "<svg" in page
    assert page.index(days[-1]) < page.index(">Undated<") and "new maps would be drawn" in page.split(">Undated<")[1]


def test_find_coverage_shows_both_outlets_and_the_wire_copy(bot: Any) -> None:
    page = find_coverage(bot, "fisheries talks", [], "", "", "")
    assert page.count('class="attache-cov-outlet"') == 2 and f"also ran in: {HARBOR}" in page
    assert "Name a story" in find_coverage(bot, " ", [], "", "", "")


def test_the_page_has_the_three_views_after_the_chat(bot: Any) -> None:
    import gradio as gr

    from assistant.web.page import build_ui

    demo = build_ui(bot)
    tabs = [b.label for b in demo.blocks.values() if isinstance(b, gr.Tab)]
    assert tabs == ["Chat", "Quotes", "Timeline", "Coverage", "Library", "Settings"]
