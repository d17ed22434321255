"""``report.md`` and a self-contained ``report.html`` (plots inlined) for one run."""

from __future__ import annotations

import base64
import html
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.evaluate.metrics import Metric, Row, rate, summarise

RATE_METRICS = (
    "retrieval_recall@1", "retrieval_recall@5", "mrr", "key_fact_recall", "answer_pass_rate", "choice_accuracy",
    "citation_exact_rate", "cited_sentence_rate", "citation_recall", "citation_precision", "groundedness",
    "abstention_recall", "abstention_precision",
    "wrong_abstention_rate", "error_rate",
)  # fmt: skip


# metrics that are not rates: shown as numbers, not percentages
PLAIN = ("latency", "mrr", "answer_words")


def summary_table(metrics: dict[str, Metric]) -> list[tuple[str, str, int]]:
    return [(name, m.fmt(percent=not name.startswith(PLAIN)), m.n) for name, m in metrics.items()]


def format_halves(rows: list[Row], halves: list[str]) -> str:
    """The metrics of each half of a split set side by side (no intervals), as a Markdown table."""
    tables = {half: summarise([r for r in rows if r.get("split") == half], with_ci=False) for half in halves}
    names = list(next(iter(tables.values())))
    lines = ["", "| metric | " + " | ".join(halves) + " |", "|---|" + "---|" * len(halves)]
    for name in names:
        cells = []
        for half in halves:
            metric = tables[half].get(name)
            cells.append(f"{metric.fmt(percent=not name.startswith(PLAIN))} ({metric.n})" if metric else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(row: Row) -> str:
    """Why a question passed or failed, in a few words."""
    if row.get("error"):
        return f"ERROR {row['error']}"
    if not row["answerable"]:
        return "pass: abstained" if row["abstained"] else "FAIL: answered a must-abstain question"
    if row["abstained"]:
        return f"FAIL: abstained ({row['abstain_reason']})"
    missing = [f for f in row["key_facts"] if f not in row["key_facts_found"]]
    if missing:
        return "FAIL: missing " + "; ".join(missing)
    return "pass" if row["passed"] else "FAIL: no citation"


def by_type(rows: list[Row]) -> dict[str, Metric]:
    groups: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        ok = verdict(row).startswith("pass")
        groups[row.get("type") or "untyped"].append(float(ok))
    return {name: rate(values) for name, values in sorted(groups.items())}


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plots(metrics: dict[str, Metric], rows: list[Row]) -> dict[str, str]:
    """Base64 PNGs: metric bars with CIs, latency histogram, pass rate per question type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, str] = {}
    shown = [(n, metrics[n]) for n in RATE_METRICS if metrics[n].value is not None]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(shown) + 1))
    values = [m.value or 0.0 for _, m in shown]
    errors = [
        [v - (m.low or v) for v, (_, m) in zip(values, shown, strict=True)],
        [(m.high or v) - v for v, (_, m) in zip(values, shown, strict=True)],
    ]
    ax.barh([n for n, _ in shown], values, xerr=errors, color="#4f7cac", capsize=3)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_title("Metrics (95% bootstrap CI)")
    out["metrics"] = _png(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.hist([r["latency_ms"] for r in rows if not r.get("error")] or [0], bins=30, color="#6a994e")
    ax.set_xlabel("answer latency (ms)")
    ax.set_title("Latency")
    out["latency"] = _png(fig)
    plt.close(fig)
    types = by_type(rows)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(types) + 1))
    ax.barh(list(types), [m.value or 0.0 for m in types.values()], color="#bc4749")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_title("Pass rate by question type")
    out["types"] = _png(fig)
    plt.close(fig)
    return out


def _markdown(title: str, metrics: dict[str, Metric], rows: list[Row]) -> str:
    lines = [f"# {title}", "", "| metric | value [95% CI] | n |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {n} |" for name, value, n in summary_table(metrics)]
    lines += ["", "## By question type", "", "| type | pass rate | n |", "|---|---|---|"]
    lines += [f"| {name} | {m.fmt()} | {m.n} |" for name, m in by_type(rows).items()]
    lines += [
        "",
        "## Questions",
        "",
        "| id | question | answer | citations | sentence verdicts | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        answer, n_cited = row["answer"][:300], str(len(row["citations"]))
        cells = [row["id"], row["question"], answer, n_cited, sentence_verdicts(row), verdict(row)]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def sentence_verdicts(row: Row) -> str:
    """Per-sentence grounding verdicts, compact: "supported, supported, weak"."""
    return ", ".join(s.get("verdict") or "unchecked" for s in row.get("sentences", [])) if not row["abstained"] else ""


def _citations_html(row: Row) -> str:
    return "<br>".join(html.escape(f"[{c['number']}] {c['quote'][:160]}") for c in row["citations"])


def _html(title: str, metrics: dict[str, Metric], rows: list[Row], images: dict[str, str]) -> str:
    esc = html.escape
    table = "".join(f"<tr><td>{esc(n)}</td><td>{esc(v)}</td><td>{k}</td></tr>" for n, v, k in summary_table(metrics))
    questions = "".join(
        f"<tr class='{'ok' if verdict(r).startswith('pass') else 'bad'}'><td>{esc(r['id'])}</td>"
        f"<td>{esc(r['question'])}</td><td>{esc(r['answer'])}</td><td>{_citations_html(r)}</td>"
        f"<td>{esc(sentence_verdicts(r))}</td><td>{esc(verdict(r))}</td></tr>"
        for r in rows
    )
    figures = "".join(f"<img alt='{esc(k)}' src='data:image/png;base64,{v}'>" for k, v in images.items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{esc(title)}</title><style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}} table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ddd;padding:4px 6px;vertical-align:top;font-size:0.9em}} tr.bad td:last-child{{color:#b00}}
img{{max-width:48%;margin:4px}}</style></head><body><h1>{esc(title)}</h1>
<h2>Summary</h2><table><tr><th>metric</th><th>value [95% CI]</th><th>n</th></tr>{table}</table>
<h2>Plots</h2>{figures}
<h2>Questions</h2><table><tr><th>id</th><th>question</th><th>answer</th><th>citations</th><th>sentence verdicts</th>
<th>result</th></tr>
{questions}</table></body></html>"""


def write_report(rows: list[Row], out: Path, title: str = "Attaché evaluation") -> dict[str, Metric]:
    metrics = summarise(rows)
    (out / "report.md").write_text(_markdown(title, metrics, rows), encoding="utf-8")
    (out / "report.html").write_text(_html(title, metrics, rows, plots(metrics, rows)), encoding="utf-8")
    return metrics
