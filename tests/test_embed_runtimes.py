"""The packaged MiniLM on its two runtimes (embed_runtime): OpenVINO (bfloat16 products where the CPU has them)
and onnxruntime give the same vectors to a cosine of 0.9999, a library built on one answers on the other, and a
runtime that cannot load leaves the other in its place."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.core.errors import ConfigError, EmbeddingError
from assistant.models import embedders
from assistant.models.embedders import (
    CachedEmbedder,
    EmbedderPool,
    OnnxMiniLM,
    build_embedder,
    describe,
)
from tests.conftest import SEEDS, OtherEmbedder, make_settings

SHORT = [
    "Blinken met Xi Jinping in Beijing to stabilise relations.",
    "The ceasefire across the border would last 21 days.",
    "Britain's prime minister resigned after weeks of chaos.",
]
# texts of the lengths the product embeds: chunks up to the 256-token cut, and sentences padded in one run
LONG = [(SEEDS / "000_c8c58ef786186102.txt").read_text()[i : i + 1400] for i in range(0, 4200, 1400)]


@pytest.fixture(scope="module")
def runtimes() -> dict[str, OnnxMiniLM]:
    return {name: OnnxMiniLM(runtime=name) for name in ("openvino", "onnxruntime")}


def test_both_runtimes_give_the_same_vectors(runtimes: dict[str, OnnxMiniLM]) -> None:
    ov, ort = runtimes["openvino"], runtimes["onnxruntime"]
    assert (ov.runtime, ort.runtime) == ("openvino", "onnxruntime") and ov.name == ort.name
    for texts in (SHORT, LONG, SHORT + LONG):
        cosines = (ov.embed_documents(texts) * ort.embed_documents(texts)).sum(axis=1)
        assert cosines.min() > 0.9999, cosines  # bfloat16 products at most, not a different model
    spans = [[(0, 20), (20, 60)] for _ in SHORT]
    (_, a), (_, b) = ov.embed_spans(SHORT, spans), ort.embed_spans(SHORT, spans)
    for x, y in zip(a, b, strict=True):
        assert list(x.counts) == list(y.counts)
        for i in range(len(spans[0])):
            vx, vy = x.vector(i), y.vector(i)
            assert vx is not None and vy is not None and float(vx @ vy) > 0.9999


def test_a_library_built_on_one_runtime_answers_on_the_other(tmp_path: Path) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    built = make_settings(tmp_path / "home", embed_runtime="onnxruntime", ingest_workers=1)
    embedder = build_embedder(built)
    assert getattr(embedder, "runtime", "") == "onnxruntime"
    report = ingest_paths([SEEDS / "000_c8c58ef786186102.txt"], Store(built, embedder), embedder, built)
    assert report.added == 1 and report.ok
    question, as_of = "What were the stated goals of Blinken's trip to China?", datetime.date(2023, 6, 16)
    answers = {}
    for runtime in ("onnxruntime", "openvino"):
        bot = Assistant.from_settings(make_settings(tmp_path / "home", embed_runtime=runtime, ingest_workers=1))
        assert getattr(bot.embedder, "runtime", "") == runtime
        answers[runtime] = bot.answer(question, as_of=as_of)
    ort, ov = answers["onnxruntime"], answers["openvino"]
    assert not ov.abstained and ov.citations
    assert [c.quote for c in ov.citations] == [c.quote for c in ort.citations]


def test_the_setting_chooses_and_an_unknown_runtime_is_refused() -> None:
    for runtime in ("openvino", "onnxruntime"):
        chosen = build_embedder(make_settings(Path("/nonexistent"), embed_runtime=runtime, ingest_workers=1))
        assert getattr(chosen, "runtime", "") == runtime
    assert build_embedder(make_settings(Path("/nonexistent"), ingest_workers=1)).runtime == "openvino"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="unknown embedding runtime"):
        OnnxMiniLM(runtime="tensorflow")


def test_auto_falls_back_to_onnxruntime_when_openvino_cannot_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: Any) -> Any:
        raise RuntimeError("no CPU plugin for this machine")

    monkeypatch.setattr(embedders, "_openvino_request", broken)
    with caplog.at_level(logging.WARNING, logger=embedders.__name__):
        fallback = OnnxMiniLM(runtime="auto")
    assert fallback.runtime == "onnxruntime" and "no CPU plugin for this machine" in caplog.text
    assert np.linalg.norm(fallback.embed_query(SHORT[0])) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(EmbeddingError, match="on OpenVINO: no CPU plugin"):  # asked for by name: an error
        OnnxMiniLM(runtime="openvino")
    monkeypatch.setattr(embedders, "openvino_available", lambda: False)  # not installed on this platform
    assert OnnxMiniLM(runtime="auto").runtime == "onnxruntime"


def test_the_settings_panel_says_where_the_embedder_computes(runtimes: dict[str, OnnxMiniLM]) -> None:
    assert describe(runtimes["openvino"]) in ("local ONNX on OpenVINO, bf16", "local ONNX on OpenVINO, f32")
    pooled = CachedEmbedder(EmbedderPool([runtimes["onnxruntime"], runtimes["onnxruntime"]]))
    assert describe(pooled) == "local ONNX on onnxruntime, f32"
    assert describe(OtherEmbedder()) == "OtherEmbedder"  # not ours: its class
