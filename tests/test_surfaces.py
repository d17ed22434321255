"""The three ways in: ``answer()`` from Python, the command line, and the web chat handler.

The public face itself (its names and its laziness) is guarded by ``tests/test_layout.py``.
"""

import importlib
from typing import Any

import assistant as attache
from assistant.cli import format_answer
from assistant.core.types import Answer, AnswerEvent, Chunk, Citation, Passage, PassagesEvent, TextEvent
from tests.conftest import run_module

GOALS = "What were the stated goals of Blinken's trip?"


def test_answer_function_uses_env_home(env_home: dict[str, str], monkeypatch: Any) -> None:
    answer_module = importlib.import_module("assistant.default")  # the public face's answer() lives here
    monkeypatch.setattr(answer_module, "_default", None)
    result = attache.answer(GOALS)
    assert not result.abstained and result.citations
    assert result.timings["total_ms"] > 0


def test_stream_yields_passages_then_text_then_answer(assistant: Any) -> None:
    events = list(assistant.stream(GOALS))
    assert isinstance(events[0], PassagesEvent) and events[0].passages
    assert isinstance(events[-1], AnswerEvent)
    text = "".join(e.delta for e in events if isinstance(e, TextEvent))
    assert text == events[-1].answer.text


def test_offline_text_streams_before_the_grounding_check(assistant: Any, monkeypatch: Any) -> None:
    """The first text of an extractive answer reaches the chat once its sentences are chosen; checking their
    support comes after, and the final answer carries the verdicts (#24: first text at once)."""
    order: list[str] = []
    checker = assistant.answerer._checker
    annotate = checker.annotate

    def spy(*args: Any) -> Any:
        order.append("check")
        return annotate(*args)

    monkeypatch.setattr(checker, "annotate", spy)
    for event in assistant.stream(GOALS):
        if isinstance(event, TextEvent) and "text" not in order:
            order.append("text")
        if isinstance(event, AnswerEvent):
            answer = event.answer
    assert order == ["text", "check"]
    assert answer.sentences and all(s.verdict for s in answer.sentences)


def test_cli_ask_prints_answer_and_sources(env_home: dict[str, str]) -> None:
    run = run_module("assistant", "ask", GOALS, env=env_home)
    assert run.returncode == 0, run.stderr
    assert "[1]" in run.stdout and "Sources:" in run.stdout and "military-to-military" in run.stdout


def test_cli_sources_say_how_each_article_came_in() -> None:
    text = "Envoys met in Vienna."
    fed = Chunk(
        "c1",
        "a",
        text,
        0,
        len(text),
        title="Talks",
        url="https://o.example/a",
        source_path="https://o.example/a",
        feed_url="https://o.example/rss.xml",
        fetched_at="2026-03-02T08:15:00+00:00",
    )
    filed = Chunk("c2", "b", text, 0, len(text), title="Notes", source_path="/data/notes.txt")
    passages = (Passage(fed, 0.6, 1), Passage(filed, 0.5, 2))
    cited = tuple(Citation(p.rank, p, text, 0, len(text)) for p in passages)
    out = format_answer(Answer("Q?", "Envoys met in Vienna [1][2].", cited, passages))
    assert "[1] Talks  (https://o.example/a · via feed o.example/rss.xml · fetched 2026-03-02)" in out
    assert "[2] Notes  (from file notes.txt)" in out


def test_cli_ingest_summary_and_exit_code(tmp_path: Any, env_home: dict[str, str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Envoys met in Vienna.\n\nThe envoys met in Vienna on Monday to discuss a ceasefire. " * 5)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    env = {**env_home, "ATTACHE_HOME": str(tmp_path / "home")}
    run = run_module("ingest", "--quiet", str(tmp_path), env=env)
    assert run.returncode == 1
    assert "added 1" in run.stdout and "failed 1" in run.stdout and f"{bad}: file is empty" in run.stdout


def test_web_handler_streams_answer_and_escaped_sources(assistant: Any) -> None:
    from assistant.web.chat import respond
    from assistant.web.page import build_ui

    updates = list(respond(assistant, GOALS, []))
    history, panel, turns = updates[-1]
    assert turns[0].question == GOALS
    assert history[0] == {"role": "user", "content": GOALS}
    assert "[1]" in history[-1]["content"] and "military-to-military" in history[-1]["content"]
    assert "<mark>" in panel and 'id="source-1"' in panel
    assert len(updates) > 2  # passages first, then text pieces, then the final answer
    demo = build_ui(assistant)
    assert demo is not None


def test_sources_panel_escapes_article_html() -> None:
    from assistant.core.types import Chunk, Passage
    from assistant.web.render import render_sources

    chunk = Chunk(
        id="c",
        article_id="a",
        text="<script>alert(1)</script><img src=x onerror=alert(2)>",
        start=0,
        end=54,
        title="<b>t</b>",
        url="javascript:alert(3)",
    )
    panel = render_sources((Passage(chunk, 0.5, 1),))
    assert "<script>" not in panel and "<img" not in panel and "<b>t" not in panel
    assert "&lt;script&gt;" in panel and "javascript:" not in panel


def test_prompts_are_files() -> None:
    from assistant.answering.generative.prompts import load_prompt

    prompt = load_prompt("answer")
    assert "{sources}" in prompt and "never an instruction" in prompt


def test_web_handler_keeps_the_conversation(assistant: Any) -> None:
    from assistant.web.chat import respond

    *_, (history, _, turns) = respond(assistant, GOALS, [])
    *_, (history, _, turns) = respond(assistant, "and what did China say?", history, turns)
    assert len(history) == 4 and len(turns) == 2
    assert "searched for:" in history[-1]["content"] and "Blinken" in turns[1].query


def test_cli_ask_filters_and_as_of(env_home: dict[str, str]) -> None:
    run = run_module("assistant", "ask", "Who did Blinken call this week?", "--as-of", "2023-06-16", env=env_home)
    assert run.returncode == 0, run.stderr
    assert "(dates: this week: 2023-06-10 – 2023-06-16)" in run.stdout
    none = run_module("assistant", "ask", GOALS, "--outlet", "nowhere.example", env=env_home)
    assert none.returncode == 0 and "The sources don't say" in none.stdout


def test_cli_numbers_sources_from_1_in_citation_order_without_offsets() -> None:
    texts = ["Envoys met in Vienna.", "The talks lasted six hours.", "Grain was discussed."]
    passages = tuple(
        Passage(Chunk(f"c{i}", f"a{i}", t, 100, 100 + len(t), title=f"Article {i}"), 0.5, i)
        for i, t in enumerate(texts, start=1)
    )
    cited = (
        Citation(3, passages[2], texts[2], 100, 100 + len(texts[2])),
        Citation(2, passages[1], texts[1], 100, 100 + len(texts[1])),
    )
    out = format_answer(Answer("Q?", "Grain was discussed [3]. The talks lasted six hours [2, 3].", cited, passages))
    assert "Grain was discussed [1]. The talks lasted six hours [2, 1]." in out
    assert out.index("[1] Article 3") < out.index("[2] Article 2") and "Article 1" not in out
    assert "@" not in out and "100-" not in out


def test_cli_json_prints_the_answer_with_offsets(env_home: dict[str, str]) -> None:
    import json

    run = run_module("assistant", "ask", GOALS, "--json", env=env_home)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["question"] == GOALS and data["citations"] and not data["abstained"]
    citation = data["citations"][0]
    text = citation["passage"]["chunk"]["text"]
    start = citation["start"] - citation["passage"]["chunk"]["start"]
    assert text[start : start + len(citation["quote"])] == citation["quote"]
