"""Quote attribution against hand labels: precision and recall of speakers, tune and test halves.

    python -m bench.quotes            # table + bench/results/quotes.md

Labels: bench/labels/quotes.jsonl (224 quotations in 16 shared diplomacy articles and the seed; offsets, speakers).
A found quotation matches a label when their spans overlap. Its speaker is right when the names agree on words
(one's words contain the other's: "Kritenbrink" ~ "Daniel Kritenbrink", "State Department" ~ "Department of State").
Precision is over every quotation the extractor attributes (those that match no label count as wrong); recall over
the labelled quotations that have a speaker. An unattributed label stays right only if no speaker is given.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.analysis.quotes import FoundQuote, find_quotes
from bench.labels import articles, checked, labels, pct

RESULTS = Path(__file__).parent / "results" / "quotes.md"
_DROP = {"the", "of", "us", "u", "s", "uk", "mr", "ms", "mrs", "dr", "and"}


def name_words(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return {w for w in re.findall(r"[a-z0-9]+", plain) if w not in _DROP}


def same_speaker(found: str, gold: str) -> bool:
    a, b = name_words(found), name_words(gold)
    return bool(a and b) and (a <= b or b <= a)


def score(split: str | None = None) -> dict[str, Any]:
    gold = labels("quotes.jsonl")
    texts = articles({g["doc_id"] for g in gold})
    gold = [g for g in checked(gold, texts) if split is None or g["split"] == split]
    tally: Counter[str] = Counter()
    by_cue: dict[str, Counter[str]] = {}
    wrong: list[str] = []
    for doc_id in sorted({g["doc_id"] for g in gold}):
        text = texts[doc_id][0]
        found = find_quotes(text)
        doc_gold = [g for g in gold if g["doc_id"] == doc_id]
        for quote in found:
            match = _match(quote, doc_gold)
            if not quote.speaker:
                continue
            tally["attributed"] += 1
            if match is None:
                tally["attributed_unlabelled"] += 1
                wrong.append(f"{doc_id} {quote.start}: not a labelled quotation, given to {quote.speaker!r}")
            elif same_speaker(quote.speaker, match["speaker"]):
                tally["attributed_right"] += 1
            else:
                labelled = match["speaker"]
                wrong.append(f"{doc_id} {quote.start}: {quote.speaker!r} ({quote.cue}) but labelled {labelled!r}")
        for item in doc_gold:
            cue = by_cue.setdefault(item["cue"], Counter())
            hit = next((q for q in found if _overlaps(q, item)), None)
            if not item["speaker"]:
                tally["unattributed"] += 1
                tally["unattributed_kept"] += hit is None or not hit.speaker
                continue
            tally["labelled"] += 1
            cue["labelled"] += 1
            ok = hit is not None and bool(hit.speaker) and same_speaker(hit.speaker, item["speaker"])
            tally["recalled"] += ok
            cue["recalled"] += ok
            tally["found_span"] += hit is not None
    return {"tally": tally, "by_cue": by_cue, "wrong": wrong, "n_docs": len({g["doc_id"] for g in gold})}


def _overlaps(quote: FoundQuote, item: dict[str, Any]) -> bool:
    return bool(quote.start < item["end"] and item["start"] < quote.end)


def _match(quote: FoundQuote, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((g for g in items if _overlaps(quote, g)), None)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    lines = [
        "# Quote attribution (#23)",
        "",
        "`python -m bench.quotes`: speakers found by `assistant.analysis.quotes` against bench/labels/quotes.jsonl.",
        "",
        "| half | articles | precision (right / attributed) | recall (right / labelled with a speaker) | spans found "
        "| unattributed left alone |",
        "|---|---|---|---|---|---|",
    ]
    results = {}
    for split in ("tune", "test"):
        r = results[split] = score(split)
        t = r["tally"]
        lines.append(
            f"| {split} | {r['n_docs']} | {pct(t['attributed_right'], t['attributed'])} | "
            f"{pct(t['recalled'], t['labelled'])} | {pct(t['found_span'], t['labelled'])} | "
            f"{pct(t['unattributed_kept'], t['unattributed'])} |"
        )
    lines += ["", "Recall by how the article attributes the quotation (test half):", ""]
    lines += ["| cue | recall |", "|---|---|"]
    for cue, c in sorted(results["test"]["by_cue"].items()):
        lines.append(f"| {cue} | {pct(c['recalled'], c['labelled'])} |")
    lines += ["", "Wrong speakers (test half):", ""] + [f"- {w}" for w in results["test"]["wrong"]]
    page = "\n".join(lines) + "\n"
    print(page)
    RESULTS.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
