"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: scripted replies and failure modes.

Modes: "ok" (streams ``reply`` word by word), "500", "401", "429" (with ``retry_after`` as Retry-After),
"hang" (sleeps past any timeout), "malformed" (invalid JSON chunk), "cut" (closes the stream mid-answer).
Every request body is recorded in ``requests`` so tests can check what the model was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubState:
    def __init__(self) -> None:
        self.mode = "ok"
        self.replies: list[str] = ["The sources don't say."]
        self.requests: list[dict[str, Any]] = []
        self.hits = 0
        self.retry_after = "0"  # the Retry-After header of "429" replies
        self.error_message = ""  # the message of error replies (a real server may echo the key back)

    def next_reply(self) -> str:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {"content": content} if content is not None else {}
    body = {
        "id": "stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stub",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def _handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _status(self, code: int, headers: dict[str, str] | None = None) -> None:
            message = state.error_message or f"stub {code}"
            body = json.dumps({"error": {"message": message, "type": "stub"}}).encode()
            self.send_response(code)
            for key, value in {
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
                **(headers or {}),
            }.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            state.hits += 1
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(request)
            mode = state.mode
            if mode in ("500", "401"):
                return self._status(int(mode))
            if mode == "429":
                return self._status(429, {"Retry-After": state.retry_after})
            if mode == "hang":
                time.sleep(30)
                return None
            reply = state.next_reply()
            if not request.get("stream"):
                body = json.dumps(
                    {
                        "id": "stub",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "stub",
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                        ],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return None
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            words = reply.split(" ")
            for i, word in enumerate(words):
                if mode == "malformed" and i == 1:
                    self.wfile.write(b"data: {not json\n\n")
                    self.wfile.flush()
                    return None
                if mode == "cut" and i == len(words) // 2:
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return None
                self.wfile.write(_chunk(word if i == 0 else " " + word))
                self.wfile.flush()
            self.wfile.write(_chunk(None, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True
            return None

    return Handler


@contextmanager
def openai_stub() -> Iterator[tuple[str, StubState]]:
    """Start the stub on a free loopback port; yields (base_url, state); stops it afterwards."""
    state = StubState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
