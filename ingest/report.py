"""What an ingest run did: counts, near-duplicates, pruned articles, and every failure with its reason."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Duplicate:
    """An article stored only as a copy of ``kept_id`` (similarity: estimated Jaccard)."""

    id: str
    kept_id: str
    outlet: str
    url: str
    similarity: float


@dataclass
class IngestReport:
    """What a run did. ``failed`` and ``skipped`` hold ``(path, reason)`` pairs; only ``failed`` is an error."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    chunks: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    pruned: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)  # (source, article id, what happened)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def articles(self) -> int:
        """Articles looked at: stored, replaced, unchanged or folded into another."""
        return self.added + self.replaced + self.unchanged + len(self.duplicates)

    def rate(self, count: int) -> float:
        return count / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        line = (
            f"added {self.added}, replaced {self.replaced}, unchanged {self.unchanged}, "
            f"duplicates {len(self.duplicates)}, pruned {len(self.pruned)}, failed {len(self.failed)} "
            f"({self.chunks} chunks written in {self.seconds:.1f} s: "
            f"{self.rate(self.articles):.1f} articles/s, {self.rate(self.chunks):.1f} chunks/s)"
        )
        lines = [line, *(f"  failed: {path}: {reason}" for path, reason in self.failed)]
        files = [(path, reason) for path, reason in self.skipped if reason == "unsupported file type"]
        if files:
            lines.append(f"  skipped {len(files)} unsupported file(s), e.g. {files[0][0]}")
        lines.extend(f"  skipped: {path}: {reason}" for path, reason in self.skipped if (path, reason) not in files)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(self.rate(self.articles), 3),
            "chunks_per_second": round(self.rate(self.chunks), 3),
            "duplicates": [asdict(d) for d in self.duplicates],
            "pruned": [{"id": aid, "source_path": source} for aid, source in self.pruned],
            "failed": [{"path": path, "reason": reason} for path, reason in self.failed],
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
            "articles": [{"source": src, "id": aid, "outcome": what} for src, aid, what in self.outcomes],
        }

    def merge(self, other: IngestReport) -> IngestReport:
        """This run and ``other`` as one report (paths and URLs given to one command)."""
        for name in ("added", "replaced", "unchanged", "chunks", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("duplicates", "pruned", "failed", "skipped", "outcomes"):
            getattr(self, name).extend(getattr(other, name))
        return self

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
