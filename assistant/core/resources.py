"""Where the prompts and the seed articles are, in a checkout and in an installed wheel.

The repository's top-level ``prompts/`` and ``seeds/`` are their only copies. ``assistant/data/prompts`` and
``assistant/data/seeds`` are symlinks to them: setuptools follows the links, so a wheel (and an sdist) carries
the files themselves under ``assistant/data/``, and a checkout (``pip install -e .``) reads the top level through
them. Where a checkout lost its symlinks (git with ``core.symlinks=false``), the top-level folder is read directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

PACKAGE = Path(__file__).resolve().parents[1]


def data_dir(name: Literal["prompts", "seeds"]) -> Path:
    """The folder of ``name``: the checkout's top-level one (the symlink resolved), or the wheel's copy."""
    packaged = (PACKAGE / "data" / name).resolve()
    return packaged if packaged.is_dir() else PACKAGE.parent / name
