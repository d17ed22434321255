"""Attaché web app: settings → assistant → ui → launch.

Binds ``ATTACHE_HOST`` (127.0.0.1 by default) and refuses an address other machines can reach unless
``ATTACHE_ALLOW_PUBLIC=1`` says so; never shares a public link, asks for a login when ``ATTACHE_USERS_FILE``
(users with roles, ``python -m assistant users``) or ``ATTACHE_AUTH="user:password"`` (one editor) is set, and
refuses uploads over ``ATTACHE_INGEST_MAX_FILE_MB``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Awaitable, Callable

from assistant.accounts.users import Accounts
from assistant.core.errors import AttacheError
from assistant.core.settings import Settings, apply_offline_env

log = logging.getLogger("attache.app")


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


def main() -> None:
    apply_offline_env()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry endpoint URLs
    settings = Settings()
    check_host(settings.web.host, os.environ.get("ATTACHE_ALLOW_PUBLIC", ""))  # before anything is opened
    accounts = accounts_from(settings, parse_auth(os.environ.get("ATTACHE_AUTH", "")))
    from assistant.answering.assistant import Assistant
    from assistant.store.lock import store_lock
    from assistant.web.page import build_ui, page_assets
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
    log.info("Attaché on http://%s:%d", settings.web.host, settings.web.port)
    try:
        build_ui(assistant, accounts).launch(
            server_name=settings.web.host,
            server_port=settings.web.port,
            share=False,
            auth=sign_in(accounts),  # type: ignore[arg-type]  # gradio awaits an async check too (routes.login)
            max_file_size=int(settings.ingest.max_file_mb * 2**20),
            ssr_mode=False,
            footer_links=[],  # Gradio's own links (its Settings beside ours) would only confuse
            quiet=True,  # no "set `share=True`" hint: the app never shares
            **page_assets(),
        )
    finally:
        assistant.close()


if __name__ == "__main__":
    main()
