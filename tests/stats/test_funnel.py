"""Funnel plots against every row of PHEindicatormethods' published funnel test data.

Tolerances follow reference/phe/README.md: rtol 1e-6 for funnel files, including the
``*_exp_events`` / ``*_population_1_year`` columns because the package's bisection is
replicated. Independent checks: the bisection agrees with exact χ² quantiles to 1e-4, and
R's ``nchar`` quirk is checked against values worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pcref.stats.funnel import (
    SIGNIFICANCE_LEVELS,
    funnel_grid,
    funnel_limits,
    funnel_points,
    funnel_significance,
    poisson_funnel_lambda,
    r_nchar,
)

RTOL = 1e-6


@pytest.fixture(scope="module")
def phe(reference_dir: Path) -> Path:
    return reference_dir / "phe"


@pytest.fixture(scope="module")
def prop_inputs(phe: Path) -> pd.DataFrame:
    return pd.read_csv(phe / "funnel_prop_inputs.csv")


@pytest.fixture(scope="module")
def ratio_inputs(phe: Path) -> pd.DataFrame:
    return pd.read_csv(phe / "funnel_ratio_inputs.csv")


@pytest.fixture(scope="module")
def rate_funnel_inputs(phe: Path) -> pd.DataFrame:
    return pd.read_csv(phe / "funnel_rate_input_funnels.csv")


@pytest.fixture(scope="module")
def rate_significance_inputs(phe: Path) -> pd.DataFrame:
    return pd.read_csv(phe / "funnel_rate_dsr_inputs.csv")


def assert_numeric_columns_close(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Compare each numeric expected column (renamed to lower case) at RTOL, every row."""
    assert len(actual) == len(expected)
    for column in expected.columns:
        if not pd.api.types.is_numeric_dtype(expected[column]):
            continue
        np.testing.assert_allclose(
            actual[column.lower()].to_numpy(dtype=float),
            expected[column].to_numpy(dtype=float),
            rtol=RTOL,
            err_msg=column,
        )


# --- proportions ---------------------------------------------------------------------------------


def test_proportion_limits_reproduce_every_reference_row(prop_inputs, phe):
    expected = pd.read_csv(phe / "funnel_prop_outputs.csv")
    actual = funnel_limits(
        prop_inputs, "numerator", "denominator", statistic="proportion", multiplier=100,
        metadata=False,
    )
    assert list(actual.columns) == [c.lower() for c in expected.columns]
    assert_numeric_columns_close(actual, expected)


def test_proportion_limits_with_axis_not_starting_at_zero(prop_inputs, phe):
    expected = pd.read_csv(phe / "funnel_prop_outputs_with_axis_variation.csv")
    small = prop_inputs[prop_inputs["denominator"] < 31000]
    assert len(small) == 97
    actual = funnel_limits(
        small, "numerator", "denominator", statistic="proportion", multiplier=100
    )
    assert_numeric_columns_close(actual, expected)
    assert (actual["statistic"] == "proportion").all()
    assert (actual["method"] == "Wilson").all()


def test_proportion_significance_matches_all_303_labels(prop_inputs):
    result = funnel_significance(
        prop_inputs[["area", "numerator", "denominator"]],
        "numerator",
        "denominator",
        statistic="proportion",
    )
    assert result["significance"].astype(str).tolist() == prop_inputs["significance"].tolist()
    assert list(result["significance"].cat.categories) == list(SIGNIFICANCE_LEVELS[:5])


# --- ratios --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ratio_type", ["count", "isr"])
def test_ratio_limits_reproduce_every_reference_row(ratio_inputs, phe, ratio_type):
    reference = pd.read_csv(phe / "funnel_ratio_outputs.csv")
    other = "isr" if ratio_type == "count" else "count"
    expected = reference.drop(columns=[c for c in reference if c.endswith(other)])
    expected.columns = [c.replace(f"_{ratio_type}", "_limit") for c in expected.columns]
    actual = funnel_limits(
        ratio_inputs, "obs", "expected", statistic="ratio", multiplier=100,
        ratio_type=ratio_type,
    )
    assert list(actual.columns[:-2]) == [c.lower() for c in expected.columns]
    assert_numeric_columns_close(actual, expected)
    assert (actual["statistic"] == f"ratio ({ratio_type})").all()
    assert (actual["method"] == "Poisson").all()


def test_ratio_significance_matches_all_300_labels(ratio_inputs):
    result = funnel_significance(
        ratio_inputs[["obs", "expected"]], "obs", "expected", statistic="ratio"
    )
    assert result["significance"].astype(str).tolist() == ratio_inputs["significance"].tolist()


# --- rates ---------------------------------------------------------------------------------------


def test_dsr_rate_limits_three_years(rate_funnel_inputs, phe):
    expected = pd.read_csv(phe / "funnel_rate_outputs.csv")
    actual = funnel_limits(
        rate_funnel_inputs, "ev", rate="rate", statistic="rate", rate_type="dsr",
        multiplier=1e5, years_of_data=3,
    )
    assert_numeric_columns_close(actual, expected)
    assert actual["statistic"].tolist() == expected["statistic"].tolist()
    assert actual["method"].tolist() == expected["method"].tolist()


def test_crude_rate_limits_with_a_five_event_row(rate_funnel_inputs, phe):
    expected = pd.read_csv(phe / "funnel_rate_outputs_2.csv")
    data = rate_funnel_inputs.copy()
    data.loc[data["ev"] == data["ev"].max(), "ev"] = 5
    actual = funnel_limits(
        data, "ev", rate="rate", statistic="rate", rate_type="crude", multiplier=1e5,
        years_of_data=3,
    )
    assert_numeric_columns_close(actual, expected)
    assert (actual["statistic"] == "rate (crude per 100,000)").all()


def test_crude_rate_limits_with_a_zero_event_row_and_denominator(rate_funnel_inputs, phe):
    expected = pd.read_csv(phe / "funnel_rate_outputs_3.csv")
    data = rate_funnel_inputs[["ev", "rate"]].copy()
    data["pop"] = 1e5 * data["ev"] / data["rate"]
    top = data["ev"] == data["ev"].max()
    data.loc[top, ["ev", "rate"]] = 0
    data = data[data["pop"] > data["pop"].max() / 2]
    actual = funnel_limits(
        data, "ev", "pop", "rate", statistic="rate", rate_type="crude", multiplier=1e5,
        years_of_data=3,
    )
    assert actual["events"].iloc[0] > 1  # axis does not start at zero here
    assert_numeric_columns_close(actual, expected)


@pytest.mark.parametrize("rate_type", ["dsr", "crude"])
@pytest.mark.parametrize("multiplier", [100_000, 100])
@pytest.mark.parametrize("with_zero", [True, False])
def test_rate_significance_all_eight_reference_variants(
    rate_significance_inputs, rate_type, multiplier, with_zero
):
    data = rate_significance_inputs
    if not with_zero:
        data = data[data["count"] != 0]
    rate_column = "rate_dsr" if rate_type == "dsr" else f"rate_crude_per_{multiplier}"
    expected = data[f"{rate_type}_per_{multiplier}_{'with' if with_zero else 'without'}_0"]
    result = funnel_significance(
        data[["count", rate_column, "pop"]], "count", "pop", rate_column, statistic="rate",
        rate_type=rate_type, multiplier=multiplier,
    )
    assert result["significance"].astype(str).tolist() == expected.tolist()
    assert list(result["significance"].cat.categories) == list(SIGNIFICANCE_LEVELS)


def test_funnel_points_dsr_hides_rows_below_ten_events(rate_funnel_inputs):
    data = rate_funnel_inputs[["ev", "rate"]].copy()
    data.loc[data["ev"] == data["ev"].max(), "ev"] = 5
    result = funnel_points(
        data, "ev", "rate", rate_type="dsr", years_of_data=3, multiplier=1e5
    )
    np.testing.assert_allclose(result["rate_chart"], rate_funnel_inputs["rate_chart"], rtol=RTOL)
    np.testing.assert_allclose(
        result["denominator_derived"], rate_funnel_inputs["denominator_derived"], rtol=RTOL
    )
    assert result["rate_chart"].isna().sum() == 1


def test_funnel_points_crude(rate_funnel_inputs):
    result = funnel_points(
        rate_funnel_inputs[["ev", "rate"]], "ev", "rate", rate_type="crude", years_of_data=3,
        multiplier=1e5,
    )
    np.testing.assert_allclose(result["rate_chart"], rate_funnel_inputs["rate_chart_crude"])
    np.testing.assert_allclose(
        result["denominator_derived"], rate_funnel_inputs["denominator_derived_crude"], rtol=RTOL
    )


def test_funnel_points_crude_zero_events_uses_denominator(rate_funnel_inputs):
    data = rate_funnel_inputs[["ev", "rate", "pop"]].copy()
    data.loc[data["ev"] == data["ev"].max(), "ev"] = 0
    result = funnel_points(
        data, "ev", "rate", "pop", rate_type="crude", years_of_data=5, multiplier=1e5
    )
    np.testing.assert_allclose(
        result["rate_chart"], rate_funnel_inputs["rate_chart_crude_with_denom"]
    )
    np.testing.assert_allclose(
        result["denominator_derived"],
        rate_funnel_inputs["denominator_derived_crude_with_denom"],
        rtol=RTOL,
    )


# --- building blocks, checked independently ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "characters"),
    [
        (0, 1),
        (7, 1),
        (123, 3),
        (10_000, 5),  # "10000" and "1e+04" tie: R keeps fixed notation
        (100_000, 5),  # "1e+05"
        (110_000, 6),  # "110000" is shorter than "1.1e+05"
        (1_000_000, 5),  # "1e+06"
        (1_200_000, 7),  # "1200000" ties "1.2e+06"
        (300_000_000, 5),  # "3e+08"
    ],
)
def test_r_nchar_counts_characters_as_r_prints_them(value, characters):
    assert r_nchar(value) == characters


def test_r_nchar_rejects_fractions():
    with pytest.raises(ValueError, match="whole number"):
        r_nchar(2.5)


def test_grid_is_increasing_and_ends_at_axis_maximum():
    grid = funnel_grid(0, 75_000)
    assert grid[0] == 1
    assert grid[-1] == 75_000
    assert (np.diff(grid) >= 1).all()
    assert len(grid) == 100


@pytest.mark.parametrize("tail", [0.025, 0.001])
def test_bisection_agrees_with_exact_chi_square_quantiles(tail):
    observed = np.array([1.0, 2, 5, 9, 10, 37, 328, 2500, 40_000])
    upper_lambda = poisson_funnel_lambda(observed, tail, "high")
    lower_lambda = poisson_funnel_lambda(observed, tail, "low")
    exact_upper = stats.chi2.ppf(1 - tail, 2 * observed + 2) / 2
    exact_lower = stats.chi2.ppf(tail, 2 * observed) / 2
    np.testing.assert_allclose(upper_lambda, exact_upper, rtol=1e-4)
    np.testing.assert_allclose(lower_lambda, exact_lower, rtol=1e-4)


def test_proportion_limits_bracket_the_baseline(prop_inputs):
    limits = funnel_limits(
        prop_inputs, "numerator", "denominator", statistic="proportion", multiplier=100
    )
    assert (limits["lower_3s_limit"] <= limits["lower_2s_limit"]).all()
    assert (limits["lower_2s_limit"] <= limits["baseline"]).all()
    assert (limits["baseline"] <= limits["upper_2s_limit"]).all()
    assert (limits["upper_2s_limit"] <= limits["upper_3s_limit"]).all()


# --- bad input -----------------------------------------------------------------------------------


def test_bad_statistic():
    df = pd.DataFrame({"x": [1], "n": [2]})
    with pytest.raises(ValueError, match="statistic 'pop'"):
        funnel_limits(df, "x", "n", statistic="pop", multiplier=100)


def test_negative_numerator_names_column_and_row():
    df = pd.DataFrame({"x": [65, -80, 30], "n": [100, 100, 100]}, index=["A", "B", "C"])
    with pytest.raises(ValueError, match=r"column 'x', row 'B'.*>= 0"):
        funnel_significance(df, "x", "n", statistic="proportion")


def test_zero_denominator_names_column_and_row():
    df = pd.DataFrame({"x": [65, 80, 30], "n": [100, 100, 0]})
    with pytest.raises(ValueError, match=r"column 'n', row 2.*> 0"):
        funnel_significance(df, "x", "n", statistic="proportion", multiplier=100)


def test_proportion_numerator_above_denominator():
    df = pd.DataFrame({"x": [65, 180], "n": [100, 100]})
    with pytest.raises(ValueError, match=r"column 'x', row 1.*numerator <= the denominator"):
        funnel_limits(df, "x", "n", statistic="proportion", multiplier=100)


def test_proportion_needs_multiplier():
    df = pd.DataFrame({"x": [65, 80], "n": [100, 100]})
    with pytest.raises(ValueError, match="multiplier is required"):
        funnel_limits(df, "x", "n", statistic="proportion")


def test_ratio_needs_ratio_type():
    df = pd.DataFrame({"o": [5, 8], "e": [4.0, 9.0]})
    with pytest.raises(ValueError, match="ratio_type"):
        funnel_limits(df, "o", "e", statistic="ratio", multiplier=100)


def test_rate_with_zero_events_needs_a_denominator():
    df = pd.DataFrame({"ev": [10, 0], "rate": [100.0, 0.0]})
    with pytest.raises(ValueError, match=r"column 'ev', row 1: 0 events"):
        funnel_limits(
            df, "ev", rate="rate", statistic="rate", rate_type="crude", multiplier=1e5,
            years_of_data=1,
        )


def test_rate_needs_years_of_data():
    df = pd.DataFrame({"ev": [10, 20], "rate": [100.0, 90.0]})
    with pytest.raises(ValueError, match="years_of_data"):
        funnel_limits(df, "ev", rate="rate", statistic="rate", rate_type="dsr", multiplier=1e5)


def test_rate_missing_rate_without_denominator():
    df = pd.DataFrame({"ev": [10, 20], "rate": [100.0, np.nan]})
    with pytest.raises(ValueError, match=r"column 'rate', row 1"):
        funnel_significance(
            df, "ev", rate="rate", statistic="rate", rate_type="dsr", multiplier=1e5
        )


def test_ratio_with_missing_expected_is_an_error_not_a_label():
    df = pd.DataFrame({"o": [5, 8], "e": [4.0, np.nan]}, index=["Kent", "Medway"])
    with pytest.raises(ValueError, match=r"column 'e', row 'Medway'"):
        funnel_significance(df, "o", "e", statistic="ratio")
