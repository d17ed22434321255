"""Attaché web app and HTTP API: ``python app.py`` (what ``make run`` runs) is ``attache serve``
(:mod:`assistant.server`: settings → assistant → API + web page → uvicorn on ``ATTACHE_HOST``, 127.0.0.1 by default)."""

from __future__ import annotations

import sys

from assistant.server import check_host, is_loopback, main, parse_auth

__all__ = ["check_host", "is_loopback", "main", "parse_auth"]

if __name__ == "__main__":
    sys.exit(main())
