"""``python -m ingest PATH|URL...``, ``python -m ingest watch FEEDS...`` and ``python -m ingest list|show|delete``.

Exit codes: 0 everything ingested; 1 some inputs failed (the rest were ingested; see the
summary or ``--report``); 2 nothing could be done (bad options, store busy or unreadable);
130 interrupted (what was committed stays; run again to resume).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from assistant.core.errors import AttacheError, ConfigError
from assistant.core.settings import Settings, apply_offline_env

_MANAGE = {"list", "show", "delete"}
_WATCH = "watch"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Ingest articles into Attaché: files (.txt .md .html .htm .json .jsonl .pdf), folders, globs, "
        "and http(s) URLs of article pages, feeds (RSS, Atom, JSON Feed), sitemaps and OPML lists. "
        "Also: python -m ingest watch FEEDS... | list | show ID... | delete ID...",
    )
    parser.add_argument("paths", nargs="*", help="files, folders (recursively), quoted globs or URLs")
    parser.add_argument(
        "--feeds",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a file of URLs (one per line) or an OPML export",
    )
    parser.add_argument("--discover", action="store_true", help="find the feeds of a site's home page URL")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--map", default="", metavar="FIELD=KEY,...", help="JSON field mapping, e.g. text=body,title=headline"
    )
    parser.add_argument("--prune", action="store_true", help="also delete articles whose files under PATHS are gone")
    parser.add_argument("--report", type=Path, metavar="FILE.json", help="write a machine-readable report")
    parser.add_argument("--wait", type=float, metavar="SECONDS", help="how long to wait for the store lock")
    parser.add_argument("--max-file-mb", type=float, metavar="MIB", help="skip (and report) larger files")
    parser.add_argument("--no-dedupe", action="store_true", help="store near-duplicates as separate articles")
    parser.add_argument(
        "--workers", type=int, metavar="N", help="embedding batches in flight (ONNX sessions or remote requests)"
    )
    return parser


def _overrides(args: argparse.Namespace, settings: Settings) -> Settings:
    update: dict[str, Any] = {}
    if args.wait is not None:
        update["ingest_lock_timeout"] = args.wait
    if args.max_file_mb is not None:
        update["ingest_max_file_mb"] = args.max_file_mb
    if args.no_dedupe:
        update["dedupe_threshold"] = 0.0
    if args.workers is not None:
        update["ingest_workers"] = max(1, args.workers)
    return settings.updated(**update)


def _ingest(args: argparse.Namespace, paths: list[Path], urls: list[str], settings: Settings) -> int:
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store, settle_embedder
    from assistant.store.lock import store_lock
    from ingest.pipeline import IngestReport, ingest_paths, ingest_urls
    from ingest.readers.records import parse_field_map

    field_map = parse_field_map(args.map)
    settings = settle_embedder(settings)  # auto: the embedder the library was built with
    embedder = build_embedder(settings)
    report = IngestReport()
    with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="python -m ingest"):
        store = Store(settings, embedder)
        if paths:
            report = ingest_paths(
                paths,
                store,
                embedder,
                settings,
                show_progress=not args.quiet,
                field_map=field_map,
                prune_missing=args.prune,
            )
        if urls:
            web = ingest_urls(urls, store, embedder, settings, show_progress=not args.quiet, discover=args.discover)
            report = report.merge(web)
    print(report.summary())
    if args.report:
        report.write_json(args.report)
    return 0 if report.ok else 1


def _split(args: argparse.Namespace) -> tuple[list[Path], list[str]]:
    """Paths and URLs (``scheme://…``, never a path), and the URLs of ``--feeds`` files."""
    from ingest.web.feeds import parse_feed_list
    from ingest.web.safety import looks_like_url

    urls = [arg for arg in args.paths if looks_like_url(arg)]
    paths = [Path(arg) for arg in args.paths if not looks_like_url(arg)]
    for listing in args.feeds:
        try:
            urls.extend(parse_feed_list(listing.read_text(encoding="utf-8"), str(listing)))
        except (OSError, UnicodeDecodeError, AttacheError) as exc:
            raise ConfigError(f"cannot read the feed list {listing}: {exc}") from exc
    return paths, list(dict.fromkeys(urls))


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    try:
        if argv and argv[0] in _MANAGE:
            from ingest.manage import manage

            return manage(argv[0], argv[1:], settings)
        if argv and argv[0] == _WATCH:
            from ingest.web.command import watch_command

            return watch_command(argv[1:], settings)
        args = _parser().parse_args(argv)
        paths, urls = _split(args)
        if not paths and not urls:
            _parser().error("give at least one path or URL")
        return _ingest(args, paths, urls, _overrides(args, settings))
    except AttacheError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: committed articles are kept; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
