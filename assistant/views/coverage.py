"""Who reported a story and how: the outlets whose articles cover the query, side by side.

An article covers the story when one of its retrieved chunks is close to the query (cosine of the stored chunk
vector) and shares its key words; wire copies folded into an article at ingest ride along as "also ran in".
Each outlet gets its first publication date and its most relevant sentences, in its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.core.lexical import content_stems, salient_terms
from assistant.core.sentences import sentence_spans
from assistant.core.types import Article, Coverage, CoverageSentence, OutletCoverage, Passage

# Set on the tune half of bench/labels/stories.jsonl (python -m bench.coverage --grid): the fewest outlets that
# are not the story's among the settings that find at least 90% of the story's outlets.
MIN_COSINE = 0.5
MIN_TERMS = 0.34
SENTENCES_PER_OUTLET = 3


@dataclass(frozen=True, slots=True)
class Scored:
    passage: Passage
    cosine: float


def term_share(query: str, text: str) -> float:
    """Share of the query's topic words the text uses."""
    wanted = set(salient_terms(query))
    if not wanted:
        return 1.0
    return len(wanted & set(content_stems(text))) / len(wanted)


def relevant(
    query: str, scored: Sequence[Scored], min_cosine: float | None = None, min_terms: float | None = None
) -> list[Scored]:
    """The passages that cover the story: close to the query and carrying enough of its topic words."""
    cosine = MIN_COSINE if min_cosine is None else min_cosine
    terms = MIN_TERMS if min_terms is None else min_terms
    # A query of a word or two ("Ukraine", "fisheries talks") is never close to a whole passage by cosine; there,
    # every one of its words in the passage is what counts. (The stories' queries are longer: no effect on them.)
    short = len(salient_terms(query)) <= 2
    kept = []
    for item in scored:
        share = term_share(query, item.passage.chunk.text)
        if share >= terms and (item.cosine >= cosine or (short and share == 1.0)):
            kept.append(item)
    return kept


def _sentences(query: str, passages: Sequence[Passage], titles: dict[str, Article]) -> list[CoverageSentence]:
    wanted = set(salient_terms(query))
    found: dict[tuple[str, int], CoverageSentence] = {}
    for passage in passages:
        chunk = passage.chunk
        for span in sentence_spans(chunk.text):
            text = chunk.text[span.start : span.end]
            words = set(content_stems(text))
            score = len(wanted & words) / (len(wanted) or 1)
            start = chunk.start + span.start
            key = (chunk.article_id, start)
            if score > 0 and key not in found:
                article = titles.get(chunk.article_id)
                found[key] = CoverageSentence(
                    text,
                    chunk.article_id,
                    start,
                    chunk.start + span.end,
                    score,
                    article.title if article else chunk.title,
                    chunk.published,
                )
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.published or date.max, s.start))
    picked: list[CoverageSentence] = []
    for sentence in ranked:
        words = set(content_stems(sentence.text))
        if any(len(words & set(content_stems(p.text))) >= 0.8 * max(1, len(words)) for p in picked):
            continue  # a near-repeat of one already picked
        picked.append(sentence)
        if len(picked) == SENTENCES_PER_OUTLET:
            break
    return picked


def build(query: str, kept: Sequence[Scored], articles: dict[str, Article]) -> Coverage:
    """Group the relevant passages by outlet, first to report first."""
    by_outlet: dict[str, list[Passage]] = {}
    for item in kept:
        outlet = item.passage.chunk.outlet or "(no outlet)"
        by_outlet.setdefault(outlet, []).append(item.passage)
    outlets = []
    for outlet, passages in by_outlet.items():
        ids = tuple(dict.fromkeys(p.chunk.article_id for p in passages))
        days = [d for d in (articles[i].published if i in articles else None for i in ids) if d]
        copies: dict[str, None] = {}
        for article_id in ids:
            article = articles.get(article_id)
            for other in article.also_reported_by if article else ():
                copies.setdefault(other)
        sentences = tuple(_sentences(query, passages, articles))
        outlets.append(OutletCoverage(outlet, min(days) if days else None, sentences, ids, tuple(copies)))
    outlets.sort(key=lambda o: (o.first_published or date.max, o.outlet))
    independent = len({i for o in outlets for i in o.article_ids})
    return Coverage(query, tuple(outlets), independent)
