"""Three-point sentiment: the QDC mapping and the word-counting baseline."""

from __future__ import annotations

import math

import pytest

from pcref.listening.sentiment import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SENTIMENTS,
    from_five_point,
    rule_sentiment,
)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(1, POSITIVE), (2, POSITIVE), (3, NEUTRAL), (4, NEGATIVE), (5, NEGATIVE), ("4", NEGATIVE),
     (2.0, POSITIVE), (None, None), (math.nan, None), (6, None), (0, None), (2.5, None),
     ("x", None)],
)
def test_five_point_scale_maps_as_the_qdc_project_recommends(score, expected) -> None:
    assert from_five_point(score) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The staff were kind and helpful, thank you", POSITIVE),
        ("Rude receptionist and a terrible wait", NEGATIVE),
        ("The nurse was not helpful and not kind", NEGATIVE),
        ("It wasn\u2019t bad at all, very good", POSITIVE),
        ("Staff were kind but the wait was awful", NEUTRAL),
        ("I came on Tuesday", NEUTRAL),
        ("", NEUTRAL),
    ],
)
def test_rule_sentiment_on_hand_worked_comments(text: str, expected: str) -> None:
    assert rule_sentiment(text) == expected


def test_three_points_in_dashboard_order() -> None:
    assert SENTIMENTS == ("positive", "neutral", "negative")
