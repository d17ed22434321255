"""The empty chat's welcome: what the library holds, how answers are made, and questions to start with. No gradio.

Computed at page load from the articles' metadata (:meth:`Store.records`, no texts) plus the few newest articles'
lead sentences, so it stays cheap on a large library. Example questions come from the newest articles by one
rule: the names in a headline and its lead (runs of capitalised words; titles, months and country adjectives set
aside), put into a few question shapes that suit diplomatic news. Nothing is specific to the seed.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.answering.assistant import Assistant
from assistant.answering.extractive.answerer import ExtractiveAnswerer
from assistant.core.gazetteer import is_country_word
from assistant.core.lexical import STOPWORDS, TITLE_WORDS
from assistant.core.sentences import sentence_spans
from assistant.core.types import Article
from assistant.web.render import md_text

HEADLINES = 3
NEWEST = 4  # articles the example questions are drawn from
MAX_QUESTIONS = 4
_RUN = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
_CALENDAR = {n.lower() for n in [*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name]}
_ADJECTIVE = ("ese", "ian", "ians", "ish", "ans", "ean", "eans")  # "Chinese", "Russian": no topic on their own


@dataclass(frozen=True, slots=True)
class Overview:
    """What the library holds, for the welcome."""

    articles: int
    outlets: tuple[tuple[str, int], ...]  # (outlet, articles), most first
    first: date | None
    last: date | None
    undated: int
    headlines: tuple[Article, ...]  # the newest few
    questions: tuple[str, ...]


def _newest(articles: Sequence[Article]) -> list[Article]:
    """Dated articles newest first, then the undated ones by title."""
    return sorted(articles, key=lambda a: (a.published is None, -(a.published or date.min).toordinal(), a.title))


def overview(assistant: Assistant) -> Overview:
    articles = [article for article, _ in assistant.store.records()]
    days = sorted(a.published for a in articles if a.published)
    newest = _newest(articles)
    leads = [assistant.store.get_article(a.id) or a for a in newest[:NEWEST]]
    return Overview(
        articles=len(articles),
        outlets=tuple(Counter(a.outlet for a in articles if a.outlet).most_common()),
        first=days[0] if days else None,
        last=days[-1] if days else None,
        undated=len(articles) - len(days),
        headlines=tuple(newest[:HEADLINES]),
        questions=tuple(example_questions(leads)),
    )


# -- example questions ------------------------------------------------------------------------


def _lead(article: Article) -> str:
    """The headline, then the first sentences of the summary or the text."""
    body = article.summary or article.text[:1500]
    sentences = [s.of(body) for s in sentence_spans(body)[:3]]
    return "\n".join([article.title, *sentences])


def _clean(run: str) -> str:
    """A capitalised run without leading titles, stopwords, country adjectives or dates, and no possessive."""
    words = [w.rstrip(".,") for w in run.split()]
    words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
    while words and (_not_name(words[0]) or (len(words) > 2 and is_country_word(words[0]))):
        words.pop(0)  # "The", "President", "Chinese", "Turkey's President Erdogan": not part of the name
    if any(w.lower() in _CALENDAR for w in words):
        return ""
    return " ".join(words)


def _not_name(word: str) -> bool:
    return word.lower() in STOPWORDS | TITLE_WORDS or _adjective(word)


def _adjective(word: str) -> bool:
    return is_country_word(word) and word.lower().endswith(_ADJECTIVE)


def names(text: str) -> list[str]:
    """Names in ``text``: people (two words or more), countries, acronyms, and single words inside a sentence."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        for span in sentence_spans(line):
            sentence = span.of(line)
            for match in _RUN.finditer(sentence):
                name = _clean(match.group())
                single = " " not in name
                initial = match.start() == 0 and name == match.group().split()[0].rstrip(".,")
                if not name or (single and initial and not (name.isupper() or is_country_word(name))):
                    continue
                if single and (name.lower() in STOPWORDS or _adjective(name) or len(name) < 2):
                    continue
                found.setdefault(name, None)
    return list(found)


def _person(name: str) -> bool:
    return " " in name and not any(is_country_word(w) or w.isupper() for w in name.split())


def _topic(name: str) -> str:
    return f"the {name}" if name.isupper() and len(name) <= 4 else name  # "the US", "the UN", "the EU"


def _questions_for(article: Article) -> list[str]:
    """This article's questions, best first."""
    found = names(_lead(article))
    people = [n for n in found if _person(n)]
    others = [n for n in found if not _person(n) and not any(n in p for p in people)]
    headline_others = [n for n in others if n in article.title] or others
    out = []
    if people and headline_others:
        out.append(f"What did {people[0]} say about {_topic(headline_others[-1])}?")
    if headline_others:
        out.append(f"Brief me on {_topic(headline_others[-1])}.")
    if people:
        out.append(f"Who did {people[0]} meet?")
    # a briefing, not "what is the latest on X?": the offline answerer summarises a covered topic and never
    # refuses it for a low score, where the plain question was refused for the seed ("the US")
    out.extend(f"Brief me on {_topic(n)}." for n in [*people[1:], *others])
    if not out and article.title:
        words = article.title.split()
        out.append(f"What does the coverage say about “{' '.join(words[:10])}{'…' if len(words) > 10 else ''}”?")
    return out


def example_questions(articles: Sequence[Article], limit: int = MAX_QUESTIONS) -> list[str]:
    """Questions drawn from ``articles`` (newest first): each article's best one, then each one's next, …"""
    queues = [_questions_for(a) for a in articles]
    out: dict[str, None] = {}
    for depth in range(max((len(q) for q in queues), default=0)):
        for queue in queues:
            if depth < len(queue) and len(out) < limit:
                out.setdefault(queue[depth], None)
    return list(out)


# -- rendering --------------------------------------------------------------------------------


def mode_text(assistant: Assistant) -> str:
    """How answers are made, in plain words."""
    if isinstance(assistant.answerer, ExtractiveAnswerer):
        return (
            "Offline mode: answers quote sentences from your articles word for word, each with its source. "
            "No language model is used, so nothing is made up, but answers do not summarise or reason "
            "beyond what the sentences say."
        )
    return (
        f"Answers are written by the model {assistant.answerer.model_name} from the retrieved passages; "
        "every sentence cites its source and is checked against it."
    )


def _holdings(view: Overview) -> str:
    noun = "article" if view.articles == 1 else "articles"
    outlets = ", ".join(f"{md_text(o)} ({n})" for o, n in view.outlets[:5])
    more = f" and {len(view.outlets) - 5} more" if len(view.outlets) > 5 else ""
    source = f"from {outlets}{more}" if outlets else "with no outlet named"
    if view.first is None or view.last is None:
        return f"**{view.articles} {noun}** {source}, none dated"
    span = view.first.isoformat() if view.first == view.last else f"{view.first} to {view.last}"
    undated = f" ({view.undated} undated)" if view.undated else ""
    return f"**{view.articles} {noun}** {source}, published {span}{undated}"


def welcome_markdown(view: Overview, mode: str) -> str:
    """The empty chat's placeholder (Markdown with escaped library text)."""
    if not view.articles:
        return "### Welcome to Attaché\n\nThe library is empty: add articles in the **Library** tab.\n\n" + mode
    heads = "\n".join(
        f"- {md_text(a.title or '(untitled)')}"
        + (f" — {md_text(a.outlet)}" if a.outlet else "")
        + (f", {a.published.isoformat()}" if a.published else "")
        for a in view.headlines
    )
    ask = "Ask about the coverage, or start with one of these:" if view.questions else "Ask about the coverage."
    return (
        "### Welcome to Attaché\n\n"
        f"The library holds {_holdings(view)}.\n\n"
        f"Newest:\n\n{heads}\n\n"
        f"{md_text(mode)}\n\n{ask}"
    )
