"""How many outlets say what an answer sentence says: the cited article's outlet, the outlets that ran it as a
wire copy, and the outlets of other retrieved articles with a sentence carrying most of its words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from assistant.answering.draft import Draft
from assistant.core.lexical import content_stems
from assistant.core.sentences import sentence_spans
from assistant.core.types import Article, Passage, Sentence

# Another article says it when one of its sentences shares this many content words with the answer sentence,
# and they make up this share of the shorter of the two (so a paraphrase with fewer details still counts).
SAME_CLAIM = 0.5
MIN_SHARED = 4
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def _says_it(words: set[str], passage: Passage) -> bool:
    text = passage.chunk.text
    for span in sentence_spans(text):
        other = set(content_stems(text[span.start : span.end]))
        shared = len(words & other)
        if shared >= MIN_SHARED and shared >= SAME_CLAIM * min(len(words), len(other)):
            return True
    return False


def outlets_saying(
    sentence: Sentence, cited: Sequence[Passage], passages: Sequence[Passage], articles: Mapping[str, Article]
) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for passage in cited:
        found.setdefault(passage.chunk.outlet)
        article = articles.get(passage.chunk.article_id)
        for outlet in article.also_reported_by if article else ():
            found.setdefault(outlet)
    words = set(content_stems(_MARKERS.sub("", sentence.text)))
    cited_ids = {p.chunk.article_id for p in cited}
    if len(words) >= 3:
        for passage in passages:
            if (
                passage.chunk.article_id not in cited_ids
                and passage.chunk.outlet not in found
                and _says_it(words, passage)
            ):
                found.setdefault(passage.chunk.outlet)
    return tuple(o for o in found if o)


def corroborate(draft: Draft, passages: Sequence[Passage], articles: Mapping[str, Article]) -> Draft:
    """``draft`` with each cited sentence's ``outlets`` filled in."""
    if draft.abstained or not draft.citations:
        return draft
    by_number = {c.number: c.passage for c in draft.citations}
    sentences = []
    for sentence in draft.sentences:
        cited = [by_number[n] for n in sentence.citations if n in by_number]
        if cited:
            sentence = replace(sentence, outlets=outlets_saying(sentence, cited, passages, articles))
        sentences.append(sentence)
    return replace(draft, sentences=tuple(sentences))
