"""Hand labels for the analyst's views (#23): offsets and names only, never article text (see README.md)."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared" / "eval" / "realtimeqa"
SEED = REPO / "seeds" / "000_c8c58ef786186102.txt"
# The seed file carries no date; its labellers read it as published on Wednesday 2023-06-14 (the trip "this week",
# June 16 to 21, the briefing call "on Wednesday").
SEED_PUBLISHED = date(2023, 6, 14)


def pct(part: int, whole: int) -> str:
    """``"93.2% (55/59)"``, the way the bench pages print a rate."""
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "–"


def labels(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def articles(doc_ids: set[str]) -> dict[str, tuple[str, date | None]]:
    """Text and published date of each labelled article (the seed from the repo, the rest from ../shared)."""
    found: dict[str, tuple[str, date | None]] = {}
    if "seed" in doc_ids:
        found["seed"] = (SEED.read_text(encoding="utf-8"), SEED_PUBLISHED)
    path = SHARED / "diplomacy_articles.jsonl"
    if not path.exists():
        sys.exit(f"skipped: {path} is absent (the shared RealTime QA articles are needed)")
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        if record["doc_id"] in doc_ids:
            day = record.get("publish_date") or ""
            found[record["doc_id"]] = (record["text"], date.fromisoformat(day.replace("/", "-")) if day else None)
    return found


def checked(items: list[dict[str, Any]], texts: dict[str, tuple[str, date | None]]) -> Iterator[dict[str, Any]]:
    """The labels whose offsets still point at the span they were written for (the sha of its text)."""
    for item in items:
        text = texts[item["doc_id"]][0]
        span = text[item["start"] : item["end"]]
        if hashlib.sha1(span.encode("utf-8")).hexdigest()[:8] != item["sha"]:
            raise SystemExit(f"label offsets no longer match: {item['doc_id']} {item['start']}:{item['end']}")
        yield item
