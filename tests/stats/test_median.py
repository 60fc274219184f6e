"""Median with an order-statistic (binomial) interval: hand-worked ranks and scipy's interval."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pcref.stats import median
from pcref.stats.median import median_ranks


def test_hand_worked_ten_observations():
    # Binomial(10, 1/2): P(B <= 1) = 11/1024 = 0.0107 <= 0.025 < P(B <= 2) = 56/1024, so the
    # interval is [x(2), x(9)] with coverage 1 - 2 * 11/1024 = 0.978515625.
    frame = pd.DataFrame({"x": [7, 1, 9, 3, 10, 2, 8, 4, 6, 5]})
    out = median(frame, "x")
    assert out["count"].tolist() == [10]
    assert out["value"].tolist() == [5.5]
    assert (out["lower"].item(), out["upper"].item()) == (2, 9)
    assert out["coverage"].item() == pytest.approx(1 - 2 * 11 / 1024)
    assert out["method"].item() == "order statistics (binomial)"


@pytest.mark.parametrize("n", [6, 7, 10, 11, 25, 40, 99, 250])
def test_interval_matches_scipy_quantile_test(n):
    rng = np.random.default_rng(n)
    values = rng.gamma(2.0, 10.0, size=n).round(1)
    out = median(pd.DataFrame({"x": values}), "x")
    expected = sps.quantile_test(values, q=np.median(values), p=0.5).confidence_interval(0.95)
    assert out["value"].item() == pytest.approx(np.median(values))
    assert out["lower"].item() == pytest.approx(expected.low)
    assert out["upper"].item() == pytest.approx(expected.high)


def test_fewer_than_six_observations_have_no_95_percent_interval():
    # Even [x(1), x(5)] covers only 1 - 2/32 = 93.75%.
    out = median(pd.DataFrame({"x": [1, 2, 3, 4, 5]}), "x")
    assert out["value"].item() == 3
    assert np.isnan(out["lower"].item()) and np.isnan(out["upper"].item())
    j, k = median_ranks(np.array([5, 6]))
    assert j.tolist() == [0, 1] and k.tolist() == [0, 6]


def test_frequencies_equal_repeated_observations_and_groups_are_separate():
    repeated = pd.DataFrame({"g": ["a"] * 12 + ["b"] * 7,
                             "x": [1, 1, 1, 2, 2, 3, 3, 3, 3, 8, 9, 9, 4, 4, 5, 6, 6, 6, 7]})
    weighted = (repeated.groupby(["g", "x"]).size().rename("n").reset_index()
                .sample(frac=1, random_state=3))
    plain = median(repeated, "x", by="g")
    from_counts = median(weighted, "x", by="g", frequency="n")
    pd.testing.assert_frame_equal(plain, from_counts)
    assert plain["g"].tolist() == ["a", "b"]
    assert plain["value"].tolist() == [3.0, 6.0]


def test_bad_input_is_refused_with_the_column_and_row():
    with pytest.raises(ValueError, match="column 'x'"):
        median(pd.DataFrame({"x": [1.0, None]}), "x")
    with pytest.raises(ValueError, match="column 'n', row 1"):
        median(pd.DataFrame({"x": [1, 2], "n": [1, 0.5]}), "x", frequency="n")
