"""Server mode: a real ``chroma run`` on a free loopback port, ingested into and answered from, stopped by its PID."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.core.errors import ConfigError, EmbedderMismatch, StoreError
from assistant.models.llama_server import free_port
from assistant.store.chroma import Store
from ingest.pipeline import ingest_paths
from tests.conftest import SEED_ARTICLE, OtherEmbedder, make_settings
from tests.servers import ChromaServer, chroma_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    root = tmp_path_factory.mktemp("chroma-server")
    with chroma_server(root / "data", root / "chroma.log") as running:
        yield running
    assert running.process.poll() is not None  # stopped by its PID


@pytest.fixture(scope="module")
def server_home(tmp_path_factory: pytest.TempPathFactory, server: ChromaServer, embedder: Any) -> Path:
    home = tmp_path_factory.mktemp("server-home")
    settings = make_settings(home, chroma_url=server.url)
    report = ingest_paths([SEED_ARTICLE], Store(settings, embedder), embedder, settings)
    assert report.added == 1 and report.chunks == 3 and report.ok
    return home


def test_ingest_then_cited_answer_over_the_server(server: ChromaServer, server_home: Path, embedder: Any) -> None:
    settings = make_settings(server_home, chroma_url=server.url)
    store = Store(settings, embedder)
    answer = Assistant(settings, store, embedder).answer("What were the stated goals of Blinken's trip?")
    assert not answer.abstained and answer.citations
    assert "communication" in answer.text
    assert {c.passage.chunk.article_id for c in answer.citations} == {store.records()[0][0].id}
    assert not (server_home / "chroma" / "chroma.sqlite3").exists()  # the chunks live on the server
    assert (server.log_path.parent / "data" / "chroma.sqlite3").exists()


def test_a_second_run_over_the_server_is_a_no_op(server: ChromaServer, server_home: Path, embedder: Any) -> None:
    settings = make_settings(server_home, chroma_url=server.url)
    report = ingest_paths([SEED_ARTICLE], Store(settings, embedder), embedder, settings)
    assert report.unchanged == 1 and report.chunks == 0


def test_another_embedder_is_refused_by_the_server_collection(server: ChromaServer, server_home: Path) -> None:
    with pytest.raises(EmbedderMismatch):
        Store(make_settings(server_home, chroma_url=server.url), OtherEmbedder())


def test_unreachable_server_and_bad_url_are_typed_errors(tmp_path: Path, embedder: Any) -> None:
    with pytest.raises(StoreError, match=r"127\.0\.0\.1"):
        Store(make_settings(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}"), embedder)
    with pytest.raises(ConfigError):
        Store(make_settings(tmp_path, chroma_url="127.0.0.1:8000/chroma"), embedder)
