"""Prompt files from ``prompts/`` (in a checkout, or packaged in the wheel), loaded by name."""

from __future__ import annotations

from functools import cache

from assistant.core.errors import ConfigError
from assistant.core.resources import data_dir

PROMPTS_DIR = data_dir("prompts")


@cache
def load_prompt(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"no prompt named {name!r} in {PROMPTS_DIR}")
    return path.read_text(encoding="utf-8")
