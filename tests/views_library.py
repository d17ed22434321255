"""A small library of dated articles from two outlets, with one wire copy and one undated article (#23's views).

Written as a ``.jsonl`` file and ingested with the real pipeline by :func:`ingest_views_library`; the tests of the
quotes, timeline and coverage views and the browser test of their tabs share it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HARBOR, CAPITAL = "harbortimes.example", "capitalwire.example"

SUMMIT_CAPITAL = (
    "Foreign ministers from Norland and Sudavia met in Valdora on Monday for talks on the disputed Kessel "
    "fisheries, the first such meeting in six years.\n\n"
    "“We came here to close the fisheries dispute, not to manage it,” said Ana Ruiz, Norland’s foreign minister. "
    "“Both fleets need rules they can trust.”\n\n"
    "Sudavia’s foreign minister, Piet Varga, told reporters the talks had been “frank and useful”. He added that "
    "a joint patrol agreement would be signed on Friday.\n\n"
    "The ministers agreed to set up a joint commission on fishing quotas, officials said. The commission will "
    "meet for the first time on March 18.\n\n"
    "Trade between the two countries has fallen by a third since the dispute began, according to customs data."
)
# The same story run by the other outlet from the wire: a near-duplicate that ingest folds into the original.
SUMMIT_WIRE_COPY = SUMMIT_CAPITAL.replace("customs data.", "customs data published last year.")
SUMMIT_HARBOR = (
    "Norland and Sudavia agreed on Monday to create a joint commission on fishing quotas in the Kessel waters, "
    "ending a six-year freeze in talks.\n\n"
    "Ruiz struck a hopeful tone after the meeting in Valdora. “Our fishermen have waited long enough,” she said.\n\n"
    "Observers in Valdora said the joint patrol agreement was the harder part. “Nobody signs away a coast guard "
    "in a week,” said Lena Okafor, a maritime law professor at the University of Valdora.\n\n"
    "The two foreign ministers set up the joint commission on fishing quotas in Valdora on Monday, and its first "
    "meeting is set for March 18."
)
PATROL_CAPITAL = (
    "Norland and Sudavia signed a joint patrol agreement for the Kessel fisheries on Friday, four days after "
    "their foreign ministers met in Valdora.\n\n"
    "“This is the first coast guard agreement between our countries,” Piet Varga said at the signing.\n\n"
    "Under the deal, mixed crews will patrol the disputed waters from April."
)
UNDATED_BRIEF = (
    "A background note on the Kessel dispute. The fisheries have been contested since the two navies clashed "
    "there. Officials said on Tuesday that new maps would be drawn."
)
UNRELATED = (
    "The city of Valdora opened a new tram line on Wednesday, connecting the harbour to the old town. "
    "“Trams are quieter and cleaner,” said Mayor Tomas Brell."
)

RECORDS: list[dict[str, Any]] = [
    {
        "title": "Norland and Sudavia hold first fisheries talks in six years",
        "text": SUMMIT_CAPITAL,
        "url": "https://capitalwire.example/2024/03/04/fisheries-talks",
        "outlet": CAPITAL,
        "published": "2024-03-04",
    },
    {
        "title": "Fisheries talks: ministers agree a joint commission",
        "text": SUMMIT_HARBOR,
        "url": "https://harbortimes.example/news/fisheries-commission",
        "outlet": HARBOR,
        "published": "2024-03-05",
    },
    {
        "title": "Norland and Sudavia hold first fisheries talks in six years",
        "text": SUMMIT_WIRE_COPY,
        "url": "https://harbortimes.example/wire/fisheries-talks",
        "outlet": HARBOR,
        "published": "2024-03-04",
    },
    {
        "title": "Joint patrol agreement signed for the Kessel fisheries",
        "text": PATROL_CAPITAL,
        "url": "https://capitalwire.example/2024/03/08/patrol-agreement",
        "outlet": CAPITAL,
        "published": "2024-03-08",
    },
    {
        "title": "Background: the Kessel dispute",
        "text": UNDATED_BRIEF,
        "url": "https://harbortimes.example/background/kessel",
        "outlet": HARBOR,
    },
    {
        "title": "Valdora opens a harbour tram line",
        "text": UNRELATED,
        "url": "https://harbortimes.example/city/tram",
        "outlet": HARBOR,
        "published": "2024-03-06",
    },
]


def write_views_library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "views_library.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return path


def ingest_views_library(home: Path, embedder: Any = None) -> Path:
    """Ingest the library into ``ATTACHE_HOME=home`` with the real pipeline (and the real embedder)."""
    from assistant.core.settings import Settings
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store
    from ingest.pipeline import ingest_paths

    settings = Settings(home=home)
    embedder = embedder or build_embedder(settings)
    path = write_views_library(home / "inbox")
    ingest_paths([path], Store(settings, embedder), embedder, settings)
    return path
