"""Plain-English labels and sentences: the exact strings a reader will see."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pcref.stats.wording import (
    disparity_sentence,
    format_confidence,
    format_percentage,
    format_ratio_interval,
    format_significant,
    people_phrase,
    proportion_sentence,
    significance_label,
    significance_labels,
)

# --- significance labels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "label"),
    [
        (1.2, 3.4, "higher than White British"),
        (0.3, 0.8, "lower than White British"),
        (0.8, 1.3, "no clear difference from White British"),
        (1.0, 1.3, "no clear difference from White British"),  # touching 1 is not clear
        (math.nan, 1.3, "not calculated"),
    ],
)
def test_significance_label(lower, upper, label):
    assert significance_label(lower, upper, "White British") == label


def test_significance_labels_for_differences_use_zero_and_any_reference():
    lower, upper = np.array([-3.0, 2.0, -1.0]), np.array([-1.0, 5.0, 1.0])
    labels = significance_labels(lower, upper, "White", null=0)
    assert labels.tolist() == [
        "lower than White",
        "higher than White",
        "no clear difference from White",
    ]


# --- number formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.6, "3.6"),
        (3.649, "3.6"),
        (3.65, "3.7"),  # half away from zero on the decimal value
        (3.0, "3.0"),
        (12.4, "12"),
        (123.4, "120"),
        (9.96, "10"),
        (0.4849, "0.48"),
        (0.0456, "0.046"),
        (0.0, "0"),
    ],
)
def test_format_significant_two_figures(value, text):
    assert format_significant(value) == text


def test_ratio_interval_gains_figures_rather_than_contradict_the_conclusion():
    assert format_ratio_interval(3.6, 3.1, 4.2) == ("3.6", "3.1", "4.2")
    assert format_ratio_interval(1.06, 1.04, 1.09) == ("1.06", "1.04", "1.09")
    assert format_ratio_interval(0.96, 0.93, 0.97) == ("0.96", "0.93", "0.97")
    assert format_ratio_interval(0.97, 0.955, 0.996) == ("0.970", "0.955", "0.996")
    # no clear difference: 2 figures even though the upper limit shows as "1.0"
    assert format_ratio_interval(0.99, 0.97, 1.02) == ("0.99", "0.97", "1.0")


@pytest.mark.parametrize(
    ("percentage", "text"),
    [
        (42.4, "42%"),
        (17.5, "18%"),
        (4.56, "4.6%"),
        (0.0, "0.0%"),
        (100.0, "100%"),
        (99.7, "99.7%"),
        (99.97, "more than 99.9%"),
        (0.02, "less than 0.1%"),
    ],
)
def test_format_percentage(percentage, text):
    assert format_percentage(percentage) == text


@pytest.mark.parametrize(("level", "text"), [(0.95, "95%"), (0.998, "99.8%"), (99.8, "99.8%")])
def test_format_confidence(level, text):
    assert format_confidence(level) == text


# --- groups in running text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "phrase"),
    [
        ("Black or Black British", "Black or Black British people"),
        ("White British", "White British people"),
        ("Any other ethnic group", "people from any other ethnic group"),
        ("Any other White background", "people from any other White background"),
        ("Mixed", "people from the Mixed ethnic group"),
        ("Mixed or Multiple ethnic groups", "people from the Mixed or Multiple ethnic groups"),
        ("Non-White British", "Non-White British people"),
        ("Young people", "Young people"),
    ],
)
def test_people_phrase(group, phrase):
    assert people_phrase(group) == phrase


# --- rate sentences ------------------------------------------------------------------------------


def test_disparity_sentence_higher():
    assert disparity_sentence(
        group="Black or Black British",
        reference="White British",
        ratio=3.6,
        lower=3.1,
        upper=4.2,
        verb_phrase="were detained",
        confidence=0.95,
    ) == (
        "Black or Black British people were detained at 3.6 times the rate of White British "
        "people (95% CI 3.1 to 4.2)."
    )


def test_disparity_sentence_lower_keeps_the_ratio_below_one():
    assert disparity_sentence(
        "Chinese", "White British", 0.4849, 0.3021, 0.7712, "were detained", confidence=0.998
    ) == (
        "Chinese people were detained at 0.48 times the rate of White British people "
        "(99.8% CI 0.30 to 0.77)."
    )


def test_disparity_sentence_no_clear_difference():
    assert disparity_sentence(
        "Mixed", "White British", 1.2, 0.9, 1.6, "were subject to restrictive interventions"
    ) == (
        "People from the Mixed ethnic group were subject to restrictive interventions at a rate "
        "not clearly different from that of White British people (rate ratio 1.2, 95% CI 0.90 "
        "to 1.6)."
    )


def test_disparity_sentence_near_one_uses_more_figures():
    assert disparity_sentence(
        "Any other ethnic group", "White British", 1.06, 1.04, 1.09, "were detained"
    ) == (
        "People from any other ethnic group were detained at 1.06 times the rate of White "
        "British people (95% CI 1.04 to 1.09)."
    )


def test_disparity_sentence_no_events():
    assert disparity_sentence("Chinese", "White British", 0.0, 0.0, 0.52, "were detained") == (
        "No Chinese people were detained: a lower rate than White British people (rate ratio 0, "
        "95% CI 0 to 0.52)."
    )
    assert disparity_sentence("Chinese", "White British", 0.0, 0.0, 3.1, "were detained") == (
        "No Chinese people were detained: a rate not clearly different from that of White "
        "British people (rate ratio 0, 95% CI 0 to 3.1)."
    )


def test_disparity_sentence_with_missing_or_infinite_interval():
    expected = "Chinese people could not be compared with White British people for this measure."
    assert disparity_sentence("Chinese", "White", math.nan, math.nan, math.nan, "x",
                              reference_people="White British people") == expected
    assert disparity_sentence("Chinese", "White British", 2.0, 1.1, math.inf, "x") == expected


def test_disparity_sentence_overrides_and_rejects_bad_input():
    assert disparity_sentence(
        "Black", "Rest of population", 2.0, 1.5, 2.7, "were detained",
        reference_people="the rest of the population",
    ) == (
        "Black people were detained at 2.0 times the rate of the rest of the population "
        "(95% CI 1.5 to 2.7)."
    )
    with pytest.raises(ValueError, match="not inside its interval"):
        disparity_sentence("Black", "White", 2.0, 2.5, 3.0, "were detained")
    with pytest.raises(ValueError, match="is the reference group"):
        disparity_sentence("White", "White", 1.0, 1.0, 1.0, "were detained")


# --- proportion sentences ------------------------------------------------------------------------


def test_proportion_sentence_higher():
    assert proportion_sentence(
        "Black or Black British", "White British", 42.4, 17.5, 2.34, 1.91, 2.83,
        "were referred by the police",
    ) == (
        "42% of Black or Black British people were referred by the police, compared with 18% "
        "of White British people (2.3 times as high, 95% CI 1.9 to 2.8)."
    )


def test_proportion_sentence_lower_and_not_clear():
    assert proportion_sentence(
        "Asian or Asian British", "White British", 4.56, 8.2, 0.556, 0.41, 0.74,
        "waited more than 13 weeks", confidence=0.998,
    ) == (
        "4.6% of Asian or Asian British people waited more than 13 weeks, compared with 8.2% "
        "of White British people (0.56 times as high, 99.8% CI 0.41 to 0.74)."
    )
    assert proportion_sentence(
        "Mixed", "White British", 20, 18, 1.11, 0.84, 1.47, "had an interpreter"
    ) == (
        "20% of people from the Mixed ethnic group had an interpreter, compared with 18% of "
        "White British people (not clearly different: ratio 1.1, 95% CI 0.84 to 1.5)."
    )


def test_proportion_sentence_zero_and_missing():
    assert proportion_sentence(
        "Chinese", "White British", 0, 30, 0, 0, 0.41, "were referred by the police"
    ) == (
        "0.0% of Chinese people were referred by the police, compared with 30% of White "
        "British people (clearly lower: ratio 0, 95% CI 0 to 0.41)."
    )
    assert proportion_sentence(
        "Chinese", "White British", 5, 0, math.nan, math.nan, math.nan, "were referred"
    ) == (
        "5.0% of Chinese people were referred, compared with 0.0% of White British people "
        "(the difference could not be assessed)."
    )
