"""Interval building blocks against PHE's Byars/Wilson workbook and known closed forms."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pcref.stats import intervals

RTOL = 1e-9  # reference README: xlsx-derived files


def _level(text: str) -> float:
    return {"95%": 0.95, "99.8%": 0.998}[text]


@pytest.fixture(scope="module")
def byars_wilson(reference_dir):
    return pd.read_csv(reference_dir / "phe" / "byars_wilson.csv")


def test_z_constants_match_normal_quantiles():
    assert intervals.z_value(0.95) == pytest.approx(intervals.Z95, rel=1e-15)
    assert intervals.z_value(0.998) == pytest.approx(intervals.Z998, rel=1e-15)
    np.testing.assert_allclose(intervals.Z95, stats.norm.ppf(0.975), rtol=1e-15)


def test_every_byars_row_of_the_reference_workbook(byars_wilson):
    rows = byars_wilson[byars_wilson["method"] == "Byars"]
    assert len(rows) == 7
    for _, row in rows.iterrows():
        level = _level(row["confidence"])
        lower = intervals.byars_lower(row["x"], level)
        upper = intervals.byars_upper(row["x"], level)
        if pd.isna(row["lowercl"]):
            # x = 1 at 99.8%: the Byar's lower limit is negative, reported as missing.
            assert np.isnan(lower)
        else:
            np.testing.assert_allclose(lower, row["lowercl"], rtol=RTOL)
        np.testing.assert_allclose(upper, row["uppercl"], rtol=RTOL)


def test_every_wilson_row_of_the_reference_workbook(byars_wilson):
    rows = byars_wilson[byars_wilson["method"] == "Wilson"]
    assert len(rows) == 6
    for _, row in rows.iterrows():
        level = _level(row["confidence"])
        np.testing.assert_allclose(
            intervals.wilson_lower(row["x"], row["n"], level), row["lowercl"], rtol=RTOL
        )
        np.testing.assert_allclose(
            intervals.wilson_upper(row["x"], row["n"], level), row["uppercl"], rtol=RTOL
        )


def test_exact_limits_for_zero_events_are_zero_and_minus_log_alpha():
    # Upper exact limit at O = 0 solves P(X = 0 | λ) = (1 − c)/2, i.e. λ = −ln((1 − c)/2).
    assert intervals.exact_poisson_lower(0, 0.95) == 0.0
    np.testing.assert_allclose(intervals.exact_poisson_upper(0, 0.95), -np.log(0.025))
    np.testing.assert_allclose(intervals.exact_poisson_upper(0, 0.95), 3.688879454113936)
    np.testing.assert_allclose(intervals.exact_poisson_upper(0, 0.998), 6.907755278982137)


def test_exact_limits_are_poisson_tail_quantiles():
    # Garwood limits: P(X >= O | λ_L) = P(X <= O | λ_U) = (1 − c)/2.
    for count in (1, 3, 9):
        lower = intervals.exact_poisson_lower(count, 0.95)
        upper = intervals.exact_poisson_upper(count, 0.95)
        np.testing.assert_allclose(stats.poisson.sf(count - 1, lower), 0.025, rtol=1e-9)
        np.testing.assert_allclose(stats.poisson.cdf(count, upper), 0.025, rtol=1e-9)


def test_phe_switch_from_exact_to_byars_at_ten():
    # Stats-methods note §3: at O = 10 (95%) Byars 4.7874/18.3915, exact 4.7954/18.3904.
    lower, upper = intervals.poisson_limits([9, 10], 0.95)
    np.testing.assert_allclose(lower[1], 4.7874, atol=5e-5)
    np.testing.assert_allclose(upper[1], 18.3915, atol=5e-5)
    np.testing.assert_allclose(intervals.exact_poisson_lower(10, 0.95), 4.7954, atol=5e-5)
    np.testing.assert_allclose(intervals.exact_poisson_upper(10, 0.95), 18.3904, atol=5e-5)
    np.testing.assert_allclose(lower[0], intervals.exact_poisson_lower(9, 0.95))
    assert list(intervals.poisson_method([0, 9, 10, np.nan])) == ["Exact", "Exact", "Byars", None]


def test_wilson_edges_zero_and_all():
    z = intervals.Z95
    assert intervals.wilson_lower(0, 50) == 0.0
    np.testing.assert_allclose(intervals.wilson_upper(0, 50), z**2 / (50 + z**2))
    assert intervals.wilson_upper(50, 50) == 1.0
    assert intervals.wilson_lower(3, 10, confidence=1) == 0.0
    assert intervals.wilson_upper(3, 10, confidence=1) == 1.0


def test_t_limits_match_scipy_interval():
    lower, upper = intervals.t_mean_limits(10.0, 2.0, 16, 0.95)
    expected = stats.t.interval(0.95, df=15, loc=10.0, scale=2.0 / 4)
    np.testing.assert_allclose([lower, upper], expected, rtol=1e-12)


def test_column_names_and_confidence_label():
    assert intervals.limit_column_names((0.95,)) == [(0.95, "lower", "upper")]
    assert [c[1:] for c in intervals.limit_column_names((0.95, 0.998))] == [
        ("lower", "upper"),
        ("lower_998", "upper_998"),
    ]
    assert intervals.confidence_label((0.95, 0.998)) == "95%, 99.8%"
    assert intervals.confidence_label((0.9,)) == "90%"
