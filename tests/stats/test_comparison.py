"""Comparisons with a reference group, checked against independent expectations.

* the statistics note's worked Katz example (24/80000 vs 30/300000 → 1.7539–5.1314);
* exact conditional limits recomputed from scipy's Clopper–Pearson binomial interval;
* Newcombe (1998, Table II) published intervals for differences of proportions;
* MOVER-R limits solving their defining equations (found numerically here);
* hand-worked DSR ratio, MHS95d/e/f equality-gap examples;
* hypothesis properties: log limits symmetric on the log scale, limits bracket the ratio,
  99.8% limits contain 95% limits.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from pcref.stats.comparison import (
    dsr_ratio,
    equality_gap_white_vs_non_white,
    mean_absolute_deviation,
    proportion_ratio,
    rate_ratio,
)

Z95 = 1.959963984540054


def two_groups(x1, n1, x0, n0, group="Black", reference="White British"):
    return pd.DataFrame({"ethnicity": [reference, group], "x": [x0, x1], "n": [n0, n1]})


# --- rate ratio: the log (Katz) method -----------------------------------------------------------


def test_katz_worked_example_from_the_statistics_note():
    result = rate_ratio(two_groups(24, 80_000, 30, 300_000), "x", "n", "ethnicity", "White British")
    row = result.iloc[1]
    assert row["ratio"] == pytest.approx(3.0)
    assert round(row["ratio_lower"], 4) == 1.7539
    assert round(row["ratio_upper"], 4) == 5.1314
    assert row["ratio_method"] == "log (Katz)"
    assert row["significance"] == "higher than White British"
    assert row["comparison_status"] == "compared"


def test_reference_row_has_ratio_one_and_no_interval():
    result = rate_ratio(two_groups(24, 80_000, 30, 300_000), "x", "n", "ethnicity", "White British")
    ref = result.iloc[0]
    assert ref["ratio"] == 1.0
    assert math.isnan(ref["ratio_lower"]) and math.isnan(ref["ratio_upper"])
    assert ref["difference"] == 0.0
    assert math.isnan(ref["difference_lower"])
    assert ref["significance"] == "reference group"
    assert ref["comparison_status"] == "reference_group"
    assert (result["reference_group"] == "White British").all()


def test_rate_difference_mover_with_byars_limits_by_hand():
    result = rate_ratio(two_groups(24, 80_000, 30, 300_000), "x", "n", "ethnicity", "White British")
    row = result.iloc[1]

    def byars(o):
        lower = o * (1 - 1 / (9 * o) - Z95 / (3 * math.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z95 / (3 * math.sqrt(o + 1))) ** 3
        return lower, upper

    l1, u1 = (v / 80_000 * 1e5 for v in byars(24))
    l0, u0 = (v / 300_000 * 1e5 for v in byars(30))
    r1, r0 = 30.0, 10.0  # per 100,000
    assert row["difference"] == pytest.approx(20.0)
    assert row["difference_lower"] == pytest.approx(
        20 - math.sqrt((r1 - l1) ** 2 + (u0 - r0) ** 2), rel=1e-12
    )
    assert row["difference_upper"] == pytest.approx(
        20 + math.sqrt((u1 - r1) ** 2 + (r0 - l0) ** 2), rel=1e-12
    )


def test_rate_difference_close_to_wald_for_large_counts():
    result = rate_ratio(two_groups(4000, 1e6, 9000, 3e6), "x", "n", "ethnicity", "White British")
    row = result.iloc[1]
    wald = Z95 * math.sqrt(4000 / 1e6**2 + 9000 / 3e6**2) * 1e5
    assert row["difference_lower"] == pytest.approx(100 - wald, rel=2e-3)
    assert row["difference_upper"] == pytest.approx(100 + wald, rel=2e-3)


# --- rate ratio: exact conditional ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("o1", "n1", "o0", "n0"),
    [(3, 5_000, 40, 200_000), (0, 10_000, 25, 300_000), (7, 2_000, 9, 15_000), (12, 900, 4, 4_000)],
)
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_conditional_matches_clopper_pearson(o1, n1, o0, n0, confidence):
    result = rate_ratio(
        two_groups(o1, n1, o0, n0), "x", "n", "ethnicity", "White British", confidence=confidence
    )
    row = result.iloc[1]
    assert row["ratio_method"] == "exact conditional"
    ci = stats.binomtest(o1, o1 + o0).proportion_ci(confidence_level=confidence, method="exact")
    expected_lower = ci.low / (1 - ci.low) * n0 / n1
    expected_upper = ci.high / (1 - ci.high) * n0 / n1
    assert row["ratio_lower"] == pytest.approx(expected_lower, rel=1e-9, abs=1e-15)
    assert row["ratio_upper"] == pytest.approx(expected_upper, rel=1e-9)
    assert row["ratio"] == pytest.approx((o1 / n1) / (o0 / n0))


def test_method_can_be_forced():
    df = two_groups(24, 80_000, 30, 300_000)
    exact = rate_ratio(df, "x", "n", "ethnicity", "White British", method="exact").iloc[1]
    log = rate_ratio(df, "x", "n", "ethnicity", "White British", method="log").iloc[1]
    assert exact["ratio_method"] == "exact conditional"
    assert log["ratio_method"] == "log (Katz)"
    assert exact["ratio_lower"] != pytest.approx(log["ratio_lower"], rel=1e-3)


def test_zero_count_group_is_compared_exactly():
    row = rate_ratio(two_groups(0, 20_000, 30, 300_000), "x", "n", "ethnicity", "White British")
    row = row.iloc[1]
    assert row["ratio"] == 0
    assert row["ratio_lower"] == 0
    assert row["ratio_upper"] > 0
    assert row["comparison_status"] == "compared"


def test_log_method_with_zero_count_gives_no_interval():
    row = rate_ratio(
        two_groups(0, 20_000, 30, 300_000), "x", "n", "ethnicity", "White British", method="log"
    ).iloc[1]
    assert row["ratio"] == 0
    assert math.isnan(row["ratio_lower"])
    assert row["comparison_status"] == "zero_count"
    assert row["significance"] == "not calculated"


def test_reference_without_events_gives_no_ratio_but_a_difference():
    row = rate_ratio(two_groups(12, 20_000, 0, 300_000), "x", "n", "ethnicity", "White British")
    row = row.iloc[1]
    assert math.isnan(row["ratio"]) and math.isnan(row["ratio_upper"])
    assert row["comparison_status"] == "no_reference_events"
    assert row["significance"] == "not calculated"
    assert row["difference"] == pytest.approx(60.0)
    assert row["difference_lower"] > 0


def test_significance_words_in_all_three_directions():
    df = pd.DataFrame(
        {
            "ethnicity": ["White British", "Black", "Chinese", "Mixed"],
            "x": [500, 300, 20, 55],
            "n": [1_000_000, 150_000, 100_000, 100_000],
        }
    )
    labels = rate_ratio(df, "x", "n", "ethnicity", "White British")["significance"].tolist()
    assert labels == [
        "reference group",
        "higher than White British",
        "lower than White British",
        "no clear difference from White British",
    ]


def test_missing_count_in_a_group_gives_missing_results():
    df = pd.DataFrame(
        {"ethnicity": ["White", "Asian", "Black"], "x": [40, np.nan, 30], "n": [1e5, 2e4, 1e4]}
    )
    result = rate_ratio(df, "x", "n", "ethnicity", "White")
    assert result.loc[1, "comparison_status"] == "missing_input"
    assert math.isnan(result.loc[1, "ratio"]) and math.isnan(result.loc[1, "difference"])
    assert result.loc[1, "significance"] == "not calculated"
    assert result.loc[2, "comparison_status"] == "compared"


def test_two_confidence_levels_add_998_columns():
    result = rate_ratio(
        two_groups(24, 80_000, 30, 300_000), "x", "n", "ethnicity", "White British",
        confidence=(0.95, 0.998),
    )
    row = result.iloc[1]
    assert row["ratio_lower_998"] < row["ratio_lower"] < row["ratio_upper"] < row["ratio_upper_998"]
    assert row["difference_lower_998"] < row["difference_lower"]
    assert row["difference_upper"] < row["difference_upper_998"]


def test_by_partitions_each_use_their_own_reference():
    df = pd.DataFrame(
        {
            "year": ["2023", "2023", "2024", "2024"],
            "ethnicity": ["Black", "White British", "White British", "Black"],
            "x": [24, 30, 50, 10],
            "n": [80_000, 300_000, 310_000, 82_000],
        }
    )
    together = rate_ratio(df, "x", "n", "ethnicity", "White British", by="year")
    for year, part in df.groupby("year"):
        alone = rate_ratio(part, "x", "n", "ethnicity", "White British")
        pd.testing.assert_frame_equal(together[together["year"] == year], alone)


# --- rate ratio: properties ----------------------------------------------------------------------

counts = st.integers(min_value=10, max_value=100_000)
small_counts = st.integers(min_value=0, max_value=40)
person_time = st.floats(min_value=100, max_value=1e7, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(o1=counts, o0=counts, n1=person_time, n0=person_time)
def test_log_limits_are_symmetric_on_the_log_scale(o1, o0, n1, n0):
    row = rate_ratio(two_groups(o1, n1, o0, n0), "x", "n", "ethnicity", "White British").iloc[1]
    assert row["ratio_method"] == "log (Katz)"
    below = math.log(row["ratio"]) - math.log(row["ratio_lower"])
    above = math.log(row["ratio_upper"]) - math.log(row["ratio"])
    assert below == pytest.approx(above, rel=1e-9)


@settings(max_examples=80, deadline=None)
@given(o1=small_counts, o0=st.integers(min_value=1, max_value=40), n1=person_time, n0=person_time)
def test_limits_bracket_the_ratio_and_998_contains_95(o1, o0, n1, n0):
    result = rate_ratio(
        two_groups(o1, n1, o0, n0), "x", "n", "ethnicity", "White British",
        confidence=(0.95, 0.998),
    )
    row = result.iloc[1]
    assert row["ratio_lower"] <= row["ratio"] <= row["ratio_upper"]
    assert row["ratio_lower_998"] <= row["ratio_lower"]
    assert row["ratio_upper"] <= row["ratio_upper_998"]
    assert row["difference_lower"] <= row["difference"] <= row["difference_upper"]
    assert row["difference_lower_998"] <= row["difference_lower"]
    assert row["difference_upper"] <= row["difference_upper_998"]


# --- rate ratio: bad input -----------------------------------------------------------------------


def test_negative_count_names_column_and_row():
    df = pd.DataFrame({"ethnicity": ["White British", "Black"], "x": [30, -2], "n": [1e5, 1e4]})
    with pytest.raises(ValueError, match=r"column 'x', row 1 \(value -2"):
        rate_ratio(df, "x", "n", "ethnicity", "White British")


def test_missing_reference_group_names_column_and_groups():
    df = pd.DataFrame({"ethnicity": ["White", "Black"], "x": [30, 2], "n": [1e5, 1e4]})
    with pytest.raises(ValueError, match=r"column 'ethnicity': reference group 'White British'"):
        rate_ratio(df, "x", "n", "ethnicity", "White British")


def test_missing_reference_in_one_partition():
    df = pd.DataFrame(
        {
            "year": [2023, 2023, 2024],
            "ethnicity": ["White British", "Black", "Black"],
            "x": [30, 2, 4],
            "n": [1e5, 1e4, 1e4],
        }
    )
    with pytest.raises(ValueError, match=r"row 2: no reference group 'White British'.*2024"):
        rate_ratio(df, "x", "n", "ethnicity", "White British", by="year")


def test_duplicated_group_names_the_row():
    df = pd.DataFrame(
        {"ethnicity": ["White British", "Black", "Black"], "x": [30, 2, 3], "n": [1e5, 1e4, 1e4]}
    )
    with pytest.raises(ValueError, match=r"row 2: duplicated group.*'Black'"):
        rate_ratio(df, "x", "n", "ethnicity", "White British")


def test_zero_denominator_names_column_and_row():
    df = pd.DataFrame({"ethnicity": ["White British", "Black"], "x": [30, 2], "n": [1e5, 0]})
    with pytest.raises(ValueError, match=r"column 'n', row 1.*> 0"):
        rate_ratio(df, "x", "n", "ethnicity", "White British")


def test_missing_reference_count_is_an_error():
    df = pd.DataFrame({"ethnicity": ["White British", "Black"], "x": [np.nan, 2], "n": [1e5, 1e4]})
    with pytest.raises(ValueError, match=r"column 'x', row 0: the reference group's value"):
        rate_ratio(df, "x", "n", "ethnicity", "White British")


def test_unknown_method():
    with pytest.raises(ValueError, match="method 'wald'"):
        rate_ratio(two_groups(1, 2, 3, 4), "x", "n", "ethnicity", "White British", method="wald")


# --- proportions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0", "lower", "upper"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),  # Newcombe 1998, Table II, example (a), method 10
        (9, 10, 3, 10, 0.1705, 0.8090),  # example (b)
    ],
)
def test_difference_of_proportions_matches_newcombe_1998(x1, n1, x0, n0, lower, upper):
    row = proportion_ratio(
        two_groups(x1, n1, x0, n0), "x", "n", "ethnicity", "White British", multiplier=1
    ).iloc[1]
    assert row["difference_method"] == "Newcombe hybrid score (Wilson)"
    assert round(row["difference_lower"], 4) == lower
    assert round(row["difference_upper"], 4) == upper


def test_percentage_point_difference_with_default_multiplier():
    row = proportion_ratio(two_groups(56, 70, 48, 80), "x", "n", "ethnicity", "White British")
    assert row.iloc[1]["difference"] == pytest.approx(20.0)
    assert round(row.iloc[1]["difference_lower"], 2) == 5.24


def test_proportion_ratio_log_method_by_hand():
    row = proportion_ratio(two_groups(56, 70, 48, 80), "x", "n", "ethnicity", "White British")
    row = row.iloc[1]
    ratio = (56 / 70) / (48 / 80)
    se = math.sqrt(1 / 56 - 1 / 70 + 1 / 48 - 1 / 80)
    assert row["ratio_method"] == "log (Katz)"
    assert row["ratio"] == pytest.approx(ratio)
    assert row["ratio_lower"] == pytest.approx(ratio * math.exp(-Z95 * se), rel=1e-12)
    assert row["ratio_upper"] == pytest.approx(ratio * math.exp(Z95 * se), rel=1e-12)


def _wilson(x, n, z=Z95):
    centre = 2 * x + z**2
    spread = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return (centre - spread) / (2 * (n + z**2)), (centre + spread) / (2 * (n + z**2))


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"), [(3, 40, 12, 200), (9, 10, 3, 10), (0, 25, 7, 90)]
)
def test_mover_r_limits_solve_their_defining_equations(x1, n1, x0, n0):
    row = proportion_ratio(two_groups(x1, n1, x0, n0), "x", "n", "ethnicity", "White British")
    row = row.iloc[1]
    assert row["ratio_method"] == "MOVER-R (Wilson)"
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _wilson(x1, n1)
    l0, u0 = _wilson(x0, n0)
    ratio = p1 / p0

    def lower_equation(t):
        return (p1 - t * p0) ** 2 - (p1 - l1) ** 2 - t**2 * (u0 - p0) ** 2

    def upper_equation(t):
        return (p1 - t * p0) ** 2 - (u1 - p1) ** 2 - t**2 * (p0 - l0) ** 2

    expected_upper = optimize.brentq(upper_equation, max(ratio, 1e-12), 1e6, xtol=1e-14)
    assert row["ratio_upper"] == pytest.approx(expected_upper, rel=1e-9)
    if x1 == 0:
        assert row["ratio_lower"] == 0
    else:
        expected_lower = optimize.brentq(lower_equation, 0, ratio, xtol=1e-14)
        assert row["ratio_lower"] == pytest.approx(expected_lower, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    x1=st.integers(0, 60), extra1=st.integers(0, 500), x0=st.integers(1, 60),
    extra0=st.integers(0, 500),
)
def test_proportion_limits_bracket_and_nest(x1, extra1, x0, extra0):
    df = two_groups(x1, x1 + extra1 + 1, x0, x0 + extra0)
    row = proportion_ratio(
        df, "x", "n", "ethnicity", "White British", confidence=(0.95, 0.998)
    ).iloc[1]
    tolerance = 1e-12
    assert row["ratio_lower"] <= row["ratio"] * (1 + tolerance)
    assert row["ratio"] <= row["ratio_upper"] * (1 + tolerance)
    assert row["ratio_lower_998"] <= row["ratio_lower"] * (1 + tolerance)
    assert row["ratio_upper"] <= row["ratio_upper_998"] * (1 + tolerance)
    assert row["difference_lower"] <= row["difference"] <= row["difference_upper"]


def test_proportion_of_100_percent_uses_mover_not_a_zero_width_katz_interval():
    row = proportion_ratio(two_groups(15, 15, 18, 20), "x", "n", "ethnicity", "White British")
    row = row.iloc[1]
    assert row["ratio_method"] == "MOVER-R (Wilson)"
    assert row["ratio_lower"] < row["ratio"] < row["ratio_upper"]
    assert row["significance"] == "no clear difference from White British"


def test_proportion_numerator_above_denominator_is_an_error():
    with pytest.raises(ValueError, match=r"column 'x', row 1.*numerator <= the denominator"):
        proportion_ratio(two_groups(12, 10, 3, 10), "x", "n", "ethnicity", "White British")


# --- directly standardised rates -----------------------------------------------------------------


def test_dsr_ratio_by_hand():
    df = pd.DataFrame(
        {
            "ethnicity": ["White British", "Black", "Asian"],
            "value": [65.0, 230.0, 70.0],  # per 100,000
            "variance": [4e-12, 2.5e-10, 9e-11],  # per person
            "total_count": [4000, 900, 5],
        }
    )
    result = dsr_ratio(df, "value", "variance", "ethnicity", "White British", "total_count")
    black = result.iloc[1]
    d1, d0 = 230e-5, 65e-5
    se = math.sqrt(2.5e-10 / d1**2 + 4e-12 / d0**2)
    assert black["ratio"] == pytest.approx(230 / 65)
    assert black["ratio_lower"] == pytest.approx(230 / 65 * math.exp(-Z95 * se), rel=1e-12)
    assert black["ratio_upper"] == pytest.approx(230 / 65 * math.exp(Z95 * se), rel=1e-12)
    half = Z95 * math.sqrt(2.5e-10 + 4e-12) * 1e5
    assert black["difference"] == pytest.approx(165.0)
    assert black["difference_lower"] == pytest.approx(165 - half, rel=1e-12)
    assert black["ratio_method"] == "log-normal (delta method)"
    asian = result.iloc[2]
    assert asian["comparison_status"] == "dsr_total_lt_10"
    assert math.isnan(asian["ratio"]) and math.isnan(asian["difference"])
    assert asian["significance"] == "not calculated"


def test_dsr_ratio_uses_the_multiplier_to_put_value_and_variance_on_one_scale():
    per_100k = pd.DataFrame(
        {
            "ethnicity": ["White British", "Black"],
            "value": [65.0, 230.0],
            "variance": [4e-12, 2.5e-10],
            "total_count": [4000, 900],
        }
    )
    per_10k = per_100k.assign(value=per_100k["value"] / 10)
    a = dsr_ratio(per_100k, "value", "variance", "ethnicity", "White British", "total_count")
    b = dsr_ratio(
        per_10k, "value", "variance", "ethnicity", "White British", "total_count",
        multiplier=10_000,
    )
    for column in ("ratio", "ratio_lower", "ratio_upper"):
        assert b.loc[1, column] == pytest.approx(a.loc[1, column], rel=1e-12)
    assert b.loc[1, "difference_upper"] == pytest.approx(a.loc[1, "difference_upper"] / 10)


def test_dsr_ratio_suppressed_everywhere_when_reference_count_below_ten():
    df = pd.DataFrame(
        {
            "ethnicity": ["White British", "Black"],
            "value": [np.nan, 230.0],
            "variance": [np.nan, 2.5e-10],
            "total_count": [8, 900],
        }
    )
    result = dsr_ratio(df, "value", "variance", "ethnicity", "White British", "total_count")
    assert result["comparison_status"].tolist() == ["reference_group", "dsr_total_lt_10"]


def test_dsr_ratio_reads_the_dsr_output_directly():
    """Contract with pcref.stats.dsr: value per multiplier, per-person variance, total_count."""
    from pcref.stats import dsr

    bands = ["0-4", "5-9", "10-14"]
    rows = []
    for ethnicity, counts in (("White British", [40, 60, 80]), ("Black", [30, 35, 50])):
        for band, count in zip(bands, counts, strict=True):
            rows.append({"ethnicity": ethnicity, "ageband": band, "x": count, "n": 10_000})
    standard = pd.DataFrame({"ageband": bands, "population": [5000, 5500, 5500]})
    rates = dsr(pd.DataFrame(rows), "x", "n", by="ethnicity", ageband="ageband", standard=standard)
    result = dsr_ratio(rates, "value", "variance", "ethnicity", "White British", "total_count")
    black = result[result["ethnicity"] == "Black"].iloc[0]
    white = result[result["ethnicity"] == "White British"].iloc[0]
    assert black["ratio"] == pytest.approx(black["value"] / white["value"])
    assert black["ratio_lower"] < black["ratio"] < black["ratio_upper"]


# --- NHS England equality-gap measures (MHS95d/e/f) ----------------------------------------------


@pytest.fixture
def upper_groups():
    return pd.DataFrame(
        {
            "provider": ["A"] * 5 + ["B"] * 5,
            "ethnicity": ["White", "Asian", "Black", "Mixed", "Other"] * 2,
            "dsr": [100.0, 120, 300, 150, 80, 50, 60, 70, 40, 50],
            "population": [1000, 200, 100, 50, 50, 2000, 100, 100, 100, 100],
        }
    )


def test_mean_absolute_deviation_by_hand(upper_groups):
    result = mean_absolute_deviation(
        upper_groups, "dsr", "ethnicity", "White", weights="population", by="provider"
    )
    # A: |20|, |200|, |50|, |20| → 290/4; weighted (20·200 + 200·100 + 50·50 + 20·50)/400.
    # B: |10|, |20|, |10|, |0| → 40/4; weighted (10 + 20 + 10 + 0)·100/400.
    assert result["provider"].tolist() == ["A", "B"]
    assert result["groups_compared"].tolist() == [4, 4]
    assert result["mean_absolute_deviation"].tolist() == pytest.approx([72.5, 10.0])
    assert result["weighted_mean_absolute_deviation"].tolist() == pytest.approx([68.75, 10.0])


def test_mean_absolute_deviation_without_partitions_or_weights(upper_groups):
    one = upper_groups[upper_groups["provider"] == "A"]
    result = mean_absolute_deviation(one, "dsr", "ethnicity", "White")
    assert list(result.columns) == ["groups_compared", "mean_absolute_deviation"]
    assert result["mean_absolute_deviation"].iloc[0] == pytest.approx(72.5)


def test_mean_absolute_deviation_missing_rate_blanks_its_partition(upper_groups):
    data = upper_groups.copy()
    data.loc[7, "dsr"] = np.nan  # provider B, Black
    result = mean_absolute_deviation(data, "dsr", "ethnicity", "White", by="provider")
    assert result["mean_absolute_deviation"].iloc[0] == pytest.approx(72.5)
    assert math.isnan(result["mean_absolute_deviation"].iloc[1])


def test_mean_absolute_deviation_needs_the_reference(upper_groups):
    with pytest.raises(ValueError, match="reference group 'White British'"):
        mean_absolute_deviation(upper_groups, "dsr", "ethnicity", "White British", by="provider")


def test_mean_absolute_deviation_rejects_negative_weights(upper_groups):
    data = upper_groups.assign(population=-upper_groups["population"])
    with pytest.raises(ValueError, match=r"column 'population', row 0"):
        mean_absolute_deviation(data, "dsr", "ethnicity", "White", weights="population")


def test_equality_gap_white_vs_non_white_by_hand():
    df = pd.DataFrame(
        {
            "icb": ["X", "X", "Y", "Y"],
            "ethnicity": ["White British", "Non-White British"] * 2,
            "dsr": [60.0, 90.0, 70.0, 50.0],
        }
    )
    result = equality_gap_white_vs_non_white(df, "dsr", "ethnicity", by="icb")
    assert result["icb"].tolist() == ["X", "Y"]
    assert result["difference"].tolist() == [30.0, -20.0]
    assert result["absolute_difference"].tolist() == [30.0, 20.0]
    single = equality_gap_white_vs_non_white(df[df["icb"] == "Y"], "dsr", "ethnicity")
    assert single["absolute_difference"].tolist() == [20.0]


def test_equality_gap_needs_both_groups_in_every_partition():
    df = pd.DataFrame(
        {"icb": ["X", "X", "Y"], "ethnicity": ["White", "Non-White", "White"], "dsr": [1.0, 2, 3]}
    )
    with pytest.raises(ValueError, match=r"group 'Non-White' is missing for \{'icb': 'Y'\}"):
        equality_gap_white_vs_non_white(df, "dsr", "ethnicity", "White", "Non-White", by="icb")
