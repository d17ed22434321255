"""Generated news-like fixtures for the ingest tests (no real article text anywhere), and their checks.

``story(seed)`` writes a deterministic article from a small vocabulary; ``wire_copy`` is the
same story as another outlet runs it (new dateline and footer, a trimmed ending, a couple of
edits); ``same_event_story`` is a *different* article about the same meeting: same people,
place, date and one shared quote, otherwise its own sentences.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from ingest.dedupe import fingerprint

PEOPLE = ["Minister Arlen Voss", "Envoy Mira Calder", "Secretary Tomas Rell", "Ambassador Ines Okoro"]
PLACES = ["Geneva", "Vienna", "Oslo", "Nairobi", "Doha", "Lisbon"]
TOPICS = ["a ceasefire", "grain exports", "prisoner exchanges", "border crossings", "sanctions relief", "water rights"]
VERBS = ["said", "told reporters", "warned", "insisted", "acknowledged", "added"]
CLAIMS = [
    "the talks had made real progress on {topic}",
    "no agreement on {topic} would be signed this week",
    "both delegations wanted a timetable for {topic}",
    "a technical committee would meet again in {place} next month",
    "the proposal on {topic} still needed approval at home",
    "observers from {place} would monitor any deal on {topic}",
    "the next round could start before the end of the month",
    "the two sides remained far apart on {topic}",
    "a draft text on {topic} had been circulated overnight",
    "several neighbouring states had asked to join the talks in {place}",
]
QUOTE = '"We are closer than we were, but we are not there yet," the mediator said.'


def _sentence(rng: random.Random) -> str:
    who, verb = rng.choice(PEOPLE), rng.choice(VERBS)
    claim = rng.choice(CLAIMS).format(topic=rng.choice(TOPICS), place=rng.choice(PLACES))
    detail = rng.choice(["on Tuesday", "late on Monday", "in a statement", "after a closed session", "by phone"])
    return f"{who} {verb} {detail} that {claim}."


def paragraphs(seed: int, n_paragraphs: int = 8, per_paragraph: int = 4) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(_sentence(rng) for _ in range(per_paragraph)) for _ in range(n_paragraphs)]


def story(seed: int, n_paragraphs: int = 8) -> str:
    """A deterministic ~450-word article body."""
    return "\n\n".join(paragraphs(seed, n_paragraphs))


def wire_copy(text: str, dateline: str = "GENEVA (Newswire) —", footer: str = "Reporting by staff.") -> str:
    """The same agency story as a second outlet runs it."""
    paras = text.split("\n\n")[:-1]  # the outlet trims the last paragraph
    paras[0] = f"{dateline} {paras[0]}"
    paras[1] = paras[1].replace(" said ", " stated ", 1).replace(" on Tuesday ", " on Tuesday morning ", 1)
    return "\n\n".join([*paras, footer])


def same_event_story(seed: int) -> str:
    """Another reporter's article on the meeting ``story(seed)`` covers.

    Same lead facts, the same quote and the same two statements quoted word for word (the hard
    case: agency-style phrasing shared by two outlets' own reporting); otherwise its own prose.
    """
    lead = "Foreign ministers met in Geneva on Tuesday for a second day of talks on a ceasefire."
    shared = " ".join(paragraphs(seed)[0].split(". ")[:2]) + "."
    return "\n\n".join([f"{lead} {QUOTE} {shared}", *paragraphs(seed + 1000, 7)])


def write_article(path: Path, text: str, title: str, url: str = "", date: str = "", outlet: str = "") -> Path:
    """A Markdown file with front matter."""
    front = [f"title: {title}"] + [f"{k}: {v}" for k, v in (("url", url), ("date", date), ("outlet", outlet)) if v]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "\n".join(front) + "\n---\n" + text + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(lines: list[str], title: str = "", author: str = "", created: str = "") -> bytes:
    """A valid one-page PDF with ``lines`` in Helvetica and a document-info dictionary."""
    content = "BT /F1 10 Tf 50 760 Td 13 TL " + " ".join(f"{_pdf_string(line)} Tj T*" for line in lines) + " ET"
    info = " ".join(
        f"/{key} {_pdf_string(value)}"
        for key, value in (("Title", title), ("Author", author), ("CreationDate", created))
        if value
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< {info} >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out.encode("latin-1")))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out.encode("latin-1"))
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def test_stories_are_deterministic_and_distinct() -> None:
    assert story(1) == story(1) and story(1) != story(2)
    assert len(story(1).split()) > 300


def test_wire_copy_is_near_and_same_event_story_is_far() -> None:
    original, copy, other = fingerprint(story(3)), fingerprint(wire_copy(story(3))), fingerprint(same_event_story(3))
    assert original and copy and other
    assert original.jaccard(copy) > 0.75
    # the vocabulary is small, so unrelated prose already shares phrases: well under the 0.6 cut-off
    assert original.jaccard(other) < 0.4
