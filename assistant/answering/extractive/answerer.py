"""The LLM-free answerer: picks the source sentences that answer the question and cites each.

Every sentence of the answer is a sentence of a retrieved passage (a leading connective like
"However," may be dropped), so every citation quote is an exact span of its article.

Scoring mixes three signals per candidate sentence: embedding similarity to the question,
IDF-weighted coverage of the question's salient terms, and the similarity of the passage it
sits in (context a single sentence lacks). The answer abstains when the best sentence is
weak, when the evidence covers too little of what the question asks about, or when a name
or number the question hinges on appears nowhere in the sources. With
``abstain_min_answerability`` set (opt-in), it also abstains when no sentence looks like an answer
to the answerability model (``assistant/answering/extractive/answerability.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from assistant.analysis.names import People, role_at
from assistant.analysis.quotes import FoundQuote, find_quotes
from assistant.answering.conversation import Turn, resolve, split_context
from assistant.answering.draft import NO_PASSAGES, Draft, DraftStream, Scope, closest_coverage, off_window_reason
from assistant.answering.extractive.answerability import embedded, features, packaged_model
from assistant.answering.extractive.slot import Slot, fills, slot_of
from assistant.answering.grounding import GroundingChecker
from assistant.answering.vectors import Run, SentenceVectors
from assistant.core.gazetteer import countries_in, is_country_word
from assistant.core.lexical import (
    STOPWORDS,
    IdfTable,
    answer_type,
    content_stems,
    entities,
    has_answer_type,
    mentioned,
    salient_terms,
    stem,
    tokens,
)
from assistant.core.sentences import ends_sentence, sentence_spans, word_count
from assistant.core.settings import Settings
from assistant.core.types import Citation, Passage, Sentence
from assistant.models.embedders import Embedder, Vectors

_CONNECTIVE = re.compile(r"^(however|but|and|meanwhile|still|also|yet|so|moreover|furthermore),\s+", re.I)
_MIN_SENTENCE_WORDS = 4
# a link to another story, not a sentence of this one ("More:Biden sets huge new tariffs …", "READ MORE: …")
_LINK_LINE = re.compile(r"^\W*(?:more|read more|related|see also|also read|watch|listen)\s*:", re.I)
_ASKS = re.compile(r"\?[\"'”’)\]]*\s*$")
# an all-capitals abbreviation of two to six letters: "NSC", "WNBA", "OPEC"
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,5}\b")
# A yes/no question ("Did they sign a deal?") needs a sentence that names what it asks about.
_POLAR = re.compile(
    r"^(?:[^,?]*,\s*)?(?:so|and|but|then)?\s*(did|does|do|is|are|was|were|will|has|have|had|can|could|would|should)\s",
    re.I,
)
# A question with a slot ("which country…") is answered only by sentences that fill it: one must score
# above the answer's keep floor (see _select), and those that don't fill it are scaled down by unfilled_factor.


@dataclass(frozen=True, slots=True)
class Candidate:
    passage: Passage
    start: int  # article offsets
    end: int
    text: str
    context: str  # the previous sentence of the same passage, for embedding in context
    index: int = 0  # of the sentence in ``sentence_spans(passage.chunk.text)``

    def runs(self) -> tuple[Run, Run]:
        """The sentence alone, and with the sentence before it, as runs of its chunk."""
        chunk, i = self.passage.chunk, self.index
        return Run(chunk, i, i, self.text), Run(chunk, max(i - 1, 0), i, f"{self.context} {self.text}".strip())


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Sentences of the passages, each once (overlapping chunks repeat sentences)."""
    seen: set[tuple[str, int]] = set()
    found: list[Candidate] = []
    for passage in passages:
        chunk = passage.chunk
        previous = ""
        for index, span in enumerate(sentence_spans(chunk.text)):
            start, end = chunk.start + span.start, chunk.start + span.end
            key = (chunk.article_id, start)
            text = span.of(chunk.text)
            # a question asserts nothing (a quiz page repeats the user's own question)
            if (
                key not in seen
                and word_count(text) >= _MIN_SENTENCE_WORDS
                and not _ASKS.search(text)
                and not _LINK_LINE.match(text)
            ):
                seen.add(key)
                found.append(Candidate(passage, start, end, text, previous, index))
            previous = text
    return found


_LIST_QUESTION = re.compile(r"^\W*(what|which)\b.*?\b(\w{3,}[^su\W]s)\b", re.I)


@lru_cache(maxsize=512)
def _quotes_of(text: str) -> tuple[FoundQuote, ...]:
    return tuple(find_quotes(text))


@lru_cache(maxsize=512)
def _people_of(text: str) -> People:
    return People(text)


_WHICH_PERSON = re.compile(
    r"\bwhich (?:\w+ )?(?:person|official|leader|politician|spokes\w*|minister|diplomat|analyst|expert|scholar|"
    r"professor|researcher|general|commander|envoy|ambassador|senator|lawmaker|secretary|adviser|advisor)s?\b",
    re.I,
)


def asks_who(question: str) -> bool:
    """A question asking for a person: "Who…", "Which analyst argued…", "Which US official said…"."""
    return answer_type(question) == "person" or bool(_WHICH_PERSON.search(question))


def _quotes_at(cand: Candidate) -> list[FoundQuote]:
    """The quotations of the sentence's chunk that overlap it, in reading order (chunk offsets)."""
    chunk = cand.passage.chunk
    start, end = cand.start - chunk.start, cand.end - chunk.start
    return [q for q in _quotes_of(chunk.text) if q.start < end and start < q.end]


def speaker_of(cand: Candidate) -> str:
    """Who said the quotation the sentence holds or stands in (the fullest name its passage gives), or ""."""
    return next((q.speaker for q in _quotes_at(cand) if q.speaker), "")


def introduction(pool: list[Candidate], i: int) -> int | None:
    """For a sentence whose speaker it does not name in full ("..., he said", "Bainimarama said", a quotation
    going on), the nearest sentence of the same article that does (before it if any), else None."""
    cand = pool[i]
    speaker = speaker_of(cand)
    if not speaker:
        return None
    # a surname alone ("Bainimarama said", the passage never gives more): a sentence giving more of the name
    full = re.compile(re.escape(speaker) if " " in speaker else rf"\b[A-Z][\w’'-]+\s+{re.escape(speaker)}\b")
    if full.search(cand.text):
        return None
    same = [j for j, c in enumerate(pool) if j != i and c.passage.chunk.article_id == cand.passage.chunk.article_id]
    naming = [j for j in same if full.search(pool[j].text)]
    before = [j for j in naming if pool[j].start < cand.start]
    if before:
        return max(before, key=lambda j: pool[j].start)
    return min(naming, key=lambda j: pool[j].start) if naming else None


_NAME_RUN = r"[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3}"
_ROLE_QUESTION = re.compile(
    rf"^\W*(?:(?i:who(?:'s|’s|\s+is|\s+was))\s+(?P<who>{_NAME_RUN})\s*\??\s*$|"
    rf"(?i:what(?:'s|’s|\s+is|\s+was))\s+(?P<whose>{_NAME_RUN})(?:'s|’s)\s+"
    r"(?i:(?:\w+\s+)?(?:job|role|title|position|post|background))\b|"
    rf"(?i:what\s+(?:does|did))\s+(?P<does>{_NAME_RUN})\s+(?i:do)\b)",
)


def role_question(question: str) -> str:
    """The person a question asks the role of ("What's Kurt Campbell's job?", "Who is Daniel Kritenbrink?"), or ""."""
    found = _ROLE_QUESTION.match(question.strip())
    return next((g for g in found.groups() if g), "") if found else ""


def role_sentence(pool: list[Candidate], scores: Vectors, name: str) -> int | None:
    """The best-scoring sentence that gives ``name`` the role its article gives them ("White House Indo-Pacific
    Coordinator Kurt Campbell said …"), or None."""
    surname = name.split()[-1]
    best: int | None = None
    for i, cand in enumerate(pool):
        if surname not in cand.text:
            continue
        role = _people_of(cand.passage.chunk.text).resolve(name).role
        if not (role and role in cand.text):  # the chunk names them by surname alone: a role at that mention
            mentions = re.finditer(rf"\b{re.escape(surname)}\b", cand.text)
            role = next(filter(None, (role_at(cand.text, m.start(), m.end()) for m in mentions)), "")
        if role and role in cand.text and (best is None or scores[i] > scores[best]):
            best = i
    return best


_SAYS = r"(?:say|tell|stress|emphasi[sz]e|warn|argue|claim|announce|react|respond|think|describe|characteri[sz]e|add)"
_STATEMENT_QUESTION = re.compile(
    rf"^\W*(?i:and\s+)?(?:(?i:what|how)\s+(?i:did|does|do|has|have|had|would)\s+(?P<who>{_NAME_RUN})\s+(?i:{_SAYS})|"
    rf"(?i:what(?:'s|’s|\s+is|\s+was))\s+(?P<whose>{_NAME_RUN})(?:'s|’s)\s+"
    r"(?i:view|take|reaction|response|position|stance|assessment|argument|message|point))\b"
)


def statement_question(question: str) -> str:
    """The person whose words a question asks for ("What did Kavanagh stress …?", "How did Stoltenberg react?",
    "What's O'Brien's view …?"), or ""."""
    found = _STATEMENT_QUESTION.match(question.strip())
    return next((g for g in found.groups() if g), "") if found else ""


# "How did NATO's chief respond?", "What did Beijing's defense chief say …?": a speaker named by role. The role
# noun of the question, and the words a person's role must hold for each noun (any one of them).
_HEADS = ("chief", "head", "secretary-general", "secretary general", "minister", "director", "leader")
_ENVOYS = ("ambassador", "envoy", "representative")
_SPOKESPEOPLE = ("spokesman", "spokeswoman", "spokesperson")
_AIDES = ("aide", "adviser", "advisor")
_ROLES: dict[str, tuple[str, ...]] = {
    "general": ("general", "gen.", "chairman of the joint chiefs", "commander"),
    "chief": _HEADS,
    "head": _HEADS,
    "leader": ("leader", "president", "prime minister", "chancellor", "premier", "head", "chief"),
    "premier": ("premier", "prime minister"),
    **{title: (title,) for title in ("president", "chancellor", "minister", "secretary")},
    **dict.fromkeys(_ENVOYS, _ENVOYS),
    **dict.fromkeys(_SPOKESPEOPLE, _SPOKESPEOPLE),
    **dict.fromkeys(_AIDES, _AIDES),
}
_ROLE_STATEMENT = re.compile(
    r"^\W*(?:and\s+)?(?:what|how)\s+(?:did|does|do|has|have|had|would)\s+(?P<desc>(?:the\s+)?(?:[\w'’.-]+\s+){0,3}?"
    rf"(?:{'|'.join(_ROLES)}))(?:\s+(?:there|here|then))?\s+{_SAYS}",
    re.I,
)


def asks_by_role(question: str) -> bool:
    """ "How did NATO's chief respond?": the question names its speaker by role."""
    return bool(_ROLE_STATEMENT.match(question.strip()))


def role_speaker(question: str, pool: list[Candidate]) -> str:
    """For "How did NATO's chief respond?": the one person of the passages whose role is that description
    ("Jens Stoltenberg", "NATO Secretary-General"), or "" when none or several are."""
    found = _ROLE_STATEMENT.match(question.strip())
    return person_by_role(found["desc"], pool) if found else ""


# words before a role noun that say nothing of which role it is ("the top US general": US)
_ROLE_ADJECTIVES = frozenset({"top", "senior", "chief", "new", "current", "former", "then"})


def person_by_role(description: str, pool: list[Candidate]) -> str:
    """The one person of the passages whose role holds ``description``'s role noun (or a synonym) and every
    word before it ("NATO's chief": "NATO Secretary-General Jens Stoltenberg"), or "" when none or several do."""
    words = tokens(description)
    wanted = _ROLES.get(words[-1].lower(), ()) if words else ()
    qualifiers = [w for w in words[:-1] if w.lower() not in STOPWORDS and w.lower() not in _ROLE_ADJECTIVES]
    chunks = {c.passage.chunk.id: c.passage.chunk.text for c in pool}
    matches: set[str] = set()
    for text in chunks.values():
        for person in _people_of(text).people():
            role = person.role.lower()
            if not role or not any(w in role for w in wanted):
                continue
            # each word before the role noun is in the role ("NATO"), or names its country ("Beijing's": Chinese)
            if all(
                q.lower() in role or (countries_in(q) and countries_in(q) <= countries_in(person.role))
                for q in qualifiers
            ):
                matches.add(person.name)
    return matches.pop() if len(matches) == 1 else ""


# A briefing on someone's words: "Summarize Wei Fenghe's speech", "what Milley said about the war", "what the
# defense secretary said"
_SPEECH = (
    r"speech|remarks|comments|statement|address|testimony|interview|news conference|press conference|words|"
    r"message|views?|position|reaction|response"
)
_SPOKE = r"said|says|told|stressed|argued|warned|emphasi[sz]ed|described|announced"
_SUMMARY_SPEAKER = re.compile(
    rf"(?P<whose>{_NAME_RUN})(?:'s|’s)\s+(?:\w+\s+)?(?i:{_SPEECH})\b|"
    rf"\b(?i:what)\s+(?P<who>{_NAME_RUN})\s+(?i:{_SPOKE})\b|"
    rf"\b(?i:what)\s+(?P<desc>(?i:the\s+)?(?:[\w'’.-]+\s+){{0,3}}?(?i:{'|'.join(_ROLES)}))\s+(?i:{_SPOKE})\b"
)


def summary_speaker(topic: str, pool: list[Candidate]) -> str:
    """Whose words a briefing asks for ("Wei Fenghe's speech at Shangri-La", "what the top US general said about
    ending the war"), or ""."""
    found = _SUMMARY_SPEAKER.search(topic)
    if found is None:
        return ""
    if found["desc"]:
        return person_by_role(found["desc"], pool)
    return found["whose"] or found["who"] or ""


# "Did Campbell say anything about Taiwan?", "Has Wei mentioned the talks?": whether a person said something on a
# topic. The question's polar shape asks the sources to show that person's words on it.
_SAID_QUESTION = re.compile(
    rf"^\W*(?i:and\s+|so\s+|but\s+)?(?i:did|does|do|has|have|had)\s+(?P<who>{_NAME_RUN})\s+(?i:ever\s+|also\s+)?"
    r"(?i:say|said|mention(?:ed)?|comment(?:ed)?|talk(?:ed)?|speak|spoke|address(?:ed)?|discuss(?:ed)?|raise[sd]?|"
    r"tell|told)\b(?P<about>.*)$"
)
# words of the question's frame, not of its topic ("anything specific about Taiwan": Taiwan)
_SAID_FRAME_WORDS = "anything something specific specifically particular whether detail word mention comment publicly"
_SAID_FRAME = frozenset(stem(w) for w in _SAID_FRAME_WORDS.split(" "))


def said_question(question: str) -> tuple[str, list[str]]:
    """For "Did X say (anything about) T?": X and the stems of T's topic words; ("", []) for other questions."""
    found = _SAID_QUESTION.match(question.strip())
    if not found:
        return "", []
    who = found["who"]
    if is_country_word(who.removesuffix("'s").removesuffix("’s")):
        return "", []
    names = {stem(w) for w in tokens(who)}
    about = [t for t in salient_terms(found["about"]) if t not in names and t not in _SAID_FRAME]
    return who, about


_GOES_ON_SAYING = re.compile(
    r"\b(?:he|she)\s+(?:said|added|told|wrote|noted|argued|warned|stressed|continued)\b|^\W*[“\"]"
)


def by_speaker(pool: list[Candidate], name: str) -> list[bool]:
    """Per sentence, whether it gives ``name``'s words: it names them, holds a quotation attributed to them, or
    goes on from such a sentence just before it ("…," she said; a quotation going on)."""
    words = [w.removesuffix("'s").removesuffix("’s") for w in name.split()]
    parts = {w for w in words if len(w) > 2} or set(words)  # "Wei Fenghe": Wei too; "Xi" alone stays
    named = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(parts))) + r")\b")

    speakers = [speaker_of(c) for c in pool]
    said_by = [bool(parts & set(speaker.split())) for speaker in speakers]
    theirs = [bool(named.search(c.text)) or said for c, said in zip(pool, said_by, strict=True)]
    at = {(c.passage.chunk.id, c.index): i for i, c in enumerate(pool)}
    for i, cand in enumerate(pool):
        before = at.get((cand.passage.chunk.id, cand.index - 1))
        if not theirs[i] and before is not None and theirs[before] and _GOES_ON_SAYING.search(cand.text):
            theirs[i] = not speakers[i] or said_by[i]
    return theirs


def quotation_rest(pool: list[Candidate], i: int, most: int = 2) -> list[int]:
    """The other sentences of the quotation sentence ``i`` stands in, when it spans several ("To us, the strategy is
    … It is a strategy to create conflict," Wei said.), in reading order, at most ``most``."""
    chunk = pool[i].passage.chunk
    quote = next(iter(_quotes_at(pool[i])), None)
    if quote is None or chunk.text[quote.end : quote.end + 1] not in ("”", '"'):
        return []  # none, or one left open at its paragraph's end: where it stops is a guess
    inside = [
        j
        for j, other in enumerate(pool)
        if j != i
        and other.passage.chunk.id == chunk.id
        and other.start - chunk.start < quote.end
        and quote.start < other.end - chunk.start
    ]
    return sorted(inside, key=lambda j: pool[j].start)[:most]


_GOES_ON = re.compile(r"\b(also|as well|in addition|additionally|another|other)\b", re.I)


def continuation(pool: list[Candidate], i: int) -> int | None:
    """The sentence that goes on with sentence ``i``'s list, one or two sentences later in its passage ("… will also
    raise bilateral issues …"), or None."""
    cand = pool[i]
    for j, other in enumerate(pool):
        same = other.passage.chunk.id == cand.passage.chunk.id
        if same and 0 < other.index - cand.index <= 2 and _GOES_ON.search(other.text):
            return j
    return None


def asks_for_list(question: str) -> bool:
    """'What were the stated goals…', 'Which issues…': a plural thing is asked for."""
    match = _LIST_QUESTION.match(question)
    if match is None:
        return False
    noun = match.group(2)
    return noun.lower() not in STOPWORDS and not noun[0].isupper()


# what is left of "Sum that up." once the asking is taken out: no topic of its own (the conversation's, then)
_POINTER = frozenset({"it", "that", "this", "them", "those", "things", "everything"})
_SUM_UP = rf"sum(?:\s+(?:{'|'.join(sorted(_POINTER))}))?\s+up"  # "sum up", "sum that up"
_SUMMARY = re.compile(
    # "briefing" as a request ("a briefing on …"), not the event a question is about ("at his press briefing")
    r"\b(summar(?:y|ise|ize)|brief(?:ing)? me|(?<!press )(?<!news )(?<!media )briefing(?! room)|rundown|overview|"
    rf"recap|run me through|main points|key points|{_SUM_UP}|"
    r"main takeaways?|takeaways|the gist|bullets?|bullet points?|what happened|catch me up|give me the story)\b",
    re.I,
)
_REQUEST_WORDS = re.compile(
    r"\b(summar(?:y|ise|ize)|brief(?:ing)?|me|on|give|a|an|the|quick|short|rundown|overview|recap|run|through|main|"
    r"key|points?|takeaways?|gist|in|bullets?|lines?|sentences?|coverage|of|please|"
    rf"what happened|catch up|story|{_SUM_UP})\b",
    re.I,
)
_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5}
_HOW_MANY = re.compile(r"\b(two|three|four|five|[2-9])[\s-]+(?:bullets?|bullet points|points|sentences|lines)\b", re.I)


# Not a question about the library: an order to set the sources aside, or to write something of one's own.
_INSTRUCTION = re.compile(
    r"\b(ignore|forget|disregard|set aside|without)\b[^.?!]{0,30}\b(sources?|articles?|library|news|coverage|"
    r"instructions|context)\b|\bfrom (your own )?memory\b|\b(write|compose)\b[^.?!]{0,20}\b(poem|haiku|limerick|"
    r"song|joke|story|essay|sonnet|rap)\b|\btell me a (joke|story)\b|\bpretend (to be|you are)\b",
    re.I,
)


def is_instruction(question: str) -> bool:
    """An order rather than a question about the library ("Ignore your sources and…", "Write a haiku…")."""
    return bool(_INSTRUCTION.search(question))


def summary_request(question: str) -> tuple[int, bool] | None:
    """A request for a summary or briefing: (how many sentences, as bullets?), or None for a plain question."""
    if not _SUMMARY.search(question):
        return None
    count = _HOW_MANY.search(question)
    wanted = (_COUNT.get(count.group(1).lower()) or int(count.group(1))) if count else 5
    return wanted, bool(re.search(r"\bbullet", question, re.I))


def summary_topic(question: str) -> str:
    """What a summary request is about, without the asking: "Brief me on the Doha talks" → "Doha talks"."""
    asked = _REQUEST_WORDS.sub(" ", _HOW_MANY.sub(" ", question))
    topic = " ".join(asked.replace("?", " ").replace(".", " ").split())
    return "" if topic.lower() in _POINTER else topic


def _with_marker(text: str, number: int) -> str:
    """``text`` with `` [n]`` before its final punctuation."""
    body = _CONNECTIVE.sub("", text)
    body = body[:1].upper() + body[1:]
    match = re.search(r"[.!?]+[\"'”’)]*$", body)
    if match and not match.group().startswith(("”", '"')):
        return f"{body[: match.start()]} [{number}]{match.group()}"
    return f"{body} [{number}]"


_abstain = Draft.refusal

# How likely a chosen sentence holds the answer, from its score: a logistic fit on the tune half of
# seeds/eval (the sentences each answer keeps, positive when one holds a key fact) by
# bench/training/answer_confidence.py, whose page has the reliability on both halves.
_ANSWERS_SLOPE, _ANSWERS_INTERCEPT = 6.54, -5.12


def answers_probability(score: float) -> float:
    """The probability that a sentence of this score answers the question (not only that it is quoted right)."""
    return round(1.0 / (1.0 + float(np.exp(-(_ANSWERS_SLOPE * score + _ANSWERS_INTERCEPT)))), 3)


class ExtractiveAnswerer:
    """Composes a short cited answer from the best-scoring source sentences (no LLM)."""

    name = "extractive"
    label = "offline extractive mode (no LLM configured)"
    model_name = "none: offline extractive mode"

    def __init__(self, embedder: Embedder, settings: Settings, vectors: SentenceVectors | None = None) -> None:
        self._embedder = embedder
        self._settings = settings
        self._vectors = vectors or SentenceVectors(embedder)
        self._checker = GroundingChecker(embedder, settings.grounding, vectors=self._vectors)

    def sources(self, question: str, passages: Sequence[Passage]) -> list[Passage]:
        return list(passages)

    def stream(self, question: str, query: str, passages: Sequence[Passage], scope: Scope) -> DraftStream:
        """Compose, refuse when every cited passage falls outside the question's dates, mark each sentence's
        support; the sentences stream once chosen, before their support is marked (the final answer carries it)."""
        core, context = split_context(query)  # carried context is for retrieval (and a briefing's topic) only
        draft = self.compose(core, list(passages), context=context)
        if not draft.abstained and (stale := off_window_reason(scope.window, draft.citations)):
            draft = Draft.refusal(stale, rule="off_window")
        for i, sentence in enumerate(draft.sentences):
            yield sentence.text if i == 0 else " " + sentence.text
        if not draft.abstained and self._settings.grounding.check:
            sentences, citations = self._checker.annotate(draft.sentences, draft.citations)
            draft = replace(draft, sentences=sentences, citations=citations)
        return draft

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        return resolve(question, history[-1].query, history[-1].answer)

    def close(self) -> None:
        pass

    def compose(self, question: str, passages: list[Passage], context: str = "") -> Draft:
        """The answer, or a refusal by the first refusal rule that fires (each named in ``Draft.rule``; the
        rules listed in ``settings.answering.refusal_rules`` are on). ``context``: the topic words a follow-up
        carried (what "the main points of the coverage" are about in a conversation)."""
        rules = set(self._settings.answering.refusal_rules)
        pool = candidates(passages)
        if not pool:
            return _abstain(NO_PASSAGES, rule="no_passages")
        close = closest_coverage(passages)
        if "instruction" in rules and is_instruction(question):
            reason = "The sources don't say: Attaché answers questions from the articles in the library, nothing else."
            return _abstain(reason + close, rule="instruction")
        summary = summary_request(question)
        asked = summary_topic(question) if summary else question  # a briefing is checked on its topic
        evidence = set().union(*(content_stems(f"{p.chunk.title} {p.chunk.text}") for p in passages))
        # an acronym the passages lack is no sign they are silent: they may spell it out ("National Security
        # Council" for "NSC") or name what it qualifies ("Griner" for "the WNBA star")
        acronyms = {stem(a) for a in _ACRONYM.findall(asked)}
        missing = [e for e in entities(asked) if not mentioned(e, evidence) and not set(e) <= acronyms]
        if missing and "unnamed_entity" in rules:
            named = self._named(asked, missing)
            return _abstain(f"The sources don't say: they never mention {named}." + close, rule="unnamed_entity")
        topic = [t for t in salient_terms(asked) if not any(t in e for e in entities(asked))]
        if topic and not any(t in evidence for t in topic) and "off_topic" in rules:
            reason = "The sources don't say: none of the passages found is about this question."
            return _abstain(reason + close, rule="off_topic")
        if summary is not None:
            # a briefing that names no topic of its own ("the main points of the coverage"): the conversation's
            # topic, else the story retrieval found first
            about = asked or " ".join(context.replace(";", " ").split()) or passages[0].chunk.title or question
            return self._summary(about, pool, *summary)
        scores, vectors, query = self._score(question, pool)
        if (who := role_question(question)) and "role" in self._settings.answering.reading_rules:
            role = role_sentence(pool, scores, who)
            if role is not None:  # it answers, whatever its similarity to "What's X's job?"
                lifted = max(float(scores.max()), self._settings.answering.abstain_min_score) + 0.01
                scores[role] = lifted
        best = int(np.argmax(scores))
        if float(scores[best]) < self._settings.answering.abstain_min_score and "min_score" in rules:
            reason = "The sources don't say: no passage in the library answers this question directly."
            return self._closest(reason, "min_score", pool, best)
        if _POLAR.match(question) and topic and "polar" in rules:
            idf = IdfTable([content_stems(c.text) for c in pool])
            if idf.coverage(topic, set(content_stems(pool[best].text))) < self._settings.answering.polar_min_coverage:
                reason = "The sources don't say: no passage confirms or denies this."
                return self._closest(reason, "polar", pool, best)
        if "unsaid" in rules:
            speaker, subject = said_question(question)
            if speaker and subject:
                spoken = [i for i, said in enumerate(by_speaker(pool, speaker)) if said]
                if not any(set(subject) & set(content_stems(pool[i].text)) for i in spoken):
                    reason = f"The sources don't say: they give no words of {speaker} on this."
                    return self._closest(reason, "unsaid", pool, max(spoken, key=lambda i: scores[i], default=best))
        if "statement" in self._settings.answering.reading_rules and (
            who := statement_question(question) or role_speaker(question, pool)
        ):
            theirs = np.array(by_speaker(pool, who))
            # one of their sentences within keep_ratio of the best (the answer floor's share, not its minimum: their
            # words may all score under abstain_min_score once another speaker's stronger sentence is set aside)
            relative = float(scores.max()) * self._settings.answering.keep_ratio
            if bool((theirs & (scores >= relative)).any()):  # their words only
                scores = np.where(theirs, scores, 0.0).astype(np.float32)
        fitted = scores
        slot = slot_of(question, context)
        if slot is not None:
            slotted = self._fit_slot(slot, pool, scores)
            if slotted is None and "slot" in rules:
                reason = f"The sources don't say: the passages found are on the topic but none names {slot.describe()}."
                return self._closest(reason, "slot", pool, best)
            fitted = scores if slotted is None else slotted
        floor = self._settings.answering.abstain_min_answerability
        if floor > 0 and self._answerability(question, pool, scores, vectors, query) < floor:
            reason = "The sources don't say: the passages found are on the topic, but no sentence in them answers "
            return self._closest(reason + "this question.", "answerability", pool, best)
        return self._select(pool, fitted, vectors, question)

    def _closest(self, reason: str, rule: str, pool: list[Candidate], best: int) -> Draft:
        """A refusal that shows what the sources come closest to: the best sentence, quoted and cited, so the
        reader can judge it; still a refusal (``abstained``), since no sentence was found to answer."""
        cand = pool[best]
        number = cand.passage.rank
        quote = Sentence(f"The closest they come: “{cand.text}” [{number}]", (number,))
        citation = Citation(number, cand.passage, cand.text, cand.start, cand.end)
        return replace(
            Draft.refusal(reason, rule=rule),
            text=f"{reason} {quote.text}",
            sentences=(Sentence(reason), quote),
            citations=(citation,),
        )

    def _answerability(
        self, question: str, pool: list[Candidate], scores: Vectors, vectors: Vectors, query: Vectors
    ) -> float:
        """The answerability model's best probability over the embedded sentences."""
        rows = features(question, pool, embedded(vectors), scores, vectors, query)
        return float(packaged_model().probabilities(rows).max()) if len(rows) else 0.0

    def _fit_slot(self, slot: Slot, pool: list[Candidate], scores: Vectors) -> Vectors | None:
        """Scores with non-filling sentences scaled down, or None when no strong sentence fills the slot."""
        filled = np.array([fills(slot, c.text) for c in pool])
        strong = scores >= self._floor(scores)
        # refused only when no strong sentence fills the slot even loosely (a place: any new name), scaled strictly
        if not bool((filled & strong).any()) and not any(
            fills(slot, pool[i].text, loose=True) for i in np.flatnonzero(strong)
        ):
            return None
        return np.where(filled, scores, scores * self._settings.answering.unfilled_factor).astype(np.float32)

    def _score(self, question: str, pool: list[Candidate]) -> tuple[Vectors, Vectors, Vectors]:
        """Per-sentence score, the sentence vectors (reused to skip near-repeats; zero where not embedded), and
        the question's vector."""
        terms = salient_terms(question)
        stems = [set(content_stems(c.text)) for c in pool]
        idf = IdfTable(stems)
        lexical = np.array([idf.coverage(terms, s, aliased=True) for s in stems])
        prior = np.array([c.passage.score for c in pool])
        kind = answer_type(question)
        typed = np.array([has_answer_type(c.text, kind) for c in pool], dtype=np.float32)
        w = self._settings.answering
        cheap = w.weight_lexical * lexical + w.weight_passage * prior + w.weight_type * typed
        # Embedding every sentence twice is most of an answer's time: only the best by the cheap terms are
        # embedded. The dense term is clipped at 0, so a sentence left out never outscores one kept.
        keep = np.argsort(-cheap, kind="stable")[: w.dense_pool]
        q_vec = self._embedder.embed_query(question)
        vectors = np.zeros((len(pool), q_vec.shape[0]), dtype=np.float32)
        dense = np.zeros(len(pool), dtype=np.float32)
        exact = keep
        if self._vectors.stored and w.exact_pool < len(keep):
            # Vectors pooled from the chunk passes stored at ingest rank the kept sentences; only the best few
            # by that ranking are embedded exactly (sentences embedded alone and pooled ones differ a little).
            alone, in_context = (
                self._vectors.vectors([r for i in keep for r in pool[i].runs()])
                .reshape(len(keep), 2, -1)
                .transpose(1, 0, 2)
            )
            vectors[keep] = alone
            dense[keep] = np.clip(np.maximum(alone @ q_vec, in_context @ q_vec), 0.0, None)
            by_pooled = np.argsort(-(w.weight_dense * dense[keep] + cheap[keep]), kind="stable")
            exact = keep[by_pooled[: w.exact_pool]]
        if len(exact):
            chosen = [pool[i] for i in exact]
            runs = [c.runs() for c in chosen]  # the texts python -m assistant warm computes ahead (warm.py)
            texts = [alone.text for alone, _ in runs] + [with_before.text for _, with_before in runs]
            both = self._vectors.exact(texts, [c.passage.chunk.article_id for c in chosen] * 2)
            vectors[exact], in_context = both[: len(chosen)], both[len(chosen) :]
            dense[exact] = np.clip(np.maximum(vectors[exact] @ q_vec, in_context @ q_vec), 0.0, None)
        scores = w.weight_dense * dense + cheap
        # a heading or a photo credit shares a story's words without saying anything: it answers only when
        # no sentence does better
        lines = np.array([1.0 if ends_sentence(c.text) else w.unterminated_factor for c in pool])
        scores = scores * lines
        return scores.astype(np.float32), vectors, q_vec

    def _floor(self, scores: Vectors) -> float:
        """The score a sentence needs to be part of the answer: a share of the best, never below the minimum."""
        return max(
            self._settings.answering.abstain_min_score, float(scores.max()) * self._settings.answering.keep_ratio
        )

    def _named(self, question: str, missing: list[list[str]]) -> str:
        wanted = list(dict.fromkeys(term for entity in missing for term in entity))  # in question order
        words = [w.strip("?.,!'’\"").removesuffix("'s").removesuffix("’s") for w in re.split(r"[\s‐–—-]+", question)]
        names = [w for w in words if w and stem(w) in wanted]
        unique = list(dict.fromkeys(names))
        return " ".join(unique) if unique else " ".join(wanted)

    def _select(self, pool: list[Candidate], scores: Vectors, vectors: Vectors, question: str) -> Draft:
        """Best sentences above a floor relative to the best, skipping near-repeats.

        A question asking for several things ("what were the goals") gets a longer answer.
        """
        wants_list = asks_for_list(question)
        max_sentences = self._settings.answering.max_sentences + (1 if wants_list else 0)
        max_words = int(self._settings.answering.max_words * (1.4 if wants_list else 1.0))
        top = [int(i) for i in np.argsort(-scores)[:12]]
        floor = self._floor(scores)
        chosen: list[int] = []
        words = 0
        for i in top:
            if (chosen and scores[i] < floor) or len(chosen) >= max_sentences:
                break  # the best always leads: a rule may have left only sentences under the floor
            n = word_count(pool[i].text)
            if chosen and words + n > max_words:
                continue
            if any(float(vectors[i] @ vectors[j]) > self._settings.answering.redundant_cosine for j in chosen):
                continue
            chosen.append(i)
            words += n
        if chosen and wants_list and "continuation" in self._settings.answering.reading_rules:
            more = continuation(pool, chosen[0])
            if more is not None and more not in chosen:  # a list the article goes on with ("will also raise …")
                chosen = [chosen[0], more, *chosen[1:]]
        lead = 1
        if chosen and "quotation" in self._settings.answering.reading_rules:
            rest = quotation_rest(pool, chosen[0])
            if rest:  # the whole quotation the lead sentence is part of opens the answer, in reading order
                whole = sorted([chosen[0], *rest], key=lambda j: pool[j].start)
                chosen = [*whole, *(j for j in chosen[1:] if j not in whole)][: max(max_sentences, len(whole))]
                lead = len(whole)
        if chosen and asks_who(question) and "speaker" in self._settings.answering.reading_rules:
            intro = introduction(pool, chosen[0])
            if intro is not None:  # "who said…": the sentence that names the speaker answers, the quote shows it
                lead += 0 if intro in chosen[:lead] else 1
                chosen = [intro, *(i for i in chosen if i != intro)]
        return self._render(pool, chosen, lead=lead, scores=scores)

    def _summary(self, topic: str, pool: list[Candidate], wanted: int, bullets: bool) -> Draft:
        """A briefing: the ``wanted`` best sentences on ``topic`` that say different things, from the top
        passages, in reading order; never refused for a low score (the library covers the topic: the checks
        above passed)."""
        scores, vectors, _ = self._score(topic, pool)
        # a briefing says what its story is about, not what restates the request: each sentence also scores by
        # how close it is to the centre of its article's retrieved sentences
        ranked = scores + self._settings.answering.summary_centrality * self._centrality(pool)
        if (who := summary_speaker(topic, pool)) and "statement" in self._settings.answering.reading_rules:
            theirs = np.array(by_speaker(pool, who))
            if int(theirs.sum()) >= 2:  # a briefing on someone's words: theirs first
                ranked = np.where(theirs, ranked, ranked - 10.0).astype(np.float32)
        chosen: list[int] = []
        distinct = self._settings.answering.summary_distinct_cosine
        for i in (int(i) for i in np.argsort(-ranked, kind="stable")):
            if len(chosen) >= wanted:
                break
            if word_count(pool[i].text) > 60 or any(float(vectors[i] @ vectors[j]) > distinct for j in chosen):
                continue
            chosen.append(i)
        draft = self._render(pool, chosen, scores=scores)  # how likely each answers: by the topic alone
        if bullets:
            draft = replace(draft, text="\n".join(f"- {s.text}" for s in draft.sentences))
        return draft

    def _centrality(self, pool: list[Candidate]) -> Vectors:
        """Per sentence, the cosine of its vector (alone; stored at ingest where there are states) to the mean of
        the vectors of its article's sentences in ``pool``."""
        vectors = self._vectors.vectors([c.runs()[0] for c in pool])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        articles = np.array([c.passage.chunk.article_id for c in pool])
        out = np.zeros(len(pool), dtype=np.float32)
        for article in set(articles.tolist()):
            mine = articles == article
            centre = vectors[mine].mean(axis=0)
            out[mine] = vectors[mine] @ (centre / max(float(np.linalg.norm(centre)), 1e-9))
        return out

    def _render(self, pool: list[Candidate], chosen: list[int], lead: int = 0, scores: Vectors | None = None) -> Draft:
        """The chosen sentences (best first in ``chosen``) in reading order, article by article; the first ``lead``
        of ``chosen`` (the best sentence, a quotation it belongs to) open the answer as given and the rest follow
        in reading order. Each carries how likely it answers (:func:`answers_probability` of its score)."""
        best_of_article: dict[str, int] = {}
        for rank, i in enumerate(chosen):
            best_of_article.setdefault(pool[i].passage.chunk.article_id, rank)
        reading = sorted(chosen, key=lambda i: (best_of_article[pool[i].passage.chunk.article_id], pool[i].start))
        if lead and chosen:
            reading = [*chosen[:lead], *(i for i in reading if i not in chosen[:lead])]
        sentences: list[Sentence] = []
        citations: list[Citation] = []
        numbers: dict[str, int] = {}
        for i in reading:
            cand = pool[i]
            number = cand.passage.rank
            numbers.setdefault(cand.passage.chunk.id, number)
            citations.append(Citation(number, cand.passage, cand.text, cand.start, cand.end))
            answers = answers_probability(float(scores[i])) if scores is not None else None
            sentences.append(Sentence(_with_marker(cand.text, number), (number,), answers=answers))
        text = " ".join(s.text for s in sentences)
        return Draft(text=text, sentences=tuple(sentences), citations=tuple(citations))
