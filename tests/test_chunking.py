import itertools

from assistant.core.sentences import word_count
from assistant.core.types import Article
from ingest.chunking import chunk_article
from ingest.loaders import load_file
from tests.conftest import SEED_ARTICLE


def _article(text: str) -> Article:
    return Article(id="a1", title="T", text=text)


def test_seed_chunks_cover_article_with_exact_offsets() -> None:
    (article,) = load_file(SEED_ARTICLE).articles
    chunks = chunk_article(article)
    assert len(chunks) == 3
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert 150 <= word_count(chunk.text) <= 300
    assert chunks[0].start == 0 and chunks[-1].end == len(article.text)
    # small overlap: each chunk starts before the previous one ends
    assert all(b.start < a.end for a, b in itertools.pairwise(chunks))
    assert [c.id for c in chunks] == [f"{article.id}-{i:04d}" for i in range(3)]


def test_long_sentence_is_split_at_word_boundaries() -> None:
    text = " ".join(f"word{i}" for i in range(700)) + "."
    chunks = chunk_article(_article(text), target_words=200, max_words=300)
    assert all(word_count(c.text) <= 300 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_small_tail_is_merged() -> None:
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(30)]
    text = " ".join(sentences)
    chunks = chunk_article(_article(text), target_words=100, max_words=150, overlap=0)
    assert word_count(chunks[-1].text) >= 40
    assert "".join(text[c.start : c.end] for c in chunks).replace(" ", "") == text.replace(" ", "")
