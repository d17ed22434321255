"""What a question's answer must contain, and whether a sentence contains it.

"Which country…", "Who…", "How many days…" ask for a thing of a kind: a country, a person, a count of days.
A sentence can only answer such a question if it holds a thing of that kind that the question does not
already name: "Putin will station nuclear weapons in which neighbouring country?" is not answered by a
sentence whose only country is Russia. This is how the LLM-free answerer tells an on-topic sentence from
an answer without a language model. Questions of other shapes ("What did Xi say?") have no slot.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from typing import Literal

from assistant.core.gazetteer import countries_in, is_country_word
from assistant.core.lexical import QUESTION_FRAME, STOPWORDS, TITLE_WORDS, stem, tokens

Kind = Literal["country", "place", "person", "name", "number", "time"]

_COUNT_WORDS = {"two": 2, "three": 3, "both": 2}
_COUNTRY = re.compile(
    r"\b(?:which|what)\s+(?:(two|three|other|neighbou?ring|european|asian|african|arab|nato|eu|member|"
    r"western|foreign|gulf|pacific|latin american|south american|central asian|baltic|nordic)\s+)*"
    r"(countr(?:y|ies)|nations?|states?)\b(?!['’]s)"
)
_PLACE = re.compile(
    r"^\W*(?:(?:and|so|but|then)\s+)?where\b|^[^,?]*,\s*where\b|\b(?:in|to|from|at)\s+where\b|"
    r"\b(?:which|what)\s+(?:\w+\s+){0,2}?"
    r"(cit(?:y|ies)|capital|town|region|province|island|port|venue|country['’]s capital|nation['’]s capital)\b"
)
_PERSON = re.compile(
    r"^\W*(?:who|whom)\b|\bwho\s+(?:is|was|did|will|has|had|would|are|were)\b|\b(?:which|what)\s+(?:\w+\s+){0,3}?"
    r"(person|people|official|leader|politician|minister|diplomat|president|senator|ambassador|candidate|"
    r"judge|general|commander|envoy|spokes\w+|secretary|chancellor|governor|mayor|lawmaker|king|queen|"
    r"prince|monarch|activist|journalist|billionaire|ceo|executive|member|successor|nominee)\b"
)
_NAME = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+){0,3}?(company|companies|firm|chain|retailer|brand|organi[sz]ation|group|"
    r"agency|bank|airline|carmaker|automaker|party|militia|network|newspaper|outlet|university|team)\b"
)
# a name where one goes, is or comes from ("a visit to London", "in the Dominican Republic")
_LOCATIVE = re.compile(
    r"\b(?:in|to|at|from|near|outside|inside|into|via|toward|towards|visit(?:s|ing|ed)?)\s+(?:(?:the|a|an)\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-?eastern|north-?western|"
    r"south-?eastern|south-?western)\s+)?"
    r"([A-Z][\w'’.-]*[A-Za-z](?:\s+[A-Z][\w'’.-]*[A-Za-z])*)"
)
# "When did…?", "On what date…?", "And when…?": a date or a time answers ("What was she carrying when she was
# arrested?" asks for no time: only a leading "when" counts)
_WHEN = re.compile(
    r"^\W*(?:(?:and|so|but|then)\s+)?(?:when\b|(?:on|by|since|until)?\s*(?:what|which)\s+(?:date|day|month|year)\b)|"
    r"^[^,?]*,\s*when\b"
)
# "When will…?", "When is it expected / scheduled / set to…?": only a sentence about what is to come answers
_WHEN_FUTURE = re.compile(
    r"\b(?:will|going to|expected|scheduled|set to|due to|plan(?:s|ned|ning)? to|slated|upcoming|next)\b"
)
_FUTURE = re.compile(
    r"\b(?:will|would|going to|expected|scheduled|set to|due to|plans?|planned|planning|slated|upcoming|next|"
    r"later|coming|soon|tomorrow)\b|['’]ll\b",
    re.I,
)
_TIME_WORDS = re.compile(
    r"\b(?:(?-i:" + "|".join([*calendar.month_name[1:], *calendar.day_name]) + r")|yesterday|today|tonight|tomorrow|"
    r"(?:19|20)\d\d|\d{1,2}/\d{1,2}|(?:jan|feb|aug|sept?|oct|nov|dec)\.\s*\d{1,2}|"
    r"(?:last|next|this|coming|earlier this|later this)\s+(?:week|weekend|month|year|spring|summer|fall|autumn|"
    r"winter|morning|afternoon|evening)|"
    r"(?:(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few)\s+)?"
    r"(?:minutes?|hours?|days?|nights?|weeks?|months?|years?)\s+(?:ago|later|earlier|after|before|from now)|"
    r"the (?:night|day|morning|evening|week|month|year) (?:before|after)|"
    r"in the (?:coming|next|past|last) (?:days|weeks|months|years))\b",
    re.I,
)
_HOW_MANY = re.compile(r"\bhow\s+many\s+((?:[a-z’'-]+\s*){1,3})")
# "how much", "how long", "how big", "how old": an amount, a duration, a size, an age: some number answers
_HOW_MUCH = re.compile(r"\bhow\s+(?:much|long|big|large|old)\b")
# "how much did it cost / was paid / is it worth": an amount of money answers, not any number ("5.8 million Americans")
_PRICE = re.compile(
    r"\b(?:cost|costs|costing|pay|paid|pays|spend|spent|spends|price|priced|worth|charge[ds]?|sold|sell|bought|buy)\b"
)
_MONEY = ("$",)
_CURRENCY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:million|billion|trillion|thousand)?\s*(?:dollars|euros|pounds|yuan|yen|rubles|roubles|"
    r"rupees|francs|won)\b|\b(?:US|USD|EUR|GBP)\s?\$?\d",
    re.I,
)
_DURATION = ("second", "minut", "hour", "day", "week", "month", "year", "decad")  # stems
_NUMBER_WORD = (
    r"\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|dozens?|several|a\s+few"
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*[A-Za-z]|\b[A-Z]\b")
# where a capitalised word starts a sentence or a quotation: after . ! ? : ; or an opening quote (a straight quote
# opens only after a space: in `navigation," Wei said` it closes, and "Wei" is a name)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[“‘(]\s*|(?:^|\s)[\"']\s*)$")
# "how many people": any count of people answers, whatever noun follows the number ("200 dignitaries")
_ANY_UNIT = frozenset({"peopl", "person", "indivi", "men", "women", "guest"})  # stems
_CALENDAR = frozenset(calendar.day_name[i].lower() for i in range(7)) | frozenset(
    calendar.month_name[i].lower() for i in range(1, 13)
)


@dataclass(frozen=True, slots=True)
class Slot:
    """The kind of thing the answer must name; ``count`` of them; for numbers, the counted phrase's stems.

    ``known``, ``countries`` and ``numbers`` are what the question itself names (read once per question).
    """

    kind: Kind
    count: int = 1
    units: tuple[str, ...] = ()
    known: frozenset[str] = frozenset()
    countries: frozenset[int] = frozenset()
    numbers: frozenset[str] = frozenset()

    def describe(self) -> str:
        if self.kind == "time":
            return "the date or time asked about"
        return "the number asked for" if self.kind == "number" else f"the {self.kind} asked about"


def slot_of(question: str, context: str = "") -> Slot | None:
    """The slot the question asks to fill, or None when its answer is open-ended. ``context``: what the
    conversation already named (a follow-up's carried words), which is not the answer either."""
    shape = _shape(question.lower())
    if shape is None:
        return None
    return replace(
        shape,
        known=frozenset(stem(t) for t in tokens(f"{question} {context}")),
        countries=frozenset(countries_in(f"{question} {context}")),
        numbers=frozenset(re.findall(r"\d[\d,.]*", question)),
    )


def _shape(q: str) -> Slot | None:
    if match := _HOW_MANY.search(q):
        words = [w for w in match.group(1).split() if w not in STOPWORDS]
        units = tuple(stem(w) for w in words)
        return Slot("number", units=() if set(units) & _ANY_UNIT else units)
    if match := _HOW_MUCH.search(q):
        if "much" in match.group() and _PRICE.search(q):
            return Slot("number", units=_MONEY)
        return Slot("number", units=_DURATION if "long" in match.group() else ())
    if match := _COUNTRY.search(q):
        count = max([_COUNT_WORDS.get(w, 1) for w in q[match.start() : match.end()].split()], default=1)
        return Slot("country", count=count)
    kinds: tuple[tuple[Kind, re.Pattern[str]], ...] = (("place", _PLACE), ("person", _PERSON), ("name", _NAME))
    for kind, pattern in kinds:
        if pattern.search(q):
            return Slot(kind)
    if _WHEN.search(q):
        return Slot("time", units=("future",) if _WHEN_FUTURE.search(q) else ())
    return None


def new_names(sentence: str, known: frozenset[str]) -> list[str]:
    """Capitalised words of ``sentence`` that start no sentence and that the question does not use."""
    found = []
    for match in _CAPITALISED.finditer(sentence):
        word = match.group().rstrip(".")
        lower = word.lower()
        if _SENTENCE_START.search(sentence[: match.start()]):
            continue
        if lower in STOPWORDS or lower in QUESTION_FRAME or lower in TITLE_WORDS or lower in _CALENDAR:
            continue
        if stem(word) in known:
            continue
        found.append(word)
    return found


def fills(slot: Slot, sentence: str, loose: bool = False) -> bool:
    """Whether ``sentence`` holds a thing of the slot's kind that the question does not already name. ``loose``:
    for a place, any new name or country will do (what the refusal asks), not only one after "in", "to", "at" …
    (what ranking asks)."""
    if slot.kind == "number" and slot.units == _MONEY:
        return bool(_CURRENCY.search(sentence))
    if slot.kind == "number":
        for match in re.finditer(rf"\b({_NUMBER_WORD})\b", sentence, re.I):
            following = {stem(t) for t in tokens(sentence[match.end() :])[:4]}
            if match.group(1) in slot.numbers:
                continue
            if not slot.units or not following.isdisjoint(slot.units):
                return True
            if slot.units == _DURATION and re.fullmatch(r"(?:19|20)\d\d", match.group(1)):
                return True  # "how long …?": "since 2017" answers too
        return False
    if slot.kind == "time":
        return bool(_TIME_WORDS.search(sentence)) and (not slot.units or bool(_FUTURE.search(sentence)))
    if slot.kind == "country":
        return len(countries_in(sentence) - slot.countries) >= slot.count
    names = new_names(sentence, slot.known)
    if slot.kind == "place" and loose:
        return bool(names) or bool(countries_in(sentence) - slot.countries)
    if slot.kind == "place":
        # a place is where one goes, is, comes from: a name after "in", "to", "at", "visit" …, and not one the
        # question names ("trip to China" does not answer "Apart from China, where else …?")
        new = {stem(n) for n in names}  # not a weekday, a title, a sentence's first word or a word of the question
        return any(
            any(stem(w) in new for w in tokens(m.group(1))) and not countries_in(m.group(1)) & slot.countries
            for m in _LOCATIVE.finditer(sentence)
        )
    if slot.kind == "person":
        return any(not is_country_word(n) and not n.isupper() for n in names)
    return bool(names)
