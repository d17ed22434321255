"""Giving back the embedder's arena after an ingest: vectors unchanged, memory returned, wrappers forward it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.models.embedders import CachedEmbedder, EmbedderPool, OnnxMiniLM, release_memory
from tests.conftest import OtherEmbedder

LONG = ["word " * 300] * 32  # a full batch of 256-token inputs: the arena grows to its working size


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_release_returns_the_arena_and_keeps_the_vectors(runtime: str) -> None:
    """The batched model's working memory on either runtime (onnx-pc runs one text at a time and holds little)."""
    embedder = OnnxMiniLM(runtime=runtime)
    before = embedder.embed_documents(["Blinken met Xi in Beijing."])
    embedder.embed_documents(LONG)
    grown = _rss_mb()
    release_memory(embedder)
    # runs of 8 x 256 tokens: onnxruntime's arena holds ~0.28 GiB, OpenVINO's compiled model ~0.17 GiB
    assert _rss_mb() < grown - 100
    assert np.allclose(embedder.embed_documents(["Blinken met Xi in Beijing."]), before, atol=1e-6)


def test_wrappers_forward_and_others_are_left_alone(embedder: Any) -> None:
    calls: list[str] = []

    class Releasing(OtherEmbedder):
        def release_memory(self) -> None:
            calls.append("released")

    release_memory(CachedEmbedder(Releasing()))
    release_memory(EmbedderPool([Releasing(), Releasing()]))
    release_memory(OtherEmbedder())  # nothing to release: no error
    assert calls == ["released"] * 3
