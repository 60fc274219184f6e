"""Funnel plots: control limits, outlier significance and chart points (PHE methods).

A funnel plot draws each unit (trust, team, ward, area) as its value against its size, with
95% ("2s", 0.025 in each tail) and 99.8% ("3s", 0.001 in each tail) control limits around
the overall average. The limits narrow as size grows, so small units are not flagged for
noise and large units are not hidden. Three statistics are supported:

* ``"proportion"``: Wilson score limits around the pooled proportion ΣO/ΣN;
* ``"ratio"``: observed/expected counts (e.g. an indirectly standardised ratio), exact
  Poisson limits around 1 (``ratio_type="count"`` reports O/E − 1, ``"isr"`` O/E × 100);
* ``"rate"``: crude or directly standardised rates, exact Poisson limits around the
  weighted average rate ΣO/Σd, where d = multiplier × O / rate is each unit's (derived)
  person-years.

Three functions, each a port of PHEindicatormethods v2.1.0 (``R/Funnels.R``):

* :func:`funnel_limits` (``calculate_funnel_limits``): a new 100-row table of limit lines;
* :func:`funnel_significance` (``assign_funnel_significance``): each unit's label,
  "High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)" or "Not significant";
* :func:`funnel_points` (``calculate_funnel_points``): the x (annual population) and y
  (rate) to plot each unit on a rate funnel.

The methods follow the Fingertips Public Health Technical Guidance. They were re-implemented
from the description in the project's statistics note (§9) and checked against the
package's published test data; no R code was copied. The package's quirks are kept on
purpose so results match Fingertips and the reference data exactly:

* the x-axis grid uses R's ``nchar`` (which counts ``1e+05`` as 5 characters) and R's
  half-to-even rounding;
* upper proportion limits are capped at 100 whatever the multiplier;
* Poisson limit lines find λ by the package's bisection (stopping at a step < 1e-7), not
  by exact χ² quantiles (which differ by up to 5e-5 relative);
* significance for ratios and rates uses Byar's approximation from 10 events upwards,
  while the limit lines are exact, so a unit right on a line can disagree by a hair.

See ``docs/methods/comparison-and-funnel.md``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from pcref.stats import intervals
from pcref.stats._checks import (
    _first_label,
    _plain,
    check_non_negative,
    check_not_greater,
    check_not_missing,
    check_positive,
    numeric_column,
    require_columns,
)

Statistic = Literal["proportion", "ratio", "rate"]

#: Significance labels, in PHE's factor-level order.
SIGNIFICANCE_LEVELS: tuple[str, ...] = (
    "High (0.001)",
    "High (0.025)",
    "Low (0.001)",
    "Low (0.025)",
    "Not significant",
    "Not applicable for events less than 10 for dsrs",
)
NOT_APPLICABLE_DSR = SIGNIFICANCE_LEVELS[5]

#: Two-sided control-limit levels: name → probability in each tail.
_TAILS = (("2s", 0.025), ("3s", 0.001))

#: Number of points on a limit line.
GRID_POINTS = 100

#: Events below which a DSR is not assessed (PHE: DSRs need at least 10 events).
DSR_MIN_EVENTS = 10


# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def r_nchar(value: float) -> int:
    """Characters in R's ``as.character()`` of a non-negative whole number.

    R prints a double in scientific notation when that is strictly shorter than fixed
    notation (with the default ``scipen = 0``): 100000 is "1e+05" (5 characters), 110000 is
    "110000" (6), 10000 is "10000" (5, a tie keeps fixed). PHE's axis rounding depends on it.
    """
    if not math.isfinite(value) or value < 0 or value != math.floor(value):
        raise ValueError(f"r_nchar expects a non-negative whole number, got {value!r}")
    if value == 0:
        return 1
    mantissa, exponent = f"{value:.14e}".split("e")  # 15 significant digits, as R uses
    digits = mantissa.replace(".", "").rstrip("0")
    power = int(exponent)
    sci_width = len(digits) + (1 if len(digits) > 1 else 0) + 2 + max(2, len(str(abs(power))))
    fixed_width = len(f"{value:.0f}")
    return sci_width if fixed_width > sci_width else fixed_width


def _signif_floor(x: float) -> float:
    """Round down to a neat axis value: floor(0.95x / 10^k)·10^k, k = nchar(floor(0.95x)) − 1."""
    if x == 0:
        return 0.0
    k = r_nchar(math.floor(x * 0.95)) - 1
    return math.floor(x * 0.95 / 10.0**k) * 10.0**k


def _signif_ceiling(x: float) -> float:
    """Round up to a neat axis value: ceil(1.05x / 10^k)·10^k, k = nchar(ceil(1.05x)) − 2."""
    if x == 0:
        return 0.0
    k = r_nchar(math.ceil(x * 1.05)) - 2
    return math.ceil(x * 1.05 / 10.0**k) * 10.0**k


def funnel_grid(axis_minimum: float, axis_maximum: float, offset: int = 0) -> np.ndarray:
    """The 100 x-values of a limit line, spaced geometrically so small sizes get more points.

    ``g₁ = max(1, axis_minimum)``; ``g_j = max(round((axis_maximum/g_{j−1})^{1/(101−j+offset)}
    · g_{j−1}), g_{j−1} + 1)``. PHE uses offset 0 for proportions and rates and 1 for ratios.
    Python's ``round`` is half-to-even, like R's.
    """
    grid = [max(1.0, float(axis_minimum))]
    for j in range(2, GRID_POINTS + 1):
        previous = grid[-1]
        step = (axis_maximum / previous) ** (1 / (101 - j + offset)) * previous
        grid.append(max(float(round(step)), previous + 1))
    return np.asarray(grid)


def wilson_funnel_limit(
    p: float, population: np.ndarray, average: float, side: Literal["low", "high"]
) -> np.ndarray:
    """The proportion whose Wilson interval at ``population`` just reaches ``average``.

    With z = Φ⁻¹(p) (p = 0.975 or 0.999) and A = average: F = A(N/z² + 1),
    D = √((8F)² − 64(1/z² + 1/N)·A·(N(A(N/z² + 2) − 1) + z²(A − 1))), L = 1/z² + 1/N,
    limit = (F ∓ D/8) / L / N. Returns NaN where the square root is undefined.
    """
    z2 = stats.norm.ppf(p) ** 2
    n = np.asarray(population, dtype="float64")
    first = average * (n / z2 + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = n * (average * (n / z2 + 2) - 1) + z2 * (average - 1)
        adj = np.sqrt((-8 * average * (n / z2 + 1)) ** 2 - 64 * (1 / z2 + 1 / n) * average * inner)
        last = 1 / z2 + 1 / n
        sign = -1 if side == "low" else 1
        return (first + sign * adj / 8) / last / n


def _series_end(lam: np.ndarray) -> np.ndarray:
    """Where PHE's Poisson series stops: the first k > λ with pmf(k) ≤ 1e-10 · cdf(k − 1).

    PHE sums Poisson terms upwards from k = 0 and stops once past the mean and the next term
    is below 1e-10 of the running total; the probability is then a ratio of partial sums.
    The omitted tail makes its tail probabilities up to ~3e-7 relative smaller than the exact
    ones, which moves the bisection in :func:`poisson_funnel_lambda` by a step now and then,
    so we stop the series at the same place (found by binary search, as the condition is
    monotone in k beyond the mean).
    """

    def stops(k: np.ndarray) -> np.ndarray:
        return stats.poisson.logpmf(k, lam) <= np.log(1e-10) + stats.poisson.logcdf(k - 1, lam)

    low = np.floor(lam) + 1
    high = low + np.ceil(12 * np.sqrt(lam) + 40)
    while not stops(high).all():  # pragma: no cover - the bound above always suffices
        high = np.where(stops(high), high, high * 2)
    while (low < high).any():
        mid = np.floor((low + high) / 2)
        done = stops(mid)
        high = np.where(done, mid, high)
        low = np.where(done, low, mid + 1)
    return low


def _phe_poisson_probability(
    lam: np.ndarray, observed: np.ndarray, side: Literal["low", "high"]
) -> np.ndarray:
    """P(X ≥ O) (side "low") or P(X ≤ O) (side "high") for X ~ Poisson(λ), as PHE's series
    computes it: both sums truncated where :func:`_series_end` says, then divided by the
    truncated total."""
    end = _series_end(lam) - 1  # last term included
    total = 1 - stats.poisson.sf(end, lam)
    if side == "low":
        inside = np.maximum(stats.poisson.sf(observed - 1, lam) - stats.poisson.sf(end, lam), 0)
    else:
        inside = stats.poisson.cdf(np.minimum(observed, end), lam)
    return inside / total


def poisson_funnel_lambda(
    observed: np.ndarray, tail: float, side: Literal["low", "high"]
) -> np.ndarray:
    """Poisson mean λ at which ``observed`` events sit exactly on a control limit.

    ``side="high"`` solves P(X ≤ O | λ) = tail (the larger λ, giving the *lower* limit O/λ);
    ``side="low"`` solves P(X ≥ O | λ) = tail (the smaller λ, giving the *upper* limit).
    These are the exact (Garwood) Poisson limits, found as PHE finds them: bisection on
    v = λ/(λ + O + 1) from v = 0.5, halving the step until it is below 1e-7 (23 steps), with
    PHE's truncated series for the probabilities, so results agree with the reference data
    to its stored precision. Exact χ² quantiles differ from them by up to 5e-5 relative.
    """
    obs = np.asarray(observed, dtype="float64")
    v = np.full(obs.shape, 0.5)
    dv = 0.5
    while dv > 1e-7:
        dv /= 2
        lam = (1 + obs) * v / (1 - v)
        probability = _phe_poisson_probability(lam, obs, side)
        go_down = probability > tail if side == "low" else probability < tail
        v = np.where(go_down, v - dv, v + dv)
    return (1 + obs) * v / (1 - v)


def _ratio_test_limit(
    observed: np.ndarray, expected: np.ndarray, confidence: float, side: Literal["low", "high"]
) -> np.ndarray:
    """A unit's confidence limit for O/E used to test it against 1 (PHE's significance rule).

    Exact (χ²) limits below 10 events, Byar's from 10; O = 0 has lower limit 0.
    """
    obs = np.asarray(observed, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        if side == "low":
            limit = np.where(
                obs < intervals.EXACT_BELOW,
                np.where(obs == 0, 0.0, intervals.exact_poisson_lower(obs, confidence)),
                intervals.byars_lower(obs, confidence),
            )
        else:
            limit = np.where(
                obs < intervals.EXACT_BELOW,
                intervals.exact_poisson_upper(obs, confidence),
                intervals.byars_upper(obs, confidence),
            )
        return limit / np.asarray(expected, dtype="float64")


def _label(
    high_001: np.ndarray, high_025: np.ndarray, low_001: np.ndarray, low_025: np.ndarray
) -> np.ndarray:
    """PHE's label from four tests, checked in its order (NaN tests count as false)."""
    return np.select(
        [high_001, high_025, low_001, low_025],
        list(SIGNIFICANCE_LEVELS[:4]),
        default="Not significant",
    ).astype(object)


# ---------------------------------------------------------------------------------------------
# Validation and derived denominators
# ---------------------------------------------------------------------------------------------


def _check_statistic(statistic: str) -> None:
    if statistic not in ("proportion", "ratio", "rate"):
        raise ValueError(
            f"statistic {statistic!r}: expected 'proportion', 'ratio' or 'rate'"
        )


def _check_multiplier(multiplier: float | None, statistic: str) -> float:
    if multiplier is None:
        raise ValueError(f"multiplier is required for statistic {statistic!r}")
    value = float(multiplier)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"multiplier {multiplier!r}: expected a positive number")
    return value


def _check_rate_type(rate_type: str | None) -> str:
    if rate_type not in ("dsr", "crude"):
        raise ValueError(f"rate_type {rate_type!r}: expected 'dsr' or 'crude' for rates")
    return rate_type


def _validate_rate_inputs(
    df: pd.DataFrame, numerator: str, denominator: str | None, rate: str | None
) -> None:
    """Checks PHE makes for rate funnels, naming the offending column and row."""
    if rate is None:
        raise ValueError("statistic 'rate' needs the rate column (argument rate)")
    require_columns(df, [numerator, rate, denominator])
    check_not_missing(df, numerator)
    check_non_negative(df, numerator)
    rates = numeric_column(df, rate)
    counts = numeric_column(df, numerator)
    if denominator is None:
        check_not_missing(df, rate)
    else:
        check_positive(df, denominator)
        both_missing = rates.isna() & numeric_column(df, denominator).isna()
        if both_missing.any():
            label = _plain(_first_label(df, both_missing))
            raise ValueError(
                f"row {label!r}: columns {rate!r} and {denominator!r} are both missing; "
                "expected a rate, or a denominator when the rate is zero"
            )
    zero = counts == 0
    if zero.any():
        label = _plain(_first_label(df, zero))
        if denominator is None:
            raise ValueError(
                f"column {numerator!r}, row {label!r}: 0 events, so a denominator column "
                "is needed (argument denominator) to place this row"
            )
        missing_denominator = zero & numeric_column(df, denominator).isna()
        if missing_denominator.any():
            label = _plain(_first_label(df, missing_denominator))
            raise ValueError(
                f"column {denominator!r}, row {label!r}: expected a denominator > 0 for a "
                "row with 0 events"
            )


def _derived_denominator(
    counts: np.ndarray,
    rates: np.ndarray,
    denominators: np.ndarray | None,
    rate_type: str,
    multiplier: float,
) -> np.ndarray:
    """Person-years implied by a rate: multiplier × O / rate (PHE's ``denominator_derived``).

    A DSR with 0 events implies nothing (NA). A crude rate with 0 events uses the supplied
    denominator when there is one.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = multiplier * counts / rates
    if rate_type == "dsr":
        return np.where(counts == 0, np.nan, derived)
    if denominators is not None:
        return np.where(counts == 0, denominators, derived)
    return derived


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def funnel_limits(
    df: pd.DataFrame,
    numerator: str,
    denominator: str | None = None,
    rate: str | None = None,
    *,
    statistic: Statistic,
    multiplier: float | None = None,
    ratio_type: Literal["count", "isr"] | None = None,
    rate_type: Literal["dsr", "crude"] | None = None,
    years_of_data: float | None = None,
    metadata: bool = True,
) -> pd.DataFrame:
    """Control-limit lines for a funnel plot: a new 100-row table (PHE ``calculate_funnel_limits``).

    The input rows set only the average and the x-axis range; they are not returned.

    Args:
        df: one row per unit.
        numerator: observed events (counts, or the numerator of a proportion).
        denominator: population (proportion), expected events (ratio), or, for a crude
            rate, the population used where a unit has 0 events.
        rate: the unit's rate, for ``statistic="rate"``.
        statistic: "proportion", "ratio" or "rate".
        multiplier: scale of proportions (100 = percentage) and rates (e.g. 100000);
            required for proportions and rates.
        ratio_type: "count" (limits of O/E − 1) or "isr" (O/E × 100), for ratios.
        rate_type: "dsr" or "crude", for rates.
        years_of_data: years the counts cover, for rates (the x-axis is annual population).
        metadata: add ``statistic`` and ``method`` columns (PHE ``type="full"``).

    Returns:
        Columns by statistic (limits on the indicator's own scale):

        * proportion: ``population``, ``lower_2s_limit``, ``upper_2s_limit``,
          ``lower_3s_limit``, ``upper_3s_limit``, ``baseline``;
        * ratio: ``observed_events``, then for each of lower/upper × 2s/3s the expected
          events on the line (``*_exp_events``) and the limit (``*_limit``);
        * rate: ``events``, then for each line the annual population on it
          (``*_population_1_year``) and the limit, then ``baseline``.
    """
    _check_statistic(statistic)
    if statistic == "rate":
        multiplier = _check_multiplier(multiplier, statistic)
        rate_type = _check_rate_type(rate_type)  # type: ignore[assignment]
        if years_of_data is None or not float(years_of_data) > 0:
            raise ValueError(f"years_of_data {years_of_data!r}: expected a positive number")
        _validate_rate_inputs(df, numerator, denominator, rate)
        counts = numeric_column(df, numerator).to_numpy()
        rates = numeric_column(df, rate).to_numpy()  # type: ignore[arg-type]
        given = numeric_column(df, denominator).to_numpy() if denominator else None
        derived = _derived_denominator(counts, rates, given, rate_type, multiplier)
    else:
        if denominator is None:
            raise ValueError(f"statistic {statistic!r} needs a denominator column")
        require_columns(df, [numerator, denominator])
        check_not_missing(df, numerator)
        check_not_missing(df, denominator)
        check_non_negative(df, numerator)
        check_positive(df, denominator)
        if statistic == "proportion":
            multiplier = _check_multiplier(multiplier, statistic)
            check_not_greater(df, numerator, denominator)
        elif ratio_type not in ("count", "isr"):
            raise ValueError(f"ratio_type {ratio_type!r}: expected 'count' or 'isr' for ratios")
        counts = numeric_column(df, numerator).to_numpy()
        derived = numeric_column(df, denominator).to_numpy()

    if len(df) == 0:
        raise ValueError("funnel limits need at least one row of data")
    average = counts.sum() / np.nansum(derived)
    min_d, max_d = np.nanmin(derived), np.nanmax(derived)

    years = float(years_of_data) if statistic == "rate" else 1.0  # type: ignore[arg-type]
    axis_minimum = 0.0 if max_d > 2 * min_d else _signif_floor(min_d / years) * years
    axis_maximum = _signif_ceiling(max_d / years) * years
    if statistic == "rate":
        axis_minimum = math.floor(axis_minimum * average)
        axis_maximum = math.ceil(axis_maximum * average)

    grid = funnel_grid(axis_minimum, axis_maximum, offset=1 if statistic == "ratio" else 0)

    if statistic == "proportion":
        out = pd.DataFrame({"population": grid})
        for name, tail in _TAILS:
            p = 1 - tail
            out[f"lower_{name}_limit"] = np.maximum(
                0.0, wilson_funnel_limit(p, grid, average, "low") * multiplier
            )
            out[f"upper_{name}_limit"] = np.minimum(
                100.0, wilson_funnel_limit(p, grid, average, "high") * multiplier
            )
        out["baseline"] = average * multiplier
        label, method = "proportion", "Wilson"
    elif statistic == "ratio":
        out = pd.DataFrame({"observed_events": grid})
        for name, tail in _TAILS:
            for bound, side in (("lower", "high"), ("upper", "low")):
                expected = poisson_funnel_lambda(grid, tail, side)  # type: ignore[arg-type]
                limit = grid / expected
                limit = limit - 1 if ratio_type == "count" else limit * 100
                out[f"{bound}_{name}_exp_events"] = expected
                out[f"{bound}_{name}_limit"] = limit
        label, method = f"ratio ({ratio_type})", "Poisson"
    else:
        out = pd.DataFrame({"events": grid})
        for name, tail in _TAILS:
            for bound, side in (("lower", "high"), ("upper", "low")):
                population = poisson_funnel_lambda(grid, tail, side) / average  # type: ignore[arg-type]
                out[f"{bound}_{name}_population_1_year"] = population / years
                out[f"{bound}_{name}_limit"] = grid / population * multiplier
        out["baseline"] = average * multiplier
        label, method = f"rate ({rate_type} per {_format_multiplier(multiplier)})", "Poisson"

    if metadata:
        out["statistic"] = label
        out["method"] = method
    return out


def funnel_significance(
    df: pd.DataFrame,
    numerator: str,
    denominator: str | None = None,
    rate: str | None = None,
    *,
    statistic: Statistic,
    rate_type: Literal["dsr", "crude"] | None = None,
    multiplier: float | None = None,
) -> pd.DataFrame:
    """Label each unit by where it falls on the funnel (PHE ``assign_funnel_significance``).

    * proportion: the unit's x/n against the Wilson funnel limits at its own n around the
      pooled proportion;
    * ratio: the unit's exact (< 10 events) or Byar's interval for O/E against 1;
    * rate: the same interval for O/d against the weighted average ΣO/Σd, where d is the
      derived person-years; DSRs with fewer than 10 events are "Not applicable …".

    Labels are checked in PHE's order: "High (0.001)" (outside 99.8%), "High (0.025)"
    (outside 95%), "Low (0.001)", "Low (0.025)", else "Not significant".

    A missing numerator or denominator is an error for proportions and ratios (PHE would
    label a missing ratio "Not significant"). For rates PHE's rules are kept: a missing rate
    needs a denominator, which is only used for rows with 0 events.

    Returns:
        A copy of ``df`` with a categorical ``significance`` column.
    """
    _check_statistic(statistic)
    if statistic == "rate":
        multiplier = _check_multiplier(multiplier, statistic)
        rate_type = _check_rate_type(rate_type)  # type: ignore[assignment]
        _validate_rate_inputs(df, numerator, denominator, rate)
    else:
        if denominator is None:
            raise ValueError(f"statistic {statistic!r} needs a denominator column")
        require_columns(df, [numerator, denominator])
        check_not_missing(df, numerator)
        check_not_missing(df, denominator)
        check_non_negative(df, numerator)
        check_positive(df, denominator)
        if statistic == "proportion":
            check_not_greater(df, numerator, denominator)

    counts = numeric_column(df, numerator).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        if statistic == "proportion":
            n = numeric_column(df, denominator).to_numpy()  # type: ignore[arg-type]
            p = counts / n
            average = counts.sum() / n.sum()
            labels = _label(
                p > wilson_funnel_limit(0.999, n, average, "high"),
                p > wilson_funnel_limit(0.975, n, average, "high"),
                p < wilson_funnel_limit(0.999, n, average, "low"),
                p < wilson_funnel_limit(0.975, n, average, "low"),
            )
        else:
            if statistic == "ratio":
                expected = numeric_column(df, denominator).to_numpy()  # type: ignore[arg-type]
                target = 1.0
            else:
                rates = numeric_column(df, rate).to_numpy()  # type: ignore[arg-type]
                given = numeric_column(df, denominator).to_numpy() if denominator else None
                expected = _derived_denominator(counts, rates, given, rate_type, multiplier)
                target = counts.sum() / np.nansum(expected)
            labels = _label(
                target < _ratio_test_limit(counts, expected, 0.998, "low"),
                target < _ratio_test_limit(counts, expected, 0.95, "low"),
                target > _ratio_test_limit(counts, expected, 0.998, "high"),
                target > _ratio_test_limit(counts, expected, 0.95, "high"),
            )
            if statistic == "rate" and rate_type == "dsr":
                labels = np.where(counts < DSR_MIN_EVENTS, NOT_APPLICABLE_DSR, labels)

    out = df.copy()
    levels = list(SIGNIFICANCE_LEVELS if statistic == "rate" else SIGNIFICANCE_LEVELS[:5])
    out["significance"] = pd.Categorical(labels, categories=levels)
    return out


def funnel_points(
    df: pd.DataFrame,
    numerator: str,
    rate: str,
    denominator: str | None = None,
    *,
    rate_type: Literal["dsr", "crude"],
    years_of_data: float,
    multiplier: float,
) -> pd.DataFrame:
    """Where to plot each unit on a rate funnel (PHE ``calculate_funnel_points``).

    Adds ``<rate>_chart`` (the rate; missing for a DSR with fewer than 10 events, which is
    not shown) and ``denominator_derived``, the annual population on the x-axis:
    (multiplier × O / rate) / years_of_data, or, for a crude rate with 0 events, the supplied
    denominator / years_of_data.

    Returns:
        A copy of ``df`` with the two columns added.
    """
    multiplier = _check_multiplier(multiplier, "rate")
    rate_type = _check_rate_type(rate_type)  # type: ignore[assignment]
    if years_of_data is None or not float(years_of_data) > 0:
        raise ValueError(f"years_of_data {years_of_data!r}: expected a positive number")
    require_columns(df, [numerator, rate, denominator])
    check_not_missing(df, numerator)
    check_non_negative(df, numerator)
    counts = numeric_column(df, numerator).to_numpy()
    rates = numeric_column(df, rate).to_numpy()
    zero = counts == 0
    if zero.any() and rate_type == "crude":
        label = _plain(_first_label(df, pd.Series(zero, index=df.index)))
        if denominator is None:
            raise ValueError(
                f"column {numerator!r}, row {label!r}: 0 events, so a denominator column "
                "is needed (argument denominator) to place this row"
            )
        bad = zero & ~(numeric_column(df, denominator).to_numpy() > 0)
        if bad.any():
            label = _plain(_first_label(df, pd.Series(bad, index=df.index)))
            raise ValueError(
                f"column {denominator!r}, row {label!r}: expected a denominator > 0 for a "
                "row with 0 events"
            )
    years = float(years_of_data)
    out = df.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_year = multiplier * counts / rates / years
    if rate_type == "dsr":
        shown = counts >= DSR_MIN_EVENTS
        out[f"{rate}_chart"] = np.where(shown, rates, np.nan)
        out["denominator_derived"] = np.where(shown, per_year, np.nan)
    else:
        out[f"{rate}_chart"] = rates
        if denominator is not None:
            given = numeric_column(df, denominator).to_numpy()
            per_year = np.where(zero, given / years, per_year)
        out["denominator_derived"] = per_year
    return out


def _format_multiplier(multiplier: float) -> str:
    """Multiplier with thousands separators, as PHE writes it: "100,000"."""
    if float(multiplier).is_integer():
        return f"{int(multiplier):,}"
    return f"{multiplier:,}"
