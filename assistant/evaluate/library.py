"""The library a question set is asked over, named in a TSV file beside it: one article a line.

    seed<TAB>...             the seed articles (the ``.txt`` / ``.md`` files of ``seeds/``)
    <doc_id><TAB>...         an article of the shared RealTime QA pool, by its ``doc_id``

Further columns (date, kind, title) are for people. The shared pool's texts never enter the repository: the
named records are copied from ``../shared/eval/realtimeqa/`` into a JSONL file under the run's home and
ingested from there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from assistant.core.errors import ConfigError
from assistant.core.settings import REPO_ROOT

SHARED_POOL = REPO_ROOT.parent / "shared" / "eval" / "realtimeqa" / "diplomacy_articles.jsonl"
SEED_SUFFIXES = (".txt", ".md")


def library_ids(path: Path) -> list[str]:
    """The first column of each non-empty, non-comment line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the library file {path}: {exc}") from exc
    return [line.split("\t")[0].strip() for line in lines if line.strip() and not line.startswith("#")]


def shared_records(wanted: Sequence[str], pool: Path = SHARED_POOL, named_by: str = "") -> dict[str, str]:
    """The shared pool's JSON lines of the ``wanted`` doc_ids (each ending in a newline); ConfigError when the
    pool or one of them is absent (``named_by``: what asked for them, for the message)."""
    who = named_by or "the set"
    if not pool.is_file():
        raise ConfigError(f"{who} names {len(wanted)} articles of the shared pool, but {pool} is absent")
    found: dict[str, str] = {}
    with pool.open(encoding="utf-8") as handle:
        for line in handle:
            doc_id = str(json.loads(line).get("doc_id", ""))
            if doc_id in wanted:
                found[doc_id] = line if line.endswith("\n") else line + "\n"
    if missing := [i for i in wanted if i not in found]:
        raise ConfigError(f"{who}: not in {pool.name}: {', '.join(missing)}")
    return found


def library_files(path: Path, seeds_dir: Path, work: Path, pool: Path = SHARED_POOL) -> list[Path]:
    """The files to ingest for the library ``path`` names; shared records are written to ``work``."""
    ids = library_ids(path)
    files = sorted(p for p in seeds_dir.glob("*") if p.suffix in SEED_SUFFIXES) if "seed" in ids else []
    wanted = [i for i in ids if i != "seed"]
    if not wanted:
        return files
    found = shared_records(wanted, pool, named_by=str(path))
    work.mkdir(parents=True, exist_ok=True)
    subset = work / f"{path.stem}.jsonl"
    subset.write_text("".join(found[i] for i in wanted), encoding="utf-8")
    return [*files, subset]
