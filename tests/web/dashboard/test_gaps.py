"""Ranking the biggest gaps on a hand-made set of figures: order by distance of the ratio
from 1 on the log scale, only clear differences, standardised over crude rates, withheld
and interval-less rows left out, worse or better by improvement direction."""

import math

import pandas as pd
import pytest

from pcref.web.dashboard.gaps import MetricFacts, biggest_gaps, direction_for

METRICS = {
    "detentions": MetricFacts("detentions", "Detentions", "Mental Health Act", "rate",
                              "decrease", "were detained", ("crude rate", "standardised rate")),
    "police": MetricFacts("police", "Police referrals", "Access", "proportion", "decrease",
                          "were referred by the police", ("proportion",)),
    "assessed": MetricFacts("assessed", "Seen in 13 weeks", "Young people", "proportion",
                            "increase", "were seen within 13 weeks", ("proportion",)),
    "wait": MetricFacts("wait", "Median wait", "Dementia", "median", "decrease", "waited",
                        ("median",)),
    "contact": MetricFacts("contact", "In contact", "Access", "rate", "neither",
                           "were seen", ("crude rate",)),
}


def _row(metric, group, statistic, ratio, lower, upper, significance, value=10.0,
         display=None, breakdown="ethnicity_5", subgroup=None, comparator="White"):
    return {
        "metric_id": metric, "period": "2024-25", "breakdown": breakdown, "group": group,
        "subgroup": subgroup, "statistic": statistic, "value": value,
        "display_value": display if display is not None else f"{value:.1f}",
        "ratio": ratio, "ratio_lower": lower, "ratio_upper": upper,
        "significance": significance, "comparator": comparator,
    }


ROWS = pd.DataFrame([
    _row("detentions", "White", "crude rate", 1.0, None, None, "reference group"),
    _row("detentions", "Black", "crude rate", 4.0, 3.0, 5.0, "higher than White"),
    _row("detentions", "Black", "standardised rate", 3.5, 3.1, 3.9, "higher than White"),
    _row("detentions", "Asian", "crude rate", 1.1, 0.9, 1.3, "no clear difference from White"),
    _row("police", "White", "proportion", 1.0, None, None, "reference group", value=5.0),
    _row("police", "Mixed", "proportion", 0.4, 0.2, 0.8, "lower than White", value=2.0),
    _row("police", "Black", "proportion", 2.4, 1.6, 3.6, "higher than White", value=12.0),
    # withheld under the policy: never listed
    _row("police", "Other", "proportion", 9.0, 4.0, 20.0, "higher than White", display="*"),
    _row("assessed", "White", "proportion", 1.0, None, None, "reference group", value=60.0),
    _row("assessed", "Asian", "proportion", 0.5, 0.4, 0.7, "lower than White", value=30.0),
    # a median has no interval for its ratio: not ranked
    _row("wait", "Black", "median", 1.8, None, None, "higher than White"),
    _row("contact", "Mixed", "crude rate", 1.3, 1.1, 1.5, "higher than White"),
    # a cross breakdown is not ranked on this page
    _row("detentions", "Black", "crude rate", 6.0, 4.0, 9.0, "higher than White",
         breakdown="ethnicity_5 x sex", subgroup="Male"),
])


def test_gaps_are_ranked_by_distance_from_one_on_the_log_scale():
    gaps = biggest_gaps(ROWS, METRICS)
    # |ln 3.5| = 1.25 > |ln 0.4| = 0.92 > |ln 2.4| = 0.88 > |ln 0.5| = 0.69 > |ln 1.3| = 0.26
    assert [(g.metric_id, g.group, g.ratio) for g in gaps] == [
        ("detentions", "Black", 3.5),
        ("police", "Mixed", 0.4),
        ("police", "Black", 2.4),
        ("assessed", "Asian", 0.5),
        ("contact", "Mixed", 1.3),
    ]
    assert gaps[0].size == pytest.approx(math.log(3.5))
    assert gaps[0].statistic == "standardised rate"  # preferred to the crude rate


def test_each_gap_is_a_sentence_with_its_interval_and_a_direction():
    gaps = {(g.metric_id, g.group): g for g in biggest_gaps(ROWS, METRICS)}
    assert gaps["detentions", "Black"].sentence == (
        "Black people were detained at 3.5 times the rate of White people (95% CI 3.1 to 3.9)."
    )
    assert gaps["police", "Mixed"].sentence == (
        "2.0% of people from the Mixed ethnic group were referred by the police, compared "
        "with 5.0% of White people (0.40 times as high, 95% CI 0.20 to 0.80)."
    )
    assert gaps["detentions", "Black"].direction == "worse"   # higher, lower is better
    assert gaps["police", "Mixed"].direction == "better"      # lower, lower is better
    assert gaps["assessed", "Asian"].direction == "worse"     # lower, higher is better
    assert gaps["contact", "Mixed"].direction == "different"  # neither is better


def test_directions_filter_and_empty_input():
    worse = biggest_gaps(ROWS, METRICS, directions={"worse"})
    assert [(g.metric_id, g.group) for g in worse] == [
        ("detentions", "Black"), ("police", "Black"), ("assessed", "Asian"),
    ]
    assert biggest_gaps(ROWS.iloc[0:0], METRICS) == []


def test_a_group_with_no_events_ranks_first():
    rows = pd.concat([ROWS, pd.DataFrame([
        _row("detentions", "Chinese", "standardised rate", 0.0, 0.0, 0.6, "lower than White",
             value=0.0),
    ])])
    first = biggest_gaps(rows, METRICS)[0]
    assert (first.group, first.size) == ("Chinese", math.inf)
    assert first.sentence.startswith("No Chinese people were detained: a lower rate than")


@pytest.mark.parametrize(
    ("significance", "direction", "expected"),
    [
        ("higher than White", "increase", "better"),
        ("lower than White", "increase", "worse"),
        ("higher than White", "decrease", "worse"),
        ("lower than White", "decrease", "better"),
        ("higher than White", "neither", "different"),
    ],
)
def test_direction_for(significance, direction, expected):
    assert direction_for(significance, direction) == expected
