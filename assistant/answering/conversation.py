"""Follow-up questions → standalone queries.

With an LLM the backend rewrites the follow-up (``prompts/rewrite.md``). Without one, a rule carries the
previous question's names and topic words over to a follow-up that leans on it ("and what did China say?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.lexical import QUESTION_FRAME, STOPWORDS, stem, tokens

_LEANS_ON_CONTEXT = re.compile(
    r"^\W*(and|but|so|also|then|what about|how about|why|same)\b|\b(he|she|it|they|them|his|her|its|their|this|that|"
    r"those|these|there|the trip|the visit|the talks|the meeting|the deal)\b",
    re.I,
)
_LEADING_CONNECTIVE = re.compile(r"^\W*(and|but|so|also|then)\b[\s,]*", re.I)


@dataclass(frozen=True, slots=True)
class Turn:
    """One finished exchange: what was asked, the standalone query used, and the answer text."""

    question: str
    query: str
    answer: str


def leans_on_context(question: str) -> bool:
    return len(question.split()) <= 4 or bool(_LEANS_ON_CONTEXT.search(question))


def carry_over(question: str, previous_query: str) -> str:
    """``question`` plus the previous query's topic words it lacks, e.g.
    ("and what did China say?", "What were the goals of Blinken's trip?") → "What did China say? (Blinken trip goals)".
    """
    present = {stem(t) for t in tokens(question)}
    carried: dict[str, None] = {}
    for token in tokens(previous_query):
        lower = token.lower()
        if lower in STOPWORDS or lower in QUESTION_FRAME or stem(token) in present:
            continue
        carried.setdefault(token, None)
    core = _LEADING_CONNECTIVE.sub("", question).strip()
    core = core[:1].upper() + core[1:]
    return f"{core} ({' '.join(carried)})" if carried else core
