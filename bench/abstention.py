"""Honest abstention on the shared diplomacy set: answerable questions vs. questions whose answer was removed.

Usage::

    .venv/bin/python -m bench.abstention --home /tmp/rtqa_home     # a home holding the 1,304 articles
    .venv/bin/python -m bench.abstention                           # ingests into bench/cache/ first

RealTime QA's ``answer_in_retrieved_text = false`` is not a must-abstain label in Attaché's setting: the
library pools every question's articles, and for 60 of those 79 questions the gold answer string occurs
in some article of the pool. So this benchmark builds must-abstain questions the way RGB's "negative
rejection" does (Chen et al., 2024): a seeded sample of 60 answerable questions is split in two; the
first 30 are asked against the full library, each of the other 30 with a filter that leaves out every
article stating its answer (the normalised answer string, or, for a multi-word name, its last word; an
answer that is a country is also stated by its adjective or capital: "British" states "United Kingdom").
Reported: abstention on the redacted 30, wrong abstentions on the full 30, and the grounding figures of
all answers (citation recall / precision, groundedness), with the default backend. Writes
``bench/results/abstention.md``.
"""

from __future__ import annotations

import json
import logging
import random
import re
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from assistant.answering.assistant import Assistant
from assistant.core.gazetteer import countries_in, without_countries
from assistant.core.settings import Settings, apply_offline_env
from assistant.core.types import Article, Filters
from assistant.evaluate.metrics import Row, normalise, score, summarise
from assistant.evaluate.questions import EvalQuestion, from_record
from assistant.evaluate.runner import answer_row
from assistant.models.embedders import build_embedder
from assistant.store.chroma import Store
from bench.report import publish
from bench.retrieval import CACHE, data_arguments, open_store

RESULTS = Path(__file__).resolve().parent / "results" / "abstention.md"
SAMPLE = 60
SEED = 20261201


def evidence_terms(answer: str) -> list[str]:
    """What marks an article as stating ``answer``: the answer itself, and a multi-word name's last word."""
    terms = [normalise(answer)]
    words = answer.split()
    if len(words) >= 2 and words[-1][:1].isupper() and len(re.sub(r"\W", "", words[-1])) >= 4:
        terms.append(normalise(words[-1]))
    return [t for t in terms if t]


def states(article_text: str, terms: list[str]) -> bool:
    text = f" {normalise(article_text)} "
    return any(f" {t} " in text for t in terms)


def answer_countries(answer: str) -> set[int]:
    """The countries an answer consists of ("United Kingdom", "Russia and China"); empty when it says more.

    An article naming all of them in any form states the answer: "British" states "United Kingdom".
    "Ukrainian President Volodymyr Zelensky" is a person, so articles that merely name Ukraine stay.
    """
    found = countries_in(answer)
    rest = without_countries(answer)
    leftover = [w for w in re.findall(r"[A-Za-z]+", rest) if w.lower() not in {"and", "the", "of"}]
    return found if found and not leftover else set()


def sample(path: Path) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [r for r in records if r.get("answer_in_retrieved_text")]
    random.Random(SEED).shuffle(answerable)
    chosen = answerable[:SAMPLE]
    full = [from_record(r) for r in chosen[: SAMPLE // 2]]
    gone = [replace(from_record(r), answerable=False) for r in chosen[SAMPLE // 2 :]]
    return full, gone


def redaction(q: EvalQuestion, articles: dict[str, Article]) -> Filters | None:
    """For a must-abstain question, the filter that leaves out every article stating its answer."""
    if q.answerable:
        return None
    terms = evidence_terms(q.reference_answer)
    countries = answer_countries(q.reference_answer)

    def stating(a: Article) -> bool:
        text = f"{a.title}\n{a.text}"
        return states(text, terms) or bool(countries and countries <= countries_in(text))

    return Filters(article_ids=tuple(aid for aid, a in articles.items() if not stating(a)))


def answer_all(bot: Assistant, full: list[EvalQuestion], gone: list[EvalQuestion]) -> tuple[list[Row], list[int]]:
    """Rows for every question; a must-abstain one is asked with its answer's articles filtered out."""
    articles = {a.id: a for a, _ in bot.store.list_articles()}
    rows: list[Row] = []
    removed: list[int] = []
    for i, q in enumerate([*full, *gone], start=1):
        filters = redaction(q, articles)
        if filters is not None:
            removed.append(len(articles) - len(filters.article_ids))
        answer = bot.answer(q.question, filters=filters, as_of=q.as_of)
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "answerable": q.answerable,
                **answer_row(answer),
                **score(q, answer, articles),
                "error": None,
            }
        )
        print(f"\ranswered {i}/{len(full) + len(gone)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows, removed


def main() -> None:
    parser = data_arguments(__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rows", type=Path, help="also write every answer as JSONL here (outside the repo)")
    args = parser.parse_args()
    if not args.questions.exists() or not args.articles.exists():
        sys.exit(f"shared data not found ({args.questions}); skipping the abstention benchmark")
    apply_offline_env()
    logging.basicConfig(level=logging.WARNING)
    home = args.home or CACHE / f"retrieval-{args.articles.stem}"
    embedder = build_embedder(Settings())
    open_store(home, args.articles, embedder)
    full, gone = sample(args.questions)
    settings = Settings(home=home)
    bot = Assistant(settings, Store(settings, embedder), embedder)
    rows, removed = answer_all(bot, full, gone)
    if args.rows:
        args.rows.write_text("\n".join(json.dumps(r, default=str) for r in rows) + "\n", encoding="utf-8")
    metrics = summarise(rows)
    wanted = [
        "abstention_recall",
        "wrong_abstention_rate",
        "answer_pass_rate",
        "citation_recall",
        "citation_precision",
        "groundedness",
        "citation_exact_rate",
    ]
    lines = [
        "# Abstention: answerable vs. answer-removed questions (shared diplomacy set)",
        "",
        f"Reproduce: `.venv/bin/python -m bench.abstention {' '.join(sys.argv[1:])}`. Sample: {SAMPLE} answerable "
        f"questions (seed {SEED}); {len(full)} asked against the full library, {len(gone)} each with the articles "
        f"stating its answer filtered out (median {statistics.median(removed):.0f} of {bot.store.count_articles()} "
        f"articles). Default backend ({settings.resolved_backend}), embedder {embedder.name}, "
        f"abstain_min_answerability {settings.answering.abstain_min_answerability} (the environment's settings: "
        "`ATTACHE_EMBED_BACKEND`, `ATTACHE_ABSTAIN_MIN_ANSWERABILITY`).",
        "",
        "| metric | value [95% CI] |",
        "|---|---|",
        *(f"| {name} | {metrics[name].fmt()} |" for name in wanted if name in metrics),
        "",
        "Must-abstain questions answered anyway:",
        "",
        ", ".join(f"`{r['id']}`" for r in rows if r["answerable"] is False and not r["abstained"]) or "none",
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
