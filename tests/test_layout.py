"""The house: the package face is short and lazy, and imports run one way between the rooms.

web / cli / evaluate → answering → retrieval → store, models → core;  ingest → store, models, core.
Only the composition roots (web, cli, ``assistant.default``) may import ``ingest``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import assistant
from tests.conftest import REPO_ROOT

PUBLIC = [
    "Answer",
    "AnswerEvent",
    "Article",
    "Assistant",
    "AttacheError",
    "Chunk",
    "Citation",
    "Conversation",
    "Coverage",
    "Event",
    "Filters",
    "Passage",
    "PassagesEvent",
    "Quote",
    "Response",
    "Sentence",
    "Settings",
    "StreamEvent",
    "TextEvent",
    "answer",
]
HEAVY = (
    "chromadb",
    "langchain_core",
    "langchain_openai",
    "gradio",
    "onnxruntime",
    "openvino",
    "openai",
    "tokenizers",
    "numpy",
)

# room → the rooms it may import (its own always allowed)
ALLOWED: dict[str, set[str]] = {
    "assistant.core": set(),
    "assistant.models": {"assistant.core"},
    "assistant.store": {"assistant.core", "assistant.models"},
    "assistant.retrieval": {"assistant.core", "assistant.models", "assistant.store"},
    "assistant.analysis": {"assistant.core"},
    "assistant.views": {
        "assistant.core",
        "assistant.models",
        "assistant.store",
        "assistant.retrieval",
        "assistant.analysis",
    },
    "assistant.history": {"assistant.core"},
    "assistant.accounts": {"assistant.core"},
    "assistant.answering": {
        "assistant.core",
        "assistant.models",
        "assistant.store",
        "assistant.retrieval",
        "assistant.history",
        "assistant.views",
        "assistant.analysis",
    },
    "assistant.evaluate": {"assistant.core", "assistant.models", "assistant.store", "assistant.answering"},
    "assistant.web": {
        "assistant.core",
        "assistant.store",
        "assistant.retrieval",
        "assistant.answering",
        "assistant.history",
        "assistant.accounts",
        "assistant.views",
        "ingest",
    },
    "assistant.cli": {
        "assistant.core",
        "assistant.models",
        "assistant.answering",
        "assistant.evaluate",
        "assistant.history",
        "assistant.accounts",
        "assistant.views",
        "assistant.server",
        "ingest",
    },
    "assistant.default": {"assistant.core", "assistant.answering", "ingest"},
    "assistant.api": {
        "assistant.core",
        "assistant.store",
        "assistant.answering",
        "assistant.history",
        "assistant.accounts",
        "ingest",
    },
    "assistant.server": {
        "assistant.core",
        "assistant.accounts",
        "assistant.answering",
        "assistant.store",
        "assistant.api",
        "assistant.web",
        "ingest",
    },
    "assistant.langchain": {"assistant.core", "assistant.retrieval", "assistant.answering"},
    "assistant.__main__": {"assistant.cli"},
    "ingest": {"assistant.core", "assistant.models", "assistant.store", "assistant.analysis"},
}


def _room(module: str) -> str:
    """The room a dotted module name lives in: ``assistant.answering.extractive.slot`` → ``assistant.answering``."""
    parts = module.split(".")
    return parts[0] if parts[0] == "ingest" else ".".join(parts[:2])


def _imports(path: Path) -> set[str]:
    """Every module of ours ``path`` imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.update(n for n in names if n.split(".")[0] in {"assistant", "ingest"} and n != "assistant")
    return found


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in ("assistant", "ingest"):
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
            found.append((dotted, path))
    return found


def test_public_face_is_short_sorted_and_resolves() -> None:
    assert assistant.__all__ == PUBLIC == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(assistant, name) is not None
    assert set(PUBLIC) <= set(dir(assistant))


def test_public_face_is_lazy() -> None:
    code = (
        "import sys\nfrom assistant import Answer, AttacheError, Citation, Filters, Passage, Settings, TextEvent\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_unknown_public_name_is_an_attribute_error() -> None:
    try:
        assistant.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_imports_run_one_way() -> None:
    wrong = []
    for module, path in _modules():
        room = _room(module)
        if room == "assistant.__init__":
            continue
        assert room in ALLOWED, f"{module}: a new room? add it to ALLOWED and docs/architecture.md"
        for imported in _imports(path):
            target = _room(imported)
            if target != room and target not in ALLOWED[room]:
                wrong.append(f"{module} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_every_room_is_documented() -> None:
    architecture = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for module, path in _modules():
        if path.name != "__init__.py":
            assert path.relative_to(REPO_ROOT).as_posix() in architecture, f"{module} is not in docs/architecture.md"
