"""The truth-recovery helpers on hand-worked cases (fast: no pipeline run)."""

from __future__ import annotations

import math

import pandas as pd
import pytest


def _expectation(recovery, **changes):
    base = dict(disparity="d", metric="m", statistic="proportion", breakdown="ethnicity_5",
                group="Black or Black British", measure=recovery.RATIO, truth_low=2.0,
                truth_high=2.0, truth_ratio=2.0, basis=recovery.EXACT)
    return recovery.Expectation(**{**base, **changes})


def _assessment(recovery, expectation, estimate, lower, upper, significance="higher than White"):
    return recovery.Assessment(expectation, estimate, lower, upper, significance, 100.0,
                               estimate)


NO_OTHER_TYPES = {"rapid_tranquillisation": 0.0, "segregation": 0.0, "mechanical": 0.0,
                  "other_chemical": {}}


@pytest.mark.parametrize(("config", "expected"), [
    # physical restraint in every incident and nothing else: one intervention each
    ({**NO_OTHER_TYPES, "physical_restraint": 1.0, "seclusion": {"a": 0.0}}, 1.0),
    # never physical by choice, but forced when nothing else is used: still exactly one
    ({**NO_OTHER_TYPES, "physical_restraint": 0.0, "seclusion": {"a": 0.5}}, 1.0),
    # always physical, plus seclusion half the time: k = 1 + Bernoulli(0.5);
    # E[k] = 1.5, E[k²] = 0.5·1 + 0.5·4 = 2.5
    ({**NO_OTHER_TYPES, "physical_restraint": 1.0, "seclusion": {"a": 0.5}}, 2.5 / 1.5),
    # the widest over ward types
    ({**NO_OTHER_TYPES, "physical_restraint": 1.0, "seclusion": {"a": 0.0, "b": 0.5}},
     2.5 / 1.5),
])
def test_intervention_overdispersion(recovery, config, expected):
    assert recovery.intervention_overdispersion(config) == pytest.approx(expected)


def test_interval_at_another_level_rescales_log_distances(recovery):
    e = _expectation(recovery)
    # a Katz interval: ratio 2, log SE 0.1
    z95 = 1.959963984540054
    a = _assessment(recovery, e, 2.0, 2.0 * math.exp(-z95 * 0.1), 2.0 * math.exp(z95 * 0.1))
    lower, upper = a.interval_at(0.99)
    z99 = 2.5758293035489004
    assert lower == pytest.approx(2.0 * math.exp(-z99 * 0.1))
    assert upper == pytest.approx(2.0 * math.exp(z99 * 0.1))
    # power: the truth 2 is log(2)/0.1 = 6.9 SE from 1
    assert a.power == pytest.approx(1.0)


def test_coverage_of_a_range_of_true_values(recovery):
    """A whole-day median lies between m - 1 and m: an interval reaching either end covers."""
    e = _expectation(recovery, measure=recovery.VALUE, truth_low=59.0, truth_high=60.0,
                     truth_ratio=1.0, statistic="median")
    assert _assessment(recovery, e, 58.0, 57.0, 59.0).covers
    assert _assessment(recovery, e, 61.0, 60.0, 62.0).covers
    assert not _assessment(recovery, e, 57.0, 56.0, 58.0).covers
    assert not _assessment(recovery, e, 61.5, 60.5, 62.0).covers
    assert not _assessment(recovery, e, 60.0, math.nan, math.nan).covers


def test_direction_and_expected_words(recovery):
    lower = _expectation(recovery, truth_low=0.7, truth_high=0.7, truth_ratio=0.7)
    assert _assessment(recovery, lower, 0.8, 0.6, 1.05).right_direction
    assert not _assessment(recovery, lower, 1.1, 0.9, 1.3).right_direction
    assert _assessment(recovery, lower, 0.8, 0.6, 1.05).expected_significance == "lower than"


def test_pooled_rate_ratio_is_the_span_sums_compared_and_widened(recovery):
    """Three years of interventions and bed days, summed, then compared (Katz) and widened
    by the root of the overdispersion."""
    rows = []
    for period, (black, white) in {"2022-23": ((30, 1000), (100, 10000)),
                                   "2023-24": ((40, 1000), (110, 10000)),
                                   "2024-25": ((50, 1000), (90, 10000))}.items():
        for group, (x, n) in (("Black or Black British", black), ("White", white)):
            rows.append({"metric_id": "m", "statistic": "crude rate",
                         "breakdown": "ethnicity_5", "group": group, "subgroup": None,
                         "comparator": "White", "period": period, "numerator": x,
                         "denominator": float(n)})
    frame = pd.DataFrame(rows)
    e = _expectation(recovery, statistic="crude rate", pooled=True, overdispersion=4.0)
    run = recovery.PipelineRun(folder=None, truth={}, results=pd.DataFrame(),
                               span_results=frame, seconds={}, record={})
    a = recovery.assess(run, e)
    ratio = (120 / 3000) / (300 / 30000)
    se = math.sqrt(1 / 120 + 1 / 300) * 2  # × √4
    assert a.estimate == pytest.approx(ratio)
    assert a.lower == pytest.approx(ratio * math.exp(-1.959963984540054 * se))
    assert a.upper == pytest.approx(ratio * math.exp(1.959963984540054 * se))
    assert a.significance == "higher than White"
    assert a.count == 120
