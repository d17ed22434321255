"""Each reliability family records its figure as JSON in ``tests/artifacts/reliability/`` (git-ignored).

``python -m tests.reliability.table`` turns those files into the table of docs/reliability.md.
"""

from __future__ import annotations

import json
import math
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import MEASURED

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "reliability"


def record(family: str, part: str, figure: str, **data: Any) -> None:
    """Write ``<family>.<part>.json``: the one-line figure and the numbers behind it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    entry = {
        "family": family,
        "part": part,
        "figure": figure,
        "data": data,
        "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    (ARTIFACTS / f"{family}.{part}.json").write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")
    MEASURED[f"reliability {family}/{part}"] = figure


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
    return ordered[rank - 1]
