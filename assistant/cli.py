"""``python -m assistant ask "question"``: the answer and its numbered sources, in a terminal."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap

from assistant.config import Settings, apply_offline_env
from assistant.errors import AttacheError
from assistant.types import Answer


def format_answer(answer: Answer) -> str:
    """Plain-text rendering: the answer, then each cited source with its quote."""
    lines = [textwrap.fill(answer.text, width=100), ""]
    if answer.abstained:
        lines.append("Closest passages:" if answer.passages else "No passages found.")
        for passage in answer.passages[:3]:
            lines.append(f"  [{passage.rank}] {passage.chunk.title}  (score {passage.score:.2f})")
        return "\n".join(lines)
    lines.append("Sources:")
    for number, passage in sorted({c.number: c.passage for c in answer.citations}.items()):
        chunk = passage.chunk
        where = " · ".join(x for x in (chunk.outlet, str(chunk.published or ""), chunk.url) if x)
        lines.append(f"  [{number}] {chunk.title}" + (f"  ({where})" if where else ""))
        for citation in answer.citations:
            if citation.number == number:
                quote = textwrap.shorten(citation.quote, width=160, placeholder="…")
                lines.append(f"      “{quote}”  @{citation.start}-{citation.end}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Attaché from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question", nargs="+", help="the question")
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    from assistant.answer import Assistant

    try:
        assistant = Assistant.from_settings(Settings())
        assistant.ensure_seeded()
        answer = assistant.answer(" ".join(args.question))
    except AttacheError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_answer(answer))
    return 0
