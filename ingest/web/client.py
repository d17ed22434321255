"""One polite, bounded HTTP client for every fetch: pages, feeds, sitemaps and robots.txt.

* one shared ``httpx.Client`` with our User-Agent (``ATTACHE_USER_AGENT``);
* per host one request at a time and ``host_delay`` seconds between two (longer if robots.txt asks for a
  ``Crawl-delay``, up to 30 s), so a feed of fifty links from one outlet is fetched at its pace;
* robots.txt honoured (fetched once per host, parsed by ``urllib.robotparser``; RFC 9309: a missing one
  allows everything, one answering 5xx forbids everything);
* redirects followed by hand, at most ``max_redirects``, each hop checked again by :mod:`ingest.web.safety`
  and robots.txt;
* timeouts (connect and between bytes, and the whole body within four times that), a size cap counted on
  the decoded body while it streams (no 50 MB download, no gzip bomb);
* retries with exponential backoff on 429, 5xx, timeouts and connection errors, honouring ``Retry-After``
  up to ``max_retry_after``.

Every failure is a :class:`~assistant.core.errors.FetchError` naming the URL and the reason.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from assistant.core.errors import FetchError
from assistant.core.settings import FetchSettings
from ingest.web.safety import REFUSED, check_url, pinned_transport

__all__ = ["Fetched", "Fetcher"]

log = logging.getLogger(__name__)

REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class Fetched:
    """A response: ``status`` 200 with its ``body``, or 304 (not modified) without one."""

    url: str
    final_url: str
    status: int
    content_type: str = ""
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    fetched_at: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _StatusError(FetchError):
    """A status worth retrying; ``retry_after``: the server's hint in seconds, if it gave one."""

    def __init__(self, url: str, reason: str, transient: bool, retry_after: float | None) -> None:
        super().__init__(url, reason, transient)
        self.retry_after = retry_after


@dataclass
class _Host:
    lock: threading.Lock
    last: float = 0.0
    delay: float = 0.0
    robots: RobotFileParser | None = None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Fetcher:
    """Fetch URLs politely and safely; thread-safe, one per run (or per web app). Close it when done."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings, self.backoff, self._sleep = settings, backoff, sleep
        self.max_bytes = int(settings.max_mb * 2**20)
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            transport=transport or (None if settings.allow_private else pinned_transport()),
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self.requests = 0  # every request sent, robots.txt and retries included
        self.not_modified = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, url: str, *, etag: str = "", last_modified: str = "", robots: bool = True) -> Fetched:
        """GET ``url`` following redirects; conditional when ``etag``/``last_modified`` are given (304 → no body)."""
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            check_url(current, self.settings.allow_private)
            if robots and self.settings.robots and not self._allowed(current):
                raise FetchError(url, f"disallowed by robots.txt ({self._origin(current)}/robots.txt)")
            response = self._request(url, current, headers)
            if isinstance(response, str):  # a redirect: its Location
                current = response
                continue
            return response
        raise FetchError(
            url, f"too many redirects (more than {self.settings.max_redirects}; ATTACHE_FETCH_MAX_REDIRECTS)"
        )

    # -- one hop, with retries -------------------------------------------------------------------------

    def _request(self, url: str, current: str, headers: dict[str, str]) -> Fetched | str:
        tries = self.settings.retries + 1
        for attempt in range(tries):
            try:
                with self._turn(current):
                    return self._send(url, current, headers)
            except FetchError as exc:
                wait = exc.retry_after if isinstance(exc, _StatusError) else None
                if not exc.transient or attempt == tries - 1:
                    if exc.transient and tries > 1:
                        raise FetchError(url, f"{exc.reason} (after {tries} tries)", transient=True) from exc
                    raise
                pause = self.backoff * 2**attempt if wait is None else wait
                if pause > self.settings.max_retry_after:
                    raise FetchError(
                        url,
                        f"{exc.reason}: asked to retry after {pause:.0f} s, over the "
                        f"{self.settings.max_retry_after:.0f} s limit (ATTACHE_FETCH_MAX_RETRY_AFTER)",
                        transient=True,
                    ) from exc
                log.info("%s: %s; retrying in %.1f s", current, exc.reason, pause)
                self._sleep(pause)
        raise AssertionError("unreachable")

    def _send(self, url: str, current: str, headers: dict[str, str]) -> Fetched | str:
        timeout = self.settings.timeout
        self.requests += 1
        try:
            with self.client.stream("GET", current, headers=headers) as response:
                status = response.status_code
                if status in REDIRECTS and response.headers.get("location"):
                    return urljoin(current, response.headers["location"])
                if status == 304:
                    self.not_modified += 1
                    return Fetched(url, current, 304, etag=headers.get("If-None-Match", ""), fetched_at=_now())
                if status != 200:
                    raise self._status_error(url, response)
                body = self._body(url, response, time.monotonic() + 4 * timeout)
                return Fetched(
                    url,
                    str(response.url),
                    200,
                    response.headers.get("content-type", ""),
                    body,
                    response.headers.get("etag", ""),
                    response.headers.get("last-modified", ""),
                    _now(),
                )
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out (no answer within {timeout:g} s)", transient=True) from exc
        except httpx.TransportError as exc:
            if str(exc).startswith(REFUSED):  # a private address met at connection time (DNS rebinding)
                raise FetchError(url, str(exc)) from exc
            raise FetchError(url, f"cannot connect: {exc or type(exc).__name__}", transient=True) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from exc

    def _status_error(self, url: str, response: httpx.Response) -> FetchError:
        status = response.status_code
        reason = f"HTTP {status} {response.reason_phrase}".strip()
        return _StatusError(url, reason, status in RETRY_STATUSES, _retry_after(response.headers.get("retry-after")))

    def _body(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        limit = self.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, self._too_big(int(declared)))
        parts: list[bytes] = []
        size = 0
        for part in response.iter_bytes():
            size += len(part)
            if size > limit:
                raise FetchError(url, self._too_big(None))
            if time.monotonic() > deadline:
                raise FetchError(url, "timed out (the body kept trickling)", transient=True)
            parts.append(part)
        return b"".join(parts)

    def _too_big(self, size: int | None) -> str:
        what = f"{size / 2**20:.1f} MiB" if size is not None else "the body"
        return f"oversized: {what} is over the {self.settings.max_mb:g} MiB limit (ATTACHE_FETCH_MAX_MB)"

    # -- politeness ------------------------------------------------------------------------------------

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def _host(self, url: str) -> _Host:
        origin = self._origin(url)
        with self._hosts_lock:
            if origin not in self._hosts:
                self._hosts[origin] = _Host(threading.Lock(), delay=self.settings.host_delay)
            return self._hosts[origin]

    @contextlib.contextmanager
    def _turn(self, url: str) -> Iterator[None]:
        """One request at a time per host, ``delay`` seconds after the previous one ended."""
        host = self._host(url)
        with host.lock:
            wait = host.last + host.delay - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                host.last = time.monotonic()

    def _allowed(self, url: str) -> bool:
        host = self._host(url)
        if host.robots is None:
            host.robots = self._robots(url)
            crawl_delay = host.robots.crawl_delay(self.settings.user_agent)
            if crawl_delay:
                host.delay = max(host.delay, min(float(crawl_delay), MAX_CRAWL_DELAY))
        return host.robots.can_fetch(self.settings.user_agent, url)

    def _robots(self, url: str) -> RobotFileParser:
        robots_url = self._origin(url) + "/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            fetched = self.get(robots_url, robots=False)
        except FetchError as exc:
            if exc.reason.startswith("HTTP 4"):
                parser.parse([])  # RFC 9309: no robots.txt, no rules
                return parser
            if exc.reason.startswith("HTTP 5"):
                parser.parse(["User-agent: *", "Disallow: /"])  # RFC 9309: unreachable rules forbid all
                return parser
            raise FetchError(url, exc.reason, exc.transient) from exc
        parser.parse(fetched.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace").splitlines())
        return parser

    def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` lines of the host's robots.txt (for ``--discover``)."""
        host = self._host(url)
        if host.robots is None:
            self._allowed(url)
        return list((host.robots.site_maps() if host.robots else None) or [])
