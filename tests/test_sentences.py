from assistant.core.sentences import ends_sentence, sentence_spans, word_count
from tests.conftest import SEED_ARTICLE


def test_spans_are_exact_offsets() -> None:
    text = "Mr. Smith met U.S. officials on Monday. “It went well,” he said. Then J. Doe spoke!\nNew line here"
    spans = sentence_spans(text)
    assert [s.of(text) for s in spans] == [
        "Mr. Smith met U.S. officials on Monday.",
        "“It went well,” he said.",
        "Then J. Doe spoke!",
        "New line here",
    ]
    for span in spans:
        assert text[span.start : span.end] == span.of(text)


def test_no_split_inside_lowercase_continuation() -> None:
    text = "The vote was 5-4. e.g. not a start. Next sentence."
    assert [s.of(text) for s in sentence_spans(text)] == [
        "The vote was 5-4. e.g. not a start.",
        "Next sentence.",
    ]


def test_seed_body_sentences() -> None:
    body = SEED_ARTICLE.read_text(encoding="utf-8").split("\n", 1)[1]
    spans = sentence_spans(body)
    assert len(spans) == 23
    assert spans[0].of(body).startswith("As seen on Al Jazeera")
    assert word_count("military-to-military communication, isn't it?") == 4


def test_lines_that_do_not_end_as_sentences() -> None:
    ended = ["Blinken met Qin Gang.", "“It went well,” he said.", "Was it worth it?", "(Reuters reported this.)"]
    assert all(ends_sentence(s) for s in ended)
    lines = [
        "Germany holds back missiles",
        "Leon Neal/Getty Images",
        "Contributing: Francesca Chambers, USA TODAY; Reuters",
        "I believe Secretary Blinken will advocate strongly that these lines of communication are necessary,",
    ]
    assert not any(ends_sentence(s) for s in lines)
