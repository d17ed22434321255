"""The Library tab's "Add from the web" box and its Feeds list.

A URL may name an article page, a feed (RSS, Atom, JSON Feed), a sitemap or OPML list, or a site's home page:
a page that holds no article is read again for the feeds it links to. Every feed that named articles joins the
watched feeds (``ATTACHE_HOME/feeds.sqlite3``, the state ``python -m ingest watch`` keeps), its items recorded
as met, so "Refresh now" fetches only what is new. Fetching follows ``ingest/web``'s rules (polite, capped,
private addresses refused unless ``ATTACHE_FETCH_ALLOW_PRIVATE=1``); fetched HTML is only extracted, never
shown. Everything is written under the store lock, as uploads are. Adding, refreshing and removing are an
editor's: each ``…_as`` handler asks :func:`assistant.web.users.library_refusal` first.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.accounts.users import Accounts
from assistant.answering.assistant import Assistant
from assistant.core.errors import AttacheError
from assistant.store.lock import store_lock
from assistant.web.render import table_html
from assistant.web.users import library_refusal
from ingest.pipeline import ingest_targets
from ingest.report import IngestReport
from ingest.web.add import MAX_URLS, Progress, Step, fetch_and_ingest, parse_urls
from ingest.web.client import Fetcher
from ingest.web.sources import Expansion
from ingest.web.watch import Cycle, FeedState, WatchState, follow, run_cycle, state_path

log = logging.getLogger(__name__)

FEED_HEADERS = ["Feed", "Title", "Last fetched", "Articles added", "Last error"]
ALL_FEEDS = "All feeds"

# -- rendering --------------------------------------------------------------------------------


def _when(stamp: str) -> str:
    """``2026-03-04T08:00:00+00:00`` → ``2026-03-04 08:00 UTC``."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if len(stamp) >= 16 else stamp or "never"


def feed_rows(feeds: Sequence[FeedState]) -> list[list[str | int]]:
    return [[f.url, f.title, _when(f.last_fetched), f.articles_added, f.last_error] for f in feeds]


def _outcome_rows(assistant: Assistant, report: IngestReport) -> list[tuple[str, str]]:
    reasons = dict(report.failed)
    rows = []
    for source, article_id, what in report.outcomes:
        article = assistant.store.get_article(article_id) if article_id else None
        detail = f"{what}: {article.title or article_id}" if article else f"{what}: {reasons.get(source, '')}"
        rows.append((source, detail.rstrip(": ")))
    met = {source for source, _id, _what in report.outcomes}
    rows += [(url, f"failed: {reason}") for url, reason in report.failed if url not in met]
    rows += [(url, f"skipped: {reason}") for url, reason in report.skipped]
    return rows


def web_report_html(
    assistant: Assistant, report: IngestReport | None, feeds: Sequence[str] = (), error: str = ""
) -> str:
    """What an add did: the counts, one row per URL (added / unchanged / failed with the reason), feeds followed."""
    parts = []
    if error:
        parts.append(f"<p><strong>⚠️ Adding failed:</strong> {html.escape(error)}</p>")
    if report is not None:
        parts.append(
            f"<p><strong>Added {report.added}</strong>, replaced {report.replaced}, unchanged {report.unchanged}, "
            f"duplicates {len(report.duplicates)}, failed {len(report.failed)} · "
            f"{report.chunks} chunks in {report.seconds:.1f} s</p>"
        )
        if rows := _outcome_rows(assistant, report):
            parts.append(table_html("attache-report", rows, head=("URL", "Outcome")))
    if feeds:
        named = ", ".join(html.escape(f) for f in feeds)
        parts.append(f"<p>Now following {named}: <em>Refresh now</em> under Feeds fetches its new articles.</p>")
    return '<div class="attache-report">' + "".join(parts or ["<p>Nothing to add.</p>"]) + "</div>"


def cycle_html(cycle: Cycle) -> str:
    lines = [*cycle.lines, cycle.summary(), *(f"failed: {url}: {why}" for url, why in cycle.report.failed)]
    return '<div class="attache-report">' + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</div>"


# -- handlers ---------------------------------------------------------------------------------


def add_from_web(
    assistant: Assistant, text: str | None, on_progress: Progress | None = None, on_step: Step | None = None
) -> str:
    """Fetch and ingest the URLs in ``text`` under the store lock; follow the feeds among them. The report as HTML."""
    urls = parse_urls(text)
    if not urls:
        return web_report_html(assistant, None, error="give the URL of an article, a feed or a site")
    if len(urls) > MAX_URLS:
        return web_report_html(assistant, None, error=f"at most {MAX_URLS} URLs at a time")
    settings = assistant.settings
    try:
        with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché web app: fetch"):
            report, found = fetch_and_ingest(
                urls, assistant.store, assistant.embedder, settings, on_progress=on_progress, on_step=on_step
            )
    except AttacheError as exc:
        return web_report_html(assistant, None, error=str(exc))
    feeds = follow(WatchState(state_path(settings)), found, report)
    return web_report_html(assistant, report, feeds)


def refresh_feeds(assistant: Assistant, feed: str | None, on_progress: Progress | None = None) -> str:
    """One watch cycle over every followed feed (or the one picked): only new items are fetched."""
    state = WatchState(state_path(assistant.settings))
    urls = [feed] if feed and feed != ALL_FEEDS else [f.url for f in state.feeds()]
    if not urls:
        return "<p>No feeds followed yet: add one above.</p>"
    settings = assistant.settings

    def ingest(found: Expansion, client: Fetcher) -> IngestReport:
        with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché web app: watch"):
            return ingest_targets(
                found, assistant.store, assistant.embedder, settings, on_progress=on_progress, fetcher=client
            )

    try:
        return cycle_html(run_cycle(urls, state, settings, ingest))
    except AttacheError as exc:
        return f"<p>⚠️ Refresh failed: {html.escape(str(exc))}</p>"


def remove_feed(assistant: Assistant, feed: str | None) -> str:
    if not feed or feed == ALL_FEEDS:
        return "Pick one feed to stop following (its articles stay in the library)."
    removed = WatchState(state_path(assistant.settings)).remove(feed)
    return f"No longer following {feed}; its articles stay." if removed else f"{feed} was not followed."


def refused_html(refusal: str) -> str:
    return f'<div class="attache-report"><p>⚠️ {html.escape(refusal)}</p></div>'


def add_as(
    assistant: Assistant,
    accounts: Accounts,
    request: Any,
    text: str | None,
    on_progress: Progress | None = None,
    on_step: Step | None = None,
) -> str:
    """:func:`add_from_web` for an editor; anyone else is refused and nothing is fetched."""
    if refusal := library_refusal(request, accounts):
        log.warning("refused to add from the web: %s", refusal)
        return refused_html(refusal)
    return add_from_web(assistant, text, on_progress, on_step)


def refresh_as(
    assistant: Assistant, accounts: Accounts, request: Any, feed: str | None, on_progress: Progress | None = None
) -> str:
    """:func:`refresh_feeds` for an editor; anyone else is refused."""
    if refusal := library_refusal(request, accounts):
        return refused_html(refusal)
    return refresh_feeds(assistant, feed, on_progress)


def remove_as(assistant: Assistant, accounts: Accounts, request: Any, feed: str | None) -> str:
    """:func:`remove_feed` for an editor, as HTML; anyone else is refused and the feed stays."""
    if refusal := library_refusal(request, accounts):
        return refused_html(refusal)
    return html.escape(remove_feed(assistant, feed))


def feeds_view(assistant: Assistant) -> tuple[list[list[str | int]], list[str]]:
    """The Feeds table rows and the picker's choices."""
    feeds = WatchState(state_path(assistant.settings)).feeds()
    return feed_rows(feeds), [ALL_FEEDS, *(f.url for f in feeds)]


# -- the panel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebPanel:
    """What the Library tab needs of the panel: the events that change the library (to chain its own refresh)
    and the editor's controls (hidden from a reader)."""

    events: list[Any]
    controls: list[Any]


def web_panel(assistant: Assistant, demo: gr.Blocks, accounts: Accounts) -> WebPanel:
    """Lay out "Add from the web" and the Feeds list in the current block."""
    help_text = gr.Markdown(
        "**Add from the web**: an article's URL, a feed (RSS, Atom, sitemap, OPML) or a site's home page "
        "(its feeds are found). A feed's articles are added and the feed is followed: see Feeds below.",
        elem_id="attache-web-help",
    )
    with gr.Row(equal_height=True):
        box = gr.Textbox(
            label="URL", placeholder="https://outlet.example/world/rss.xml", scale=5, elem_id="attache-url"
        )
        add = gr.Button("Add", variant="primary", scale=1, elem_id="attache-add-url")
    report = gr.HTML("", elem_id="attache-web-report")
    gr.Markdown("**Feeds followed**", elem_id="attache-feeds-title")
    table = gr.Dataframe(
        headers=FEED_HEADERS,
        interactive=False,
        wrap=True,
        elem_id="attache-feeds",
        column_widths=["30%", "18%", "16%", "10%", "26%"],
    )
    with gr.Row(equal_height=True):
        picked = gr.Dropdown([ALL_FEEDS], value=ALL_FEEDS, label="Feed", scale=4, elem_id="attache-feed")
        refresh = gr.Button("Refresh now", scale=1, elem_id="attache-refresh-feeds")
        remove = gr.Button("Remove feed", variant="stop", scale=1, elem_id="attache-remove-feed")
    outcome = gr.HTML("", elem_id="attache-feeds-outcome")

    def show() -> tuple[Any, ...]:
        rows, choices = feeds_view(assistant)
        return rows, gr.Dropdown(choices=choices, value=ALL_FEEDS)

    def on_add(text: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        progress(0, desc="Fetching")
        return add_as(
            assistant,
            accounts,
            request,
            text,
            lambda n, total: progress((n, total or None), desc="Fetching and ingesting articles"),
            lambda url: progress(0, desc=f"Fetching {url}"),
        )

    def on_refresh(feed: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        progress(0, desc="Asking the feeds")
        return refresh_as(
            assistant, accounts, request, feed, lambda n, total: progress((n, total or None), desc="New articles")
        )

    def on_remove(feed: str, request: gr.Request) -> str:
        return remove_as(assistant, accounts, request, feed)

    def on_pick(event: gr.SelectData) -> str:
        return str(event.row_value[0]) if event.row_value else ALL_FEEDS

    demo.load(show, None, [table, picked])
    added = add.click(on_add, [box], [report]).then(show, None, [table, picked])
    refreshed = refresh.click(on_refresh, [picked], [outcome]).then(show, None, [table, picked])
    remove.click(on_remove, [picked], [outcome]).then(show, None, [table, picked])
    table.select(on_pick, None, [picked])
    return WebPanel([added, refreshed], [help_text, box, add, picked, refresh, remove])
