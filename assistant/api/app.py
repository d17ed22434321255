"""``build_api(assistant, accounts) -> FastAPI``: the ``/api`` and ``/v1`` routes, their error shape, the body
limits and the docs (``/api/docs``, schema at ``/api/openapi.json``). The web page mounts on the same app
(:mod:`assistant.server`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.accounts.users import Accounts
from assistant.answering.assistant import Assistant
from assistant.api import completions, errors, library, routes
from assistant.api.errors import ApiError, error_response

JSON_LIMIT = 2**20  # a question, filters and a conversation's messages fit in far less
API_PREFIXES = ("/api/", "/v1/")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class BodyLimit:
    """Refuse (413, before the route runs) a request body over its limit: ``Content-Length`` is checked first, and a
    chunked body is read up to the limit and replayed."""

    def __init__(self, app: ASGIApp, json_limit: int, upload_limit: int) -> None:
        self.app, self.json_limit, self.upload_limit = app, json_limit, upload_limit

    def _limit(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or [])
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        return self.upload_limit if kind == b"multipart/form-data" else self.json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        body, more, messages = 0, True, []
        while more:
            message = await receive()
            messages.append(message)
            body += len(message.get("body", b""))
            more = message.get("more_body", False) and message["type"] == "http.request"
            if body > limit:
                await self._refuse(scope, receive, send, limit)
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(413, "body_too_large", f"the request body is over the limit of {limit:,} bytes")
        await response(scope, receive, send)


async def _no_route(request: Request) -> None:
    """Under ``/api/`` and ``/v1/``, a path no route serves is a JSON 404, not the web page's."""
    raise ApiError(404, f"no such endpoint: {request.method} {request.url.path} (see /api/docs)")


class SameOrigin:
    """Refuse (403 ``cross_origin``) a state-changing API request a browser sent from another site.

    Without a login the local user is an editor, and a browser lets any web page send a "simple" cross-site POST
    (a multipart form, say) to 127.0.0.1 without asking first: a page could otherwise add articles to the library.
    Browsers always name the page's origin on such requests; scripts and OpenAI clients send none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") not in {"GET", "HEAD", "OPTIONS"}
            and str(scope.get("path", "")).startswith(API_PREFIXES)
        ):
            headers = dict(scope.get("headers") or [])
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            if origin and origin != "null" and urlsplit(origin).netloc != host:
                message = f"cross-site request from {origin} refused: call the API from a script or this app's pages"
                await error_response(403, "cross_origin", message)(scope, receive, send)
                return
            if origin == "null":
                await error_response(403, "cross_origin", "request from an opaque origin refused")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_api(assistant: Assistant, accounts: Accounts | None = None, **fastapi: Any) -> FastAPI:
    """The API app over ``assistant``; ``accounts`` says who may call it (none: the one local user, an editor)."""
    app = FastAPI(
        title="Attaché API",
        summary="Cited answers over your news library.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        **fastapi,
    )
    app.state.assistant = assistant
    app.state.accounts = accounts or Accounts()
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(library.router)
    app.include_router(completions.router)
    for prefix in API_PREFIXES:  # the web page, mounted after, owns every other path
        app.add_api_route(prefix + "{rest:path}", _no_route, methods=METHODS, include_in_schema=False)
    upload_limit = int(assistant.settings.ingest.max_file_mb * 2**20) * 10 + JSON_LIMIT
    app.add_middleware(BodyLimit, json_limit=JSON_LIMIT, upload_limit=upload_limit)
    app.add_middleware(SameOrigin)  # added last: runs first
    return app
