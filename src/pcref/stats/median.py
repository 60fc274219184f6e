"""Medians with a distribution-free (order-statistic, binomial) confidence interval.

For n observations sorted x₍₁₎ ≤ … ≤ x₍ₙ₎, the number falling below the true median M is
Binomial(n, ½), so the interval [x₍ⱼ₎, x₍ₖ₎] with k = n + 1 − j covers M with probability
1 − 2·P(B ≤ j − 1). The interval takes the largest j with P(B ≤ j − 1) ≤ α/2, so its coverage
is at least the confidence asked for (it is exact, not approximate, and conservative because
the binomial is discrete). With fewer than six observations no pair of order statistics
reaches 95% coverage and the limits are missing.

This is the interval of Campbell & Gardner, "Calculating confidence intervals for some
non-parametric analyses" (BMJ 1988;296:1454-6; "Statistics with Confidence", 2nd ed., ch. 5),
exact form, and of ``scipy.stats.quantile_test(...).confidence_interval()`` for p = ½; the tests
compare the two. Used for waits and durations (days from referral to diagnosis, minutes of
restraint), where PHE/Fingertips compare a group with the reference by whether the reference
median lies outside the group's interval.

The median itself is the middle order statistic (n odd) or the mean of the two middle ones
(n even). Observations may come with frequency weights (how many times each value occurs),
which is how the metric engine receives them from SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from pcref.stats._checks import (
    check_not_missing,
    normalise_confidence,
    numeric_column,
    require_columns,
)

METHOD = "order statistics (binomial)"


def median_ranks(
    count: np.ndarray | int, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """1-based ranks (j, k) of the order statistics bounding the median's interval.

    j = 1 + max{m : P(Binomial(n, ½) ≤ m) ≤ (1 − confidence)/2}, k = n + 1 − j; both are 0
    (no interval) when even [x₍₁₎, x₍ₙ₎] falls short of the confidence.
    """
    n = np.asarray(count, dtype="int64")
    alpha_half = (1 - confidence) / 2
    m = stats.binom.ppf(alpha_half, n, 0.5)  # smallest m with CDF(m) >= alpha/2
    m = np.where(np.isnan(m), 0, m).astype("int64")
    # The largest m with CDF(m) <= alpha/2: m itself if it sits exactly on alpha/2, else m - 1.
    on_boundary = stats.binom.cdf(m, n, 0.5) <= alpha_half
    below = np.where(on_boundary, m, m - 1)
    j = below + 1
    j = np.where((below < 0) | (n <= 0), 0, j)
    k = np.where(j > 0, n + 1 - j, 0)
    return j, k


def median(
    df: pd.DataFrame,
    values: str,
    by: str | Sequence[str] | None = None,
    frequency: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Median of ``values`` per group, with order-statistic confidence limits.

    Args:
        df: one row per observation, or per distinct value with its ``frequency``.
        values: the observations (numbers; missing values are an error — drop them first).
        by: optional group column(s).
        frequency: optional column of whole-number counts (≥ 0) of each value.
        confidence: a single level in [0.9, 1).

    Returns:
        One row per group (groups sorted by their labels): the ``by`` columns, ``count`` (the
        number of observations), ``value`` (the median), ``lower`` and ``upper`` (missing when
        there are too few observations for the confidence), ``coverage`` (the interval's
        exact coverage, ≥ confidence), ``confidence``, ``statistic`` ("median") and ``method``.
    """
    levels = normalise_confidence(confidence)
    if len(levels) != 1 or levels[0] >= 1:
        raise ValueError(f"confidence {confidence!r}: expected one level below 1, e.g. 0.95")
    level = levels[0]
    by_cols = [by] if isinstance(by, str) else list(by or [])
    require_columns(df, [values, *by_cols, frequency])
    check_not_missing(df, values)
    x = numeric_column(df, values).to_numpy()
    if frequency is None:
        weight = np.ones(len(df), dtype="int64")
    else:
        check_not_missing(df, frequency)
        w = numeric_column(df, frequency).to_numpy()
        bad = (w < 0) | (w != np.floor(w))
        if bad.any():
            row = df.index[np.flatnonzero(bad)[0]]
            raise ValueError(
                f"column {frequency!r}, row {row!r} (value {w[bad][0]!r}): expected a whole "
                "number of observations >= 0"
            )
        weight = w.astype("int64")

    frame = pd.DataFrame({"_x": x, "_w": weight}, index=df.index)
    for column in by_cols:
        frame[column] = df[column].to_numpy()
    frame = frame[frame["_w"] > 0]
    if by_cols:
        grouped = frame.groupby(by_cols, sort=True, dropna=False)
        frame["_g"] = grouped.ngroup().to_numpy()
        out = grouped["_w"].sum().rename("count").reset_index()
    else:
        frame["_g"] = 0
        out = pd.DataFrame({"count": [int(frame["_w"].sum())]})
    frame = frame.sort_values(["_g", "_x"], kind="mergesort")
    sizes = np.bincount(frame["_g"].to_numpy(), minlength=len(out))
    cumulative = np.cumsum(frame["_w"].to_numpy())
    sorted_x = frame["_x"].to_numpy()
    n = out["count"].to_numpy(dtype="int64")
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype("int64")
    base = np.where(start > 0, cumulative[np.maximum(start - 1, 0)] if len(cumulative) else 0, 0)

    def at_rank(rank: np.ndarray) -> np.ndarray:
        """The value of each group's order statistic of 1-based ``rank`` (NaN for rank 0)."""
        position = np.searchsorted(cumulative, base + np.maximum(rank, 1), side="left")
        position = np.minimum(position, len(sorted_x) - 1) if len(sorted_x) else position
        found = sorted_x[position] if len(sorted_x) else np.full(len(rank), np.nan)
        return np.where(rank > 0, found, np.nan)

    with np.errstate(invalid="ignore"):
        middle_low = at_rank((n + 1) // 2)
        middle_high = at_rank(n // 2 + 1)
    value = np.where(n % 2 == 1, middle_low, (middle_low + middle_high) / 2)
    j, k = median_ranks(n, level)
    out["value"] = np.where(n > 0, value, np.nan)
    out["lower"] = at_rank(j)
    out["upper"] = at_rank(k)
    coverage = 1 - 2 * stats.binom.cdf(j - 1, n, 0.5)
    out["coverage"] = np.where(j > 0, coverage, np.nan)
    out["confidence"] = f"{level * 100:g}%"
    out["statistic"] = "median"
    out["method"] = METHOD
    return out
