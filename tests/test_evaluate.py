"""Metrics on tiny hand-computed cases; the runner, report and compare end to end."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import ConfigError
from assistant.core.types import Answer, Article, Chunk, Citation, Passage, Sentence
from assistant.evaluate.compare import compare, format_comparison
from assistant.evaluate.library import library_files
from assistant.evaluate.metrics import contains, normalise, score, summarise
from assistant.evaluate.questions import EvalQuestion, from_conversation, from_record, load_questions, split_of
from assistant.evaluate.report import write_report
from assistant.evaluate.runner import load_rows, run
from tests.conftest import SEEDS, SHARED, run_module

ARTICLE = Article(id="a1", title="Talks", text="Envoys met in Vienna on Monday. They agreed to meet again in May.")


def _passage(rank: int, start: int, end: int) -> Passage:
    chunk = Chunk(id=f"a1-{rank}", article_id="a1", text=ARTICLE.text[start:end], start=start, end=end)
    return Passage(chunk, 0.5, rank)


def _answer(text: str, passages: list[Passage], cites: list[tuple[int, int, int]], abstained: bool = False) -> Answer:
    by_rank = {p.rank: p for p in passages}
    citations = tuple(Citation(n, by_rank[n], ARTICLE.text[s:e], s, e) for n, s, e in cites)
    sentences = (Sentence(text, tuple(n for n, _, _ in cites)),)
    return Answer("q", text, citations, tuple(passages), sentences, abstained, "why" if abstained else "")


def _sentences(*texts: str) -> Answer:
    """An answer of these sentences, each citing the article's first sentence."""
    whole = _answer(" ".join(texts), [_passage(1, 0, 31)], [(1, 0, 31)])
    return replace(whole, sentences=tuple(Sentence(t, (1,)) for t in texts))


def _row(question: EvalQuestion, answer: Answer, **extra: Any) -> dict[str, Any]:
    return {
        "id": question.id,
        "answerable": question.answerable,
        "abstained": answer.abstained,
        "latency_ms": 10.0,
        "error": None,
        **score(question, answer, {"a1": ARTICLE}),
        **extra,
    }


def test_normalisation() -> None:
    assert normalise("“Open Lines”—of  Communication’s") == "open lines of communication s"
    assert contains("They met on June 16–21.", "june 16 21")
    assert contains("US$1.5 billion deal", "1.5 billion") and not contains("anything", "")


def test_score_hand_computed() -> None:
    q = EvalQuestion(id="q1", question="Where and when?", key_facts=("Vienna", "Monday", "Geneva"))
    passages = [_passage(1, 32, 66), _passage(2, 0, 31)]
    answer = _answer("Envoys met in Vienna on Monday [2].", passages, [(2, 0, 31)])
    row = score(q, answer, {"a1": ARTICLE})
    assert row["gold_rank"] == 2  # the first passage holding a key fact
    assert row["key_fact_recall"] == pytest.approx(2 / 3) and not row["passed"]
    assert (row["citations_exact"], row["citations_total"]) == (1, 1)
    assert (row["sentences_cited"], row["sentences_total"]) == (1, 1)


def test_an_answer_leads_when_its_first_sentence_states_a_key_fact() -> None:
    q = EvalQuestion(id="q1", question="Where did they meet?", key_facts=("Vienna",))
    leading = _sentences("Envoys met in Vienna on Monday [1].", "Talks went on [1].")
    trailing = _sentences("Talks went on [1].", "Envoys met in Vienna on Monday [1].")
    silent = _sentences("Talks went on [1].")
    assert score(q, leading, {"a1": ARTICLE})["leads"] is True
    assert score(q, trailing, {"a1": ARTICLE})["leads"] is False
    assert score(q, silent, {"a1": ARTICLE})["leads"] is None  # no key fact stated: not counted
    rows = [_row(q, leading), _row(q, trailing), _row(q, silent)]
    assert summarise(rows)["answer_leads"].value == 0.5 and summarise(rows)["answer_leads"].n == 2


def test_padding_an_answer_shows_in_its_share_of_sentences_with_a_fact_and_its_length() -> None:
    q = EvalQuestion(id="q1", question="Where did they meet?", key_facts=("Vienna",))
    short = _sentences("Envoys met in Vienna on Monday [1].")
    padded = _sentences("Envoys met in Vienna on Monday [1].", "Talks went on [1].", "They will meet again [1].")
    assert score(q, short, {"a1": ARTICLE})["fact_sentences"] == 1
    assert score(q, padded, {"a1": ARTICLE})["fact_sentences"] == 1
    assert score(q, padded, {"a1": ARTICLE})["answer_words"] == 16
    m = summarise([_row(q, short), _row(q, padded)], with_ci=False)
    assert m["answer_pass_rate"].value == 1.0  # both state the fact: the pass rate cannot tell them apart
    assert m["fact_sentence_rate"].value == pytest.approx(2 / 4) and m["fact_sentence_rate"].n == 4
    assert m["answer_words_p50"].value == pytest.approx((7 + 16) / 2)  # as the reader sees them
    refused = _answer("The sources don't say.", [_passage(1, 0, 31)], [], abstained=True)
    assert score(q, refused, {"a1": ARTICLE})["answer_words"] is None
    assert score(q, refused, {"a1": ARTICLE})["fact_sentences"] is None


def test_wrong_offsets_are_not_exact() -> None:
    q = EvalQuestion(id="q", question="?", key_facts=("Vienna",))
    p = _passage(1, 0, 31)
    bad = Answer("q", "x [1]", (Citation(1, p, "Envoys met", 1, 11),), (p,), (Sentence("x [1]", (1,)),))
    assert score(q, bad, {"a1": ARTICLE})["citations_exact"] == 0


def test_summary_empty_retrieval_all_abstain_and_error() -> None:
    answerable = EvalQuestion(id="a", question="?", key_facts=("Vienna",))
    must_abstain = EvalQuestion(id="b", question="?", answerable=False)
    empty = _answer("The sources don't say.", [], [], abstained=True)
    rows = [
        _row(answerable, empty),
        _row(must_abstain, empty),
        {"id": "c", "answerable": True, "abstained": False, "latency_ms": 1.0, "error": "Boom: x"},
    ]
    m = summarise(rows)
    assert m["retrieval_recall@5"].value == 0.0 and m["mrr"].value == 0.0
    assert m["key_fact_recall"].value == 0.0 and m["answer_pass_rate"].value == 0.0
    assert m["abstention_recall"].value == 1.0 and m["abstention_precision"].value == 0.5
    assert m["wrong_abstention_rate"].value == 1.0
    assert m["error_rate"].value == pytest.approx(1 / 3)
    assert m["choice_accuracy"].value is None and m["choice_accuracy"].fmt() == "n/a"
    assert m["citation_exact_rate"].value is None  # no citations at all: n/a, not NaN
    assert summarise(list(reversed(rows))) == m  # order never matters


def test_multiple_choice_and_realtimeqa_mapping() -> None:
    record = {
        "uid": "r1",
        "question": "Who?",
        "choices": ["Dr. Phil", "Dr. Oz"],
        "answer_index": 1,
        "answer_text": "Dr. Oz",
        "answer_in_retrieved_text": True,
        "as_of": "2022-06-10",
    }
    q = from_record(record)
    assert (q.id, q.key_facts, q.answer_index, str(q.as_of)) == ("r1", ("Dr. Oz",), 1, "2022-06-10")
    answer = _answer("Dr. Oz won [1].", [_passage(1, 0, 31)], [(1, 0, 31)])
    row = score(q, answer, {"a1": ARTICLE})
    assert row["chosen_option"] == 1 and row["choice_correct"] is True


def test_loaders_read_the_seed_and_shared_sets() -> None:
    seed = load_questions(SEEDS / "questions.jsonl")
    assert len(seed) >= 19 and sum(not q.answerable for q in seed) >= 4
    shared = SHARED / "diplomacy_questions.jsonl"
    if not shared.exists():
        pytest.skip(f"shared RealTime QA data not found at {shared}")
    questions = load_questions(shared)
    assert len(questions) == 186 and sum(q.answerable for q in questions) == 107


def test_runner_report_resume_and_compare(assistant: Any, tmp_path: Path) -> None:
    path = SEEDS / "questions.jsonl"
    questions = load_questions(path)[:6]
    out = tmp_path / "run"
    rows = run(assistant, questions, path, out, show_progress=False)
    assert [r["id"] for r in rows] == [q.id for q in questions]
    metrics = write_report(rows, out)
    md, page = (out / "report.md").read_text(), (out / "report.html").read_text()
    assert all(q.id in md and q.id in page for q in questions)
    assert "data:image/png;base64," in page and metrics["error_rate"].value == 0.0
    # resume: drop the last line as if the run had crashed; only that question is answered again
    lines = (out / "results.jsonl").read_text().splitlines()
    (out / "results.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    again = run(assistant, questions, path, out, show_progress=False)
    assert [r["id"] for r in again] == [q.id for q in questions]
    assert json.dumps(again[:-1]) == json.dumps(rows[:-1])
    deltas, flipped = compare(load_rows(out), load_rows(out))
    assert flipped == [] and all(d.a == d.b for d in deltas)


def test_compare_two_fixed_files(tmp_path: Path) -> None:
    base = {
        "answerable": True,
        "abstained": False,
        "latency_ms": 5.0,
        "error": None,
        "gold_rank": 1,
        "key_fact_recall": 1.0,
        "passed": True,
        "choice_correct": None,
        "citations_exact": 1,
        "citations_total": 1,
        "sentences_cited": 1,
        "sentences_total": 1,
        "key_facts": ["x"],
        "key_facts_found": ["x"],
        "abstain_reason": "",
    }
    a = [{**base, "id": f"q{i}"} for i in range(4)]
    b = [dict(r) for r in a]
    b[0].update(passed=False, key_fact_recall=0.0, key_facts_found=[])
    deltas, flipped = compare(a, b)
    by_name = {d.name: d for d in deltas}
    assert by_name["answer_pass_rate"].a == 1.0 and by_name["answer_pass_rate"].b == 0.75
    low, high = by_name["answer_pass_rate"].low, by_name["answer_pass_rate"].high
    assert low is not None and high is not None and low <= -0.25 <= high
    assert [f[0] for f in flipped] == ["q0"]
    assert "q0" in format_comparison(deltas, flipped)


def test_eval_cli_end_to_end(env_home: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "cli-run"
    questions = str(SEEDS / "questions.jsonl")
    done = run_module("assistant", "eval", questions, "--limit", "3", "--out", str(out), "--quiet", env=env_home)
    assert done.returncode == 0, done.stderr
    assert "answer_pass_rate" in done.stdout and (out / "report.html").exists()
    cmp = run_module("assistant", "eval", "compare", str(out), str(out), env=env_home)
    assert cmp.returncode == 0 and "Flipped questions: 0" in cmp.stdout


def test_min_key_facts_lets_a_summary_pass_with_some_facts() -> None:
    q = EvalQuestion(id="s1", question="Brief me.", key_facts=("Vienna", "Monday", "Geneva"), min_key_facts=2)
    answer = _answer("Envoys met in Vienna on Monday [2].", [_passage(2, 0, 31)], [(2, 0, 31)])
    assert q.required_facts == 2 and score(q, answer, {"a1": ARTICLE})["passed"]
    assert not score(replace(q, min_key_facts=None), answer, {"a1": ARTICLE})["passed"]


def test_split_is_fixed_by_id_and_keeps_a_conversation_whole() -> None:
    assert split_of("x-01") == split_of("x-01") and {split_of(f"q{i}") for i in range(20)} == {"tune", "test"}
    record = {"id": "conv-7", "as_of": "2023-06-16", "turns": [{"question": "Who went?"}, {"question": "And why?"}]}
    turns = from_conversation(record)
    assert [t.id for t in turns] == ["conv-7#1", "conv-7#2"] and [t.turn for t in turns] == [1, 2]
    assert {t.split for t in turns} == {split_of("conv-7")} and turns[1].as_of == date(2023, 6, 16)


def test_a_conversation_is_asked_in_order_and_scored_as_follow_ups(assistant: Any, tmp_path: Path) -> None:
    record = {
        "id": "conv-goals",
        "as_of": "2023-06-16",
        "turns": [
            {"question": "What were the stated goals of Blinken's trip?", "key_facts": ["open lines of communication"]},
            {"question": "What about the dates?", "key_facts": ["June 16 to 21"]},
            {"question": "Write me a poem about the sea.", "answerable": False},
        ],
    }
    path = tmp_path / "conversations.jsonl"
    path.write_text(json.dumps(record) + "\n")
    questions = load_questions(path)
    rows = run(assistant, questions, path, tmp_path / "run", show_progress=False)
    assert [r["turn"] for r in rows] == [1, 2, 3] and all(r["conversation"] == "conv-goals" for r in rows)
    assert "June" in rows[1]["query"] or "dates" in rows[1]["query"]  # asked as a follow-up, not alone
    assert assistant.history.list("local", search="poem about the sea") == []  # an eval run saves no history
    metrics = summarise(rows, with_ci=False)
    assert metrics["follow_up_correct"].n == 2


def test_library_file_names_the_seed_and_shared_articles(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    records = [{"doc_id": "d1", "title": "One", "text": "First."}, {"doc_id": "d2", "title": "Two", "text": "Second."}]
    pool.write_text("".join(json.dumps(r) + "\n" for r in records))
    library = tmp_path / "set.library.tsv"
    library.write_text("# id\tdate\nseed\t\nd2\t2024-01-02\tnews\tTwo\n")
    files = library_files(library, SEEDS, tmp_path / "work", pool=pool)
    assert files[0].parent == SEEDS and files[0].suffix == ".txt"
    assert [json.loads(line)["doc_id"] for line in files[-1].read_text().splitlines()] == ["d2"]
    library.write_text("d3\n")
    with pytest.raises(ConfigError, match="d3"):
        library_files(library, SEEDS, tmp_path / "work", pool=pool)
