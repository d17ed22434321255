"""The "Reliability" table of ``docs/reliability.md``, from the figures in ``tests/artifacts/reliability/``.

    .venv/bin/python -m tests.reliability.table                              # print the table
    .venv/bin/python -m tests.reliability.table --write docs/reliability.md  # replace it between the markers

A family part that has no figure yet is an error: run ``pytest tests/reliability`` first (``make reliability``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.reliability.figures import ARTIFACTS

START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
FAMILIES = [
    ("Crash safety", "test_crash.py", "crash", ["1-ingest", "2-replace", "3-delete"]),
    ("Hostile files", "test_hostile.py", "hostile", ["1-files"]),
    ("Failing LLM endpoint", "test_endpoints.py test_web.py", "endpoint", ["1-failures", "2-browser"]),
    ("Load", "test_load.py", "load", ["1-concurrent"]),
    ("Prompt injection", "test_injection.py", "injection", ["1-planted"]),
    ("Web safety", "test_web.py", "web", ["1-browser"]),
    ("Secrets", "test_secrets.py test_web.py", "secrets", ["1-cli", "2-app"]),
]


def _figure(family: str, part: str) -> dict[str, str]:
    path = ARTIFACTS / f"{family}.{part}.json"
    if not path.is_file():
        raise SystemExit(f"no figure {path.name}: run `.venv/bin/python -m pytest tests/reliability` first")
    entry: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return entry


def table() -> str:
    rows = ["| family | figure | reproduce |", "|---|---|---|"]
    dates, machines = set(), set()
    for title, files, family, parts in FAMILIES:
        entries = [_figure(family, part) for part in parts]
        dates |= {e["recorded"][:10] for e in entries}
        machines |= {e["machine"] for e in entries}
        figure = "; ".join(e["figure"] for e in entries).replace("|", "\\|")
        command = "`pytest " + " ".join(f"tests/reliability/{f}" for f in files.split()) + "`"
        rows.append(f"| {title} | {figure} | {command} |")
    note = f"Measured {', '.join(sorted(dates))} on {'; '.join(sorted(machines))} by `make reliability`."
    return "\n".join([*rows, "", note])


def write(page: Path, text: str) -> None:
    content = page.read_text(encoding="utf-8")
    if START not in content or END not in content:
        raise SystemExit(f"{page} has no {START} … {END} markers")
    head, rest = content.split(START, 1)
    _, tail = rest.split(END, 1)
    page.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.table", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", type=Path, metavar="docs/reliability.md", help="replace the table between the markers"
    )
    args = parser.parse_args(argv)
    text = table()
    if args.write:
        write(args.write, text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
