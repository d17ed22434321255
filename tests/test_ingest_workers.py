"""``--workers N``: N embedding sessions share the cores; the vectors are the ones one session computes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from assistant.models.embedders import EmbedderPool, build_embedder
from assistant.store.chroma import Store
from tests.conftest import SEED_ARTICLE, make_settings, run_module


def test_a_pool_of_two_sessions_gives_the_single_session_vectors(embedder: Any, tmp_path: Path) -> None:
    pool = build_embedder(make_settings(tmp_path, ingest_workers=2))
    assert isinstance(pool, EmbedderPool) and pool.name == embedder.name
    texts = [f"{word} talks resumed in the capital on day {i}" for i, word in enumerate("abcdefg")]
    assert np.allclose(pool.embed_documents(texts), embedder.embed_documents(texts), atol=1e-5)


def test_ingest_with_two_workers(tmp_path: Path, embedder: Any) -> None:
    env = {**os.environ, "ATTACHE_HOME": str(tmp_path)}
    done = run_module("ingest", "-q", "--workers", "2", str(SEED_ARTICLE), env=env)
    assert done.returncode == 0, done.stderr
    assert Store(make_settings(tmp_path), embedder).count_chunks() == 3
