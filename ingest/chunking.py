"""``Article`` → ``Chunk``s: sentence-aware, with exact character offsets and small overlap."""

from __future__ import annotations

from assistant.core.sentences import Span, sentence_spans, word_count
from assistant.core.types import Article, Chunk

_MIN_TAIL_WORDS = 40


def _split_long(text: str, span: Span, max_words: int) -> list[Span]:
    """A single sentence longer than ``max_words`` is cut at word boundaries."""
    pieces: list[Span] = []
    start, count, last_space = span.start, 0, span.start
    for pos in range(span.start, span.end):
        if text[pos].isspace() and pos > start and not text[pos - 1].isspace():
            count += 1
            last_space = pos
            if count >= max_words:
                pieces.append(Span(start, last_space))
                start, count = last_space + 1, 0
    if start < span.end:
        pieces.append(Span(start, span.end))
    return pieces


def _units(text: str, max_words: int) -> list[tuple[Span, int]]:
    units: list[tuple[Span, int]] = []
    for span in sentence_spans(text):
        n = word_count(span.of(text))
        if n > max_words:
            units.extend((piece, word_count(piece.of(text))) for piece in _split_long(text, span, max_words))
        else:
            units.append((span, n))
    return units


def _group(units: list[tuple[Span, int]], target: int, maximum: int, overlap: int) -> list[list[int]]:
    """Indices of units per chunk: fill to ``target`` words, never past ``maximum``."""
    groups: list[list[int]] = []
    current: list[int] = []
    words = 0
    for i, (_, n) in enumerate(units):
        if current and (words + n > maximum or words >= target):
            groups.append(current)
            keep = current[-overlap:] if overlap and len(current) > overlap else []
            if keep and sum(units[j][1] for j in keep) + n > maximum:
                keep = []
            current, words = list(keep), sum(units[j][1] for j in keep)
        current.append(i)
        words += n
    if current:
        groups.append(current)
    if len(groups) > 1:
        tail = [j for j in groups[-1] if j not in groups[-2]]
        tail_words = sum(units[j][1] for j in tail)
        merged_words = sum(units[j][1] for j in groups[-2]) + tail_words
        if tail_words < _MIN_TAIL_WORDS and merged_words <= maximum:
            groups[-2].extend(tail)
            groups.pop()
    return groups


def chunk_article(article: Article, target_words: int = 200, max_words: int = 300, overlap: int = 1) -> list[Chunk]:
    text = article.text
    units = _units(text, max_words)
    chunks: list[Chunk] = []
    for index, group in enumerate(_group(units, target_words, max_words, overlap)):
        start, end = units[group[0]][0].start, units[group[-1]][0].end
        chunks.append(
            Chunk(
                id=f"{article.id}-{index:04d}",
                article_id=article.id,
                text=text[start:end],
                start=start,
                end=end,
                index=index,
                title=article.title,
                outlet=article.outlet,
                url=article.url,
                published=article.published,
                authors=article.authors,
            )
        )
    return chunks
