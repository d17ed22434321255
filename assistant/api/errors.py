"""Every API failure as ``{"error": {"code", "message", "type"}}`` with a stable ``code`` (the shape OpenAI clients
read too): raised :class:`ApiError`\\s, FastAPI's validation errors (422), Starlette's HTTP errors and our own
:class:`~assistant.core.errors.AttacheError` tree, translated here and nowhere else."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.core.errors import (
    AttacheError,
    BackendAuthError,
    BackendError,
    BackendRateLimited,
    BackendTimeout,
    ConversationNotFound,
    StoreBusy,
)

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    502: "backend_error",
    503: "busy",
    504: "backend_timeout",
}


class ApiError(Exception):
    """An error the API answers with ``status`` and a stable ``code``."""

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.headers = headers

    def body(self) -> dict[str, dict[str, str]]:
        """What the client reads: in a JSON response, or as a stream's last event."""
        return error_body(self.code, self.message)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message, "type": code}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status, headers=headers)


def translate(exc: AttacheError) -> ApiError:
    """Our exception tree → HTTP status and code."""
    if isinstance(exc, ConversationNotFound):
        return ApiError(404, f"no conversation {exc}", "conversation_not_found")
    if isinstance(exc, StoreBusy):
        return ApiError(503, str(exc), "store_busy")
    if isinstance(exc, BackendTimeout):
        return ApiError(504, str(exc))
    if isinstance(exc, BackendRateLimited):
        return ApiError(429, str(exc))
    if isinstance(exc, BackendAuthError | BackendError):
        return ApiError(502, str(exc))
    return ApiError(500, str(exc), "attache_error")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    async def attache_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AttacheError)
        error = translate(exc)
        log.warning("API request failed: %s", exc)
        return error_response(error.status, error.code, error.message)

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, "invalid_request", _validation_message(exc))

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("API request failed unexpectedly")
        return error_response(500, "internal_error", f"internal error: {type(exc).__name__}")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(AttacheError, attache_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
