"""Real servers on loopback for integration tests (and benches): ``chroma run``, started and stopped by PID."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from assistant.models.llama_server import free_port

CHROMA = Path(sys.executable).with_name("chroma")  # the CLI that ships in the chromadb wheel


class ChromaServer:
    """``chroma run --host 127.0.0.1 --port <free> --path <path>`` as a child process."""

    def __init__(self, path: Path, log_path: Path) -> None:
        self.port = free_port()
        command = [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(path)]
        with log_path.open("wb") as log_file:  # a pipe nobody reads would fill and block the server
            self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma exited with {self.process.returncode}: {self.log_tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as r:
                if r.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"chroma did not answer its heartbeat within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-800:]

    def stop(self) -> None:
        """SIGTERM to this server's PID; SIGKILL if it is still there after 10 s."""
        stop(self.process, grace=10)


def stop(process: subprocess.Popen[bytes], grace: float = 20) -> None:
    """SIGTERM to this process's own PID; SIGKILL if it is still there after ``grace`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def chroma_server(path: Path, log_path: Path | None = None) -> Iterator[ChromaServer]:
    """A ready Chroma server persisting under ``path``; always stopped (killed if need be) on the way out."""
    path.mkdir(parents=True, exist_ok=True)
    server = ChromaServer(path, log_path or path.parent / f"chroma-{path.name}.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
