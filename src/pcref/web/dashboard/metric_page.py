"""What a metric's page shows, as data: the figures by group with their chart, the ratio
plot, the trend as a Making Data Count SPC chart, the funnel plot by team, and the
sentences comparing each group with the reference group.

Everything is built from a pandas frame of the metric's results rows under the person's
disclosure policy, numbers as shown (:mod:`pcref.web.dashboard.shown`), so the page, its
charts and its CSV download (:func:`download_rows`) carry exactly the same figures. Pages
need no database here, which keeps this testable on hand-made frames.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pcref.stats.funnel import funnel_limits, funnel_significance
from pcref.web.dashboard import charts
from pcref.web.dashboard.gaps import comparison_sentence
from pcref.web.dashboard.shown import count_text, missing, shown_frame

#: Breakdowns in words, for filters and headings.
BREAKDOWN_LABELS = {
    "ethnicity_5": "Ethnic group (5 groups)",
    "ethnicity_16": "Ethnic group (16 groups)",
    "age_band": "Age band",
    "sex": "Sex",
    "imd_quintile": "Deprivation (IMD quintile)",
    "locality": "Locality",
    "team": "Team",
    "ward": "Ward",
}
#: Breakdowns drawn as their own charts rather than chosen in the filter.
TIME_BREAKDOWNS = ("month", "quarter")
#: Breakdowns a funnel plot is drawn for, first found wins.
FUNNEL_BREAKDOWNS = ("team", "ward")
#: Methods a funnel plot can be drawn for (pcref.stats.funnel statistics).
FUNNEL_METHODS = {"proportion": "proportion", "rate_per_denominator": "rate"}
#: Where each method is described in the platform's documentation.
METHOD_DOCS = {
    "rate": "docs/methods/crude-and-standardised.md",
    "rate_per_denominator": "docs/methods/crude-and-standardised.md",
    "proportion": "docs/methods/crude-and-standardised.md",
    "ratio_to_expected": "docs/methods/crude-and-standardised.md",
    "median": "docs/engine.md",
}
IMPROVEMENT_WORDS = {
    "increase": "Higher is better",
    "decrease": "Lower is better",
    "neither": "Neither higher nor lower is better",
    "neutral": "Neither higher nor lower is better",
}
WITHHELD_NOTE = (
    "* Withheld: the count is small enough that showing it, or figures worked out from it, "
    "could identify someone."
)
NO_FIGURE_NOTE = "No figure: there is no denominator for this group (for example no population)."


def breakdown_label(breakdown: str) -> str:
    """A breakdown in words: "ethnicity_5" → "Ethnic group (5 groups)"."""
    return BREAKDOWN_LABELS.get(breakdown, breakdown.replace("_", " ").capitalize())


def is_ethnicity(breakdown: str) -> bool:
    """Whether a one-way breakdown is by ethnic group (and so has a reference group)."""
    return breakdown.startswith("ethnicity_") and " x " not in breakdown


@dataclass
class Table:
    """A data table: caption, column headings and rows of text cells."""

    caption: str
    head: list[str]
    rows: list[list[str]]
    numeric: list[bool]


@dataclass
class Section:
    """One chart with the table that carries its numbers, or the reason there is none."""

    key: str
    heading: str
    chart: dict[str, Any] | None = None
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    unavailable: str = ""
    download: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MetricPage:
    """Everything the metric page shows for one choice of period, breakdown and statistic."""

    period: str
    breakdown: str
    statistic: str
    sentences: list[str]
    sections: list[Section]


def _notes(frame: pd.DataFrame) -> list[str]:
    notes = []
    if frame["withheld"].any():
        notes.append(WITHHELD_NOTE)
    if (~frame["withheld"] & frame["value"].isna()).any():
        notes.append(NO_FIGURE_NOTE)
    return notes


def _value_cell(row: dict[str, Any]) -> str:
    if row["withheld"]:
        return "*"
    return row["value_text"] or "No figure"


def _reference(metric: Any, breakdown: str) -> str | None:
    return (metric.reference_group or {}).get(breakdown)


def group_section(metric: Any, rows: pd.DataFrame, breakdown: str, period: str) -> Section:
    """Figures by group for one period: bars with intervals, the reference group's value as
    a line, and a table with counts, intervals and the comparison in words."""
    shown = shown_frame(rows)
    reference = _reference(metric, breakdown)
    label = breakdown_label(breakdown)
    heading = f"By {label[0].lower() + label[1:]}, {period}"
    section = Section(key="groups", heading=heading, notes=_notes(shown))
    comparing = is_ethnicity(breakdown) and reference is not None
    head = ["Group", f"Value ({metric.unit})", "95% confidence interval", "Count", "Denominator"]
    numeric = [False, True, True, True, True]
    if comparing:
        head += [f"Compared with {reference}"]
        numeric += [False]
    table_rows = []
    for row in shown.to_dict("records"):
        cells = [
            row["group"],
            _value_cell(row),
            row["interval_text"],
            count_text(row["numerator"]) or ("*" if row["withheld"] else ""),
            count_text(row["denominator"]),
        ]
        if comparing:
            cells.append(row["significance"] or ("*" if row["withheld"] else "Not compared"))
        table_rows.append(cells)
        section.download.append({"table": "by group", "period": period, **row})
    section.table = Table(caption=f"{metric.title}: {heading.lower()}", head=head,
                          rows=table_rows, numeric=numeric)
    if shown["value"].notna().any():
        description = (
            f"Bar chart of {metric.title.lower()} by {label.lower()} in {period}, with 95% "
            "confidence intervals"
            + (f" and a dashed line at the {reference} value" if comparing else "")
            + ". The table below gives the same figures."
        )
        section.chart = charts.group_chart(
            shown, title=f"{metric.title}, {period}", description=description,
            unit=metric.unit, group_title=label, reference_group=reference if comparing else None,
        )
    else:
        section.unavailable = "There are no figures to chart for this choice."
    return section


def ratio_section(metric: Any, rows: pd.DataFrame, breakdown: str, period: str) -> Section | None:
    """Each group's ratio to the reference group on a log scale, with its interval."""
    reference = _reference(metric, breakdown)
    if not is_ethnicity(breakdown) or reference is None:
        return None
    shown = shown_frame(rows)
    shown = shown.loc[shown["group"] != reference].reset_index(drop=True)
    shown = shown.loc[(shown["comparator"] != "") | shown["withheld"]].reset_index(drop=True)
    section = Section(key="ratios", heading=f"Ratio to {reference}, {period}",
                      notes=_notes(shown))
    table_rows = []
    for row in shown.to_dict("records"):
        table_rows.append([
            row["group"],
            "*" if row["withheld"] else (row["ratio_text"] or "Not calculated"),
            row["ratio_interval_text"],
            row["significance"] or ("*" if row["withheld"] else "not calculated"),
        ])
        section.download.append({"table": "ratio to reference", "period": period, **row})
    section.table = Table(
        caption=f"{metric.title}: ratio to {reference}, {period}",
        head=["Group", f"Ratio to {reference}", "95% confidence interval",
              f"Compared with {reference}"],
        rows=table_rows, numeric=[False, True, True, False],
    )
    if shown["ratio_lower"].notna().any():
        description = (
            f"Ratio of each group's {metric.title.lower()} to {reference}'s in {period}, with "
            "95% confidence intervals, on a log scale; a dashed line at 1 means no difference. "
            "The table below gives the same figures."
        )
        section.chart = charts.ratio_chart(
            shown, title=f"Ratio to {reference}, {period}", description=description,
            reference_group=reference, group_title=breakdown_label(breakdown),
        )
    else:
        section.unavailable = "No group has a ratio with a confidence interval to chart."
    return section


def period_start(label: str, time: str) -> pd.Timestamp | None:
    """When a month ("2024-04") or a quarter of a financial year ("2024-25 Q1", which
    starts in April 2024) begins; None for a label that is neither."""
    if time == "month":
        start = pd.to_datetime(f"{label}-01", format="%Y-%m-%d", errors="coerce")
        return None if pd.isna(start) else start
    year, _, quarter = label.partition(" Q")
    if not (year[:4].isdigit() and quarter in ("1", "2", "3", "4")):
        return None
    return pd.Timestamp(int(year[:4]), 4, 1) + pd.DateOffset(months=3 * (int(quarter) - 1))


def trend_section(metric: Any, rows: pd.DataFrame, time: str = "month") -> Section | None:
    """Values by month (or, for metrics reported by quarter, by quarter) over every period
    of the run as an XmR chart with the Making Data Count rules, coloured by the metric's
    improvement direction."""
    if rows.empty:
        return None
    unit = "month" if time == "month" else "quarter"
    starts = [period_start(str(g), time) for g in rows["group"]]
    rows = rows.assign(_date=pd.to_datetime(pd.Series(starts, index=rows.index, dtype=object)))
    rows = rows.loc[rows["_date"].notna()].sort_values("_date")
    if rows.empty:
        return None
    shown = shown_frame(rows)
    shown["date"] = rows["_date"].to_numpy()
    shown["label"] = rows["group"].to_numpy()
    section = Section(key="trend", heading=f"Trend by {unit}", notes=_notes(shown))
    usable = shown["value"].notna().all() and len(shown) >= 2
    point_words = [""] * len(shown)
    if usable:
        points = charts.spc_points(shown[["date", "value"]], metric.improvement_direction)
        point_words = list(points["point_label"])
        last = points.iloc[-1]
        description = (
            f"Statistical process control (XmR) chart of {metric.title.lower()} by {unit}, "
            f"with the mean ({last['mean']:.1f}) and process limits ({last['lpl']:.1f} to "
            f"{last['upl']:.1f}); points are marked as common cause, or special cause of "
            "improvement or concern (Making Data Count). The table below gives the same "
            "figures."
        )
        section.chart = charts.spc_chart(points, title=f"{metric.title} by {unit}",
                                         description=description, unit=metric.unit,
                                         time_title=unit.capitalize())
        section.notes.insert(0, (
            f"Mean {last['mean']:.1f}, process limits {last['lpl']:.1f} to {last['upl']:.1f} "
            f"({metric.unit}), worked out from the values as shown; the latest {unit} is "
            f"{last['point_label'].lower()}."
        ))
        if len(points) < 13:
            section.notes.append(
                f"Fewer than 13 {unit}s: the limits are trial limits (Making Data Count)."
            )
    else:
        section.unavailable = (
            f"The SPC chart needs a figure for every {unit}; some are withheld or have no "
            f"figure, so it is not drawn. The table shows the {unit}s there are."
        )
    table_rows = []
    for row, words in zip(shown.to_dict("records"), point_words, strict=True):
        label = (pd.Timestamp(row["date"]).strftime("%B %Y") if time == "month"
                 else row["label"])
        table_rows.append([label, _value_cell(row), row["interval_text"], words])
        section.download.append({
            "table": f"trend by {unit}", "period": "", **row,
            "date": pd.Timestamp(row["date"]).strftime("%Y-%m") if time == "month"
            else row["label"],
            "spc_point": words,
        })
    section.table = Table(
        caption=f"{metric.title} by {unit}",
        head=[unit.capitalize(), f"Value ({metric.unit})", "95% confidence interval",
              "Variation"],
        rows=table_rows, numeric=[False, True, True, False],
    )
    return section


def group_variation_section(metric: Any, rows: pd.DataFrame, time: str) -> Section | None:
    """Making Data Count variation for each ethnic group: an XmR chart's mean, limits and
    latest point type per group, from the ethnic group × month (or quarter) rows, as a
    table (a board reads it like a row of MDC icons). A group with a withheld value is not
    assessed: an XmR chart needs every point."""
    if rows.empty:
        return None
    unit = "month" if time == "month" else "quarter"
    section = Section(key="group-variation",
                      heading=f"Variation by ethnic group, by {unit} (SPC)")
    table_rows = []
    any_withheld = False
    for group, part in rows.groupby("group", sort=False):
        starts = [period_start(str(label), time) for label in part["subgroup"]]
        part = part.assign(_date=pd.to_datetime(pd.Series(starts, index=part.index,
                                                          dtype=object)))
        part = part.loc[part["_date"].notna()].sort_values("_date")
        if part.empty:
            continue
        shown = shown_frame(part)
        shown["date"] = part["_date"].to_numpy()
        latest = shown.iloc[-1].to_dict()
        when = str(part["subgroup"].iloc[-1])
        extra = {"spc_mean": "", "spc_lower_limit": "", "spc_upper_limit": ""}
        if shown["value"].notna().all() and len(shown) >= 2:
            points = charts.spc_points(shown[["date", "value"]], metric.improvement_direction)
            last = points.iloc[-1]
            words = str(last["point_label"])
            extra = {"spc_mean": f"{last['mean']:.1f}", "spc_lower_limit": f"{last['lpl']:.1f}",
                     "spc_upper_limit": f"{last['upl']:.1f}"}
            cells = [
                str(group), str(len(points)), extra["spc_mean"],
                f"{extra['spc_lower_limit']} to {extra['spc_upper_limit']}",
                _value_cell(latest), words,
                str(int((points["point_type"] == "special_cause_improvement").sum())),
                str(int((points["point_type"] == "special_cause_concern").sum())),
            ]
        else:
            withheld = int(shown["withheld"].sum())
            any_withheld = any_withheld or withheld > 0
            words = f"Not assessed: {withheld} of {len(shown)} {unit}s withheld" if withheld \
                else f"Not assessed: {unit}s without a figure"
            cells = [str(group), str(len(shown)), "", "", _value_cell(latest), words, "", ""]
        table_rows.append(cells)
        section.download.append({**latest, "table": f"variation by ethnic group, by {unit}",
                                 "period": "", "date": when, "spc_point": words, **extra})
    if not table_rows:
        return None
    section.table = Table(
        caption=f"{metric.title}: variation by ethnic group, by {unit}",
        head=["Group", f"{unit.capitalize()}s", "Mean", "Process limits",
              f"Latest {unit}", "Latest point", "Improvement points", "Concern points"],
        rows=table_rows, numeric=[False, True, True, True, True, False, True, True],
    )
    section.notes.append(
        f"Each group's limits come from its own {unit}ly values as shown; 'Latest point' is "
        f"the Making Data Count variation of the latest {unit}."
    )
    if any_withheld:
        section.notes.append(WITHHELD_NOTE)
    return section


def _multiplier(metric: Any, statistic: str) -> float | None:
    if statistic == "proportion":
        return 100.0
    match = re.search(r"per ([\d,]+)", metric.unit)
    return float(match.group(1).replace(",", "")) if match else None


def funnel_section(
    metric: Any, rows: pd.DataFrame, breakdown: str, period: str
) -> Section | None:
    """Teams (or wards) against funnel limits around the overall average (PHE method),
    from the published counts of the teams shown; withheld teams are listed, not plotted."""
    statistic = FUNNEL_METHODS.get(metric.method)
    if statistic is None or rows.empty:
        return None
    multiplier = _multiplier(metric, statistic)
    if multiplier is None:
        return None
    shown = shown_frame(rows)
    what = breakdown_label(breakdown).lower()
    section = Section(key="funnel", heading=f"By {what}: funnel plot, {period}",
                      notes=_notes(shown))
    usable = shown.loc[
        ~shown["withheld"] & shown["numerator"].notna() & (shown["denominator"] > 0)
        & shown["value"].notna()
    ].reset_index(drop=True)
    where = {}
    if len(usable) >= 3 and usable["numerator"].sum() > 0:
        counts = usable[["group", "numerator", "denominator", "value"]].copy()
        if statistic == "proportion":
            limits = funnel_limits(counts, "numerator", "denominator", statistic="proportion",
                                   multiplier=multiplier, metadata=False)
            labelled = funnel_significance(counts, "numerator", "denominator",
                                           statistic="proportion")
            lines = limits.melt(id_vars=["population"], var_name="line", value_name="limit")
            lines = lines.rename(columns={"population": "size"})
        else:
            counts["rate"] = counts["numerator"] / counts["denominator"] * multiplier
            limits = funnel_limits(counts, "numerator", "denominator", "rate", statistic="rate",
                                   multiplier=multiplier, rate_type="crude", years_of_data=1,
                                   metadata=False)
            labelled = funnel_significance(counts, "numerator", "denominator", "rate",
                                           statistic="rate", rate_type="crude",
                                           multiplier=multiplier)
            lines = _rate_lines(limits)
        counts["significance"] = labelled["significance"].astype(str).to_numpy()
        counts["size"] = counts["denominator"]
        where = dict(zip(counts["group"], counts["significance"], strict=True))
        size_title = "Denominator (" + ("people" if statistic == "proportion" else
                                        "occupied bed days") + ")"
        description = (
            f"Funnel plot of {metric.title.lower()} by {what} in {period}: each {what} "
            "against its size, with the average and 95% and 99.8% limits. The table below "
            "gives the same figures."
        )
        section.chart = charts.funnel_chart(
            counts, lines, title=f"{metric.title} by {what}, {period}", description=description,
            unit=metric.unit, size_title=size_title,
        )
        baseline = lines.loc[lines["line"] == "baseline", "limit"].iloc[0]
        section.notes.append(
            f"Average {baseline:.1f} ({metric.unit}); the limits are worked out from the "
            "published (rounded) counts of the teams shown."
        )
    else:
        section.unavailable = (
            "A funnel plot needs at least three teams with published counts and at least one "
            "event."
        )
    table_rows = []
    for row in shown.to_dict("records"):
        words = charts.FUNNEL_SIGNIFICANCE[where[row["group"]]][0] if row["group"] in where else (
            "Not plotted" if not row["withheld"] else "*"
        )
        table_rows.append([
            row["group"],
            _value_cell(row),
            count_text(row["numerator"]) or ("*" if row["withheld"] else ""),
            count_text(row["denominator"]),
            words,
        ])
        section.download.append({"table": "funnel", "period": period, **row,
                                 "funnel": words})
    section.table = Table(
        caption=f"{metric.title} by {what}, {period}",
        head=[breakdown_label(breakdown), f"Value ({metric.unit})", "Count", "Denominator",
              "Against the funnel limits"],
        rows=table_rows, numeric=[False, True, True, True, False],
    )
    return section


def _rate_lines(limits: pd.DataFrame) -> pd.DataFrame:
    """Long-form lines of a rate funnel: each limit has its own sizes (population on it)."""
    parts = []
    for name in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        parts.append(pd.DataFrame({
            "line": f"{name}_limit",
            "size": limits[f"{name}_population_1_year"],
            "limit": limits[f"{name}_limit"],
        }))
    sizes = pd.concat([p["size"] for p in parts])
    sizes = sizes[sizes.map(math.isfinite)]
    parts.append(pd.DataFrame({
        "line": "baseline", "size": [sizes.min(), sizes.max()],
        "limit": [limits["baseline"].iloc[0]] * 2,
    }))
    return pd.concat(parts, ignore_index=True)


def sentences(metric: Any, rows: pd.DataFrame, breakdown: str) -> list[str]:
    """Each group compared with the reference group in words (pcref.stats.wording)."""
    reference = _reference(metric, breakdown)
    if not is_ethnicity(breakdown) or reference is None:
        return []
    records = rows.to_dict("records")
    ref = [shown_frame([r])["value"].iloc[0] for r in records if r["group"] == reference]
    reference_value = ref[0] if ref and not math.isnan(ref[0]) else None
    out = []
    for row in records:
        if row["group"] == reference or missing(row.get("comparator")):
            continue
        if str(row.get("display_value", "")).strip() == "*":
            continue
        if missing(row.get("ratio_lower")) or missing(row.get("ratio_upper")):
            if not missing(row.get("significance")):
                out.append(f"{row['group']}: {row['significance']} (no interval for the ratio).")
            continue
        out.append(comparison_sentence(row, reference_value, method=metric.method,
                                       verb_phrase=metric.sentence))
    return out


def metric_page(
    metric: Any, figures: pd.DataFrame, *, period: str, breakdown: str, statistic: str
) -> MetricPage:
    """The page for ``metric`` from its results rows (all periods and breakdowns, one
    disclosure policy) for the chosen period, breakdown and statistic."""
    figures = figures.loc[figures["statistic"] == statistic]
    one_way = figures["subgroup"].map(missing)
    chosen = figures.loc[one_way & (figures["period"] == period)
                         & (figures["breakdown"] == breakdown)]
    sections = [group_section(metric, chosen, breakdown, period)]
    ratios = ratio_section(metric, chosen, breakdown, period)
    if ratios is not None:
        sections.append(ratios)
    trend = None
    for time in TIME_BREAKDOWNS:  # months if the metric has them, else quarters
        trend = trend_section(metric, figures.loc[one_way & (figures["breakdown"] == time)],
                              time)
        if trend is not None:
            break
    if trend is not None:
        sections.append(trend)
    for time in TIME_BREAKDOWNS if is_ethnicity(breakdown) else ():
        crossed = figures.loc[figures["breakdown"] == f"{breakdown} x {time}"]
        variation = group_variation_section(metric, crossed, time)
        if variation is not None:
            sections.append(variation)
            break
    for funnel_breakdown in FUNNEL_BREAKDOWNS:
        units = figures.loc[one_way & (figures["period"] == period)
                            & (figures["breakdown"] == funnel_breakdown)]
        funnel = funnel_section(metric, units, funnel_breakdown, period)
        if funnel is not None:
            sections.append(funnel)
            break
    return MetricPage(period=period, breakdown=breakdown, statistic=statistic,
                      sentences=sentences(metric, chosen, breakdown), sections=sections)


#: Columns of the CSV download: the metric's metadata, then the figures as shown.
DOWNLOAD_COLUMNS = (
    "metric_id", "metric_title", "unit", "method", "improvement_direction", "run_id",
    "disclosure_policy", "table", "period", "date", "statistic", "group", "value", "lower",
    "upper", "numerator", "denominator", "comparator", "ratio", "ratio_lower", "ratio_upper",
    "significance", "spc_point", "spc_mean", "spc_lower_limit", "spc_upper_limit", "funnel",
    "status",
)


def _csv_number(value: Any) -> str:
    """A count as a plain number ("1320"), empty when withheld or not applicable."""
    return "" if missing(value) else f"{value:.0f}"


def _limits(text: str) -> tuple[str, str]:
    """An interval as shown ("27.5 to 32.9") as its two numbers, without separators."""
    if not text:
        return "", ""
    lower, upper = text.replace(",", "").split(" to ")
    return lower, upper


#: Download columns holding words (team and group names come from the trust's data), which
#: the download view makes safe to open in a spreadsheet.
DOWNLOAD_TEXT_COLUMNS = ("metric_title", "unit", "statistic", "group", "comparator",
                         "significance", "status")


def download_rows(
    metric: Any, page: MetricPage, *, run_id: str, disclosure_policy: str
) -> list[dict[str, str]]:
    """The CSV download: every row of every table on the page, numbers exactly as shown
    (withheld values as ``*``), with the metric's metadata on every row."""
    out = []
    for section in page.sections:
        for row in section.download:
            value = "*" if row["withheld"] else row["value_text"].replace(",", "")
            lower, upper = _limits(row["interval_text"])
            ratio_lower, ratio_upper = _limits(row["ratio_interval_text"])
            out.append({
                "metric_id": metric.metric_id,
                "metric_title": metric.title,
                "unit": metric.unit,
                "method": metric.method,
                "improvement_direction": metric.improvement_direction,
                "run_id": run_id,
                "disclosure_policy": disclosure_policy,
                "table": row["table"],
                "period": row.get("period", ""),
                "date": row.get("date", ""),
                "statistic": row["statistic"],
                "group": row["group"],
                "value": value,
                "lower": lower,
                "upper": upper,
                "numerator": _csv_number(row["numerator"]),
                "denominator": _csv_number(row["denominator"]),
                "comparator": row["comparator"],
                "ratio": row["ratio_text"],
                "ratio_lower": ratio_lower,
                "ratio_upper": ratio_upper,
                "significance": row["significance"],
                "spc_point": row.get("spc_point", ""),
                "spc_mean": row.get("spc_mean", ""),
                "spc_lower_limit": row.get("spc_lower_limit", ""),
                "spc_upper_limit": row.get("spc_upper_limit", ""),
                "funnel": row.get("funnel", ""),
                "status": row["status"],
            })
    return out
