"""The local backend: a real llama-server with SmolLM2-135M on 127.0.0.1, started and stopped by the fixture.

A 135M model is no knowledge source: these tests assert structure (streamed, parsed, citations resolve or
the answer abstains), never facts.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.core.types import AnswerEvent, PassagesEvent, TextEvent
from tests.conftest import make_settings

try:
    from assistant.models.llama_server import LlamaServer, binary_path, default_model_path

    binary_path()
    default_model_path()
except Exception as exc:  # ConfigError with the install hint
    pytest.skip(f"local backend not installed: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def local(assistant: Any) -> Iterator[Assistant]:
    settings = make_settings(assistant.settings.home, backend="local", llm_max_tokens=96, llm_timeout=120)
    bot = Assistant(settings, assistant.store, assistant.embedder)
    yield bot
    servers = _servers(bot)
    bot.close()
    assert all(server.process.poll() is not None for server in servers)  # stopped by their PIDs


def _servers(bot: Assistant) -> list[Any]:
    """The llama-servers the local backend started (the cells of its connect closure)."""
    connect = bot.answerer._connect  # type: ignore[attr-defined]
    cells = [c.cell_contents for c in connect.__closure__ or ()]
    return next(c for c in cells if isinstance(c, list))


def _check(answer: Any) -> None:
    assert answer.backend == "local"
    if answer.abstained:
        assert answer.abstain_reason
        return
    assert answer.sentences and answer.text
    ranks = {p.rank for p in answer.passages}
    for citation in answer.citations:
        assert citation.number in ranks
        chunk = citation.passage.chunk
        assert chunk.text[citation.start - chunk.start : citation.end - chunk.start] == citation.quote


def test_local_stream_is_token_by_token_and_parsed(local: Assistant) -> None:
    events = list(local.stream("What were the stated goals of Blinken's trip?"))
    assert isinstance(events[0], PassagesEvent) and events[0].passages
    assert sum(isinstance(e, TextEvent) for e in events) >= 3
    assert isinstance(events[-1], AnswerEvent)
    _check(events[-1].answer)
    servers = _servers(local)
    assert servers and servers[0].base_url.startswith("http://127.0.0.1:")


def test_local_answer_on_seed_questions(local: Assistant, seed_questions: list[dict[str, Any]]) -> None:
    for question in seed_questions[:3]:
        _check(local.answer(question["question"]))


def test_server_is_stopped_by_pid(assistant: Any) -> None:
    settings = make_settings(assistant.settings.home, backend="local")
    server = LlamaServer.start(settings)
    pid = server.process.pid
    server.stop()
    assert server.process.poll() is not None
    import os

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
