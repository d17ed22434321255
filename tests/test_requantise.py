"""The per-channel int8 MiniLM (embed_backend=onnx-pc): built offline from the packaged weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.core.errors import EmbedderMismatch
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store
from tests.conftest import make_settings

TEXTS = [
    "Blinken met Xi Jinping in Beijing to stabilise relations.",
    "The ceasefire across the border would last 21 days.",
    "Britain's prime minister resigned after weeks of chaos.",
]


def test_built_once_from_the_packaged_weights_and_close_to_them(tmp_path: Path, embedder: Any) -> None:
    settings = make_settings(tmp_path / "home", embed_backend="onnx-pc")
    fast = build_embedder(settings)
    built = list(settings.models_path.glob("*.onnx"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    assert build_embedder(settings).name == fast.name  # the second build reuses the file
    assert built[0].stat().st_mtime_ns == stamp

    assert fast.name != embedder.name and fast.dim == embedder.dim
    ours, theirs = fast.embed_documents(TEXTS), embedder.embed_documents(TEXTS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.97
    # still a retrieval model: each text is closest to itself under the other embedder
    assert list(np.argmax(ours @ theirs.T, axis=1)) == [0, 1, 2]


def test_a_store_built_with_one_refuses_the_other(tmp_path: Path, embedder: Any) -> None:
    home = tmp_path / "home"
    Store(make_settings(home), embedder)
    fast = build_embedder(make_settings(home, embed_backend="onnx-pc"))
    with pytest.raises(EmbedderMismatch):
        Store(make_settings(home, embed_backend="onnx-pc"), fast)
