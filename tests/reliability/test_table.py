"""The docs/reliability.md table script: every family's figure in one row, written between the markers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability import table


def _figures(folder: Path) -> None:
    folder.mkdir()
    for _, _, family, parts in table.FAMILIES:
        for part in parts:
            entry = {"figure": f"{family} {part} | ok", "recorded": "2026-12-01T10:00:00", "machine": "m"}
            (folder / f"{family}.{part}.json").write_text(json.dumps(entry))


def test_table_has_a_row_per_family_and_replaces_only_its_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table, "ARTIFACTS", tmp_path / "figures")
    _figures(tmp_path / "figures")
    page = tmp_path / "reliability.md"
    page.write_text(f"# Title\n\n{table.START}\nold\n{table.END}\n\nafter\n", encoding="utf-8")
    table.main(["--write", str(page)])
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n") and text.endswith(f"{table.END}\n\nafter\n") and "old" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(table.FAMILIES) == 7
    assert "| Crash safety | crash 1-ingest \\| ok; crash 2-replace \\| ok; crash 3-delete \\| ok |" in text
    assert "`pytest tests/reliability/test_secrets.py tests/reliability/test_web.py`" in text
    assert "Measured 2026-12-01 on m by `make reliability`." in text


def test_a_missing_figure_is_an_error_not_a_blank_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "ARTIFACTS", tmp_path / "figures")
    _figures(tmp_path / "figures")
    (tmp_path / "figures" / "load.1-concurrent.json").unlink()
    with pytest.raises(SystemExit, match=r"no figure load\.1-concurrent\.json"):
        table.table()
