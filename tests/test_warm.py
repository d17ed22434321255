"""``python -m assistant warm`` (#24): every candidate sentence's exact vectors computed before any question, so a
first question embeds only itself, with the answer a cold library gives; it resumes, and stops at the row limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answering.assistant import Assistant
from assistant.answering.warm import IdleWarmer, exact_texts, warm
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
    warmer = IdleWarmer(store, embedder)
    warmer.passes.append(report)
    assert warmer.status().endswith("the rest are prepared as questions reach them")
    assert store.sentences.count_exact() <= 10


def test_the_warm_command(env_home: dict[str, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**env_home, "ATTACHE_HOME": str(home)}
    assert run_module("ingest", str(SEED_ARTICLE), "--quiet", env=env).returncode == 0
    done = run_module("assistant", "warm", "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert "warmed" in done.stdout and "embedded now" in done.stdout


def _until(check: Callable[[], bool], seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_the_idle_warmer_waits_for_questions_then_warms(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    assert ingest_paths([SEED_ARTICLE], store, embedder, settings).added == 1
    store.sentences.clear_exact()
    warmer = IdleWarmer(store, embedder, idle=0.2, batch=8, poll=0.2)
    try:
        with warmer.busy():  # a question in flight: the warmer embeds nothing until it has ended
            warmer.start()
            time.sleep(1.0)
            assert store.sentences.count_exact() == 0
            assert warmer.status() == "preparing while no question is asked (0 sentence texts ready)"
        assert _until(lambda: bool(warmer.passes))
        assert warmer.status().startswith("ready: ")
        first = warmer.passes[0]
        assert first.embedded == first.texts > 0 and not first.stopped
        assert store.sentences.count_exact() == first.texts
        counting = Counting(embedder)
        Assistant(settings, Store(settings, embedder), counting).answer(QUESTIONS[0])
        assert counting.texts == 1  # a new question embeds only itself
        more = settings.home / "more.txt"  # the library changes: the warmer warms what is new
        more.write_text(
            "Title: Kishida visits Seoul\n\nJapan's prime minister Fumio Kishida met South Korea's president Yoon "
            "Suk Yeol in Seoul on Sunday. The two leaders agreed to resume regular visits between their capitals. "
            "They also discussed North Korea's missile launches and a joint response with Washington.\n"
        )
        assert ingest_paths([more], store, embedder, settings).added == 1
        assert _until(lambda: len(warmer.passes) >= 2)
        assert warmer.passes[1].embedded > 0 and store.sentences.count_exact() > first.texts
    finally:
        warmer.stop()
    assert warmer._thread is not None and not warmer._thread.is_alive()


def test_an_answer_holds_the_warmer_back(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    assert ingest_paths([SEED_ARTICLE], store, embedder, settings).added == 1
    store.sentences.clear_exact()
    bot = Assistant(
        settings.model_copy(update={"answering": settings.answering.model_copy(update={"warm_idle_seconds": 600.0})}),
        store,
        embedder,
    )
    warmer = bot.warm_when_idle()
    assert warmer is not None and bot.warm_when_idle() is warmer  # one per assistant
    answer = bot.answer(QUESTIONS[1])  # embeds its own exact vectors, nothing more while the warmer waits
    kept = store.sentences.count_exact()
    assert answer.citations and kept > 0
    time.sleep(0.5)
    assert store.sentences.count_exact() == kept and not warmer.passes
    bot.close()  # stops the waiting warmer at once
    assert warmer._thread is not None and not warmer._thread.is_alive()
