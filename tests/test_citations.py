"""Citation parsing of model output, including markers that point nowhere."""

from assistant.answering.citations import looks_like_abstention, parse_answer
from assistant.core.types import Chunk, Passage

TEXT = "Envoys met in Vienna on Monday. They agreed to meet again in May. Nothing else happened."
PASSAGES = [
    Passage(Chunk("c1", "a", TEXT, 0, len(TEXT)), 0.5, 1),
    Passage(Chunk("c2", "a", TEXT[32:], 32, len(TEXT)), 0.4, 2),
]


def test_single_and_adjacent_and_listed_markers() -> None:
    parsed = parse_answer("Envoys met in Vienna [1]. They meet in May [1][2]. Again in May [1, 2].", PASSAGES)
    assert [s.citations for s in parsed.sentences] == [(1,), (1, 2), (1, 2)]
    assert parsed.dropped_markers == 0 and not parsed.abstained


def test_marker_after_full_stop_belongs_to_its_sentence() -> None:
    parsed = parse_answer("Envoys met in Vienna. [1] They meet again in May. [2]", PASSAGES)
    assert [(s.text, s.citations) for s in parsed.sentences] == [
        ("Envoys met in Vienna [1].", (1,)),
        ("They meet again in May [2].", (2,)),
    ]


def test_markers_pointing_nowhere_are_dropped_and_counted() -> None:
    parsed = parse_answer("Envoys met [1][9]. A claim [0]. Another [3, 1].", PASSAGES)
    assert parsed.dropped_markers == 3
    assert [s.citations for s in parsed.sentences] == [(1,), (), (1,)]
    assert "[9]" not in parsed.text and "[0]" not in parsed.text and "[3" not in parsed.text


def test_uncited_sentence_is_kept_and_quotes_are_exact_spans() -> None:
    parsed = parse_answer("They agreed to meet again in May [2]. Unsupported flourish.", PASSAGES)
    assert parsed.sentences[-1].citations == ()
    (citation,) = parsed.citations
    assert citation.quote == "They agreed to meet again in May."
    assert TEXT[citation.start : citation.end] == citation.quote


def test_the_model_saying_the_sources_are_silent_is_an_abstention() -> None:
    assert parse_answer("The sources don't say. They cover a meeting in Vienna.", PASSAGES).abstained
    assert looks_like_abstention("This is not mentioned in the sources.")
    assert not looks_like_abstention("Envoys met in Vienna.")
    # a cited answer that mentions missing detail is not an abstention
    assert not parse_answer("Envoys met [1]. The sources don't say when they leave.", PASSAGES).abstained
