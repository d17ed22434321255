"""The web app's handlers and rendering, called directly (the browser test drives the real page)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.assistant import Assistant
from assistant.core.errors import BackendUnavailable
from assistant.core.types import Answer, Chunk, Citation, DateWindow, Filters, Passage, Sentence
from assistant.store.chroma import Store
from assistant.store.lock import store_lock
from assistant.web.chat import chat_filters, export_file, respond
from assistant.web.library import delete_article, ingest_uploads, library_view, report_html
from assistant.web.page import build_ui, page_assets
from assistant.web.render import (
    ChatTurn,
    answer_message,
    conversation_markdown,
    md_text,
    render_panel,
    render_sources,
    safe_url,
    settings_html,
    source_card,
    with_marker_links,
)
from tests.conftest import make_settings

GOALS = "What were the stated goals of Blinken's trip?"
HOSTILE = '<script>alert(1)</script> and <img src=x onerror="alert(2)">'


def _last(updates: Iterator[tuple[Any, ...]]) -> tuple[Any, ...]:
    *_, final = updates
    return final


def _passage(text: str, rank: int = 1, **chunk: Any) -> Passage:
    return Passage(Chunk(id=f"c{rank}", article_id="a", text=text, start=0, end=len(text), **chunk), 0.5, rank)


@pytest.fixture
def library(tmp_path: Path, embedder: Any) -> Assistant:
    """An assistant over an empty library of its own (the shared seeded one stays read-only)."""
    settings = make_settings(tmp_path / "home", ingest_max_file_mb=0.01, ingest_lock_timeout=0.3)
    return Assistant(settings, Store(settings, embedder), embedder)


class FailingOnce:
    """The assistant's ``stream`` interface: fails with ``error`` on the first call, then delegates."""

    def __init__(self, real: Assistant, error: Exception) -> None:
        self.real, self.error, self.calls = real, error, 0
        self.backend_label = real.backend_label

    def stream(self, question: str, history: Any = (), filters: Any = None, as_of: Any = None) -> Iterator[Any]:
        self.calls += 1
        if self.calls == 1:
            raise self.error
        assert all(t.answer for t in history), "a failed turn was passed as history"
        yield from self.real.stream(question, history, filters, as_of=as_of)


# -- chat -------------------------------------------------------------------------------------


def test_answer_streams_with_linked_markers_and_cited_cards(assistant: Assistant) -> None:
    updates = list(respond(assistant, GOALS, []))
    assert len(updates) > 2  # passages, text pieces, then the final answer
    assert updates[0][0][-1]["content"] == ""  # sources arrive before any text
    history, panel, turns = updates[-1]
    assert history[0] == {"role": "user", "content": GOALS}
    assert 'href="#cite-1-1"' in history[-1]["content"] and "military-to-military" in history[-1]["content"]
    assert 'data-cite="1-1"' in panel and 'id="source-1"' in panel and "<mark>" in panel
    assert isinstance(turns[0], ChatTurn) and turns[0].result is not None and turns[0].result.citations


def test_follow_up_is_turn_two_and_earlier_sources_stay_reachable(assistant: Assistant) -> None:
    history, _, turns = _last(respond(assistant, GOALS, []))
    history, panel, turns = _last(respond(assistant, "and what did China say?", history, turns))
    assert len(history) == 4 and len(turns) == 2
    assert 'href="#cite-2-' in history[-1]["content"] and "searched for:" in history[-1]["content"]
    assert 'data-cite="2-1"' in panel and 'id="source-1-1"' in panel and "Earlier: " in panel


def test_filters_and_as_of_reach_retrieval(assistant: Assistant) -> None:
    nowhere = Filters(outlets=("no-such-outlet.example",))
    history, panel, turns = _last(respond(assistant, GOALS, [], filters=nowhere, as_of=date(2023, 6, 20)))
    assert turns[0].result.passages == () and turns[0].result.abstained
    assert "No passages matched" in panel
    assert "outlets: no-such-outlet.example" in history[-1]["content"] and "as of 2023-06-20" in history[-1]["content"]


def test_filter_boxes_parse_and_explain_bad_dates() -> None:
    assert chat_filters([], None, "") is None
    assert chat_filters(["a.com"], "2024-03-01", "2024-03-31 00:00:00") == Filters(
        ("a.com",), date(2024, 3, 1), date(2024, 3, 31)
    )
    with pytest.raises(ValueError, match="not a date; use YYYY-MM-DD"):
        chat_filters([], "March", None)
    with pytest.raises(ValueError, match="range is empty"):
        chat_filters([], "2024-04-01", "2024-03-01")


def test_backend_failure_is_a_message_and_the_chat_keeps_working(assistant: Assistant) -> None:
    flaky = FailingOnce(assistant, BackendUnavailable("connection refused by 127.0.0.1:9"))
    history, _, turns = _last(respond(flaky, GOALS, []))  # type: ignore[arg-type]
    assert "The answering model failed: connection refused" in history[-1]["content"]
    assert turns[0].result is None
    history, _, turns = _last(respond(flaky, GOALS, history, turns))  # type: ignore[arg-type]
    assert len(turns) == 2 and turns[1].result is not None and 'href="#cite-2-1"' in history[-1]["content"]
    assert "Failed: The answering model failed" in conversation_markdown(turns, "x")


def test_unexpected_error_is_logged_and_shown_plainly(assistant: Assistant, caplog: Any) -> None:
    broken = FailingOnce(assistant, RuntimeError("secret internals"))
    with caplog.at_level(logging.ERROR):
        history, _, _ = _last(respond(broken, GOALS, []))  # type: ignore[arg-type]
    assert "Unexpected error" in history[-1]["content"] and "secret" not in history[-1]["content"]
    assert "chat turn failed" in caplog.text


# -- rendering --------------------------------------------------------------------------------


def test_sources_escape_article_html_and_keep_only_http_links() -> None:
    hostile = _passage(HOSTILE, title="<b>t</b>", outlet="<i>o</i>", url="javascript:alert(3)")
    panel = render_sources((hostile,))
    assert "<script>" not in panel and "<img" not in panel and "<b>t" not in panel and "<i>o" not in panel
    assert "&lt;script&gt;" in panel and "javascript:" not in panel
    card = source_card(_passage("text", url="https://example.com/a?b=1&c=2"), [])
    assert 'href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer"' in card
    assert [safe_url(u) for u in ("HTTP://x.org/", " https://x.org", "data:text/html,x", "//x.org", "https:x")] == [
        "HTTP://x.org/",
        "",
        "",
        "",
        "",
    ]


def test_card_says_how_the_article_came_in_escaped() -> None:
    fed = _passage(
        "text",
        url="https://outlet.example/a",
        source_path="https://outlet.example/a",
        feed_url='https://outlet.example/world/rss.xml?x="<b>"',
        fetched_at="2026-03-02T08:15:00+00:00",
    )
    card = source_card(fed, [])
    assert ">via feed outlet.example/world/rss.xml · fetched 2026-03-02</span>" in card
    assert 'title="https://outlet.example/world/rss.xml?x=&quot;&lt;b&gt;&quot; · fetched 2026-03-02T08:15' in card
    hostile = _passage("text", source_path="/data/<img src=x onerror=alert(1)>.html")
    assert "from file &lt;img src=x onerror=alert(1)&gt;.html" in source_card(hostile, [])
    assert "<img" not in source_card(hostile, [])
    linked = _passage("text", url="https://outlet.example/b", source_path="/data/b.html")  # the link says enough
    old = _passage("text", url="https://outlet.example/c")  # a store from before provenance on chunks
    assert "attache-provenance" not in source_card(linked, []) + source_card(old, [])


def test_long_passages_fold_and_open_when_cited() -> None:
    text = "Envoys met in Vienna. " * 60 + "The quoted span is here."
    passage = _passage(text)
    start = text.index("The quoted")
    cited = source_card(passage, [Citation(1, passage, text[start:], start, len(text))])
    assert '<details class="attache-passage" open>' in cited and "<mark>The quoted span is here.</mark>" in cited
    assert '<details class="attache-passage">' in source_card(passage, [])
    assert "<details" not in source_card(_passage("short"), [])


def test_grounding_badges_and_scope_notes() -> None:
    passage = _passage("Blinken went to Beijing. He met Qin.")
    sentences = (
        Sentence("Blinken went to Beijing [1].", (1,), "supported", 0.9),
        Sentence("He met Xi [1].", (1,), "unsupported", 0.1),
        Sentence("It rained.", ()),
    )
    answer = Answer(
        question="q",
        text=" ".join(s.text for s in sentences),
        passages=(passage,),
        sentences=sentences,
        backend="openai",
        query="q (Blinken)",
        dropped_markers=1,
        date_window=DateWindow(date(2023, 6, 12), date(2023, 6, 18), "this week"),
    )
    turn = ChatTurn("q", answer.query, answer.text, answer, Filters(date_from=date(2023, 6, 1)))
    message = answer_message(turn, 3)
    assert message.count('href="#cite-3-1"') == 2
    assert '<span class="attache-badge supported" title="grounding: supported by its source (support 0.90)">' in message
    assert 'class="attache-badge unsupported"' in message and 'class="attache-badge uncited"' in message
    for note in ("searched for: q (Blinken)", "this week: 2023-06-12 – 2023-06-18", "published 2023-06-01 – …"):
        assert note in message
    assert "1 citation marker(s) pointed nowhere" in message


def test_a_sentence_shows_how_likely_it_answers_apart_from_matching_its_source() -> None:
    passage = _passage("Blinken went to Beijing. He met Qin. It rained.")
    sentences = (
        Sentence("Blinken went to Beijing [1].", (1,), "supported", 1.0, answers=0.8),
        Sentence("He met Qin [1].", (1,), "supported", 1.0, answers=0.45),
        Sentence("It rained [1].", (1,), "supported", 1.0, answers=0.1),
    )
    text = " ".join(s.text for s in sentences)
    answer = Answer(question="q", text=text, passages=(passage,), sentences=sentences)
    assert answer.confidence == 0.8
    message = answer_message(ChatTurn("q", "q", text, answer, Filters()), 1)
    assert message.count('class="attache-badge supported"') == 3  # all three are quoted exactly
    assert message.count('class="attache-answers') == 1  # only the likely answer is labelled
    assert 'class="attache-answers likely"' in message and ">answers</span>" in message
    assert "likely answers the question (estimated 80%)" in message
    assert "may answer the question: check the source (estimated 45%)" in message  # the others say it on hover
    assert "may not answer the question itself (estimated 10%)" in message
    refused = Answer(question="q", text="The sources don't say.", sentences=sentences[:1], abstained=True)
    assert refused.confidence is None


def test_untrusted_text_cannot_become_markup_in_a_message() -> None:
    assert md_text("*bold* [x](javascript:y) <b>") == "\\*bold\\* \\[x\\](javascript:y) &lt;b&gt;"
    assert md_text("1. item\n# head") == "1\\. item\n\\# head"
    assert with_marker_links("see [2] and [9]", 1, [1, 2]) == (
        'see <a class="attache-cite" href="#cite-1-2" title="show source 2">[2]</a> and \\[9\\]'
    )


def test_panel_before_and_without_sources() -> None:
    assert "No sources yet." in render_panel([])
    failed = ChatTurn("q", "q", "", None, None, "boom")
    assert "No sources yet." in render_panel([failed]) and "boom" in answer_message(failed, 1)


def test_conversation_exports_as_markdown_with_sources(assistant: Assistant, tmp_path: Path) -> None:
    _, _, turns = _last(respond(assistant, GOALS, []))
    text = conversation_markdown(turns, assistant.backend_label)
    assert text.startswith("# Attaché conversation") and f"## 1. {GOALS}" in text
    assert "**Sources**" in text and "\n1. **" in text and "   > " in text and "(relevance " in text
    path = Path(export_file(text, tmp_path))
    assert path.name == "attache-conversation.md" and path.read_text(encoding="utf-8") == text


def test_settings_show_the_backend_and_offline_mode(assistant: Assistant) -> None:
    panel = settings_html(assistant, [".txt"])
    assert "offline extractive mode" in panel and "none: offline extractive mode" in panel
    assert assistant.embedder.name in panel
    assert "384 dimensions, local ONNX on OpenVINO, " in panel  # the runtime the default install has


def test_page_builds_with_assets(assistant: Assistant) -> None:
    assert build_ui(assistant) is not None
    assets = page_assets()
    assert "a.attache-cite" in assets["js"] and ".attache-active" in assets["css"]


# -- library ----------------------------------------------------------------------------------


def _upload(folder: Path, name: str, text: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_uploads_ingest_with_progress_and_a_per_file_report(library: Assistant, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    good = _upload(
        drop, "vienna.md", "---\ntitle: Envoys meet\noutlet: Example News\ndate: 2023-06-20\n---\nThe envoys met."
    )
    files = [
        good,
        _upload(drop, "empty.txt", " "),
        _upload(drop, "evil.exe", "x"),
        _upload(drop, "big.txt", "y" * 20000),
    ]
    seen: list[tuple[int, int]] = []
    report = ingest_uploads(library, files, lambda n, total: seen.append((n, total)))
    assert "Added 1</strong>" in report and "failed 3" in report and seen
    assert "empty.txt</td><td>file is empty" in report
    assert "evil.exe</td><td>unsupported file type" in report and "big.txt</td><td>too large" in report
    assert (library.settings.home / "uploads" / "vienna.md").exists()
    assert "unchanged 1" in ingest_uploads(library, [good])  # same file again: nothing new
    rows, stats, choices, outlets = library_view(library)
    assert rows == [["Envoys meet", "Example News", "2023-06-20", 1, choices[0][1]]] and outlets == ["Example News"]
    assert ">Articles</th><td>1<" in stats and library_view(library, "nothing like it")[0] == []
    assert delete_article(library, choices[0][1]) == f"Deleted {choices[0][1]}."
    assert library_view(library)[0] == [] and "No article" in delete_article(library, choices[0][1])


def test_ingest_waits_for_the_store_lock_and_says_so(library: Assistant, tmp_path: Path) -> None:
    file = _upload(tmp_path / "drop", "a.txt", "Envoys met in Vienna on Monday.")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store_lock(library.settings.chroma_path, timeout=1, purpose="another writer"):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        report = ingest_uploads(library, [file])
        outcome = delete_article(library, "x")
    finally:
        release.set()
        holder.join()
    assert "Ingest failed:</strong> gave up after 0.3 s" in report and "another writer" in report
    assert outcome.startswith("⚠️ Could not delete x: gave up")


def test_nothing_uploaded_reports_plainly() -> None:
    assert "Nothing to ingest." in report_html(None)


def test_app_auth_from_the_environment() -> None:
    from app import parse_auth

    assert parse_auth("") is None and parse_auth("ann:s3:cret") == ("ann", "s3:cret")
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(SystemExit, match="user:password"):
            parse_auth(bad)


def test_the_export_folder_goes_when_the_process_ends(tmp_path: Path) -> None:
    """Each page keeps its exported .md files in a temporary folder; the process removes it on exit."""
    import subprocess
    import sys

    code = (
        "import tempfile, pathlib; tempfile.tempdir = sys.argv[1]; "
        "from assistant.web.page import build_ui; from assistant.answering.assistant import Assistant; "
        "from assistant.core.settings import Settings; "
        "build_ui(Assistant.from_settings(Settings(home=pathlib.Path(sys.argv[1]) / 'home'))); "
        "print(sorted(p.name for p in pathlib.Path(sys.argv[1]).glob('attache-export-*')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys; " + code, str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1].startswith("['attache-export-")  # it existed while the page did
    assert not list(tmp_path.glob("attache-export-*"))
