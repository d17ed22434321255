"""The HTTP API against the real app process (``python app.py`` on a free loopback port, a users file with an
editor and a reader, each with a bearer token): answers whole and streamed, follow-ups, uploads, URLs fetched from a
loopback site, deletes, who may do what, the error bodies, the body limit; and the official ``openai`` client
talking to ``/v1/chat/completions``, streaming and not, getting the citations."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.accounts.users import UsersFile
from tests.conftest import REPO_ROOT
from tests.servers import stop
from tests.test_browser import _free_port, _wait_until_up, app_process
from tests.web_site import LoopbackSite

pytestmark = pytest.mark.slow

GOALS = "What were the stated goals of Blinken's trip to China?"
ARTICLE = """---
title: Velmora names a new envoy to the Lisvik talks
outlet: The Test Gazette
date: 2024-05-02
---
Velmora's foreign ministry named Ilse Marrow as its special envoy to the Lisvik border talks on Thursday.
Marrow, a former ambassador to Ostrand, said her first task was to restore the ferry agreement.
The talks resume in June after a two-month pause.
"""


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite() as running:
        yield running


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("api-home")
    users = UsersFile(home / "users.json")
    users.add("ana", "ana-password-1", "editor")
    users.add("rui", "rui-password-1", "reader")
    tokens = {"ana": users.new_token("ana"), "rui": users.new_token("rui")}
    env = {"ATTACHE_USERS_FILE": str(users.path), "ATTACHE_FETCH_ALLOW_PRIVATE": "1", "ATTACHE_FETCH_HOST_DELAY": "0"}
    env["ATTACHE_WARM_IDLE_SECONDS"] = "0.5"  # the background warming starts soon after the server is up
    with app_process(home, **env) as url:
        yield {"url": url.rstrip("/"), "tokens": tokens, "home": home}


def client(api: dict[str, Any], who: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {api['tokens'][who]}"} if who else {}
    return httpx.Client(base_url=api["url"], headers=headers, timeout=120)


def events(response: httpx.Response) -> list[tuple[str, Any]]:
    """The server-sent events of a whole response, as (event, data) pairs."""
    found = []
    for block in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_no_token_is_401_and_a_bad_one_too(api: dict[str, Any]) -> None:
    for headers in ({}, {"Authorization": "Bearer att_not-a-token"}, {"Authorization": "Basic bm9ib2R5OnBhc3M="}):
        response = httpx.post(f"{api['url']}/api/answer", json={"question": GOALS}, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized" and response.json()["error"]["message"]
        assert "Bearer" in response.headers["www-authenticate"]


def test_answer_carries_citations_that_quote_the_article_at_their_offsets(api: dict[str, Any]) -> None:
    with client(api, "rui") as http:
        body = http.post("/api/answer", json={"question": GOALS}).json()
        answer = body["answer"]
        assert body["conversation_id"] and not answer["abstained"] and "[" in answer["text"]
        assert answer["sentences"] and all(s["verdict"] for s in answer["sentences"])
        assert answer["citations"]
        for citation in answer["citations"]:
            article = http.get(f"/api/articles/{citation['article_id']}").json()
            assert article["text"][citation["start"] : citation["end"]] == citation["quote"]
            assert f"[{citation['number']}]" in answer["text"]
            assert {"url", "outlet", "published", "title", "verdict"} <= set(citation)
        follow = http.post(
            "/api/answer", json={"question": "And what did China say?", "conversation_id": body["conversation_id"]}
        ).json()
        assert follow["conversation_id"] == body["conversation_id"]
        saved = http.get(f"/api/conversations/{body['conversation_id']}").json()
        assert [t["question"] for t in saved["turns"]] == [GOALS, "And what did China say?"]
        listed = http.get("/api/conversations").json()["conversations"]
        assert body["conversation_id"] in {c["id"] for c in listed}
    with client(api, "ana") as other:  # another user's conversation does not exist for them
        for response in (
            other.get(f"/api/conversations/{body['conversation_id']}"),
            other.post("/api/answer", json={"question": "And?", "conversation_id": body["conversation_id"]}),
            other.delete(f"/api/conversations/{body['conversation_id']}"),
        ):
            assert response.status_code == 404 and response.json()["error"]["code"] == "conversation_not_found"


def test_stream_sends_passages_then_text_then_the_answer(api: dict[str, Any]) -> None:
    with client(api, "rui") as http:
        response = http.post("/api/answer/stream", json={"question": GOALS, "save": False})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    found = events(response)
    names = [name for name, _ in found]
    assert names[0] == "passages" and names[-1] == "answer" and "text" in names and "error" not in names
    assert found[0][1]["passages"] and found[0][1]["passages"][0]["rank"] == 1
    streamed = "".join(data["delta"] for name, data in found if name == "text")
    final = found[-1][1]
    assert final["conversation_id"] is None and final["answer"]["citations"]
    assert final["answer"]["sentences"][0]["text"] in streamed  # what streamed is what was kept (or more)


def test_upload_ask_delete_with_roles_and_a_broken_file_reported(api: dict[str, Any], tmp_path: Path) -> None:
    files = [
        ("files", ("envoy.md", ARTICLE.encode(), "text/markdown")),
        ("files", ("broken.txt", b"\x00\x01\x02binary\x00" * 50, "text/plain")),
        ("files", ("tool.exe", b"MZ", "application/octet-stream")),
    ]
    with client(api, "rui") as reader:
        before = reader.get("/api/articles").json()["total"]
        refused = reader.post("/api/articles", files=files)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert reader.get("/api/articles").json()["total"] == before
    with client(api, "ana") as editor:
        report = editor.post("/api/articles", files=files).json()
        assert report["added"] == 1
        assert [p["source"] for p in report["refused"]] == ["tool.exe"]
        assert [p["source"] for p in report["failed"]] == ["broken.txt"] and report["failed"][0]["reason"]
        listed = editor.get("/api/articles", params={"q": "envoy"}).json()["articles"]
        assert [a["outlet"] for a in listed] == ["The Test Gazette"]
        article_id = listed[0]["id"]
        answer = editor.post("/api/answer", json={"question": "Who is Velmora's new envoy?", "save": False}).json()
        assert "Marrow" in answer["answer"]["text"]
        assert article_id in {c["article_id"] for c in answer["answer"]["citations"]}
    with client(api, "rui") as reader:
        denied = reader.delete(f"/api/articles/{article_id}")
        assert denied.status_code == 403 and reader.get(f"/api/articles/{article_id}").status_code == 200
    with client(api, "ana") as editor:
        assert editor.delete(f"/api/articles/{article_id}").status_code == 204
        gone = editor.delete(f"/api/articles/{article_id}")
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "article_not_found"
        assert editor.get("/api/articles").json()["total"] == before


def test_urls_are_fetched_and_a_dead_one_reported_by_name(api: dict[str, Any], site: LoopbackSite) -> None:
    dead = site.url("/no/such/page.html")
    with client(api, "ana") as editor:
        report = editor.post("/api/articles", json={"urls": [site.url("/harbour/grain.html"), dead]}).json()
        assert report["added"] == 1
        assert [p["source"] for p in report["failed"]] == [dead] and "404" in report["failed"][0]["reason"]
        outlets = {a["outlet"] for a in editor.get("/api/articles").json()["articles"]}
        assert "Harbour Ledger" in outlets
        everything = editor.get("/api/articles").json()
        total = everything["total"]
        pages = [editor.get("/api/articles", params={"limit": 1, "offset": i}).json() for i in range(total)]
        assert [p["articles"][0]["id"] for p in pages] == [a["id"] for a in everything["articles"]]
        assert all(p["total"] == everything["total"] for p in pages)
        assert editor.get("/api/articles", params={"limit": 0}).status_code == 422


def test_basic_sign_in_works_too(api: dict[str, Any]) -> None:
    response = httpx.get(f"{api['url']}/api/articles", auth=("ana", "ana-password-1"))
    assert response.status_code == 200 and response.json()["total"] >= 1
    wrong = httpx.get(f"{api['url']}/api/articles", auth=("ana", "wrong-password"))
    assert wrong.status_code == 401


def test_bad_requests_get_json_errors_with_messages(api: dict[str, Any]) -> None:
    with client(api, "rui") as http:
        broken = http.post("/api/answer", content=b'{"question": ', headers={"content-type": "application/json"})
        assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_request"
        assert "JSON" in broken.json()["error"]["message"]
        missing = http.post("/api/answer", json={"filters": {}})
        assert missing.status_code == 422 and "question" in missing.json()["error"]["message"]
        bad_date = http.post("/api/answer", json={"question": "x", "as_of": "yesterday-ish"})
        assert bad_date.status_code == 422 and "as_of" in bad_date.json()["error"]["message"]
        unknown = http.post("/api/answer", json={"question": "x", "stream_please": True})
        assert unknown.status_code == 422 and "stream_please" in unknown.json()["error"]["message"]
        huge = http.post("/api/answer", json={"question": "x" * 100, "pad": "y" * (3 * 2**20)})
        assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
        nowhere = http.get("/api/no-such-route")
        assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "not_found"


def test_docs_schema_and_the_web_page_share_the_process(api: dict[str, Any]) -> None:
    schema = httpx.get(f"{api['url']}/api/openapi.json").json()
    assert {"/api/answer", "/api/answer/stream", "/api/articles", "/v1/chat/completions"} <= set(schema["paths"])
    assert "swagger" in httpx.get(f"{api['url']}/api/docs").text.lower()
    page = httpx.get(api["url"] + "/", follow_redirects=True)
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_the_openai_client_gets_cited_answers(api: dict[str, Any]) -> None:
    from openai import NotFoundError, OpenAI

    ai = OpenAI(base_url=api["url"] + "/v1", api_key=api["tokens"]["rui"], max_retries=0)
    assert [m.id for m in ai.models.list()] == ["attache"]
    reply = ai.chat.completions.create(model="attache", messages=[{"role": "user", "content": GOALS}])
    text = reply.choices[0].message.content or ""
    extra = reply.model_extra or {}
    citations = extra["attache"]["citations"]
    assert citations and "\n\nSources:\n" in text
    for citation in citations:
        assert f"[{citation['number']}]" in text and citation["quote"] in text.split("Sources:")[1]
        assert citation["article_id"] and citation["end"] > citation["start"]
    chunks = list(
        ai.chat.completions.create(
            model="attache",
            stream=True,
            messages=[
                {"role": "user", "content": GOALS},
                {"role": "assistant", "content": text},
                {"role": "user", "content": "Who is Daniel Kritenbrink?"},
            ],
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = chunks[-1].model_extra or {}
    assert chunks[-1].choices[0].finish_reason == "stop" and last["attache"]["citations"]
    assert "Sources:" in streamed and "Kritenbrink" in streamed
    with pytest.raises(NotFoundError):
        ai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": GOALS}])


def test_api_only_serves_the_api_without_the_page(tmp_path: Path) -> None:
    port = _free_port()
    environ = {**os.environ, "ATTACHE_HOME": str(tmp_path), "ATTACHE_BACKEND": "extractive"}
    for name in ("ATTACHE_AUTH", "ATTACHE_USERS_FILE", "ATTACHE_HOST", "ATTACHE_PORT"):
        environ.pop(name, None)
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "assistant", "serve", "--api-only", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/articles", proc, log)
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 404
        answer = httpx.post(f"http://127.0.0.1:{port}/api/answer", json={"question": GOALS}, timeout=120).json()
        assert answer["answer"]["citations"]  # no login configured: the local user, on loopback only
    finally:
        stop(proc)


def test_the_analyst_views_answer_as_json(api: dict[str, Any]) -> None:
    with client(api, "rui") as http:
        quotes = http.get("/api/quotes", params={"speaker": "Kritenbrink"}).json()["quotes"]
        assert quotes and all("Kritenbrink" in q["speaker"] for q in quotes)
        article = http.get(f"/api/articles/{quotes[0]['article_id']}").json()
        assert article["text"][quotes[0]["start"] : quotes[0]["end"]] == quotes[0]["text"]
        events = http.get("/api/timeline", params={"q": "Blinken trip"}).json()["events"]
        assert events and all({"day", "text", "sources"} <= set(e) for e in events)
        coverage = http.get("/api/coverage", params={"q": "Blinken visit to China"}).json()["coverage"]
        assert coverage["outlets"] and coverage["query"] == "Blinken visit to China"
        assert http.get("/api/coverage").status_code == 422  # the story is required


def test_concurrent_answers_are_the_same_as_one_at_a_time(api: dict[str, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    questions = [GOALS, "Who is Daniel Kritenbrink?", "What did China say after the call?", "Who did Blinken call?"]

    def ask(question: str) -> str:
        with client(api, "rui") as http:
            response = http.post("/api/answer", json={"question": question, "save": False})
            assert response.status_code == 200, response.text
            return str(response.json()["answer"]["text"])

    alone = [ask(q) for q in questions]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(ask, questions * 2))
    assert together == alone * 2


def test_a_cross_site_browser_request_cannot_change_the_library(api: dict[str, Any]) -> None:
    """A page on another site may make the browser POST a form to 127.0.0.1: refused by its Origin header."""
    files = [("files", ("drive-by.md", ARTICLE.encode(), "text/markdown"))]
    with client(api, "ana") as editor:
        before = editor.get("/api/articles").json()["total"]
        for origin in ("https://evil.example", "null"):
            refused = editor.post("/api/articles", files=files, headers={"Origin": origin})
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "cross_origin"
        same = editor.post("/api/answer", json={"question": GOALS, "save": False}, headers={"Origin": api["url"]})
        assert same.status_code == 200  # the app's own pages may
        assert editor.get("/api/articles", headers={"Origin": "https://evil.example"}).status_code == 200  # reads
        assert editor.get("/api/articles").json()["total"] == before


def test_the_server_warms_the_library_while_no_question_is_asked(api: dict[str, Any]) -> None:
    home: Path = api["home"]
    (log,) = home.glob("app-*.log")
    deadline, done = time.monotonic() + 120, None
    while done is None and time.monotonic() < deadline:
        done = re.search(r"warmed (\d+) chunks: (\d+) sentence texts", log.read_text(errors="replace"))
        time.sleep(0.2)
    assert done is not None, log.read_text(errors="replace")[-2000:]
    chunks, texts = int(done.group(1)), int(done.group(2))
    assert chunks > 0 and texts > chunks  # every sentence alone and with the one before it
    with sqlite3.connect(home / "sentences" / "attache.sqlite3") as db:
        (kept,) = db.execute("SELECT count(*) FROM exact").fetchone()
    assert kept >= texts  # answers add their own rows to what the warmer wrote; none were pushed out


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    """A service manager stops the app with SIGTERM: it exits 0 after closing the assistant, and the web page's
    export folder goes with it (uvicorn raises the signal again after its shutdown; without the app's own handler
    the process ended there, and each stop left an ``attache-export-*`` folder behind)."""
    port, scratch = _free_port(), tmp_path / "tmp"
    scratch.mkdir()
    environ = {**os.environ, "ATTACHE_HOME": str(tmp_path / "home"), "ATTACHE_BACKEND": "extractive"}
    environ.update(TMPDIR=str(scratch), ATTACHE_PORT=str(port), ATTACHE_WARM_WHEN_IDLE="false")
    for name in ("ATTACHE_AUTH", "ATTACHE_USERS_FILE", "ATTACHE_HOST"):
        environ.pop(name, None)
    log = tmp_path / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=environ, stdout=out, stderr=out)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", proc, log)
        assert list(scratch.glob("attache-export-*"))  # the page's folder, while it runs
        proc.terminate()
        assert proc.wait(timeout=60) == 0, log.read_text(errors="replace")[-2000:]
    finally:
        stop(proc)
    assert "Attaché stopped" in log.read_text(errors="replace")
    assert not list(scratch.glob("attache-export-*"))
