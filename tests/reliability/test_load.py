"""Load: 20 concurrent two-turn conversations against one ``Assistant`` while the app's own ingest runs.

The ingest goes through the web app's handler (:func:`assistant.web.library.ingest_uploads`: in process,
under the store lock), adding generated articles while the conversations run on 20 threads. Every turn
must succeed, and every answer must be the one the same conversation gets on a quiet store, before the
ingest or after it. The p95 turn latency is the figure.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.core.types import Answer
from assistant.store.chroma import Store
from assistant.web.library import ingest_uploads
from ingest.pipeline import ingest_paths
from tests.conftest import SEED_ARTICLE, make_settings
from tests.reliability.figures import percentile, record
from tests.test_ingest_fixtures import story, write_article

pytestmark = pytest.mark.slow

N_CONVERSATIONS, N_DISTINCT, N_INGESTED = 20, 4, 30
FOLLOW_UP = "and what did China say?"
Signature = tuple[tuple[str, tuple[str, ...]], ...]


def _signature(answer: Answer) -> Signature:
    """What the reader gets: each sentence with the quotes it cites (numbering may shift as passages arrive)."""
    quotes = {c.number: c.quote for c in answer.citations}
    return tuple((s.text.split(" [")[0], tuple(quotes.get(n, "?") for n in s.citations)) for s in answer.sentences)


Turn = tuple[float, float]  # (started, seconds)


def _converse(bot: Assistant, question: str) -> tuple[tuple[Signature, ...], list[Turn]]:
    chat, signatures, turns = bot.conversation(), [], []
    for text in (question, FOLLOW_UP):
        started = time.perf_counter()
        answer = chat.ask(text)
        turns.append((started, time.perf_counter() - started))
        for citation in answer.citations:  # every citation still resolves to its article's text
            chunk = citation.passage.chunk
            assert chunk.text[citation.start - chunk.start : citation.end - chunk.start] == citation.quote
        signatures.append(_signature(answer))
    return tuple(signatures), turns


def test_twenty_conversations_while_an_ingest_runs(
    tmp_path: Path, embedder: Any, seed_questions: list[dict[str, Any]]
) -> None:
    settings = make_settings(tmp_path / "home")
    store = Store(settings, embedder)
    assert ingest_paths([SEED_ARTICLE], store, embedder, settings).added == 1
    bot = Assistant(settings, store, embedder)
    questions = [q["question"] for q in seed_questions if q["answerable"]][:N_DISTINCT]
    before = {q: _converse(bot, q)[0] for q in questions}
    uploads = [
        write_article(tmp_path / "up" / f"{i:02d}.md", story(700 + i, 1), f"Talks {i}", url=f"https://load.example/{i}")
        for i in range(N_INGESTED)
    ]

    ingest_finished: list[float] = []

    def ingest() -> str:
        try:
            return ingest_uploads(bot, [str(p) for p in uploads])
        finally:
            ingest_finished.append(time.perf_counter())

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=N_CONVERSATIONS + 1) as pool:
        ingesting = pool.submit(ingest)
        time.sleep(0.2)  # the ingest holds the lock and is reading when the conversations start
        futures = [pool.submit(_converse, bot, questions[i % N_DISTINCT]) for i in range(N_CONVERSATIONS)]
        results = [f.result() for f in futures]  # re-raises any error from a thread
        report = ingesting.result()
    wall = time.perf_counter() - started
    assert f"Added {N_INGESTED}</strong>" in report and "failed 0" in report, report
    during = sum(start < ingest_finished[0] for _, turns in results for start, _ in turns)
    assert during >= N_CONVERSATIONS, "every conversation should start while the ingest runs"
    after = {q: _converse(bot, q)[0] for q in questions}
    inconsistent = sum(
        sig not in (before[q], after[q])
        for q, (sig, _) in zip(questions * (N_CONVERSATIONS // N_DISTINCT), results, strict=True)
    )
    assert inconsistent == 0
    assert store.count_articles() == N_INGESTED + 1
    latencies = [seconds for _, turns in results for _, seconds in turns]
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    record(
        "load",
        "1-concurrent",
        f"{N_CONVERSATIONS} concurrent 2-turn conversations during a {N_INGESTED}-article ingest: "
        f"{len(latencies)} turns ({during} during the ingest), 0 errors, {inconsistent} inconsistent; "
        f"p50 {p50:.2f} s, p95 {p95:.2f} s",
        turns=len(latencies),
        turns_during_ingest=during,
        ingest_s=round(ingest_finished[0] - started, 2),
        errors=0,
        inconsistent=inconsistent,
        p50_s=round(p50, 3),
        p95_s=round(p95, 3),
        max_s=round(max(latencies), 3),
        wall_s=round(wall, 2),
        ingested=N_INGESTED,
    )
