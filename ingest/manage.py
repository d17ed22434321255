"""``python -m ingest list | show ID... | delete ID...``: look after the library."""

from __future__ import annotations

import sys

from assistant.core.settings import Settings
from assistant.core.types import Article
from assistant.store.chroma import Store, settle_embedder
from assistant.store.lock import store_lock


def _list(store: Store) -> int:
    for article, n_chunks in store.list_articles():
        day = article.published.isoformat() if article.published else "----------"
        also = f" +{len(article.copies)}" if article.copies else ""
        print(f"{article.id}  {day}  {n_chunks:3d} chunks  {(article.outlet or '-') + also:20.20s}  {article.title}")
    print(f"{store.count_articles()} articles, {store.count_chunks()} chunks")
    return 0


def describe(article: Article) -> str:
    """The article as ``show`` prints it: headline, metadata lines, then the text."""
    lines = [article.title, f"{article.outlet} {article.url} {article.published or ''}".strip()]
    if article.authors:
        lines.append("by " + ", ".join(article.authors))
    if article.copies:
        outlets = ", ".join(article.also_reported_by) or article.outlet
        lines.append(f"also reported by {outlets} ({len(article.copies)} copies):")
        lines.extend(f"  {c.outlet or '-'} {c.url or c.source_path}" for c in article.copies)
    if article.source_path:
        lines.append(f"from {article.source_path}")
    if article.feed_url:
        lines.append(f"listed in {article.feed_url}")
    if article.fetched_at:
        lines.append(f"fetched {article.fetched_at}")
    return "\n".join([*lines, "", article.text])


def _show(store: Store, ids: list[str]) -> int:
    status = 0
    for article_id in ids:
        found = store.get_article(article_id)
        if found is None:
            print(f"no article {article_id}", file=sys.stderr)
            status = 1
        else:
            print(describe(found))
    return status


def _delete(store: Store, ids: list[str]) -> int:
    status = 0
    for article_id in ids:
        if store.delete_article(article_id):
            print(f"deleted {article_id}")
        else:
            print(f"no article {article_id}", file=sys.stderr)
            status = 1
    return status


def manage(command: str, ids: list[str], settings: Settings) -> int:
    from assistant.models.embedders import build_embedder

    if command in {"show", "delete"} and not ids:
        print(f"usage: python -m ingest {command} ID...", file=sys.stderr)
        return 2
    settings = settle_embedder(settings)
    embedder = build_embedder(settings)
    shared = command != "delete"
    with store_lock(
        settings.chroma_path, timeout=settings.ingest.lock_timeout, shared=shared, purpose=f"python -m ingest {command}"
    ):
        store = Store(settings, embedder)
        if command == "list":
            return _list(store)
        return _show(store, ids) if command == "show" else _delete(store, ids)
