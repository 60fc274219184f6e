"""Did it work? An action's linked disparity before and after the action started, from the
``ethnicity_5 x month`` figures of a loaded results run.

Which measure (docs/governance.md §Did it work):

* a **rate** metric and a group other than the reference: the monthly **rate ratio** (group
  ÷ reference), because that is the disparity PCREF asks trusts to close — a trust-wide
  fall in detentions that leaves the ratio where it was has not closed the gap. Compared
  with :func:`pcref.stats.evaluation.disparity_change`.
* the reference group itself: its monthly rate, with ``rate_change``.
* a **percentage** metric: the group's monthly percentage, with ``proportion_change`` —
  the evaluation module has no interval for a ratio of two ratios of proportions, and
  treating binomial counts as Poisson would misstate it.

The numerators and denominators summed over the months before the action start and from it
on feed the before/after comparison; the monthly values feed the SPC judgement and the
chart, whose limits are rebased at the first month on or after the start
(``rebased_chart``). A month counts as "after" when it begins on or after the action's start
date. Figures follow the viewer's disclosure policy (``figures_for``). When a month needed
is withheld (small numbers: common for one ethnic group in one month at trust scale), the
same is done by quarter (``ethnicity_5 x quarter``), and the page says so; when a quarter is
withheld too there is no evaluation, and the page says why.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pcref.stats.evaluation import (
    Change,
    Variation,
    Verdict,
    disparity_change,
    proportion_change,
    rate_change,
    rebased_chart,
    variation_after,
    verdict,
)
from pcref.stats.wording import people_phrase
from pcref.web.dashboard import charts
from pcref.web.dashboard.metric_page import _multiplier, period_start
from pcref.web.dashboard.models import Figure, Metric

BREAKDOWN = "ethnicity_5 x month"
#: Used when the monthly figures cannot be (a month withheld, or no monthly cross).
QUARTERLY_BREAKDOWN = "ethnicity_5 x quarter"
BREAKDOWNS = (BREAKDOWN, QUARTERLY_BREAKDOWN)
ETHNICITY = "ethnicity_5"
#: The statistics an evaluation can use, in order of preference.
STATISTICS = ("crude rate", "rate", "proportion")


@dataclass
class Evaluation:
    """What the "did it work" page shows for one action and one run."""

    metric: Metric | None
    group: str
    reference: str = ""
    measure: str = ""  # "rate ratio", "rate" or "percentage"
    why: str = ""
    unit: str = ""
    months: list[dict[str, Any]] = field(default_factory=list)
    change: Change | None = None
    variation: Variation | None = None
    verdict: Verdict | None = None
    chart: dict[str, Any] | None = None
    chart_summary: str = ""
    unavailable: str = ""
    #: "month", or "quarter" when the monthly figures could not be used (``note`` says why).
    time: str = "month"
    note: str = ""


def _direction(metric: Metric) -> str:
    return "neutral" if metric.improvement_direction == "neither" else (
        metric.improvement_direction
    )


def _by_label(rows: list[Figure]) -> dict[str, Figure]:
    """Month or quarter label → row (subgroup), for the first statistic the rows have."""
    for statistic in STATISTICS:
        chosen = {r.subgroup: r for r in rows if r.statistic == statistic and r.subgroup}
        if chosen:
            return chosen
    return {}


def evaluate(metric: Metric | None, group: str, start: dt.date, figures: Any) -> Evaluation:
    """The evaluation of ``group`` on ``metric`` for an action starting on ``start``.

    ``figures``: the run's figures for the metric under the viewer's policy (a queryset or
    list of :class:`Figure`); the ``ethnicity_5 x month`` rows are used, or the ``ethnicity_5
    x quarter`` rows when the months cannot be (small numbers are withheld far more often
    by month than by quarter).
    """
    rows = list(figures)
    monthly = _evaluate(metric, group, start, rows, "month")
    if monthly.change is not None or metric is None:
        return monthly
    quarterly = _evaluate(metric, group, start, rows, "quarter")
    if quarterly.change is None:
        if quarterly.months:  # there are quarters, but they cannot be used either
            monthly.unavailable += f" By quarter: {quarterly.unavailable}"
        return monthly
    quarterly.note = f"By quarter, because by month: {monthly.unavailable}"
    return quarterly


def _evaluate(metric: Metric | None, group: str, start: dt.date, figures: list[Figure],
              time: str) -> Evaluation:
    result = Evaluation(metric=metric, group=group, time=time)
    if metric is None:
        result.unavailable = "This results run has no figures for the action's metric."
        return result
    reference = str(metric.reference_group.get(ETHNICITY, ""))
    result.reference, result.unit = reference, metric.unit
    breakdown = BREAKDOWN if time == "month" else QUARTERLY_BREAKDOWN
    rows = [r for r in figures if r.breakdown == breakdown]
    own = _by_label([r for r in rows if r.group == group])
    if not own:
        result.unavailable = (
            f"This results run has no figures by ethnic group and {time} ({breakdown}) for "
            f"{group} on this metric, so the action cannot be evaluated with it."
        )
        return result
    statistic = next(iter(own.values())).statistic
    if statistic == "proportion":
        result.measure, result.unit = "percentage", "%"
        result.why = (
            f"The percentage for {people_phrase(group)} by {time}, compared before and after "
            "with the MOVER-R interval (a ratio of percentages has no interval for its "
            "change in the evaluation methods)."
        )
    elif group == reference or not reference:
        result.measure = "rate"
        result.why = (
            f"The rate for {people_phrase(group)} by {time} ({metric.unit}), compared before "
            "and after with the exact interval for a ratio of two rates."
        )
    else:
        result.measure, result.unit = "rate ratio", f"ratio to {reference}"
        result.why = (
            f"The rate ratio ({people_phrase(group)} ÷ {reference}) by {time}: the disparity "
            "itself, so a fall that every group shares does not count as closing the gap. "
            "Compared before and after with the ratio of the two rate ratios."
        )
    refs = _by_label([r for r in rows if r.group == reference]) if result.measure == (
        "rate ratio") else {}
    months = sorted(own, key=lambda label: period_start(label, time) or pd.Timestamp.max)
    table = []
    for label in months:
        when = period_start(label, time)
        if when is None:
            continue
        row, ref = own[label], refs.get(label)
        entry = {
            "label": label, "date": when,
            "shown_label": when.strftime("%B %Y") if time == "month" else label,
            "after": when.date() >= start,
            "numerator": row.numerator, "denominator": row.denominator, "value": row.value,
            "display": row.display_value,
            "ref_numerator": ref.numerator if ref else None,
            "ref_denominator": ref.denominator if ref else None,
        }
        if result.measure == "rate ratio":
            entry["value"] = _ratio(row, ref)
            entry["display"] = "" if entry["value"] is None else f"{entry['value']:.2f}"
        elif entry["value"] is not None:
            entry["value"] = round(float(entry["value"]), 1)
        table.append(entry)
    result.months = table
    return _compare(result, start)


def _ratio(row: Figure, ref: Figure | None) -> float | None:
    """The month's rate ratio as the run published it, to two places (as the table shows)."""
    if row.ratio is not None and math.isfinite(row.ratio):
        return round(row.ratio, 2)
    if ref is None or row.value is None or not ref.value:
        return None
    return round(row.value / ref.value, 2)


def _compare(result: Evaluation, start: dt.date) -> Evaluation:
    before = [m for m in result.months if not m["after"]]
    after = [m for m in result.months if m["after"]]
    if not before or not after:
        result.unavailable = (
            f"The run's {result.time}s ({result.months[0]['label']} to "
            f"{result.months[-1]['label']}) need to include {result.time}s both before and "
            f"after the action's start ({start:%-d %B %Y})."
        )
        return result
    needed = ["numerator", "denominator", "value"]
    if result.measure == "rate ratio":
        needed += ["ref_numerator", "ref_denominator"]
    missing = [m["label"] for m in result.months if any(m[k] is None for k in needed)]
    if missing:
        result.unavailable = (
            f"Some {result.time}s have no figure or are withheld under your disclosure policy ("
            + ", ".join(missing[:6]) + (" and others" if len(missing) > 6 else "")
            + "), so before and after cannot be compared fairly."
        )
        return result
    result.change = _change(result, before, after)
    series = pd.DataFrame({"date": [m["date"] for m in result.months],
                           "value": [float(m["value"]) for m in result.months]})
    direction = _direction(result.metric)
    result.variation = variation_after(series, value="value", date="date",
                                       action_start=pd.Timestamp(start),
                                       improvement_direction=direction)
    result.verdict = verdict(_measure_name(result), result.change, result.variation,
                             result.metric.improvement_direction)
    if result.time == "quarter":  # the evaluation module's words assume months
        sentence = result.verdict.sentence.replace(
            " months before the action", " quarters before the action"
        ).replace("the monthly chart", "the quarterly chart")
        result.verdict = Verdict(result.verdict.outcome, sentence)
    points = rebased_chart(series, value="value", date="date", action_start=pd.Timestamp(start),
                           improvement_direction=direction).reset_index(drop=True)
    points["point_label"] = [charts.POINT_TYPES[t][0] for t in points["point_type"]]
    for month, label in zip(result.months, points["point_label"], strict=True):
        month["point_label"] = label
    result.chart_summary = (
        f"Statistical process control (XmR) chart of the {result.measure} by {result.time}, "
        f"with the mean and process limits recalculated from {after[0]['date']:%B %Y}, the "
        f"first {result.time} of the action; points are marked as common cause, or special "
        "cause of improvement or concern (Making Data Count). The table below gives the same "
        "figures."
    )
    title = f"{result.measure.capitalize()} for {people_phrase(result.group)} by {result.time}"
    result.chart = charts.spc_chart(points, title=title,
                                    description=result.chart_summary, unit=result.unit,
                                    time_title=result.time.capitalize())
    result.chart["layer"].append(_start_rule(after[0]["date"]))
    return result


def _start_rule(first_after: pd.Timestamp) -> dict[str, Any]:
    """A dotted vertical line, labelled, at the first month (or quarter) of the action: where
    the limits are rebased. The table's "before or after" column says the same."""
    return {
        "data": {"values": [{"date": first_after.strftime("%Y-%m-%d"),
                             "label": "Action starts"}]},
        "layer": [
            {"mark": {"type": "rule", "color": charts.NHS_BLACK, "strokeDash": [2, 3]},
             "encoding": {"x": {"field": "date", "type": "temporal"}}},
            {"mark": {"type": "text", "align": "left", "baseline": "top", "dx": 4, "y": 4,
                      "color": charts.NHS_BLACK, "fontSize": 12},
             "encoding": {"x": {"field": "date", "type": "temporal"},
                          "text": {"field": "label"}}},
        ],
    }  # fmt: skip


def _sums(months: list[dict[str, Any]], key: str) -> float:
    return float(sum(m[key] for m in months))


def _change(result: Evaluation, before: list[dict], after: list[dict]) -> Change:
    if result.measure == "rate ratio":
        return disparity_change(
            _sums(before, "numerator"), _sums(before, "denominator"),
            _sums(before, "ref_numerator"), _sums(before, "ref_denominator"),
            _sums(after, "numerator"), _sums(after, "denominator"),
            _sums(after, "ref_numerator"), _sums(after, "ref_denominator"),
        )  # fmt: skip
    if result.measure == "percentage":
        return proportion_change(
            _sums(before, "numerator"), _sums(before, "denominator"),
            _sums(after, "numerator"), _sums(after, "denominator"),
        )  # fmt: skip
    return rate_change(
        _sums(before, "numerator"), _sums(before, "denominator"),
        _sums(after, "numerator"), _sums(after, "denominator"),
        multiplier=_multiplier(result.metric, "crude rate") or 1.0,
    )  # fmt: skip


def _measure_name(result: Evaluation) -> str:
    """E.g. "The rate ratio of detentions under the Mental Health Act for Black or Black
    British people (compared with White)"."""
    title = result.metric.title
    if title[1:2].islower():  # "Detentions …" → "detentions …", but "MHA …" stays
        title = title[:1].lower() + title[1:]
    name = f"The {result.measure} of {title} for {people_phrase(result.group)}"
    if result.measure == "rate ratio":
        name += f" (compared with {result.reference})"
    return name
