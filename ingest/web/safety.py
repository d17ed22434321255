"""Which URLs may be fetched at all: ``http``/``https`` only, and never the machine's own network.

A URL given to the web app or the command line must not make the server fetch loopback, link-local,
private, shared, multicast or reserved addresses (cloud metadata at 169.254.169.254, a router's admin page,
a Chroma server on 127.0.0.1). Every address the host name resolves to is checked, and the fetcher calls
:func:`check_url` again for each redirect hop. ``ATTACHE_FETCH_ALLOW_PRIVATE=1`` lifts the address rule
(tests on loopback, an intranet deployment); the scheme rule always holds.

The connection itself is pinned too (DNS rebinding): :func:`pinned_transport` gives the fetcher an httpx
transport whose sockets go only to an address it has just resolved and found public, so a name that answers
a public address to :func:`check_url` and a private one a moment later still reaches no private address
(TLS still verifies the certificate against the host name).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

from assistant.core.errors import FetchError

__all__ = ["REFUSED", "SCHEMES", "check_url", "is_public", "looks_like_url", "pinned_transport"]

REFUSED = "refused:"  # how a refusal reads, also when it surfaces as a connection error

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


class _PublicOnly(httpcore.SyncBackend):
    """Opens TCP connections only to a public address of the host, resolved here, for the socket it opens."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = _addresses(host, port)
        except FetchError as exc:
            raise httpcore.ConnectError(exc.reason) from exc
        if private := [a for a in addresses if not is_public(a)]:
            raise httpcore.ConnectError(
                f"{REFUSED} {host} resolves to a {_kind(private[0])} address ({private[0]}) at connection time; "
                f"not fetched; {ALLOW_HINT}"
            )
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # the next address, as a resolver-driven connect would
                last = exc
        raise httpcore.ConnectError(str(last) if last else f"cannot connect to {host}")


def pinned_transport(max_connections: int = 10) -> httpx.HTTPTransport:
    """An httpx transport that connects only to public addresses, checked when each socket is opened."""
    transport = httpx.HTTPTransport()
    # httpx builds its httpcore pool without a network backend parameter; the same pool with ours
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        network_backend=_PublicOnly(),
    )
    return transport
