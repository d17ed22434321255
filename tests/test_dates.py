"""Relative dates resolved against fixed as-of dates, and their effect on retrieval."""

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.core.types import DateWindow
from assistant.retrieval.dates import resolve_window
from assistant.retrieval.retriever import date_adjustment

MONDAY = date(2024, 3, 4)
FRIDAY_MARCH_1 = date(2024, 3, 1)


@pytest.mark.parametrize(
    ("question", "as_of", "start", "end"),
    [
        ("What happened this week?", MONDAY, date(2024, 2, 27), MONDAY),  # a Monday: the past seven days
        ("Who resigned this week?", FRIDAY_MARCH_1, date(2024, 2, 24), FRIDAY_MARCH_1),  # across February's end
        ("What did he say last week?", MONDAY, date(2024, 2, 20), date(2024, 2, 26)),
        ("What happened last month?", FRIDAY_MARCH_1, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("What happened last month?", date(2024, 1, 15), date(2023, 12, 1), date(2023, 12, 31)),  # across a year
        ("Who visited this month?", MONDAY, date(2024, 3, 1), MONDAY),
        ("Who won yesterday?", FRIDAY_MARCH_1, date(2024, 2, 29), date(2024, 2, 29)),
        ("What was signed in June?", FRIDAY_MARCH_1, date(2023, 6, 1), date(2023, 6, 30)),  # most recent June
        ("What was signed in February?", MONDAY, date(2024, 2, 1), date(2024, 2, 29)),
        ("What happened in June 2022?", MONDAY, date(2022, 6, 1), date(2022, 6, 30)),
        ("What was agreed in 2023?", MONDAY, date(2023, 1, 1), date(2023, 12, 31)),
        ("What did she announce on Tuesday?", MONDAY, date(2024, 2, 27), date(2024, 2, 27)),
        ("Who spoke in the past 10 days?", MONDAY, date(2024, 2, 24), MONDAY),
    ],
)
def test_windows(question: str, as_of: date, start: date, end: date) -> None:
    window = resolve_window(question, as_of)
    assert window is not None and (window.start, window.end) == (start, end), window


def test_no_window_and_may_the_verb() -> None:
    assert resolve_window("Who may attend the summit?", MONDAY) is None
    assert resolve_window("What were the stated goals of Blinken's trip?", MONDAY) is None
    window = resolve_window("What happened in May?", MONDAY)
    assert window is not None and window.start == date(2023, 5, 1)


def test_default_as_of_is_today() -> None:
    window = resolve_window("What happened today?")
    assert window is not None and window.start == window.end == date.today()


def test_date_adjustment_keeps_undated_articles() -> None:
    window = DateWindow(date(2024, 2, 27), MONDAY, "this week")

    assert date_adjustment(date(2024, 3, 1), window, MONDAY, 0.1) == 0.1
    assert date_adjustment(date(2024, 3, 6), window, MONDAY, 0.1) == 0.1  # reported two days later
    assert date_adjustment(date(2023, 3, 1), window, MONDAY, 0.1) == 0.0
    assert date_adjustment(None, window, MONDAY, 0.1) == 0.0  # undated: never dropped
    assert date_adjustment(date(2024, 6, 1), window, MONDAY, 0.1) == -0.05  # after the as-of date


def test_as_of_steers_retrieval_and_is_shown(settings: Any, embedder: Any, tmp_path: Path) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    body = "The foreign ministers met in {city} and agreed to resume talks on the border dispute."
    for city, day in (("Vienna", "2023-06-10"), ("Geneva", "2024-02-28")):
        (docs / f"{city}.md").write_text(f"---\ntitle: Talks in {city}\ndate: {day}\n---\n{body.format(city=city)}\n")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    bot = Assistant(settings, store, embedder)
    this_week = bot.answer("Where did the foreign ministers meet this week?", as_of=MONDAY)
    assert this_week.passages[0].chunk.title == "Talks in Geneva"
    assert this_week.date_window is not None and this_week.date_window.start == date(2024, 2, 27)
    in_june = bot.answer("Where did the foreign ministers meet in June?", as_of=MONDAY)
    assert in_june.passages[0].chunk.title == "Talks in Vienna"


def test_recency_prior_decays_before_the_reference_day() -> None:
    same_day = date_adjustment(MONDAY, None, MONDAY, 0.1, recency=0.6, tau=7)
    week_before = date_adjustment(date(2024, 2, 26), None, MONDAY, 0.1, recency=0.6, tau=7)
    year_before = date_adjustment(date(2023, 3, 4), None, MONDAY, 0.1, recency=0.6, tau=7)
    assert same_day == 0.6
    assert abs(week_before - 0.6 * math.exp(-1)) < 1e-9
    assert 0 <= year_before < 1e-6
    # later coverage than the as-of date loses half of both terms; undated coverage is untouched
    assert date_adjustment(date(2024, 3, 20), None, MONDAY, 0.1, recency=0.6) == -0.35
    assert date_adjustment(None, None, MONDAY, 0.1, recency=0.6) == 0.0
    # with a window the reference day is the window's end, not the as-of date
    june = DateWindow(date(2023, 6, 1), date(2023, 6, 30), "in June")
    in_june = date_adjustment(date(2023, 6, 30), june, MONDAY, 0.1, recency=0.6)
    assert in_june == 0.1 + 0.6
    assert date_adjustment(date(2024, 3, 1), june, MONDAY, 0.1, recency=0.6) == -0.35


def test_recent_windows_and_off_window_evidence() -> None:
    from assistant.retrieval.dates import off_window

    week = resolve_window("Who resigned this week?", MONDAY)
    assert week is not None and week.recent
    year = resolve_window("Who resigned this year?", MONDAY)
    assert year is not None and not year.recent
    june = resolve_window("Who resigned in June?", MONDAY)
    assert june is not None and not june.recent
    assert off_window(week, [date(2023, 3, 1)])  # last year's coverage only
    assert off_window(week, [date(2023, 3, 1), date(2024, 1, 2)])
    assert not off_window(week, [date(2023, 3, 1), date(2024, 3, 1)])  # one passage from the week is enough
    assert not off_window(week, [date(2024, 3, 6)])  # reported two days after the week
    assert not off_window(week, [None])  # undated passages are never held against an answer
    assert not off_window(year, [date(2020, 1, 1)]) and not off_window(None, [date(2020, 1, 1)])


def test_this_week_question_answered_only_from_old_coverage_abstains(
    settings: Any, embedder: Any, tmp_path: Path
) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "old.md").write_text(
        "---\ntitle: Vote of confidence\ndate: 2022-06-07\n---\n"
        "Prime Minister Boris Johnson survived a vote of confidence by his own lawmakers on Monday.\n"
    )
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    bot = Assistant(settings, store, embedder)
    stale = bot.answer("Which prime minister survived a vote of confidence this week?", as_of=MONDAY)
    assert stale.abstained and "this week" in stale.abstain_reason and "2022-06-07" in stale.abstain_reason
    then = bot.answer("Which prime minister survived a vote of confidence this week?", as_of=date(2022, 6, 10))
    assert not then.abstained and "Boris Johnson" in then.text and then.citations


def test_an_undated_file_is_not_buried_by_the_recency_prior(settings: Any, embedder: Any, tmp_path: Path) -> None:
    """An undated article gets a share (``undated_share``) of the best dated candidate's date adjustment."""
    from assistant.retrieval.retriever import Retriever
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    body = "The foreign ministers met in {city} and agreed to resume talks on the border dispute."
    (docs / "geneva.md").write_text(
        f"---\ntitle: Talks in Geneva\ndate: 2024-02-28\n---\n{body.format(city='Geneva')}\n"
    )
    (docs / "vienna.md").write_text(f"---\ntitle: Talks in Vienna\n---\n{body.format(city='Vienna')}\n")
    store = Store(settings, embedder)
    ingest_paths([docs], store, embedder, settings)
    for share in (0.0, 0.25, 1.0):
        retriever = Retriever(store, embedder, settings.updated(undated_share=share))
        gathered = retriever.gather("Where did the foreign ministers meet?")
        passages = {
            p.chunk.title: p for p in retriever.order("Where did the ministers meet?", gathered, 2, None, MONDAY)
        }
        dated = passages["Talks in Geneva"]
        undated = passages["Talks in Vienna"]
        boost = dated.score - next(c.cosine for c in gathered.candidates if c.article_id == dated.chunk.article_id)
        assert boost > 0.2  # published five days before the as-of date: half the recency prior
        cosine = next(c.cosine for c in gathered.candidates if c.article_id == undated.chunk.article_id)
        assert abs(undated.score - cosine - share * boost) < 1e-6
