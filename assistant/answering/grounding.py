"""Every answer sentence checked against its citations: supported / weak / unsupported, with repair.

Support of a sentence by a passage is scored on the passage's best-matching sentence window (one or two
consecutive source sentences): content-word recall (how much of what the sentence says is in the quote),
embedding similarity, and hard checks on what the sentence states, against the window and the sentence before
it (its context):

- numbers (digits and number words) and dates (months, weekdays) must be in the context: "12 ships" vs "21
  ships", "on Thursday" vs "on Tuesday", "four officials" vs none named;
- names must be in the context: one the passage never mentions is a wrong name ("Tibet" for "Taiwan", "Admiral
  Kim" for "Admiral Lee"), one from elsewhere in the passage a swap ("Kritenbrink added" over a window quoting
  Campbell); countries match by name, adjective or capital ("Washington" is "the US", via the gazetteer), and
  are exempt from the context rule, since the countries a story is about run through all of it;
- the subject of a reporting verb ("said", "accused", "warned") must be one the source sentence gives that verb
  ("China accused the US" over "the US accused China"; "Qin said" over "... Miller said");
- no term negated on one side only ("expected a breakthrough" vs "not going ... for a breakthrough").

A sentence failing a check on its best window is unsupported, unless another window of the passage supports it
outright; a sentence citing several passages may instead have each clause supported by one of them. An optional
judge (the generative backend's model, ``prompts/entailment.md``) settles the weak cases. Measured on realistic
answers with planted errors by ``bench/replay.py`` (``docs/answering.md``).

Repair: an unsupported sentence whose claim another retrieved passage supports is re-cited to it; one that
no passage supports is dropped or kept and marked (``grounding_unsupported``), never silently kept.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from assistant.answering.vectors import Run, SentenceVectors
from assistant.core.gazetteer import countries_in, without_countries
from assistant.core.lexical import STOPWORDS, content_stems, stem, tokens
from assistant.core.sentences import sentence_spans
from assistant.core.settings import GroundingSettings
from assistant.core.types import Chunk, Citation, Passage, Sentence
from assistant.models.embedders import Embedder, Vectors

SUPPORTED, WEAK, UNSUPPORTED = "supported", "weak", "unsupported"
_MARKER = re.compile(r"\s*\[\d+\]")
_NUMBER = re.compile(r"\d[\d,.]*")
# a negation and its scope, to the end of the clause: "did not specify which officials"
_NEGATION = re.compile(
    r"\b(?:not(?! only\b)|no|never|nor|neither|without|none|rather than|instead of|"
    r"(?:fail|refus|declin)(?:ed|es|e|ing|s)? to)\b"
    r"|n[’']t\b",
    re.I,
)
_CLAUSE_END = re.compile(r"[,;:.!?()]|\s(?:but|while|whereas)\s")
# "one" is mostly a pronoun ("one another"); "the two countries" restates the parties, it counts nothing
_NUMBER_WORDS = dict(
    zip(
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty"],
        ["2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "20"],
        strict=True,
    )
) | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"}
_NUMBER_WORD = re.compile(r"(?<!\bthe )\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_MONTHS = ["january", "february", "march", "april", "june", "july", "august", "september", "october", "november"]
_DATE_WORDS = frozenset(
    [*_MONTHS, "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)  # "May" is a month and a verb: it is checked as a name when capitalised mid-sentence
# "Feb. 7" is February 7 (capitalised, as news styles them; "Sept" and "Sep" both)
_MONTH_ABBREVIATIONS = {
    "jan": "january", "feb": "february", "apr": "april", "aug": "august", "sep": "september",
    "sept": "september", "oct": "october", "nov": "november", "dec": "december",
}  # fmt: skip
_OPENING = re.compile(r"\b([A-Za-z]+)[.!?]\s+(?=[A-Z])")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "lt", "col", "capt", "adm", "prof", "jr", "sr"}
    | {"mar", "jun", "jul", "inc", "corp", "co", "ltd"}
    | _MONTH_ABBREVIATIONS.keys()
)


def _openings(text: str) -> list[str]:
    """``text`` cut where a sentence inside it opens ("No. According to …"), not after "Mr." or "Feb."."""
    cuts = [m.end() for m in _OPENING.finditer(text) if m.group(1).lower() not in _ABBREVIATIONS]
    return [text[a:b] for a, b in itertools.pairwise([0, *cuts, len(text)])]


# Capitals that news uses for their governments, beyond those of the gazetteer ("Beijing said" is China said).
_METONYMS = {
    "Washington": "United States",
    "Beijing": "China",
    "Tokyo": "Japan",
    "Seoul": "South Korea",
    "Pyongyang": "North Korea",
    "Taipei": "Taiwan",
    "Tehran": "Iran",
    "New Delhi": "India",
    "Paris": "France",
    "Berlin": "Germany",
    "Ankara": "Turkey",
}
_METONYM = re.compile(r"\b(" + "|".join(_METONYMS) + r")\b")


def _verb(word: str) -> str:
    """The stem of a verb form, irregular pasts joined to their verb ("said" is "say")."""
    return stem({"said": "say", "told": "tell"}.get(word.lower(), word))


# Verbs that attribute words or acts to someone (their subject is who said or did it), as stems: "warned",
# "says", "accusing". Verbs only: "call", "claim", "state" are as often nouns ("the Qin call").
_REPORTING = frozenset(
    map(
        _verb,
        "say tell warn accuse stress add urge argue announce deny confirm insist describe advocate agree "  # noqa: SIM905
        "emphasise emphasize threaten propose reject criticise criticize condemn ask".split(),
    )
)
_SUBJECT_REACH = 12  # a source's words before a verb where its subject (with an apposition) is looked for
_CLAIM_SUBJECT_REACH = 4  # the same in a claim, which states its subject plainly
_MIN_CLAIM_WORDS = 3
_CLAUSE_JOIN = re.compile(r"\s*(?:;|,? and |, while |, but |, whereas | — )\s*")

Judge = Callable[[str, str], bool | None]  # (sentence, quote) → entailed? None when undecided


@dataclass(frozen=True, slots=True)
class Support:
    score: float
    verdict: str
    quote: str
    start: int  # article offsets of the quote
    end: int


@lru_cache(maxsize=4096)
def _polarity(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(stems stated only under a negation, stems stated only without one) of ``text``."""
    negated: set[str] = set()
    plain_text, cursor = [], 0
    for match in _NEGATION.finditer(text):
        if match.start() < cursor:
            continue
        end = _CLAUSE_END.search(text, match.end())
        stop = end.start() if end else len(text)
        negated |= set(content_stems(text[match.end() : stop]))
        plain_text.append(text[cursor : match.start()])
        cursor = stop
    plain = set(content_stems(" ".join([*plain_text, text[cursor:]])))
    return frozenset(negated - plain), frozenset(plain - negated)


@lru_cache(maxsize=4096)
def _numbers(text: str) -> frozenset[str]:
    """Numbers in digits or words ("12", "twelve"), and month and weekday names."""
    found = {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w.lower()] for w in _NUMBER_WORD.findall(text)}
    words = {_MONTH_ABBREVIATIONS.get(t.lower(), t.lower()) if t[:1].isupper() else t.lower() for t in tokens(text)}
    return frozenset(found | (words & _DATE_WORDS))


@lru_cache(maxsize=4096)
def _countries(text: str) -> tuple[frozenset[str], str]:
    """The countries ``text`` names, as ``@index`` (by name, adjective or capital: "American" and "Washington"
    are the US), and the text without them."""
    text = _METONYM.sub(lambda m: _METONYMS[m.group(1)], text)
    return frozenset(f"@{i}" for i in countries_in(text)), without_countries(text)


def _name_keys(text: str, known: frozenset[str] = frozenset(), opening: bool = True) -> set[str]:
    """What ``text`` names: its countries, and stems of its other capitalised words. An ``opening`` word counts
    only when ``known`` holds its stem (a name the evidence uses mid-sentence: "Kritenbrink added ...", not
    "Officials said ...")."""
    countries, rest = _countries(text)
    found = set(countries)
    for piece in _openings(rest):  # "No. According to …": a word after a full stop opens a sentence too
        for i, token in enumerate(tokens(piece)):
            lower = token.lower()
            if not token[0].isupper() or len(token) < 2 or lower in STOPWORDS or lower in _DATE_WORDS:
                continue
            if lower in _MONTH_ABBREVIATIONS:  # checked as a date
                continue
            if i > 0 or not opening or stem(token) in known:
                found.add(stem(token))
    return found


@lru_cache(maxsize=4096)
def _keys(text: str) -> frozenset[str]:
    """Every word stem of ``text`` and the countries it names: what a name of a claim is looked up in."""
    return frozenset({stem(t) for t in tokens(text)} | _countries(text)[0])


@lru_cache(maxsize=4096)
def _known_names(text: str) -> frozenset[str]:
    """The non-country names ``text`` uses inside its sentences."""
    found: set[str] = set()
    for span in sentence_spans(text):
        found |= {k for k in _name_keys(span.of(text)) if not k.startswith("@")}
    return frozenset(found)


def _subjects(sentence: str, verb: str, known: frozenset[str]) -> list[set[str]]:
    """For each occurrence of ``verb`` in ``sentence``: the names shortly before it and those opening the
    sentence (its subject: "China took ..., saying that ...")."""
    out, words = [], tokens(sentence)
    for i in (i for i, word in enumerate(words) if _verb(word) == verb):
        first = max(0, i - _SUBJECT_REACH)
        opening = _name_keys(" ".join(words[: min(i, _CLAIM_SUBJECT_REACH)]), known)
        if names := _name_keys(" ".join(words[first:i]), known, opening=first == 0) | opening:
            out.append(names)
    return out


def _swapped_subject(claim: str, context: str, source: str, known: frozenset[str]) -> bool:
    """True when a reporting verb of the claim has a subject the context names, but the source sentence never
    gives that verb that subject ("China accused the US" over "the US accused China"; "Qin said" over "Miller
    said"). The claim's subject: the names in the few words before the verb, within its clause."""
    present = _keys(context)
    for match in re.finditer(r"[A-Za-z][\w'’-]*", claim):
        verb = _verb(match.group())
        if match.start() == 0 or match.group()[0].isupper() or verb not in _REPORTING:
            continue
        before = claim[: match.start()]
        clause = re.split(r"[,;:(]", before)[-1]
        words = tokens(clause)[-_CLAIM_SUBJECT_REACH:]
        opening = len(tokens(clause)) == len(tokens(before)) and len(words) == len(tokens(clause))
        mine = _name_keys(" ".join(words), known, opening=opening) & present
        if mine and (theirs := _subjects(source, verb, known)) and not any(mine & t for t in theirs):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Window:
    text: str
    start: int  # article offsets
    end: int
    context: str  # the window and the sentence before it: where a claim's facts must be
    sentences: tuple[str, ...]  # the window's sentences
    run: tuple[int, int] = (-1, -1)  # its first and last sentence's indexes in the chunk (none: the whole chunk)


def _windows(passage: Passage) -> list[_Window]:
    """Single sentences and pairs of consecutive sentences of the passage, with article offsets."""
    chunk = passage.chunk
    spans = sentence_spans(chunk.text)
    if not spans:
        return [_Window(chunk.text, chunk.start, chunk.end, chunk.text, (chunk.text,))]
    singles = [(i, i) for i in range(len(spans))]
    pairs = [(i, i + 1) for i in range(len(spans) - 1)]
    out = []
    for first, last in itertools.chain(singles, pairs):
        a, b, before = spans[first], spans[last], spans[max(first - 1, 0)]
        inside = tuple(s.of(chunk.text) for s in spans[first : last + 1])
        text, context = chunk.text[a.start : b.end], chunk.text[before.start : b.end]
        out.append(_Window(text, chunk.start + a.start, chunk.start + b.end, context, inside, (first, last)))
    return out


def window_runs(chunk: Chunk) -> list[tuple[int, int, str]]:
    """``(first, last, text)`` of every window the check reads in ``chunk`` (sentence indexes; a chunk without
    sentences is one window, first = -1)."""
    return [(w.run[0], w.run[1], w.text) for w in _windows(Passage(chunk, 0.0, 1))]


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a claim states that its evidence must hold: numbers and dates, names, negation, who said what."""

    claim: str
    stems: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]  # names (not countries) the passage holds somewhere
    absent_names: frozenset[str]  # names and countries the passage never mentions
    polarity: tuple[frozenset[str], frozenset[str]]
    known: frozenset[str]  # the passage's names, for telling a name from a capitalised opening word

    @classmethod
    def of(cls, claim: str, passage_text: str) -> _Facts:
        known = _known_names(passage_text)
        names = _name_keys(claim, known)
        absent = names - _keys(passage_text)
        people = frozenset(n for n in names - absent if not n.startswith("@"))
        stems = frozenset(content_stems(claim))
        return cls(claim, stems, _numbers(claim), people, frozenset(absent), _polarity(claim), known)

    def fault(self, window: _Window) -> str:
        """Why ``window`` contradicts the claim ("" when it does not): a number or date missing from it, a name
        missing from it, a term negated on one side only, or the subject of a reporting verb."""
        if self.numbers - _numbers(window.context):
            return "number"
        if self.absent_names or self.names - _keys(window.context):
            return "name"
        # "did not agree" vs "agreed": same words, opposite claim. When both sides deny the same thing, a stem
        # negated on one side only is where the negation stands ("No new dates have been announced" / "new dates
        # have not been announced"), not a contradiction; denying different things ("canceling, not postponing" /
        # "postponing, and not canceling") is one.
        negated, plain = _polarity(window.text)
        if (negated & self.polarity[1] or plain & self.polarity[0]) and not negated & self.polarity[0]:
            return "negation"
        focus = max(window.sentences, key=lambda s: len(self.stems & set(content_stems(s))))
        if _swapped_subject(self.claim, window.context, focus, self.known):
            return "subject"
        return ""


@dataclass(frozen=True, slots=True)
class Checked:
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    repaired: int
    dropped: int


class GroundingChecker:
    """Scores sentence support with lexical, number, name and embedding evidence (and an optional judge)."""

    def __init__(
        self,
        embedder: Embedder,
        settings: GroundingSettings | None = None,
        judge: Judge | None = None,
        vectors: SentenceVectors | None = None,
    ) -> None:
        self._embedder = embedder
        self._vectors = vectors or SentenceVectors(embedder)
        settings = settings or GroundingSettings()
        self._supported_at, self._weak_at = settings.supported_at, settings.weak_at
        self._weights = settings.weight_lexical, settings.weight_dense
        self._judge = judge

    def support(self, sentence: str, passage: Passage, within: tuple[int, int] | None = None) -> Support:
        """How well ``passage`` supports ``sentence``; ``within`` (article offsets) limits the search to the windows
        overlapping a span already known to hold the claim (an extractive answer's own quote)."""
        claim = _MARKER.sub("", sentence).strip()
        windows = _windows(passage)
        if within is not None:
            windows = [w for w in windows if w.start < within[1] and within[0] < w.end] or windows
        wanted = set(content_stems(claim))
        if len(wanted) < _MIN_CLAIM_WORDS:  # "The answer is:", a cut-off fragment: nothing checkable
            chunk = passage.chunk
            return Support(0.0, UNSUPPORTED, chunk.text[:0], chunk.start, chunk.start)
        lexical = np.array([len(wanted & set(content_stems(w.text))) / (len(wanted) or 1) for w in windows])
        dense = self._similarities(claim, passage, windows, within)
        scores = self._weights[0] * lexical + self._weights[1] * np.clip(dense, 0.0, 1.0)
        passage_text = passage.chunk.text + " " + passage.chunk.title
        claim_facts = _Facts.of(claim, passage_text)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        best, fault = order[0], claim_facts.fault(windows[order[0]])
        if fault:  # the best-matching text contradicts the claim: only a window supporting it outright will do
            best = next(
                (i for i in order[1:] if scores[i] >= self._supported_at and not claim_facts.fault(windows[i])), best
            )
            fault = fault if best == order[0] else ""
        window, score = windows[best], float(scores[best])
        verdict = SUPPORTED if score >= self._supported_at else WEAK if score >= self._weak_at else UNSUPPORTED
        if fault:
            verdict, score = UNSUPPORTED, min(score, self._weak_at - 0.01)
        if verdict == WEAK and self._judge is not None:
            decided = self._judge(claim, window.text)
            if decided is not None:
                verdict = SUPPORTED if decided else UNSUPPORTED
        return Support(score, verdict, window.text, window.start, window.end)

    def _similarities(
        self, claim: str, passage: Passage, windows: list[_Window], within: tuple[int, int] | None
    ) -> Vectors:
        """Cosine of the claim to each window: windows from the chunk's stored sentence states when it has them,
        and a claim that is the chunk's own sentence (``within`` covers exactly one) likewise; else embedded."""
        chunk = passage.chunk
        runs = [Run(chunk, *w.run, w.text) if w.run[0] >= 0 else Run(chunk, 0, -1, w.text) for w in windows]
        own = next((i for i, w in enumerate(windows) if within == (w.start, w.end) and w.run[0] == w.run[1]), None)
        if not self._vectors.stored:
            embedded = self._embedder.embed_documents([claim] + [w.text for w in windows])
            vectors, claim_vector = embedded[1:], embedded[0]
        else:
            vectors = self._vectors.vectors(runs)
            claim_vector = vectors[own] if own is not None else self._embedder.embed_query(claim)
        similarities: Vectors = vectors @ claim_vector
        return similarities

    def check(
        self,
        sentences: Sequence[Sentence],
        passages: Sequence[Passage],
        drop_unsupported: bool = True,
    ) -> Checked:
        """Verdicts for every sentence, repaired citations; returns (sentences, citations, repaired, dropped)."""
        by_rank = {p.rank: p for p in passages}
        kept: list[Sentence] = []
        citations: list[Citation] = []
        repaired = dropped = 0
        for sentence in sentences:
            verdicts = {n: self.support(sentence.text, by_rank[n]) for n in sentence.citations if n in by_rank}
            good = {n: s for n, s in verdicts.items() if s.verdict != UNSUPPORTED}
            if not good and len(verdicts) > 1:
                good = self._by_clause(sentence.text, {n: by_rank[n] for n in verdicts})
            if not good:
                alternative = self._best_other(sentence.text, passages, exclude=set(verdicts))
                if alternative is not None:
                    number, found = alternative
                    sentence = replace(sentence, text=_recite(sentence.text, number), citations=(number,))
                    good = {number: found}
                    repaired += 1
            if not good:
                if drop_unsupported:
                    dropped += 1
                    continue
                best = max(verdicts.values(), key=lambda s: s.score, default=None)
                kept.append(replace(sentence, verdict=UNSUPPORTED, support=best.score if best else 0.0))
                continue
            weakest = min(good.values(), key=lambda s: s.score)
            verdict = SUPPORTED if all(s.verdict == SUPPORTED for s in good.values()) else WEAK
            kept.append(replace(sentence, citations=tuple(good), verdict=verdict, support=round(weakest.score, 3)))
            citations += [Citation(n, by_rank[n], s.quote, s.start, s.end, s.verdict) for n, s in good.items()]

        return Checked(tuple(kept), tuple(citations), repaired, dropped)

    def annotate(
        self, sentences: Sequence[Sentence], citations: Sequence[Citation]
    ) -> tuple[tuple[Sentence, ...], tuple[Citation, ...]]:
        """Verdicts for extractive answers, whose sentence i is the verbatim quote of citation i: no repair."""
        out_sentences, out_citations = [], []
        for sentence, citation in zip(sentences, citations, strict=True):
            # the quote's own sentence and its two pairs, not every window of the passage: the best window for a
            # verbatim quote is one holding it, and embedding the rest was most of an offline answer's time
            found = self.support(sentence.text, citation.passage, (citation.start, citation.end))
            out_sentences.append(replace(sentence, verdict=found.verdict, support=round(found.score, 3)))
            out_citations.append(replace(citation, verdict=found.verdict))
        return tuple(out_sentences), tuple(out_citations)

    def _by_clause(self, sentence: str, cited: dict[int, Passage]) -> dict[int, Support]:
        """A sentence citing several passages may join what each says ("X [1]; Y [2]"): each clause must be
        supported by one of them. Returns the supporting citations, or nothing when a clause is unsupported."""
        clauses = [
            c for c in _CLAUSE_JOIN.split(_MARKER.sub("", sentence)) if len(content_stems(c)) >= _MIN_CLAIM_WORDS
        ]
        if len(clauses) < 2:
            return {}
        good: dict[int, Support] = {}
        for clause in clauses:
            found = {n: self.support(clause, passage) for n, passage in cited.items()}
            n, best = max(found.items(), key=lambda item: item[1].score)
            if best.verdict == UNSUPPORTED:
                return {}
            good[n] = min(best, good.get(n, best), key=lambda s: s.score)
        return good

    def _best_other(self, sentence: str, passages: Sequence[Passage], exclude: set[int]) -> tuple[int, Support] | None:
        best: tuple[int, Support] | None = None
        for passage in passages:
            if passage.rank in exclude:
                continue
            found = self.support(sentence, passage)
            if found.verdict == SUPPORTED and (best is None or found.score > best[1].score):
                best = (passage.rank, found)
        return best


def _recite(text: str, number: int) -> str:
    """The sentence with its markers replaced by ``[number]`` (before the final punctuation)."""
    bare = _MARKER.sub("", text).rstrip()
    match = re.search(r"[.!?]+[\"'”’)]*$", bare)
    if match:
        return f"{bare[: match.start()]} [{number}]{match.group()}"
    return f"{bare} [{number}]"
