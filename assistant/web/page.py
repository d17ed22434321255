"""The web app: ``build_ui(assistant) -> gr.Blocks`` with a Chat tab, the analyst's views (Quotes, Timeline,
Coverage), a Library and a Settings tab.

Thin by design: one module per tab (:mod:`assistant.web.chat`, :mod:`assistant.web.quotes`,
:mod:`assistant.web.timeline`, :mod:`assistant.web.coverage`, :mod:`assistant.web.library`), rendering in
:mod:`assistant.web.render` and beside each tab's handlers, escaping everything from an article or a model. The
views read the library only, so every signed-in user (a reader too) has them; their filter rows follow the Chat's
(:mod:`assistant.web.analyst`). Launching (host, port,
auth, upload limit) is ``app.py``'s business; :func:`page_assets` gives it the CSS and the citation script.
"""

from __future__ import annotations

import atexit
import html
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.accounts.users import Accounts
from assistant.answering.assistant import Assistant
from assistant.web.analyst import chat_filter_row
from assistant.web.assets import CITE_JS, CSS
from assistant.web.chat import chat_tab
from assistant.web.coverage import coverage_tab
from assistant.web.library import library_tab
from assistant.web.quotes import quotes_tab
from assistant.web.render import settings_html
from assistant.web.timeline import timeline_tab
from assistant.web.users import NO_LOGIN
from ingest.uploads import UPLOAD_TYPES

__all__ = ["build_ui", "page_assets"]


def page_assets() -> dict[str, Any]:
    """What ``launch()`` needs to draw the page: the stylesheet and the click-a-citation script."""
    return {"css": CSS, "js": CITE_JS}


def build_ui(assistant: Assistant, accounts: Accounts = NO_LOGIN) -> gr.Blocks:
    """The page; ``accounts`` says who is an editor (without a login: everyone). Launching (host, port, the
    sign-in itself, limits) is the caller's business."""
    exports = Path(tempfile.mkdtemp(prefix="attache-export-"))
    atexit.register(shutil.rmtree, exports, ignore_errors=True)  # the exported .md files live as long as the page
    with gr.Blocks(title="Attaché") as demo:
        label = html.escape(assistant.backend_label)
        gr.HTML(f"<h2>Attaché</h2><p class='attache-meta'>Cited answers over your news library · {label}</p>")
        with gr.Tab("Chat"):
            outlets = chat_tab(assistant, exports, demo)
        chat_filters = chat_filter_row(demo, outlets)
        for name, view_tab in (("Quotes", quotes_tab), ("Timeline", timeline_tab), ("Coverage", coverage_tab)):
            with gr.Tab(name, elem_id=f"attache-tab-{name.lower()}") as tab:
                view_tab(assistant, demo, tab, chat_filters)
        with gr.Tab("Library"):
            library_tab(assistant, demo, outlets, accounts)
        with gr.Tab("Settings"):
            gr.HTML(settings_html(assistant, UPLOAD_TYPES), elem_id="attache-settings")
            gr.Markdown("Change these with `ATTACHE_*` environment variables (see the README) and restart.")
    blocks: gr.Blocks = demo
    return blocks
