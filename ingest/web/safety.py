"""Which URLs may be fetched at all: ``http``/``https`` only, and never the machine's own network.

A URL given to the web app or the command line must not make the server fetch loopback, link-local,
private, shared, multicast or reserved addresses (cloud metadata at 169.254.169.254, a router's admin page,
a Chroma server on 127.0.0.1). Every address the host name resolves to is checked, and the fetcher calls
:func:`check_url` again for each redirect hop. ``ATTACHE_FETCH_ALLOW_PRIVATE=1`` lifts the address rule
(tests on loopback, an intranet deployment); the scheme rule always holds.

The check resolves the name itself and the connection resolves it again, so a name whose answer changes
between the two (DNS rebinding) is not caught here; a deployment that must stop that too should fetch
through an egress proxy that enforces the same rule.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from assistant.core.errors import FetchError

__all__ = ["SCHEMES", "check_url", "is_public", "looks_like_url"]

SCHEMES = ("http", "https")
ALLOW_HINT = "set ATTACHE_FETCH_ALLOW_PRIVATE=1 to allow it"


def looks_like_url(text: str) -> bool:
    """``scheme://…``: what the command line treats as a URL rather than a path."""
    scheme, sep, _rest = text.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()


def _kind(address: str) -> str:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    for name in ("loopback", "link_local", "private", "multicast"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "reserved"


def is_public(address: str) -> bool:
    """A globally routable unicast address (not loopback, private, link-local, shared, reserved or multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(host, f"cannot resolve host {host}: {exc}", transient=True) from exc
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise :class:`FetchError` unless ``url`` is http(s) with a host that resolves only to public addresses."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(url, f"refused: only http and https URLs are fetched, not {parts.scheme or 'no scheme'}")
    host = parts.hostname
    if not host:
        raise FetchError(url, "refused: the URL names no host")
    if parts.username or parts.password:
        raise FetchError(url, "refused: URLs with a user name or password are not fetched")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise FetchError(url, f"refused: bad port: {exc}") from exc
    try:
        addresses = _addresses(host, port)
    except FetchError as exc:
        raise FetchError(url, exc.reason, transient=True) from exc
    private = [address for address in addresses if not is_public(address)]
    if private:
        kind = _kind(private[0])
        raise FetchError(url, f"refused: {host} is a {kind} address ({private[0]}), not fetched; {ALLOW_HINT}")
