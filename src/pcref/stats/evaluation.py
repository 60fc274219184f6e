"""Did it work? Before/after comparisons and SPC judgements for an action on a disparity.

A PCREF action (say, a review of how police-initiated referrals are handled) is linked to a
measure: a group's rate or percentage, or the ratio of a group's rate to the reference
group's. Two questions tell the board whether it worked:

1. **How big is the change, and could it be chance?** The measure before the action and
   after it, the ratio after ÷ before and its 95% interval: :func:`rate_change`,
   :func:`proportion_change` and :func:`disparity_change`.
2. **Is the change beyond normal variation?** The monthly series on a Making Data Count
   XmR chart whose limits come from the months before the action (:func:`variation_after`);
   a special cause after the action start (a point beyond the baseline limits, a shift of
   seven points on one side of the baseline mean, a trend of seven, two of three near a
   limit) is a change beyond normal variation. The chart shown to the board is the same
   series with its limits rebased at the action's start (:func:`rebased_chart`).

:func:`verdict` puts both into one plain-English sentence, e.g. "The detention rate ratio
for Black or Black British people fell from 3.8 to 2.9 (after ÷ before 0.76, 95% CI 0.66 to
0.88); the change is beyond normal variation."

Intervals: a ratio of two Poisson rates uses the exact conditional interval (Breslow & Day
1987); a ratio of two proportions the MOVER-R interval from Wilson limits (Newcombe 2016);
a ratio of two rate ratios is symmetric on the log scale with
SE(ln) = √(1/a₁ + 1/r₁ + 1/a₀ + 1/r₀), the events of the group (a) and the reference (r)
after (1) and before (0) — populations are treated as known, as in PHE's rate ratios.
Method note: ``docs/methods/evaluation.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from pcref.stats import intervals
from pcref.stats.comparison import (
    exact_conditional_rate_ratio_limits,
    katz_log_limits,
    mover_ratio_limits,
)
from pcref.stats.spc import MIN_FIX_AFTER_N_POINTS, ImprovementDirection, spc
from pcref.stats.wording import format_confidence, format_ratio_interval, format_significant

Outcome = Literal["improved", "worsened", "changed", "no clear change", "mixed"]
Signal = Literal["improvement", "concern", "neutral", "common cause", "too few months"]


@dataclass(frozen=True)
class Change:
    """A measure before and after an action, and after ÷ before with its interval."""

    before: float
    after: float
    ratio: float
    lower: float
    upper: float
    method: str
    confidence: float = 0.95

    @property
    def beyond_chance(self) -> bool:
        """Whether the interval of after ÷ before excludes 1."""
        return bool(self.lower > 1 or self.upper < 1)


@dataclass(frozen=True)
class Variation:
    """What the monthly chart says after the action, judged against the baseline's limits."""

    signal: Signal
    baseline_points: int
    after_points: int
    #: The rules that fired after the action start (e.g. "rule_shift"), first one first.
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    sentence: str


def _count(value: Any, what: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} {value!r}: expected a non-negative number")
    return number


def _positive(value: Any, what: str) -> float:
    number = _count(value, what)
    if number == 0:
        raise ValueError(f"{what} {value!r}: expected a positive number")
    return number


def rate_change(
    before_events: float,
    before_exposure: float,
    after_events: float,
    after_exposure: float,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> Change:
    """A group's rate before and after (per ``multiplier`` of exposure), after ÷ before with
    the exact conditional interval for a ratio of Poisson rates."""
    a1 = _count(after_events, "after_events")
    a0 = _count(before_events, "before_events")
    n1 = _positive(after_exposure, "after_exposure")
    n0 = _positive(before_exposure, "before_exposure")
    lower, upper = exact_conditional_rate_ratio_limits(
        np.array([a1]), np.array([n1]), np.array([a0]), np.array([n0]), confidence
    )
    before, after = a0 / n0, a1 / n1
    ratio = after / before if before > 0 else math.nan
    return Change(
        before=before * multiplier,
        after=after * multiplier,
        ratio=ratio,
        lower=float(lower[0]) if before > 0 else math.nan,
        upper=float(upper[0]) if before > 0 else math.nan,
        method="exact conditional (Poisson rates)",
        confidence=confidence,
    )


def proportion_change(
    before_numerator: float,
    before_denominator: float,
    after_numerator: float,
    after_denominator: float,
    *,
    confidence: float = 0.95,
) -> Change:
    """A percentage before and after, after ÷ before with the MOVER-R interval built from
    each percentage's Wilson interval."""
    x1 = _count(after_numerator, "after_numerator")
    x0 = _count(before_numerator, "before_numerator")
    n1 = _positive(after_denominator, "after_denominator")
    n0 = _positive(before_denominator, "before_denominator")
    if x1 > n1 or x0 > n0:
        raise ValueError("a numerator is larger than its denominator")
    l1 = intervals.wilson_lower(np.array([x1]), np.array([n1]), confidence)
    u1 = intervals.wilson_upper(np.array([x1]), np.array([n1]), confidence)
    l0 = intervals.wilson_lower(np.array([x0]), np.array([n0]), confidence)
    u0 = intervals.wilson_upper(np.array([x0]), np.array([n0]), confidence)
    p1, p0 = x1 / n1, x0 / n0
    if p0 == 0:
        ratio = lower = upper = math.nan
    else:
        lo, hi = mover_ratio_limits(
            np.array([p1]), l1, u1, np.array([p0]), l0, u0
        )
        ratio, lower, upper = p1 / p0, float(lo[0]), float(hi[0])
    return Change(
        before=100 * p0,
        after=100 * p1,
        ratio=ratio,
        lower=lower,
        upper=upper,
        method="MOVER-R from Wilson intervals",
        confidence=confidence,
    )


def disparity_change(
    before_events: float,
    before_population: float,
    before_reference_events: float,
    before_reference_population: float,
    after_events: float,
    after_population: float,
    after_reference_events: float,
    after_reference_population: float,
    *,
    confidence: float = 0.95,
) -> Change:
    """The rate ratio (group ÷ reference) before and after, and the ratio of the two rate
    ratios with its log-scale interval. Any zero count leaves the ratio without an interval
    (the log-scale standard error is infinite)."""
    counts = {
        "before_events": before_events,
        "before_reference_events": before_reference_events,
        "after_events": after_events,
        "after_reference_events": after_reference_events,
    }
    a0, r0, a1, r1 = (_count(v, k) for k, v in counts.items())
    n0 = _positive(before_population, "before_population")
    m0 = _positive(before_reference_population, "before_reference_population")
    n1 = _positive(after_population, "after_population")
    m1 = _positive(after_reference_population, "after_reference_population")
    before = (a0 / n0) / (r0 / m0) if r0 > 0 else math.nan
    after = (a1 / n1) / (r1 / m1) if r1 > 0 else math.nan
    if min(a0, r0, a1, r1) == 0:
        ratio = lower = upper = math.nan
    else:
        ratio = after / before
        se = math.sqrt(1 / a1 + 1 / r1 + 1 / a0 + 1 / r0)
        lo, hi = katz_log_limits(np.array([ratio]), np.array([se]), confidence)
        lower, upper = float(lo[0]), float(hi[0])
    return Change(
        before=before,
        after=after,
        ratio=ratio,
        lower=lower,
        upper=upper,
        method="ratio of rate ratios, log-scale (Poisson counts)",
        confidence=confidence,
    )


def _split(series: pd.DataFrame, date: str, action_start: Any) -> tuple[pd.DataFrame, int]:
    ordered = series.sort_values(date).reset_index(drop=True)
    dates = pd.to_datetime(ordered[date])
    start = pd.Timestamp(action_start)
    return ordered, int((dates < start).sum())


def variation_after(
    series: pd.DataFrame,
    *,
    value: str,
    date: str,
    action_start: Any,
    improvement_direction: ImprovementDirection,
) -> Variation:
    """Judge the months from ``action_start`` on against limits fixed on the months before.

    Needs at least 12 months before the action (the fewest NHSRplotthedots fixes limits
    on); with fewer, the signal is "too few months" and the verdict rests on the
    before/after interval alone.
    """
    ordered, baseline = _split(series, date, action_start)
    after_points = len(ordered) - baseline
    if after_points == 0:
        raise ValueError(f"no points on or after the action start {action_start!r}")
    if baseline < MIN_FIX_AFTER_N_POINTS:
        return Variation("too few months", baseline, after_points)
    chart = spc(
        ordered,
        value=value,
        date=date,
        improvement_direction=improvement_direction,
        fix_after_n_points=baseline,
    )
    after = chart.iloc[baseline:]
    kinds = set(after["point_type"])
    rules = tuple(dict.fromkeys(after["special_cause_rule"].dropna()))
    if "special_cause_improvement" in kinds and "special_cause_concern" not in kinds:
        signal: Signal = "improvement"
    elif "special_cause_concern" in kinds and "special_cause_improvement" not in kinds:
        signal = "concern"
    elif kinds & {"special_cause_neutral", "special_cause_improvement", "special_cause_concern"}:
        signal = "neutral"
    else:
        signal = "common cause"
    return Variation(signal, baseline, after_points, rules)


def rebased_chart(
    series: pd.DataFrame,
    *,
    value: str,
    date: str,
    action_start: Any,
    improvement_direction: ImprovementDirection,
) -> pd.DataFrame:
    """The XmR chart to show: limits rebased at the first month on or after the action
    start, so the before and after processes each have their own mean and limits."""
    ordered, baseline = _split(series, date, action_start)
    rebase = ordered[date].iloc[baseline] if 0 < baseline < len(ordered) else None
    return spc(
        ordered,
        value=value,
        date=date,
        improvement_direction=improvement_direction,
        rebase=rebase,
    )


def _movement(change: Change) -> str:
    before = format_significant(change.before)
    after = format_significant(change.after)
    if before == after:
        return f"stayed at {after}"
    return f"{'fell' if change.after < change.before else 'rose'} from {before} to {after}"


def _direction_of(change: Change, improvement_direction: str) -> str | None:
    """'better', 'worse' or 'changed' for a change beyond chance, else None."""
    if not change.beyond_chance:
        return None
    if improvement_direction not in ("increase", "decrease"):
        return "changed"
    up = change.lower > 1
    return "better" if up == (improvement_direction == "increase") else "worse"


def verdict(
    measure: str,
    change: Change,
    variation: Variation,
    improvement_direction: str,
) -> Verdict:
    """One plain-English sentence on whether the measure changed after the action.

    ``measure`` names the measure and the people it is about, e.g. "The detention rate
    ratio for Black or Black British people". The outcome is "improved" or "worsened" when
    the before/after interval excludes 1 and the chart, where there are enough months to
    judge, shows a special cause the same way; "mixed" when the two disagree; "changed" for
    a measure with no better direction; otherwise "no clear change".
    """
    if not math.isfinite(change.ratio):
        return Verdict(
            "no clear change",
            f"{measure} {_movement(change)}; there were too few events to compare the "
            "periods before and after the action.",
        )
    ci = f"{format_confidence(change.confidence)} CI"
    r, lo, hi = format_ratio_interval(change.ratio, change.lower, change.upper)
    head = f"{measure} {_movement(change)} (after ÷ before {r}, {ci} {lo} to {hi})"
    by_interval = _direction_of(change, improvement_direction)
    chance = "the difference is unlikely to be chance" if by_interval else (
        "the difference could be chance"
    )
    if variation.signal == "too few months":
        tail = (
            f"{chance}; with only {variation.baseline_points} months before the action there "
            "are too few to judge variation on a chart"
        )
        return Verdict(_outcome(by_interval), f"{head}; {tail}.")
    by_chart = _CHART_DIRECTION[variation.signal]
    if by_chart is not None and improvement_direction not in ("increase", "decrease"):
        by_chart = "changed"
    if by_interval is None and by_chart is None:
        return Verdict(
            "no clear change",
            f"{head}; {chance}, and the monthly chart shows only normal variation.",
        )
    if by_interval == by_chart:
        return Verdict(_outcome(by_chart), f"{head}; the change is beyond normal variation.")
    chart = (
        "the monthly chart shows only normal variation"
        if by_chart is None
        else f"the monthly chart shows {_CHART_WORDS[variation.signal]}"
    )
    return Verdict("mixed", f"{head}; {chance}, but {chart}.")


_CHART_DIRECTION: dict[str, str | None] = {
    "improvement": "better",
    "concern": "worse",
    "neutral": "changed",
    "common cause": None,
}


_CHART_WORDS = {
    "improvement": "special cause variation of an improving nature",
    "concern": "special cause variation of a concerning nature",
    "neutral": "special cause variation that is neither improving nor concerning",
}


def _outcome(direction: str | None) -> Outcome:
    return {"better": "improved", "worse": "worsened", "changed": "changed"}.get(
        direction or "", "no clear change"
    )
