"""Follow-up questions → standalone queries.

With an LLM the backend rewrites the follow-up (``prompts/rewrite.md``). Without one, :func:`resolve` does it
by rule, from the previous turn's resolved question:

- a topic switch ("Switching topics: …", "Other story: …") and a self-contained question (it names its own
  subject and points at nothing) stand alone;
- "And Campbell?" / "What about Campbell?" asks the previous question of Campbell: "What did Campbell stress?";
  "And the defense secretary?" likewise, in place of the previous question's role phrase ("the Joint Chiefs
  chairman", "his press secretary") or else its person;
- he / she / his / her stand for the first person the previous question named, or else its carried context
  named, or else, after a question asking who, the first full name its answer gives (the first such pronoun is
  replaced; "his" / "her" after a name the question gives itself is that person's and the question stands
  alone): "Where else is Blinken stopping?";
- anything else that leans on the previous turn ("How much did it cost?") keeps its words and carries the
  previous question's topic words for retrieval only, in a trailing parenthesis, then (after a ``;``) the words
  that question carried itself: ``How much did it cost? (seize Maduro plane)``, and a turn later ``Who paid?
  (much cost; seize Maduro plane)``, at most eight words. The answerer reads the question without them
  (:func:`split_context`), so a carried name never counts as something the question asks about; words from two
  turns back are dropped, so they never pile up, and never supply "he".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.gazetteer import is_country_word
from assistant.core.lexical import QUESTION_FRAME, STOPWORDS, stem, tokens

_TOPIC_SWITCH = re.compile(
    r"^\W*(?:switching topics?|changing (?:the )?(?:topic|subject)|new topic|another topic|different topic|"
    r"other story|another story|separately|unrelated(?:ly)?|on another note|now (?:for|to|the)\b[^:?]*)\s*[:,;.—–-]\s*",
    re.I,
)
_ELLIPSIS = re.compile(r"^\W*(?:and|but|so|what about|how about)\s+(?P<subject>[^?,]{1,60}?)\s*\??\s*$", re.I)
_PERSONAL = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
_POINTS_BACK = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|then|the two|the same|the (?:trip|visit|talks|meeting|"
    r"deal|call|speech|decision|announcement|treaty|plane|attack|war|dinner|menu|plan|move|leaders?|officials?))\b",
    re.I,
)
# who someone is by office or kinship: "the defense secretary", "the NSC spokesperson", "Whelan's sister"
_ROLE_NOUN = (
    r"(?:secretary|minister|chancellor|premier|president|ambassador|envoy|spokes(?:person|man|woman)|senator|"
    r"advis[eo]r|coordinator|director|chief|chair(?:man|woman)?|commander|admiral|general|diplomat|leader|king|"
    r"queen|representative|lawyer|attorney|sister|brother|wife|husband|mother|father|son|daughter)"
)
_ROLE_SUBJECT = re.compile(rf"^(?:the|[\w’'.-]+['’]s)\s+(?:[\w’'.-]+\s+){{0,3}}?{_ROLE_NOUN}$", re.I)
# the role phrase a previous question asks about: "the Joint Chiefs chairman", "his press secretary"
_ROLE_PHRASE = re.compile(
    rf"\b(?:the|his|her|its|their|[A-Z][\w’'.-]*['’]s)\s+(?:[\w’'.-]+\s+){{0,3}}?{_ROLE_NOUN}\b(?!['’]s)", re.I
)
_LEADING_CONNECTIVE = re.compile(r"^\W*(and|but|so|also|then)\b[\s,]*", re.I)
_NAME = re.compile(r"(?<![\w’'])[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|(?:de|van|von|bin)\b|al-\w+))*")
# capitalised words that name no one: question words, titles and institutions
_NAMELESS = (
    "what which who whom whose when where why how is are was were do does did can could will would "
    "should has have had the a an and but so in on at of to for i us u.s. un nato eu state department "
    "house ministry council union nations party forum congress parliament government office agency army "
    "navy force forces white president minister secretary chancellor premier prime foreign defense "
    "defence general war summit treaty asia europe africa america americas pacific atlantic middle east "
    "west north south indo-pacific january february march april may june july august september october "
    "november december monday tuesday wednesday thursday friday saturday sunday u.s u.k u.n "
    "attorney ambassador spokesperson spokesman spokeswoman senator sen rep gov adviser advisor coordinator "
    "director professor dr mr mrs ms chief envoy commander admiral justice judge official officials deputy"
)
_NOT_A_PERSON = frozenset(_NAMELESS.split())


@dataclass(frozen=True, slots=True)
class Turn:
    """One finished exchange: what was asked, the standalone query used, and the answer text."""

    question: str
    query: str
    answer: str


def split_context(query: str) -> tuple[str, str]:
    """``"How much did it cost? (seize Maduro plane)"`` → ``("How much did it cost?", "seize Maduro plane")``."""
    match = re.match(r"^(?P<core>.*\S)\s+\((?P<context>[^()]*)\)$", query.strip())
    return (match["core"], match["context"]) if match else (query.strip(), "")


def _bare(word: str) -> str:
    """A word without its possessive and edge punctuation: "Department's" → "Department"."""
    return word.removesuffix("'s").removesuffix("’s").strip(".’'")


def _people(text: str) -> list[str]:
    """Names of people (or of a subject that is like one) in ``text``, in order: capitalised runs that are not
    question words, titles, institutions, months or countries."""
    found = []
    for match in _NAME.finditer(text):
        words = [
            w for w in match.group().split() if _bare(w).lower() not in _NOT_A_PERSON and not is_country_word(_bare(w))
        ]
        if words:
            found.append(" ".join(_bare(w) for w in words))
    return found


def has_own_subject(question: str) -> bool:
    """The question names someone or somewhere of its own (a country counts here)."""
    body = question.strip()
    first = body.split()[0] if body.split() else ""
    rest = body[len(first) :]
    return bool(_people(rest)) or any(is_country_word(t) for t in tokens(rest))


def leans_on_context(question: str) -> bool:
    """Whether a question in a conversation needs the earlier turns to be understood."""
    if _TOPIC_SWITCH.match(question):
        return False
    if _ELLIPSIS.match(question) or _POINTS_BACK.search(question):
        return True
    if _PERSONAL.search(question):
        return not _own_possessive(question)
    return not has_own_subject(question)


def _own_possessive(question: str) -> bool:
    """Its pronouns are possessives of a person it names first: "What did Kishida say in his speech?"."""
    pronouns = list(_PERSONAL.finditer(question))
    if not pronouns or any(m.group().lower() not in ("his", "her", "hers") for m in pronouns):
        return False
    before = question[: pronouns[0].start()]
    return bool(_people(before[len(before.split()[0]) :] if before.split() else ""))


_MAX_CARRIED = 8


def carry_over(question: str, previous_query: str) -> str:
    """``question`` plus the previous question's topic words it lacks, for retrieval, e.g.
    ("and what did China say?", "What were the goals of Blinken's trip?") → "What did China say? (goals Blinken trip)".
    """
    previous, context = split_context(previous_query)
    present = {stem(t) for t in tokens(question)}
    parts: list[list[str]] = [[], []]  # the previous question's words; then those it carried itself
    seen: set[str] = set()
    for part, words in ((0, tokens(previous)), (1, tokens(context.split(";")[0]))):
        for token in words:
            lower = token.lower()
            if lower in STOPWORDS or lower in QUESTION_FRAME or stem(token) in present or lower in seen:
                continue
            if len(seen) >= _MAX_CARRIED:
                break
            seen.add(lower)
            parts[part].append(token)
    core = _LEADING_CONNECTIVE.sub("", question).strip()
    core = core[:1].upper() + core[1:]
    carried = "; ".join(" ".join(p) for p in parts if p) if parts[0] else " ".join(parts[1])
    return f"{core} ({carried})" if carried else core


def _ask_of(subject: str, previous: str) -> str | None:
    """The previous question asked of ``subject`` instead: its person or pronoun replaced; None if it has neither."""
    people = _people(previous[len(previous.split()[0]) :]) if previous.split() else []
    if people:
        return previous.replace(people[0], subject, 1)
    if _PERSONAL.search(previous):
        return _PERSONAL.sub(subject, previous, count=1)
    return None


def _ask_of_role(subject: str, previous: str) -> str | None:
    """The previous question asked of someone named by office or kinship ("And the defense secretary?"): its role
    phrase ("the Joint Chiefs chairman", "his press secretary") or else its person replaced; None if it has neither."""
    if role := _ROLE_PHRASE.search(previous):
        return previous[: role.start()] + subject + previous[role.end() :]
    people = _people(previous[len(previous.split()[0]) :]) if previous.split() else []
    return previous.replace(people[0], subject, 1) if people else None


def resolve(question: str, previous_query: str, previous_answer: str = "") -> str:
    """A follow-up as a standalone query (see the module doc); ``previous_query`` is the previous turn's query,
    ``previous_answer`` its answer (it says who "he" is after a question asking who)."""
    question = " ".join(question.split())
    if switched := _TOPIC_SWITCH.match(question):
        rest = question[switched.end() :]
        return rest[:1].upper() + rest[1:]
    if not leans_on_context(question):
        return question
    previous, _ = split_context(previous_query)
    ellipsis = _ELLIPSIS.match(question)
    named = ellipsis is not None and _people(ellipsis["subject"]) == [ellipsis["subject"].removesuffix("'s")]
    if ellipsis and named and (asked := _ask_of(ellipsis["subject"], previous)) is not None:
        return asked
    if ellipsis and _ROLE_SUBJECT.match(ellipsis["subject"]) and (asked := _ask_of_role(ellipsis["subject"], previous)):
        return asked
    person = _antecedent(previous_query) or _answered_who(previous, previous_answer)
    if _PERSONAL.search(question) and person:
        return carry_over(_PERSONAL.sub(lambda m: _named_as(m.group(), person), question, count=1), previous_query)
    return carry_over(question, previous_query)


def _antecedent(previous_query: str) -> str | None:
    """Who "he" / "she" stands for: the first person the previous question names, else one its carried context
    names. (Not the answer's first full name, unless the question asked who, :func:`_answered_who`: taken after
    any question, on the tune half of seeds/eval that resolved one follow-up right and one wrong.)"""
    previous, context = split_context(previous_query)
    people = _people(previous[len(previous.split()[0]) :]) if previous.split() else []
    people = people or _people(context.split(";")[0])  # not the older words it carried along
    return people[0] if people else None


_ASKS_WHO = re.compile(
    r"^\W*(?:who\b|which (?:\w+ )?(?:person|official|leader|diplomat|minister|analyst|expert)\b)", re.I
)


def _answered_who(previous: str, answer: str) -> str | None:
    """After a question asking who ("Who is the State Department's top East Asia diplomat?"), the first full name
    its answer gives ("Daniel Kritenbrink")."""
    if not _ASKS_WHO.match(previous):
        return None
    names = [p for p in _people(answer) if len(p.split()) >= 2]
    return names[0] if names else None


def _named_as(pronoun: str, person: str) -> str:
    return f"{person}'s" if pronoun.lower() in ("his", "her", "hers") else person
