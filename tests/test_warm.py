"""``python -m assistant warm`` (#24): every candidate sentence's exact vectors computed before any question, so a
first question embeds only itself, with the answer a cold library gives; it resumes, and stops at the row limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.answering.assistant import Assistant
from assistant.answering.warm import exact_texts, warm
from assistant.core.types import Chunk
from assistant.store.chroma import Store
from ingest.pipeline import ingest_paths
from tests.conftest import SEED_ARTICLE, run_module
from tests.test_sentence_states import Counting

QUESTIONS = (
    "What were the stated goals of Blinken's trip?",
    "Who is Daniel Kritenbrink?",
    "When was the trip postponed?",
)


def test_exact_texts_are_the_answerers_own() -> None:
    text = "Blinken met Xi in Beijing on Monday. The two sides agreed to keep talking. Why? More: a link."
    chunk = Chunk(id="c1", article_id="a1", text=text, start=0, end=len(text))
    texts = [t for _, t in exact_texts(chunk)]
    assert texts == [
        "Blinken met Xi in Beijing on Monday.",
        "The two sides agreed to keep talking.",
        "Blinken met Xi in Beijing on Monday. The two sides agreed to keep talking.",
    ]  # a question and a link line are never candidates; the first sentence alone is its own context


def test_a_warmed_library_embeds_only_the_question_and_answers_the_same(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    assert ingest_paths([SEED_ARTICLE], store, embedder, settings).added == 1
    cold = {}
    for question in QUESTIONS:  # a cold library: each first question embeds its sentences
        counting = Counting(embedder)
        cold[question] = Assistant(settings, Store(settings, embedder), counting).answer(question)
        assert counting.texts > 1
    store.sentences.clear_exact()
    report = warm(store, embedder, show_progress=False)
    assert report.chunks == store.count_chunks() and report.embedded == report.texts > 0 and not report.stopped
    assert store.sentences.count_exact() == report.texts
    for question in QUESTIONS:
        counting = Counting(embedder)
        answer = Assistant(settings, Store(settings, embedder), counting).answer(question)
        assert counting.texts == 1, question  # the question only
        assert answer.text == cold[question].text and answer.citations == cold[question].citations
    again = warm(store, embedder, show_progress=False)  # resumes: nothing left to do
    assert again.embedded == 0 and again.texts == report.texts


def test_warm_stops_before_the_row_limit(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    assert ingest_paths([SEED_ARTICLE], store, embedder, settings).added == 1
    store.sentences.exact_limit = 10
    report = warm(store, embedder, batch=8, show_progress=False)
    assert report.stopped and "10" in report.stopped
    assert store.sentences.count_exact() <= 10


def test_the_warm_command(env_home: dict[str, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**env_home, "ATTACHE_HOME": str(home)}
    assert run_module("ingest", str(SEED_ARTICLE), "--quiet", env=env).returncode == 0
    done = run_module("assistant", "warm", "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert "warmed" in done.stdout and "embedded now" in done.stdout
