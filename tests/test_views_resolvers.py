"""The speaker and date resolvers on hand-written cases (#23)."""

from __future__ import annotations

from datetime import date

from assistant.analysis.quotes import find_quotes
from assistant.analysis.when import dateline, find_dates, find_events


def _said(text: str) -> list[tuple[str, str]]:
    return [(text[q.start : q.end], q.speaker) for q in find_quotes(text)]


def test_curly_quote_attributed_after_with_full_name_and_role_from_earlier_mention() -> None:
    text = (
        "Daniel Kritenbrink, the Department of State’s top diplomat for East Asia, briefed reporters. "
        "“We are realistic,” Kritenbrink said."
    )
    [quote] = find_quotes(text)
    assert text[quote.start : quote.end] == "We are realistic,"
    assert quote.speaker == "Daniel Kritenbrink"
    assert quote.role == "the Department of State’s top diplomat for East Asia"


def test_a_quote_split_around_said_x_gives_both_halves_to_x() -> None:
    text = "“The talks were useful,” said Ana Ruiz, Norland’s foreign minister, “and they will go on.”"
    assert _said(text) == [("The talks were useful,", "Ana Ruiz"), ("and they will go on.", "Ana Ruiz")]
    assert find_quotes(text)[0].role == "Norland’s foreign minister"


def test_straight_quotes_and_a_title_before_the_name() -> None:
    text = 'White House Indo-Pacific Coordinator Kurt Campbell said: "Lines of communication are necessary."'
    [quote] = find_quotes(text)
    assert (quote.speaker, quote.role) == ("Kurt Campbell", "White House Indo-Pacific Coordinator")


def test_he_said_is_the_last_speaker_when_nobody_else_is_named() -> None:
    text = "“We came to close the dispute,” said Ana Ruiz. The talks lasted all day.\n\n“It is done,” she said."
    assert [s for _, s in _said(text)] == ["Ana Ruiz", "Ana Ruiz"]


def test_he_said_after_someone_else_is_named_is_left_unattributed() -> None:
    text = (
        "“We came to close the dispute,” said Ana Ruiz. She met Piet Varga and Lena Okafor afterwards.\n\n"
        "“It is done,” he said."
    )
    assert [s for _, s in _said(text)] == ["Ana Ruiz", ""]


def test_a_statement_or_a_possessive_subject_is_not_turned_into_a_person() -> None:
    text = (
        "Vladimir Putin met the envoy. “Talks continue,” the statement said. "
        "“Nothing was agreed,” Putin’s spokesman told reporters."
    )
    assert [s for _, s in _said(text)] == ["", ""]


def test_a_family_name_first_resolves_to_the_full_name() -> None:
    text = "Chinese Foreign Minister Qin Gang took the call. Later, Qin warned the US to “stop interfering”."
    [quote] = find_quotes(text)
    assert (quote.speaker, quote.role) == ("Qin Gang", "Chinese Foreign Minister")


def test_every_quote_is_the_exact_text_between_its_marks() -> None:
    text = 'He called it "a turning point" and "long overdue," Ruiz said.\n“A quote left open\n“and reopened.”'
    for quote in find_quotes(text):
        assert text[quote.start - 1] in '“"' and quote.end <= len(text)
        assert "\n" not in text[quote.start : quote.end]


def test_a_curly_quote_closed_by_a_straight_mark_ends_there() -> None:
    text = (
        'Officials called the balloon “part of a larger surveillance program." Last week the base was confirmed. '
        "The navies met in the strait."
    )
    [quote] = find_quotes(text)
    assert text[quote.start : quote.end] == "part of a larger surveillance program."


# -- dates --------------------------------------------------------------------------------------------------


def _days(text: str, published: date | None) -> list[tuple[str, date | None]]:
    return [(text[d.start : d.end], d.day) for d in find_dates(text, published)]


def test_on_tuesday_across_a_month_end_is_the_tuesday_before() -> None:
    # published Friday 2 June 2023; "on Tuesday" (past) is 30 May
    assert _days("The ministers met on Tuesday.", date(2023, 6, 2)) == [("Tuesday", date(2023, 5, 30))]


def test_a_weekday_in_the_future_tense_is_the_next_one() -> None:
    assert _days("Blinken will meet Qin on Monday.", date(2023, 6, 14)) == [("Monday", date(2023, 6, 19))]
    assert _days("They met last Wednesday.", date(2023, 6, 14)) == [("last Wednesday", date(2023, 6, 7))]


def test_explicit_dates_with_and_without_a_year() -> None:
    published = date(2024, 1, 5)
    found = _days("Talks on Dec. 28 led to the 4 June 2024 summit; on March 18, 2023 they had failed.", published)
    assert found == [
        ("Dec. 28", date(2023, 12, 28)),  # the nearest Dec. 28 to 5 January 2024
        ("4 June 2024", date(2024, 6, 4)),
        ("March 18, 2023", date(2023, 3, 18)),
    ]


def test_a_range_gives_its_end_day_too() -> None:
    found = _days("A trip that spans June 16 to 21.", date(2023, 6, 14))
    assert found == [("June 16", date(2023, 6, 16)), ("21", date(2023, 6, 21))]


def test_yesterday_and_named_holidays() -> None:
    found = _days("Yesterday the shops opened for Black Friday.", date(2023, 11, 25))
    assert found == [("Yesterday", date(2023, 11, 24))]


def test_a_dateline_is_the_reference_day() -> None:
    text = "BEIJING, June 14, 2023 (Reuters) — Officials said on Monday that talks would resume."
    assert dateline(text) == date(2023, 6, 14)
    assert ("Monday", date(2023, 6, 12)) in _days(text, None)


def test_an_undated_article_gets_no_made_up_day() -> None:
    text = "Officials said on Tuesday that new maps would be drawn. The talks of June 16 failed."
    assert _days(text, None) == [("Tuesday", None), ("June 16", None)]
    assert [e.day for e in find_events(text, None)] == [None, None]
    assert _days("It ended on 4 June 2024.", None) == [("4 June 2024", date(2024, 6, 4))]


def test_events_are_sentences_with_their_day() -> None:
    text = "Ministers met on Monday. Nothing else happened. A second round is set for March 18."
    events = find_events(text, date(2024, 3, 5))
    assert [(text[e.start : e.end], e.day) for e in events] == [
        ("Ministers met on Monday.", date(2024, 3, 4)),
        ("A second round is set for March 18.", date(2024, 3, 18)),
    ]


def test_she_said_after_reported_speech_is_the_reporter_not_the_earlier_speaker() -> None:
    text = (
        "“We will respond,” said Ana Ruiz, Norland’s foreign minister.\n\n"
        "Lena Ostrova, an analyst at the Harbor Institute, said the strikes would not change much.\n\n"
        "“They have no incentive to be restrained,” she said."
    )
    assert [s for _, s in _said(text)] == ["Ana Ruiz", "Lena Ostrova"]
    # someone named after the reporter: the pronoun stays unresolved rather than guessed
    other = text.replace("change much.", "change much.\n\nPiet Varga, the premier, met her later.")
    assert [s for _, s in _said(other)] == ["Ana Ruiz", ""]


def test_a_role_given_at_a_later_mention_by_surname_is_the_persons_role() -> None:
    from assistant.analysis.names import People

    text = (
        "Officials including John Bolton and Anthony Ruggiero were briefed. The deal would help both sides, "
        "according to Bolton, a former national security adviser in the Trump administration, and Ruggiero."
    )
    assert People(text).resolve("John Bolton").role == "a former national security adviser in the Trump administration"
    dashed = "John Bolton spoke first. In an interview, Bolton – an expert on North Korea – said he was not surprised."
    assert People(dashed).resolve("Bolton").role == "an expert on North Korea"
    assert People("John Bolton spoke. Later Bolton said so, Mr. Smith added.").resolve("Bolton").role == ""
