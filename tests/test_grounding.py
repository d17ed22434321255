"""The per-sentence support check: hand-written supported, unsupported and mis-cited sentences."""

from typing import Any

import pytest

from assistant.answering.grounding import SUPPORTED, UNSUPPORTED, GroundingChecker
from assistant.core.types import Chunk, Passage, Sentence
from tests.conftest import make_settings
from tests.openai_stub import openai_stub

NAVY = "The navy sent 12 ships to the strait on Monday, Admiral Lee said. Talks with Tokyo resume in May."
TRADE = "Trade ministers from Canada and Mexico signed a tariff accord in Ottawa. The deal cuts duties by 5%."
PASSAGES = [
    Passage(Chunk("n-0", "navy", NAVY, 0, len(NAVY), title="Navy deploys ships"), 0.6, 1),
    Passage(Chunk("t-0", "trade", TRADE, 0, len(TRADE), title="Tariff accord signed"), 0.5, 2),
]


@pytest.fixture(scope="module")
def checker(embedder: Any) -> GroundingChecker:
    return GroundingChecker(embedder)


@pytest.mark.parametrize(
    ("sentence", "rank", "verdict"),
    [
        ("The navy sent 12 ships to the strait on Monday [1].", 1, SUPPORTED),
        ("Admiral Lee said the navy sent 12 ships to the strait [1].", 1, SUPPORTED),
        ("The navy sent 21 ships to the strait on Monday [1].", 1, UNSUPPORTED),  # a number one token off
        ("Admiral Kim said the navy sent 12 ships to the strait [1].", 1, UNSUPPORTED),  # a wrong speaker
        ("Canada and Mexico signed a tariff accord in Ottawa [1].", 1, UNSUPPORTED),  # mis-cited
        ("The accord cuts duties by 5% [2].", 2, SUPPORTED),
        ("The accord cuts duties by 15% [2].", 2, UNSUPPORTED),
        ("Oil prices fell sharply in Asian markets [2].", 2, UNSUPPORTED),
    ],
)
def test_verdicts(checker: GroundingChecker, sentence: str, rank: int, verdict: str) -> None:
    support = checker.support(sentence, PASSAGES[rank - 1])
    assert support.verdict == verdict, support
    assert support.quote in PASSAGES[rank - 1].chunk.text
    assert PASSAGES[rank - 1].chunk.text[support.start : support.end] == support.quote


# Paraphrases a strong model writes that the hard checks took for errors (the shared replay set's tune half)
RESIGNS = (
    "Fighting back tears, Ardern told reporters that Feb. 7 will be her last day in office. She said she no longer "
    "had enough in the tank to do the job justice. Ardern is stepping down and will not contest the general election. "
    "Modi told the crowd to use yoga to be healthy and also to be kind to each other."
)
RESIGNING = Passage(Chunk("r-0", "resigns", RESIGNS, 0, len(RESIGNS), title="Ardern resigns"), 0.6, 1)


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Ardern told reporters that her last day in office will be February 7 [1].", SUPPORTED),  # "Feb. 7"
        ("Ardern told reporters that her last day in office will be February 8 [1].", UNSUPPORTED),
        ("No. According to her, Ardern is stepping down and will not contest the general election [1].", SUPPORTED),
        ("Ardern is stepping down and will contest the general election [1].", UNSUPPORTED),  # the negation dropped
        ("Modi urged the crowd to use yoga not only to be healthy but to be kind to each other [1].", SUPPORTED),
    ],
)
def test_month_abbreviations_openings_and_not_only(checker: GroundingChecker, sentence: str, verdict: str) -> None:
    assert checker.support(sentence, RESIGNING).verdict == verdict


def test_repair_recites_to_the_supporting_passage(checker: GroundingChecker) -> None:
    wrong = Sentence("Canada and Mexico signed a tariff accord in Ottawa [1].", (1,))
    checked = checker.check([wrong], PASSAGES)
    (fixed,) = checked.sentences
    assert fixed.citations == (2,) and fixed.text.endswith("[2].") and fixed.verdict == SUPPORTED
    assert checked.repaired == 1 and checked.citations[0].passage.rank == 2


def test_unsupported_everywhere_is_dropped_or_marked(checker: GroundingChecker) -> None:
    claim = Sentence("Oil prices fell sharply in Asian markets [1].", (1,))
    good = Sentence("The navy sent 12 ships to the strait [1].", (1,))
    dropped = checker.check([good, claim], PASSAGES, drop_unsupported=True)
    assert [s.text for s in dropped.sentences] == [good.text] and dropped.dropped == 1
    marked = checker.check([good, claim], PASSAGES, drop_unsupported=False)
    assert [s.verdict for s in marked.sentences] == [SUPPORTED, UNSUPPORTED]


def test_uncited_sentence_gets_a_citation_when_a_passage_supports_it(checker: GroundingChecker) -> None:
    checked = checker.check([Sentence("Talks with Tokyo resume in May.")], PASSAGES)
    assert checked.sentences[0].citations == (1,) and checked.repaired == 1


def test_extractive_answers_carry_verdicts(assistant: Any) -> None:
    answer = assistant.answer("What were the stated goals of Blinken's trip?")
    assert answer.sentences and all(s.verdict == SUPPORTED for s in answer.sentences)


def test_generative_answer_without_support_abstains_with_reason(assistant: Any) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.models.chat import build_chat_model

    with openai_stub() as (url, state):
        state.replies = ["Blinken signed a 40-year gas deal with Xi Jinping in Shanghai [1]."]
        settings = make_settings(assistant.settings.home, llm_model="stub", openai_base_url=url)
        bot = Assistant(settings, assistant.store, assistant.embedder, build_chat_model(settings))
        answer = bot.answer("What did Blinken sign?")
    assert answer.abstained and "closest passages are about" in answer.abstain_reason
    assert not answer.citations and answer.passages


def test_abstention_says_what_the_sources_cover(assistant: Any) -> None:
    answer = assistant.answer("What did Xi Jinping say to Blinken when they met in Beijing?")
    assert answer.abstained and "Xi Jinping" in answer.abstain_reason
    assert "closest passages are about" in answer.abstain_reason
