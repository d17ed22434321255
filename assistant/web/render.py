"""HTML and Markdown for the chat: messages, source cards, the export, the settings table. No gradio here.

Everything that comes from an article or a model (titles, passages, quotes, URLs, answer text) is
HTML-escaped before it reaches the page: the sources panel is raw HTML, and the chat's sanitiser is
a second line of defence, not the first. Links to originals are kept only for http(s) URLs.

Citation anchors: a marker ``[n]`` of turn ``t`` links to ``#cite-t-n``; the card it points at carries
``data-cite="t-n"`` (and ``id="source-n"`` in the latest turn, ``source-t-n`` in earlier ones).
:data:`assistant.web.assets.CITE_JS` turns a click on the marker into "open, scroll to and highlight that card".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assistant.answering.conversation import Turn
from assistant.core.errors import AttacheError, BackendError, StoreError
from assistant.core.types import Answer, Chunk, Citation, Filters, Passage, Sentence

if TYPE_CHECKING:
    from assistant.answering.assistant import Assistant

COLLAPSE_CHARS = 700  # passages longer than this fold into <details>
PREVIEW_CHARS = 220
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_MD_INLINE = re.compile(r"([\\`*_\[\]~|$])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))", re.M)
BADGES = {
    "supported": ("✓", "supported by its source"),
    "weak": ("≈", "weakly supported: check the source"),
    "unsupported": ("✗", "not supported by the cited source"),
}


@dataclass(frozen=True, slots=True)
class ChatTurn(Turn):
    """A turn as the chat keeps it: the assistant's :class:`Turn` plus what the page shows of it.

    ``result`` is ``None`` when the turn failed (``error`` says why); failed turns are shown but never
    passed to the assistant as history.
    """

    result: Answer | None = None
    filters: Filters | None = None
    error: str = ""


# -- text -------------------------------------------------------------------------------------


def md_text(text: str) -> str:
    """Untrusted text for a Markdown message: HTML-escaped, Markdown syntax neutralised."""
    escaped = _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    return _MD_LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    """Headings, quotes and bullets lose their meaning with a backslash before the mark; "1." with one after it."""
    lead, mark = match.group(1), match.group(2)
    return lead + (mark + "\\" if mark[0].isdigit() else "\\" + mark)


def _cite_link(turn: int, number: int) -> str:
    return f'<a class="attache-cite" href="#cite-{turn}-{number}" title="show source {number}">[{number}]</a>'


def with_marker_links(text: str, turn: int, known: Iterable[int]) -> str:
    """``text`` escaped, with every ``[n]`` that names a known source turned into a link to its card."""
    numbers = set(known)
    out, cursor = [], 0
    for match in _MARKER.finditer(text):
        found = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        if not all(n in numbers for n in found):
            continue
        out.append(md_text(text[cursor : match.start()]))
        out.append("".join(_cite_link(turn, n) for n in found))
        cursor = match.end()
    out.append(md_text(text[cursor:]))
    return "".join(out)


# How likely a sentence answers the question (``Sentence.answers``), apart from whether it matches its source:
# (lower bound, css class, label shown, meaning). Only a likely answer gets a visible label (on the test half of
# seeds/eval, 88% of such sentences held a key fact); the others say their estimate in the mark's tooltip, since
# the estimate is too coarse to label a sentence "unrelated" (bench/training/results/answer_confidence.md).
ANSWERS = (
    (0.6, "likely", "answers", "likely answers the question"),
    (0.3, "maybe", "", "may answer the question: check the source"),
    (0.0, "related", "", "on the topic; may not answer the question itself"),
)


def answers_level(answers: float) -> tuple[str, str, str]:
    """(css class, label, meaning) of an ``answers`` probability."""
    for floor, css, label, meaning in ANSWERS:
        if answers >= floor:
            return css, label, meaning
    return ANSWERS[-1][1:]


def _badge(sentence: Sentence, answered: bool) -> str:
    if sentence.verdict in BADGES:
        symbol, meaning = BADGES[sentence.verdict]
        tip = f"grounding: {meaning} (support {sentence.support:.2f})"
        mark = f' <span class="attache-badge {sentence.verdict}" title="{tip}">{symbol}</span>'
        if sentence.answers is None or not answered:
            return mark
        css, label, says = answers_level(sentence.answers)
        tip = f"{says} (estimated {sentence.answers:.0%}); {tip}"
        mark = f' <span class="attache-badge {sentence.verdict}" title="{tip}">{symbol}</span>'
        return mark + (f'<span class="attache-answers {css}" title="{tip}">{label}</span>' if label else "")
    if answered and not sentence.citations:  # only a model's answer can have one
        return ' <span class="attache-badge uncited" title="this sentence cites no source">no source</span>'
    return ""


def outlets_chip(sentence: Sentence) -> str:
    """ "2 outlets": how many outlets among the sources say what the sentence says (names in the tooltip)."""
    if not sentence.outlets:
        return ""
    n = len(sentence.outlets)
    names = html.escape(", ".join(sentence.outlets), quote=True)
    label = f"{n} outlet" + ("s" if n > 1 else "")
    return f'<span class="attache-answers outlets" title="reported by {names}">{label}</span>'


def answer_body(answer: Answer, turn: int) -> str:
    """The answer text with linked markers and, after each checked sentence, its grounding badge and how many
    outlets report it."""
    known = [p.rank for p in answer.passages]
    out, cursor = [], 0
    for sentence in answer.sentences:
        badge = _badge(sentence, not answer.abstained)
        badge += outlets_chip(sentence) if not answer.abstained else ""
        at = answer.text.find(sentence.text, cursor) if badge else -1
        if at < 0:
            continue
        end = at + len(sentence.text)
        out.append(with_marker_links(answer.text[cursor:end], turn, known) + badge)
        cursor = end
    out.append(with_marker_links(answer.text[cursor:], turn, known))
    return "".join(out)


def scope_notes(answer: Answer, filters: Filters | None) -> list[str]:
    """The discreet line under an answer: rewritten query, date window, filters, as-of day, dropped markers."""
    notes = []
    if answer.query and answer.query != " ".join(answer.question.split()):
        notes.append(f"searched for: {answer.query}")
    if answer.date_window is not None:
        notes.append(f"dates: {answer.date_window.label()}")
    if filters is not None and filters.outlets:
        notes.append("outlets: " + ", ".join(filters.outlets))
    if filters is not None and (filters.date_from or filters.date_to):
        notes.append(f"published {filters.date_from or '…'} – {filters.date_to or '…'}")
    if answer.as_of is not None:
        notes.append(f"as of {answer.as_of.isoformat()}")
    if answer.dropped_markers:
        notes.append(f"{answer.dropped_markers} citation marker(s) pointed nowhere and were dropped")
    return notes


def answer_message(turn: ChatTurn, number: int) -> str:
    """The chat message for a finished turn (or its error)."""
    if turn.result is None:
        return f"⚠️ {md_text(turn.error)}"
    body = answer_body(turn.result, number)
    notes = scope_notes(turn.result, turn.filters)
    if notes:
        body += '\n\n<sub class="attache-meta">' + md_text(" · ".join(notes)) + "</sub>"
    return body


# -- sources panel ----------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """``url`` when it is a plain http(s) address, else "" (javascript:, data:, relative, odd spacing)."""
    parts = urlsplit(url)
    ok = url == url.strip() and parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)
    return url if ok and not any(c.isspace() or ord(c) < 32 for c in url) else ""


def _highlighted(passage: Passage, citations: Sequence[Citation]) -> str:
    """The passage text, escaped, with each cited quote (article offsets) wrapped in <mark>."""
    chunk = passage.chunk
    spans = sorted({(max(c.start, chunk.start) - chunk.start, min(c.end, chunk.end) - chunk.start) for c in citations})
    out, cursor = [], 0
    for start, end in spans:
        if start < cursor or end <= start:
            continue
        out.append(html.escape(chunk.text[cursor:start]))
        out.append(f"<mark>{html.escape(chunk.text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(chunk.text[cursor:]))
    return "".join(out)


def _passage_html(passage: Passage, citations: Sequence[Citation]) -> str:
    body = _highlighted(passage, citations)
    text = passage.chunk.text
    if len(text) <= COLLAPSE_CHARS:
        return f'<div class="attache-passage">{body}</div>'
    preview = html.escape(" ".join(text[:PREVIEW_CHARS].split())) + "…"
    state = " open" if citations else ""
    return (
        f'<details class="attache-passage"{state}><summary><span class="attache-preview">{preview}</span></summary>'
        f"{body}</details>"
    )


def _provenance(chunk: Chunk) -> str:
    """How the article came in ("via feed …", "fetched …", "from file …"), the full feed URL and time on hover."""
    if not chunk.provenance:
        return ""
    tip = " · ".join(x for x in (chunk.feed_url, chunk.fetched_at and f"fetched {chunk.fetched_at}") if x)
    title = f' title="{html.escape(tip)}"' if tip else ""
    return f'<span class="attache-provenance"{title}>{html.escape(" · ".join(chunk.provenance))}</span>'


# How closely a passage matches the question, from its cosine similarity (plus the date adjustment), as a level a
# reader can take in at a glance: (lower bound, level, bars lit). On the seed, passages that hold the answer score
# 0.38-0.50 and an unrelated question's best passages below 0.
RELEVANCE = ((0.40, "high", 3), (0.25, "medium", 2), (float("-inf"), "low", 1))


def relevance_level(score: float) -> tuple[str, int]:
    """("high" | "medium" | "low", bars lit out of 3) for a passage score; never the raw number."""
    for floor, level, bars in RELEVANCE:
        if score >= floor:
            return level, bars
    return RELEVANCE[-1][1:]


def relevance_html(score: float) -> str:
    level, bars = relevance_level(score)
    lit = "".join(f'<span class="attache-bar{" on" if i < bars else ""}"></span>' for i in range(3))
    tip = "how closely this passage matches the question"
    return (
        f'<span class="attache-relevance {level}" title="{tip}" aria-label="relevance {level}">'
        f'<span class="attache-bars" aria-hidden="true">{lit}</span> {level} relevance</span>'
    )


def _card_meta(chunk: Chunk) -> list[str]:
    """Outlet, byline, date and link: a missing one says so, so an empty field is no oversight."""
    byline = "by " + ", ".join(chunk.authors) if chunk.authors else ""
    day = chunk.published.isoformat() if chunk.published else ""
    meta = [
        html.escape(chunk.outlet) if chunk.outlet else '<span class="attache-missing">outlet unknown</span>',
        *([html.escape(byline)] if byline else []),
        html.escape(day) if day else '<span class="attache-missing">undated</span>',
    ]
    if href := safe_url(chunk.url):
        meta.append(f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">original ↗</a>')
    if notes := _provenance(chunk):
        meta.append(notes)
    return meta


def source_card(passage: Passage, citations: Sequence[Citation], turn: int = 1, latest: bool = True) -> str:
    chunk = passage.chunk
    anchor = f"source-{passage.rank}" if latest else f"source-{turn}-{passage.rank}"
    css = "attache-source" + ("" if citations else " uncited")
    opener = (
        f'<a class="attache-open" href="#read-{turn}-{passage.rank}" data-read="{turn}:{html.escape(chunk.article_id)}"'
        ' title="the whole article, every quote of this answer highlighted">open article</a>'
    )
    return (
        f'<div class="{css}" id="{anchor}" data-cite="{turn}-{passage.rank}">'
        f"<h4>[{passage.rank}] {html.escape(chunk.title or '(untitled)')}</h4>"
        f'<div class="attache-card-meta">{" · ".join(_card_meta(chunk))}</div>'
        f'<div class="attache-card-meta">{relevance_html(passage.score)} · {opener}</div>'
        f"{_passage_html(passage, citations)}</div>"
    )


def _cards(passages: Sequence[Passage], answer: Answer | None, turn: int, latest: bool) -> str:
    cited: dict[int, list[Citation]] = {}
    for citation in answer.citations if answer else ():
        cited.setdefault(citation.number, []).append(citation)
    ordered = sorted(passages, key=lambda p: (p.rank not in cited, p.rank))
    return "".join(source_card(p, cited.get(p.rank, []), turn, latest) for p in ordered)


def render_sources(passages: Sequence[Passage], answer: Answer | None = None, turn: int = 1) -> str:
    """One answer's sources: cited passages first (quotes highlighted), then the other retrieved ones."""
    if not passages:
        return '<div class="attache-sources"><p>No sources yet.</p></div>'
    return f'<div class="attache-sources">{_cards(passages, answer, turn, latest=True)}</div>'


def render_panel(turns: Sequence[ChatTurn], live: tuple[str, Sequence[Passage]] | None = None) -> str:
    """Every turn's sources, newest first and open; earlier turns folded. ``live``: the turn being answered."""
    groups: list[tuple[str, Sequence[Passage], Answer | None]] = [
        (t.question, t.result.passages, t.result) for t in turns if t.result is not None
    ]
    numbers = [i + 1 for i, t in enumerate(turns) if t.result is not None]
    if live is not None:
        groups.append((live[0], tuple(live[1]), None))
        numbers.append(len(turns) + 1)
    if not groups or not groups[-1][1]:
        note = "No passages matched: try other words or wider filters." if groups else "No sources yet."
        return f'<div class="attache-sources"><p>{note}</p>{_earlier(groups[:-1], numbers[:-1])}</div>'
    question, passages, answer = groups[-1]
    latest = (
        f'<section class="attache-turn"><p class="attache-turn-title">Sources for: {html.escape(question)}</p>'
        f"{_cards(passages, answer, numbers[-1], latest=True)}</section>"
    )
    return f'<div class="attache-sources">{latest}{_earlier(groups[:-1], numbers[:-1])}</div>'


def _earlier(groups: Sequence[tuple[str, Sequence[Passage], Answer | None]], numbers: Sequence[int]) -> str:
    return "".join(
        f'<details class="attache-turn attache-earlier"><summary>Earlier: {html.escape(q)}</summary>'
        f"{_cards(passages, answer, n, latest=False)}</details>"
        for (q, passages, answer), n in reversed(list(zip(groups, numbers, strict=True)))
        if passages
    )


# -- export -----------------------------------------------------------------------------------


def _quote_block(text: str) -> str:
    return "   > " + " ".join(text.split())


def _source_lines(answer: Answer) -> list[str]:
    quotes: dict[int, list[str]] = {}
    for citation in answer.citations:
        quotes.setdefault(citation.number, []).append(citation.quote)
    lines = []
    for passage in sorted(answer.passages, key=lambda p: p.rank):
        if passage.rank not in quotes:
            continue
        chunk = passage.chunk
        where = ", ".join(x for x in (chunk.outlet, chunk.published.isoformat() if chunk.published else "") if x)
        head = f"{passage.rank}. **{chunk.title or '(untitled)'}**" + (f" — {where}" if where else "")
        url = safe_url(chunk.url)
        lines.append(head + (f" — <{url}>" if url else "") + f" (relevance {relevance_level(passage.score)[0]})")
        lines.extend(_quote_block(q) for q in dict.fromkeys(quotes[passage.rank]))
    return lines


def conversation_markdown(turns: Sequence[ChatTurn], backend: str, now: datetime | None = None) -> str:
    """The conversation as a Markdown document: each question, its answer, and the sources it cites."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    parts = [f"# Attaché conversation\n\n_Exported {stamp} · {backend}_"]
    for i, turn in enumerate(turns, start=1):
        section = [f"## {i}. {turn.question}"]
        if turn.result is None:
            section.append(f"_Failed: {turn.error}_")
        else:
            if notes := scope_notes(turn.result, turn.filters):
                section.append("_" + " · ".join(notes) + "_")
            section.append(turn.result.text)
            if sources := _source_lines(turn.result):
                section.append("**Sources**\n\n" + "\n".join(sources))
        parts.append("\n\n".join(section))
    return "\n\n".join(parts) + "\n"


# -- settings, errors, dates -----------------------------------------------------------------


def table_html(css: str, rows: Sequence[tuple[str, str]], head: tuple[str, str] | None = None) -> str:
    """Key/value rows (keys as row headers), or a two-column grid under ``head``."""
    cell = "td" if head else "th"
    header = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>" if head else ""
    body = "".join(f"<tr><{cell}>{html.escape(k)}</{cell}><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f'<div class="{css}"><table>{header}{body}</table></div>'


def settings_html(assistant: Assistant, upload_types: Sequence[str]) -> str:
    """Backend and model in use (or offline extractive mode), embedder, library and limits."""
    s = assistant.settings
    rows = [
        ("Backend", assistant.backend_label),
        ("Model", assistant.answerer.model_name),
        ("Embedder", assistant.embedder_label),
        ("Library", f"{s.home} (ATTACHE_HOME)"),
        ("Retrieval", f"top {s.retrieval.top_k} passages, at most {s.retrieval.max_chunks_per_article} per article"),
        ("Uploads", f"{' '.join(upload_types)}; at most {s.ingest.max_file_mb:g} MiB a file"),
        ("Web", f"listening on {s.web.host}:{s.web.port}; never shared publicly"),
    ]
    return table_html("attache-settings", rows)


def error_text(exc: Exception) -> str:
    """A one-line message for the chat; the app carries on."""
    if isinstance(exc, BackendError):
        return f"The answering model failed: {exc}. Try again, or check the backend in Settings."
    if isinstance(exc, StoreError):
        return f"The library could not be read: {exc}"
    if isinstance(exc, AttacheError):
        return f"Something went wrong: {exc}"
    return "Unexpected error while answering (details are in the server log). Try again."


def parse_day(text: str | None, label: str) -> date | None:
    """A date from a date box ("2023-06-14", or with a time after it); ``ValueError`` says what is wrong."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{label}: {value!r} is not a date; use YYYY-MM-DD") from None
