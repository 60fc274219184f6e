"""The safeguarding screen: what lands in the urgent queue, what does not, and that it is total.

The phrase sets are written by hand from the kinds of things people write in feedback; each
category has several phrasings, including lowercase, misspelt and unpunctuated ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcref.listening.safeguarding import (
    CATEGORIES,
    CATEGORY_LABELS,
    RULES,
    Match,
    Screening,
    rules_markdown,
    screen,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

URGENT = {
    "suicide": [
        "I have been feeling suicidal since I was discharged",
        "i want to kill myself",
        "sometimes i think about sucide",
        "I just want to end it all",
        "there is no point in living anymore",
        "I Dont Want To Be Here Anymore",
        "i cant go on like this",
        "wish i was dead",
        "everyone would be better off without me",
        "I\u2019m not suicidal any more but I was last month",
        "thinking of taking my own life",
        "kil my self",
        "I thought about jumping off the bridge on the way home",
        "im better off dead",
        "nobody would miss me if i was gone",
        "i feel like giving up on life",
        "i want to go to sleep and never wake up",
        "Chcę się zabić",  # Polish: I want to kill myself
        "mam mysli samobojcze",  # Polish without diacritics: I have suicidal thoughts
        "\u0a16\u0a41\u0a26\u0a15\u0a41\u0a36\u0a40 \u0a2c\u0a3e\u0a30\u0a47",  # Punjabi
    ],
    "self_harm": [
        "I self harm when I get home from the ward",
        "selfharming again",
        "my daughter has been self-harming",
        "I want to hurt myself",
        "i cut myself last night",
        "I took an overdose last week",
        "he OD'd on his tablets",
        "cutting my arms again",
        "SELF HARM",
        "ive been cutting again",
        "i have been stockpiling my tablets",
    ],
    "abuse": [
        "I was abused by a member of staff",
        "my husband is abusive and the team did nothing",
        "he raped me and nobody listened",
        "I was sexually assaulted on the ward",
        "another patient groped me",
        "the staff bullied me every day",
        "I get racist abuse from my neighbours",
        "they are planning a forced marriage for my sister",
        "a nurse told me to go kill yourself",
        "my ex is stalking me",
    ],
    "violence": [
        "a staff member hit me",
        "he punched me in the face",
        "i was assaulted in the car park",
        "another patient attacked my son",
        "they pinned me down and I could not breathe",
        "he had a knife",
        "he is violent when he drinks",
        "i got beaten up outside the unit",
        "mąż mnie bije i bił mnie wczoraj",  # Polish: my husband beats me
        "i was pushed down the stairs",
        "a patient spat at me",
        "i am being hurt at home",
        "four staff restrained me on the floor",
    ],
    "threats": [
        "He threatened to hurt me if I told anyone",
        "I'll kill him if he comes near me again",
        "im gonna hurt someone",
        "they tried to kill me",
        "i know where you live",
        "i will burn the place down",
        "threatening messages from my ex",
        "i am scared he will kill me",
    ],
    "child_at_risk": [
        "my son is being hit at home",
        "the baby was left alone for hours",
        "I worry my children are not safe with him",
        "my 14 year old is being groomed online",
        "this is a child protection issue",
        "my daughter is missing",
    ],
    "vulnerable_adult_at_risk": [
        "This is a safeguarding concern",
        "my mum was neglected on the ward",
        "bruises on her arms that nobody could explain",
        "i dont feel safe at home",
        "he is scared of his carer",
        "they took all of her money",
        "he went missing from the ward and nobody told us",
        "discharged with nowhere to live",
    ],
}

NOT_URGENT = [
    "",
    "Staff were kind and listened to me. Thank you.",
    "The food was killing me, it was so salty",
    "my back is killing me after waiting on those chairs",
    "I had a panic attack and the nurse stayed with me",
    "the heart attack team were brilliant",
    "the drug and alcohol team helped with my drug abuse",
    "the suicide prevention training for families was really useful",
    "they kicked me out of the clinic because I was late",
    "Parking was impossible and the signs were confusing",
    "Appointments kept being cancelled",
    "The doctor explained my medication clearly",
    "Nothing could be better, it was perfect",
    "My son was seen quickly and the nurse was lovely with him",
    "At the end it was fine and I went home happy",
    "The paramedics got me stable quickly, after a long wait on the street",
    "a life threatening delay for the ambulance",
    "The order of events was a little odd",
    "Obsługa była bardzo miła, dziękuję",  # Polish: the staff were very kind, thank you
    "\u0a38\u0a1f\u0a3e\u0a2b \u0a2c\u0a39\u0a41\u0a24 \u0a35\u0a27\u0a40\u0a06 \u0a38\u0a40",
]


@pytest.mark.parametrize(
    ("category", "phrase"),
    [(category, phrase) for category, phrases in URGENT.items() for phrase in phrases],
)
def test_phrase_lands_urgent_in_its_category(category: str, phrase: str) -> None:
    result = screen(phrase)
    assert result.urgent
    assert category in result.categories


def test_every_category_has_several_phrasings() -> None:
    assert set(URGENT) == set(CATEGORIES)
    assert all(len(phrases) >= 5 for phrases in URGENT.values())


@pytest.mark.parametrize("phrase", NOT_URGENT)
def test_ordinary_comments_are_not_urgent(phrase: str) -> None:
    result = screen(phrase)
    assert not result.urgent, result.matches
    assert result.categories == ()


def test_figurative_abuse_is_flagged_by_decision() -> None:
    """ "Abused by" is how people disclose abuse; the figurative use costs a moderator a minute."""
    assert screen("I was abused by the parking charges").categories == ("abuse",)


def test_punjabi_matches_with_either_form_of_the_nukta_letters() -> None:
    """ਸ਼ is one code point (U+0A36) or ਸ + nukta; Unicode normalisation gives the second."""
    assert screen("\u0a36\u0a4b\u0a36\u0a23").categories == ("abuse",)
    assert screen("\u0a38\u0a3c\u0a4b\u0a38\u0a3c\u0a23").categories == ("abuse",)
    assert screen("\u0a16\u0a41\u0a26\u0a15\u0a41\u0a38\u0a3c\u0a40").categories == (
        "suicide",
    )


def test_negation_does_not_clear_a_flag() -> None:
    assert screen("I am not suicidal").categories == ("suicide",)
    assert screen("I no longer self harm").categories == ("self_harm",)


def test_exception_clears_only_its_own_match() -> None:
    """A panic attack is not violence, but a second, real attack in the same comment is."""
    result = screen("I had a panic attack after he attacked me")
    assert result.categories == ("violence",)
    assert [m.text for m in result.matches] == ["attacked"]


def test_match_offsets_point_at_the_words_in_the_original_text() -> None:
    text = "Good staff. But I\u2019ll KILL him if he comes back."
    result = screen(text)
    assert result.categories == ("threats",)
    (match,) = result.matches
    assert match == Match("threats", "threats-intent", "I\u2019ll KILL him", 16, 29)
    assert text[match.start : match.end] == match.text


def test_categories_follow_the_published_order_and_matches_are_sorted() -> None:
    result = screen("she threatened me, and I want to die; my son is being hit")
    assert result.categories == ("suicide", "violence", "threats", "child_at_risk")
    assert [m.start for m in result.matches] == sorted(m.start for m in result.matches)


def test_screening_is_frozen_and_labelled() -> None:
    result = screen("suicide")
    assert isinstance(result, Screening)
    with pytest.raises(AttributeError):
        result.categories = ()  # type: ignore[misc]
    assert CATEGORY_LABELS["self_harm"] == "Self-harm"
    assert set(CATEGORY_LABELS) == set(CATEGORIES)


def test_non_text_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="str"):
        screen(None)  # type: ignore[arg-type]


def test_every_rule_flags_its_own_examples_and_ids_are_unique() -> None:
    assert len({rule.rule_id for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.examples, rule.rule_id
        for example in rule.examples:
            assert rule.category in screen(example).categories, (rule.rule_id, example)


def test_every_category_has_a_rule() -> None:
    assert {rule.category for rule in RULES} == set(CATEGORIES)


def test_docs_carry_the_current_rule_table() -> None:
    docs = (REPO_ROOT / "docs" / "listening.md").read_text(encoding="utf-8")
    assert rules_markdown() in docs


# Speed is measured by benchmarks/safeguarding_screen.py, not asserted here (no timed tests);
# runaway backtracking would still show as a hung test.
@settings(deadline=None)
@given(st.text(max_size=2000))
def test_screen_is_total_and_deterministic(text: str) -> None:
    first = screen(text)
    assert first == screen(text)
    assert set(first.categories) <= set(CATEGORIES)
    assert first.urgent == bool(first.matches)
    for match in first.matches:
        assert text[match.start : match.end] == match.text


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "my",
                "son",
                "child",
                "was",
                "hit",
                "self",
                " ",
                "-",
                "kill",
                "\u2019",
                "not",
                "safe",
                "over",
                "dose",
                "abuse",
                "drug",
            ]
        ),
        max_size=400,
    )
)
def test_screen_is_total_on_adversarial_word_soup(words: list[str]) -> None:
    """Dense runs of trigger words (the proximity rules' worst case) still screen, with
    every match pointing at its words and categories matching the matches."""
    text = " ".join(words)
    result = screen(text)
    assert all(text[m.start : m.end] == m.text and m.end > m.start for m in result.matches)
    assert result.categories == tuple(
        c for c in CATEGORIES if c in {m.category for m in result.matches}
    )


def test_very_long_comments_are_screened_whole() -> None:
    """A disclosure at the end of a long comment is still found (no truncation)."""
    text = "The ward was clean and the staff were kind. " * 5000 + "I want to die."
    result = screen(text)
    assert result.categories == ("suicide",)
    assert result.matches[0].start == len(text) - len("want to die.")
