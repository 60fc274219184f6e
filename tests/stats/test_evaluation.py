"""Did it work: before/after changes, the chart judged against the baseline, the verdict."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from pcref.stats.evaluation import (
    Change,
    Variation,
    disparity_change,
    proportion_change,
    rate_change,
    rebased_chart,
    variation_after,
    verdict,
)

MONTHS = pd.date_range("2022-04-01", periods=36, freq="MS")
ACTION_START = MONTHS[24]  # April 2024: 24 months before, 12 after


def test_disparity_change_hand_worked():
    # Before: 300 vs 100 per 100,000 (rate ratio 3); after: 200 vs 100 (rate ratio 2).
    # after ÷ before = 2/3; SE(ln) = √(1/200 + 1/100 + 1/300 + 1/100) = 0.168325;
    # limits (2/3)·exp(∓1.959964 × 0.168325) = 0.47931, 0.92725 (worked by hand).
    change = disparity_change(300, 100_000, 100, 100_000, 200, 100_000, 100, 100_000)
    assert change.before == pytest.approx(3.0)
    assert change.after == pytest.approx(2.0)
    assert change.ratio == pytest.approx(2 / 3)
    assert change.lower == pytest.approx(0.47931, rel=1e-4)
    assert change.upper == pytest.approx(0.92725, rel=1e-4)
    assert change.beyond_chance


def test_disparity_change_with_a_zero_count_has_no_interval():
    change = disparity_change(3, 1000, 0, 1000, 2, 1000, 1, 1000)
    assert math.isnan(change.ratio) and math.isnan(change.lower)
    assert not change.beyond_chance


def test_rate_change_matches_a_clopper_pearson_interval_from_scipy():
    # Given 40 + 25 events, the after count is binomial with p = θn₁/(θn₁ + n₀).
    change = rate_change(40, 50_000, 25, 60_000)
    ci = scipy_stats.binomtest(25, 65).proportion_ci(0.95, method="exact")
    to_ratio = lambda p: p / (1 - p) * 50_000 / 60_000  # noqa: E731
    assert change.before == pytest.approx(80.0)
    assert change.after == pytest.approx(41.6667, rel=1e-5)
    assert change.ratio == pytest.approx((25 / 60_000) / (40 / 50_000))
    assert change.lower == pytest.approx(to_ratio(ci.low), rel=1e-9)
    assert change.upper == pytest.approx(to_ratio(ci.high), rel=1e-9)


def test_proportion_change_limits_solve_the_mover_r_equations():
    change = proportion_change(20, 100, 40, 100)
    p1, p0 = 0.4, 0.2
    w1 = scipy_wilson(40, 100)
    w0 = scipy_wilson(20, 100)
    lower, upper = change.lower, change.upper
    # Newcombe (2016): (θ₁ − Lθ₀)² = (θ₁ − l₁)² + L²(u₀ − θ₀)², and the same for U.
    assert (p1 - lower * p0) ** 2 == pytest.approx((p1 - w1[0]) ** 2 + lower**2 * (w0[1] - p0) ** 2)
    assert (p1 - upper * p0) ** 2 == pytest.approx((w1[1] - p1) ** 2 + upper**2 * (p0 - w0[0]) ** 2)
    assert change.before == 20 and change.after == 40 and change.ratio == pytest.approx(2)
    assert lower < 2 < upper and change.beyond_chance


def scipy_wilson(x, n, confidence=0.95):
    """Wilson score limits written out from the formula, independently of pcref."""
    z = scipy_stats.norm.ppf(0.5 + confidence / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rate_change(-1, 10, 1, 10), "before_events"),
        (lambda: rate_change(1, 0, 1, 10), "before_exposure"),
        (lambda: proportion_change(5, 4, 1, 10), "larger than its denominator"),
        (lambda: disparity_change(1, 1, 1, 1, 1, 1, 1, float("nan")), "after_reference"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _series(values):
    return pd.DataFrame({"month": MONTHS[: len(values)], "rate": values})


def _noisy(seed, step):
    values = np.random.default_rng(seed).normal(50, 5, len(MONTHS))
    values[24:] += step
    return _series(values)


def test_a_step_down_after_the_action_is_an_improvement_when_lower_is_better():
    series = _noisy(1, step=-15)
    result = variation_after(series, value="rate", date="month", action_start=ACTION_START,
                             improvement_direction="decrease")
    assert result.signal == "improvement"
    assert (result.baseline_points, result.after_points) == (24, 12)
    worse = variation_after(series, value="rate", date="month", action_start=ACTION_START,
                            improvement_direction="increase")
    assert worse.signal == "concern"


def test_an_alternating_series_is_common_cause():
    values = [48 + 4 * (i % 2) for i in range(36)]
    result = variation_after(_series(values), value="rate", date="month",
                             action_start=ACTION_START, improvement_direction="decrease")
    assert result.signal == "common cause" and result.rules == ()


def test_false_and_true_signal_rates_over_many_synthetic_series():
    """No change: a false "improvement" in about 1 in 10 series (the MDC rules' known
    false-alarm rate over 12 months); a 2σ step: found almost always."""
    def improvement_rate(step):
        return np.mean([
            variation_after(_noisy(seed, step), value="rate", date="month",
                            action_start=ACTION_START,
                            improvement_direction="decrease").signal == "improvement"
            for seed in range(200)
        ])
    assert improvement_rate(0) < 0.15
    assert improvement_rate(-10) > 0.97


def test_too_few_months_before_the_action():
    series = _series(list(range(20)))
    result = variation_after(series, value="rate", date="month", action_start=MONTHS[6],
                             improvement_direction="decrease")
    assert result.signal == "too few months" and result.baseline_points == 6


def test_the_rebased_chart_has_separate_limits_before_and_after():
    chart = rebased_chart(_noisy(3, step=-15), value="rate", date="month",
                          action_start=ACTION_START, improvement_direction="decrease")
    before, after = chart.iloc[:24], chart.iloc[24:]
    assert before["mean"].nunique() == 1 and after["mean"].nunique() == 1
    assert after["mean"].iloc[0] < before["mean"].iloc[0] - 10


FELL = Change(before=3.8, after=2.9, ratio=2.9 / 3.8, lower=0.66, upper=0.88, method="m")
UNCLEAR = Change(before=3.8, after=3.6, ratio=3.6 / 3.8, lower=0.8, upper=1.1, method="m")
MEASURE = "The detention rate ratio for Black or Black British people"


def test_verdict_when_interval_and_chart_agree():
    result = verdict(MEASURE, FELL, Variation("improvement", 24, 12, ("rule_shift",)), "decrease")
    assert result.outcome == "improved"
    assert result.sentence == (
        "The detention rate ratio for Black or Black British people fell from 3.8 to 2.9 "
        "(after ÷ before 0.76, 95% CI 0.66 to 0.88); the change is beyond normal variation."
    )
    assert verdict(MEASURE, FELL, Variation("concern", 24, 12), "increase").outcome == "worsened"


def test_verdict_of_no_clear_change():
    result = verdict(MEASURE, UNCLEAR, Variation("common cause", 24, 12), "decrease")
    assert result.outcome == "no clear change"
    assert result.sentence.endswith(
        "the difference could be chance, and the monthly chart shows only normal variation."
    )


def test_verdict_when_the_two_disagree():
    result = verdict(MEASURE, FELL, Variation("common cause", 24, 12), "decrease")
    assert result.outcome == "mixed"
    assert "unlikely to be chance, but the monthly chart shows only normal variation" in (
        result.sentence
    )


def test_verdict_with_too_few_months_rests_on_the_interval():
    result = verdict(MEASURE, FELL, Variation("too few months", 6, 6), "decrease")
    assert result.outcome == "improved"
    assert "only 6 months before the action" in result.sentence


def test_verdict_with_no_better_direction_says_changed():
    assert verdict(MEASURE, FELL, Variation("neutral", 24, 12), "neutral").outcome == "changed"


def test_verdict_with_too_few_events():
    nothing = Change(before=0.0, after=1.0, ratio=math.nan, lower=math.nan, upper=math.nan,
                     method="m")
    result = verdict(MEASURE, nothing, Variation("common cause", 24, 12), "decrease")
    assert result.outcome == "no clear change" and "too few events" in result.sentence
