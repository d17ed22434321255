"""Outlets side by side against 24 stories grouped by hand: how many of each story's outlets and articles the
coverage view finds, and how much it adds that is not the story.

    python -m bench.coverage                      # ingests the diplomacy pool once into bench/cache/coverage
    python -m bench.coverage --home /tmp/rtqa     # an ATTACHE_HOME that holds it already
    python -m bench.coverage --grid               # the relevance thresholds on the tune half (how they were set)

Labels: bench/labels/stories.jsonl (doc ids and outlets, no text). Each story is asked twice: as the user typed
it with no date, and "as of" the day after the event (what the Coverage tab's as-of date does).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answering.assistant import Assistant
from assistant.core.settings import Settings
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store, settle_embedder
from assistant.views import coverage as coverage_view
from bench.corpus import DIPLOMACY, require_shared
from bench.labels import labels
from bench.retrieval import CACHE, open_store
from ingest.metadata import article_id

RESULTS = Path(__file__).parent / "results" / "coverage.md"


@dataclass
class Score:
    outlets_found: int = 0
    outlets_labelled: int = 0
    outlets_extra: int = 0
    articles_found: int = 0
    articles_labelled: int = 0
    articles_returned: int = 0
    stories: int = 0
    all_outlets: int = 0

    def add(self, story: dict[str, Any], found_outlets: set[str], found_ids: set[str], ids: dict[str, str]) -> None:
        wanted_outlets = set(story["outlets"])
        wanted_ids = {ids[a["doc_id"]] for a in story["articles"] if a["doc_id"] in ids}
        self.stories += 1
        self.outlets_labelled += len(wanted_outlets)
        self.outlets_found += len(wanted_outlets & found_outlets)
        self.outlets_extra += len(found_outlets - wanted_outlets)
        self.all_outlets += wanted_outlets <= found_outlets
        self.articles_labelled += len(wanted_ids)
        self.articles_found += len(wanted_ids & found_ids)
        self.articles_returned += len(found_ids)

    def row(self, name: str) -> str:
        precision = self.articles_found / self.articles_returned if self.articles_returned else 0.0
        return (
            f"| {name} | {self.stories} | {self.outlets_found}/{self.outlets_labelled} "
            f"({100 * self.outlets_found / max(1, self.outlets_labelled):.0f}%) | {self.all_outlets}/{self.stories} | "
            f"{self.outlets_extra} | {self.articles_found}/{self.articles_labelled} "
            f"({100 * self.articles_found / max(1, self.articles_labelled):.0f}%) | {100 * precision:.0f}% |"
        )


def doc_ids_to_article_ids() -> dict[str, str]:
    """The store's id of each shared article (ingest derives it from the URL)."""
    found = {}
    with DIPLOMACY.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            found[record["doc_id"]] = article_id(record.get("url", ""), record.get("text", ""))
    return found


def run(assistant: Assistant, stories: list[dict[str, Any]], ids: dict[str, str], dated: bool) -> Score:
    score = Score()
    for story in stories:
        as_of = date.fromisoformat(story["as_of"]) if dated else None
        coverage = assistant.coverage(story["query"], as_of=as_of)
        outlets = {o.outlet for o in coverage.outlets} | {x for o in coverage.outlets for x in o.also_ran_in}
        found_ids = {i for o in coverage.outlets for i in o.article_ids}
        score.add(story, outlets, found_ids, ids)
    return score


def grid(assistant: Assistant, stories: list[dict[str, Any]], ids: dict[str, str]) -> list[str]:
    lines = ["| min cosine | min terms | outlets found | all outlets | extra outlets | articles found | precision |"]
    lines.append("|---|---|---|---|---|---|---|")
    defaults = (coverage_view.MIN_COSINE, coverage_view.MIN_TERMS)
    for cosine in (0.2, 0.3, 0.35, 0.4, 0.5):
        for terms in (0.0, 0.34, 0.5, 0.67):
            coverage_view.MIN_COSINE, coverage_view.MIN_TERMS = cosine, terms
            score = run(assistant, stories, ids, dated=True)
            lines.append(score.row(f"{cosine} | {terms}").replace(f"| {score.stories} ", "", 1))
    coverage_view.MIN_COSINE, coverage_view.MIN_TERMS = defaults
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an ATTACHE_HOME holding the diplomacy pool already")
    parser.add_argument("--grid", action="store_true", help="try relevance thresholds on the tune half")
    args = parser.parse_args()
    require_shared()
    home = args.home or CACHE / "coverage"
    settings = settle_embedder(Settings(home=home))
    embedder = build_embedder(settings)
    open_store(home, DIPLOMACY, embedder)
    assistant = Assistant(settings, Store(settings, embedder), embedder)
    print("analysing the library (quotes, dates) ...", file=sys.stderr)
    assistant.views.sync()
    stories = labels("stories.jsonl")
    ids = doc_ids_to_article_ids()
    if args.grid:
        print("\n".join(grid(assistant, [s for s in stories if s["split"] == "tune"], ids)))
        return
    lines = [
        "# Outlets side by side (#23)",
        "",
        f"`python -m bench.coverage`: `Assistant.coverage(query)` on {len(stories)} hand-grouped stories of the "
        "shared diplomacy pool (bench/labels/stories.jsonl; outlets are cnn.com, usatoday.com, theweek.co.uk).",
        f"Relevance: chunk cosine ≥ {coverage_view.MIN_COSINE}, query words ≥ {coverage_view.MIN_TERMS:.0%} "
        "(set on the tune half with `--grid`).",
        "",
        "| half, date | stories | labelled outlets found | stories with every outlet | outlets not in the story "
        "| labelled articles found | articles returned that are the story's |",
        "|---|---|---|---|---|---|---|",
    ]
    for split in ("tune", "test"):
        half = [s for s in stories if s["split"] == split]
        for dated in (False, True):
            name = f"{split}, {'as of the day after' if dated else 'no date'}"
            lines.append(run(assistant, half, ids, dated).row(name))
    sizes = [len(s["outlets"]) for s in stories]
    lines += ["", f"Outlets per story (labels): median {statistics.median(sizes)}, max {max(sizes)}."]
    page = "\n".join(lines) + "\n"
    print(page)
    RESULTS.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
