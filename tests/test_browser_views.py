"""The analyst's views in a real browser (#23): ``python app.py`` over the views library (tests/views_library.py)
with a login, signed in as a *reader* (the views only read, so a reader has them), driven by headless Chromium.

Quotes: a speaker found by part of the name, the quotation opened in its article with its words marked and in
view; Timeline: the chart drawn, the days in order, the undated apart; Coverage: the two outlets side by side with
the wire copy's "also ran in"; and the Chat's filters followed by a view. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.accounts.users import UsersFile
from tests.test_browser import ARTIFACTS, app_process, browser, new_tab
from tests.views_library import CAPITAL, HARBOR, ingest_views_library

__all__ = ["browser"]  # the fixture, shared with tests/test_browser.py
pytestmark = pytest.mark.slow

READER = ("rui", "rui-reader-pw")
COAST_GUARD = "This is the first coast guard agreement between our countries,"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the views library (ingested before it starts), with one user, a reader."""
    home = tmp_path_factory.mktemp("views-browser-home")
    ingest_views_library(home)
    users = UsersFile(home / "users.json")
    users.add(*READER, role="reader")
    with app_process(home, ATTACHE_USERS_FILE=str(users.path)) as url:
        yield url


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    """A fresh tab signed in as the reader, recording every dialog (an ``alert`` would mean injected script ran)."""
    context, tab = new_tab(browser, app_url)
    tab.wait_for_selector("input[type=password]")
    tab.locator("input:not([type=password])").first.fill(READER[0])
    tab.fill("input[type=password]", READER[1])
    tab.get_by_role("button", name="Login").click()
    tab.wait_for_selector("#attache-question textarea")
    yield tab
    assert tab.dialogs == []
    context.close()


def _open(page: Any, name: str, ready: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.locator(ready).first.wait_for()


def _mark_in_view(page: Any, pane: str) -> str:
    """The reader pane's marked words, once the mark is inside the visible part of its scroll box."""
    reader = page.locator(f"#attache-{pane}-reader .attache-reader")
    mark = reader.locator("mark").first
    mark.wait_for()
    page.wait_for_timeout(600)  # the scroll
    spot, box = mark.bounding_box(), reader.locator(".attache-read-scroll").bounding_box()
    assert spot is not None and box is not None and box["y"] <= spot["y"] < box["y"] + box["height"]
    assert spot["y"] < page.viewport_size["height"]
    return str(mark.inner_text())


def _speakers(page: Any) -> list[str]:
    return [
        " ".join(s.split()) for s in page.locator("#attache-quotes-results .attache-quote-speaker").all_inner_texts()
    ]


def test_quotes_by_part_of_a_name_open_the_quotation_in_its_article(page: Any) -> None:
    _open(page, "Quotes", "#attache-quotes-results .attache-quote")
    assert len(_speakers(page)) >= 5 and re.search(
        r"\d+ quotations from \d+ speakers", page.inner_text("#attache-quotes-results")
    )
    page.fill("#attache-quotes-speaker input", "Varga")
    page.click("#attache-quotes-search")
    page.locator("#attache-quotes-results .attache-view-head", has_text="“Varga”").wait_for()
    assert _speakers(page) and all(s.startswith("— Piet Varga") for s in _speakers(page))
    card = page.locator("#attache-quotes-results .attache-quote", has_text="coast guard agreement")
    assert (
        f"“{COAST_GUARD}”" in card.inner_text() and CAPITAL in card.inner_text() and "2024-03-08" in card.inner_text()
    )
    assert not page.locator("#attache-quotes-reader-pane").is_visible()
    card.locator(".attache-quote-words a").click()
    assert _mark_in_view(page, "quotes") == COAST_GUARD
    reader = page.locator("#attache-quotes-reader .attache-reader")
    assert "Joint patrol agreement signed for the Kessel fisheries" in reader.inner_text()
    assert "Under the deal, mixed crews will patrol" in reader.inner_text()  # the whole article
    assert "the quotation highlighted" in reader.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "views-quotes.png"))
    page.click("#attache-quotes-reader-close")
    page.locator("#attache-quotes-reader-pane").wait_for(state="hidden")


def test_quotes_speaker_picked_from_the_list_with_counts(page: Any) -> None:
    _open(page, "Quotes", "#attache-quotes-results .attache-quote")
    page.click("#attache-quotes-speaker input")
    options = page.get_by_role("option")
    options.first.wait_for()
    labels = [" ".join(o.split()) for o in options.all_inner_texts()]
    assert "Ana Ruiz (2)" in labels and any(re.fullmatch(r"Lena Okafor \(\d+\)", label) for label in labels)
    page.screenshot(path=str(ARTIFACTS / "views-quotes-speakers.png"))
    page.get_by_role("option", name=re.compile(r"^Lena Okafor")).click()
    page.locator("#attache-quotes-results .attache-view-head", has_text="“Lena Okafor”").wait_for()
    assert _speakers(page) == ["— Lena Okafor, a maritime law professor at the University of Valdora"]


def test_timeline_draws_the_chart_and_lists_the_days_in_order_then_the_undated(page: Any) -> None:
    _open(page, "Timeline", "#attache-timeline-results svg.attache-tl-chart")
    chart = page.locator("#attache-timeline-results svg.attache-tl-chart")
    box = chart.bounding_box()
    assert chart.is_visible() and box is not None and box["width"] > 400 and box["height"] > 100
    assert chart.locator("rect").count() >= 4
    bar = chart.locator("rect").first.bounding_box()
    assert bar is not None and bar["height"] > 10  # drawn, not collapsed
    legend = page.inner_text("#attache-timeline-results .attache-tl-legend")
    assert CAPITAL in legend and HARBOR in legend
    days = page.locator("#attache-timeline-results .attache-tl-day > h4").all_inner_texts()
    assert len(days) >= 3 and days == sorted(days) and all(re.match(r"\d{4}-\d\d-\d\d · \w+day$", d) for d in days)
    undated = page.locator("#attache-timeline-results .attache-tl-undated")
    assert undated.is_visible() and "new maps would be drawn" in undated.inner_text()
    last_day = page.locator("#attache-timeline-results .attache-tl-day").last.bounding_box()
    assert last_day is not None and undated.bounding_box()["y"] > last_day["y"]  # type: ignore[index]
    assert "how the day was read:" in page.inner_text("#attache-timeline-results")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "views-timeline.png"), full_page=True)
    last = page.locator("#attache-timeline-results .attache-tl-day > h4").last
    page.evaluate("window.scrollTo(0, 0)")
    assert last.bounding_box()["y"] > page.viewport_size["height"]  # type: ignore[index]  # below the fold
    chart.locator("a.attache-jump").last.click()  # the last day's bar: its day in the list comes into view
    page.wait_for_timeout(800)
    heading = last.bounding_box()
    assert heading is not None and 0 <= heading["y"] < page.viewport_size["height"] - heading["height"]
    event = page.locator("#attache-timeline-results .attache-tl-day .attache-event").last  # low on the page
    sentence = event.locator(".attache-event-text").inner_text()  # the first source's sentence
    event.locator("a.attache-open").first.click()
    assert " ".join(_mark_in_view(page, "timeline").split()) == " ".join(sentence.split())
    page.screenshot(path=str(ARTIFACTS / "views-timeline-reader.png"))


def test_coverage_sets_the_two_outlets_side_by_side_with_the_wire_copy(page: Any) -> None:
    _open(page, "Coverage", "#attache-coverage-results")
    page.fill("#attache-coverage-query textarea, #attache-coverage-query input", "fisheries talks")
    page.press("#attache-coverage-query textarea, #attache-coverage-query input", "Enter")
    columns = page.locator("#attache-coverage-results .attache-cov-outlet")
    columns.first.wait_for()
    assert columns.count() == 2
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert left is not None and right is not None
    assert abs(left["y"] - right["y"]) < 2 and right["x"] >= left["x"] + left["width"]  # side by side
    assert re.search(r"\d+ independent articles? from 2 outlets", page.inner_text("#attache-coverage-results"))
    capital = columns.filter(has_text=CAPITAL)
    assert f"also ran in: {HARBOR}" in capital.inner_text() and "first published 2024-03-04" in capital.inner_text()
    assert "also ran in" not in columns.filter(has_text="first published 2024-03-05").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "views-coverage.png"))
    link = columns.nth(1).locator("a.attache-open").first
    sentence = link.inner_text()
    link.click()
    assert " ".join(_mark_in_view(page, "coverage").split()) == " ".join(sentence.split())
    page.screenshot(path=str(ARTIFACTS / "views-coverage-reader.png"))


def test_a_view_follows_the_chats_filters(page: Any) -> None:
    page.get_by_text("Filters", exact=True).click()
    page.click("#attache-outlets input")
    page.get_by_role("option", name=HARBOR).click()
    page.keyboard.press("Escape")
    page.get_by_label("As of", exact=True).first.fill("2024-03-06")
    page.get_by_label("As of", exact=True).first.press("Enter")
    _open(page, "Quotes", "#attache-quotes-results .attache-view-head")
    page.locator("#attache-quotes-results .attache-view-head", has_text=f"outlets: {HARBOR}").wait_for()
    head = page.inner_text("#attache-quotes-results .attache-view-head")
    assert "as of 2024-03-06" in head, head
    assert "Lena Okafor" in page.inner_text("#attache-quotes-results") and "Piet Varga" not in _speakers(page)
    assert HARBOR in page.inner_text("#attache-quotes-outlets")
    assert page.input_value("#attache-quotes-as-of input") == "2024-03-06"
    page.screenshot(path=str(ARTIFACTS / "views-filters.png"))
