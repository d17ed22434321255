"""Shared fixtures: real embedder, real Chroma in a tmp dir, the seed article ingested once."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.core.settings import REPO_ROOT, Settings, apply_offline_env

apply_offline_env()
# the re-quantised MiniLM (embed_backend=onnx-pc) is built once per machine for every test home and every app or CLI
# the tests start, not once per ATTACHE_HOME (about 15 s each)
os.environ.setdefault("ATTACHE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "attache-test-models"))

SEEDS = REPO_ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_c8c58ef786186102.txt"
SHARED = REPO_ROOT.parent / "shared" / "eval" / "realtimeqa"


@pytest.fixture(autouse=True)
def _no_chroma_default_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedding function downloads a model: constructing it is a test failure."""
    from chromadb.api import types
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    def forbidden(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("Chroma's default (downloading) embedding function was constructed")

    monkeypatch.setattr(types.DefaultEmbeddingFunction, "__init__", forbidden)
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__init__", forbidden)
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "_download_model_if_not_exists", forbidden)


@pytest.fixture(scope="session")
def embedder() -> Any:
    """The embedder a new library gets by default (``embed_backend=auto``)."""
    from assistant.models.embedders import build_embedder

    return build_embedder(Settings(ingest_workers=1))


@pytest.fixture(scope="session")
def packaged() -> Any:
    """The packaged MiniLM as shipped (``embed_backend=onnx``): batched runs, the libraries built before #24."""
    from assistant.models.embedders import OnnxMiniLM

    return OnnxMiniLM()


class OtherEmbedder:
    """A different embedder (name and dimension): a store built with ours must refuse it."""

    name, dim = "other-model", 8

    def embed_documents(self, texts: list[str]) -> Any:
        return np.zeros((len(texts), 8), dtype=np.float32)

    def embed_query(self, text: str) -> Any:
        return np.zeros(8, dtype=np.float32)


def make_settings(home: Path, **overrides: Any) -> Settings:
    return Settings(home=home, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """An ATTACHE_HOME with the seed article ingested (shared, read-only by convention)."""
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    home = tmp_path_factory.mktemp("seeded")
    settings = make_settings(home)
    report = ingest_paths([SEED_ARTICLE], Store(settings, embedder), embedder, settings)
    assert report.added == 1 and report.ok
    return home


@pytest.fixture(scope="session")
def assistant(seeded_home: Path, embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from assistant.answering.assistant import Assistant
    from assistant.history.store import ConversationStore
    from assistant.store.chroma import Store

    settings = make_settings(seeded_home)
    bot = Assistant(settings, Store(settings, embedder), embedder)
    bot.history = ConversationStore.at_home(tmp_path_factory.mktemp("history"))  # the seeded home stays read-only
    return bot


@pytest.fixture(scope="session")
def seed_questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SEEDS / "questions.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture
def env_home(monkeypatch: pytest.MonkeyPatch, seeded_home: Path) -> Iterator[dict[str, str]]:
    """Environment for subprocesses and ``answer()``: ATTACHE_HOME points at the seeded store."""
    monkeypatch.setenv("ATTACHE_HOME", str(seeded_home))
    yield {**os.environ, "ATTACHE_HOME": str(seeded_home)}


# Figures that tests measure and the run should show (e.g. the seed question-set counts).
MEASURED: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MEASURED:
        terminalreporter.section("measured")
        for name, value in MEASURED.items():
            terminalreporter.write_line(f"{name}: {value}")


def run_module(module: str, *args: str, env: dict[str, str], timeout: int = 300) -> Any:
    """Run ``python -m module args…`` from the repo root, as a user would."""
    import subprocess
    import sys

    command = [sys.executable, "-m", module, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=timeout, check=False)
