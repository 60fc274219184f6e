"""Crude rates, proportions and means against every row of PHEindicatormethods' test workbooks."""

import numpy as np
import pandas as pd
import pytest

from pcref.stats import mean, proportion, rate
from pcref.stats._checks import normalise_confidence

RTOL = 1e-9  # reference README: xlsx-derived files

TWO_LEVEL_COLUMNS = {
    "lower": "lower95_0cl",
    "upper": "upper95_0cl",
    "lower_998": "lower99_8cl",
    "upper_998": "upper99_8cl",
}
ONE_LEVEL_COLUMNS = {"lower": "lowercl", "upper": "uppercl"}


def _read(reference_dir, name):
    return pd.read_csv(reference_dir / "phe" / name)


def _assert_columns(result, expected, mapping):
    for ours, theirs in {"value": "value", **mapping}.items():
        np.testing.assert_allclose(
            result[ours].to_numpy(dtype=float),
            expected[theirs].to_numpy(dtype=float),
            rtol=RTOL,
            equal_nan=True,
            err_msg=ours,
        )


def _methods(series):
    return [None if pd.isna(m) else m for m in series]


# --- rates -------------------------------------------------------------------------------


@pytest.mark.parametrize("multiplier", [100, 100_000])
def test_rate_every_row_of_reference(reference_dir, multiplier):
    expected = _read(reference_dir, "rate.csv")
    expected = expected[expected["multiplier"] == multiplier].reset_index(drop=True)
    data = expected[["area", "numerator", "denominator"]]
    result = rate(data, "numerator", "denominator", multiplier, confidence=(0.95, 0.998))
    assert len(result) == len(expected) > 0
    assert list(result["area"]) == list(expected["area"])
    _assert_columns(result, expected, TWO_LEVEL_COLUMNS)
    assert _methods(result["method"]) == _methods(expected["method"])
    assert set(result["statistic"]) == set(expected["statistic"])
    assert set(result["confidence"]) == {"95%, 99.8%"}


def test_rate_reference_covers_all_twenty_rows(reference_dir):
    assert len(_read(reference_dir, "rate.csv")) == 20


def test_rate_grouped_sums_within_area(reference_dir):
    rows = _read(reference_dir, "rate.csv")
    expected = _read(reference_dir, "rate_grouped.csv")
    # README: inputs are rows 1-16 (Area1-Area8 twice), the NA rows and Area12.
    data = rows[["area", "numerator", "denominator"]]
    result = rate(data, "numerator", "denominator", by="area")
    merged = expected.merge(result, on="area", suffixes=("_expected", ""))
    assert len(merged) == len(expected) == 12
    np.testing.assert_allclose(
        merged["numerator"], merged["numerator_expected"], equal_nan=True
    )
    np.testing.assert_allclose(
        merged["denominator"], merged["denominator_expected"], equal_nan=True
    )
    for ours, theirs in (("value", "value_expected"), ("lower", "lowercl"), ("upper", "uppercl")):
        np.testing.assert_allclose(merged[ours], merged[theirs], rtol=RTOL, equal_nan=True)
    assert _methods(merged["method"]) == _methods(merged["method_expected"])
    assert set(merged["confidence"]) == {"95%"}


def test_rate_single_confidence_uses_lower_upper_only():
    data = pd.DataFrame({"x": [0], "n": [1000]})
    result = rate(data, "x", "n")
    assert "lower_998" not in result.columns
    # Stats-methods note §4: 0/1000 per 100,000 -> [0, 368.8879], method Exact.
    assert result.loc[0, "value"] == 0
    assert result.loc[0, "lower"] == 0
    np.testing.assert_allclose(result.loc[0, "upper"], 368.8879454113936, rtol=1e-12)
    assert result.loc[0, "method"] == "Exact"
    result_998 = rate(data, "x", "n", confidence=0.998)
    np.testing.assert_allclose(result_998.loc[0, "upper"], 690.7755278982137, rtol=1e-12)


def test_rate_keeps_input_rows_and_columns():
    data = pd.DataFrame({"team": ["a", "b"], "x": [12, 30], "n": [5000, 7000]}, index=[7, 3])
    result = rate(data, "x", "n")
    assert list(result.index) == [7, 3]
    assert list(result["team"]) == ["a", "b"]
    assert "value" not in data.columns  # input not modified


# --- proportions ---------------------------------------------------------------------------


@pytest.mark.parametrize("multiplier", [1, 100])
def test_proportion_every_row_of_reference(reference_dir, multiplier):
    expected = _read(reference_dir, "proportion.csv")
    expected = expected[expected["multiplier"] == multiplier].reset_index(drop=True)
    data = expected[["area", "numerator", "denominator"]]
    result = proportion(data, "numerator", "denominator", multiplier, confidence=(0.95, 0.998))
    assert len(result) == len(expected) > 0
    _assert_columns(result, expected, TWO_LEVEL_COLUMNS)
    assert set(result["method"]) == {"Wilson"}
    assert set(result["statistic"]) == set(expected["statistic"])


def test_proportion_reference_covers_all_nineteen_rows(reference_dir):
    assert len(_read(reference_dir, "proportion.csv")) == 19


def test_proportion_grouped(reference_dir):
    rows = _read(reference_dir, "proportion.csv")
    rows = rows[rows["multiplier"] == 1]
    # Grouped input = the multiplier-1 rows twice over (Area1-Area8 doubled) + the NA rows.
    data = pd.concat([rows.iloc[:8], rows])[["area", "numerator", "denominator"]]
    expected = _read(reference_dir, "proportion_grouped.csv")
    result = proportion(data, "numerator", "denominator", by="area")
    merged = expected.merge(result, on="area", suffixes=("_expected", ""))
    assert len(merged) == len(expected) == 11
    for ours, theirs in (("value", "value_expected"), ("lower", "lowercl"), ("upper", "uppercl")):
        np.testing.assert_allclose(merged[ours], merged[theirs], rtol=RTOL, equal_nan=True)


def test_proportion_non_integer_numerator_and_exact_edges():
    data = pd.DataFrame({"x": [0.445, 0, 40], "n": [1, 40, 40]})
    result = proportion(data, "x", "n")
    np.testing.assert_allclose(result.loc[0, "lower"], 0.04381744772058822, rtol=RTOL)
    assert result.loc[1, "lower"] == 0.0
    assert result.loc[2, "upper"] == 1.0


# --- means ---------------------------------------------------------------------------------


def test_mean_by_area_and_overall(reference_dir):
    values = _read(reference_dir, "mean_input.csv")
    expected = _read(reference_dir, "mean_expected.csv").set_index("group")
    by_area = mean(values, "values", by="area", confidence=(0.95, 0.998)).set_index("area")
    overall = mean(values, "values", confidence=(0.95, 0.998))
    overall.index = ["ALL"]
    result = pd.concat([by_area, overall]).loc[expected.index]
    for column in ("value_sum", "value_count", "stdev"):
        np.testing.assert_allclose(result[column], expected[column], rtol=RTOL)
    _assert_columns(result, expected, TWO_LEVEL_COLUMNS)
    assert set(result["method"]) == {"Student's t-distribution"}


def test_mean_missing_value_propagates_like_phe():
    data = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [1.0, np.nan, 2.0, 4.0]})
    result = mean(data, "v", by="g").set_index("g")
    assert result.loc["a", "value_count"] == 2
    assert np.isnan(result.loc["a", "value"])
    assert result.loc["b", "value"] == 3.0


# --- bad input -----------------------------------------------------------------------------


def test_negative_count_names_column_and_row():
    data = pd.DataFrame({"x": [3, -1], "n": [10, 10]}, index=["north", "south"])
    with pytest.raises(ValueError, match=r"column 'x', row 'south' \(value -1\).*>= 0"):
        rate(data, "x", "n")


def test_zero_denominator_names_column_and_row():
    data = pd.DataFrame({"x": [3, 1], "n": [10, 0]})
    with pytest.raises(ValueError, match=r"column 'n', row 1 .*> 0"):
        proportion(data, "x", "n")


def test_numerator_above_denominator_for_proportion():
    data = pd.DataFrame({"x": [3, 11], "n": [10, 10]})
    with pytest.raises(ValueError, match=r"column 'x', row 1 .*numerator <= the denominator"):
        proportion(data, "x", "n")
    # ...but allowed for a rate (e.g. repeat events), as the PHE reference row 250/220 shows.
    assert rate(data, "x", "n").loc[1, "value"] == pytest.approx(110_000)


def test_non_numeric_value_names_row():
    data = pd.DataFrame({"x": [3, "many"], "n": [10, 10]})
    with pytest.raises(ValueError, match=r"column 'x', row 1 .*expected a number"):
        rate(data, "x", "n")


def test_missing_column():
    with pytest.raises(ValueError, match=r"missing column.*'pop'"):
        rate(pd.DataFrame({"x": [1]}), "x", "pop")


@pytest.mark.parametrize("bad", [0.5, 1.5, 101, (0.9, 0.95), (0.95, 0.998, 0.99), "95%", None])
def test_unknown_confidence_rejected(bad):
    with pytest.raises(ValueError, match="confidence"):
        rate(pd.DataFrame({"x": [1], "n": [10]}), "x", "n", confidence=bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [(0.95, (0.95,)), (95, (0.95,)), (99.8, (0.998,)), ((0.95, 0.998), (0.95, 0.998)),
     ([95, 99.8], (0.95, 0.998)), (0.9, (0.9,)), (1, (1.0,))],
)
def test_confidence_forms_accepted(given, expected):
    assert normalise_confidence(given) == expected


def test_bad_multiplier():
    with pytest.raises(ValueError, match="multiplier"):
        rate(pd.DataFrame({"x": [1], "n": [10]}), "x", "n", multiplier=0)
