"""Run a question set through the same ``Assistant`` users get; one JSON line per question.

Resumable: ``results.jsonl`` is appended and flushed question by question; a re-run with the same
configuration skips questions already answered and re-runs those whose run raised. A question whose
run raises is recorded with its error, never skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.answering.assistant import Assistant, Conversation
from assistant.core.types import Answer, Article
from assistant.evaluate.metrics import Row, score
from assistant.evaluate.questions import EvalQuestion
from assistant.models.chat import shown_url

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
RUN_INFO = "run.json"


def config_fingerprint(assistant: Assistant, questions_path: Path) -> dict[str, Any]:
    """What determines the results: settings (not paths), the question file, the store's size."""
    settings = assistant.settings.flat()
    for place in ("home", "models_dir", "seeds_dir", "host", "port"):
        del settings[place]
    for name, value in settings.items():  # keys are masked by SecretStr; URLs can carry them too
        if name.endswith("_url") and isinstance(value, str) and value:
            settings[name] = shown_url(value)
    questions_digest = hashlib.sha1(questions_path.read_bytes()).hexdigest()
    store = {"articles": assistant.store.count_articles(), "chunks": assistant.store.count_chunks()}
    payload = {
        "settings": settings,
        "questions_sha1": questions_digest,
        "store": store,
        "embedder": assistant.embedder.name,
        "backend": assistant.backend_label,
    }
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]
    return {**payload, "config_hash": digest}


def answer_row(answer: Answer) -> dict[str, Any]:
    return {
        "answer": answer.text,
        "query": answer.query,
        "abstained": answer.abstained,
        "abstain_reason": answer.abstain_reason,
        "refusal_rule": answer.refusal_rule,
        "citations": [
            {
                "number": c.number,
                "article_id": c.passage.chunk.article_id,
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
            }
            for c in answer.citations
        ],
        "sentences": [
            {
                "text": s.text,
                "citations": list(s.citations),
                "verdict": s.verdict,
                "support": s.support,
                "answers": s.answers,
            }
            for s in answer.sentences
        ],
        "passages": [
            {
                "rank": p.rank,
                "chunk_id": p.chunk.id,
                "article_id": p.chunk.article_id,
                "title": p.chunk.title,
                "score": round(p.score, 4),
            }
            for p in answer.passages
        ],
        "latency_ms": round(answer.timings.get("total_ms", 0.0), 2),
    }


def run_one(
    assistant: Assistant, question: EvalQuestion, articles: dict[str, Article], chat: Conversation | None = None
) -> Row:
    """One question (in ``chat``, a turn of a conversation), answered and scored; an error is recorded."""
    base: Row = {k: v for k, v in asdict(question).items() if k not in ("as_of",)}
    base["as_of"] = question.as_of.isoformat() if question.as_of else None
    base["split"] = question.split
    started = time.perf_counter()
    try:
        if chat is not None:
            answer = chat.ask(question.question, as_of=question.as_of)
        else:
            answer = assistant.answer(question.question, as_of=question.as_of)
        for citation in answer.citations:
            aid = citation.passage.chunk.article_id
            if aid not in articles and (found := assistant.store.get_article(aid)) is not None:
                articles[aid] = found
        return {**base, **answer_row(answer), **score(question, answer, articles), "error": None}
    except Exception as exc:  # recorded, never skipped: a run that raised is a failure with its error
        log.warning("question %s raised: %s", question.id, exc)
        return {
            **base,
            "answer": "",
            "abstained": False,
            "abstain_reason": "",
            "citations": [],
            "passages": [],
            "latency_ms": (time.perf_counter() - started) * 1000,
            "error": f"{type(exc).__name__}: {exc}",
        }


def _previous(out: Path, config_hash: str) -> dict[str, Row]:
    info, results = out / RUN_INFO, out / RESULTS
    if not info.exists() or not results.exists():
        return {}
    if json.loads(info.read_text()).get("config_hash") != config_hash:
        log.warning("%s holds a run with another configuration: starting afresh", out)
        return {}
    rows = {}
    for line in results.read_text().splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash
        if not row.get("error"):
            rows[row["id"]] = row
    return rows


def run(
    assistant: Assistant,
    questions: list[EvalQuestion],
    questions_path: Path,
    out: Path,
    show_progress: bool = True,
) -> list[Row]:
    """Answer every question (resuming a partial run in ``out``); returns rows in question order."""
    out.mkdir(parents=True, exist_ok=True)
    fingerprint = config_fingerprint(assistant, questions_path)
    done = _previous(out, fingerprint["config_hash"])
    (out / RUN_INFO).write_text(json.dumps({**fingerprint, "questions": str(questions_path)}, indent=2))
    articles: dict[str, Article] = {}
    # a conversation is asked whole: one unfinished turn re-runs all of it (later turns need the earlier answers)
    unfinished = {q.conversation for q in questions if q.conversation and q.id not in done}
    done = {k: row for k, row in done.items() if row.get("conversation") not in unfinished}
    rows: dict[str, Row] = dict(done)
    todo = [q for q in questions if q.id not in done]
    chats: dict[str, Conversation] = {}
    with (out / RESULTS).open("w", encoding="utf-8") as handle:
        for row in done.values():
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        bar = tqdm(todo, unit="q", disable=not show_progress, file=sys.stderr, desc="eval", dynamic_ncols=True)
        for question in bar:
            # save=False: an evaluation run never fills the user's conversation history
            chat = (
                chats.setdefault(question.conversation, assistant.conversation(save=False))
                if question.conversation
                else None
            )
            row = run_one(assistant, question, articles, chat)
            rows[question.id] = row
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
    ordered = [rows[q.id] for q in questions]
    (out / RESULTS).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ordered), encoding="utf-8")
    return ordered


def load_rows(out: Path) -> list[Row]:
    path = out / RESULTS if out.is_dir() else out
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
