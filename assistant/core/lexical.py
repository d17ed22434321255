"""Light lexical analysis: stems, salient question terms, named-entity-like terms.

Deliberately simple and language-model free: used to score sentences, to tell whether the
sources mention what a question asks about, and (later) by the grounding check.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from bm25s.stopwords import STOPWORDS_EN_PLUS

from assistant.core.gazetteer import capital_aliases

# Function words NLTK's English list (bm25s' ``STOPWORDS_EN_PLUS``) leaves out: modal verbs, "also", "yet",
# "per", "via", "upon", "whose", "one". Left in, "Could the talks fail?" would ask the sources for "could".
EXTRA_STOPWORDS = frozenset(
    ["also", "could", "may", "might", "must", "one", "ought", "per", "shall", "upon", "via", "whose", "would", "yet"]
)
# What the sentence-level checks drop: NLTK's English stopwords as bm25s ships them, plus the words above.
# BM25 drops only bm25s' short list (``"en"``, a subset of this one) and lets idf discount the rest.
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | EXTRA_STOPWORDS

# Words that frame a question rather than name its topic.
QUESTION_FRAME = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "tell",
        "say",
        "said",
        "says",
        "saying",
        "according",
        "article",
        "articles",
        "source",
        "sources",
        "text",
        "passage",
        "describe",
        "explain",
        "mention",
        "mentioned",
        "mentions",
        "report",
        "reported",
        "reports",
        "give",
        "list",
        "name",
        "named",
        "happen",
        "happened",
        "happens",
        "kind",
        "sort",
        "type",
        "thing",
        "things",
        "please",
        "know",
        "let",
        "us",
        "ignore",
        "instructions",
        "instruction",
        "previous",
        "memory",
        "answer",
        "question",
        "another",
        "only",
        "really",
        "actually",
    ]
)

# Capitalised words that are titles, institutions or parties, not the named subject of a question.
TITLE_WORDS = frozenset(
    [
        "president",
        "prime",
        "minister",
        "secretary",
        "foreign",
        "state",
        "department",
        "senate",
        "house",
        "congress",
        "parliament",
        "government",
        "administration",
        "gop",
        "democrat",
        "democrats",
        "democratic",
        "republican",
        "republicans",
        "party",
        "leader",
        "king",
        "queen",
        "prince",
        "general",
        "ambassador",
        "chancellor",
        "official",
        "officials",
        "supreme",
        "court",
        "white",
        "national",
        "united",
        "union",
        "council",
        "summit",
        "ministry",
        "defense",
        "defence",
        "army",
        "navy",
        "the",
        "a",
        "an",
        "in",
        "on",
        "of",
        "for",
        "and",
    ]
)

# Metonyms and capitals a question may use where the article names the country ("Washington" for the US); the
# other capitals come from the gazetteer's capitals.tsv (``capital_aliases``), these win where both have one.
ALIASES: dict[str, tuple[str, ...]] = {
    "washington": ("us", "united", "america", "american"),
    "beijing": ("china", "chinese"),
    "moscow": ("russia", "russian", "kremlin"),
    "kremlin": ("russia", "russian", "moscow"),
    "kyiv": ("ukraine", "ukrainian", "kiev"),
    "kiev": ("ukraine", "ukrainian", "kyiv"),
    "london": ("britain", "british", "uk"),
    "britain": ("uk", "british", "england"),
    "uk": ("britain", "british", "united"),
    "seoul": ("korea", "korean"),
    "pyongyang": ("korea", "korean"),
    "tehran": ("iran", "iranian"),
    "jerusalem": ("israel", "israeli"),
    "brussels": ("eu", "european", "nato"),
    "ankara": ("turkey", "turkish"),
    "us": ("united", "america", "american", "washington"),
    "usa": ("us", "united", "america", "american"),
    "america": ("us", "united", "american"),
}

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]|\d[\d,.:/%]*\d|\d")
_SUFFIXES = ("ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "s")
_STEM_LENGTH = 6


def tokens(text: str) -> list[str]:
    """Word and number tokens with original case; possessives removed."""
    out = []
    for raw in _TOKEN.findall(text):
        token = raw.replace("’", "'")
        if token.lower().endswith("'s"):
            token = token[:-2]
        token = token.strip("'-")
        if token:
            out.append(token)
    return out


# Not the Snowball stemmer BM25 uses (PyStemmer): on seeds/eval (193 questions, 121 conversation turns) it moves
# answers both ways. It joins inflections this one splits (stress/stressed, stop/stopping) but splits derivations the
# six-letter cut joins (respond/response, analyst/analysis, Micronesian/Micronesia, organisation/organization):
# pass rate 59.9 -> 59.2 %, abstention recall 56.1 -> 63.4 %, conversation groundedness 99.0 -> 98.0 %. The
# answerability model's features were also fitted on these stems.
def stem(word: str) -> str:
    """A crude, stable stem: lower case, one suffix off, trailing 'e' off, at most 6 letters."""
    word = word.lower().replace("’", "'").strip("'")
    if word[:1].isdigit():
        return word.replace(",", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word[:_STEM_LENGTH]


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stopwords dropped)."""
    return [stem(t) for t in tokens(text) if t.lower() not in STOPWORDS]


def salient_terms(question: str) -> list[str]:
    """The question's topic stems: no stopwords, no question-framing words, de-duplicated."""
    seen: dict[str, None] = {}
    for token in tokens(question):
        lower = token.lower()
        if lower in STOPWORDS or lower in QUESTION_FRAME:
            continue
        seen.setdefault(stem(token), None)
    return list(seen)


def entities(question: str) -> list[list[str]]:
    """Names the question hinges on: runs of capitalised words (not titles) and numbers, as stems.

    "What did Xi Jinping tell Blinken?" → [["xi", "jinp"], ["blinke"]].
    """
    found: list[list[str]] = []
    run: list[str] = []
    for i, token in enumerate(tokens(question)):
        lower = token.lower()
        is_name = (token[0].isupper() and i > 0) or token[0].isdigit()
        if is_name and lower not in TITLE_WORDS and lower not in QUESTION_FRAME and lower not in STOPWORDS:
            run.append(stem(token))
            continue
        if run:
            found.append(run)
        run = []
    if run:
        found.append(run)
    return found


_ALIAS_STEMS = {stem(k): {stem(v) for v in vs} for k, vs in {**capital_aliases(), **ALIASES}.items()}

_TIME = re.compile(
    r"\b("
    + "(?-i:"  # names of months and days are capitalised: "may" and "march" are verbs
    + "|".join([*calendar.month_name[1:], *calendar.day_name])
    + ")"
    + r"|yesterday|today|tomorrow|(?:19|20)\d\d|\d{1,2}/\d{1,2}|(?:jan|feb|aug|sept?|oct|nov|dec)\.\s*\d{1,2})\b",
    re.I,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)\b", re.I
)
_PERSON = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")


def answer_type(question: str) -> str:
    """What kind of thing the question asks for: 'time', 'number', 'person' or ''."""
    q = question.lower()
    if re.search(
        r"\bwhen\b|what (date|day|month|year|time)|which (date|day|month|year)|"
        r"\b(?:what|how) about (?:the |its |their )?(?:dates?|timing)\b|\bwhat (?:are|were) the dates\b|"
        r"\bwhat (?:is|was) the (?:date|timing) of\b",
        q,
    ):
        return "time"
    if re.search(r"how (many|much|long|old|far)|what (number|percentage|share|amount)", q):
        return "number"
    if re.search(r"^(who|whom)\b|\bwho('s| is| was| did| will)\b", q) or re.search(
        r"which (person|official|leader|politician|spokes\w*|minister|diplomat)", q
    ):
        return "person"
    return ""


def has_answer_type(sentence: str, kind: str) -> bool:
    if kind == "time":
        return bool(_TIME.search(sentence))
    if kind == "number":
        return bool(_NUMBER.search(sentence))
    if kind == "person":
        return bool(_PERSON.search(sentence))
    return False


def mentioned(entity: list[str], evidence: set[str]) -> bool:
    """True when at least half of the entity's words (or an alias of one) occur in ``evidence``."""
    hits = 0
    for term in entity:
        if term in evidence or not _ALIAS_STEMS.get(term, set()).isdisjoint(evidence):
            hits += 1
    return hits * 2 >= len(entity)


class IdfTable:
    """Inverse document frequencies over a small pool of texts (the retrieved evidence)."""

    def __init__(self, documents: Sequence[Iterable[str]]) -> None:
        self._n = len(documents)
        self._df: Counter[str] = Counter()
        for doc in documents:
            self._df.update(set(doc))

    def idf(self, term: str) -> float:
        return math.log(1.0 + (self._n + 1) / (self._df.get(term, 0) + 0.5))

    def coverage(self, terms: Sequence[str], present: set[str], aliased: bool = False) -> float:
        """IDF-weighted share of ``terms`` found in ``present`` (1.0 when there are no terms). ``aliased``: a term
        the text lacks counts by an alias it has ("Kremlin" for "Moscow"), at the alias's own idf, never more than
        the term's (a frequent "Russian" counts for little)."""
        total = sum(self.idf(t) for t in terms)
        if total == 0:
            return 1.0
        found = 0.0
        for t in terms:
            if t in present:
                found += self.idf(t)
            elif aliased and (hits := _ALIAS_STEMS.get(t, set()) & present):
                found += min(self.idf(t), max(self.idf(a) for a in hits))
        return found / total


def folded_words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text``, accents folded ("José Ramos-Horta" → jose, ramos, horta)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)
