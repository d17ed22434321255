"""Remote embeddings: a real llama-server ``--embeddings --pooling mean`` (SmolLM2-135M) on 127.0.0.1.

Ingests through the OpenAI-compatible ``/v1/embeddings`` endpoint, queries, and checks that the store then
refuses the default local embedder (another name and dimension) with the typed mismatch error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.core.errors import BackendUnavailable, EmbedderMismatch, EmbeddingEndpointError
from assistant.store.chroma import Store
from ingest.pipeline import embedding_text, ingest_paths
from tests.conftest import make_settings

try:
    from assistant.models.llama_server import LlamaServer, binary_path, default_model_path, free_port

    binary_path()
    default_model_path()
except Exception as exc:  # ConfigError with the install hint
    pytest.skip(f"llama-server not installed: {exc}", allow_module_level=True)

from assistant.models.embedders import OpenAIEmbedder, build_embedder

pytestmark = pytest.mark.slow


# llama-server embeds slowly on this build (~45 prompt tokens/s on 2 cores): a short article keeps the test short.
ARTICLE = """title: Port talks resume
published: 2024-03-05

Negotiators from the two neighbouring states met again on Tuesday in the harbour city to discuss fishing quotas,
after talks collapsed in January over the count of licensed boats. Both delegations described the first session
as constructive and agreed to exchange vessel registers before the next round.

Separately, the coastal province announced a new ferry link to the islands, funded by a regional development bank,
with the first crossings planned for the summer season and fares capped for residents and students.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    home = tmp_path_factory.mktemp("embed-server")
    running = LlamaServer.start(make_settings(home, local_threads=2), embeddings=True)
    try:
        yield running
    finally:
        running.stop()
    assert running.process.poll() is not None  # stopped by its PID


def remote_settings(home: Path, server: LlamaServer, **extra: Any) -> Any:
    url, model = server.base_url, server.model_name
    return make_settings(home, embed_backend="openai", embed_url=url, embed_model=model, **extra)


def test_ingest_and_query_with_remote_embeddings_then_refuse_the_local_embedder(
    server: LlamaServer, tmp_path: Path, embedder: Any
) -> None:
    article = tmp_path / "port-talks.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    settings = remote_settings(tmp_path / "home", server, chunk_target_words=50, chunk_max_words=60)
    remote = build_embedder(settings)
    assert isinstance(remote, OpenAIEmbedder) and remote.dim == 576  # SmolLM2-135M's hidden size
    store = Store(settings, remote)
    report = ingest_paths([article], store, remote, settings)
    assert report.added == 1 and report.chunks == 2 and report.ok

    ferry = next(c for c, _ in store.query(remote.embed_query("ferry"), k=2) if "ferry" in c.text)
    best, score = store.query(remote.embed_query(embedding_text(ferry)), k=2)[0]
    assert best.id == ferry.id and score > 0.99  # the document and the query path give the same vector

    with pytest.raises(EmbedderMismatch, match="openai:"):
        Store(make_settings(tmp_path / "home"), embedder)


def test_requests_are_batched_and_vectors_normalised(server: LlamaServer) -> None:
    remote = OpenAIEmbedder(server.base_url, server.model_name, batch_size=2)
    vectors = remote.embed_documents(["one", "two", "three"])
    assert vectors.shape == (3, 576)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_unreachable_endpoint_is_a_typed_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = make_settings(tmp_path, embed_backend="openai", embed_url=url, embed_model="m", embed_retries=0)
    with pytest.raises(EmbeddingEndpointError) as caught:
        build_embedder(settings)
    assert isinstance(caught.value.reason, BackendUnavailable)
