"""Replay: a strong model's answers, some with planted errors, through the whole generative chain.

``tests/fixtures/replay/seed_replay.jsonl`` holds hand-written answers to questions about the seed article in
the style of a strong model (fluent paraphrases, merged sentences, ``[n]`` markers). Every sentence is labelled
``correct`` or with the error planted in it: ``wrong_date``, ``wrong_number``, ``wrong_speaker``, ``wrong_place``,
``negated``, ``unsourced_claim``, ``wrong_entity``. A sentence names the article text it rests on (``cite``:
exact substrings of the article; for a planted error, the text the wrong claim distorts or sits beside), and the
"model" cites the source that holds that text: the loopback OpenAI-compatible server (``tests/openai_stub.py``)
reads the ``<source id="n">`` tags of each request and answers with the right numbers, as a model reading its
sources would. Then the real chain parses the markers and runs the grounding check.

Counted per sentence: a correct sentence is *kept* when the answer keeps it (supported or weak), *lost* when it
is dropped or marked unsupported; a planted one is *caught* when dropped or marked unsupported, *passed* when
kept. Both are also counted over the sentences whose cited text retrieval put among the model's sources: the
hand-written answers cite article text chosen without knowing what the chain retrieves, and a sentence resting on
text the model was never shown is one no model reading its sources writes (dropping it is right; what lost it is
retrieval, not the check). Items are split once into tune and test halves by the SHA-1 parity of their id
(:func:`assistant.evaluate.questions.split_of`); thresholds are chosen on tune, CI gates on test
(``tests/test_replay.py``).

``tests/fixtures/replay/shared_replay.jsonl`` is the same over three articles of the shared RealTime QA pool
that no threshold was chosen on (written independently, 2026-12-04): each item names its ``article`` by
``doc_id`` and its cites are ``[start, end]`` offsets into that article's text, so no article text enters the
repository; the library is those three articles, read from ``../shared`` (the run stops with a message when it is
absent).

Usage::

    .venv/bin/python -m bench.replay [--out bench/results/replay.md] [--rows /tmp/replay_rows.jsonl]
    .venv/bin/python -m bench.replay --set tests/fixtures/replay/shared_replay.jsonl \
        --out bench/results/replay_shared.md
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.answering.assistant import Assistant
from assistant.core.errors import ConfigError
from assistant.core.sentences import sentence_spans
from assistant.core.settings import REPO_ROOT, Settings, apply_offline_env
from assistant.evaluate.library import shared_records
from assistant.evaluate.questions import split_of
from bench.report import publish

REPLAY = REPO_ROOT / "tests" / "fixtures" / "replay" / "seed_replay.jsonl"
SHARED_REPLAY = REPO_ROOT / "tests" / "fixtures" / "replay" / "shared_replay.jsonl"
SEED_ARTICLE = REPO_ROOT / "seeds" / "000_c8c58ef786186102.txt"
RESULTS = Path(__file__).resolve().parent / "results" / "replay.md"
CORRECT = "correct"
KINDS = ("wrong_date", "wrong_number", "wrong_speaker", "wrong_place", "negated", "unsourced_claim", "wrong_entity")
DROPPED = "dropped"
_SOURCE = re.compile(r'<source id="(\d+)"[^>]*>(.*?)</source>', re.S)
_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True, slots=True)
class ReplaySentence:
    label: str  # "correct" or one of KINDS
    text: str
    cite: tuple[str, ...]  # article text the sentence rests on


@dataclass(frozen=True, slots=True)
class ReplayItem:
    id: str
    question: str
    sentences: tuple[ReplaySentence, ...]
    article: str = ""  # a shared pool doc_id; "" for the seed article

    @property
    def half(self) -> str:
        return split_of(self.id)


@dataclass(frozen=True, slots=True)
class Outcome:
    item: str
    half: str
    label: str
    verdict: str  # supported | weak | unsupported | dropped
    text: str
    cited: tuple[int, ...]  # the numbers the "model" wrote
    support: float = 0.0  # the check's score of the kept sentence
    given: bool = True  # every text it cites was in a source the model was given (retrieval found it)

    @property
    def kept(self) -> bool:
        return self.verdict in ("supported", "weak")


def shared_articles(doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The shared pool's records of ``doc_ids`` (ConfigError when the pool or one of them is absent)."""
    return {doc_id: json.loads(line) for doc_id, line in shared_records(doc_ids, named_by="the replay set").items()}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(path: Path = REPLAY) -> list[ReplayItem]:
    """The replay set; each sentence must be one sentence to the splitter and each ``cite`` article text (a string
    of the seed article, or ``[start, end]`` offsets into the item's shared ``article``)."""
    records = _records(path)
    wanted = list(dict.fromkeys(r["article"] for r in records if r.get("article")))
    shared = shared_articles(wanted) if wanted else {}
    seed = SEED_ARTICLE.read_text(encoding="utf-8")
    items = []
    for record in records:
        article = shared[record["article"]]["text"] if record.get("article") else seed
        sentences = []
        for s in record["sentences"]:
            cite = tuple(c if isinstance(c, str) else article[c[0] : c[1]] for c in s["cite"])
            sentences.append(ReplaySentence(s["label"], s["text"], cite))
        for sentence in sentences:
            assert sentence.label == CORRECT or sentence.label in KINDS, sentence
            assert len(sentence_spans(sentence.text)) == 1, f"not one sentence: {sentence.text!r}"
            assert sentence.cite and all(c.strip() and c in article for c in sentence.cite), sentence.cite
        items.append(ReplayItem(record["id"], record["question"], tuple(sentences), record.get("article", "")))
    return items


def sources_of(request: dict[str, Any]) -> dict[int, str]:
    """The numbered sources of an answer request, as the model reads them."""
    system = " ".join(str(m.get("content", "")) for m in request.get("messages", []))
    return {int(n): body for n, body in _SOURCE.findall(system)}


def reply_for(item: ReplayItem, request: dict[str, Any]) -> tuple[str, list[tuple[int, ...]], list[bool]]:
    """The item's answer with markers naming the best-ranked source holding each cited text; those markers; and
    per sentence, whether every text it cites was in the sources.

    Text a sentence cites that no source holds is cited as [1] (the model had to cite something)."""
    sources = sources_of(request)
    parts, cited, given = [], [], []
    for sentence in item.sentences:
        numbers = tuple(dict.fromkeys(min((n for n, b in sources.items() if c in b), default=1) for c in sentence.cite))
        cited.append(numbers)
        given.append(all(any(c in b for b in sources.values()) for c in sentence.cite))
        body, stop = re.fullmatch(r"(.*?)([.!?]*)", sentence.text, re.S).groups()  # type: ignore[union-attr]
        parts.append(f"{body} {''.join(f'[{n}]' for n in numbers)}{stop}")
    return " ".join(parts), cited, given


def _bare(text: str) -> str:
    return re.sub(r"\s+([.!?,;:])", r"\1", re.sub(r"\s+", " ", _MARKER.sub("", text))).strip()


def replay(items: Iterable[ReplayItem], assistant: Assistant, state: Any) -> list[Outcome]:
    """Ask every item's question through ``assistant`` (generative, pointed at the stub whose ``state`` this is)."""
    outcomes: list[Outcome] = []
    for item in items:
        written: list[tuple[list[tuple[int, ...]], list[bool]]] = []  # the markers and the given flags

        def next_reply(
            item: ReplayItem = item, written: list[tuple[list[tuple[int, ...]], list[bool]]] = written
        ) -> str:
            text, cited, given = reply_for(item, state.requests[-1])
            written.append((cited, given))
            return text

        state.next_reply = next_reply
        answer = assistant.answer(item.question)
        assert len(written) == 1, f"{item.id}: the model was asked {len(written)} times"
        kept = {_bare(s.text): s for s in answer.sentences}
        for sentence, cited, given in zip(item.sentences, *written[0], strict=True):
            found = kept.get(_bare(sentence.text))
            verdict = (found.verdict or "supported") if found else DROPPED
            support = found.support if found else 0.0
            outcomes.append(Outcome(item.id, item.half, sentence.label, verdict, sentence.text, cited, support, given))
    return outcomes


def rates(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Share of correct sentences kept and of planted ones caught; ``kept_given`` and ``caught_given`` the same
    over the sentences whose cited text retrieval gave the model (a sentence resting on text the model was not
    shown is one no model reading its sources writes, and dropping it is right: it is the chain's retrieval, not
    the grounding check, that lost it)."""
    correct = [o for o in outcomes if o.label == CORRECT]
    planted = [o for o in outcomes if o.label != CORRECT]
    shown = [o for o in correct if o.given]
    planted_shown = [o for o in planted if o.given]
    return {
        "kept": sum(o.kept for o in correct) / max(len(correct), 1),
        "caught": sum(not o.kept for o in planted) / max(len(planted), 1),
        "kept_given": sum(o.kept for o in shown) / max(len(shown), 1),
        "caught_given": sum(not o.kept for o in planted_shown) / max(len(planted_shown), 1),
    }


@contextmanager
def seeded_assistant(
    url: str, home: Path | None = None, articles: Sequence[str] = (), **overrides: Any
) -> Iterator[Assistant]:
    """A generative assistant over the seed article, or over the shared ``articles`` (doc_ids) when given
    (ingested into ``home``, a temporary one by default)."""
    from assistant.models.chat import build_chat_model
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="attache-replay-") as tmp:
        # the model's own answers are what is measured: "what did X say" is not answered from the quotes view
        overrides = {"quote_answers": False, **overrides}
        settings = Settings(home=home or Path(tmp), llm_model="stub", openai_base_url=url, **overrides)
        embedder = build_embedder(settings)
        store = Store(settings, embedder)
        if store.count_chunks() == 0:
            paths = [SEED_ARTICLE]
            if articles:  # the shared records, written under the run's home (never into the repository)
                lines = shared_records(articles, named_by="the replay set")
                paths = [settings.home / "replay_articles.jsonl"]
                paths[0].write_text("".join(lines[a] for a in articles), encoding="utf-8")
            ingest_paths(paths, store, embedder, settings)
        yield Assistant(settings, store, embedder, build_chat_model(settings))


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f}%)" if n else "n/a"


def table(outcomes: Sequence[Outcome]) -> list[str]:
    halves = ("tune", "test", "all")
    pick = {h: [o for o in outcomes if h == "all" or o.half == h] for h in halves}
    lines = [
        "| half | correct | supported | weak | lost | **kept** | kept, cited text retrieved | planted | **caught** "
        "| caught, cited text retrieved | passed as weak | passed as ✓ |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for h in halves:
        correct = Counter(o.verdict for o in pick[h] if o.label == CORRECT)
        planted = Counter(o.verdict for o in pick[h] if o.label != CORRECT)
        n_c, n_p = sum(correct.values()), sum(planted.values())
        lost = correct["unsupported"] + correct[DROPPED]
        caught = planted["unsupported"] + planted[DROPPED]
        shown = [o for o in pick[h] if o.label == CORRECT and o.given]
        planted_shown = [o for o in pick[h] if o.label != CORRECT and o.given]
        lines.append(
            f"| {h} | {n_c} | {correct['supported']} | {correct['weak']} | {lost} | {_pct(n_c - lost, n_c)} "
            f"| {_pct(sum(o.kept for o in shown), len(shown))} | {n_p} | {_pct(caught, n_p)} "
            f"| {_pct(sum(not o.kept for o in planted_shown), len(planted_shown))} "
            f"| {planted['weak']} | {planted['supported']} |"
        )
    lines += ["", "Planted errors caught (dropped or marked unsupported), per kind:", ""]
    lines += ["| kind | tune | test | all |", "|---|---|---|---|"]
    for kind in KINDS:
        cells = []
        for h in halves:
            mine = [o for o in pick[h] if o.label == kind]
            cells.append(_pct(sum(not o.kept for o in mine), len(mine)))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    full = path.resolve()
    return str(full.relative_to(REPO_ROOT)) if full.is_relative_to(REPO_ROOT) else str(path)


def main() -> None:
    from tests.openai_stub import openai_stub

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=REPLAY)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rows", type=Path, help="write every sentence's outcome here (JSON lines)")
    args = parser.parse_args()
    apply_offline_env()
    try:
        items = load(args.set)
    except ConfigError as exc:  # a set over shared articles without ../shared
        raise SystemExit(f"skipped: {exc}") from exc
    articles = list(dict.fromkeys(item.article for item in items if item.article))
    with openai_stub() as (url, state), seeded_assistant(url, articles=articles) as assistant:
        outcomes = replay(items, assistant, state)
        grounding = assistant.settings.grounding
    if args.rows:
        args.rows.write_text("".join(json.dumps(asdict(o)) + "\n" for o in outcomes), encoding="utf-8")
    settings = ", ".join(f"{k} {v}" for k, v in grounding.model_dump().items())
    shown = _shown(args.set)
    reproduce = "" if args.set.resolve() == REPLAY else f" --set {shown} --out {_shown(args.out)}"
    lines = [
        "# Replay: a strong model's answers with planted errors, through the generative chain",
        "",
        f"Reproduce: `.venv/bin/python -m bench.replay{reproduce}`. Set: `{shown}`, "
        f"{len(items)} answers, {len(outcomes)} sentences"
        + (f" over the shared articles {', '.join(f'`{a}`' for a in articles)}" if articles else "")
        + "; halves by SHA-1 parity of the answer id. "
        f"Grounding settings: {settings}.",
        "",
        *table(outcomes),
        "",
        "A correct sentence is *kept* when the answer keeps it (✓ supported or weak); a planted one is *caught* when "
        "it is dropped or marked unsupported.",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
