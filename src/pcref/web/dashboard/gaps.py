"""Where are the biggest gaps: every clear difference between an ethnic group and the
reference group, across all metrics, largest first, each in one plain-English sentence
with its interval.

A difference is "clear" when the whole 95% interval of the ratio lies above or below 1
(the row's significance says "higher than …" or "lower than …"; DESIGN §2: a disparity is
called only when the interval says so). Size is the distance of the ratio from 1 on the
log scale, so "3 times the rate" and "a third of the rate" rank alike (a group with no
events at all, a ratio of 0, ranks first). Where a metric is
published both crude and standardised for age and sex, the standardised rate is used, as
NHS England does for Mental Health Act rates. Medians have no interval for their ratio, so
they are not ranked here (their pages show them).

Sentences come from :mod:`pcref.stats.wording`; whether a difference is worse or better
for the group follows the metric's improvement direction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pcref.stats.wording import disparity_sentence, proportion_sentence
from pcref.web.dashboard.shown import missing, shown_row

#: One-way ethnicity breakdowns ranked on this page, with the words the filter shows.
ETHNICITY_BREAKDOWNS = {"ethnicity_5": "5 ethnic groups", "ethnicity_16": "16 ethnic groups"}

#: Statistics preferred over others of the same metric, group and breakdown.
PREFERRED_OVER = {"crude rate": "standardised rate"}

#: Verb phrase for a metric whose definition gives none.
DEFAULT_VERB_PHRASE = "were counted in this measure"


@dataclass(frozen=True)
class MetricFacts:
    """What the ranking needs to know about a metric (from its catalogue definition)."""

    metric_id: str
    title: str
    family: str
    method: str
    improvement_direction: str
    sentence: str
    statistics: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """One clear difference, ready to show."""

    metric_id: str
    metric_title: str
    family: str
    statistic: str
    show_statistic: bool
    breakdown: str
    group: str
    comparator: str
    ratio: float
    ratio_lower: float
    ratio_upper: float
    size: float
    direction: str
    sentence: str


def direction_for(significance: str, improvement_direction: str) -> str:
    """"worse", "better" or "different" (neither is better) for the group, given whether
    its figure is higher or lower than the reference group's and which way is better."""
    higher = significance.startswith("higher than")
    if improvement_direction == "increase":
        return "better" if higher else "worse"
    if improvement_direction == "decrease":
        return "worse" if higher else "better"
    return "different"


def comparison_sentence(
    row: dict, reference_value: float | None, *, method: str, verb_phrase: str
) -> str:
    """The sentence comparing one group's row with its reference group's: a percentage
    comparison for proportions (when the reference percentage is shown), else a rate
    comparison. ``reference_value`` is the reference group's value as shown."""
    verb = verb_phrase.strip() or DEFAULT_VERB_PHRASE
    args = (row["ratio"], row["ratio_lower"], row["ratio_upper"])
    if method == "proportion" and reference_value is not None:
        return proportion_sentence(
            row["group"], row["comparator"], shown_row(row)["value"], reference_value, *args,
            verb,
        )
    return disparity_sentence(row["group"], row["comparator"], *args, verb)


def biggest_gaps(
    figures: pd.DataFrame, metrics: Mapping[str, MetricFacts], *, directions: set[str] | None = None
) -> list[Gap]:
    """Every clear difference in ``figures``, largest first.

    ``figures``: results rows (the results schema's columns plus ``metric_id``) of one
    period and disclosure policy, on one-way ethnicity breakdowns. ``metrics``: facts for
    each metric id. ``directions``: keep only these ("worse", "better", "different").
    Ties are broken by metric title, statistic and group, so the order is stable.
    """
    if figures.empty:
        return []
    rows = figures.loc[
        figures["breakdown"].isin(ETHNICITY_BREAKDOWNS)
        & figures["subgroup"].map(missing)
        & figures["significance"].fillna("").str.match(r"^(higher|lower) than ")
    ]
    present = set(
        zip(figures["metric_id"], figures["breakdown"], figures["group"], figures["statistic"],
            strict=True)
    )
    reference_values = {
        (r["metric_id"], r["breakdown"], r["statistic"], r["group"]): shown_row(r)["value"]
        for r in figures.loc[figures["significance"] == "reference group"].to_dict("records")
    }
    gaps = []
    for row in rows.to_dict("records"):
        metric = metrics.get(row["metric_id"])
        if metric is None:
            continue
        better = PREFERRED_OVER.get(row["statistic"])
        if better and (row["metric_id"], row["breakdown"], row["group"], better) in present:
            continue
        limits = [row.get(k) for k in ("ratio", "ratio_lower", "ratio_upper")]
        if any(missing(v) or not math.isfinite(float(v)) or float(v) < 0 for v in limits):
            continue
        if str(row.get("display_value", "")).strip() == "*":
            continue
        reference = reference_values.get(
            (row["metric_id"], row["breakdown"], row["statistic"], row["comparator"])
        )
        direction = direction_for(row["significance"], metric.improvement_direction)
        if directions is not None and direction not in directions:
            continue
        gaps.append(
            Gap(
                metric_id=metric.metric_id,
                metric_title=metric.title,
                family=metric.family,
                statistic=row["statistic"],
                show_statistic=len(metric.statistics) > 1,
                breakdown=row["breakdown"],
                group=row["group"],
                comparator=row["comparator"],
                ratio=float(row["ratio"]),
                ratio_lower=float(row["ratio_lower"]),
                ratio_upper=float(row["ratio_upper"]),
                size=abs(math.log(row["ratio"])) if row["ratio"] > 0 else math.inf,
                direction=direction,
                sentence=comparison_sentence(
                    row,
                    None if reference is None or math.isnan(reference) else reference,
                    method=metric.method,
                    verb_phrase=metric.sentence,
                ),
            )
        )
    gaps.sort(key=lambda g: (-g.size, g.metric_title, g.statistic, g.group))
    return gaps
