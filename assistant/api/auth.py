"""Who is calling the API: the web app's users and roles, signed in per request.

``Authorization: Bearer att_…`` (a token from ``attache users token NAME``) or ``Authorization: Basic`` with a
user's name and password (the ``ATTACHE_AUTH`` user has no token: Basic it is). Without a login (no users file, no
``ATTACHE_AUTH``) the caller is the one local user, an editor, as in the web app. A reader asks; an editor also
changes the library (:func:`require_editor`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass

from fastapi import Request

from assistant.accounts.users import EDITOR, Accounts, Role
from assistant.api.errors import ApiError
from assistant.history.store import LOCAL_USER

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="attache", Basic realm="attache"'}


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    role: Role

    @property
    def editor(self) -> bool:
        return self.role == EDITOR


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers=CHALLENGE)


def _basic(value: str) -> tuple[str, str]:
    try:
        name, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _unauthorized("malformed Basic credentials") from exc
    if not sep:
        raise _unauthorized("malformed Basic credentials")
    return name, password


async def identify(accounts: Accounts, authorization: str | None) -> Caller:
    """The caller an ``Authorization`` header names; :class:`ApiError` 401 when it names nobody."""
    if not accounts.login_required:
        return Caller(LOCAL_USER, EDITOR)
    if not authorization:
        raise _unauthorized("sign in: Authorization: Bearer <token> (attache users token NAME) or Basic")
    scheme, _, credentials = authorization.strip().partition(" ")
    name: str | None = None
    if scheme.lower() == "bearer":
        name = accounts.token_user(credentials.strip())
    elif scheme.lower() == "basic":
        user, password = _basic(credentials.strip())
        name = user if await asyncio.to_thread(accounts.verify, user, password) else None
    if name is None:
        raise _unauthorized("unknown or revoked credentials")
    role = accounts.role(name)
    if role is None:
        raise _unauthorized(f"{name} is no longer a user")
    return Caller(name, role)


async def caller(request: Request) -> Caller:
    """FastAPI dependency: the signed-in caller of ``request``."""
    accounts: Accounts = request.app.state.accounts
    return await identify(accounts, request.headers.get("authorization"))


def require_editor(who: Caller) -> None:
    if not who.editor:
        raise ApiError(403, f"{who.name} is a reader: only an editor may change the library")
