"""Reading rules of the extractive answerer: who said a quotation, asked in other words than the article's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.answering.extractive.answerer import (
    ExtractiveAnswerer,
    asks_who,
    by_speaker,
    candidates,
    continuation,
    introduction,
    quotation_rest,
    role_question,
    role_speaker,
    said_question,
    speaker_of,
    statement_question,
    summary_request,
    summary_speaker,
    summary_topic,
)
from assistant.core.gazetteer import capital_aliases
from assistant.core.lexical import IdfTable, answer_type, content_stems, entities, has_answer_type, mentioned
from assistant.core.types import Chunk, Passage
from tests.conftest import make_settings

ARTICLE = (
    "Pacific island leaders met in Suva on Monday to weigh a regional security pact.\n\n"
    "Fiji's Prime Minister Frank Bainimarama told reporters the Pacific nations were prioritizing consensus.\n\n"
    "“Geopolitical point-scoring means less than little to anyone whose community is slipping beneath the rising "
    "seas,” Bainimarama said.\n\n"
    "The meeting ended without a joint statement on security."
)
QUESTION = "Which leader said point-scoring between big powers means little to people facing rising seas?"


def _passage(text: str = ARTICLE) -> Passage:
    return Passage(Chunk("a1-0000", "a1", text, 0, len(text), title="Pacific islands meeting"), 0.6, 1)


def _split() -> list[Passage]:
    """The article as two chunks cut just before the quotation, as the chunker may: the quote's own chunk knows
    its speaker by surname only."""
    cut = ARTICLE.index("“Geopolitical")
    quote = Chunk("a1-0001", "a1", ARTICLE[cut:], cut, len(ARTICLE), index=1, title="Pacific islands meeting")
    intro = Chunk("a1-0000", "a1", ARTICLE[:cut], 0, cut, title="Pacific islands meeting")
    return [Passage(quote, 0.6, 1), Passage(intro, 0.5, 2)]


def test_person_questions_name_a_role_before_the_verb() -> None:
    assert asks_who("Which analyst argued that the decoupling talk has gone overboard?")
    assert asks_who("Which Chinese official did Blinken speak with by phone?")
    assert asks_who(QUESTION) and answer_type(QUESTION) == "person"
    assert not asks_who("Which country did Blinken visit next?")


def test_the_speaker_is_introduced_by_the_sentence_with_the_full_name() -> None:
    for passages, speaker in (([_passage()], "Frank Bainimarama"), (_split(), "Bainimarama")):
        pool = candidates(passages)
        quote = next(i for i, c in enumerate(pool) if c.text.startswith("“Geopolitical"))
        assert speaker_of(pool[quote]) == speaker
        intro = introduction(pool, quote)
        assert intro is not None and pool[intro].text.startswith("Fiji's Prime Minister Frank Bainimarama")
        named = next(i for i, c in enumerate(pool) if c.text.startswith("Fiji's"))
        assert introduction(pool, named) is None  # no quotation: nothing to introduce


def test_who_said_answers_with_the_speakers_name_at_exact_offsets(embedder: Any, tmp_path: Path) -> None:
    answerer = ExtractiveAnswerer(embedder, make_settings(tmp_path))
    draft = answerer.compose(QUESTION, _split())
    assert not draft.abstained
    assert "Frank Bainimarama" in draft.sentences[0].text
    assert any("rising seas" in c.quote for c in draft.citations)
    for citation in draft.citations:
        assert ARTICLE[citation.start : citation.end] == citation.quote


def test_the_rule_can_be_switched_off(embedder: Any, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings = settings.model_copy(update={"answering": settings.answering.model_copy(update={"reading_rules": ()})})
    draft = ExtractiveAnswerer(embedder, settings).compose(QUESTION, _split())
    assert not any("Frank Bainimarama" in s.text for s in draft.sentences[:1])


def test_a_capital_stands_for_its_country() -> None:
    evidence = set(content_stems("The Venezuelan government called the seizure of the plane piracy."))
    assert [mentioned(e, evidence) for e in entities("How did Caracas react to the seizure?")] == [True]
    assert [mentioned(e, evidence) for e in entities("How did Nairobi react to the seizure?")] == [False]
    assert "city" not in capital_aliases() and capital_aliases()["caracas"][0] == "venezuela"


GOALS = (
    "In Beijing, Blinken will meet senior Chinese officials to discuss the importance of open lines of communication, "
    "the statement said. It did not specify which officials. The top US diplomat will also raise bilateral issues of "
    "concern and global and regional matters, the statement said. Separately, the embassy held a reception."
)


def test_a_list_the_article_goes_on_with_is_cited_too(embedder: Any, tmp_path: Path) -> None:
    passage = Passage(Chunk("b1-0000", "b1", GOALS, 0, len(GOALS), title="Blinken to visit China"), 0.6, 1)
    pool = candidates([passage])
    lead = next(i for i, c in enumerate(pool) if c.text.startswith("In Beijing"))
    more = continuation(pool, lead)
    assert more is not None and pool[more].text.startswith("The top US diplomat will also raise")
    assert continuation(pool, more) is None  # "Separately" starts no list item
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose(
        "What topics will Blinken take up with Chinese officials?", [passage]
    )
    assert any("bilateral issues" in c.quote for c in draft.citations)


CALL = (
    "Blinken's trip was postponed in February. On the same call, White House Indo-Pacific Coordinator Kurt Campbell "
    "said Blinken will focus on top line goals. Campbell added that the talks would be candid and that expectations "
    "should stay modest."
)


def test_role_questions_name_their_person() -> None:
    assert role_question("What's Kurt Campbell's job?") == "Kurt Campbell"
    assert role_question("Who is Daniel Kritenbrink?") == "Daniel Kritenbrink"
    assert role_question("What does Jake Sullivan do?") == "Jake Sullivan"
    assert role_question("Who is taking over as defence minister?") == ""


def test_a_role_question_leads_with_the_sentence_giving_the_role(embedder: Any, tmp_path: Path) -> None:
    passage = Passage(Chunk("c1-0000", "c1", CALL, 0, len(CALL), title="Blinken's China trip"), 0.6, 1)
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose("What's Kurt Campbell's job?", [passage])
    assert not draft.abstained
    assert "White House Indo-Pacific Coordinator Kurt Campbell" in draft.sentences[0].text


def test_a_role_given_where_the_passage_names_them_by_surname_alone_leads(embedder: Any, tmp_path: Path) -> None:
    text = (  # a sentence restating the question outscores the one that answers it
        "John Bolton's background matters to the talks, officials said, as Bolton keeps talking about them. "
        "“The Russians are spending ammunition at extraordinary rates,” Bolton said. "
        "In an interview, Bolton – an expert on North Korea – said he was not surprised by the overtures."
    )
    passage = Passage(Chunk("c1-0000", "c1", text, 0, len(text), title="Russia and North Korea"), 0.6, 1)
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose("What's John Bolton's background?", [passage])
    assert not draft.abstained
    assert "Bolton – an expert on North Korea –" in draft.sentences[0].text


# An analyst's words run over three sentences, only the first naming her; others speak around them.
STATEMENT = (
    "The ministers met in Geneva on Tuesday to discuss the grain corridor and the sanctions around it.\n\n"
    "Russia warned it would respond to any new sanctions on its exports, officials in Moscow said.\n\n"
    "Maria Okafor, a fellow at the Lisbon Institute, said pressing on with the sanctions could push Russia to "
    "escalate.\n\n"
    "“Moscow has every reason to raise the price of its cooperation as far as it can,” she said. “It has no reason "
    "to hold back on the corridor.”\n\n"
    "“To us, the plan is an attempt to split the region into camps. It is a plan to create conflict,” the Russian "
    "envoy Pavel Lebedev said of the sanctions.\n\n"
    "Russia's foreign ministry said the talks on the corridor would resume next week in Geneva."
)


def test_statement_questions_name_whose_words_they_ask_for() -> None:
    assert statement_question("What did Maria Okafor stress about how Russia might respond?") == "Maria Okafor"
    assert statement_question("And how did Stoltenberg react to the announcement?") == "Stoltenberg"
    assert statement_question("What's Okafor's view of the sanctions?") == "Okafor"
    assert statement_question("What did the ministers discuss in Geneva?") == ""
    assert statement_question("Who is Maria Okafor?") == ""


def test_her_words_are_the_sentences_that_name_her_or_go_on_from_them() -> None:
    pool = candidates([_passage(STATEMENT)])
    theirs = [c.text[:20] for c, mine in zip(pool, by_speaker(pool, "Maria Okafor"), strict=True) if mine]
    assert theirs == ["Maria Okafor, a fell", "“Moscow has every re", "“It has no reason to"]
    lebedev = [c.text[:20] for c, his in zip(pool, by_speaker(pool, "Lebedev"), strict=True) if his]
    assert lebedev == ["“To us, the plan is ", "It is a plan to crea"]  # named by the quotation's attribution


def test_a_statement_question_is_answered_with_her_words_only(embedder: Any, tmp_path: Path) -> None:
    question = "What did Okafor say Moscow would do about sanctions?"  # "Moscow" alone: "push Russia" covers it
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose(question, [_passage(STATEMENT)])
    assert not draft.abstained and draft.sentences
    okafor = ("Maria Okafor", "“Moscow has every reason", "“It has no reason")
    assert all(s.text.startswith(okafor) for s in draft.sentences), [s.text for s in draft.sentences]
    assert any("raise the price" in c.quote for c in draft.citations)
    for citation in draft.citations:
        assert STATEMENT[citation.start : citation.end] == citation.quote
    off = make_settings(tmp_path, reading_rules=["speaker", "continuation", "role", "quotation"])
    plain = ExtractiveAnswerer(embedder, off).compose(question, [_passage(STATEMENT)])
    assert any(s.text.startswith("Russia warned") for s in plain.sentences)  # others' words, without the rule


def test_did_x_say_questions_name_the_person_and_the_topic() -> None:
    assert said_question("Did Okafor say anything specific about the corridor?") == ("Okafor", ["corrid"])  # stems
    assert said_question("And did Pavel Lebedev mention Geneva?") == ("Pavel Lebedev", ["geneva"])
    assert said_question("Did Russia say anything about Geneva?") == ("", [])  # a country, not a person's words
    assert said_question("What did Okafor say about the corridor?") == ("", [])  # not a yes/no question
    assert said_question("Did Okafor say anything?") == ("Okafor", [])  # no topic: nothing to check


def test_did_x_say_something_they_are_never_quoted_on_is_refused(embedder: Any, tmp_path: Path) -> None:
    """ "Did Okafor say anything about Geneva?": her words are in the passage, Geneva is too, but never in her
    words; the refusal quotes the closest of her sentences. About the sanctions, which she did speak of, it answers."""
    answerer = ExtractiveAnswerer(embedder, make_settings(tmp_path))
    draft = answerer.compose("Did Okafor say anything specific about Geneva?", [_passage(STATEMENT)])
    assert draft.abstained and draft.rule == "unsaid"
    assert "Okafor" in draft.text and draft.citations
    assert STATEMENT[draft.citations[0].start : draft.citations[0].end] == draft.citations[0].quote
    assert draft.citations[0].quote.startswith(("Maria Okafor", "“Moscow has", "“It has no"))
    spoken = answerer.compose("Did Okafor say anything about the sanctions?", [_passage(STATEMENT)])
    assert not spoken.abstained and "Maria Okafor" in spoken.text
    rules = ["unnamed_entity", "instruction", "min_score", "slot"]
    off = ExtractiveAnswerer(embedder, make_settings(tmp_path, refusal_rules=rules))
    assert off.compose("Did Okafor say anything specific about Geneva?", [_passage(STATEMENT)]).rule != "unsaid"


def test_the_best_sentence_leads_even_under_the_floor(embedder: Any, tmp_path: Path) -> None:
    """A reading rule can leave only sentences under abstain_min_score (their words, scored 0.348 against a floor of
    0.35, once the statement rule has zeroed a stronger sentence by someone else): the best of them still answers,
    never an empty answer."""
    import numpy as np

    answerer = ExtractiveAnswerer(embedder, make_settings(tmp_path))
    pool = candidates([_passage(STATEMENT)])
    scores = np.zeros(len(pool), dtype=np.float32)
    okafor = next(i for i, c in enumerate(pool) if c.text.startswith("Maria Okafor"))
    scores[okafor] = 0.348
    draft = answerer._select(pool, scores, np.zeros((len(pool), 4), dtype=np.float32), "What did Okafor stress?")
    assert draft.sentences and draft.sentences[0].text.startswith("Maria Okafor"), draft.text
    assert [c.quote for c in draft.citations] == [pool[okafor].text]


def test_a_quotation_over_two_sentences_is_read_whole() -> None:
    pool = candidates([_passage(STATEMENT)])
    first = next(i for i, c in enumerate(pool) if c.text.startswith("“To us"))
    second = next(i for i, c in enumerate(pool) if c.text.startswith("It is a plan"))
    assert quotation_rest(pool, first) == [second] and quotation_rest(pool, second) == [first]
    okafor = next(i for i, c in enumerate(pool) if c.text.startswith("“Moscow has"))
    assert [pool[j].text[:10] for j in quotation_rest(pool, okafor)] == []  # a quotation of one sentence
    assert quotation_rest(pool, 0) == []  # no quotation at all


def test_the_whole_quotation_follows_its_lead_in_reading_order(embedder: Any, tmp_path: Path) -> None:
    question = "How did the Russian envoy characterize the sanctions plan?"
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose(question, [_passage(STATEMENT)])
    texts = [s.text for s in draft.sentences]
    lead = next(i for i, t in enumerate(texts) if t.startswith("“To us"))
    assert texts[lead + 1].startswith("It is a plan to create conflict"), texts


def test_a_briefing_without_a_topic_of_its_own_takes_the_conversations(embedder: Any, tmp_path: Path) -> None:
    """ "Give me the main points of the coverage" names no topic: in a conversation it is about the carried topic
    words, not about the request's own words."""
    answerer = ExtractiveAnswerer(embedder, make_settings(tmp_path))
    request = "Give me the main points of the coverage in two sentences."
    for context, opening in (("Okafor view; Lisbon Institute fellow", "Maria Okafor"), ("grain corridor", "The minis")):
        draft = answerer.compose(request, [_passage(STATEMENT)], context=context)
        assert not draft.abstained and len(draft.sentences) == 2
        assert draft.sentences[0].text.startswith(opening), [s.text for s in draft.sentences]
    alone = answerer.compose(request, [_passage(STATEMENT)])  # no conversation: the top story's headline
    assert not alone.abstained and len(alone.sentences) == 2


def test_a_short_name_alone_still_picks_its_own_sentences() -> None:
    text = "Xi met the envoy in Beijing on Monday. The envoy left for Tokyo afterwards. Xi said the talks were useful."
    pool = candidates([_passage(text)])
    assert [c.text[:8] for c, his in zip(pool, by_speaker(pool, "Xi"), strict=True) if his] == ["Xi met t", "Xi said "]


def test_asking_for_the_dates_is_a_time_question() -> None:
    """ "What about the dates?" after a question on a meeting asks for a time, as "when" does; a date palm does not."""
    for question in ("What about the dates?", "What are the dates of the trip?", "What is the date of the vote?"):
        assert answer_type(question) == "time", question
    assert answer_type("What is the date palm?") == ""
    assert answer_type("What about Japan?") == ""


def test_abbreviated_months_are_times() -> None:
    """Wire style writes "Sept. 10" and "Feb. 7": a time, as "September 10" is; a bare "Dec." is not."""
    assert has_answer_type("Kim will visit Russia from Sept. 10 to 13, the Kremlin said.", "time")
    assert has_answer_type("Her last day in office will be Feb. 7.", "time")
    assert not has_answer_type("Dec. is when the council meets again.", "time")
    # month and day names are capitalised: the modal verb and the verb are no dates
    assert has_answer_type("The talks resume in May in Geneva.", "time")
    assert not has_answer_type("The order may never materialize.", "time")
    assert not has_answer_type("Thousands march on the capital.", "time")


def test_a_term_the_sentence_lacks_counts_by_its_alias_at_the_alias_weight() -> None:
    """ "And Moscow's reaction?": "Kremlin spokesman Dmitry Peskov told reporters …" covers "Moscow"; a frequent
    "Russian" covers it for less than a rare alias does, and never for more than the term itself."""
    texts = [
        "Kremlin spokesman Dmitry Peskov told reporters it could lead to a sea change in relations.",
        "Russian forces shelled the city.",
        "Russian officials said nothing.",
        "The Russian economy grew.",
    ]
    stems = [set(content_stems(t)) for t in texts]
    idf = IdfTable(stems)
    terms = content_stems("Moscow reaction")
    assert idf.coverage(terms, stems[0]) == 0.0
    kremlin, russian = idf.coverage(terms, stems[0], aliased=True), idf.coverage(terms, stems[1], aliased=True)
    assert 0.0 < russian < kremlin < 1.0
    assert idf.coverage(terms, set(content_stems("Moscow's reaction was swift")), aliased=True) == 1.0


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Brief me on the Doha talks.", (5, False)),
        ("Give me a three-bullet briefing on the whole missile story.", (3, True)),  # "three-bullet" counts
        ("Summarize the coverage in two sentences.", (2, False)),
        # a question about a briefing asks for no briefing
        ("Could reporters put questions to Wang at his press briefing?", None),
        ("What did the spokesman say in the news briefing room?", None),
        ("Sum that up in two sentences.", (2, False)),
        ("Sum up who is doing what.", (5, False)),
        ("What was the sum of the aid package?", None),  # a sum asked about, not a summing up
    ],
)
def test_summary_requests_and_their_length(question: str, asked: tuple[int, bool] | None) -> None:
    assert summary_request(question) == asked


def test_a_summing_up_that_points_back_has_no_topic_of_its_own() -> None:
    assert summary_topic("Sum that up in two sentences.") == ""  # the conversation's topic, then
    assert summary_topic("Sum up who is doing what in two sentences.") == "who is doing what"
    assert summary_topic("Brief me on the Doha talks.") == "Doha talks"


REACTIONS = (
    "French President Emmanuel Macron said on Monday that sending Western troops to Ukraine could not be ruled out.\n\n"
    "NATO Secretary-General Jens Stoltenberg told The Associated Press there were no plans for NATO combat troops "
    "on the ground in Ukraine.\n\n"
    "German Chancellor Olaf Scholz said there would be no ground troops from European countries or NATO states.\n\n"
    "National Security Council spokesman John Kirby said the United States would not send troops either.\n\n"
    "Kremlin spokesman Dmitry Peskov said such a step would make a conflict between Russia and NATO inevitable."
)


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("How did NATO's chief respond to him?", "Jens Stoltenberg"),
        ("What did the German chancellor say about sending troops?", "Olaf Scholz"),
        ("What did France's president say?", "Emmanuel Macron"),
        ("What did the spokesman say?", ""),  # two spokesmen: nobody
        ("What did the Italian prime minister say?", ""),  # nobody holds that role here
        ("What did the troops say?", ""),  # not a role
    ],
)
def test_a_speaker_named_by_role_is_the_one_person_holding_it(question: str, speaker: str) -> None:
    assert role_speaker(question, candidates([_passage(REACTIONS)])) == speaker


def test_a_speaker_named_by_role_is_answered_with_their_words(embedder: Any, tmp_path: Path) -> None:
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose(
        "How did NATO's chief respond to Macron?", [_passage(REACTIONS)]
    )
    assert not draft.abstained and draft.sentences
    assert all("Stoltenberg" in s.text for s in draft.sentences), [s.text for s in draft.sentences]


def test_a_link_to_another_story_is_no_candidate_sentence() -> None:
    text = (
        "Biden raised the tariffs on Chinese electric vehicles to 100% on Tuesday.\n\n"
        "More:Biden sets huge new tariffs on electric vehicles, chips and other goods from China\n\n"
        "READ MORE: How the tariffs will hit American buyers of solar panels\n\n"
        "The White House says more is at stake: the tariffs protect industries it has invested in."
    )
    texts = [c.text for c in candidates([_passage(text)])]
    assert texts[0].startswith("Biden raised") and texts[-1].startswith("The White House says more")
    assert not any(t.lower().startswith(("more:", "read more")) for t in texts)


SUMMIT = (
    "Leaders of 14 Pacific island nations met President Biden in Washington on Thursday for a two-day summit. "
    "The summit ended with an eleven-point declaration on climate, fisheries and maritime security signed by the "
    "leaders. "
    "The United States pledged $810 million in new aid to the Pacific islands for climate and security. "
    "{fourth} "
    "Washington also said it would open embassies in Tonga and the Solomon Islands to deepen ties with the islands."
)


def test_a_briefing_prefers_what_its_story_says_over_what_restates_the_request(embedder: Any, tmp_path: Path) -> None:
    """Each sentence of a briefing also scores by how close it is to the centre of its article's sentences: an
    off-story sentence is the least central, and the story's lede joins a briefing on "summit diplomacy" that, on
    the request's words alone, takes a sentence echoing them."""
    settings = make_settings(tmp_path)
    answerer = ExtractiveAnswerer(embedder, settings)
    weather = SUMMIT.format(fourth="The weather in the capital was sunny, and tourists crowded the Mall.")
    assert int(answerer._centrality(candidates([_passage(weather)])).argmin()) == 3
    echo = _passage(SUMMIT.format(fourth="Summit diplomacy is an old tool of statecraft, and it makes headlines."))
    request = "Brief me on the summit diplomacy in two sentences."
    topical = settings.model_copy(
        update={"answering": settings.answering.model_copy(update={"summary_centrality": 0.0})}
    )
    before = ExtractiveAnswerer(embedder, topical).compose(request, [echo])
    after = answerer.compose(request, [echo])
    assert not any(s.text.startswith("Leaders of 14") for s in before.sentences), before.text
    assert after.sentences[0].text.startswith("Leaders of 14"), after.text
    assert len(after.sentences) == 2


BRIEFING = (
    "Chairman of the Joint Chiefs of Staff Gen. Mark Milley said the Russian military was hurting badly.\n\n"
    "“The probability of a Ukrainian military victory is not high, militarily,” Milley said.\n\n"
    "He said Ukraine should negotiate from a position of strength.\n\n"
    "Secretary of Defense Lloyd Austin said ending the war was for Ukraine to decide.\n\n"
    "Kremlin spokesman Dmitry Peskov said the war would end once Russia's goals were met."
)


@pytest.mark.parametrize(
    ("topic", "speaker"),
    [
        ("Wei Fenghe's speech at Shangri-La", "Wei Fenghe"),
        ("what Milley said about ending the war", "Milley"),
        ("what the top general said about ending the war", "Mark Milley"),  # "Gen.": the one general
        ("what the Chinese general said", ""),  # his role names no country: not his
        ("what the Russian spokesman said", "Dmitry Peskov"),  # "Kremlin spokesman": the role holds Russia's capital
        ("the war in Ukraine", ""),
        ("Macron's troop idea", ""),  # an idea, not someone's words
    ],
)
def test_a_briefing_on_someones_words_knows_whose(topic: str, speaker: str) -> None:
    assert summary_speaker(topic, candidates([_passage(BRIEFING)])) == speaker


def test_a_briefing_on_someones_words_gives_theirs(embedder: Any, tmp_path: Path) -> None:
    draft = ExtractiveAnswerer(embedder, make_settings(tmp_path)).compose(
        "Sum up in two bullets what the top general said about ending the war.", [_passage(BRIEFING)]
    )
    assert len(draft.sentences) == 2 and all("Austin" not in s.text and "Peskov" not in s.text for s in draft.sentences)


class _Recording:
    """A retriever that records its queries and returns fixed passages."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages, self.queries = passages, []

    def retrieve(self, query: str, **_: Any) -> list[Passage]:
        self.queries.append(query)
        return self.passages


def test_a_role_named_speaker_is_retrieved_again_by_name(assistant: Any) -> None:
    """ "What did NATO's chief say …?": when the passages name exactly one person in that role, retrieval runs again
    with the name, before the carried context (the chunk with their words may name them only)."""
    from assistant.answering.draft import Scope

    recording = _Recording([_passage(REACTIONS)])
    original, assistant.retriever = assistant.retriever, recording
    try:
        scope = Scope(None, None, None)
        assistant._retrieve("How did NATO's chief respond? (Macron troops)", scope)
        assert recording.queries[-1] == "How did NATO's chief respond? Jens Stoltenberg (Macron troops)"
        for query in ("How did Stoltenberg respond?", "What did the spokesman say?"):  # named; two spokesmen
            recording.queries.clear()
            assistant._retrieve(query, scope)
            assert recording.queries == [query]
    finally:
        assistant.retriever = original


MISSILES = (
    "Germany holds back its long-range missiles\n\n"
    "Chancellor Olaf Scholz has refused to send Taurus cruise missiles to Kyiv, saying German soldiers would be "
    "needed to program their targets.\n\n"
    "Britain and France have sent Storm Shadow and SCALP missiles.\n\n"
    "Kay Nietfeld/picture alliance via Getty Images"
)


@pytest.mark.parametrize(("factor", "leads"), [(1.0, "Germany holds back"), (0.9, "Chancellor Olaf Scholz")])
def test_a_subheading_that_restates_the_question_does_not_lead(
    embedder: Any, tmp_path: Path, factor: float, leads: str
) -> None:
    """A line without a full stop (a subheading, a photo credit) shares the story's words and says nothing; it is
    scaled by ``unterminated_factor`` (0.9), so the sentence that answers leads (docs/evaluation.md)."""
    passage = Passage(Chunk("a1-0000", "a1", MISSILES, 0, len(MISSILES), title="Europe's missiles"), 0.6, 1)
    answerer = ExtractiveAnswerer(embedder, make_settings(tmp_path, unterminated_factor=factor))
    composed = answerer.compose(
        "What reason has Germany given for not sending its long-range missiles to Kyiv?", [passage]
    )
    assert not composed.abstained
    assert composed.sentences[0].text.startswith(leads)
    assert all("Getty Images" not in c.quote for c in composed.citations)
