"""``--prune``: forget articles whose source is gone, after the run has ingested what is there.

An article (or a recorded copy) is gone when it came from a file under one of the pruned
paths, was not met in this run, and its file either no longer exists or was read completely
and no longer contains it (a record removed from a JSONL export). A moved file is met under
its new name, so it is not gone; a file that failed to load, even in part, causes no deletion.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.core.types import Article
from assistant.store.chroma import Store
from ingest.catalog import Catalog
from ingest.report import IngestReport

log = logging.getLogger(__name__)

_LINE_SUFFIX = re.compile(r":\d+$")  # records ingested before source paths were plain files

Gone = Callable[[str, Path], bool]


def source_file(source_path: str) -> Path | None:
    if not source_path:
        return None
    path = Path(source_path)
    if not path.exists() and _LINE_SUFFIX.search(source_path):
        path = Path(_LINE_SUFFIX.sub("", source_path))
    return path


class Scopes:
    """The paths given to ``--prune``: folders, files or glob patterns (made absolute)."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self._paths = [Path(os.path.abspath(p)) for p in paths]

    def __contains__(self, path: Path) -> bool:
        absolute = Path(os.path.abspath(path))
        return any(
            absolute == scope or scope in absolute.parents or fnmatch.fnmatch(str(absolute), str(scope))
            for scope in self._paths
        )


def gone_after(seen: set[str], complete: set[Path]) -> Gone:
    """Gone: not met in this run, and its file is missing or was read completely without it."""
    resolved = {p.resolve() for p in complete}

    def gone(article_id: str, path: Path) -> bool:
        return article_id not in seen and (not path.exists() or path.resolve() in resolved)

    return gone


def prune(store: Store, catalog: Catalog, scopes: Scopes, gone: Gone, report: IngestReport) -> list[Path]:
    """Delete gone articles and copies; returns the files of copies orphaned by a deletion.

    Those copies are still in their files; ingesting the files again stores one of them in
    place of the deleted article.
    """
    orphaned: list[Path] = []
    for entry in catalog.entries():
        article = entry.article
        path = source_file(article.source_path)
        if path is not None and path in scopes and gone(article.id, path):
            store.delete_article(article.id)
            catalog.remove(article.id)
            report.pruned.append((article.id, article.source_path))
            orphaned.extend(_surviving_copies(article, scopes, gone))
        else:
            _prune_copies(store, catalog, article, scopes, gone, report)
    return sorted(set(orphaned))


def _surviving_copies(article: Article, scopes: Scopes, gone: Gone) -> list[Path]:
    found = []
    for copy in article.copies:
        path = source_file(copy.source_path)
        if path is not None and path.exists() and not (path in scopes and gone(copy.id, path)):
            found.append(path)
    return found


def _prune_copies(
    store: Store, catalog: Catalog, article: Article, scopes: Scopes, gone: Gone, report: IngestReport
) -> None:
    kept: Article | None = None
    for copy in article.copies:
        path = source_file(copy.source_path)
        if path is not None and path in scopes and gone(copy.id, path):
            kept = catalog.detach(copy.id)
            report.pruned.append((copy.id, copy.source_path))
    if kept is not None:
        store.update_copies(kept)
