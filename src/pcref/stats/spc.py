"""Statistical process control: XmR charts with the NHS Making Data Count rules.

An XmR ("individuals and moving range") chart judges whether a monthly or weekly measure
is varying by chance (common cause) or because something changed (special cause). It is
the chart NHS England's Making Data Count (MDC) programme asks boards to use; PCREF boards
use it to show whether an action on an ethnic disparity worked.

:func:`spc` takes one row per period (optionally per facet, e.g. per ethnic group) and
returns one row per point with the centre line, the process limits, the 2σ and 1σ lines,
the moving range, which special-cause rules each point belongs to and the point type.
:func:`spc_summary` turns that into one row per facet and limit segment, with the MDC
variation and assurance icons. Charts are drawn elsewhere from these tables.

The logic follows NHSRplotthedots v0.2.2 (NHS-R Community, MIT), the R implementation of
MDC "plot the dots", and reproduces its published limits and point types. The differences
between that package and the MDC Excel tools are options (see :func:`spc`):

* ``screen_outliers``: moving ranges ≥ 3.267 × the mean moving range are left out of the
  limits (package default; the MDC Excel tools do not screen);
* ``run_length``: 7 (package) or 6 (allowed by the MDC Excel tool) for shifts and trends;
* ``two_in_three_includes_beyond_3sigma``: MDC tools since November 2023 count points
  beyond the process limits towards the two-in-three rule;
* ``hide_limits_below``: the MDC tool hides limits and icons until 13 points;
* ``conflict_precedence``: which signal wins when a point is part of an improvement and a
  concern pattern at once (the package uses rule order, the MDC tool shows improvement).

Sources: NHSRplotthedots ``R/ptd_spc_standard.R``, ``R/ptd_calculate_point_type.R``,
``R/ptd_calculate_assurance_type.R``, ``R/ptd_spc.R``, ``R/geom_ptd_icon.R`` (commit
050b07d, read, not copied) and its issues #194 and #202 (the MDC tool's behaviour); the NHS
England / NHS Improvement "Making Data Count" guides; Wheeler, "Understanding Variation"
(2nd ed., 2000); Provost & Murray, "The Health Care Data Guide" (2011); Nelson, J Qual
Technol 14:172 (1982) for the moving-range screen. Method note: ``docs/methods/spc.md``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from pcref.stats._checks import check_not_missing, check_unique, numeric_column, require_columns

__all__ = [
    "DEFAULT_RUN_LENGTH",
    "LIMIT_FACTOR",
    "MIN_FIX_AFTER_N_POINTS",
    "MOVING_RANGE_SCREEN_FACTOR",
    "ONE_SIGMA_FACTOR",
    "SHORT_GROUP_POINTS",
    "TWO_SIGMA_FACTOR",
    "XmrLimits",
    "assurance_type",
    "part_of_run",
    "part_of_two_in_three",
    "shift_run_end",
    "spc",
    "spc_summary",
    "trend_run_end",
    "two_in_three_window",
    "variation_icon",
    "xmr_limits",
]

#: Process limits sit 2.66 mean moving ranges from the mean: 3σ, with σ estimated as
#: mean moving range / d2 and d2 = 1.128 for ranges of two points (3 / 1.128 = 2.66).
LIMIT_FACTOR = 2.66
#: The 2σ lines ("close to the limits" band of the two-in-three rule): (2/3) × 2.66 ≈ 1.7733,
#: exactly as NHSRplotthedots computes it (``2 * (limit / 3)``).
TWO_SIGMA_FACTOR = 2 * LIMIT_FACTOR / 3
#: The 1σ lines, (1/3) × 2.66 ≈ 0.8867, for display only (no MDC rule uses them).
ONE_SIGMA_FACTOR = LIMIT_FACTOR / 3
#: D4 for ranges of two points. Moving ranges at or above 3.267 × the mean moving range are
#: screened out before the final mean moving range (Nelson 1982; Provost & Murray 2011).
MOVING_RANGE_SCREEN_FACTOR = 3.267
#: Points in a shift or a trend (NHSRplotthedots and MDC; the MDC Excel tool also allows 6).
DEFAULT_RUN_LENGTH = 7
#: Fewer points than this in a segment give "trial limits" (NHSRplotthedots warns, the MDC
#: tool hides the limits and icons).
SHORT_GROUP_POINTS = 13
#: NHSRplotthedots refuses to fix limits on fewer than 12 points.
MIN_FIX_AFTER_N_POINTS = 12

ImprovementDirection = Literal["increase", "decrease", "neutral"]
ConflictPrecedence = Literal["rule_order", "improvement", "concern"]

_DIRECTION_SIGN: dict[str, int] = {"increase": 1, "decrease": -1, "neutral": 0}
_PRECEDENCES = ("rule_order", "improvement", "concern")

# Rules in order of precedence, with the label of the high and the low variant.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("rule_astronomical", "above_upl", "below_lpl"),
    ("rule_trend", "trend_increasing", "trend_decreasing"),
    ("rule_two_in_three", "two_in_three_above", "two_in_three_below"),
    ("rule_shift", "shift_above", "shift_below"),
)

# ---------------------------------------------------------------------------------------
# Rule helpers. Each takes and returns plain sequences (one entry per point of a single
# limit segment, in date order), so each rule can be checked on its own.
# ---------------------------------------------------------------------------------------


def _check_run_length(run_length: int) -> int:
    if isinstance(run_length, bool) or not isinstance(run_length, int | np.integer):
        raise ValueError(f"run_length {run_length!r}: expected a whole number (7, or 6)")
    if run_length < 3:
        raise ValueError(f"run_length {run_length!r}: expected at least 3 points (7, or 6)")
    return int(run_length)


def shift_run_end(relative_to_mean: Iterable[float], run_length: int = 7) -> np.ndarray:
    """1 where a point closes a run of ``run_length`` points on the same side of the mean.

    ``relative_to_mean`` holds sign(value − mean): +1 above, −1 below, 0 exactly on the
    mean. A point on the mean breaks the run (NHSRplotthedots behaviour; PowerBI-SPC
    differs). The flag sits on the ``run_length``-th point of the run and every later one;
    :func:`part_of_run` spreads it back over the whole run.
    Equivalent to NHSRplotthedots ``ptd_seven_point_one_side_mean`` for ``run_length=7``.
    """
    run_length = _check_run_length(run_length)
    side = np.asarray(relative_to_mean, dtype=float)
    if side.size == 0:
        return np.zeros(0, dtype=np.int64)
    padded = np.concatenate([np.zeros(run_length - 1), side])
    windows = sliding_window_view(padded, run_length)
    last = windows[:, -1]
    same_side = (windows == last[:, None]).all(axis=1) & (last != 0)
    return same_side.astype(np.int64)


def part_of_run(run_end: Iterable[float], run_length: int = 7) -> np.ndarray:
    """1 for every point that belongs to a run whose end :func:`shift_run_end` or
    :func:`trend_run_end` flagged: the point itself or one of the next ``run_length − 1``
    points is flagged. Equivalent to NHSRplotthedots ``ptd_part_of_seven_trend``.
    """
    run_length = _check_run_length(run_length)
    ends = np.asarray(run_end, dtype=float) != 0
    if ends.size == 0:
        return np.zeros(0, dtype=np.int64)
    padded = np.concatenate([ends, np.zeros(run_length - 1, dtype=bool)])
    return sliding_window_view(padded, run_length).any(axis=1).astype(np.int64)


def trend_run_end(values: Iterable[float], run_length: int = 7) -> np.ndarray:
    """+1 (−1) where a point closes ``run_length`` points each strictly higher (lower) than
    the one before, else 0.

    A repeated value (a tie) breaks a trend; a trend may cross the mean. Equivalent to
    NHSRplotthedots ``ptd_seven_point_trend`` for ``run_length=7``.
    """
    run_length = _check_run_length(run_length)
    y = np.asarray(values, dtype=float)
    out = np.zeros(y.size, dtype=np.int64)
    if y.size < run_length:
        return out
    steps = np.sign(np.diff(y))
    windows = sliding_window_view(steps, run_length - 1)
    rising = (windows == 1).all(axis=1)
    falling = (windows == -1).all(axis=1)
    out[run_length - 1 :] = rising.astype(np.int64) - falling.astype(np.int64)
    return out


def two_in_three_window(
    beyond_2sigma: Iterable[float], relative_to_mean: Iterable[float]
) -> np.ndarray:
    """1 for every point inside a window of three consecutive points in which at least two
    are beyond the 2σ line and all three lie strictly on the same side of the mean.

    ``beyond_2sigma`` is 1/0 per point; whether points beyond the process limits count is
    decided by the caller (see ``two_in_three_includes_beyond_3sigma`` in :func:`spc`).
    Equivalent to NHSRplotthedots ``ptd_two_in_three``. Only the points that are themselves
    beyond 2σ are finally flagged: see :func:`part_of_two_in_three`.
    """
    close = np.asarray(beyond_2sigma, dtype=float)
    side = np.asarray(relative_to_mean, dtype=float)
    if close.shape != side.shape:
        raise ValueError(
            f"beyond_2sigma has {close.size} points and relative_to_mean {side.size}: "
            "expected one entry per point in both"
        )
    n = close.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pad = np.zeros(2)
    close_sum = sliding_window_view(np.concatenate([pad, close, pad]), 3).sum(axis=1)
    side_sum = sliding_window_view(np.concatenate([pad, side, pad]), 3).sum(axis=1)
    # window w covers points w-2 .. w; a point is in windows w = i, i+1, i+2 (padded)
    qualifies = (close_sum >= 2) & (np.abs(side_sum) == 3)
    inside = qualifies[:n] | qualifies[1 : n + 1] | qualifies[2 : n + 2]
    return inside.astype(np.int64)


def part_of_two_in_three(
    in_window: Iterable[float], beyond_2sigma: Iterable[float]
) -> np.ndarray:
    """1 for the points of a qualifying two-in-three window that are themselves beyond 2σ
    (the third point of the window is not highlighted). NHSRplotthedots
    ``ptd_part_of_two_in_three``.
    """
    window = np.asarray(in_window, dtype=float)
    close = np.asarray(beyond_2sigma, dtype=float)
    return ((window == 1) & (np.abs(close) == 1)).astype(np.int64)


# ---------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XmrLimits:
    """Centre line and limits of one limit segment of an XmR chart.

    ``moving_range_used`` marks, per point of the segment, whether its moving range (to the
    previous point) went into ``mean_moving_range``: not the first point, not after a fixed
    baseline, not screened out.
    """

    mean: float
    mean_moving_range: float
    moving_range_used: np.ndarray

    @property
    def lpl(self) -> float:
        """Lower process limit, mean − 2.66 × mean moving range (3σ)."""
        return self.mean - LIMIT_FACTOR * self.mean_moving_range

    @property
    def upl(self) -> float:
        """Upper process limit, mean + 2.66 × mean moving range (3σ)."""
        return self.mean + LIMIT_FACTOR * self.mean_moving_range

    @property
    def lower_2sigma(self) -> float:
        return self.mean - TWO_SIGMA_FACTOR * self.mean_moving_range

    @property
    def upper_2sigma(self) -> float:
        return self.mean + TWO_SIGMA_FACTOR * self.mean_moving_range

    @property
    def lower_1sigma(self) -> float:
        return self.mean - ONE_SIGMA_FACTOR * self.mean_moving_range

    @property
    def upper_1sigma(self) -> float:
        return self.mean + ONE_SIGMA_FACTOR * self.mean_moving_range

    @property
    def moving_range_upl(self) -> float:
        """Upper range limit of the mR chart, 3.267 × mean moving range (Wheeler)."""
        return MOVING_RANGE_SCREEN_FACTOR * self.mean_moving_range


def xmr_limits(
    values: Iterable[float],
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
) -> XmrLimits:
    """Mean and mean moving range of one limit segment (values in date order).

    Only the first ``fix_after_n_points`` values are used when it is given (a fixed
    baseline); the limits then apply to every point of the segment. With
    ``screen_outliers``, moving ranges ≥ 3.267 × the mean moving range are dropped and the
    mean moving range recomputed once (NHSRplotthedots default; the MDC Excel tools do not
    screen). When every moving range is zero (a flat series) the package's strict
    comparison would drop them all and leave no limits; here the zeros are kept, so the
    limits collapse onto the mean.
    """
    y = np.asarray(values, dtype=float)
    n_base = y.size if fix_after_n_points is None else min(int(fix_after_n_points), y.size)
    base = y[:n_base]
    used = np.zeros(y.size, dtype=bool)
    if n_base == 0:
        return XmrLimits(np.nan, np.nan, used)
    mean = float(base.mean())
    ranges = np.abs(np.diff(base))
    if ranges.size == 0:
        return XmrLimits(mean, np.nan, used)
    used[1:n_base] = True
    amr = float(ranges.mean())
    if screen_outliers and amr > 0:
        keep = ranges < MOVING_RANGE_SCREEN_FACTOR * amr
        used[1:n_base] = keep
        amr = float(ranges[keep].mean())
    return XmrLimits(mean, amr, used)


# ---------------------------------------------------------------------------------------
# Icons
# ---------------------------------------------------------------------------------------


def variation_icon(point_type: str | None, special_cause_side: str | None) -> str | None:
    """MDC variation icon for the latest point of a chart.

    ``common_cause``, or ``special_cause_{improvement,concern,neutral}_{high,low}``: the
    point type plus the side the signal points to. With an "increase" improvement direction
    an improvement is high and a concern low, and the reverse for "decrease", as in
    NHSRplotthedots ``ptd_get_icons``. ``None`` when the point has no type (hidden limits).
    """
    if point_type is None or pd.isna(point_type):
        return None
    if point_type == "common_cause":
        return "common_cause"
    if point_type not in (
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral",
    ):
        raise ValueError(f"point_type {point_type!r}: not an SPC point type")
    if special_cause_side not in ("high", "low"):
        raise ValueError(
            f"special_cause_side {special_cause_side!r}: expected 'high' or 'low' for a "
            "special-cause point"
        )
    return f"{point_type}_{special_cause_side}"


def assurance_type(
    lpl: float | None,
    upl: float | None,
    target: float | None,
    improvement_direction: str = "increase",
) -> str | None:
    """MDC assurance icon: can the process be relied on to meet ``target``?

    Uses the limits of the latest segment. A target above the upper process limit is
    consistently missed when higher is better (``consistent_fail``) and consistently met
    when lower is better (``consistent_pass``); a target below the lower limit the reverse;
    a target between the limits (inclusive) is ``inconsistent``. No target, a neutral
    direction or missing limits give ``None``. NHSRplotthedots
    ``ptd_calculate_assurance_type`` (strict comparisons).
    """
    sign = _direction_sign(improvement_direction)
    if sign == 0 or _missing(target) or _missing(lpl) or _missing(upl):
        return None
    if target > upl:
        return "consistent_fail" if sign > 0 else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if sign > 0 else "consistent_fail"
    return "inconsistent"


def _missing(x: object) -> bool:
    return x is None or bool(pd.isna(x))


def _direction_sign(improvement_direction: str) -> int:
    if not isinstance(improvement_direction, str) or improvement_direction not in (
        _DIRECTION_SIGN
    ):
        raise ValueError(
            f"improvement_direction {improvement_direction!r}: expected one of "
            f"{list(_DIRECTION_SIGN)}"
        )
    return _DIRECTION_SIGN[improvement_direction]


# ---------------------------------------------------------------------------------------
# One limit segment
# ---------------------------------------------------------------------------------------


def _segment(
    y: np.ndarray,
    *,
    direction: int,
    fix_after_n_points: int | None,
    screen_outliers: bool,
    run_length: int,
    include_beyond_3sigma: bool,
    conflict_precedence: str,
) -> dict[str, np.ndarray]:
    """Limits, rules and point types for the points of one (facet, rebase group)."""
    n = y.size
    limits = xmr_limits(y, fix_after_n_points, screen_outliers)
    moving_range = np.concatenate([[np.nan], np.abs(np.diff(y))]) if n else np.zeros(0)

    with np.errstate(invalid="ignore"):
        relative_to_mean = np.sign(y - limits.mean)
        outside = (y > limits.upl) | (y < limits.lpl)
        beyond_2sigma = (y > limits.upper_2sigma) | (y < limits.lower_2sigma)
    relative_to_mean = np.nan_to_num(relative_to_mean, nan=0.0)
    close = beyond_2sigma if include_beyond_3sigma else beyond_2sigma & ~outside

    trend = part_of_run(trend_run_end(y, run_length), run_length).astype(bool)
    two_in_three = part_of_two_in_three(
        two_in_three_window(close, relative_to_mean), close
    ).astype(bool)
    shift = part_of_run(shift_run_end(relative_to_mean, run_length), run_length).astype(bool)

    # Direction of a trend point: the step to its right neighbour when that neighbour is in
    # the trend too, otherwise the step from its left neighbour (NHSRplotthedots).
    steps = np.sign(np.diff(y))
    if n >= 2:
        right_step = np.concatenate([steps, steps[-1:]])
        left_step = np.concatenate([[0.0], steps])
        right_in_trend = np.concatenate([trend[1:] & trend[:-1], [False]])
        trend_step = np.where(right_in_trend, right_step, left_step)
    else:
        trend_step = np.zeros(n)

    side = np.where(relative_to_mean > 0, 1, -1)
    # The astronomical label follows relative_to_mean == 1 (a point on the mean can never
    # be outside the limits unless they are degenerate).
    astro_side = np.where(relative_to_mean == 1, 1, -1)
    signals = np.stack(
        [
            np.where(outside, astro_side, 0),
            np.where(trend, np.where(trend_step == 1, 1, -1), 0),
            np.where(two_in_three, side, 0),
            np.where(shift, side, 0),
        ]
    )
    fired = signals != 0
    any_fired = fired.any(axis=0)
    chosen = np.argmax(fired, axis=0)
    if conflict_precedence != "rule_order" and direction != 0:
        wanted = 1 if conflict_precedence == "improvement" else -1
        preferred = (signals * direction) * wanted > 0
        chosen = np.where(preferred.any(axis=0), np.argmax(preferred, axis=0), chosen)
    columns = np.arange(n)
    chosen_side = np.where(any_fired, signals[chosen, columns], 0)

    high_labels = np.array([high for _, high, _ in _RULES], dtype=object)
    low_labels = np.array([low for _, _, low in _RULES], dtype=object)
    rule = np.where(chosen_side > 0, high_labels[chosen], low_labels[chosen])
    rule = np.where(any_fired, rule, None)

    oriented = chosen_side * direction
    if direction == 0:
        point_type = np.where(any_fired, "special_cause_neutral", "common_cause")
    else:
        point_type = np.select(
            [oriented > 0, oriented < 0],
            ["special_cause_improvement", "special_cause_concern"],
            "common_cause",
        )
    return {
        "moving_range": moving_range,
        "moving_range_used": limits.moving_range_used,
        "mean_moving_range": np.full(n, limits.mean_moving_range),
        "moving_range_upl": np.full(n, limits.moving_range_upl),
        "mean": np.full(n, limits.mean),
        "lpl": np.full(n, limits.lpl),
        "upl": np.full(n, limits.upl),
        "lower_2sigma": np.full(n, limits.lower_2sigma),
        "upper_2sigma": np.full(n, limits.upper_2sigma),
        "lower_1sigma": np.full(n, limits.lower_1sigma),
        "upper_1sigma": np.full(n, limits.upper_1sigma),
        "relative_to_mean": relative_to_mean,
        "outside_limits": outside,
        "beyond_2sigma": close,
        "rule_astronomical": fired[0],
        "rule_trend": fired[1],
        "rule_two_in_three": fired[2],
        "rule_shift": fired[3],
        "special_cause_rule": rule,
        "special_cause_side": np.where(
            any_fired, np.where(chosen_side > 0, "high", "low"), None
        ).astype(object),
        "special_cause_flag": any_fired,
        "point_type": point_type.astype(object),
    }


# ---------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------


def _date_column(df: pd.DataFrame, column: str) -> pd.Series:
    """``df[column]`` as timestamps; raises naming the first row that is not a date."""
    raw = df[column]
    if isinstance(raw.dtype, pd.PeriodDtype):
        parsed = raw.dt.to_timestamp()
    elif pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    elif pd.api.types.is_bool_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        raise ValueError(
            f"column {column!r} must hold dates (datetime, date, period or ISO text), "
            f"got {raw.dtype} values"
        )
    else:
        parsed = pd.to_datetime(raw, errors="coerce")
        bad = parsed.isna() & raw.notna()
        if bad.any():
            label = bad.index[np.flatnonzero(bad.to_numpy())[0]]
            raise ValueError(
                f"column {column!r}, row {label!r} (value {raw.loc[label]!r}): expected a date"
            )
    missing = parsed.isna()
    if missing.any():
        label = missing.index[np.flatnonzero(missing.to_numpy())[0]]
        raise ValueError(f"column {column!r}, row {label!r}: expected a date, found it missing")
    return parsed


def _to_dates(spec: Any, what: str, tz: Any = None) -> pd.DatetimeIndex:
    """Rebase dates as timestamps, in the time zone of the chart's dates (if any)."""
    items = [spec] if isinstance(spec, str) or not isinstance(spec, Iterable) else list(spec)
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(items))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} {spec!r}: expected a date or a list of dates") from err
    if dates.isna().any():
        raise ValueError(f"{what} {spec!r}: expected dates, found a missing one")
    if tz is not None and dates.tz is None:
        dates = dates.tz_localize(tz)
    elif tz is None and dates.tz is not None:
        raise ValueError(f"{what} {spec!r}: has a time zone but the chart's dates do not")
    return dates


def _rebase_flags(
    rebase: Any, dates: pd.Series, facets: pd.Series | None, date: str, facet: str | None
) -> np.ndarray:
    """True on the rows (in ``dates`` order) where a new limit segment starts."""
    flags = np.zeros(len(dates), dtype=bool)
    if rebase is None:
        return flags
    tz = dates.dt.tz
    if isinstance(rebase, Mapping):
        if facets is None:
            raise ValueError(
                "rebase is given per facet (a mapping) but no facet column was named; "
                "give a date or a list of dates, or name the facet column"
            )
        known = set(facets.unique().tolist())
        for key, spec in rebase.items():
            if key not in known:
                raise ValueError(
                    f"rebase names facet {key!r}, which is not a value of column {facet!r}"
                )
            in_facet = (facets == key).to_numpy()
            for when in _to_dates(spec, f"rebase[{key!r}]", tz):
                hit = in_facet & (dates == when).to_numpy()
                if not hit.any():
                    raise ValueError(
                        f"rebase date {when.date()} for facet {key!r} is not a date in "
                        f"column {date!r} for that facet; expected one of its dates"
                    )
                flags |= hit
        return flags
    for when in _to_dates(rebase, "rebase", tz):
        hit = (dates == when).to_numpy()
        if not hit.any():
            raise ValueError(
                f"rebase date {when.date()} is not a date in column {date!r}; "
                "expected one of the chart's dates"
            )
        flags |= hit
    return flags


def _targets(target: Any, facets: pd.Series | None, facet: str | None, n: int) -> np.ndarray:
    """Target per row (NaN where there is none)."""
    if target is None:
        return np.full(n, np.nan)
    if isinstance(target, Mapping):
        if facets is None:
            raise ValueError(
                "target is given per facet (a mapping) but no facet column was named; "
                "give a single number, or name the facet column"
            )
        known = set(facets.unique().tolist())
        out = np.full(n, np.nan)
        for key, value in target.items():
            if key not in known:
                raise ValueError(
                    f"target names facet {key!r}, which is not a value of column {facet!r}"
                )
            out[(facets == key).to_numpy()] = _target_number(value, f"target[{key!r}]")
        return out
    return np.full(n, _target_number(target, "target"))


def _target_number(value: Any, what: str) -> float:
    if value is None:
        return np.nan
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{what} {value!r}: expected a number")
    if np.isinf(value):
        raise ValueError(f"{what} {value!r}: expected a finite number")
    return float(value)


def _check_options(
    improvement_direction: str,
    fix_after_n_points: int | None,
    run_length: int,
    hide_limits_below: int | None,
    screen_outliers: bool,
    two_in_three_includes_beyond_3sigma: bool,
    conflict_precedence: str,
) -> int:
    direction = _direction_sign(improvement_direction)
    _check_run_length(run_length)
    if fix_after_n_points is not None and (
        isinstance(fix_after_n_points, bool)
        or not isinstance(fix_after_n_points, int | np.integer)
        or fix_after_n_points < MIN_FIX_AFTER_N_POINTS
    ):
        raise ValueError(
            f"fix_after_n_points {fix_after_n_points!r}: expected a whole number of at least "
            f"{MIN_FIX_AFTER_N_POINTS} (baseline limits on fewer points are not reliable)"
        )
    if hide_limits_below is not None and (
        isinstance(hide_limits_below, bool)
        or not isinstance(hide_limits_below, int | np.integer)
        or hide_limits_below < 1
    ):
        raise ValueError(
            f"hide_limits_below {hide_limits_below!r}: expected None or a positive whole "
            f"number (the MDC tool uses {SHORT_GROUP_POINTS})"
        )
    for name, flag in (
        ("screen_outliers", screen_outliers),
        ("two_in_three_includes_beyond_3sigma", two_in_three_includes_beyond_3sigma),
    ):
        if not isinstance(flag, bool | np.bool_):
            raise ValueError(f"{name} {flag!r}: expected True or False")
    if conflict_precedence not in _PRECEDENCES:
        raise ValueError(
            f"conflict_precedence {conflict_precedence!r}: expected one of {list(_PRECEDENCES)}"
        )
    return direction


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------

_FLOAT_COLUMNS = (
    "mean",
    "lpl",
    "upl",
    "lower_2sigma",
    "upper_2sigma",
    "lower_1sigma",
    "upper_1sigma",
    "moving_range",
    "mean_moving_range",
    "moving_range_upl",
)
_BOOL_COLUMNS = (
    "moving_range_used",
    "outside_limits",
    "beyond_2sigma",
    "rule_astronomical",
    "rule_trend",
    "rule_two_in_three",
    "rule_shift",
    "special_cause_flag",
)
_HIDDEN_FLOATS = tuple(c for c in _FLOAT_COLUMNS if c != "moving_range")


def spc(
    df: pd.DataFrame,
    value: str,
    date: str,
    improvement_direction: ImprovementDirection = "increase",
    target: float | Mapping[Hashable, float | None] | None = None,
    rebase: Any = None,
    fix_after_n_points: int | None = None,
    facet: str | None = None,
    screen_outliers: bool = True,
    run_length: int = DEFAULT_RUN_LENGTH,
    two_in_three_includes_beyond_3sigma: bool = False,
    hide_limits_below: int | None = None,
    conflict_precedence: ConflictPrecedence = "rule_order",
) -> pd.DataFrame:
    """XmR chart values and Making Data Count special-cause rules, one row per point.

    Parameters
    ----------
    df
        One row per period (per facet). ``value`` must be numeric with no missing or
        infinite values (an XmR chart needs a complete series); ``date`` datetimes, dates,
        periods or ISO date text, unique within each facet.
    value, date, facet
        Column names. With ``facet`` (e.g. ethnic group) every facet is its own chart.
    improvement_direction
        "increase" (higher is better), "decrease" (lower is better) or "neutral".
    target
        A number, or a mapping facet → number, for the assurance icon (:func:`spc_summary`).
    rebase
        A date or list of dates (or a mapping facet → dates) where the limits are
        recalculated, e.g. when a change was made. Each segment gets its own mean and
        limits; rules never run across a rebase. Every date must be one of the data's dates.
    fix_after_n_points
        Compute each segment's mean and limits from its first N points (N ≥ 12) and hold
        them for the rest of the segment, so later points are judged against the baseline.
    screen_outliers
        Drop moving ranges ≥ 3.267 × mean moving range before the limits (default, as
        NHSRplotthedots). ``False`` matches the MDC Excel tools.
    run_length
        Points needed for a shift or a trend: 7 (default, NHSRplotthedots and MDC) or 6
        (an option of the MDC Excel tool).
    two_in_three_includes_beyond_3sigma
        ``False`` (NHSRplotthedots): only points between the 2σ line and the process limit
        count towards two-in-three. ``True``: points beyond the limit count too (MDC tools
        since November 2023).
    hide_limits_below
        Hide the limits, rules and icons of segments with fewer points (the MDC tool uses
        13). Hidden segments have missing ``mean``/limits and ``point_type`` and
        ``limits_hidden`` True. ``None`` (default) computes trial limits for every segment
        and only marks short ones in ``short_group``.
    conflict_precedence
        Which signal a point gets when it is part of both an improvement and a concern
        pattern (a trend can run against a shift, a point beyond a limit can start a
        trend the other way). "rule_order" (default, NHSRplotthedots): the first rule in
        the order beyond-limits, trend, two-in-three, shift. "improvement" (what the MDC
        tool shows) or "concern": that signal wins when any rule gives it.

    Returns
    -------
    pandas.DataFrame
        Rows in facet order (as first seen) then date order, indexed by the input's index
        labels. Columns: ``facet`` (when given), ``date`` (timestamps), ``value``,
        ``rebase_group`` (1, 2, … per facet), ``n_points`` (in the segment),
        ``short_group`` (n < 13: trial limits), ``limits_hidden``, ``mean``, ``lpl``,
        ``upl``, ``lower_2sigma``, ``upper_2sigma``, ``lower_1sigma``, ``upper_1sigma``,
        ``moving_range`` (to the previous point of the segment), ``moving_range_used``,
        ``mean_moving_range``, ``moving_range_upl`` (3.267 × mean moving range),
        ``relative_to_mean`` (+1/0/−1), ``outside_limits``, ``beyond_2sigma`` (counts
        towards two-in-three under the chosen option), ``rule_astronomical``,
        ``rule_trend``, ``rule_two_in_three``, ``rule_shift`` (the point is part of that
        pattern, whatever the precedence), ``special_cause_rule`` (the deciding rule:
        above_upl, below_lpl, trend_increasing, trend_decreasing, two_in_three_above,
        two_in_three_below, shift_above, shift_below; missing for common cause),
        ``special_cause_side`` ("high"/"low"), ``special_cause_flag``, ``point_type``
        (common_cause, special_cause_improvement, special_cause_concern,
        special_cause_neutral), ``improvement_direction`` and ``target``.

    Raises
    ------
    ValueError
        A missing column, a non-numeric, missing or infinite value, a missing or unreadable
        date, a date repeated within a facet (each naming the column and row), an unknown
        ``improvement_direction`` or another invalid option.
    """
    direction = _check_options(
        improvement_direction,
        fix_after_n_points,
        run_length,
        hide_limits_below,
        screen_outliers,
        two_in_three_includes_beyond_3sigma,
        conflict_precedence,
    )
    require_columns(df, [value, date, facet])
    names = [value, date] + ([facet] if facet is not None else [])
    if len(set(names)) != len(names):
        raise ValueError(f"value, date and facet must be different columns, got {names}")
    values = numeric_column(df, value)
    check_not_missing(df, value)
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        label = df.index[np.flatnonzero(infinite)[0]]
        raise ValueError(
            f"column {value!r}, row {label!r} (value {values.loc[label]!r}): "
            "expected a finite number"
        )
    dates = _date_column(df, date)
    facets = None
    if facet is not None:
        check_not_missing(df, facet)
        facets = df[facet]
    keyed = pd.DataFrame({date: dates}, index=df.index)
    if facets is not None:
        keyed.insert(0, facet, facets)
    check_unique(keyed, list(keyed.columns), what="date within a facet" if facet else "date")

    # Order: facets as first seen, then date.
    facet_code = (
        pd.factorize(facets)[0] if facets is not None else np.zeros(len(df), dtype=np.int64)
    )
    date_ns = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    order = np.lexsort((date_ns, facet_code))
    index = df.index[order]
    y = values.to_numpy()[order]
    codes = facet_code[order]
    sorted_dates = dates.iloc[order]
    sorted_facets = facets.iloc[order] if facets is not None else None

    starts = _rebase_flags(rebase, sorted_dates, sorted_facets, date, facet)
    new_facet = np.ones(len(y), dtype=bool)
    new_facet[1:] = codes[1:] != codes[:-1]
    starts = starts & ~new_facet
    group_id = np.cumsum(starts | new_facet)  # 1, 2, ... over the whole table
    first_group_of_facet = np.maximum.accumulate(np.where(new_facet, group_id, 0))
    rebase_group = group_id - first_group_of_facet + 1

    n = len(y)
    out: dict[str, np.ndarray] = {
        c: np.full(n, np.nan) for c in (*_FLOAT_COLUMNS, "relative_to_mean")
    }
    out.update({c: np.zeros(n, dtype=bool) for c in _BOOL_COLUMNS})
    for c in ("special_cause_rule", "special_cause_side", "point_type"):
        out[c] = np.full(n, None, dtype=object)
    n_points = np.zeros(n, dtype=np.int64)
    boundaries = np.flatnonzero(np.diff(group_id)) + 1
    for rows in np.split(np.arange(n), boundaries):
        if rows.size == 0:
            continue
        segment = _segment(
            y[rows],
            direction=direction,
            fix_after_n_points=fix_after_n_points,
            screen_outliers=bool(screen_outliers),
            run_length=int(run_length),
            include_beyond_3sigma=bool(two_in_three_includes_beyond_3sigma),
            conflict_precedence=conflict_precedence,
        )
        for column, array in segment.items():
            out[column][rows] = array
        n_points[rows] = rows.size

    hidden = (
        n_points < hide_limits_below if hide_limits_below is not None else np.zeros(n, bool)
    )
    for column in (*_HIDDEN_FLOATS, "relative_to_mean"):
        out[column][hidden] = np.nan
    for column in _BOOL_COLUMNS:
        if column != "moving_range_used":
            out[column][hidden] = False
    for column in ("special_cause_rule", "special_cause_side", "point_type"):
        out[column][hidden] = None

    targets = _targets(target, sorted_facets, facet, n)
    result = pd.DataFrame(index=index)
    if sorted_facets is not None:
        result["facet"] = sorted_facets.to_numpy()
    result["date"] = sorted_dates.to_numpy()
    result["value"] = y
    result["rebase_group"] = rebase_group.astype(np.int64)
    result["n_points"] = n_points
    result["short_group"] = n_points < SHORT_GROUP_POINTS
    result["limits_hidden"] = hidden
    for column in (
        "mean",
        "lpl",
        "upl",
        "lower_2sigma",
        "upper_2sigma",
        "lower_1sigma",
        "upper_1sigma",
        "moving_range",
        "moving_range_used",
        "mean_moving_range",
        "moving_range_upl",
    ):
        result[column] = out[column]
    result["relative_to_mean"] = pd.array(
        np.where(np.isnan(out["relative_to_mean"]), 0, out["relative_to_mean"]).astype(int),
        dtype="Int64",
    )
    result.loc[hidden, "relative_to_mean"] = pd.NA
    for column in (
        "outside_limits",
        "beyond_2sigma",
        "rule_astronomical",
        "rule_trend",
        "rule_two_in_three",
        "rule_shift",
    ):
        result[column] = out[column]
    for column in ("special_cause_rule", "special_cause_side"):
        result[column] = pd.Series(out[column], index=index, dtype="str")
    result["special_cause_flag"] = out["special_cause_flag"]
    result["point_type"] = pd.Series(out["point_type"], index=index, dtype="str")
    result["improvement_direction"] = improvement_direction
    result["target"] = targets
    result.attrs["spc_options"] = {
        "value": value,
        "date": date,
        "facet": facet,
        "improvement_direction": improvement_direction,
        "target": target,
        "rebase": rebase,
        "fix_after_n_points": fix_after_n_points,
        "screen_outliers": bool(screen_outliers),
        "run_length": int(run_length),
        "two_in_three_includes_beyond_3sigma": bool(two_in_three_includes_beyond_3sigma),
        "hide_limits_below": hide_limits_below,
        "conflict_precedence": conflict_precedence,
    }
    return result


_POINT_TYPE_COUNTS = (
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral",
)


def spc_summary(result: pd.DataFrame) -> pd.DataFrame:
    """One row per facet and limit segment of an :func:`spc` result, with the MDC icons.

    Columns: ``facet`` (when the chart has facets), ``rebase_group``, ``start``, ``end``,
    ``n_points``, ``mean``, ``lpl``, ``upl``, ``common_cause`` and the number of points of
    each special-cause type, ``variation_icon`` (from the segment's last point:
    ``common_cause`` or ``special_cause_{improvement,concern,neutral}_{high,low}``),
    ``target``, ``assurance_icon`` (``consistent_pass``, ``consistent_fail``,
    ``inconsistent``; only on a facet's latest segment, missing without a target or with a
    neutral direction), ``latest`` (the facet's current segment), ``short_group`` and
    ``limits_hidden`` (icons are missing for hidden segments). As NHSRplotthedots
    ``summary.ptd_spc_df``, with the variation icon named as on the MDC icon.
    """
    needed = [
        "date",
        "rebase_group",
        "mean",
        "lpl",
        "upl",
        "point_type",
        "special_cause_side",
        "special_cause_flag",
        "improvement_direction",
        "target",
        "short_group",
        "limits_hidden",
    ]
    require_columns(result, needed)
    keys = ["facet", "rebase_group"] if "facet" in result.columns else ["rebase_group"]
    rows = []
    for key, group in result.groupby(keys, sort=False):
        group = group.sort_values("date", kind="stable")
        last = group.iloc[-1]
        hidden = bool(last["limits_hidden"])
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        row.update(
            start=group["date"].iloc[0],
            end=last["date"],
            n_points=len(group),
            mean=last["mean"],
            lpl=last["lpl"],
            upl=last["upl"],
            common_cause=int((group["point_type"] == "common_cause").sum()),
        )
        for point_type in _POINT_TYPE_COUNTS:
            row[point_type] = int((group["point_type"] == point_type).sum())
        row["variation_icon"] = (
            None if hidden else variation_icon(last["point_type"], last["special_cause_side"])
        )
        row["target"] = last["target"]
        row["_assurance"] = (
            None
            if hidden
            else assurance_type(
                last["lpl"], last["upl"], last["target"], last["improvement_direction"]
            )
        )
        row["short_group"] = bool(last["short_group"])
        row["limits_hidden"] = hidden
        row["_end"] = last["date"]
        rows.append(row)
    summary = pd.DataFrame(rows)
    if summary.empty:
        return pd.DataFrame(
            columns=[
                *keys,
                "start",
                "end",
                "n_points",
                "mean",
                "lpl",
                "upl",
                "common_cause",
                *_POINT_TYPE_COUNTS,
                "variation_icon",
                "target",
                "assurance_icon",
                "latest",
                "short_group",
                "limits_hidden",
            ]
        )
    facet_keys = keys[:-1]
    if facet_keys:
        latest_end = summary.groupby(facet_keys, sort=False)["_end"].transform("max")
    else:
        latest_end = pd.Series(summary["_end"].max(), index=summary.index)
    summary["latest"] = summary["_end"] == latest_end
    summary["assurance_icon"] = summary["_assurance"].where(summary["latest"], None)
    summary["assurance_icon"] = summary["assurance_icon"].astype("str")
    summary["variation_icon"] = summary["variation_icon"].astype("str")
    ordered = [
        *keys,
        "start",
        "end",
        "n_points",
        "mean",
        "lpl",
        "upl",
        "common_cause",
        *_POINT_TYPE_COUNTS,
        "variation_icon",
        "target",
        "assurance_icon",
        "latest",
        "short_group",
        "limits_hidden",
    ]
    return summary[ordered]
