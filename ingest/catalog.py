"""What the store holds, in memory for one ingest run: content hashes, copies, signatures.

Loaded once from the article records (no text), then kept in step with every decision the
run makes, so each article costs no store round-trip to classify.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from assistant.core.types import Article, ArticleCopy
from ingest.dedupe import Fingerprint, NearDuplicates


@dataclass(frozen=True)
class Entry:
    """A stored (or about to be stored) article, without its text."""

    article: Article
    digest: str


class Catalog:
    def __init__(self, records: list[tuple[Article, str]], dedupe_threshold: float) -> None:
        self._entries: dict[str, Entry] = {}
        self._owner: dict[str, str] = {}  # copy id → id of the article it was folded into
        self._index = NearDuplicates(dedupe_threshold) if dedupe_threshold > 0 else None
        for article, digest in records:
            self.add(article, digest, Fingerprint.decode(article.fingerprint))

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> Iterator[Entry]:
        yield from list(self._entries.values())

    def get(self, article_id: str) -> Entry | None:
        return self._entries.get(article_id)

    def digests(self) -> dict[str, str]:
        """Content hash of every stored article and every recorded copy, by id."""
        found = {aid: entry.digest for aid, entry in self._entries.items()}
        found.update({copy_id: self.copy(copy_id).content_hash for copy_id in self._owner})
        return found

    @property
    def dedupe(self) -> bool:
        return self._index is not None

    def add(self, article: Article, digest: str, print_: Fingerprint | None) -> None:
        """Record a new or replaced article (its copies, if any, come along)."""
        self._entries[article.id] = Entry(replace(article, text=""), digest)
        for copy in article.copies:
            self._owner[copy.id] = article.id
        if self._index is not None:
            if print_ is None:
                self._index.remove(article.id)
            else:
                self._index.add(article.id, print_)

    def remove(self, article_id: str) -> Article | None:
        """Forget a deleted article and its copies; returns what it was."""
        entry = self._entries.pop(article_id, None)
        if entry is None:
            return None
        for copy in entry.article.copies:
            self._owner.pop(copy.id, None)
        if self._index is not None:
            self._index.remove(article_id)
        return entry.article

    # -- copies ----------------------------------------------------------------------------

    def owner(self, copy_id: str) -> str | None:
        return self._owner.get(copy_id)

    def copy(self, copy_id: str) -> ArticleCopy:
        kept = self._entries[self._owner[copy_id]].article
        return next(c for c in kept.copies if c.id == copy_id)

    def find_original(self, print_: Fingerprint | None) -> tuple[str, float] | None:
        """The stored article ``print_`` is a near-duplicate of, and the similarity, if any."""
        if self._index is None or print_ is None:
            return None
        return self._index.best_match(print_)

    def attach(self, kept_id: str, copy: ArticleCopy) -> Article:
        """Fold ``copy`` into ``kept_id``; returns the kept article (no text) with its new copies."""
        entry = self._entries[kept_id]
        copies = (*(c for c in entry.article.copies if c.id != copy.id), copy)
        return self._set_copies(entry, copies)

    def detach(self, copy_id: str) -> Article | None:
        """Unfold a copy (its file changed or went away); returns the kept article, updated."""
        kept_id = self._owner.pop(copy_id, None)
        if kept_id is None:
            return None
        entry = self._entries[kept_id]
        return self._set_copies(entry, tuple(c for c in entry.article.copies if c.id != copy_id))

    def _set_copies(self, entry: Entry, copies: tuple[ArticleCopy, ...]) -> Article:
        article = replace(entry.article, copies=copies)
        self._entries[article.id] = Entry(article, entry.digest)
        for copy in copies:
            self._owner[copy.id] = article.id
        return article

    def move(self, article_id: str, source_path: str) -> None:
        entry = self._entries[article_id]
        self._entries[article_id] = Entry(replace(entry.article, source_path=source_path), entry.digest)
