"""Vega-Lite charts of a metric's figures, built with Altair (DESIGN §4: one spec for the
web page and the board report, drawn in the browser by vega-embed, never from a CDN).

Each function takes a pandas frame of figures *as shown* (:mod:`pcref.web.dashboard.shown`:
numbers rounded as the table prints them, withheld values missing) and returns a Vega-Lite
specification as a dict. Withheld rows are left out of the chart data altogether, so a
chart can never carry a number its table does not show. Every chart has a title and a
description; on the page it is decoration of the data table next to it, which holds the
same numbers for people who cannot see the chart.

Colours are NHS identity colours that reach 3:1 contrast against the white chart
background (WCAG 1.4.11), and every colour difference is also a shape difference or a
word in the table (WCAG 1.4.1). Special-cause points on SPC charts follow Making Data
Count: orange for concern, blue for improvement, grey for common cause, purple for a
special cause where neither direction is better.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from pcref.stats.spc import spc

#: NHS identity colours used in charts, each ≥ 3:1 against white.
NHS_BLUE = "#005eb8"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_BLACK = "#212b32"
NHS_PURPLE = "#330072"
CONCERN_ORANGE = "#c65102"

#: Making Data Count point types → (words for the legend and the table, colour, shape).
POINT_TYPES: dict[str, tuple[str, str, str]] = {
    "special_cause_concern": ("Special cause: concern", CONCERN_ORANGE, "diamond"),
    "special_cause_improvement": ("Special cause: improvement", NHS_BLUE, "square"),
    "special_cause_neutral": ("Special cause: neither better nor worse", NHS_PURPLE, "triangle"),
    "common_cause": ("Common cause", NHS_MID_GREY, "circle"),
}

#: Funnel-plot significance labels (pcref.stats.funnel) → words, colour, shape.
FUNNEL_SIGNIFICANCE: dict[str, tuple[str, str, str]] = {
    "High (0.001)": ("Above the 99.8% limit", CONCERN_ORANGE, "diamond"),
    "High (0.025)": ("Above the 95% limit", CONCERN_ORANGE, "triangle-up"),
    "Not significant": ("Within the limits", NHS_MID_GREY, "circle"),
    "Low (0.025)": ("Below the 95% limit", NHS_BLUE, "triangle-down"),
    "Low (0.001)": ("Below the 99.8% limit", NHS_BLUE, "square"),
}

_WIDTH = "container"
_CONFIG = {
    "background": "#ffffff",
    "font": "Arial, sans-serif",
    "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": NHS_BLACK,
             "titleColor": NHS_BLACK, "labelLimit": 220},
    "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 260, "orient": "bottom",
               "direction": "vertical"},
    "title": {"fontSize": 16, "anchor": "start", "color": NHS_BLACK},
    "view": {"stroke": None},
}


#: Height per group on charts with a bar or a row per group.
_ROW_HEIGHT = 32


def _finish(
    chart: alt.TopLevelMixin, title: str, description: str, height: int = 320
) -> dict[str, Any]:
    # The width follows the page (a chart never makes it scroll sideways); the height is
    # fixed, so Vega-Lite has nothing to fit vertically.
    chart = chart.properties(title=title, description=description, width=_WIDTH, height=height)
    # Validating against the Vega-Lite schema costs ~100 ms a chart; the tests validate.
    spec = chart.to_dict(validate=False)
    spec["config"] = {**spec.get("config", {}), **_CONFIG}
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _shown(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows that have every needed number (withheld rows have none)."""
    keep = frame[columns].notna().all(axis=1)
    if "withheld" in frame:
        keep &= ~frame["withheld"].astype(bool)
    return frame.loc[keep].reset_index(drop=True)


def _group_axis(frame: pd.DataFrame, title: str) -> alt.Y:
    return alt.Y("group:N", title=title, sort=list(dict.fromkeys(frame["group"])))


def group_chart(
    figures: pd.DataFrame,
    *,
    title: str,
    description: str,
    unit: str,
    group_title: str,
    reference_group: str | None = None,
) -> dict[str, Any]:
    """Bars of each group's value with its 95% interval, and the reference group's value
    as a dashed line across the chart.

    ``figures``: shown figures with ``group``, ``value``, ``lower``, ``upper`` (and
    ``withheld``). Groups keep the frame's order.
    """
    data = _shown(figures, ["group", "value"])[["group", "value", "lower", "upper"]]
    base = alt.Chart(data)
    bars = base.mark_bar(color=NHS_BLUE).encode(
        x=alt.X("value:Q", title=unit), y=_group_axis(data, group_title)
    )
    intervals = base.transform_filter("isValid(datum.lower) && isValid(datum.upper)").mark_rule(
        color=NHS_BLACK, strokeWidth=2
    ).encode(x="lower:Q", x2="upper:Q", y=_group_axis(data, group_title))
    layers = [bars, intervals]
    reference = data.loc[data["group"] == reference_group, "value"]
    if reference_group is not None and len(reference):
        line = pd.DataFrame({"reference": [float(reference.iloc[0])]})
        layers.append(
            alt.Chart(line).mark_rule(color=NHS_DARK_GREY, strokeDash=[6, 4], strokeWidth=2)
            .encode(x="reference:Q")
        )
    return _finish(alt.layer(*layers), title, description, _ROW_HEIGHT * max(len(data), 2))


def ratio_chart(
    figures: pd.DataFrame,
    *,
    title: str,
    description: str,
    reference_group: str,
    group_title: str,
) -> dict[str, Any]:
    """Each group's ratio to the reference group with its 95% interval, on a log scale
    (so 0.5 and 2 sit the same distance from 1), with a line at 1 (no difference).

    ``figures``: shown figures with ``group``, ``ratio``, ``ratio_lower``, ``ratio_upper``.
    The reference group's own row and rows with no interval are left out.
    """
    data = _shown(figures, ["group", "ratio", "ratio_lower", "ratio_upper"])
    data = data.loc[(data["group"] != reference_group) & (data["ratio_lower"] > 0)]
    data = data[["group", "ratio", "ratio_lower", "ratio_upper"]].reset_index(drop=True)
    x_scale = alt.Scale(type="log")
    x_title = f"Ratio to {reference_group} (log scale)"
    base = alt.Chart(data)
    intervals = base.mark_rule(color=NHS_BLACK, strokeWidth=2).encode(
        x=alt.X("ratio_lower:Q", scale=x_scale, title=x_title),
        x2="ratio_upper:Q",
        y=_group_axis(data, group_title),
    )
    points = base.mark_point(color=NHS_BLUE, filled=True, size=90, shape="diamond").encode(
        x=alt.X("ratio:Q", scale=x_scale), y=_group_axis(data, group_title)
    )
    one = alt.Chart(pd.DataFrame({"no_difference": [1.0]})).mark_rule(
        color=NHS_DARK_GREY, strokeDash=[6, 4], strokeWidth=2
    ).encode(x=alt.X("no_difference:Q", scale=x_scale))
    return _finish(alt.layer(intervals, points, one), title, description,
                   _ROW_HEIGHT * max(len(data), 2))


def spc_points(series: pd.DataFrame, improvement_direction: str) -> pd.DataFrame:
    """An XmR chart's points for a monthly series (``date``, ``value``) with the Making
    Data Count rules (:func:`pcref.stats.spc.spc`, NHSRplotthedots defaults).

    ``improvement_direction`` is the metric's: "increase", "decrease", or "neither" /
    "neutral" (special causes are then neither better nor worse). Adds the point's words
    (``point_label``) for the legend and the table.
    """
    direction = "neutral" if improvement_direction in ("neither", "neutral") else (
        improvement_direction
    )
    points = spc(series, value="value", date="date", improvement_direction=direction)
    points = points.reset_index(drop=True)
    points["point_label"] = [POINT_TYPES[t][0] for t in points["point_type"]]
    return points


def spc_chart(
    points: pd.DataFrame, *, title: str, description: str, unit: str, time_title: str = "Month"
) -> dict[str, Any]:
    """XmR chart: the monthly values joined by a line, each point coloured and shaped by
    its Making Data Count type, with the mean (solid) and process limits (dashed).

    ``points``: the output of :func:`spc_points`.
    """
    data = points[["date", "value", "mean", "lpl", "upl", "point_label"]].copy()
    data["date"] = pd.to_datetime(data["date"]).dt.strftime("%Y-%m-%d")
    labels = [POINT_TYPES[k][0] for k in POINT_TYPES]
    colours = [POINT_TYPES[k][1] for k in POINT_TYPES]
    shapes = [POINT_TYPES[k][2] for k in POINT_TYPES]
    present = [i for i, label in enumerate(labels) if label in set(data["point_label"])]
    x = alt.X("date:T", title=time_title, axis=alt.Axis(format="%b %Y", labelAngle=-45))
    base = alt.Chart(data)
    line = base.mark_line(color=NHS_MID_GREY, strokeWidth=1.5).encode(
        x=x, y=alt.Y("value:Q", title=unit, scale=alt.Scale(zero=False))
    )
    mean = base.mark_line(color=NHS_BLACK, strokeWidth=1.5).encode(x=x, y="mean:Q")
    upper = base.mark_line(color=NHS_DARK_GREY, strokeDash=[6, 4]).encode(x=x, y="upl:Q")
    lower = base.mark_line(color=NHS_DARK_GREY, strokeDash=[6, 4]).encode(x=x, y="lpl:Q")
    dots = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=x,
        y="value:Q",
        color=alt.Color(
            "point_label:N",
            title="Variation",
            scale=alt.Scale(domain=[labels[i] for i in present],
                            range=[colours[i] for i in present]),
        ),
        shape=alt.Shape(
            "point_label:N",
            title="Variation",
            scale=alt.Scale(domain=[labels[i] for i in present],
                            range=[shapes[i] for i in present]),
        ),
    )
    return _finish(alt.layer(line, mean, upper, lower, dots), title, description)


#: Funnel-plot line names (long-form ``lines`` frames) → what the legend calls them.
FUNNEL_LINES = {
    "baseline": "Average",
    "lower_2s_limit": "95% limits",
    "upper_2s_limit": "95% limits",
    "lower_3s_limit": "99.8% limits",
    "upper_3s_limit": "99.8% limits",
}


def funnel_chart(
    units: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    title: str,
    description: str,
    unit: str,
    size_title: str,
) -> dict[str, Any]:
    """Funnel plot: each team as a point (its size across, its value up), coloured and
    shaped by where it falls against the 95% and 99.8% limits, with the limits and the
    overall average as lines.

    ``units``: ``group``, ``size``, ``value``, ``significance`` (pcref.stats.funnel labels).
    ``lines``: long form, one row per point of a line: ``line`` (a key of
    :data:`FUNNEL_LINES`), ``size`` and ``limit`` on the value's scale.
    """
    points = _shown(units, ["group", "size", "value", "significance"])
    points = points[["group", "size", "value", "significance"]].copy()
    points["where"] = [FUNNEL_SIGNIFICANCE[s][0] for s in points["significance"]]
    lines = lines.loc[lines["limit"].map(lambda v: v is not None and math.isfinite(v))]
    lines = lines.assign(limits=lines["line"].map(FUNNEL_LINES))[["line", "limits", "size",
                                                                  "limit"]]
    x = alt.X("size:Q", title=size_title)
    limit_lines = alt.Chart(lines).mark_line(strokeWidth=1.5, color=NHS_DARK_GREY).encode(
        x=x,
        y=alt.Y("limit:Q", title=unit),
        detail="line:N",
        strokeDash=alt.StrokeDash(
            "limits:N",
            title="Lines",
            scale=alt.Scale(domain=["Average", "95% limits", "99.8% limits"],
                            range=[[1, 0], [6, 4], [2, 2]]),
        ),
    )
    order = [v for v in FUNNEL_SIGNIFICANCE.values() if v[0] in set(points["where"])]
    dots = alt.Chart(points).mark_point(filled=True, size=70, opacity=1).encode(
        x=x,
        y="value:Q",
        color=alt.Color("where:N", title="Team",
                        scale=alt.Scale(domain=[o[0] for o in order],
                                        range=[o[1] for o in order])),
        shape=alt.Shape("where:N", title="Team",
                        scale=alt.Scale(domain=[o[0] for o in order],
                                        range=[o[2] for o in order])),
    )
    return _finish(alt.layer(limit_lines, dots), title, description)


def chart_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data row in a specification (inline ``datasets`` and ``data.values``): what a
    chart carries, for tests and checks that nothing withheld is in it."""
    rows: list[dict[str, Any]] = []
    for dataset in spec.get("datasets", {}).values():
        rows.extend(dataset)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            values = node.get("data", {}).get("values") if isinstance(node.get("data"),
                                                                       dict) else None
            if isinstance(values, list):
                rows.extend(values)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return rows
