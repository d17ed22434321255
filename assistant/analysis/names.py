"""Who is who in one article: people's full names and roles, so "Kritenbrink" reads as "Daniel Kritenbrink, the
Department of State's top diplomat for East Asia".

A name is a run of capitalised words ("Kurt Campbell", "Qin Gang", "Jean-Pierre"); a title in front of it ("Chinese
Foreign Minister Qin Gang", "Department of State spokesman Matthew Miller") or an appositive after it ("Daniel
Kritenbrink, the Department of State's top diplomat for East Asia,") is its role. Only the article itself is used:
a surname the article never gives in full stays a surname.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.gazetteer import is_country_word


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a capitalised run a title rather than part of a name (lower-cased).
ROLE_WORDS = _words(
    """
    president vice prime minister secretary chancellor premier king queen prince princess emperor pope
    ambassador envoy spokesman spokeswoman spokesperson coordinator adviser advisor director chief head
    leader senator sen rep representative congressman congresswoman governor gov mayor general gen admiral
    adm colonel col commander lt lieutenant captain capt sergeant officer official diplomat chairman
    chairwoman chair speaker deputy undersecretary under assistant counselor counsellor attorney justice
    judge commissioner governor-general foreign defense defence interior finance trade state national
    security council press house majority minority whip leader ceo founder analyst professor prof dr mr mrs
    ms sir lord lady dame sheikh crown supreme ayatollah correspondent reporter editor host presidential
    secretary-general general-secretary
    """
)
HONORIFICS = _words("mr mrs ms dr sir prof president sen rep gov gen")
# Capitalised runs naming an institution or a document, never a person.
ORG_WORDS = _words(
    """
    department ministry house office council agency government kremlin pentagon embassy nato un eu
    commission committee administration bureau parliament congress senate court party army navy force forces
    military organization organisation union nations command authority authorities foundation institute
    university company bank fund group police statement readout spokesperson's times post news cnn reuters
    associated press ap afp bbc xinhua tass usa today
    """
)
# Capitalised words that start sentences or name days and months, never a person.
NOT_NAMES = _words(
    """
    the a an in on at of for and but or if as by to from with after before during this that these those it
    its he she they we i you his her their our there here when while where what who how why however
    meanwhile monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec us u.s.
    uk u.k. china chinese russia russian ukraine ukrainian american americans british france french germany
    german israel israeli iran iranian india indian japan japanese taiwan beijing washington moscow kyiv
    london paris tehran gaza europe european western eastern north south east west asia africa
    """
)

_WORD = (
    r"(?:(?:Mr|Mrs|Ms|Dr|Jr|Sr|St|Sen|Rep|Gov|Gen|Lt|Col|Capt|Adm|Prof)\.|(?:[A-Z]\.){2,}|[A-Z]\.(?=\s+[A-Z][a-z])"
    r"|[A-Z][\w’'-]*[\w]|[A-Z])"
)
_PARTICLE = r"(?:de|da|del|van|von|der|den|bin|al|el|la|le|di|du|dos|ibn)"
# A capitalised run: words starting with a capital, joined by spaces, with name particles allowed inside.
CAP_RUN = re.compile(rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD})*")
_APPOSITIVE = re.compile(
    r",\s+((?:the|a|an|[A-Z][\w’'-]*’s|[A-Z][\w’'-]*'s|his|her|who|[A-Z])[^,;“”\"()]{2,140}?)(?:,|\.(?:\s|$))"
)
# "Bolton – an expert on North Korea – said": the same between dashes
_DASH_APPOSITIVE = re.compile(
    r"\s+[–—−]\s+((?:the|a|an|[A-Z][\w’'-]*’s|[A-Z][\w’'-]*'s|his|her)\s[^,;“”\"()–—−]{2,140}?)\s+[–—−]\s"
)
# "Sudavia's foreign minister, Piet Varga,": a role, a comma, then the name.
_ROLE_COMMA = re.compile(r"((?:[A-Z][\w’'-]*’s|[A-Z][\w’'-]*'s|the|The)\s+[\w’' -]{2,60}),\s+$")
_TITLE_BEFORE = re.compile(r"([\w’'-]+(?:\s+[\w’'-]+){0,7})\s+$")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str = ""


def _clean(word: str) -> str:
    return possessive_off(word).strip(".,’'").lower()


def possessive_off(word: str) -> str:
    return re.sub(r"[’']s$", "", word)


def is_possessive(phrase: str) -> bool:
    return bool(re.search(r"[’']s$", phrase.strip()))


def _not_a_name_word(word: str) -> bool:
    return _clean(word) in NOT_NAMES or _clean(word) in ORG_WORDS or is_country_word(possessive_off(word).strip(".,"))


def split_title(run: str) -> tuple[str, str]:
    """``"White House Indo-Pacific Coordinator Kurt Campbell"`` → (name ``"Kurt Campbell"``, title ``"White House
    Indo-Pacific Coordinator"``); the name is the trailing words that are not title words."""
    words = run.split()
    cut = len(words)
    while cut > 0 and _clean(words[cut - 1]) not in ROLE_WORDS and _clean(words[cut - 1]) not in ORG_WORDS:
        cut -= 1
    name_words = [w for w in words[cut:] if _clean(w) not in HONORIFICS]
    return " ".join(name_words).strip(" ,"), " ".join(words[:cut])


def is_org(phrase: str) -> bool:
    return any(_clean(w) in ORG_WORDS for w in phrase.split())


def looks_like_name(name: str) -> bool:
    """A person's name: at most five words, none of them a stopword, weekday, month, place or institution."""
    words = name.split()
    return 0 < len(words) <= 5 and not any(_not_a_name_word(w) for w in words)


def _title_before(text: str, start: int) -> str:
    """A lower-case title just before a name ("Department of State spokesman Matthew Miller", "Sudavia's foreign
    minister, Piet Varga")."""
    window = text[max(0, start - 80) : start]
    comma = _ROLE_COMMA.search(window)
    if comma and any(_clean(w) in ROLE_WORDS for w in comma.group(1).split()[-2:]):
        return comma.group(1).strip()
    window = re.split(r"[,;:.()“”\"\n]|\band\b|\bwith\b|\bby\b", window)[-1]
    words = window.split()
    while words and _clean(words[0]) in {"the", "a", "an", "said", "says", "told", "added", "according", "to"}:
        words = words[1:]
    if words and any(_clean(w) in ROLE_WORDS for w in words[-2:]):
        return " ".join(words)
    return ""


def role_at(text: str, start: int, end: int) -> str:
    """The role ``text`` gives the name at ``text[start:end]``: a title before it ("spokesman Matthew Miller"), or an
    appositive after it ("Bolton, a former national security adviser, …", "Bolton – an expert on North Korea –")."""
    return _title_before(text, start) or People._appositive(text, end)


class People:
    """The people an article names, by surname: the fullest name and the first role the article gives."""

    def __init__(self, text: str) -> None:
        self._by_surname: dict[str, Person] = {}
        for match in CAP_RUN.finditer(text):
            name, title = split_title(match.group())
            words = name.split()
            while words and _clean(words[0]) in NOT_NAMES:
                words = words[1:]
            if words:
                words[-1] = possessive_off(words[-1])
            if len(words) < 2 or not looks_like_name(" ".join(words)):
                continue
            role = title or _title_before(text, match.start()) or self._appositive(text, match.end())
            self._add(" ".join(words), role)
        # a role given only at a later mention by surname ("according to Bolton, a former national security
        # adviser, …", "Bolton – an expert on North Korea – said")
        for match in CAP_RUN.finditer(text):
            surname = _clean(possessive_off(match.group()))
            known = self._by_surname.get(surname)
            if known is None or known.role or " " in match.group().strip():
                continue
            role = role_at(text, match.start(), match.end())
            if role:
                self._by_surname[surname] = Person(known.name, role)

    @staticmethod
    def _appositive(text: str, end: int) -> str:
        found = _APPOSITIVE.match(text, end) or _DASH_APPOSITIVE.match(text, end)
        if not found:
            return ""
        role = found.group(1).strip()
        return role if not role.lower().startswith("who") else ""

    def _add(self, name: str, role: str) -> None:
        surname = _clean(name.split()[-1])
        known = self._by_surname.get(surname)
        if known is None or (not known.role and role and known.name == name):
            self._by_surname[surname] = Person(name, role)

    def resolve(self, name: str, role: str = "") -> Person:
        """The article's fullest form of ``name`` (matched by surname) and its role."""
        words = name.split()
        if not words:
            return Person("", role)
        known = self._by_surname.get(_clean(words[-1]))
        if known is None and len(words) == 1:
            known = self._by_given(_clean(words[0]))
        if known is not None and (len(words) == 1 or known.name.endswith(name) or name.endswith(known.name)):
            return Person(known.name, role or known.role)
        return Person(name, role)

    def people(self) -> list[Person]:
        """Everyone the article names, each with the first role it gives them ("" when none)."""
        return list(self._by_surname.values())

    def _by_given(self, word: str) -> Person | None:
        """The one person whose first name is ``word`` (a family name first: "Qin" of "Qin Gang")."""
        found = [p for p in self._by_surname.values() if _clean(p.name.split()[0]) == word]
        return found[0] if len(found) == 1 else None

    def surnames(self) -> set[str]:
        return set(self._by_surname)

    def surname_of(self, name: str) -> str:
        words = name.split()
        return _clean(words[-1]) if words else ""
