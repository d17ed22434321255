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


def test_auto_opens_a_library_with_the_embedder_that_built_it(tmp_path: Path, packaged: OnnxMiniLM) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import NEW_LIBRARY_EMBEDDER

    new = make_settings(tmp_path / "new")
    assert new.embed.backend == "auto" and settle_embedder(new).embed.backend == NEW_LIBRARY_EMBEDDER == "onnx"
    assert not (tmp_path / "new" / "chroma").exists()  # looking did not create a store
    assert Assistant.from_settings(new).embedder.name == packaged.name

    fast = make_settings(tmp_path / "fast", embed_backend="onnx-pc")
    Store(fast, build_embedder(fast))  # a library built with the re-quantised model, once
    later = make_settings(tmp_path / "fast")  # later runs need not say so again
    assert settle_embedder(later).embed.backend == "onnx-pc"
    reopened = Assistant.from_settings(later)  # opens, no EmbedderMismatch
    assert reopened.embedder.name.endswith("-pc1") and reopened.settings.embed.backend == "onnx-pc"
    with pytest.raises(EmbedderMismatch):  # an explicit choice is kept, and refused by the store it does not fit
        Assistant.from_settings(make_settings(tmp_path / "fast", embed_backend="onnx"))


def test_the_re_quantised_model_embeds_a_text_the_same_in_any_batch(tmp_path: Path) -> None:
    """Its activations are quantised per run, so it runs one text at a time: in a batch a text's vector moved with
    its neighbours and their padding."""
    fast = build_embedder(make_settings(tmp_path, embed_backend="onnx-pc", ingest_workers=1))
    alone = np.vstack([fast.embed_documents([t]) for t in TEXTS])
    long = "The visit comes at a time when relations are at their lowest point in decades. " * 8
    assert np.array_equal(fast.embed_documents(TEXTS), alone)
    assert np.array_equal(fast.embed_documents([*TEXTS, long])[: len(TEXTS)], alone)
    assert np.array_equal(np.vstack([fast.embed_query(t) for t in TEXTS]), alone)
