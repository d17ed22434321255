"""``Views``: the three analyst views over one store, behind ``Assistant.quotes / timeline / coverage``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cached_property

import numpy as np

from assistant.analysis.article import analyse
from assistant.core.settings import Settings
from assistant.core.types import Coverage, Event, Filters, Passage, Quote
from assistant.models.embedders import Embedder
from assistant.retrieval.retriever import Retriever
from assistant.store.chroma import Store
from assistant.store.views import ViewsIndex
from assistant.views import coverage as coverage_view
from assistant.views import quotes as quotes_view
from assistant.views import timeline as timeline_view

# How many passages retrieval hands a view to look through.
VIEW_DEPTH = 40


class Views:
    def __init__(self, settings: Settings, store: Store, embedder: Embedder, retriever: Retriever) -> None:
        self.settings, self.store, self.embedder, self.retriever = settings, store, embedder, retriever

    @cached_property
    def index(self) -> ViewsIndex:
        return ViewsIndex(self.settings.views_path, self.store, analyse)

    def sync(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring the quotations and dated sentences in step with the store; returns articles analysed."""
        return self.index.sync(progress)

    def quotes(
        self,
        speaker: str | None = None,
        about: str | None = None,
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> list[Quote]:
        self.sync()
        return quotes_view.search(self.index.quotes(filters, as_of, speaker), speaker, about)

    def speakers(self, filters: Filters | None = None, as_of: date | None = None) -> list[tuple[str, int]]:
        self.sync()
        return quotes_view.speakers(self.index.quotes(filters, as_of))

    def timeline(
        self, query: str | None = None, filters: Filters | None = None, as_of: date | None = None
    ) -> list[Event]:
        self.sync()
        events = self.index.events(filters, as_of)
        if query and query.strip():
            events = timeline_view.within(events, [s.passage for s in self._relevant(query, filters, as_of)])
        return timeline_view.merge(events)

    def coverage(self, query: str, filters: Filters | None = None, as_of: date | None = None) -> Coverage:
        kept = self._relevant(query, filters, as_of)
        ids = list(dict.fromkeys(s.passage.chunk.article_id for s in kept))
        articles = {a.id: a for a in self.store.get_articles(ids)}
        return coverage_view.build(query, kept, articles)

    def _relevant(self, query: str, filters: Filters | None, as_of: date | None) -> list[coverage_view.Scored]:
        passages = self.retriever.retrieve(query, k=VIEW_DEPTH, filters=filters, as_of=as_of)
        if as_of is not None:
            passages = [p for p in passages if p.chunk.published is None or p.chunk.published <= as_of]
        return coverage_view.relevant(query, self._scored(query, passages))

    def _scored(self, query: str, passages: list[Passage]) -> list[coverage_view.Scored]:
        vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32).ravel()
        stored = {chunk.id: vec for chunk, vec in self.store.get_chunks([p.chunk.id for p in passages])}
        scored = []
        for passage in passages:
            vec = stored.get(passage.chunk.id)
            cosine = float(np.dot(vector, np.asarray(vec).ravel())) if vec is not None else 0.0
            scored.append(coverage_view.Scored(passage, cosine))
        return scored
