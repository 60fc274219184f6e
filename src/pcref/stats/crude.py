"""Crude rates, proportions and means with confidence intervals (PHE indicator methods).

Each function takes a pandas DataFrame of aggregated counts (one row per area, group or
period) and returns a new DataFrame; nothing is read or written. Output columns:

* ``value``: the estimate (× ``multiplier`` for rates and proportions);
* ``lower``/``upper``: limits at the single confidence level asked for; with
  ``confidence=(0.95, 0.998)``, ``lower``/``upper`` are the 95% limits and
  ``lower_998``/``upper_998`` the 99.8% limits;
* ``confidence`` ("95%" or "95%, 99.8%"), ``statistic`` (e.g. "rate per 100000") and
  ``method`` (e.g. "Byars"), the metadata PHEindicatormethods reports.

Missing numerators or denominators give missing results for that row, as in PHE. With
``by``, numerators and denominators are first summed within each group (a group with a
missing member gives missing results). Unlike PHE's ``phe_rate``, a grouped table with a
single group is still summed.

Sources: PHEindicatormethods v2.1.0 ``phe_rate``, ``phe_proportion``, ``phe_mean``;
Fingertips Public Health Technical Guidance. See ``docs/methods/crude-and-standardised.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pcref.stats import intervals
from pcref.stats._checks import (
    check_non_negative,
    check_not_greater,
    check_positive,
    normalise_confidence,
    numeric_column,
    require_columns,
)

ConfidenceArg = float | Sequence[float]


def format_multiplier(multiplier: float) -> str:
    """Multiplier as PHE writes it in the ``statistic`` text: 100000, not 1e+05."""
    if float(multiplier).is_integer():
        return str(int(multiplier))
    return repr(float(multiplier))


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _check_multiplier(multiplier: float) -> None:
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier {multiplier!r}: expected a positive number")


def _group_sums(df: pd.DataFrame, columns: list[str], by: list[str]) -> pd.DataFrame:
    """Sum ``columns`` within ``by`` groups (first-appearance order); any NA member gives NA."""
    numeric = pd.DataFrame({c: numeric_column(df, c) for c in columns}, index=df.index)
    keys = [df[b] for b in by]
    grouped = numeric.groupby(keys, sort=False, dropna=False)
    sums = grouped.sum()
    has_missing = numeric.isna().groupby(keys, sort=False, dropna=False).any()
    sums = sums.mask(has_missing)
    return sums.reset_index()


def _prepare(
    df: pd.DataFrame, columns: list[str], by: str | Sequence[str] | None
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    by_cols = _by_columns(by)
    out = _group_sums(df, columns, by_cols) if by_cols else df.copy()
    values = {c: numeric_column(out, c).to_numpy() for c in columns}
    return out, values


def rate(
    df: pd.DataFrame,
    x: str,
    n: str,
    multiplier: float = 100_000,
    confidence: ConfidenceArg = 0.95,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Crude rate ``x/n × multiplier`` with PHE's Poisson limits (exact below 10, else Byar's).

    Args:
        df: one row per area/group with event counts ``x`` and population ``n``.
        x: column of event counts (≥ 0). A count may exceed ``n`` (e.g. repeat events).
        n: column of person-years or population (> 0).
        multiplier: scale of the rate, e.g. 100000 for "per 100,000".
        confidence: 0.95, 0.998, another level in [0.9, 1], or (0.95, 0.998).
        by: optional column(s); x and n are summed within each group first.

    Returns:
        The input rows (or one row per group) plus ``value``, limits, ``confidence``,
        ``statistic`` and ``method`` ("Exact" if x < 10, else "Byars").
    """
    levels = normalise_confidence(confidence)
    _check_multiplier(multiplier)
    require_columns(df, [x, n, *_by_columns(by)])
    check_non_negative(df, x)
    check_positive(df, n)
    out, v = _prepare(df, [x, n], by)
    count, denominator = v[x], v[n]
    with np.errstate(invalid="ignore"):
        out["value"] = count / denominator * multiplier
        for level, lower_name, upper_name in intervals.limit_column_names(levels):
            lower, upper = intervals.poisson_limits(count, level)
            out[lower_name] = lower / denominator * multiplier
            out[upper_name] = upper / denominator * multiplier
    out["confidence"] = intervals.confidence_label(levels)
    out["statistic"] = f"rate per {format_multiplier(multiplier)}"
    out["method"] = intervals.poisson_method(count)
    return out


def proportion(
    df: pd.DataFrame,
    x: str,
    n: str,
    multiplier: float = 1,
    confidence: ConfidenceArg = 0.95,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Proportion ``x/n × multiplier`` with Wilson score limits (no continuity correction).

    Args:
        df: one row per area/group with numerator ``x`` and denominator ``n``.
        x: column of numerators (0 ≤ x ≤ n; need not be whole numbers).
        n: column of denominators (> 0).
        multiplier: 1 for a proportion, 100 for a percentage.
        confidence: 0.95, 0.998, another level in [0.9, 1], or (0.95, 0.998).
        by: optional column(s); x and n are summed within each group first.

    Returns:
        The input rows (or one row per group) plus ``value``, limits, ``confidence``,
        ``statistic`` ("proportion of 1", "percentage", …) and ``method`` ("Wilson").
    """
    levels = normalise_confidence(confidence)
    _check_multiplier(multiplier)
    require_columns(df, [x, n, *_by_columns(by)])
    check_non_negative(df, x)
    check_positive(df, n)
    check_not_greater(df, x, n)
    out, v = _prepare(df, [x, n], by)
    numerator, denominator = v[x], v[n]
    out["value"] = numerator / denominator * multiplier
    for level, lower_name, upper_name in intervals.limit_column_names(levels):
        out[lower_name] = intervals.wilson_lower(numerator, denominator, level) * multiplier
        out[upper_name] = intervals.wilson_upper(numerator, denominator, level) * multiplier
    out["confidence"] = intervals.confidence_label(levels)
    out["statistic"] = (
        "percentage" if multiplier == 100 else f"proportion of {format_multiplier(multiplier)}"
    )
    out["method"] = "Wilson"
    return out


def mean(
    df: pd.DataFrame,
    values: str,
    by: str | Sequence[str] | None = None,
    confidence: ConfidenceArg = 0.95,
) -> pd.DataFrame:
    """Mean of individual values with Student's t limits, per group (PHE ``phe_mean``).

    ``value_count`` counts every row, including missing values, and any missing value makes
    the group's results missing, as PHE does: remove rows deliberately before calling.

    Returns:
        One row per group (a single row without ``by``) with ``value_sum``, ``value_count``,
        ``stdev`` (n − 1 denominator), ``value``, limits, ``confidence``, ``statistic``
        ("mean") and ``method`` ("Student's t-distribution").
    """
    levels = normalise_confidence(confidence)
    by_cols = _by_columns(by)
    require_columns(df, [values, *by_cols])
    series = numeric_column(df, values)
    if by_cols:
        keys = [df[b] for b in by_cols]
        grouped = series.groupby(keys, sort=False, dropna=False)
        has_missing = series.isna().groupby(keys, sort=False, dropna=False).any()
        out = pd.DataFrame(
            {
                "value_sum": grouped.sum(),
                "value_count": grouped.size(),
                "stdev": grouped.std(ddof=1),
            }
        )
        out[["value_sum", "stdev"]] = out[["value_sum", "stdev"]].mask(has_missing, np.nan)
        out = out.reset_index()
        out.columns = [*by_cols, "value_sum", "value_count", "stdev"]
    else:
        missing = bool(series.isna().any())
        out = pd.DataFrame(
            {
                "value_sum": [np.nan if missing else series.sum()],
                "value_count": [len(series)],
                "stdev": [np.nan if missing else series.std(ddof=1)],
            }
        )
    count = out["value_count"].to_numpy(dtype="float64")
    estimate = out["value_sum"].to_numpy(dtype="float64") / count
    out["value"] = estimate
    for level, lower_name, upper_name in intervals.limit_column_names(levels):
        lower, upper = intervals.t_mean_limits(estimate, out["stdev"].to_numpy(), count, level)
        out[lower_name] = lower
        out[upper_name] = upper
    out["confidence"] = intervals.confidence_label(levels)
    out["statistic"] = "mean"
    out["method"] = "Student's t-distribution"
    return out
