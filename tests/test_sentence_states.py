"""Sentence states kept at ingest (#24): one forward pass per chunk gives every sentence's vector; answers read them
instead of embedding each candidate sentence, with the same answers, and fall back to embedding without them."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.answering.assistant import Assistant
from assistant.answering.vectors import Run, SentenceVectors
from assistant.core.sentences import sentence_spans
from assistant.models.embedders import SpanStates
from assistant.store.chroma import Store
from assistant.store.sentences import SentenceStates
from ingest.pipeline import ingest_paths
from tests.conftest import SEED_ARTICLE, make_settings

TEXT = (
    "Blinken met Xi Jinping in Beijing on Monday. The two sides agreed to keep talking. "
    "Military channels were not restored, officials said."
)


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.texts = inner, 0
        self.name, self.dim = inner.name, inner.dim

    def embed_documents(self, texts: Any) -> Any:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Any:
        self.texts += 1
        return self.inner.embed_query(text)


def test_span_states_come_from_the_same_pass_and_add_up(embedder: Any) -> None:
    spans = [(s.start, s.end) for s in sentence_spans(TEXT)]
    both = (spans[0][0], spans[1][1])
    vectors, states = embedder.embed_spans([TEXT, "Short one."], [[*spans, both], []])
    assert np.allclose(vectors, embedder.embed_documents([TEXT, "Short one."]), atol=1e-5)
    got = states[0]
    assert got.counts.shape == (4,) and bool((got.counts > 0).all()) and states[1].counts.shape == (0,)
    assert got.counts[3] == got.counts[0] + got.counts[1]  # whitespace between sentences has no token
    joined, direct = got.vector(0, 1), got.vector(3)
    assert joined is not None and direct is not None and float(joined @ direct) > 0.9999
    # contextual, not the sentence embedded alone, but close to it
    alone = embedder.embed_documents([TEXT[spans[0][0] : spans[0][1]]])[0]
    first = got.vector(0)
    assert first is not None and 0.5 < float(first @ alone) < 0.999


def test_a_span_past_the_truncation_has_no_state(embedder: Any) -> None:
    long = " ".join(f"Sentence number {i} says the talks went on." for i in range(80))
    spans = [(s.start, s.end) for s in sentence_spans(long)]
    _, (got,) = embedder.embed_spans([long], [spans])
    assert got.counts[0] > 0 and got.counts[-1] == 0
    assert got.vector(len(spans) - 1) is None and got.vector(0, len(spans) - 1) is None and got.vector(0) is not None


def test_the_cache_rejects_rows_that_no_longer_match(tmp_path: Path, embedder: Any, assistant: Any) -> None:
    chunk = assistant.store.get_chunks(assistant.store.chunk_ids()[:1])[0][0]
    spans = [(s.start, s.end) for s in sentence_spans(chunk.text)]
    _, (states,) = embedder.embed_spans([chunk.text], [spans])
    cache = SentenceStates(tmp_path / "s.sqlite3")
    cache.put([(chunk, spans, states)])
    (back,) = cache.get([(chunk, spans)]).values()
    cosines = [float(a @ b) for a, b in zip(states.means, back.means, strict=True)]
    assert min(cosines) > 0.999 and np.array_equal(back.counts, states.counts)  # int8 with a scale per sentence
    assert cache.get([(replace(chunk, text=chunk.text + " Edited."), spans)]) == {}  # rewritten since: ignored
    cache.forget([chunk.article_id])
    assert cache.get([(chunk, spans)]) == {}


def test_ingest_stores_states_and_delete_forgets_them(settings: Any, embedder: Any) -> None:
    store = Store(settings, embedder)
    report = ingest_paths([SEED_ARTICLE], store, embedder, settings)
    assert report.added == 1
    chunks = [c for c, _ in store.get_chunks(store.chunk_ids())]
    keyed = [(c, [(s.start, s.end) for s in sentence_spans(c.text)]) for c in chunks]
    found = store.sentences.get(keyed)
    assert set(found) == {c.id for c in chunks}
    assert all(len(found[c.id].counts) == len(spans) for c, spans in keyed)
    assert store.delete_article(chunks[0].article_id)
    assert store.sentences.get(keyed) == {}


def test_answers_read_stored_vectors_and_say_the_same(seeded_home: Path, embedder: Any, seed_questions: Any) -> None:
    """With states stored, an answer embeds the question and at most ``exact_pool`` candidate sentences (alone and
    in context), and its grounding check embeds nothing; the answers are the same sentences either way."""
    settings = make_settings(seeded_home)
    counted: dict[bool, list[int]] = {True: [], False: []}
    for q in seed_questions[:5]:
        answers = {}
        for stored in (True, False):  # a fresh assistant per question: nothing cached from the one before
            counting = Counting(embedder)
            bot = Assistant(settings.updated(stored_vectors=stored), Store(settings, embedder), counting)
            answers[stored] = bot.answer(q["question"])
            counted[stored].append(counting.texts)
        assert answers[True].text == answers[False].text
        assert [s.verdict for s in answers[True].sentences] == [s.verdict for s in answers[False].sentences]
    assert all(a < b for a, b in zip(counted[True], counted[False], strict=True)), counted
    assert sum(counted[True]) <= 0.8 * sum(counted[False]), counted  # 0.70 measured on this one-article library


def test_grounding_an_extractive_answer_embeds_nothing(embedder: Any, assistant: Any) -> None:
    from assistant.answering.grounding import SUPPORTED, GroundingChecker

    question = "What were the stated goals of Blinken's trip?"
    draft = assistant.answerer.compose(question, assistant.retriever.retrieve(question))
    assert draft.citations
    verdicts = {}
    for stored in (True, False):
        counting = Counting(embedder)
        source = assistant.store.sentences.get if stored else None
        checker = GroundingChecker(counting, vectors=SentenceVectors(counting, source))
        sentences, _ = checker.annotate(draft.sentences, draft.citations)
        verdicts[stored] = ([s.verdict for s in sentences], counting.texts)
    assert verdicts[True][0] == verdicts[False][0] and SUPPORTED in verdicts[True][0]
    # only a sentence past the chunk pass's 256 tokens (no state) is embedded
    assert verdicts[True][1] <= 1 and verdicts[False][1] >= 10, verdicts


def test_without_stored_states_it_embeds_as_before(embedder: Any, assistant: Any) -> None:
    chunk = assistant.store.get_chunks(assistant.store.chunk_ids()[:1])[0][0]
    spans = sentence_spans(chunk.text)
    runs = [Run(chunk, 0, 0, spans[0].of(chunk.text)), Run(chunk, 0, 1, chunk.text[spans[0].start : spans[1].end])]
    plain = SentenceVectors(embedder)
    assert not plain.stored
    assert np.allclose(plain.vectors(runs), embedder.embed_documents([r.text for r in runs]), atol=1e-6)
    empty = SentenceVectors(embedder, lambda _chunks: {})  # a store without rows for these chunks
    assert np.allclose(empty.vectors(runs), embedder.embed_documents([r.text for r in runs]), atol=1e-6)
    stored = SentenceVectors(embedder, assistant.store.sentences.get)
    pooled, uncovered = stored.pooled(runs)
    assert uncovered == [] and all(float(np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-4) for v in pooled)


def test_span_states_vector_edges() -> None:
    states = SpanStates(np.ones((2, 4), dtype=np.float32), np.array([3, 0], dtype=np.int32))
    assert states.vector(0) is not None and states.vector(1) is None and states.vector(0, 1) is None
    assert states.vector(1, 0) is None and states.vector(-1) is None and states.vector(0, 5) is None


def test_exact_vectors_are_kept_and_read_back_bit_for_bit(tmp_path: Path, embedder: Any) -> None:
    """A sentence embedded exactly for one question is read back by later ones (and by a new process), the same
    float32; its article's deletion drops it; another model does not read it."""
    texts = [s.of(TEXT) for s in sentence_spans(TEXT)]
    owners = ["a1", "a1", "a2"]
    counting = Counting(embedder)
    first = SentenceVectors(counting, kept=SentenceStates(tmp_path / "s.sqlite3")).exact(texts, owners)
    assert counting.texts == 3 and np.array_equal(first, embedder.embed_documents(texts))
    again = Counting(embedder)  # a new process on the same home: only the sidecar is shared
    kept = SentenceStates(tmp_path / "s.sqlite3")
    assert np.array_equal(SentenceVectors(again, kept=kept).exact(texts[::-1], owners[::-1]), first[::-1])
    assert again.texts == 0
    kept.forget(["a1"])
    assert set(kept.get_exact(embedder.name, texts)) == {texts[2]}
    assert kept.get_exact("another-model", texts) == {}
    SentenceVectors(again, kept=kept).exact(texts, owners)
    assert again.texts == 2  # the two of the forgotten article, embedded and kept again
    assert len(kept.get_exact(embedder.name, texts)) == 3


def test_exact_vectors_are_capped_and_a_failing_sidecar_only_costs_speed(tmp_path: Path, embedder: Any) -> None:
    kept = SentenceStates(tmp_path / "s.sqlite3", exact_limit=4)
    texts = [f"Sentence number {i} of the talks." for i in range(12)]
    vectors = SentenceVectors(embedder, kept=kept).exact(texts, ["a"] * 12)
    assert len(kept.get_exact(embedder.name, texts)) == 4  # the newest four
    assert set(kept.get_exact(embedder.name, texts)) == set(texts[-4:])
    blocked = SentenceStates(tmp_path / "missing" / "dir-is-a-file")
    (tmp_path / "missing").write_text("not a directory")
    counting = Counting(embedder)
    assert np.array_equal(SentenceVectors(counting, kept=blocked).exact(texts[:2], ["a", "a"]), vectors[:2])
    assert counting.texts == 2 and blocked.exact_limit == 0  # not tried again


def test_answers_keep_their_exact_vectors_and_replacing_the_article_drops_them(settings: Any, embedder: Any) -> None:
    """The same answer from a fresh assistant on the same home embeds only the question; deleting the article
    leaves no kept vector behind."""
    store = Store(settings, embedder)
    assert ingest_paths([SEED_ARTICLE], store, embedder, settings).added == 1
    question = "What were the stated goals of Blinken's trip?"
    answers, counts = [], []
    for _ in range(2):
        counting = Counting(embedder)
        answers.append(Assistant(settings, Store(settings, embedder), counting).answer(question))
        counts.append(counting.texts)
    assert answers[0].text == answers[1].text and answers[0].citations == answers[1].citations
    assert counts[0] > 2 and counts[1] == 1, counts  # the second embeds only the question
    rows = sqlite3.connect(settings.sentences_path).execute("SELECT COUNT(*), MIN(article_id) FROM exact").fetchone()
    article_id = store.get_chunks(store.chunk_ids()[:1])[0][0].article_id
    assert rows == (counts[0] - 1, article_id)
    assert store.delete_article(article_id)
    assert sqlite3.connect(settings.sentences_path).execute("SELECT COUNT(*) FROM exact").fetchone() == (0,)
