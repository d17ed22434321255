"""Per-question scores and run-level metrics with bootstrap confidence intervals.

Definitions (aligned with Ragas / ALCE names; see docs/evaluation.md):

- ``retrieval_recall@k``: share of answerable questions whose gold evidence is in the top-k passages. Gold
  evidence is a passage of a gold article, or one containing a gold quote or the reference answer / a key fact
  (RealTime QA's "answer-bearing" passage). Ragas: context recall; here judged by string match, not an LLM.
- ``mrr``: mean reciprocal rank of the first gold passage (0 when none), over answerable questions.
- ``key_fact_recall``: mean share of key facts stated in the answer (normalised text match), answerable only;
  an abstention scores 0. Ragas: answer correctness (factual part), without a judge.
- ``answer_pass_rate``: share of answerable questions answered (not abstained), cited, with every key fact
  (a list or summary question: with at least its ``min_key_facts``).
- ``choice_accuracy``: multiple-choice sets only: the option the answer supports equals ``answer_index``.
- ``citation_exact_rate``: share of citations whose quote is exactly ``article.text[start:end]``.
- ``cited_sentence_rate``: share of answer sentences carrying at least one citation.
- ``citation_recall`` (ALCE): share of checked answer sentences the grounding check finds fully supported by
  their citations; ``citation_precision`` (ALCE): share of citations that support their sentence;
  ``groundedness``: share of (non-abstained) answers whose every sentence is supported (Ragas faithfulness,
  at answer level, judged by the checker instead of an LLM).
- ``abstention_recall``: share of must-abstain questions abstained on; ``abstention_precision``: share of
  abstentions that were on must-abstain questions; ``wrong_abstention_rate``: answerable questions abstained on.
- ``error_rate``: questions whose run raised (recorded with the error, never skipped).
- ``follow_up_correct``: conversation turns after the first that pass (answerable) or are refused (must-abstain).
- ``answer_leads``: share of answers stating a key fact whose first sentence states one (the answer leads with
  what answers, not with a lead-in), answerable only.
- ``fact_sentence_rate``: share of the sentences of answers to answerable questions that state a key fact (how much
  of an answer is its answer: longer answers find more key facts, and this falls as they pad).
- ``answer_words_p50``: median words of the answers given (not refusals).
- latency p50 / p95 of the whole answer, in ms.

A rate with no eligible question is ``None`` ("n/a"), never NaN. Intervals are percentile bootstrap (2,000
resamples, fixed seed) over questions, so a run's figures do not depend on question order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.core.types import Answer, Article
from assistant.evaluate.questions import EvalQuestion

Row = dict[str, Any]
K_VALUES = (1, 3, 5, 10)
BOOTSTRAP_SAMPLES = 2000


def normalise(text: str) -> str:
    """Lower case, unified quotes and dashes, punctuation as spaces, collapsed white space."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[–—-]", " ", text)
    text = re.sub(r"[^\w\s%$.]|(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(text.split())


def contains(haystack: str, needle: str) -> bool:
    return bool(needle.strip()) and normalise(needle) in normalise(haystack)


def _gold_rank(question: EvalQuestion, answer: Answer) -> int | None:
    """1-based rank of the first passage holding gold evidence."""
    needles = [*question.gold_quotes, *question.key_facts]
    if not needles and question.reference_answer:
        needles = [question.reference_answer]
    for passage in answer.passages:
        chunk = passage.chunk
        if chunk.article_id in question.gold_article_ids or any(contains(chunk.text, n) for n in needles):
            return passage.rank
    return None


def _chosen_option(question: EvalQuestion, answer: Answer) -> int | None:
    """The option the answer text states; failing that, the one the cited passages state."""
    if not question.choices or answer.abstained:
        return None
    for source in (answer.text, " ".join(c.passage.chunk.text for c in answer.citations)):
        found = [i for i, choice in enumerate(question.choices) if contains(source, choice)]
        if len(found) == 1:
            return found[0]
        if found:  # several: the longest match is the most specific
            return max(found, key=lambda i: len(question.choices[i]))
    return None


def score(question: EvalQuestion, answer: Answer, articles: dict[str, Article]) -> Row:
    """Everything measured about one answered question, as a JSON-ready dict."""
    facts = [f for f in question.key_facts if contains(answer.text, f)] if not answer.abstained else []
    rank = _gold_rank(question, answer)
    exact = [
        (c.passage.chunk.article_id in articles)
        and articles[c.passage.chunk.article_id].text[c.start : c.end] == c.quote
        for c in answer.citations
    ]
    sentences = [s for s in answer.sentences if s.text.strip()] if not answer.abstained else []
    chosen = _chosen_option(question, answer)
    fact_recall = len(facts) / len(question.key_facts) if question.key_facts else None
    return {
        "gold_rank": rank,
        "key_facts_found": facts,
        "key_fact_recall": fact_recall if not answer.abstained else (0.0 if question.key_facts else None),
        "passed": bool(
            question.answerable and not answer.abstained and answer.citations and len(facts) >= question.required_facts
        ),
        "chosen_option": chosen,
        "choice_correct": (chosen == question.answer_index) if question.choices else None,
        "citations_exact": sum(exact),
        "citations_total": len(exact),
        "sentences_cited": sum(1 for s in sentences if s.citations),
        "sentences_total": len(sentences),
        "sentences_checked": sum(1 for s in sentences if s.verdict),
        "sentences_supported": sum(1 for s in sentences if s.verdict == "supported"),
        "citations_checked": sum(1 for c in answer.citations if c.verdict),
        "citations_supported": sum(1 for c in answer.citations if c.verdict == "supported"),
        "grounded": (all(s.verdict == "supported" for s in sentences) if sentences and not answer.abstained else None),
        "leads": any(contains(sentences[0].text, f) for f in facts) if facts and sentences else None,
        "fact_sentences": (
            sum(1 for s in sentences if any(contains(s.text, f) for f in facts))
            if question.key_facts and sentences
            else None
        ),
        "answer_words": len(answer.text.split()) if not answer.abstained else None,
        "repaired_sentences": answer.repaired_sentences,
        "dropped_sentences": answer.dropped_sentences,
    }


@dataclass(frozen=True, slots=True)
class Metric:
    value: float | None
    low: float | None
    high: float | None
    n: int

    def fmt(self, percent: bool = True) -> str:
        if self.value is None:
            return "n/a"
        if not percent:
            ci = f" [{self.low:.3f}, {self.high:.3f}]" if self.low is not None else ""
            return f"{self.value:.3f}{ci}" if self.value <= 1 else f"{self.value:.0f}"
        ci = f" [{self.low:.1%}, {self.high:.1%}]" if self.low is not None else ""
        return f"{self.value:.1%}{ci}"


def _rate(values: list[float], with_ci: bool = True) -> Metric:
    """Mean of per-question values with a percentile-bootstrap 95 % interval (fixed seed)."""
    if not values:
        return Metric(None, None, None, 0)
    data = np.asarray(values, dtype=float)
    if not with_ci:
        return Metric(float(data.mean()), None, None, len(data))
    rng = np.random.default_rng(0)
    means = data[rng.integers(0, len(data), size=(BOOTSTRAP_SAMPLES, len(data)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Metric(float(data.mean()), float(low), float(high), len(data))


def _ok(rows: list[Row]) -> list[Row]:
    return [r for r in rows if not r.get("error")]


def summarise(rows: list[Row], with_ci: bool = True) -> dict[str, Metric]:
    """Run-level metrics from result rows (sorted by id first: order never matters)."""
    rate = functools.partial(_rate, with_ci=with_ci)
    pooled = functools.partial(_pooled, with_ci=with_ci)
    rows = sorted(rows, key=lambda r: str(r["id"]))
    done = _ok(rows)
    answerable = [r for r in done if r["answerable"]]
    must_abstain = [r for r in done if not r["answerable"]]
    abstained = [r for r in done if r["abstained"]]
    metrics: dict[str, Metric] = {}
    for k in K_VALUES:
        metrics[f"retrieval_recall@{k}"] = rate(
            [float(r["gold_rank"] is not None and r["gold_rank"] <= k) for r in answerable]
        )
    metrics["mrr"] = rate([1.0 / r["gold_rank"] if r["gold_rank"] else 0.0 for r in answerable])
    metrics["key_fact_recall"] = rate([r["key_fact_recall"] for r in answerable if r["key_fact_recall"] is not None])
    metrics["answer_pass_rate"] = rate([float(r["passed"]) for r in answerable])
    metrics["choice_accuracy"] = rate([float(r["choice_correct"]) for r in done if r["choice_correct"] is not None])
    metrics["citation_exact_rate"] = pooled(done, "citations_exact", "citations_total")
    metrics["cited_sentence_rate"] = pooled(done, "sentences_cited", "sentences_total")
    metrics["citation_recall"] = pooled(done, "sentences_supported", "sentences_checked")
    metrics["citation_precision"] = pooled(done, "citations_supported", "citations_checked")
    metrics["groundedness"] = rate([float(r["grounded"]) for r in done if r.get("grounded") is not None])
    metrics["abstention_recall"] = rate([float(r["abstained"]) for r in must_abstain])
    metrics["abstention_precision"] = rate([float(not r["answerable"]) for r in abstained])
    metrics["wrong_abstention_rate"] = rate([float(r["abstained"]) for r in answerable])
    metrics["answer_leads"] = rate([float(r["leads"]) for r in answerable if r.get("leads") is not None])
    with_facts = [r for r in answerable if r.get("fact_sentences") is not None]
    metrics["fact_sentence_rate"] = pooled(with_facts, "fact_sentences", "sentences_total")
    metrics["error_rate"] = rate([float(bool(r.get("error"))) for r in rows])
    if follow_ups := [r for r in done if (r.get("turn") or 0) > 1]:
        correct = [float(r["passed"] if r["answerable"] else r["abstained"]) for r in follow_ups]
        metrics["follow_up_correct"] = rate(correct)
    words = [float(r["answer_words"]) for r in done if r.get("answer_words") is not None]
    metrics["answer_words_p50"] = Metric(float(np.percentile(words, 50)) if words else None, None, None, len(words))
    latencies = [float(r["latency_ms"]) for r in done]
    for name, q in (("latency_p50_ms", 50), ("latency_p95_ms", 95)):
        value = float(np.percentile(latencies, q)) if latencies else None
        metrics[name] = Metric(value, None, None, len(latencies))
    return metrics


def _pooled(rows: list[Row], part: str, whole: str, with_ci: bool = True) -> Metric:
    """A ratio of counts pooled over questions, bootstrapped by question."""
    eligible = [r for r in rows if r.get(whole)]
    if not eligible:
        return Metric(None, None, None, 0)
    parts = np.array([r[part] for r in eligible], dtype=float)
    wholes = np.array([r[whole] for r in eligible], dtype=float)
    if not with_ci:
        return Metric(float(parts.sum() / wholes.sum()), None, None, int(wholes.sum()))
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(eligible), size=(BOOTSTRAP_SAMPLES, len(eligible)))
    ratios = parts[idx].sum(axis=1) / wholes[idx].sum(axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return Metric(float(parts.sum() / wholes.sum()), float(low), float(high), int(wholes.sum()))


rate = _rate
