"""Prompt files from ``prompts/``, loaded by name."""

from __future__ import annotations

from functools import cache

from assistant.core.errors import ConfigError
from assistant.core.settings import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"


@cache
def load_prompt(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"no prompt named {name!r} in {PROMPTS_DIR}")
    return path.read_text(encoding="utf-8")
