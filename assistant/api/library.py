"""``/api/articles``: list, read, add (uploaded files, or URLs to fetch) and delete articles.

Adding and deleting are an editor's. Uploads pass the web app's checks (type, size, count: :mod:`ingest.uploads`)
and are kept under ``ATTACHE_HOME/uploads``; URLs are fetched by :mod:`ingest.web.add` (private addresses refused
unless ``ATTACHE_FETCH_ALLOW_PRIVATE=1``). Either way the store is written under its lock, and a broken file or URL
is reported by name and reason while the rest is ingested.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from assistant.answering.assistant import Assistant
from assistant.api.auth import require_editor
from assistant.api.deps import Served, Who
from assistant.api.errors import ApiError
from assistant.api.schemas import ArticlesOut, IngestOut, Outcome, Problem, UrlsIn, article_out
from assistant.store.lock import store_lock
from ingest.pipeline import ingest_paths
from ingest.report import IngestReport
from ingest.uploads import MAX_UPLOAD_FILES, screen_uploads, upload_refusal
from ingest.web.add import MAX_URLS, fetch_and_ingest, parse_urls

router = APIRouter(prefix="/api", tags=["library"])

ADD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                    "required": ["files"],
                }
            },
            "application/json": {"schema": UrlsIn.model_json_schema()},
        },
    }
}


@router.get("/articles", response_model=ArticlesOut)
def list_articles(
    assistant: Served,
    who: Who,
    q: str = "",
    outlet: str = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ArticlesOut:
    """The library, newest first, a page at a time (``total`` counts every match); ``q`` keeps articles whose
    title, outlet, date, id or URL contain every word, ``outlet`` those of one outlet."""
    found = [
        article_out(article, chunks)
        for article, chunks in assistant.store.list_articles()
        if article.matches(q) and (not outlet or article.outlet == outlet)
    ]
    found.sort(key=lambda a: (a.published is not None, a.published, a.id), reverse=True)
    return ArticlesOut(total=len(found), articles=found[offset : offset + limit])


@router.get("/articles/{article_id}")
def get_article(article_id: str, assistant: Served, who: Who) -> dict[str, Any]:
    """One article with its full text (every citation's offsets point into ``text``)."""
    article = assistant.store.get_article(article_id)
    if article is None:
        raise ApiError(404, f"no article {article_id}", "article_not_found")
    chunks = len(assistant.store.article_chunks(article_id))
    return {**article_out(article, chunks).model_dump(mode="json"), "text": article.text}


@router.delete("/articles/{article_id}", status_code=204)
def delete_article(article_id: str, assistant: Served, who: Who) -> Response:
    require_editor(who)
    settings = assistant.settings
    with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché API: delete"):
        existed = assistant.store.delete_article(article_id)
    if not existed:
        raise ApiError(404, f"no article {article_id}", "article_not_found")
    return Response(status_code=204)


def _ingest_out(report: IngestReport | None, refused: list[tuple[str, str]]) -> IngestOut:
    report = report or IngestReport()
    return IngestOut(
        added=report.added,
        replaced=report.replaced,
        unchanged=report.unchanged,
        duplicates=len(report.duplicates),
        chunks=report.chunks,
        failed=[Problem(source=Path(s).name if "://" not in s else s, reason=r) for s, r in report.failed],
        skipped=[Problem(source=s, reason=r) for s, r in report.skipped],
        refused=[Problem(source=s, reason=r) for s, r in refused],
        outcomes=[Outcome(source=s, article_id=a, outcome=o) for s, a, o in report.outcomes],
    )


def _ingest_files(assistant: Assistant, folder: Path, names: list[str]) -> IngestOut:
    settings = assistant.settings
    max_bytes = int(settings.ingest.max_file_mb * 2**20)
    kept, refused = screen_uploads([str(folder / n) for n in names], settings.home / "uploads", max_bytes)
    if not kept:
        return _ingest_out(None, refused)
    with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché API: ingest"):
        report = ingest_paths(kept, assistant.store, assistant.embedder, settings)
    return _ingest_out(report, refused)


def _fetch(assistant: Assistant, urls: list[str]) -> IngestOut:
    settings = assistant.settings
    with store_lock(settings.chroma_path, timeout=settings.ingest.lock_timeout, purpose="Attaché API: fetch"):
        report, _ = fetch_and_ingest(urls, assistant.store, assistant.embedder, settings)
    return _ingest_out(report, [])


async def _save_uploads(request: Request, folder: Path, max_bytes: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The form's files written into ``folder`` (names made safe); a file over the limit is refused unread."""
    form = await request.form(max_files=MAX_UPLOAD_FILES + 1)
    names: list[str] = []
    refused: list[tuple[str, str]] = []
    for value in form.getlist("files"):
        if not isinstance(value, UploadFile):
            raise ApiError(422, "'files' must be uploaded files (multipart/form-data)", "invalid_request")
        name = Path(value.filename or "upload").name or "upload"
        if value.size is not None and (reason := upload_refusal(name, value.size, max_bytes)):
            refused.append((name, reason))
            continue
        target, n = folder / name, 1
        while target.exists():
            n += 1
            target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        target.write_bytes(await value.read())
        names.append(target.name)
    if not names and not refused:
        raise ApiError(422, "no files: send multipart/form-data with one or more 'files'", "invalid_request")
    return names, refused


@router.post("/articles", response_model=IngestOut, openapi_extra=ADD_BODY)
async def add_articles(request: Request, assistant: Served, who: Who) -> IngestOut:
    """Add articles: upload files (``multipart/form-data``, field ``files``) or give URLs (``{"urls": [...]}``) of
    article pages, feeds or sites to fetch. The report names every source that failed and why."""
    require_editor(who)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = UrlsIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise ApiError(422, f'expected {{"urls": [...]}}: {exc.errors()[0]["msg"]}', "invalid_request") from exc
        urls = parse_urls(" ".join(body.urls))
        if len(urls) > MAX_URLS:
            raise ApiError(422, f"at most {MAX_URLS} URLs at a time", "invalid_request")
        return await run_in_threadpool(_fetch, assistant, urls)
    if kind != "multipart/form-data":
        raise ApiError(415, 'send multipart/form-data (files) or application/json ({"urls": [...]})')
    with tempfile.TemporaryDirectory(prefix="attache-api-") as folder:
        max_bytes = int(assistant.settings.ingest.max_file_mb * 2**20)
        names, refused = await _save_uploads(request, Path(folder), max_bytes)
        result = await run_in_threadpool(_ingest_files, assistant, Path(folder), names)
    result.refused[:0] = [Problem(source=s, reason=r) for s, r in refused]
    return result
