"""Suggested redactions: hand-worked examples of each documented pattern, what they must
leave alone, and properties that hold for any text."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcref.web.moderation.redaction import (
    apply_redactions,
    redact,
    suggest_redactions,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email me at sam.jones+nhs@example.org please",
         "Email me at [email address removed] please"),
        ("My NHS number is 943 476 5919.", "My NHS number is [NHS number removed]."),
        ("NHS no 9434765919", "NHS no [NHS number removed]"),
        ("ref 943-476-5919", "ref [NHS number removed]"),
        ("Ring me on 07700 900123", "Ring me on [phone number removed]"),
        ("or 01632 960 001 at home", "or [phone number removed] at home"),
        ("call +44 7700 900123", "call [phone number removed]"),
        ("Dr Patel was rude", "Dr [name removed] was rude"),
        ("Nurse Joy Smith listened", "Nurse [name removed] listened"),
        ("Mrs. O'Brien on reception", "Mrs. [name removed] on reception"),
        ("my care coordinator Tom never rang", "my care coordinator [name removed] never rang"),
        ("a nurse called Ayesha helped", "a nurse called [name removed] helped"),
    ],
)
def test_each_documented_pattern(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I waited 10 weeks and then 3 more days",
        "The ward was clean. Staff were kind.",
        "I saw the doctor twice in 2024",
        "Ward 12 had 20 beds",
        "the nurse was lovely",  # a job word without a name after it
    ],
)
def test_leaves_ordinary_text_alone(text):
    assert suggest_redactions(text) == ()
    assert redact(text) == text


def test_suggestions_say_what_they_found_and_where():
    text = "Dr Khan, 07700 900123"
    found = suggest_redactions(text)
    assert [(s.kind, s.text, text[s.start : s.end]) for s in found] == [
        ("name", "Khan", "Khan"),
        ("phone", "07700 900123", "07700 900123"),
    ]
    assert [s.label for s in found] == ["Name", "Phone number"]


def test_a_ten_digit_number_is_an_nhs_number_not_a_phone_number():
    # 10 digits starting with 0 match both patterns at the same place; NHS number wins
    # (ties go to the earlier kind), and nothing is redacted twice.
    found = suggest_redactions("0123456789")
    assert [s.kind for s in found] == ["nhs_number"]


def test_overlapping_redactions_are_refused():
    one, two = suggest_redactions("Dr Ali 07700 900123")
    with pytest.raises(ValueError, match="overlap"):
        apply_redactions("Dr Ali 07700 900123", (one, type(one)(one.kind, one.start, 10, "x")))
    assert apply_redactions("Dr Ali 07700 900123", (one, two)).count("removed") == 2


@given(st.text(max_size=200))
def test_suggestions_never_overlap_and_point_at_their_text(text):
    found = suggest_redactions(text)
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
    for suggestion in found:
        assert text[suggestion.start : suggestion.end] == suggestion.text


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=200)
       .filter(lambda t: "@" not in t))
def test_text_without_digits_at_signs_or_capitals_after_titles_is_unchanged(text):
    # No digits and no @: only the name patterns can fire, and they need a capital letter
    # after a title or job word; lower-casing everything rules that out.
    assert redact(text.lower()) == text.lower()


def test_a_lone_capital_after_a_job_word_is_not_a_name():
    assert redact("the nurse I saw was kind") == "the nurse I saw was kind"
