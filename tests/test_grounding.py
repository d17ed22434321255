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
