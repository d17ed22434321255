"""``python -m assistant ask "question"`` (or ``attache ask``): the answer and its numbered sources, in a terminal;
also ``ingest``, ``serve``, ``history``, ``users``, ``eval`` and the analyst's views ``quotes``, ``timeline``,
``coverage``."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import textwrap
from dataclasses import asdict
from datetime import date
from pathlib import Path

from assistant.accounts.command import add_parser as add_users_parser
from assistant.accounts.command import run as run_users
from assistant.core.errors import AttacheError, ConfigError, ConversationNotFound
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import Answer, Filters
from assistant.views.command import add_parsers as add_views_parsers
from assistant.views.command import run as run_views

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def numbering(answer: Answer) -> dict[int, int]:
    """Passage rank → the number the terminal shows: cited sources from 1 in order of first citation, then the
    other passages by rank. (The web app keeps ranks: its source cards are anchored by them.)"""
    order: dict[int, None] = {}
    for match in _MARKER.finditer(answer.text):
        order.update(dict.fromkeys(int(n) for n in re.split(r"\s*,\s*", match.group(1))))
    known = {p.rank for p in answer.passages} | {c.number for c in answer.citations}
    ranks = [r for r in order if r in known] + sorted(known - set(order))
    return {rank: i for i, rank in enumerate(ranks, start=1)}


def _renumbered(text: str, numbers: dict[int, int]) -> str:
    def one(match: re.Match[str]) -> str:
        found = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        return "[" + ", ".join(str(numbers.get(n, n)) for n in found) + "]"

    return _MARKER.sub(one, text)


def format_answer(answer: Answer) -> str:
    """Plain-text rendering: the answer, then each cited source with its quotes, numbered from [1] in the order
    the answer first cites them (character offsets are left to ``--json``)."""
    numbers = numbering(answer)
    lines = [textwrap.fill(_renumbered(answer.text, numbers), width=100), ""]
    if answer.date_window is not None:
        lines[-1:] = [f"(dates: {answer.date_window.label()})", ""]
    if answer.abstained:
        lines.append("Closest passages:" if answer.passages else "No passages found.")
        for passage in sorted(answer.passages, key=lambda p: numbers[p.rank])[:3]:
            lines.append(f"  [{numbers[passage.rank]}] {passage.chunk.title}")
        return "\n".join(lines)
    lines.append("Sources:")
    cited = {c.number: c.passage for c in answer.citations}
    for rank, passage in sorted(cited.items(), key=lambda item: numbers[item[0]]):
        chunk = passage.chunk
        byline = "by " + ", ".join(chunk.authors) if chunk.authors else ""
        facts = (chunk.outlet, byline, str(chunk.published or ""), chunk.url, *chunk.provenance)
        where = " · ".join(x for x in facts if x)
        lines.append(f"  [{numbers[rank]}] {chunk.title}" + (f"  ({where})" if where else ""))
        for quote in dict.fromkeys(c.quote for c in answer.citations if c.number == rank):
            lines.append(f"      “{textwrap.shorten(quote, width=160, placeholder='…')}”")
    return "\n".join(lines)


def answer_json(answer: Answer) -> str:
    """The whole :class:`Answer` as JSON: citations with their passage ranks, quotes and article offsets."""
    data = {**asdict(answer), "confidence": answer.confidence}
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Attaché from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question", nargs="+", help="the question")
    ask.add_argument("--outlet", action="append", default=[], help="only this outlet (repeatable), e.g. cnn.com")
    ask.add_argument("--from", dest="date_from", type=date.fromisoformat, help="published on or after YYYY-MM-DD")
    ask.add_argument("--to", dest="date_to", type=date.fromisoformat, help="published on or before YYYY-MM-DD")
    ask.add_argument("--as-of", type=date.fromisoformat, help="resolve 'this week' etc. against this date")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON (quotes with offsets)")
    hist = commands.add_parser("history", help="saved conversations: list, search, show, rename, delete")
    hist.add_argument("--search", default="", help="only conversations whose title or a question has TEXT")
    hist.add_argument("--show", metavar="ID", help="print this conversation's turns, answers and sources")
    hist.add_argument("--rename", nargs=2, metavar=("ID", "TITLE"), help="give a conversation a new title")
    hist.add_argument("--delete", metavar="ID", help="forget a conversation and its turns")
    hist.add_argument("--user", default="local", help=argparse.SUPPRESS)
    # listed for --help only: main() hands ``ingest ...`` to python -m ingest before parsing
    commands.add_parser("ingest", help="bring in articles, feeds, URLs (python -m ingest; ingest -h: its options)")
    commands.add_parser("serve", help="the web app and its HTTP API (serve -h: --api-only, --host, --port)")
    add_users_parser(commands)
    add_views_parsers(commands)
    warm = commands.add_parser(
        "warm", help="embed every stored sentence ahead of questions, so first questions answer sooner"
    )
    warm.add_argument("--quiet", action="store_true", help="no progress bar")
    ev = commands.add_parser("eval", help="score a question set (or: eval compare RUN_A RUN_B)")
    ev.add_argument("target", nargs="+", help="QUESTIONS.jsonl, or: compare RUN_A RUN_B")
    ev.add_argument("--config", type=Path, help='JSON file of setting overrides, e.g. {"top_k": 8}')
    ev.add_argument("--limit", type=int, help="only the first N questions")
    ev.add_argument("--out", type=Path, help="run directory (default: $ATTACHE_HOME/runs/<set>-<config>)")
    ev.add_argument("--ingest", type=Path, action="append", default=[], help="ingest these articles first")
    ev.add_argument("--library", type=Path, help="ingest the articles this TSV names first (seed, shared doc ids)")
    ev.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _settings(config: Path | None) -> Settings:
    overrides = json.loads(config.read_text()) if config else {}
    return Settings(**overrides)


def _eval(args: argparse.Namespace) -> int:
    from assistant.answering.assistant import Assistant
    from assistant.evaluate.compare import compare, format_comparison
    from assistant.evaluate.questions import load_questions
    from assistant.evaluate.report import format_halves, summary_table, write_report
    from assistant.evaluate.runner import config_fingerprint, load_rows, run

    if args.target[0] == "compare":
        if len(args.target) != 3:
            raise ConfigError("usage: eval compare RUN_A RUN_B")
        deltas, flipped = compare(load_rows(Path(args.target[1])), load_rows(Path(args.target[2])))
        print(format_comparison(deltas, flipped))
        return 0
    path = Path(args.target[0])
    questions = load_questions(path)[: args.limit] if args.limit else load_questions(path)
    assistant = Assistant.from_settings(_settings(args.config))
    paths = list(args.ingest)
    if args.library:
        from assistant.evaluate.library import library_files

        paths += library_files(args.library, assistant.settings.seeds_dir, assistant.settings.home / "library")
    if paths:
        from ingest.pipeline import ingest_paths

        report = ingest_paths(
            paths, assistant.store, assistant.embedder, assistant.settings, show_progress=not args.quiet
        )
        print(report.summary(), file=sys.stderr)
    else:
        from ingest.seed import ensure_seeded

        ensure_seeded(assistant.store, assistant.embedder, assistant.settings)
    name = path.name.split(".")[0]
    out = args.out or assistant.settings.home / "runs" / f"{name}-{config_fingerprint(assistant, path)['config_hash']}"
    rows = run(assistant, questions, path, out, show_progress=not args.quiet)
    metrics = write_report(rows, out, title=f"Attaché evaluation: {path.name} ({len(rows)} questions)")
    print("| metric | value [95% CI] | n |\n|---|---|---|")
    for metric, value, n in summary_table(metrics):
        print(f"| {metric} | {value} | {n} |")
    if len(halves := {row.get("split") for row in rows}) > 1:
        print(format_halves(rows, sorted(str(h) for h in halves)))
    print(f"\nreport: {out / 'report.md'}  ·  {out / 'report.html'}  ·  {out / 'results.jsonl'}")
    return 0


def _history(args: argparse.Namespace) -> int:
    """``history``: the saved conversations of ``ATTACHE_HOME``, newest first."""
    from assistant.history.store import ConversationStore

    store, user = ConversationStore.at_home(Settings().home), args.user
    if args.delete:
        store.delete(user, args.delete)
        print(f"deleted {args.delete}")
    elif args.rename:
        store.rename(user, *args.rename)
        print(f"renamed {args.rename[0]}")
    elif args.show:
        record = store.get(user, args.show)
        if record is None:
            raise ConversationNotFound(args.show)
        print(f"{record.title}\n{record.id} · {record.updated_at[:16].replace('T', ' ')} UTC · {record.backend}")
        for turn in record.turns:
            print(f"\n## {turn.position}. {turn.question}\n")
            print(format_answer(turn.answer))
    else:
        records = store.list(user, search=args.search)
        for record in records:
            updated = record.updated_at[:16].replace("T", " ")
            print(
                f"{record.id}  {updated}  {record.n_turns:>3} turn{'s' if record.n_turns != 1 else ' '}  {record.title}"
            )
        if not records:
            print("No saved conversations" + (f" matching {args.search!r}." if args.search.strip() else "."))
    return 0


def _warm(args: argparse.Namespace) -> int:
    """``warm``: every sentence's exact vectors computed ahead of questions (assistant/answering/warm.py)."""
    from assistant.answering.assistant import Assistant
    from assistant.answering.warm import warm

    try:
        assistant = Assistant.from_settings(Settings())
        report = warm(assistant.store, assistant.embedder, show_progress=not args.quiet)
    except AttacheError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # every batch is written as it is computed
        print("interrupted: what was computed is kept; run again to go on", file=sys.stderr)
        return 130
    print(report.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["ingest"]:
        from ingest.__main__ import main as ingest_main

        return ingest_main(argv[1:])
    if argv[:1] == ["serve"]:
        from assistant.server import main as serve_main

        return serve_main(argv[1:])
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    if args.command == "users":
        try:
            return run_users(args)
        except (AttacheError, ValueError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    from assistant.answering.assistant import Assistant
    from ingest.seed import ensure_seeded

    if args.command == "history":
        try:
            return _history(args)
        except (AttacheError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command == "eval":
        try:
            return _eval(args)
        except AttacheError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command == "warm":
        return _warm(args)
    if args.command in ("quotes", "timeline", "coverage"):
        try:
            assistant = Assistant.from_settings(Settings())
            ensure_seeded(assistant.store, assistant.embedder, assistant.settings)
            print(run_views(assistant, args))
        except AttacheError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    try:
        assistant = Assistant.from_settings(Settings())
        ensure_seeded(assistant.store, assistant.embedder, assistant.settings)
        filters = Filters(outlets=tuple(args.outlet), date_from=args.date_from, date_to=args.date_to)
        answer = assistant.answer(" ".join(args.question), filters=filters, as_of=args.as_of)
    except AttacheError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(answer_json(answer) if args.json else format_answer(answer))
    return 0
