"""The offline follow-up resolver: what a follow-up points to, from the previous turn's question."""

import pytest

from assistant.answering.conversation import leans_on_context, resolve, split_context


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        # "And X?" asks the previous question of X
        ("And Lavrov?", "What did Wang Yi say about the sanctions?", "What did Lavrov say about the sanctions?"),
        ("What about Macron?", "What did he promise?", "What did Macron promise?"),
        # … and of someone named by office or kinship: the previous question's role phrase, or person, replaced
        ("And the defense secretary?", "What did the Joint Chiefs chairman say about peace talks?",
         "What did the defense secretary say about peace talks?"),
        ("And Whelan's sister?", "What did his press secretary say?", "What did Whelan's sister say?"),
        ("And the NSC spokesperson?", "What did Blinken say about the balloon?",
         "What did the NSC spokesperson say about the balloon?"),
        ("And the defense secretary?", "What did China say?", "The defense secretary? (China)"),  # nothing to swap
        # he / she / his / her: the person the previous question named
        ("Where did she fly next?", "When did Baerbock land in Kyiv?", "Where did Baerbock fly next? (land Kyiv)"),
        ("What was his main point?", "What did Sullivan tell reporters?",
         "What was Sullivan's main point? (reporters)"),
        # a topic switch and a self-contained question stand alone, with no words carried
        ("Other story: why did Niger expel France's ambassador?", "Who met in Jeddah?",
         "Why did Niger expel France's ambassador?"),
        ("Who is Josep Borrell?", "When do the talks in Doha resume?", "Who is Josep Borrell?"),
        # anything else that leans on the turn before carries its topic words, for retrieval only
        ("How long did it last?", "Why did the Doha talks stall? (Hamas)",
         "How long did it last? (Doha talks stall; Hamas)"),
    ],
)  # fmt: skip
def test_follow_ups_resolve(follow_up: str, previous: str, expected: str) -> None:
    assert resolve(follow_up, previous) == expected


def test_what_leans_on_the_previous_turn() -> None:
    assert leans_on_context("and the Europeans?") and leans_on_context("Did they sign it?")
    assert leans_on_context("How many people came?")  # nameless and short: about the topic at hand
    assert not leans_on_context("Why did Turkey block Sweden's NATO bid?")
    assert not leans_on_context("New topic: what did Modi say in Washington?")


def test_carried_context_is_split_from_the_question() -> None:
    assert split_context("How long did it last? (Doha talks stall)") == ("How long did it last?", "Doha talks stall")
    assert split_context("What did Lavrov (Russia's minister) say?") == ("What did Lavrov (Russia's minister) say?", "")


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        # "de" starts a name only as a word of its own ("Biden decide" is no "Biden de")
        (
            "Why did he change his mind?",
            "What did Biden decide about Ukraine's long-range American missiles?",
            "Why did Biden change his mind? (decide Ukraine long range American missiles)",
        ),
        # the question's subject, not the place named last; no stray full stop
        (
            "Did he leave any opening for working with Washington?",
            "Summarize Wei Fenghe's speech at Shangri-La.",
            "Did Wei Fenghe leave any opening for working with Washington? (Summarize speech Shangri La)",
        ),
        # the person the previous query's carried context names, when its question names none
        (
            "How did his government respond?",
            "How much did it cost? (seize Maduro plane)",
            "How did Maduro's government respond? (much cost; seize plane)",
        ),
        # "his" after the question's own name is that person's: the question stands alone
        (
            "What did Kishida say in his speech to Congress?",
            "What did the chancellor say afterwards? (menu)",
            "What did Kishida say in his speech to Congress?",
        ),
        # "she" is still the previous turn's person although the question names Putin
        (
            "What did she stress about how Putin might respond?",
            "What's Jennifer Kavanagh's view of the missile decision?",
            "What did Jennifer Kavanagh stress about how Putin might respond? (view missile decision)",
        ),
    ],
)
def test_pronouns_find_their_person(follow_up: str, previous: str, expected: str) -> None:
    assert resolve(follow_up, previous) == expected


def test_a_follow_up_carries_one_turn_of_older_words_and_no_older_person() -> None:
    # "What about the dates?" three turns into a story keeps the story's words, not only the last question's
    assert (
        resolve("What about the dates?", "Where will the two leaders meet? (Russia turning North Korea)")
        == "What about the dates? (two leaders meet; Russia turning North Korea)"
    )
    # the words carried from two turns back never pile up further, nor do they supply "he"
    once = "When was the first White House state dinner? (many people attended; guests Bidens)"
    assert (
        resolve("Why was he visiting?", once)
        == "Why was he visiting? (first White House state dinner; many people attended)"
    )


def test_after_a_question_asking_who_he_is_the_person_the_answer_names() -> None:
    who = "Who is the State Department's top East Asia diplomat in this story?"
    answer = (
        "“We’re coming to Beijing with a realistic, confident approach,” Daniel Kritenbrink, the Department of "
        "State’s top diplomat for East Asia, told reporters [1]."
    )
    assert resolve("What did he stress?", who, answer) == (
        "What did Daniel Kritenbrink stress? (State Department top East Asia diplomat story)"
    )
    # not after a question that asks something else: the answer's names are what it is about, not who "he" is
    assert resolve("What did he stress?", "What is the trip about?", answer) == "What did he stress? (trip)"
    # a person the previous question names still comes first
    assert resolve("What did he stress?", "Who met Kurt Campbell?", answer) == "What did Kurt Campbell stress? (met)"
