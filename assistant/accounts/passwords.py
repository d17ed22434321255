"""Salted password hashes with the standard library's scrypt, stored as ``scrypt$n$r$p$salt_b64$hash_b64``.

Each hash has its own 16-byte random salt; a check recomputes the hash with the stored parameters and compares
with :func:`hmac.compare_digest` (constant time). A stored string that does not parse, or whose parameters are out
of bounds (a hand-edited file must not make one check cost gigabytes), is refused with :class:`UsersFileError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from assistant.core.errors import UsersFileError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB and about 50 ms per hash
SALT_BYTES = 16
HASH_BYTES = 32
MAX_N, MAX_R, MAX_P = 2**20, 32, 16
_MAXMEM = 2**30  # scrypt needs 128·n·r bytes; OpenSSL's default cap (32 MiB) is too tight for larger n


@dataclass(frozen=True)
class StoredHash:
    """A parsed ``scrypt$…`` string."""

    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, size: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=size)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A new salted hash of ``password`` in the stored format."""
    if not password:
        raise ValueError("a password cannot be empty")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, HASH_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def parse_hash(stored: str) -> StoredHash:
    """``scrypt$n$r$p$salt$hash`` → its parts; :class:`UsersFileError` if it is anything else."""
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != SCHEME:
        raise UsersFileError("a password hash must look like scrypt$n$r$p$salt$hash")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise UsersFileError(f"a password hash has a bad number or base64 part: {exc}") from exc
    if not (1 < n <= MAX_N and n & (n - 1) == 0 and 0 < r <= MAX_R and 0 < p <= MAX_P):
        raise UsersFileError(f"a password hash has scrypt parameters out of bounds (n={n}, r={r}, p={p})")
    if len(salt) < 8 or not 16 <= len(digest) <= 64:
        raise UsersFileError("a password hash has too short a salt or a hash of the wrong size")
    return StoredHash(n, r, p, salt, digest)


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` hashes to ``stored``; :class:`UsersFileError` if ``stored`` is malformed."""
    parsed = parse_hash(stored)
    candidate = _scrypt(password, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.digest))
    return hmac.compare_digest(candidate, parsed.digest)


def burn_time(password: str) -> None:
    """Spend what a real check costs, so an unknown name takes as long to refuse as a wrong password."""
    _scrypt(password, b"\0" * SALT_BYTES, N, R, P, HASH_BYTES)
