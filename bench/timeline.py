"""Date resolution against hand labels: how many labelled day-level dates resolve to their true day.

    python -m bench.timeline          # table + bench/results/timeline.md

Labels: bench/labels/dates.jsonl (149 date expressions in 16 shared diplomacy articles and the seed; offsets and
true days). A label is resolved right when a found expression overlaps it with the same day. Precision is over
every expression found with a day (those matching no label count as wrong: "today" meaning nowadays, a weekday
in a caption the labellers skipped).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.analysis.when import find_dates
from bench.labels import articles, checked, labels, pct

RESULTS = Path(__file__).parent / "results" / "timeline.md"


def score(split: str) -> dict[str, Any]:
    gold = labels("dates.jsonl")
    texts = articles({g["doc_id"] for g in gold})
    gold = [g for g in checked(gold, texts) if g["split"] == split and g["kind"] != "boilerplate" and g["day"]]
    tally: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    wrong: list[str] = []
    for doc_id in sorted({g["doc_id"] for g in gold}):
        text, published = texts[doc_id]
        found = [d for d in find_dates(text, published) if d.day is not None]
        doc_gold = [g for g in gold if g["doc_id"] == doc_id]
        for item in doc_gold:
            kind = by_kind.setdefault(item["kind"], Counter())
            hit = next((d for d in found if d.start < item["end"] and item["start"] < d.end), None)
            ok = hit is not None and hit.day is not None and hit.day.isoformat() == item["day"]
            tally["labelled"] += 1
            tally["right"] += ok
            kind["labelled"] += 1
            kind["right"] += ok
            if not ok:
                got = hit.day if hit else "not found"
                wrong.append(f"{doc_id} {item['start']} ({item['kind']}): {got}, labelled {item['day']}")
        for found_date in found:
            tally["found"] += 1
            match = next((g for g in doc_gold if found_date.start < g["end"] and g["start"] < found_date.end), None)
            tally["found_right"] += match is not None and str(found_date.day) == match["day"]
    return {"tally": tally, "by_kind": by_kind, "wrong": wrong, "n_docs": len({g["doc_id"] for g in gold})}


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    lines = [
        "# Date resolution (#23)",
        "",
        "`python -m bench.timeline`: days found by `assistant.analysis.when` against bench/labels/dates.jsonl.",
        "",
        "| half | articles | resolved right (of labelled) | precision (right / found with a day) |",
        "|---|---|---|---|",
    ]
    results = {}
    for split in ("tune", "test"):
        r = results[split] = score(split)
        t = r["tally"]
        right, precise = pct(t["right"], t["labelled"]), pct(t["found_right"], t["found"])
        lines.append(f"| {split} | {r['n_docs']} | {right} | {precise} |")
    lines += ["", "By kind (test half):", "", "| kind | resolved right |", "|---|---|"]
    for kind, c in sorted(results["test"]["by_kind"].items()):
        lines.append(f"| {kind} | {pct(c['right'], c['labelled'])} |")
    lines += ["", "Misses (test half):", ""] + [f"- {w}" for w in results["test"]["wrong"]]
    page = "\n".join(lines) + "\n"
    print(page)
    RESULTS.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
