"""First-run seeding: an empty library gets the seed articles (``seeds/``), so the chat has something to answer from.

Called by the composition roots (``app.py``, the CLI, :func:`assistant.answer`), never by the answering code.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.core.settings import Settings
from assistant.models.embedders import Embedder
from assistant.store.chroma import Store
from ingest.pipeline import ingest_paths
from ingest.readers import for_suffix

log = logging.getLogger(__name__)


def seed_files(folder: Path) -> list[Path]:
    """The seed articles in ``folder``: its plain-text and Markdown files, sorted."""
    return sorted(p for p in folder.glob("*") if (reader := for_suffix(p.suffix)) and reader.name == "text")


def ensure_seeded(store: Store, embedder: Embedder, settings: Settings, seeds_dir: Path | None = None) -> int:
    """Ingest the seed articles when the library is empty. Returns the number of articles added."""
    if store.count_articles():
        return 0
    report = ingest_paths(seed_files(seeds_dir or settings.seeds_dir), store, embedder, settings)
    for path, reason in report.failed:
        log.warning("seed %s not ingested: %s", path, reason)
    return report.added
