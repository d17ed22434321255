"""A watch run's figures: feeds, requests, 304s, articles added and seconds, cycle by cycle.

Starts the tests' loopback news site (tests/web_site.py: two invented outlets), follows two RSS feeds that
answer conditional requests, in a fresh ``ATTACHE_HOME`` with ``python -m ingest watch FEEDS --once`` (as cron
would run it), and runs three cycles: the first meets every item, the second finds both feeds unchanged (one
304 each), the third runs after one feed gained an item. Each cycle is a real process: its wall seconds include
start-up and loading the embedder; the summary line's seconds are the cycle's own (polite: 1 s between requests
to the one host).

    .venv/bin/python -m bench.watch [--host-delay 1.0]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.web_site import LoopbackSite

FEEDS = ("/world.xml", "/islands.xml")


def _cycle(home: Path, feeds: Path, host_delay: float) -> tuple[float, str]:
    env = {
        **os.environ,
        "ATTACHE_HOME": str(home),
        "ATTACHE_FETCH_ALLOW_PRIVATE": "1",  # the site is on loopback
        "ATTACHE_FETCH_HOST_DELAY": str(host_delay),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "watch", str(feeds), "--once", "-q"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return time.perf_counter() - started, done.stdout.strip() or done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host-delay", type=float, default=1.0, help="ATTACHE_FETCH_HOST_DELAY (default 1.0)")
    args = parser.parse_args()
    with LoopbackSite() as site, tempfile.TemporaryDirectory() as tmp:
        site.growing_feed("/world.xml", ["/meridian/talks.html", "/harbour/grain.html"])
        site.growing_feed("/islands.xml", ["/meridian/summit.html"])
        feeds = Path(tmp) / "feeds.txt"
        feeds.write_text("\n".join(site.url(f) for f in FEEDS) + "\n")
        for label in ("first cycle", "unchanged", "one new item"):
            if label == "one new item":
                site.grow("/world.xml", "/harbour/envoy.html")
            served = len(site.log)
            seconds, output = _cycle(Path(tmp) / "home", feeds, args.host_delay)
            print(f"## {label}: {seconds:.1f} s wall (process), {len(site.log) - served} requests served")
            print(output)


if __name__ == "__main__":
    main()
