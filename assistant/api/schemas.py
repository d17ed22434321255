"""The API's JSON contract: request bodies in, core types out as these models (the conversion happens here and
nowhere else), each documented in the OpenAPI schema at ``/api/docs``."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.core.types import Answer, Article, Chunk, Citation, Filters, Passage, Sentence

MAX_QUESTION = 2000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(Strict):
    """Restrict retrieval: any of ``outlets``, published between ``date_from`` and ``date_to`` (inclusive), any of
    ``article_ids``."""

    outlets: list[str] = []
    date_from: date | None = None
    date_to: date | None = None
    article_ids: list[str] = []

    def to_filters(self) -> Filters | None:
        filters = Filters(tuple(self.outlets), self.date_from, self.date_to, tuple(self.article_ids))
        return None if filters.empty else filters


class AnswerRequest(Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION, examples=["What were the goals of Blinken's trip?"])
    filters: FiltersIn | None = None
    as_of: date | None = Field(None, description="The day the question is asked on (default: today).")
    conversation_id: str | None = Field(
        None, description="Continue this saved conversation (a follow-up); none starts a new one."
    )
    save: bool = Field(True, description="Save the turn in the caller's conversation history.")


class Source(BaseModel):
    """Where a passage or citation comes from."""

    article_id: str
    chunk_id: str
    title: str
    outlet: str
    url: str
    published: date | None
    authors: list[str]


class CitationOut(Source):
    """Marker ``[number]`` in the answer text: ``quote`` is exactly ``article text[start:end]``."""

    number: int
    quote: str
    start: int
    end: int
    verdict: str = Field(description='The grounding check of this citation: "supported", "weak", "unsupported".')


class SentenceOut(BaseModel):
    text: str
    citations: list[int] = Field(description="The markers [n] this sentence carries.")
    verdict: str = Field(description='"supported", "weak" or "unsupported": the sentence matches its sources.')
    support: float
    answers: float | None = Field(description="How likely the sentence answers the question, 0-1 (None: unknown).")
    outlets: list[str] = Field(description="Outlets among the sources that say it too.")


class PassageOut(Source):
    rank: int
    score: float
    text: str
    start: int
    end: int


class AnswerOut(BaseModel):
    question: str
    text: str = Field(description="The answer with [n] citation markers.")
    abstained: bool
    abstain_reason: str
    refusal_rule: str
    confidence: float | None
    backend: str
    query: str = Field(description="The standalone question retrieval used (a follow-up rewritten).")
    as_of: date | None
    sentences: list[SentenceOut]
    citations: list[CitationOut]
    passages: list[PassageOut]
    timings: dict[str, float]


class AnswerResponse(BaseModel):
    conversation_id: str | None = Field(description="The saved conversation this turn belongs to (None: not saved).")
    answer: AnswerOut


class ArticleOut(BaseModel):
    id: str
    title: str
    outlet: str
    url: str
    published: date | None
    authors: list[str]
    chunks: int


class ArticlesOut(BaseModel):
    total: int
    articles: list[ArticleOut]


class Problem(BaseModel):
    source: str
    reason: str


class Outcome(BaseModel):
    source: str
    article_id: str
    outcome: str


class IngestOut(BaseModel):
    """What adding articles did; ``refused`` are uploads turned away before ingest, ``failed`` sources that broke."""

    added: int
    replaced: int
    unchanged: int
    duplicates: int
    chunks: int
    failed: list[Problem]
    skipped: list[Problem]
    refused: list[Problem]
    outcomes: list[Outcome]


class UrlsIn(Strict):
    urls: list[str] = Field(min_length=1, description="Article pages, feeds, sitemaps or a site's home page.")


class TurnOut(BaseModel):
    question: str
    answer: AnswerOut


class ConversationOut(BaseModel):
    id: str
    title: str
    created_at: str
    updated_at: str
    backend: str
    turns: list[TurnOut] = []
    n_turns: int


class ConversationsOut(BaseModel):
    conversations: list[ConversationOut]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable: unauthorized, forbidden, not_found, invalid_request, body_too_large, ...")
    message: str
    type: str = Field(description="The code again, where OpenAI clients look for it.")


class ErrorBody(BaseModel):
    error: ErrorDetail


# -- core types → JSON models ---------------------------------------------------------------------------------


def _source(chunk: Chunk) -> dict[str, Any]:
    return {
        "article_id": chunk.article_id,
        "chunk_id": chunk.id,
        "title": chunk.title,
        "outlet": chunk.outlet,
        "url": chunk.url,
        "published": chunk.published,
        "authors": list(chunk.authors),
    }


def passage_out(passage: Passage) -> PassageOut:
    chunk = passage.chunk
    return PassageOut(
        **_source(chunk), rank=passage.rank, score=passage.score, text=chunk.text, start=chunk.start, end=chunk.end
    )


def citation_out(citation: Citation) -> CitationOut:
    return CitationOut(
        **_source(citation.passage.chunk),
        number=citation.number,
        quote=citation.quote,
        start=citation.start,
        end=citation.end,
        verdict=citation.verdict,
    )


def sentence_out(sentence: Sentence) -> SentenceOut:
    return SentenceOut(
        text=sentence.text,
        citations=list(sentence.citations),
        verdict=sentence.verdict,
        support=sentence.support,
        answers=sentence.answers,
        outlets=list(sentence.outlets),
    )


def answer_out(answer: Answer) -> AnswerOut:
    return AnswerOut(
        question=answer.question,
        text=answer.text,
        abstained=answer.abstained,
        abstain_reason=answer.abstain_reason,
        refusal_rule=answer.refusal_rule,
        confidence=answer.confidence,
        backend=answer.backend,
        query=answer.query,
        as_of=answer.as_of,
        sentences=[sentence_out(s) for s in answer.sentences],
        citations=[citation_out(c) for c in answer.citations],
        passages=[passage_out(p) for p in answer.passages],
        timings=dict(answer.timings),
    )


def article_out(article: Article, chunks: int) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        published=article.published,
        authors=list(article.authors),
        chunks=chunks,
    )
