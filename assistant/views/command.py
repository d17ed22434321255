"""``python -m assistant quotes | timeline | coverage``: the analyst's views in a terminal (``--json`` for scripts).

python -m assistant quotes "Qin Gang" --about communication
python -m assistant timeline "Blinken China trip" --from 2023-06-01
python -m assistant coverage "Finland joins NATO" --as-of 2023-04-05
"""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import asdict
from datetime import date
from typing import Any

from assistant.core.types import Coverage, Event, Filters, Quote


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outlet", action="append", default=[], help="only this outlet (repeatable)")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="published on or after YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="published on or before YYYY-MM-DD")
    parser.add_argument("--as-of", type=date.fromisoformat, help="only what was published by this date")
    parser.add_argument("--json", action="store_true", help="print the results as JSON, with article offsets")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quotes = commands.add_parser("quotes", help="who said what: verbatim quotations by speaker and topic")
    quotes.add_argument("speaker", nargs="?", help="any part of the speaker's name; omit to list every speaker")
    quotes.add_argument("--about", help="only quotations on this topic")
    _filter_options(quotes)
    timeline = commands.add_parser("timeline", help="what happened when: dated events in order, with sources")
    timeline.add_argument("query", nargs="*", help="the story (omit for the whole library)")
    _filter_options(timeline)
    coverage = commands.add_parser("coverage", help="who reported a story and how: the outlets side by side")
    coverage.add_argument("query", nargs="+", help="the story")
    _filter_options(coverage)


def filters_of(args: argparse.Namespace) -> Filters:
    return Filters(outlets=tuple(args.outlet), date_from=args.date_from, date_to=args.date_to)


def run(assistant: Any, args: argparse.Namespace) -> str:
    """The command's output for ``args`` (an ``Assistant`` does the work)."""
    filters, as_of = filters_of(args), args.as_of
    if args.command == "quotes":
        if not args.speaker and not args.about:
            speakers = assistant.views.speakers(filters, as_of)
            if args.json:
                return json.dumps([{"speaker": s, "quotes": n} for s, n in speakers], indent=2)
            return "\n".join(f"{n:4d}  {s}" for s, n in speakers) or "No attributed quotations in the library."
        found = assistant.quotes(args.speaker, args.about, filters, as_of)
        return _json(found) if args.json else format_quotes(found)
    if args.command == "timeline":
        events = assistant.timeline(" ".join(args.query) or None, filters, as_of)
        return _json(events) if args.json else format_timeline(events)
    coverage = assistant.coverage(" ".join(args.query), filters, as_of)
    return _json(coverage) if args.json else format_coverage(coverage)


def _json(value: Any) -> str:
    data = [asdict(v) for v in value] if isinstance(value, list) else asdict(value)
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(" ".join(text.split()), 100, initial_indent=indent, subsequent_indent=indent)


def format_quotes(quotes: list[Quote]) -> str:
    if not quotes:
        return "No quotations found."
    lines = []
    for q in quotes:
        who = f"{q.speaker}, {q.role}" if q.role else q.speaker
        lines += [_wrap(f"“{q.text}”", "  "), f"    — {who}"]
        lines.append(f"    {q.outlet or 'no outlet'} · {q.published or 'undated'} · {q.title} [{q.start}:{q.end}]")
        lines.append("")
    return "\n".join(lines).rstrip()


def format_timeline(events: list[Event]) -> str:
    if not events:
        return "No dated events found."
    lines = []
    undated_heading = False
    for event in events:
        if event.day is None and not undated_heading:
            lines += ["", "Undated (their articles carry no date):"]
            undated_heading = True
        lines.append(f"{event.day or '          '}  {' '.join(event.text.split())}")
        sources = "; ".join(f"{s.outlet or 'no outlet'}: {s.title}" for s in event.sources)
        lines.append(_wrap(f"{sources}  ({event.resolved_from})", "            "))
    return "\n".join(lines)


def format_coverage(coverage: Coverage) -> str:
    if not coverage.outlets:
        return "No outlet in the library covers this."
    n_out = len(coverage.outlets)
    lines = [f"{coverage.independent_sources} independent article(s) from {n_out} outlet(s)", ""]
    for outlet in coverage.outlets:
        lines.append(f"{outlet.outlet} — first reported {outlet.first_published or 'undated'}")
        if outlet.also_ran_in:
            lines.append(f"    also ran in: {', '.join(outlet.also_ran_in)}")
        for sentence in outlet.sentences:
            lines.append(_wrap(f"• {sentence.text}"))
        lines.append("")
    return "\n".join(lines).rstrip()
