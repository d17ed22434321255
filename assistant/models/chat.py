"""Chat models: the builder for any OpenAI-compatible endpoint, and the mapping of its errors to ours."""

from __future__ import annotations

import contextlib
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from assistant.core.errors import (
    BackendAuthError,
    BackendError,
    BackendRateLimited,
    BackendResponseError,
    BackendServerError,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
)
from assistant.core.settings import Settings


def build_chat_model(settings: Settings, base_url: str | None = None, model: str | None = None) -> Any:
    """A streaming ``ChatOpenAI`` for any OpenAI-compatible endpoint (langchain-openai)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError("the openai backend needs langchain-openai: pip install -e .") from exc
    url = base_url or settings.llm.base_url or None
    name = model or settings.llm.model
    if not name:
        raise ConfigError("set ATTACHE_LLM_MODEL (the model name your endpoint serves)")
    key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else None
    if key is None and url is None:
        raise ConfigError("the openai backend needs OPENAI_API_KEY or OPENAI_BASE_URL")
    return ChatOpenAI(
        model=name,
        base_url=url,
        api_key=cast(Any, key or "not-needed"),  # local servers ignore the key, the client wants one
        temperature=settings.llm.temperature,
        max_completion_tokens=settings.llm.max_tokens,
        timeout=settings.llm.timeout,
        max_retries=settings.llm.retries,
        streaming=True,
    )


def translate_llm_error(exc: BaseException) -> BackendError:
    """The OpenAI client's exceptions → our typed tree (messages carry no secrets)."""
    import httpx
    import openai

    if isinstance(exc, BackendError):
        return exc
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return BackendTimeout(f"the model endpoint did not answer in time ({type(exc).__name__})")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return BackendAuthError(f"the model endpoint rejected the credentials (HTTP {exc.status_code})")
    if isinstance(exc, openai.RateLimitError):
        retry_after = exc.response.headers.get("retry-after")
        hint = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
        return BackendRateLimited("the model endpoint is rate limiting requests (HTTP 429)", hint)
    if isinstance(exc, openai.InternalServerError):
        return BackendServerError(f"the model endpoint failed (HTTP {exc.status_code})")
    if isinstance(exc, openai.APIConnectionError | httpx.ConnectError | ConnectionError):
        return BackendUnavailable("cannot reach the model endpoint (connection failed)")
    if isinstance(exc, openai.APIStatusError):
        return BackendResponseError(f"the model endpoint answered HTTP {exc.status_code}")
    if isinstance(exc, openai.APIResponseValidationError | ValueError | httpx.RemoteProtocolError):
        return BackendResponseError(f"the model endpoint sent an unusable response ({type(exc).__name__})")
    return BackendError(f"the model backend failed: {type(exc).__name__}")


def shown_url(url: str) -> str:
    """An endpoint URL fit to show or log: no user name, password, query or fragment (keys travel there)."""
    if not url:
        return "api.openai.com"
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    with contextlib.suppress(ValueError):  # an out-of-range port: leave it out
        netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
