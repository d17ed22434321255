"""Serving Attaché: settings → assistant → the HTTP API (:mod:`assistant.api`) with the web page mounted on the same
app → uvicorn. ``app.py``, ``make run`` and ``attache serve`` all come here; ``--api-only`` serves the API alone.

Binds ``ATTACHE_HOST`` (127.0.0.1 by default) and refuses an address other machines can reach unless
``ATTACHE_ALLOW_PUBLIC=1`` says so; never shares a public link, asks for a login when ``ATTACHE_USERS_FILE``
(users with roles, ``python -m assistant users``) or ``ATTACHE_AUTH="user:password"`` (one editor) is set, and
refuses uploads over ``ATTACHE_INGEST_MAX_FILE_MB``.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from assistant.accounts.users import Accounts
from assistant.core.errors import AttacheError
from assistant.core.settings import Settings, apply_offline_env

log = logging.getLogger("attache.server")


def parse_auth(value: str) -> tuple[str, str] | None:
    """``ATTACHE_AUTH="user:password"`` → ``("user", "password")``; unset or blank → no sign-in."""
    if not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise SystemExit('ATTACHE_AUTH must look like "user:password" (both parts non-empty)')
    return user.strip(), password


def accounts_from(settings: Settings, auth: tuple[str, str] | None) -> Accounts:
    """Who may sign in: the users file and the ``ATTACHE_AUTH`` user (none of either: no login)."""
    users_file = settings.web.users_file
    try:
        accounts = Accounts(users_file, auth)
    except AttacheError as exc:
        raise SystemExit(f"error: {exc}") from exc
    if users_file is not None:
        if users_file.stat().st_mode & 0o077:
            log.warning("%s can be read by other users of this machine: chmod 600 it", users_file)
        if not accounts.users() and auth is None:
            log.warning("%s has no users: nobody can sign in (python -m assistant users add NAME)", users_file)
    return accounts


def sign_in(accounts: Accounts) -> Callable[[str, str], Awaitable[bool]] | None:
    """Gradio's ``auth=``: the password check (about 50 ms of scrypt) in a worker thread, so a sign-in never
    stalls the event loop that serves everyone else; None without a login."""
    if not accounts.login_required:
        return None

    async def check(name: str, password: str) -> bool:
        return await asyncio.to_thread(accounts.verify, name, password)

    return check


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, "localhost")."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def check_host(host: str, allow_public: str) -> None:
    """Refuse to listen beyond this machine unless ``ATTACHE_ALLOW_PUBLIC`` explicitly asks for it."""
    if is_loopback(host) or allow_public.strip().lower() in {"1", "true", "yes"}:
        return
    raise SystemExit(
        f"refusing to listen on {host or '(all interfaces)'}: other machines could reach the app. "
        "Set ATTACHE_ALLOW_PUBLIC=1 (and ATTACHE_USERS_FILE or ATTACHE_AUTH=user:password) to serve it there."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="attache serve", description="Serve the web app and its HTTP API.")
    parser.add_argument("--api-only", action="store_true", help="serve /api and /v1 without the web page")
    parser.add_argument("--host", help="address to bind (default: ATTACHE_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ATTACHE_PORT, 7860)")
    return parser


def build_app(assistant: Any, accounts: Accounts, settings: Settings, api_only: bool = False) -> Any:
    """The API, and unless ``api_only`` the web page mounted at ``/`` with its own sign-in, on one FastAPI app."""
    import gradio as gr

    from assistant.api.app import build_api
    from assistant.web.page import build_ui, page_assets

    app = build_api(assistant, accounts)
    if api_only:
        return app
    return gr.mount_gradio_app(
        app,
        build_ui(assistant, accounts),
        path="/",
        server_name=settings.web.host,
        server_port=settings.web.port,
        auth=sign_in(accounts),
        max_file_size=int(settings.ingest.max_file_mb * 2**20),
        ssr_mode=False,
        footer_links=[],  # Gradio's own links (its Settings beside ours) would only confuse
        **page_assets(),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apply_offline_env()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry endpoint URLs
    settings = Settings()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        settings = settings.model_copy(update={"web": settings.web.model_copy(update=overrides)})
    check_host(settings.web.host, os.environ.get("ATTACHE_ALLOW_PUBLIC", ""))  # before anything is opened
    accounts = accounts_from(settings, parse_auth(os.environ.get("ATTACHE_AUTH", "")))
    import uvicorn

    from assistant.answering.assistant import Assistant
    from assistant.store.lock import store_lock
    from ingest.seed import ensure_seeded

    if not accounts.login_required and not is_loopback(settings.web.host):
        log.warning("serving on %s without a login: set ATTACHE_USERS_FILE or ATTACHE_AUTH", settings.web.host)
    try:
        assistant = Assistant.from_settings(settings)
        with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché web app: seed"):
            if added := ensure_seeded(assistant.store, assistant.embedder, settings):
                log.info("ingested %d seed article(s) from %s", added, settings.seeds_dir)
    except AttacheError as exc:  # e.g. a store built with another embedder, or one busy for too long
        raise SystemExit(f"error: {exc}") from exc
    if assistant.warm_when_idle() is not None:
        log.info("warming the library while no question is asked (ATTACHE_WARM_WHEN_IDLE=false: off)")
    where = f"http://{settings.web.host}:{settings.web.port}"
    log.info("Attaché on %s%s (API docs: %s/api/docs)", where, " (API only)" if args.api_only else "", where)
    try:
        app = build_app(assistant, accounts, settings, api_only=args.api_only)
        _stop_on_sigterm()
        uvicorn.run(app, host=settings.web.host, port=settings.web.port, log_level="warning")
    finally:
        assistant.close()
        log.info("Attaché stopped")
    return 0


def _stop_on_sigterm() -> None:
    """SIGTERM (a service manager's stop, ``kill``) ends the server as Ctrl-C does.

    uvicorn shuts down gracefully on it and then raises the signal again; with the default handler that ends the
    process at once, before ``assistant.close()`` and the exit hooks (the web page's export folder) run.
    """

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
