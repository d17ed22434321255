"""The per-channel int8 MiniLM (embed_backend=onnx-pc): built offline from the packaged weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.core.errors import EmbedderMismatch
from assistant.models.embedders import OnnxMiniLM, build_embedder
from assistant.store.chroma import Store, settle_embedder
from tests.conftest import make_settings

TEXTS = [
    "Blinken met Xi Jinping in Beijing to stabilise relations.",
    "The ceasefire across the border would last 21 days.",
    "Britain's prime minister resigned after weeks of chaos.",
]


def test_built_once_from_the_packaged_weights_and_close_to_them(tmp_path: Path, packaged: OnnxMiniLM) -> None:
    embedder = packaged
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


def test_a_store_built_with_one_refuses_the_other(tmp_path: Path, packaged: OnnxMiniLM) -> None:
    home = tmp_path / "home"
    Store(make_settings(home), packaged)
    fast = build_embedder(make_settings(home, embed_backend="onnx-pc"))
    with pytest.raises(EmbedderMismatch):
        Store(make_settings(home, embed_backend="onnx-pc"), fast)


def test_auto_is_onnx_pc_for_a_new_library_and_the_recorded_embedder_for_an_old_one(
    tmp_path: Path, packaged: OnnxMiniLM
) -> None:
    from assistant.answering.assistant import Assistant

    new = make_settings(tmp_path / "new")
    assert new.embed.backend == "auto" and settle_embedder(new).embed.backend == "onnx-pc"
    assert not (tmp_path / "new" / "chroma").exists()  # looking did not create a store
    fresh = Assistant.from_settings(new)
    assert fresh.embedder.name.endswith("-pc1") and fresh.settings.embed.backend == "onnx-pc"

    old = make_settings(tmp_path / "old")
    Store(old, packaged)  # a library built before the default changed
    assert settle_embedder(old).embed.backend == "onnx"
    reopened = Assistant.from_settings(old)  # opens, no EmbedderMismatch
    assert reopened.embedder.name == packaged.name
    assert settle_embedder(make_settings(tmp_path / "old", embed_backend="onnx-pc")).embed.backend == "onnx-pc"
    with pytest.raises(EmbedderMismatch):  # an explicit choice is kept, and refused by the store it does not fit
        Assistant.from_settings(make_settings(tmp_path / "old", embed_backend="onnx-pc"))
