"""``python -m ingest PATH...`` and ``python -m ingest list|show|delete``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assistant.config import Settings, apply_offline_env
from assistant.errors import AttacheError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Ingest articles into Attaché.")
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories (.txt, .md, .jsonl)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


def _manage(command: str, args: list[str], settings: Settings) -> int:
    from assistant.models import build_embedder
    from assistant.store import Store

    store = Store(settings, build_embedder(settings))
    if command == "list":
        for article, n_chunks in store.list_articles():
            day = article.published.isoformat() if article.published else "----------"
            print(f"{article.id}  {day}  {n_chunks:3d} chunks  {article.outlet or '-':20.20s}  {article.title}")
        print(f"{store.count_articles()} articles, {store.count_chunks()} chunks")
        return 0
    status = 0
    for article_id in args:
        if command == "show":
            found = store.get_article(article_id)
            if found is None:
                print(f"no article {article_id}", file=sys.stderr)
                status = 1
                continue
            print(f"{found.title}\n{found.outlet} {found.url} {found.published or ''}\n\n{found.text}")
        elif store.delete_article(article_id):
            print(f"deleted {article_id}")
        else:
            print(f"no article {article_id}", file=sys.stderr)
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    try:
        if argv and argv[0] in {"list", "show", "delete"}:
            return _manage(argv[0], argv[1:], settings)
        args = _parser().parse_args(argv)
        if not args.paths:
            _parser().error("give at least one path")
        from assistant.models import build_embedder
        from assistant.store import Store
        from ingest.pipeline import ingest_paths

        embedder = build_embedder(settings)
        report = ingest_paths(args.paths, Store(settings, embedder), embedder, settings, show_progress=not args.quiet)
    except AttacheError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
