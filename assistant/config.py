"""One typed settings tree. Read from ``ATTACHE_*`` environment variables and ``.env``.

Settings are built once by the composition root (``app.py``, the CLIs, tests) and passed in;
nothing reads them at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

# Offline first: no library may phone home or try to download weights.
OFFLINE_ENV = {
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def apply_offline_env() -> None:
    """Set the telemetry/offline variables unless the user set them explicitly."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


class Settings(BaseSettings):
    """Everything Attaché can be told. Every field maps to ``ATTACHE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ATTACHE_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path.home() / ".attache",
        description="Directory holding all state: the Chroma store, caches, eval runs.",
    )
    collection: str = Field(default="attache", description="Chroma collection name for chunks.")
    seeds_dir: Path = Field(default=REPO_ROOT / "seeds", description="Articles ingested on first start of the web app.")

    backend: Literal["extractive"] = Field(
        default="extractive",
        description="Answering backend. 'extractive' needs no LLM, no key and no network.",
    )

    embed_batch_size: int = Field(default=32, ge=1, description="Chunks per embedding batch.")
    embed_max_tokens: int = Field(default=256, ge=16, le=512, description="Truncation of embedder input.")
    embed_threads: int = Field(default=0, ge=0, description="onnxruntime intra-op threads; 0 = all cores.")

    chunk_target_words: int = Field(default=200, ge=50, description="Chunk size aimed for, in words.")
    chunk_max_words: int = Field(default=300, ge=60, description="Hard upper bound of a chunk, in words.")
    chunk_overlap_sentences: int = Field(
        default=1, ge=0, description="Sentences repeated at the start of the next chunk."
    )

    top_k: int = Field(default=6, ge=3, le=50, description="Passages given to the answerer.")
    fetch_k: int = Field(default=30, ge=3, description="Candidates fetched before the per-article cap.")
    max_chunks_per_article: int = Field(default=3, ge=1, description="Diversity cap per article.")

    answer_max_sentences: int = Field(default=4, ge=1, description="Extractive answer length cap.")
    answer_max_words: int = Field(default=110, ge=20, description="Extractive answer length cap in words.")
    abstain_min_score: float = Field(
        default=0.35,
        description="Extractive: best sentence score below this means the sources are silent.",
    )
    abstain_min_coverage: float = Field(
        default=0.5,
        description="Extractive: share of the question's salient terms the evidence must contain.",
    )

    host: str = Field(default="127.0.0.1", description="Web chat bind address.")
    port: int = Field(default=7860, description="Web chat port.")

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"
