"""Country names and their demonyms: how the answerer tells that a sentence names a country.

The table is ``countries.tsv`` beside this module: one line a country, its names, adjectives and capital
metonyms separated by tabs. A sentence names a country when it holds any of them as whole words ("British"
names the United Kingdom, "Thai" names Thailand).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def _lines() -> tuple[tuple[str, ...], ...]:
    text = resources.files("assistant.core").joinpath("countries.tsv").read_text(encoding="utf-8")
    return tuple(tuple(line.split("\t")) for line in text.splitlines() if line.strip())


@cache
def _pattern() -> re.Pattern[str]:
    names = sorted({name for line in _lines() for name in line}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


@cache
def _country_of() -> dict[str, int]:
    return {name.lower(): i for i, line in enumerate(_lines()) for name in line}


def countries_in(text: str) -> set[int]:
    """The countries ``text`` names (as indices into the table), by name, adjective or capital metonym."""
    index = _country_of()
    return {index[m.group(1).lower()] for m in _pattern().finditer(text)}


def is_country_word(word: str) -> bool:
    return word.lower() in _country_of()


def without_countries(text: str) -> str:
    """``text`` with every country name, adjective and capital metonym blanked out."""
    return _pattern().sub(" ", text)


_GENERIC = {"city", "town", "port", "san", "santo", "saint", "st", "new", "the", "el", "la", "of", "de", "do", "da"}


@cache
def capital_aliases() -> dict[str, tuple[str, ...]]:
    """Each word of a capital (``capitals.tsv``, from GeoNames) → the one-word names and adjectives of its country:
    "caracas" → ("venezuela", "venezuelan", "venezuelans"). Generic words of a capital's name ("City") are left out."""
    lines = {line[0]: line for line in _lines()}
    text = resources.files("assistant.core").joinpath("capitals.tsv").read_text(encoding="utf-8")
    aliases: dict[str, tuple[str, ...]] = {}
    for row in text.splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        capital, country = row.split("\t")
        names = tuple(n.lower() for n in lines.get(country, (country,)) if " " not in n)
        for word in capital.lower().replace("-", " ").split():
            if word not in _GENERIC and names:
                aliases.setdefault(word, names)
    return aliases

