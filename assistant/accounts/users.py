"""The users file (``ATTACHE_USERS_FILE``): who may sign in to the web app, with which role.

A small JSON file, written only by ``python -m assistant users …`` (atomically: a temporary file beside it,
then ``os.replace``; mode 0600)::

    {"version": 1,
     "users": {"ana": {"role": "editor", "password": "scrypt$16384$8$1$<salt>$<hash>"},
               "rui": {"role": "reader", "password": "scrypt$16384$8$1$<salt>$<hash>"}}}

A user may also hold API tokens (``python -m assistant users token NAME``): bearer tokens for scripts calling the
HTTP API, stored as their SHA-256 (``"tokens": ["sha256$<hex>", …]``; a token is 256 random bits, so a fast hash
is enough) and shown once, when made.

A ``reader`` asks questions; an ``editor`` also adds and deletes articles and feeds. :class:`Accounts` is what the
web app asks: it checks a sign-in and names a user's role, re-reading the file when it changes (a removed user
or a new role counts from the next request), beside the single ``ATTACHE_AUTH`` user, who is an editor. Without
either there is no login and the one local user is an editor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from assistant.accounts.passwords import burn_time, hash_password, parse_hash, verify_password
from assistant.core.errors import UsersFileError

log = logging.getLogger(__name__)

Role = Literal["reader", "editor"]
ROLES: tuple[Role, ...] = get_args(Role)
EDITOR: Role = "editor"
VERSION = 1
MIN_PASSWORD = 8
RESERVED = {"local"}  # the user of an app without a login
TOKEN_PREFIX = "att_"  # a token's visible prefix, so a leaked one is recognisable (secret scanners)
TOKEN_HASH = "sha256$"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password: str  # the stored hash, never the password
    tokens: tuple[str, ...] = ()  # "sha256$<hex>" of each API token, never the token


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise ValueError(f"{name!r} is not a user name: 1-64 of letters, digits and . _ @ - (a letter or digit first)")
    if name.lower() in RESERVED:
        raise ValueError(f"{name!r} is reserved for the app without a login")
    return name


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def _user(path: Path, name: Any, entry: Any) -> User:
    where = f"{path}: user {name!r}"
    if not isinstance(entry, dict):
        raise UsersFileError(f"{where}: expected an object with 'role' and 'password'")
    try:
        check_name(str(name))
        role = check_role(str(entry.get("role")))
        password = str(entry.get("password"))
        parse_hash(password)
        tokens = entry.get("tokens", [])
        if not isinstance(tokens, list) or not all(isinstance(t, str) and t.startswith(TOKEN_HASH) for t in tokens):
            raise UsersFileError(f"'tokens' must be a list of {TOKEN_HASH}<hex> strings")
    except (ValueError, UsersFileError) as exc:
        raise UsersFileError(f"{where}: {exc}") from exc
    return User(str(name), role, password, tuple(tokens))


def read_users(path: Path) -> dict[str, User]:
    """Every user of the file at ``path``, by name; :class:`UsersFileError` says what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsersFileError(f"{path}: no such users file (create one: python -m assistant users add NAME)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"{path}: cannot read the users file: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise UsersFileError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        shape = f'{{"version": {VERSION}, "users": {{NAME: {{"role": …, "password": …}}}}}}'
        raise UsersFileError(f"{path}: expected {shape}")
    if data.get("version") != VERSION:
        raise UsersFileError(f"{path}: users file version {data.get('version')!r}; this Attaché reads {VERSION}")
    return {str(name): _user(path, name, entry) for name, entry in data["users"].items()}


def _entry(user: User) -> dict[str, Any]:
    entry: dict[str, Any] = {"role": user.role, "password": user.password}
    if user.tokens:
        entry["tokens"] = list(user.tokens)
    return entry


def token_hash(token: str) -> str:
    return TOKEN_HASH + hashlib.sha256(token.encode("utf-8")).hexdigest()


def write_users(path: Path, users: dict[str, User]) -> None:
    """Replace the file at ``path`` in one step (a temporary file beside it, then ``os.replace``), mode 0600."""
    body = {"version": VERSION, "users": {u.name: _entry(u) for u in users.values()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=2, sort_keys=True)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class UsersFile:
    """The users file's edits, each a read, a change and an atomic write (``python -m assistant users``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def users(self) -> list[User]:
        """Every user, by name; an absent file has none."""
        return sorted(self._read(missing_ok=True).values(), key=lambda u: u.name.lower())

    def add(self, name: str, password: str, role: str) -> User:
        users = self._read(missing_ok=True)
        if check_name(name) in users:
            raise ValueError(f"user {name!r} exists already (set-role changes a role; remove and add sets a password)")
        user = User(name, check_role(role), hash_password(check_password(password)))
        write_users(self.path, {**users, name: user})
        return user

    def remove(self, name: str) -> None:
        users = self._read(missing_ok=False)
        if users.pop(name, None) is None:
            raise ValueError(f"no user {name!r} in {self.path}")
        write_users(self.path, users)

    def set_role(self, name: str, role: str) -> User:
        users = self._read(missing_ok=False)
        if name not in users:
            raise ValueError(f"no user {name!r} in {self.path}")
        users[name] = User(name, check_role(role), users[name].password, users[name].tokens)
        write_users(self.path, users)
        return users[name]

    def new_token(self, name: str) -> str:
        """A new API token for ``name``, returned once; only its hash is kept."""
        users = self._read(missing_ok=False)
        if name not in users:
            raise ValueError(f"no user {name!r} in {self.path}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        user = users[name]
        users[name] = User(name, user.role, user.password, (*user.tokens, token_hash(token)))
        write_users(self.path, users)
        return token

    def revoke_tokens(self, name: str) -> int:
        """Forget every API token of ``name``; how many there were."""
        users = self._read(missing_ok=False)
        if name not in users:
            raise ValueError(f"no user {name!r} in {self.path}")
        user = users[name]
        users[name] = User(name, user.role, user.password)
        write_users(self.path, users)
        return len(user.tokens)

    def _read(self, missing_ok: bool) -> dict[str, User]:
        if missing_ok and not self.path.exists():
            return {}
        return read_users(self.path)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class Accounts:
    """Sign-in and roles for the web app: the users file (re-read when it changes) and the ``ATTACHE_AUTH`` user."""

    def __init__(self, users_file: Path | None = None, single: tuple[str, str] | None = None) -> None:
        self.users_file = users_file
        self.single = single
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._users: dict[str, User] = {}
        if users_file is not None:
            self.users()  # a missing or broken file stops the app at start, not at the first sign-in
            if single and single[0] in self._users:
                raise UsersFileError(f"{users_file}: {single[0]!r} is also the ATTACHE_AUTH user; keep one of them")

    @property
    def login_required(self) -> bool:
        return self.users_file is not None or self.single is not None

    def users(self) -> dict[str, User]:
        """The file's users, re-read when the file changed since the last call."""
        if self.users_file is None:
            return {}
        with self._lock:
            stat = self.users_file.stat() if self.users_file.exists() else None
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size) if stat else None
            if seen is None or seen != self._seen:
                self._users, self._seen = read_users(self.users_file), seen
            return self._users

    def verify(self, name: str, password: str) -> bool:
        """Gradio's ``auth=`` callable: the name and password match a user. Never raises: a broken file is logged
        and signs nobody in."""
        if self.single is not None and hmac.compare_digest(_digest(name), _digest(self.single[0])):
            return hmac.compare_digest(_digest(password), _digest(self.single[1]))
        try:
            user = self.users().get(name)
            if user is None:
                burn_time(password)
                return False
            return verify_password(password, user.password)
        except UsersFileError as exc:
            log.error("sign-in refused: %s", exc)
            return False

    def token_user(self, token: str) -> str | None:
        """The user an API token belongs to; None for an unknown (or revoked) token. Never raises."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        wanted = token_hash(token)
        try:
            users = self.users()
        except UsersFileError as exc:
            log.error("token refused: %s", exc)
            return None
        found = None
        for user in users.values():
            for stored in user.tokens:
                if hmac.compare_digest(stored, wanted):
                    found = user.name
        return found

    def role(self, name: str) -> Role | None:
        """``name``'s role; None for someone who is not (or no longer) a user. Without a login: editor."""
        if not self.login_required or (self.single is not None and name == self.single[0]):
            return EDITOR
        try:
            user = self.users().get(name)
        except UsersFileError as exc:
            log.error("role unknown, so refused: %s", exc)
            return None
        return user.role if user else None
