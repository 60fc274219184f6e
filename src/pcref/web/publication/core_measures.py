"""The core measures as the board report and the public page show them: each measure's
figures by ethnic group for one period, compared with the reference group in words, and
(board report) its trend for each ethnic group as a Making Data Count XmR chart with the
variation icon.

PCREF asks boards to "monitor core measures"; no national list exists
(notes/pcref-requirements.md §1.5), so :data:`CORE_MEASURES` is the platform's: the
measures NHS England already publishes by ethnicity from MHSDS, one per priority area.
Only those in the run are shown.

Built from pandas frames of results rows of one disclosure policy (no database here), with
numbers as the dashboard shows them (:mod:`pcref.web.dashboard.shown`), so a withheld figure
is missing from tables, sentences and charts alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup

from pcref.stats.spc import spc_summary
from pcref.web.dashboard import charts
from pcref.web.dashboard.metric_page import (
    IMPROVEMENT_WORDS,
    NO_FIGURE_NOTE,
    WITHHELD_NOTE,
    period_start,
    sentences,
)
from pcref.web.dashboard.shown import count_text, shown_frame
from pcref.web.publication.svg import VARIATION_ICONS, variation_icon_svg, xmr_svg

#: Core measures, in the order the board reads them.
CORE_MEASURES = (
    "mha_detentions",
    "mha_cto",
    "mha_s136",
    "ri_per_1000_bed_days",
    "dementia_referral_rate_65plus",
    "transition_first_adult_appointment",
    "neurodev_assessed_within_13_weeks",
)
#: The breakdown the tables use, and the cross-breakdowns the trends come from (months
#: first; quarters when a group's monthly series has withheld months).
ETHNICITY = "ethnicity_5"
TREND_BREAKDOWNS = (("month", f"{ETHNICITY} x month"), ("quarter", f"{ETHNICITY} x quarter"))
#: Statistics preferred for the table, first present wins (NHS England publishes MHA rates
#: standardised for age and sex).
PREFERRED_STATISTICS = ("standardised rate", "crude rate", "proportion")
NO_TARGET = (
    "No target is set for this measure, so there is no assurance icon (Making Data Count "
    "draws one only against a target)."
)


@dataclass
class GroupTrend:
    """One ethnic group's trend: an XmR chart and its icon, or why there is none."""

    group: str
    time: str = ""
    chart: Markup | None = None
    icon: str = ""
    icon_svg: Markup | None = None
    icon_words: str = ""
    summary: str = ""
    unavailable: str = ""


@dataclass
class CoreMeasure:
    """What the board report (and, without trends, the public page) shows for a measure."""

    metric_id: str
    title: str
    description: str
    unit: str
    statistic: str
    improvement: str
    rows: list[dict[str, str]]
    sentences: list[str]
    notes: list[str]
    trends: list[GroupTrend] = field(default_factory=list)


def preferred_statistic(statistics: set[str]) -> str | None:
    """The statistic a core measure's table shows: the first of
    :data:`PREFERRED_STATISTICS` present, else the first in alphabetical order."""
    for statistic in PREFERRED_STATISTICS:
        if statistic in statistics:
            return statistic
    return min(statistics) if statistics else None


def _table_rows(shown: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for row in shown.to_dict("records"):
        rows.append({
            "group": row["group"],
            "numerator": "*" if row["withheld"] else count_text(row["numerator"]),
            "value": "*" if row["withheld"] else (row["value_text"] or "No figure"),
            "interval": row["interval_text"],
            "ratio": (f"{row['ratio_text']} ({row['ratio_interval_text']})"
                      if row["ratio_interval_text"] else row["ratio_text"]),
            "significance": row["significance"] or "",
        })
    return rows


def _notes(shown: pd.DataFrame) -> list[str]:
    notes = []
    if shown["withheld"].any():
        notes.append(WITHHELD_NOTE)
    if (~shown["withheld"] & shown["value"].isna()).any():
        notes.append(NO_FIGURE_NOTE)
    return notes


def group_trend(group: str, candidates: list[tuple[str, pd.DataFrame]],
                improvement_direction: str, title: str) -> GroupTrend:
    """The first complete series among ``candidates`` ((time unit, rows of this group with
    the month or quarter in ``subgroup``)) as an XmR chart; an XmR chart needs every point,
    so a series with a withheld or missing value is not drawn."""
    reasons = []
    for time, rows in candidates:
        if rows.empty:
            continue
        starts = [period_start(str(s), time) for s in rows["subgroup"]]
        rows = rows.assign(_date=pd.to_datetime(pd.Series(starts, index=rows.index,
                                                          dtype=object)))
        rows = rows.loc[rows["_date"].notna()].sort_values("_date")
        shown = shown_frame(rows)
        if len(shown) < 2 or shown["value"].isna().any():
            reasons.append(f"{int(shown['value'].isna().sum())} of {len(shown)} {time}s "
                           "withheld or without a figure")
            continue
        series = pd.DataFrame({"date": rows["_date"].to_numpy(), "value": shown["value"]})
        points = charts.spc_points(series, improvement_direction)
        icon = spc_summary(points).iloc[-1]["variation_icon"]
        labels = [pd.Timestamp(d).strftime("%b %Y") if time == "month" else str(s)
                  for d, s in zip(rows["_date"], rows["subgroup"], strict=True)]
        last = points.iloc[-1]
        summary = (
            f"{group}: {len(points)} {time}s from {labels[0]} to {labels[-1]}; mean "
            f"{last['mean']:.1f}, process limits {last['lpl']:.1f} to {last['upl']:.1f}; "
            f"latest {labels[-1]} {last['value']:.1f} ({last['point_label'].lower()})."
        )
        trend = GroupTrend(group=group, time=time, summary=summary)
        trend.chart = xmr_svg(
            labels, list(points["value"]), list(points["mean"]), list(points["lpl"]),
            list(points["upl"]), list(points["point_type"]),
            title=f"{title}, {group}, by {time}", description=summary,
        )
        if isinstance(icon, str) and icon in VARIATION_ICONS:
            trend.icon = icon
            trend.icon_svg = variation_icon_svg(icon)
            trend.icon_words = VARIATION_ICONS[icon][0]
        return trend
    reason = "; ".join(reasons) if reasons else "no figures by month or quarter"
    return GroupTrend(group=group, unavailable=(
        f"Not drawn: an SPC chart needs a figure for every point ({reason})."))


def core_measure(metric: Any, figures: pd.DataFrame, period: str, *,
                 with_trends: bool) -> CoreMeasure | None:
    """One core measure for ``period`` from ``figures`` (the metric's results rows of one
    disclosure policy: the ethnicity breakdown and its month and quarter cross-breakdowns).
    Trends use every period of the run up to and including ``period``. None when the
    measure has no figures by ethnic group for the period."""
    table_rows = figures.loc[(figures["breakdown"] == ETHNICITY)
                             & figures["subgroup"].isna() & (figures["period"] == period)]
    statistic = preferred_statistic(set(table_rows["statistic"]))
    if statistic is None:
        return None
    chosen = table_rows.loc[table_rows["statistic"] == statistic]
    shown = shown_frame(chosen)
    measure = CoreMeasure(
        metric_id=metric.metric_id, title=metric.title, description=metric.description,
        unit=metric.unit, statistic=statistic,
        improvement=IMPROVEMENT_WORDS.get(metric.improvement_direction, ""),
        rows=_table_rows(shown), sentences=sentences(metric, chosen, ETHNICITY),
        notes=_notes(shown),
    )
    if not with_trends:
        return measure
    up_to = figures["period"] <= period
    for group in chosen["group"]:
        candidates = []
        for time, breakdown in TREND_BREAKDOWNS:
            rows = figures.loc[up_to & (figures["breakdown"] == breakdown)
                               & (figures["group"] == group)]
            trend_statistic = statistic if statistic in set(rows["statistic"]) else (
                preferred_statistic(set(rows["statistic"])))
            candidates.append((time, rows.loc[rows["statistic"] == trend_statistic]))
        measure.trends.append(group_trend(group, candidates, metric.improvement_direction,
                                          metric.title))
    return measure

