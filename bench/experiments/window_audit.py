"""Audit of the shared diplomacy set's wrong refusals: does any article that states the gold answer fall in the
question's own window?

    .venv/bin/python -m bench.experiments.window_audit RUN_DIR [--out FILE.md]

``RUN_DIR`` is an ``assistant eval`` run of ``diplomacy_questions.jsonl`` (its ``results.jsonl``). The set calls a
question answerable when its answer string occurs in one of the articles the benchmark's search returned
(``answer_in_retrieved_text``), whatever that article's date. A quiz question asks about "this week"; the
``off_window`` rule refuses when nothing the library holds from that week answers. For each refusal of an
"answerable" question this lists the dates of the articles that state the answer and whether one of them lies in
the window the refusal names. A refusal with none in the window is the library being silent on that week (an
older article that happens to contain "Russia" or "37" does not answer it), so the table also gives the wrong
refusal rate with those counted as right. Nothing here changes a rule; it reads a finished run.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from bench.corpus import DIPLOMACY, SHARED, require_shared

QUESTIONS = SHARED / "diplomacy_questions.jsonl"
_WINDOW = re.compile(r"\((\d{4}-\d\d-\d\d) – (\d{4}-\d\d-\d\d)\)")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def audit(rows: list[dict[str, Any]]) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Table lines (one per refused answerable question) and per half: answerable, refused, refused with no
    stating article in the refusal's window."""
    questions = {q["uid"]: q for q in _jsonl(QUESTIONS)}
    published = {a["doc_id"]: (a.get("publish_date") or "", a["text"]) for a in _jsonl(DIPLOMACY)}
    lines = ["| half | rule | asked | window | articles stating the answer (published) | one in the window |"]
    lines.append("|---|---|---|---|---|---|")
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        half = counts.setdefault(row["split"], {"answerable": 0, "refused": 0, "silent_week": 0})
        if not row["answerable"]:
            continue
        half["answerable"] += 1
        if not row["abstained"]:
            continue
        half["refused"] += 1
        question = questions[row["id"]]
        stating = [
            published[d][0].replace("/", "-") or "undated"
            for d in question["retrieved_doc_ids"]
            if d in published and question["answer_text"] in published[d][1]
        ]
        window = _WINDOW.search(row.get("abstain_reason", ""))
        inside = ""
        if row["refusal_rule"] == "off_window" and window:
            lo, hi = window.groups()
            hit = any(lo <= day <= hi for day in stating if day != "undated") or "undated" in stating
            inside = "yes" if hit else "**no**"
            half["silent_week"] += 0 if hit else 1
        shown = f"{window.group(1)} – {window.group(2)}" if window else ""
        lines.append(
            f"| {row['split']} | {row['refusal_rule']} | {question['as_of']} | {shown} | "
            f"{', '.join(stating) or 'none'} | {inside} |"
        )
    return lines, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.experiments.window_audit", description=__doc__)
    parser.add_argument("run", type=Path, help="an eval run of diplomacy_questions.jsonl")
    parser.add_argument("--out", type=Path, help="also write the page here")
    args = parser.parse_args(argv)
    require_shared()
    lines, counts = audit(_jsonl(args.run / "results.jsonl"))
    summary = [
        "| half | answerable | refused | of them: no article stating the answer in the week | wrong refusals | "
        "without those |",
        "|---|---|---|---|---|---|",
    ]
    keys = ("answerable", "refused", "silent_week")
    halves = {half: counts.get(half, dict.fromkeys(keys, 0)) for half in ("tune", "test")}
    halves["all"] = {k: sum(c[k] for c in counts.values()) for k in keys}
    for name, c in halves.items():
        n = max(1, c["answerable"])
        summary.append(
            f"| {name} | {c['answerable']} | {c['refused']} | {c['silent_week']} | {c['refused'] / n:.1%} | "
            f"{(c['refused'] - c['silent_week']) / n:.1%} |"
        )
    page = "\n".join([*summary, "", *lines])
    print(page)
    if args.out:
        command = f"`.venv/bin/python -m bench.experiments.window_audit {args.run}`"
        args.out.write_text(f"# Wrong refusals on the diplomacy set, audited\n\n{command}\n\n{page}\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
