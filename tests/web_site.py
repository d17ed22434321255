"""A small news site on loopback for the web-ingest tests: two invented outlets, their feeds, a sitemap, an
OPML list, and every bad case (404, 500 then 200, 429 with Retry-After, slow, endless redirect, oversized,
binary, not an article, robots.txt disallow). Started on a free port in a thread of the test process and
stopped by the test (``with LoopbackSite() as site``). All text is invented for the tests.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Response = tuple[int, dict[str, str], bytes]

MERIDIAN = "The Meridian Courier"
HARBOUR = "Harbour Ledger"


def article_page(title: str, outlet: str, day: str, author: str, paragraphs: list[str], canonical: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{day}T08:00:00Z"><meta name="author" content="{author}">{link}
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>{body}</article><footer>Copyright the invented outlet</footer></body></html>""".encode()


ARTICLES: dict[str, tuple[str, str, str, str, list[str]]] = {
    "/meridian/talks.html": (
        "Velmora and Ostrand resume border talks in Lisvik",
        MERIDIAN,
        "2024-03-04",
        "Anna Keller",
        [
            "Negotiators from Velmora and Ostrand met in the port city of Lisvik on Monday to resume talks over "
            "their disputed river border, the first direct meeting between the two delegations in eleven months.",
            "Velmoran envoy Tomas Reyl said both sides had agreed to a joint survey of the river channel and to "
            "a hotline between the two coast guards, while the question of fishing rights was left for a later round.",
        ],
    ),
    "/harbour/grain.html": (
        "Castria signs grain corridor accord with three neighbours",
        HARBOUR,
        "2024-03-05",
        "Mina Osei",
        [
            "The government of Castria signed an accord on Tuesday opening a grain corridor through its northern "
            "ports to three landlocked neighbours, ending a customs dispute that had idled hundreds of lorries.",
            "Foreign minister Lena Dorsk told reporters in the capital, Amberholm, that the corridor would carry "
            "its first convoys within a fortnight and that inspectors from all four states would share one checkpoint.",
        ],
    ),
    "/meridian/summit.html": (
        "Island states call for a shipping emissions levy at Pellor summit",
        MERIDIAN,
        "2024-03-06",
        "Anna Keller",
        [
            "Leaders of nine island states meeting in Pellor on Wednesday called for a levy on shipping emissions, "
            "saying rising seas were already forcing villages on the outer atolls to move inland.",
            "The summit's chair, President Ilse Varo, said the proceeds should pay for sea walls and relocation, and "
            "that the group would table the proposal at the maritime organisation's spring session.",
        ],
    ),
    "/harbour/envoy.html": (
        "Ostrand recalls its envoy from Castria over airspace incident",
        HARBOUR,
        "2024-03-07",
        "Mina Osei",
        [
            "Ostrand recalled its ambassador from Castria on Thursday after two Castrian patrol aircraft crossed "
            "into Ostrand's airspace over the Keld peninsula, the foreign ministry in Varn said in a statement.",
            "Castria's defence ministry called the crossing a navigational error in poor weather and offered "
            "to share flight records, but Ostrand said the envoy would stay home until it received an apology.",
        ],
    ),
}


def rss(base: str, paths: list[str], title: str = "World news") -> bytes:
    items = "".join(
        f"<item><title>{ARTICLES[p][0]}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<pubDate>{_rfc822(ARTICLES[p][2])}</pubDate></item>"
        for p in paths
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/</link><description>invented</description>{items}</channel></rss>"
    ).encode()


def atom(base: str, paths: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>{ARTICLES[p][0]}</title><link href="{base}{p}"/><id>{base}{p}</id>'
        f"<updated>{ARTICLES[p][2]}T08:00:00Z</updated></entry>"
        for p in paths
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Meridian world</title><id>{base}/atom.xml</id><updated>2024-03-06T08:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def sitemap(base: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{ARTICLES[p][2]}</lastmod></url>" for p in paths)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    ).encode()


def opml(base: str, feeds: list[str]) -> bytes:
    outlines = "".join(f'<outline type="rss" text="{f}" xmlUrl="{base}{f}"/>' for f in feeds)
    head = '<?xml version="1.0"?><opml version="2.0"><head><title>Followed</title></head>'
    return f"{head}<body>{outlines}</body></opml>".encode()


def _rfc822(day: str) -> str:
    from datetime import UTC, date, datetime
    from email.utils import format_datetime

    d = date.fromisoformat(day)
    return format_datetime(datetime(d.year, d.month, d.day, 8, tzinfo=UTC))


HTML = {"Content-Type": "text/html; charset=utf-8"}


def _static(page: bytes) -> Callable[[dict[str, str]], Response]:
    return lambda _headers: (200, HTML, page)


XML = {"Content-Type": "application/rss+xml"}


@dataclass
class LoopbackSite:
    """The site; ``routes`` may be changed by a test while it runs. ``log``: every request (path, headers)."""

    slow_seconds: float = 2.0
    routes: dict[str, Callable[[dict[str, str]], Response]] = field(default_factory=dict)
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _feeds: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.serve(self)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *_args: None  # type: ignore[method-assign]  # clients hang up on purpose
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="loopback-site", daemon=True)
        self._install_routes()

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        return self.base + path

    def requests_to(self, path: str) -> int:
        return sum(1 for p, _h in self.log if p == path)

    # -- serving -------------------------------------------------------------------------------------------

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.log.append((path, headers))
        self.counts[path] = self.counts.get(path, 0) + 1
        route = self.routes.get(path.split("?", 1)[0])
        if route is None:
            status, extra, body = 404, {"Content-Type": "text/plain"}, b"not found"
        else:
            status, extra, body = route(headers)
        if status == -1:  # a streamed body with no length: the client must stop reading
            self._endless(handler)
            return
        handler.send_response(status)
        for key, value in extra.items():
            handler.send_header(key, value)
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handler.wfile.write(body)

    @staticmethod
    def _endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        try:
            for _ in range(800):  # 50 MiB unless the client hangs up first
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    def _install_routes(self) -> None:
        base = self.base
        for path, (title, outlet, day, author, paragraphs) in ARTICLES.items():
            page = article_page(title, outlet, day, author, paragraphs)
            self.routes[path] = _static(page)
        self.routes["/robots.txt"] = lambda _h: (
            200,
            {"Content-Type": "text/plain"},
            b"User-agent: *\nDisallow: /private/\n",
        )
        two = ["/meridian/talks.html", "/harbour/grain.html"]
        self.routes["/feed.xml"] = lambda _h: (200, XML, rss(base, two))
        self.routes["/atom.xml"] = lambda _h: (
            200,
            {"Content-Type": "application/atom+xml"},
            atom(base, ["/meridian/summit.html"]),
        )
        self.routes["/sitemap.xml"] = lambda _h: (
            200,
            {"Content-Type": "application/xml"},
            sitemap(base, ["/harbour/envoy.html", "/meridian/talks.html"]),
        )
        self.routes["/sitemap_index.xml"] = lambda _h: (
            200,
            {"Content-Type": "text/xml"},
            (
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap></sitemapindex>"
            ).encode(),
        )
        self.routes["/feeds.opml"] = lambda _h: (
            200,
            {"Content-Type": "text/x-opml"},
            opml(base, ["/feed.xml", "/atom.xml"]),
        )
        self.routes["/home.html"] = lambda _h: (
            200,
            HTML,
            (
                b'<html><head><title>Harbour Ledger</title><link rel="alternate" type="application/rss+xml" '
                b'href="/feed.xml"></head><body><nav><a href="/world">World</a> <a href="/sport">Sport</a></nav>'
                b"</body></html>"
            ),
        )
        self.routes["/private/secret.html"] = self.routes["/harbour/envoy.html"]
        self.routes["/flaky.html"] = self._flaky("/flaky.html", 500, {}, "/harbour/envoy.html")
        self.routes["/busy.html"] = self._flaky("/busy.html", 429, {"Retry-After": "1"}, "/meridian/summit.html")
        self.routes["/slow.html"] = self._slow
        self.routes["/loop"] = lambda h: (302, {"Location": "/loop?again"}, b"")
        self.routes["/big.html"] = lambda _h: (-1, {}, b"")
        self.routes["/image.bin"] = lambda _h: (
            200,
            {"Content-Type": "application/octet-stream"},
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        )

    def _flaky(
        self, path: str, status: int, headers: dict[str, str], then: str
    ) -> Callable[[dict[str, str]], Response]:
        def route(_headers: dict[str, str]) -> Response:
            if self.counts[path] == 1:
                return status, {"Content-Type": "text/plain", **headers}, b"try again"
            return self.routes[then](_headers)

        return route

    def _slow(self, _headers: dict[str, str]) -> Response:
        time.sleep(self.slow_seconds)
        return 200, HTML, b"<html><body><p>too late</p></body></html>"

    def growing_feed(self, path: str, items: list[str]) -> None:
        """A feed at ``path`` with ETag and Last-Modified that answers 304 to a matching conditional request."""
        state = self._feeds[path] = {"items": list(items)}

        def route(headers: dict[str, str]) -> Response:
            etag = f'"v{len(state["items"])}"'
            modified = f"Mon, 0{len(state['items'])} Mar 2024 08:00:00 GMT"
            if headers.get("if-none-match") == etag:
                return 304, {"ETag": etag, "Last-Modified": modified}, b""
            return 200, {**XML, "ETag": etag, "Last-Modified": modified}, rss(self.base, state["items"])

        self.routes[path] = route

    def grow(self, path: str, item: str) -> None:
        """The growing feed at ``path`` gains ``item`` (a new ETag and Last-Modified)."""
        self._feeds[path]["items"].append(item)
