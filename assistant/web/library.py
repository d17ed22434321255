"""The Library tab: upload and ingest files, add from the web and follow feeds (:mod:`assistant.web.feeds`),
list and search articles, delete one, corpus statistics.

Uploads are checked (type, size, count), copied into ``ATTACHE_HOME/uploads`` so every article keeps a
real source file, and ingested in this process while holding the store lock, like ``python -m ingest``.
Changing the library is an editor's: a reader sees no upload, add or delete controls, and each ``…_as``
handler asks :func:`assistant.web.users.library_refusal` on the server before it changes anything.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.accounts.users import Accounts
from assistant.answering.assistant import Assistant
from assistant.core.errors import AttacheError
from assistant.core.types import Article
from assistant.store.lock import store_lock
from assistant.web.feeds import refused_html, web_panel
from assistant.web.render import error_text, md_text, table_html
from assistant.web.users import NO_LOGIN, library_refusal, role_note
from ingest.pipeline import ingest_paths
from ingest.report import IngestReport
from ingest.uploads import UPLOAD_TYPES, screen_uploads

log = logging.getLogger(__name__)

TABLE_HEADERS = ["Title", "Outlet", "Published", "Chunks", "ID"]
Library = Sequence[tuple[Article, int]]

# -- rendering --------------------------------------------------------------------------------


def _day(article: Article) -> str:
    return article.published.isoformat() if article.published else ""


def article_rows(articles: Library, search: str | None = "") -> list[list[str | int]]:
    """Table rows (title, outlet, date, chunks, id) of the articles matching every word of ``search``."""
    rows: list[list[str | int]] = []
    for article, n_chunks in articles:
        if article.matches(search or ""):
            rows.append([article.title or "(untitled)", article.outlet, _day(article), n_chunks, article.id])
    return rows


def article_choices(articles: Library) -> list[tuple[str, str]]:
    """(label, id) pairs for the delete picker."""
    return [(f"{a.title or '(untitled)'} · {a.outlet or '-'} · {a.id}", a.id) for a, _ in articles]


def outlet_choices(articles: Library) -> list[str]:
    return sorted({a.outlet for a, _ in articles if a.outlet}, key=str.lower)


def stats_html(articles: Library, n_chunks: int, fast_answers: str = "") -> str:
    days = sorted(a.published for a, _ in articles if a.published)
    outlets = Counter(a.outlet for a, _ in articles if a.outlet)
    span = f"{days[0]} – {days[-1]}" if days else "no dates"
    rows = [
        ("Articles", f"{len(articles):,}"),
        ("Chunks", f"{n_chunks:,}"),
        ("Words", f"{sum(len(a.text.split()) for a, _ in articles):,}"),
        ("Outlets", f"{len(outlets):,}"),
        ("Published", f"{span} ({len(articles) - len(days)} undated)"),
        ("Top outlets", ", ".join(f"{o} ({n})" for o, n in outlets.most_common(5)) or "–"),
    ]
    if fast_answers:  # the background warming's progress (assistant/answering/warm.py), when it runs
        rows.append(("Fast answers", fast_answers))
    return table_html("attache-settings attache-stats", rows)


def report_html(report: IngestReport | None, refused: Sequence[tuple[str, str]] = (), error: str = "") -> str:
    """What an upload did: the counts, then every file that failed or was refused, with the reason."""
    parts = []
    if error:
        parts.append(f"<p><strong>⚠️ Ingest failed:</strong> {html.escape(error)}</p>")
    failed = [*refused, *(report.failed if report else []), *(report.skipped if report else [])]
    if report is not None:
        parts.append(
            f"<p><strong>Added {report.added}</strong>, replaced {report.replaced}, unchanged {report.unchanged}, "
            f"duplicates {len(report.duplicates)}, failed {len(failed)} · "
            f"{report.chunks} chunks in {report.seconds:.1f} s</p>"
        )
    if failed:
        parts.append(table_html("attache-report", [(Path(p).name, r) for p, r in failed], head=("File", "Problem")))
    return '<div class="attache-report">' + "".join(parts or ["<p>Nothing to ingest.</p>"]) + "</div>"


# -- handlers ---------------------------------------------------------------------------------


def ingest_uploads(
    assistant: Assistant, paths: Sequence[str] | None, on_progress: Callable[[int, int], None] | None = None
) -> str:
    """Ingest uploaded files in this process, holding the store lock; the report as HTML."""
    settings = assistant.settings
    max_bytes = int(settings.ingest.max_file_mb * 2**20)
    kept, refused = screen_uploads(list(paths or []), settings.home / "uploads", max_bytes)
    if not kept:
        return report_html(None, refused)
    try:
        with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché web app: ingest"):
            report = ingest_paths(kept, assistant.store, assistant.embedder, settings, on_progress=on_progress)
    except AttacheError as exc:
        return report_html(None, refused, str(exc))
    return report_html(report, refused)


def delete_article(assistant: Assistant, article_id: str | None) -> str:
    """Delete one article (and its chunks) under the store lock; a one-line outcome."""
    if not article_id:
        return "Pick an article to delete (or click its row in the table)."
    settings = assistant.settings
    try:
        with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché web app: delete"):
            existed = assistant.store.delete_article(article_id)
    except AttacheError as exc:
        return f"⚠️ Could not delete {article_id}: {exc}"
    return f"Deleted {article_id}." if existed else f"No article {article_id} (already deleted?)."


def ingest_as(
    assistant: Assistant,
    accounts: Accounts,
    request: Any,
    paths: Sequence[str] | None,
    on_progress: Callable[[int, int], None] | None = None,
) -> str:
    """:func:`ingest_uploads` for an editor; anyone else is refused and nothing is kept or ingested."""
    if refusal := library_refusal(request, accounts):
        log.warning("refused an upload: %s", refusal)
        return refused_html(refusal)
    return ingest_uploads(assistant, paths, on_progress)


def delete_as(assistant: Assistant, accounts: Accounts, request: Any, article_id: str | None) -> str:
    """:func:`delete_article` for an editor; anyone else is refused and the article stays."""
    if refusal := library_refusal(request, accounts):
        log.warning("refused to delete %s: %s", article_id, refusal)
        return f"⚠️ {refusal}"
    return delete_article(assistant, article_id)


def library_view(assistant: Assistant, search: str = "") -> tuple[list[list[str | int]], str, list[Any], list[str]]:
    """Table rows, statistics, delete choices and outlet choices, fresh from the store."""
    try:
        articles = assistant.store.list_articles()
        n_chunks = assistant.store.count_chunks()
        fast_answers = assistant.warmer.status() if assistant.warmer is not None else ""
    except Exception as exc:  # the edge: a broken store must not take the page down
        log.exception("cannot list the library")
        return [], f"<p>⚠️ {html.escape(error_text(exc))}</p>", [], []
    return (
        article_rows(articles, search),
        stats_html(articles, n_chunks, fast_answers),
        article_choices(articles),
        outlet_choices(articles),
    )


# -- the tab ----------------------------------------------------------------------------------


def library_tab(assistant: Assistant, demo: gr.Blocks, outlets: gr.Dropdown, accounts: Accounts = NO_LOGIN) -> None:
    """Lay out the Library tab inside the current ``gr.Tab`` and wire it; ``outlets`` is the chat's filter. A
    reader's page hides the controls that change the library (the handlers refuse them anyway)."""
    note = gr.Markdown("", elem_id="attache-role")
    with gr.Row():
        with gr.Column(scale=3) as upload_column:
            label = "Add articles (" + " ".join(UPLOAD_TYPES) + ")"
            uploads = gr.File(
                file_count="multiple", file_types=UPLOAD_TYPES, label=label, height=150, elem_id="attache-upload"
            )
            ingest = gr.Button("Ingest", variant="primary", elem_id="attache-ingest")
            report = gr.HTML("", elem_id="attache-report")
        with gr.Column(scale=2):
            stats = gr.HTML("", elem_id="attache-stats")
    with gr.Column(elem_id="attache-web"):
        fetched = web_panel(assistant, demo, accounts)
    with gr.Row(equal_height=True):
        search = gr.Textbox(label="Search the library", placeholder="title, outlet, date or id", scale=2)
        doomed = gr.Dropdown([], label="Article to delete", scale=3, elem_id="attache-doomed")
        delete = gr.Button("Delete article", variant="stop", scale=1, elem_id="attache-delete")
    outcome = gr.Markdown("", elem_id="attache-deleted")
    widths: list[str | int] = ["44%", "16%", "12%", "8%", "20%"]
    table = gr.Dataframe(
        headers=TABLE_HEADERS, interactive=False, wrap=True, column_widths=widths, elem_id="attache-table"
    )

    def refresh(query: str) -> tuple[Any, ...]:
        rows, panel, choices, names = library_view(assistant, query)
        return rows, panel, gr.Dropdown(choices=choices, value=None), gr.Dropdown(choices=names)

    def on_ingest(
        files: list[str] | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (gradio's way)
    ) -> str:
        progress(0, desc="Reading files")
        return ingest_as(
            assistant, accounts, request, files, lambda n, total: progress((n, total or None), desc="Ingesting")
        )

    def on_delete(article_id: str | None, request: gr.Request) -> str:
        return md_text(delete_as(assistant, accounts, request, article_id))

    controls = [upload_column, doomed, delete, *fetched.controls]

    def on_role(request: gr.Request) -> tuple[Any, ...]:
        editor = library_refusal(request, accounts) is None
        shown_note = gr.Markdown(role_note(request, accounts), visible=accounts.login_required)
        return shown_note, *(gr.update(visible=editor) for _ in controls)

    def on_pick(event: gr.SelectData) -> str:
        return str(event.row_value[-1]) if event.row_value else ""

    shown = [table, stats, doomed, outlets]
    demo.load(refresh, [search], shown)
    demo.load(on_role, None, [note, *controls])
    ingest.click(on_ingest, [uploads], [report]).then(refresh, [search], shown).then(lambda: None, None, [uploads])
    delete.click(on_delete, [doomed], [outcome]).then(refresh, [search], shown)
    for event in fetched.events:
        event.then(refresh, [search], shown)
    search.change(lambda query: library_view(assistant, query)[0], [search], [table])
    table.select(on_pick, None, [doomed])
