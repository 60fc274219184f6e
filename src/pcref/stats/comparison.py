"""Comparison of each group with a reference group: ratios and differences with intervals.

PCREF asks where care differs by ethnicity, so every indicator is compared with a fixed
reference group (usually "White British", or "White" for the five broad groups). Each
function takes one row per group, finds the reference group's row by its label (within
each ``by`` partition, e.g. each period or team) and adds, for every row:

* ``ratio``, ``ratio_lower``, ``ratio_upper``, ``ratio_method``: the group's value divided
  by the reference group's, with its interval;
* ``difference``, ``difference_lower``, ``difference_upper``, ``difference_method``: the
  group's value minus the reference group's (on the indicator's scale, e.g. per 100,000 or
  percentage points), with its interval;
* ``significance``: plain words from the ratio interval ("higher than White British",
  "lower than White British", "no clear difference from White British", "reference group",
  "not calculated"), see :mod:`pcref.stats.wording`;
* ``comparison_status``: why a row has or lacks a comparison: "reference_group",
  "compared", "missing_input", "no_reference_events" (the reference rate is 0, so no ratio),
  "zero_count" (the log method cannot give an interval for a zero count) or
  "dsr_total_lt_10" (a DSR based on fewer than 10 events, suppressed as PHE does);
* ``reference_group``: the reference label, so a results table says what it compared with.

With ``confidence=(0.95, 0.998)`` the 99.8% limits are added as ``*_lower_998`` and
``*_upper_998``; ``significance`` always uses the first level.

Methods (statistics note §10; ``docs/methods/comparison-and-funnel.md``):

* crude rates (:func:`rate_ratio`): log (Katz) interval when both counts are ≥ 10, exact
  conditional interval (Clopper–Pearson on O₁/(O₁+O₀)) otherwise; difference by MOVER with
  each rate's own PHE interval (exact below 10 events, Byar's from 10);
* proportions (:func:`proportion_ratio`): log (Katz) when both numerators are ≥ 10 (and
  below 100%), MOVER-R with Wilson limits otherwise; difference by Newcombe's hybrid score
  (Wilson) method;
* directly standardised rates (:func:`dsr_ratio`): log-normal (delta-method) interval from the
  DSR variances; difference by the normal approximation;
* NHS England's equality-gap measures for CYP access (MHS95d/e/f):
  :func:`mean_absolute_deviation` and :func:`equality_gap_white_vs_non_white`.

The reference group should be a fixed group such as White British, or "rest of the
population", never "all people": a total that contains the group being compared is not an
independent sample and the intervals above assume independence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from pcref.stats import intervals, wording
from pcref.stats._checks import (
    _plain,
    check_non_negative,
    check_not_greater,
    check_positive,
    check_unique,
    normalise_confidence,
    numeric_column,
    require_columns,
)

#: Counts below this use the small-sample interval in ``method="auto"`` (statistics note §10).
SMALL_COUNT_BELOW = 10
#: DSR comparisons are suppressed when either total count is below this (PHE: DSR NA < 10).
DSR_MIN_TOTAL_COUNT = 10

LOG_METHOD = "log (Katz)"
EXACT_CONDITIONAL = "exact conditional"
MOVER_R_WILSON = "MOVER-R (Wilson)"
DSR_LOG_NORMAL = "log-normal (delta method)"
MOVER_POISSON = "MOVER (exact/Byar's limits)"
NEWCOMBE_WILSON = "Newcombe hybrid score (Wilson)"
NORMAL_APPROXIMATION = "normal approximation"

STATUS_REFERENCE = "reference_group"
STATUS_COMPARED = "compared"
STATUS_MISSING = "missing_input"
STATUS_NO_REFERENCE_EVENTS = "no_reference_events"
STATUS_ZERO_COUNT = "zero_count"
STATUS_DSR_SUPPRESSED = "dsr_total_lt_10"

ConfidenceArg = float | Sequence[float]


# ---------------------------------------------------------------------------------------------
# Finding the reference row
# ---------------------------------------------------------------------------------------------


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def reference_positions(
    df: pd.DataFrame, group: str, reference: str, by: str | Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the position of its reference group's row, and which rows are references.

    Raises ValueError if a group appears twice (within a ``by`` partition), or if the
    reference group is missing (from any partition), naming the column, row and groups.
    """
    by_cols = _by_columns(by)
    require_columns(df, [group, *by_cols])
    check_unique(df, [*by_cols, group], what="group")
    is_reference = (df[group] == reference).fillna(False).to_numpy(dtype=bool)
    if not is_reference.any():
        present = [_plain(g) for g in pd.unique(df[group])]
        raise ValueError(
            f"column {group!r}: reference group {reference!r} not found; "
            f"expected one row with that label among the groups {present}"
        )
    positions = np.arange(len(df))
    if not by_cols:
        return np.full(len(df), positions[is_reference][0]), is_reference
    keys = df[by_cols].reset_index(drop=True)
    reference_keys = keys[is_reference].assign(_reference_position=positions[is_reference])
    merged = keys.merge(reference_keys, on=by_cols, how="left", sort=False)
    missing = merged["_reference_position"].isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        label = _plain(df.index[first])
        partition = {c: _plain(df[c].iloc[first]) for c in by_cols}
        raise ValueError(
            f"row {label!r}: no reference group {reference!r} in column {group!r} for "
            f"{partition}; expected a reference row in every partition of {by_cols}"
        )
    return merged["_reference_position"].to_numpy(dtype=int), is_reference


def _check_reference_complete(
    df: pd.DataFrame, columns: Sequence[str], is_reference: np.ndarray, group: str
) -> None:
    """The reference row's inputs are needed by every row: a missing one is an error."""
    for column in columns:
        missing = df[column].isna().to_numpy() & is_reference
        if missing.any():
            label = _plain(df.index[np.flatnonzero(missing)[0]])
            raise ValueError(
                f"column {column!r}, row {label!r}: the reference group's value is missing "
                f"(group column {group!r}); expected a value to compare every group with"
            )


def _check_multiplier(multiplier: float) -> float:
    value = float(multiplier)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"multiplier {multiplier!r}: expected a positive number")
    return value


def _check_method(method: str, allowed: Sequence[str]) -> None:
    if method not in allowed:
        raise ValueError(f"method {method!r}: expected one of {list(allowed)}")


# ---------------------------------------------------------------------------------------------
# Interval formulas (vectorised; inputs are float arrays)
# ---------------------------------------------------------------------------------------------


def katz_log_limits(
    ratio: np.ndarray, se_log: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Limits ``ratio · exp(∓z · SE(ln ratio))``, symmetric on the log scale."""
    z = intervals.z_value(confidence)
    with np.errstate(invalid="ignore", over="ignore"):
        return ratio * np.exp(-z * se_log), ratio * np.exp(z * se_log)


def exact_conditional_rate_ratio_limits(
    count: np.ndarray,
    person_time: np.ndarray,
    reference_count: np.ndarray,
    reference_person_time: np.ndarray,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact conditional limits for a ratio of two Poisson rates.

    Given O₁ + O₀ events, O₁ is binomial with p = θ n₁ / (θ n₁ + n₀), where θ is the rate
    ratio. A Clopper–Pearson interval (p_L, p_U) for p = O₁/(O₁ + O₀) is mapped back with
    θ = p/(1 − p) · n₀/n₁. O₁ = 0 gives a lower limit of 0; O₀ = 0 an upper limit of ∞.
    (Breslow & Day 1987, vol. II, ch. 2; the interval R's two-sample ``poisson.test`` gives.)
    """
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        p_lower = np.where(
            count == 0, 0.0, stats.beta.ppf(alpha / 2, count, reference_count + 1)
        )
        p_upper = np.where(
            reference_count == 0, 1.0, stats.beta.ppf(1 - alpha / 2, count + 1, reference_count)
        )
        scale = reference_person_time / person_time
        return p_lower / (1 - p_lower) * scale, p_upper / (1 - p_upper) * scale


def mover_difference_limits(
    estimate: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    reference_estimate: np.ndarray,
    reference_lower: np.ndarray,
    reference_upper: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER limits for θ₁ − θ₀ from each estimate's own interval (Zou & Donner 2008).

    L = θ₁ − θ₀ − √((θ₁ − l₁)² + (u₀ − θ₀)²), U = θ₁ − θ₀ + √((u₁ − θ₁)² + (θ₀ − l₀)²).
    With Wilson intervals this is Newcombe's (1998) hybrid score method 10.
    """
    difference = estimate - reference_estimate
    below = np.sqrt((estimate - lower) ** 2 + (reference_upper - reference_estimate) ** 2)
    above = np.sqrt((upper - estimate) ** 2 + (reference_estimate - reference_lower) ** 2)
    return difference - below, difference + above


def mover_ratio_limits(
    estimate: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    reference_estimate: np.ndarray,
    reference_lower: np.ndarray,
    reference_upper: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER-R limits for θ₁/θ₀ from each estimate's own interval (Newcombe 2016).

    The lower limit L solves (θ₁ − Lθ₀)² = (θ₁ − l₁)² + L²(u₀ − θ₀)², the upper limit U solves
    (θ₁ − Uθ₀)² = (u₁ − θ₁)² + U²(θ₀ − l₀)². Closed forms:
    L = l₁(2θ₁ − l₁) / (θ₁θ₀ + √((θ₁θ₀)² − l₁(2θ₁ − l₁)·u₀(2θ₀ − u₀))) and
    U = (θ₁θ₀ + √((θ₁θ₀)² − u₁(2θ₁ − u₁)·l₀(2θ₀ − l₀))) / (l₀(2θ₀ − l₀)).
    """
    product = estimate * reference_estimate
    c_lower = lower * (2 * estimate - lower)
    a_lower = reference_upper * (2 * reference_estimate - reference_upper)
    c_upper = upper * (2 * estimate - upper)
    a_upper = reference_lower * (2 * reference_estimate - reference_lower)
    with np.errstate(invalid="ignore", divide="ignore"):
        root_lower = np.sqrt(np.maximum(product**2 - c_lower * a_lower, 0))
        root_upper = np.sqrt(np.maximum(product**2 - c_upper * a_upper, 0))
        ratio_lower = np.where(c_lower == 0, 0.0, c_lower / (product + root_lower))
        ratio_upper = (product + root_upper) / a_upper
    return ratio_lower, np.where(a_upper == 0, np.inf, ratio_upper)


# ---------------------------------------------------------------------------------------------
# Shared assembly
# ---------------------------------------------------------------------------------------------


def _assemble(
    df: pd.DataFrame,
    reference: str,
    ratio: np.ndarray,
    ratio_limits: list[tuple[str, str, np.ndarray, np.ndarray]],
    ratio_method: np.ndarray,
    difference: np.ndarray,
    difference_limits: list[tuple[str, str, np.ndarray, np.ndarray]],
    difference_method: str,
    status: np.ndarray,
) -> pd.DataFrame:
    """Add the comparison columns to a copy of ``df``, blanking rows without a comparison."""
    is_reference = status == STATUS_REFERENCE
    compared = status == STATUS_COMPARED
    zero = status == STATUS_ZERO_COUNT
    has_estimate = compared | zero
    out = df.copy()
    out["reference_group"] = reference
    out["ratio"] = np.where(is_reference, 1.0, np.where(has_estimate, ratio, np.nan))
    for lower_name, upper_name, lower, upper in ratio_limits:
        out[f"ratio_{lower_name}"] = np.where(compared, lower, np.nan)
        out[f"ratio_{upper_name}"] = np.where(compared, upper, np.nan)
    out["ratio_method"] = np.where(has_estimate, ratio_method, None)
    difference_ok = has_estimate | (status == STATUS_NO_REFERENCE_EVENTS)
    out["difference"] = np.where(is_reference, 0.0, np.where(difference_ok, difference, np.nan))
    for lower_name, upper_name, lower, upper in difference_limits:
        out[f"difference_{lower_name}"] = np.where(difference_ok, lower, np.nan)
        out[f"difference_{upper_name}"] = np.where(difference_ok, upper, np.nan)
    out["difference_method"] = np.where(difference_ok, difference_method, None)
    first_lower, first_upper = ratio_limits[0][2], ratio_limits[0][3]
    labels = wording.significance_labels(
        np.where(compared, first_lower, np.nan), np.where(compared, first_upper, np.nan), reference
    )
    out["significance"] = np.where(is_reference, wording.REFERENCE_GROUP, labels)
    out["comparison_status"] = status
    return out


def _status(
    is_reference: np.ndarray, missing: np.ndarray, no_reference_events: np.ndarray
) -> np.ndarray:
    return np.select(
        [is_reference, missing, no_reference_events],
        [STATUS_REFERENCE, STATUS_MISSING, STATUS_NO_REFERENCE_EVENTS],
        default=STATUS_COMPARED,
    ).astype(object)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def rate_ratio(
    df: pd.DataFrame,
    x: str,
    n: str,
    group: str,
    reference: str,
    multiplier: float = 100_000,
    confidence: ConfidenceArg = 0.95,
    method: Literal["auto", "log", "exact"] = "auto",
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each group's crude rate compared with the reference group's: rate ratio and difference.

    Rate ratio RR = (O₁/n₁)/(O₀/n₀). Its interval:

    * ``"log"`` (Katz): RR · exp(∓z·√(1/O₁ + 1/O₀)); undefined when a count is 0;
    * ``"exact"``: exact conditional (Clopper–Pearson on O₁/(O₁+O₀), mapped to RR);
    * ``"auto"`` (default): log when both counts are ≥ 10, exact otherwise.

    Rate difference (O₁/n₁ − O₀/n₀) × multiplier, with a MOVER interval built from each
    rate's own PHE interval (exact below 10 events, Byar's from 10), so it is consistent with
    the rates' own intervals and behaves well for small counts (Zou & Donner 2008).

    When the reference group has no events, the ratio is undefined (status
    "no_reference_events") but the difference is still given.

    Args:
        df: one row per group (per ``by`` partition) with counts and person-time.
        x: event counts (≥ 0).
        n: population or person-time (> 0).
        group: column of group labels, e.g. ethnic group.
        reference: the reference group's label, e.g. "White British".
        multiplier: scale of the rates, and so of the difference (100000 = per 100,000).
        confidence: 0.95, 0.998, another level in [0.9, 1], or (0.95, 0.998).
        method: "auto", "log" or "exact".
        by: optional column(s), e.g. period or team; each partition needs a reference row.

    Returns:
        A copy of ``df`` with the comparison columns described in this module's docstring.
    """
    levels = normalise_confidence(confidence)
    multiplier = _check_multiplier(multiplier)
    _check_method(method, ("auto", "log", "exact"))
    require_columns(df, [x, n, group, *_by_columns(by)])
    check_non_negative(df, x)
    check_positive(df, n)
    ref, is_reference = reference_positions(df, group, reference, by)
    _check_reference_complete(df, [x, n], is_reference, group)

    count = numeric_column(df, x).to_numpy()
    time = numeric_column(df, n).to_numpy()
    ref_count, ref_time = count[ref], time[ref]
    missing = np.isnan(count) | np.isnan(time)
    no_reference_events = ref_count == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rate1, rate0 = count / time, ref_count / ref_time
        ratio = rate1 / rate0
        if method == "auto":
            exact = (count < SMALL_COUNT_BELOW) | (ref_count < SMALL_COUNT_BELOW)
        else:
            exact = np.full(len(df), method == "exact")
        se_log = np.sqrt(1 / count + 1 / ref_count)

    status = _status(is_reference, missing, no_reference_events)
    status[(status == STATUS_COMPARED) & ~exact & (count == 0)] = STATUS_ZERO_COUNT

    ratio_limits, difference_limits = [], []
    for level, lower_name, upper_name in intervals.limit_column_names(levels):
        log_lower, log_upper = katz_log_limits(ratio, se_log, level)
        exact_lower, exact_upper = exact_conditional_rate_ratio_limits(
            count, time, ref_count, ref_time, level
        )
        ratio_limits.append(
            (
                lower_name,
                upper_name,
                np.where(exact, exact_lower, log_lower),
                np.where(exact, exact_upper, log_upper),
            )
        )
        own_lower, own_upper = intervals.poisson_limits(count, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            d_lower, d_upper = mover_difference_limits(
                rate1,
                own_lower / time,
                own_upper / time,
                rate0,
                own_lower[ref] / ref_time,
                own_upper[ref] / ref_time,
            )
        difference_limits.append(
            (lower_name, upper_name, d_lower * multiplier, d_upper * multiplier)
        )

    ratio_method = np.where(exact, EXACT_CONDITIONAL, LOG_METHOD).astype(object)
    return _assemble(
        df,
        reference,
        ratio,
        ratio_limits,
        ratio_method,
        (rate1 - rate0) * multiplier,
        difference_limits,
        MOVER_POISSON,
        status,
    )


def proportion_ratio(
    df: pd.DataFrame,
    x: str,
    n: str,
    group: str,
    reference: str,
    multiplier: float = 100,
    confidence: ConfidenceArg = 0.95,
    method: Literal["auto", "log", "mover"] = "auto",
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each group's proportion compared with the reference group's: ratio and difference.

    For measures such as "% of referrals that came via the police". Ratio p₁/p₀ with:

    * ``"log"`` (Katz et al. 1978): ratio · exp(∓z·√(1/x₁ − 1/n₁ + 1/x₀ − 1/n₀)); undefined
      when a numerator is 0;
    * ``"mover"``: MOVER-R from the two Wilson intervals (Newcombe 2016),
      which behaves well for small numerators and for x = 0;
    * ``"auto"`` (default): log when both numerators are ≥ 10 and below their
      denominators, MOVER-R otherwise (Katz gives a zero-width interval at 100%).

    Difference (p₁ − p₀) × multiplier (percentage points with the default 100), with
    Newcombe's (1998) hybrid score interval from the two Wilson intervals.

    Args:
        df: one row per group with numerators and denominators (0 ≤ x ≤ n, n > 0).
        x, n: numerator and denominator columns.
        group, reference: group column and the reference group's label.
        multiplier: scale of the difference (100 = percentage points; 1 = proportion).
        confidence: 0.95, 0.998, another level in [0.9, 1], or (0.95, 0.998).
        method: "auto", "log" or "mover".
        by: optional partition column(s), each with its own reference row.

    Returns:
        A copy of ``df`` with the comparison columns described in this module's docstring.
    """
    levels = normalise_confidence(confidence)
    multiplier = _check_multiplier(multiplier)
    _check_method(method, ("auto", "log", "mover"))
    require_columns(df, [x, n, group, *_by_columns(by)])
    check_non_negative(df, x)
    check_positive(df, n)
    check_not_greater(df, x, n)
    ref, is_reference = reference_positions(df, group, reference, by)
    _check_reference_complete(df, [x, n], is_reference, group)

    numerator = numeric_column(df, x).to_numpy()
    denominator = numeric_column(df, n).to_numpy()
    ref_numerator, ref_denominator = numerator[ref], denominator[ref]
    missing = np.isnan(numerator) | np.isnan(denominator)
    no_reference_events = ref_numerator == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p0 = numerator / denominator, ref_numerator / ref_denominator
        ratio = p1 / p0
        se_log = np.sqrt(1 / numerator - 1 / denominator + 1 / ref_numerator - 1 / ref_denominator)
    if method == "auto":
        # Katz's variance is 0 at x = n, giving a zero-width interval: use MOVER-R there too.
        use_mover = (
            (numerator < SMALL_COUNT_BELOW)
            | (ref_numerator < SMALL_COUNT_BELOW)
            | (numerator == denominator)
            | (ref_numerator == ref_denominator)
        )
    else:
        use_mover = np.full(len(df), method == "mover")

    status = _status(is_reference, missing, no_reference_events)
    status[(status == STATUS_COMPARED) & ~use_mover & (numerator == 0)] = STATUS_ZERO_COUNT

    ratio_limits, difference_limits = [], []
    for level, lower_name, upper_name in intervals.limit_column_names(levels):
        wl = intervals.wilson_lower(numerator, denominator, level)
        wu = intervals.wilson_upper(numerator, denominator, level)
        log_lower, log_upper = katz_log_limits(ratio, se_log, level)
        mover_lower, mover_upper = mover_ratio_limits(p1, wl, wu, p0, wl[ref], wu[ref])
        ratio_limits.append(
            (
                lower_name,
                upper_name,
                np.where(use_mover, mover_lower, log_lower),
                np.where(use_mover, mover_upper, log_upper),
            )
        )
        d_lower, d_upper = mover_difference_limits(p1, wl, wu, p0, wl[ref], wu[ref])
        difference_limits.append(
            (lower_name, upper_name, d_lower * multiplier, d_upper * multiplier)
        )

    ratio_method = np.where(use_mover, MOVER_R_WILSON, LOG_METHOD).astype(object)
    return _assemble(
        df,
        reference,
        ratio,
        ratio_limits,
        ratio_method,
        (p1 - p0) * multiplier,
        difference_limits,
        NEWCOMBE_WILSON,
        status,
    )


def dsr_ratio(
    df: pd.DataFrame,
    value: str,
    variance: str,
    group: str,
    reference: str,
    total_count: str,
    confidence: ConfidenceArg = 0.95,
    multiplier: float = 100_000,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each group's directly standardised rate compared with the reference group's.

    Ratio DSR₁/DSR₀ with a log-normal interval, SE(ln ratio) = √(v₁/D₁² + v₀/D₀²), where D is
    the DSR per person (value / multiplier) and v its variance Σ wᵢ²xᵢ/nᵢ² / (Σwᵢ)² (which
    already includes any adjustment for repeat events). Difference (DSR₁ − DSR₀) with the
    normal interval ± z·√(v₁ + v₀) × multiplier, the approximation NHS England uses for DSR
    intervals. This is the standard delta-method approach (statistics note §10), not PHE code.

    Rows where the group or the reference has a total count below 10 are suppressed (NA,
    status "dsr_total_lt_10"), matching PHE's rule that such DSRs are not published.

    Args:
        df: one row per group, e.g. the output of the DSR calculation.
        value: the DSR, per ``multiplier`` people.
        variance: the DSR's variance per person (before the multiplier).
        group, reference: group column and the reference group's label.
        total_count: total events behind each DSR.
        confidence: 0.95, 0.998, another level in [0.9, 1], or (0.95, 0.998).
        multiplier: the scale of ``value`` (100000 = per 100,000).
        by: optional partition column(s), each with its own reference row.

    Returns:
        A copy of ``df`` with the comparison columns described in this module's docstring.
    """
    levels = normalise_confidence(confidence)
    multiplier = _check_multiplier(multiplier)
    require_columns(df, [value, variance, total_count, group, *_by_columns(by)])
    check_non_negative(df, value)
    check_non_negative(df, variance)
    check_non_negative(df, total_count)
    ref, is_reference = reference_positions(df, group, reference, by)
    _check_reference_complete(df, [total_count], is_reference, group)

    dsr = numeric_column(df, value).to_numpy() / multiplier
    var = numeric_column(df, variance).to_numpy()
    total = numeric_column(df, total_count).to_numpy()
    suppressed = (total < DSR_MIN_TOTAL_COUNT) | (total[ref] < DSR_MIN_TOTAL_COUNT)
    missing = np.isnan(dsr) | np.isnan(var) | np.isnan(total)
    missing_reference = missing[ref] & ~suppressed
    if missing_reference.any():
        label = _plain(df.index[ref[np.flatnonzero(missing_reference)[0]]])
        raise ValueError(
            f"columns {value!r}/{variance!r}, row {label!r}: the reference group's DSR or "
            "variance is missing although its total count is 10 or more; expected both"
        )
    status = np.select(
        [is_reference, suppressed, missing],
        [STATUS_REFERENCE, STATUS_DSR_SUPPRESSED, STATUS_MISSING],
        default=STATUS_COMPARED,
    ).astype(object)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = dsr / dsr[ref]
        se_log = np.sqrt(var / dsr**2 + var[ref] / dsr[ref] ** 2)
        se_difference = np.sqrt(var + var[ref])
    status[(status == STATUS_COMPARED) & (dsr[ref] == 0)] = STATUS_NO_REFERENCE_EVENTS

    ratio_limits, difference_limits = [], []
    for level, lower_name, upper_name in intervals.limit_column_names(levels):
        lower, upper = katz_log_limits(ratio, se_log, level)
        ratio_limits.append((lower_name, upper_name, lower, upper))
        z = intervals.z_value(level)
        difference = dsr - dsr[ref]
        difference_limits.append(
            (
                lower_name,
                upper_name,
                (difference - z * se_difference) * multiplier,
                (difference + z * se_difference) * multiplier,
            )
        )
    return _assemble(
        df,
        reference,
        ratio,
        ratio_limits,
        np.full(len(df), DSR_LOG_NORMAL, dtype=object),
        (dsr - dsr[ref]) * multiplier,
        difference_limits,
        NORMAL_APPROXIMATION,
        status,
    )


# ---------------------------------------------------------------------------------------------
# NHS England equality-gap measures (MHSDS monthly statistics, MHS95d/e/f)
# ---------------------------------------------------------------------------------------------


def _partition_sums(df: pd.DataFrame, by_cols: list[str], frame: pd.DataFrame) -> pd.DataFrame:
    """Column sums of ``frame`` (aligned with ``df``) per ``by`` partition, in order of first
    appearance; a missing value anywhere in a partition makes that partition's sum missing."""
    keys = [df[c] for c in by_cols] if by_cols else [np.zeros(len(df))]
    grouped = frame.groupby(keys, sort=False, dropna=False)
    any_missing = frame.isna().groupby(keys, sort=False, dropna=False).any()
    sums = grouped.sum().mask(any_missing)
    return sums.reset_index(drop=not by_cols)


def mean_absolute_deviation(
    df: pd.DataFrame,
    value: str,
    group: str,
    reference: str = "White",
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean absolute deviation of each group's rate from the reference group's (MHS95d/e).

    NHS England's equality-gap measure for children and young people's access (MHSDS
    monthly statistics): with the White upper ethnic group as reference and each non-White
    upper group g (Asian, Black, Mixed, Other) with standardised rate R_g,

    * MHS95d (unweighted): Σ_g |R_g − R_White| / G;
    * MHS95e (population-weighted): Σ_g w_g·|R_g − R_White| / Σ_g w_g, with w_g the group's
      population.

    Every row other than the reference row is a compared group, so drop "Not stated" and
    "Unknown" rows first. A missing rate or weight in a partition makes its result missing.

    Args:
        df: one row per group (per ``by`` partition) with the rates, e.g. DSRs.
        value: the rate column.
        group, reference: group column and the reference group's label.
        weights: optional population column (≥ 0) for the weighted measure.
        by: optional partition column(s), e.g. provider; each needs a reference row.

    Returns:
        One row per partition: the ``by`` columns, ``groups_compared`` and
        ``mean_absolute_deviation`` (plus ``weighted_mean_absolute_deviation`` with weights).
    """
    by_cols = _by_columns(by)
    require_columns(df, [value, group, weights, *by_cols])
    if weights is not None:
        check_non_negative(df, weights)
    ref, is_reference = reference_positions(df, group, reference, by)
    rates = numeric_column(df, value).to_numpy()
    others = ~is_reference
    # Reference rows add nothing to the sums; a missing reference rate reaches the result
    # through the deviations of the other rows.
    deviation = np.where(others, np.abs(rates - rates[ref]), 0.0)
    frame = pd.DataFrame({"deviation": deviation, "count": others.astype(float)})
    if weights is not None:
        w = numeric_column(df, weights).to_numpy()
        frame["weighted"] = np.where(others, w * deviation, 0.0)
        frame["weight"] = np.where(others, w, 0.0)
    sums = _partition_sums(df, by_cols, frame)
    out = sums[by_cols].copy()
    out["groups_compared"] = sums["count"].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_absolute_deviation"] = sums["deviation"] / sums["count"]
        if weights is not None:
            out["weighted_mean_absolute_deviation"] = sums["weighted"] / sums["weight"]
    return out


def equality_gap_white_vs_non_white(
    df: pd.DataFrame,
    value: str,
    group: str,
    white: str = "White British",
    non_white: str = "Non-White British",
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Absolute difference between the non-White and White standardised rates (MHS95f).

    NHS England's measure compares two groups standardised separately: White British and
    everyone else ("Non-White British"). Pass the two groups' rates (e.g. DSRs computed on
    the two-group breakdown); the labels are parameters because national code and local
    breakdowns name them differently ("White" / "Non-White", say). Other rows are ignored.

    Returns:
        One row per ``by`` partition: the ``by`` columns, ``white_value``,
        ``non_white_value``, ``difference`` (non-White − White, so its sign shows the
        direction) and ``absolute_difference`` (the published MHS95f).
    """
    by_cols = _by_columns(by)
    require_columns(df, [value, group, *by_cols])
    check_unique(df, [*by_cols, group], what="group")
    rates = numeric_column(df, value)
    out = (df[by_cols].drop_duplicates() if by_cols else pd.DataFrame(index=[0])).reset_index(
        drop=True
    )
    for name, label in (("white_value", white), ("non_white_value", non_white)):
        rows = (df[group] == label).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            raise ValueError(
                f"column {group!r}: group {label!r} not found; expected rows for both "
                f"{white!r} and {non_white!r}"
            )
        if not by_cols:
            out[name] = rates[rows].to_numpy()
            continue
        part = df.loc[rows, by_cols].assign(**{name: rates[rows].to_numpy()})
        out = out.merge(part, on=by_cols, how="left", sort=False, indicator=True)
        absent = (out.pop("_merge") == "left_only").to_numpy()
        if absent.any():
            partition = {c: _plain(out[c].iloc[np.flatnonzero(absent)[0]]) for c in by_cols}
            raise ValueError(
                f"column {group!r}: group {label!r} is missing for {partition}; expected rows "
                f"for both {white!r} and {non_white!r} in every partition"
            )
    out["difference"] = out["non_white_value"] - out["white_value"]
    out["absolute_difference"] = out["difference"].abs()
    return out


__all__ = [
    "dsr_ratio",
    "equality_gap_white_vs_non_white",
    "exact_conditional_rate_ratio_limits",
    "katz_log_limits",
    "mean_absolute_deviation",
    "mover_difference_limits",
    "mover_ratio_limits",
    "proportion_ratio",
    "rate_ratio",
    "reference_positions",
]
