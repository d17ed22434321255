"""Failing LLM endpoints on real loopback sockets: typed errors, bounded retries, and a chat that carries on.

Every failure mode of :mod:`tests.openai_stub` (plus a port nobody listens on) goes through ``answer()``:
it must raise the typed error within a bounded time and number of requests, never hand back a silently
shortened answer. Then the web chat's handler meets each failure in one conversation, shows a message for
each, and answers normally once the endpoint recovers.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any

import pytest

from assistant.core.errors import (
    BackendAuthError,
    BackendError,
    BackendRateLimited,
    BackendResponseError,
    BackendServerError,
    BackendTimeout,
    BackendUnavailable,
)
from assistant.web.chat import respond
from tests.openai_stub import openai_stub
from tests.reliability.figures import record
from tests.test_generative import GOALS, _assistant

RETRIES, TIMEOUT = 2, 1.0
REPLY = "Blinken will stress open lines of communication [1]. Military talks come first [2]. He meets Xi [1]."


@dataclass(frozen=True)
class Failure:
    mode: str
    error: type[BackendError]
    requests: int  # exactly this many requests reach the endpoint: the first try and its retries
    retry_after: str = "0"
    at_least_s: float = 0.0  # a Retry-After the client must honour
    words: str = ""


FAILURES = [
    Failure("500", BackendServerError, RETRIES + 1, words="HTTP 500"),
    Failure("401", BackendAuthError, 1, words="rejected the credentials"),
    Failure("429", BackendRateLimited, RETRIES + 1, retry_after="1", at_least_s=2 * 1.0, words="rate limiting"),
    # a Retry-After beyond the client's cap (60 s) is not waited for: the error comes at once, with the hint
    Failure("429", BackendRateLimited, 1, retry_after="3600", words="rate limiting"),
    Failure("hang", BackendTimeout, RETRIES + 1, words="did not answer in time"),
    Failure("malformed", BackendResponseError, 1, words="unusable response"),
    Failure("cut", BackendResponseError, 1, words="cut off"),
]
# Upper bound of one question's wall time: every try times out, plus the client's backoff (under 10 s here).
BOUND_S = (RETRIES + 1) * TIMEOUT + 10
MEASURED: dict[str, dict[str, Any]] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("failure", FAILURES, ids=lambda f: f"{f.mode}-{f.retry_after}" if f.mode == "429" else f.mode)
def test_each_failure_is_a_typed_error_in_bounded_time(assistant: Any, failure: Failure) -> None:
    with openai_stub() as (url, state):
        state.mode, state.retry_after, state.replies = failure.mode, failure.retry_after, [REPLY]
        bot = _assistant(assistant, url, llm_timeout=TIMEOUT, llm_retries=RETRIES)
        started = time.monotonic()
        with pytest.raises(failure.error, match=failure.words) as raised:
            bot.answer(GOALS)
        seconds = time.monotonic() - started
        hits = state.hits
    assert hits == failure.requests, (failure, hits)
    assert failure.at_least_s <= seconds < BOUND_S, seconds
    if failure.mode == "429":
        assert isinstance(raised.value, BackendRateLimited)
        assert raised.value.retry_after == float(failure.retry_after)
    name = failure.mode if failure.mode != "429" else f"429 Retry-After {failure.retry_after}"
    MEASURED[name] = {"error": type(raised.value).__name__, "requests": hits, "seconds": round(seconds, 2)}


def test_refused_connection_is_unavailable_after_bounded_retries(assistant: Any) -> None:
    bot = _assistant(assistant, f"http://127.0.0.1:{_free_port()}/v1", llm_timeout=TIMEOUT, llm_retries=RETRIES)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="cannot reach"):
        bot.answer(GOALS)
    seconds = time.monotonic() - started
    assert seconds < BOUND_S
    MEASURED["refused"] = {"error": "BackendUnavailable", "requests": RETRIES + 1, "seconds": round(seconds, 2)}


def test_chat_shows_each_failure_then_answers_when_the_endpoint_recovers(assistant: Any) -> None:
    with openai_stub() as (url, state):
        bot = _assistant(assistant, url, llm_timeout=TIMEOUT, llm_retries=0)
        history: list[Any] = []
        turns: list[Any] = []
        for mode in ("500", "429", "hang", "malformed", "cut"):
            state.mode, state.replies = mode, [REPLY]
            *_, (history, _, turns) = respond(bot, GOALS, history, turns)
            assert turns[-1].result is None and history[-1]["content"].startswith("⚠️ The answering model failed")
        state.mode = "ok"
        *_, (history, panel, turns) = respond(bot, GOALS, history, turns)
    answer = turns[-1].result
    assert answer is not None and not answer.abstained and answer.citations
    assert 'href="#cite-6-1"' in history[-1]["content"] and 'data-cite="6-1"' in panel
    assert len(history) == 12  # six questions, six replies: five messages and one answer
    assert len(MEASURED) == len(FAILURES) + 1, "run the whole module: the figure needs every failure mode"
    worst = max(m["seconds"] for m in MEASURED.values())
    record(
        "endpoint",
        "1-failures",
        f"{len(MEASURED)} failure modes → {len(MEASURED)} typed errors, 0 silent partial answers; "
        f"at most {RETRIES + 1} requests and {worst:.1f} s per question; the chat showed 5/5 failures "
        "and answered after",
        retries=RETRIES,
        timeout_s=TIMEOUT,
        modes=MEASURED,
    )
