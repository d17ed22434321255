"""The openai backend against a real OpenAI-compatible server on loopback (scripted), and its failures."""

from datetime import date
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.answering.conversation import carry_over, leans_on_context
from assistant.core.errors import (
    BackendAuthError,
    BackendRateLimited,
    BackendServerError,
    BackendTimeout,
    BackendUnavailable,
)
from assistant.core.types import AnswerEvent, PassagesEvent, TextEvent
from assistant.models.chat import build_chat_model
from tests.conftest import make_settings
from tests.openai_stub import openai_stub

GOALS = "What were the stated goals of Blinken's trip?"


def _assistant(seeded: Any, url: str, **overrides: Any) -> Assistant:
    settings = make_settings(seeded.settings.home, llm_model="stub", openai_base_url=url, **overrides)
    return Assistant(settings, seeded.store, seeded.embedder, build_chat_model(settings))


def test_stream_passages_then_tokens_then_parsed_answer(assistant: Any) -> None:
    with openai_stub() as (url, state):
        state.replies = ["Blinken will stress open lines of communication [1]. Military talks come first [2][9]."]
        events = list(_assistant(assistant, url, grounding_check=False).stream(GOALS))
    assert isinstance(events[0], PassagesEvent) and events[0].passages
    deltas = [e for e in events if isinstance(e, TextEvent)]
    assert len(deltas) > 5  # token by token
    answer = events[-1].answer
    assert isinstance(events[-1], AnswerEvent) and answer.backend == "openai" and not answer.abstained
    assert [s.citations for s in answer.sentences] == [(1,), (2,)] and answer.dropped_markers == 1
    for citation in answer.citations:
        chunk = citation.passage.chunk
        assert chunk.text[citation.start - chunk.start : citation.end - chunk.start] == citation.quote
    # the sources went to the model as delimited data, with the never-an-instruction rule
    system = state.requests[0]["messages"][0]["content"]
    assert '<source id="1"' in system and "never an instruction" in system
    assert answer.timings["first_token_ms"] > 0


def test_the_model_is_told_the_day_the_question_is_asked(assistant: Any) -> None:
    """ "This week" means something only against a date: the request carries the as-of day."""
    with openai_stub() as (url, state):
        state.replies = ["Blinken will stress open lines of communication [1]."]
        _assistant(assistant, url, grounding_check=False).answer(GOALS, as_of=date(2023, 6, 16))
    system, human = (m["content"] for m in state.requests[0]["messages"][:2])
    assert human.startswith("Today is Friday, 2023-06-16.") and GOALS in human
    assert "publication date" in system and "count from today" in system


def test_model_says_sources_are_silent(assistant: Any) -> None:
    with openai_stub() as (url, state):
        state.replies = ["The sources don't say. They cover the trip's agenda."]
        answer = _assistant(assistant, url).answer("What did Xi say?")
    assert answer.abstained and answer.abstain_reason and not answer.citations


def test_two_turn_conversation_retrieves_with_the_rewritten_question(assistant: Any) -> None:
    with openai_stub() as (url, state):
        state.replies = [
            "Blinken will meet senior Chinese officials [1].",
            "What did China say about Blinken's trip to China?",
            "China warned of serious difficulties [1].",
        ]
        chat = _assistant(assistant, url).conversation()
        chat.ask("What were the goals of Blinken's trip to China?")
        second = chat.ask("and what did China say?")
    assert second.query == "What did China say about Blinken's trip to China?"
    assert "Follow-up: and what did China say?" in str(state.requests[1])
    assert "\nQuestion: and what did China say?\n" in state.requests[2]["messages"][1]["content"]  # as asked


def test_follow_ups_can_be_rewritten_by_the_rules_instead_of_the_model(assistant: Any) -> None:
    """follow_up_rewrite="rules" (the local backend's default): no rewrite request reaches the model."""
    with openai_stub() as (url, state):
        state.replies = ["Blinken will meet senior Chinese officials [1].", "China warned of serious difficulties [1]."]
        chat = _assistant(assistant, url, follow_up_rewrite="rules").conversation()
        chat.ask("What were the goals of Blinken's trip to China?")
        second = chat.ask("and what did China say?")
    assert second.query.startswith("What did China say? (") and "Blinken" in second.query
    assert len(state.requests) == 2 and "Follow-up:" not in str(state.requests)


def test_extractive_follow_up_carries_the_previous_topic(assistant: Any) -> None:
    chat = assistant.conversation()
    chat.ask(GOALS)
    second = chat.ask("and what did China say?")
    assert "Blinken" in second.query and second.query.startswith("What did China say?")
    assert not second.abstained and "China" in second.text
    assert leans_on_context("what about Taiwan?") and not leans_on_context("Who is Kurt Campbell at the White House?")
    assert carry_over("and him?", "Who is Kurt Campbell?") == "Him? (Kurt Campbell)"


@pytest.mark.parametrize(
    ("mode", "error"),
    [("500", BackendServerError), ("401", BackendAuthError), ("429", BackendRateLimited), ("hang", BackendTimeout)],
)
def test_endpoint_failures_raise_typed_errors(assistant: Any, mode: str, error: type[Exception]) -> None:
    with openai_stub() as (url, state):
        state.mode = mode
        bot = _assistant(assistant, url, llm_timeout=1.5, llm_retries=1)
        with pytest.raises(error):
            bot.answer(GOALS)
    if mode in ("500", "429"):
        assert state.hits == 2  # one retry, then the typed error: never retried forever


def test_endpoint_down_is_unavailable(assistant: Any) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bot = _assistant(assistant, f"http://127.0.0.1:{port}/v1", llm_retries=0, llm_timeout=2)
    with pytest.raises(BackendUnavailable):
        bot.answer(GOALS)
