"""Static SVG for the board report: a small XmR chart per ethnic group and the Making Data
Count variation icons, drawn here because the PDF is made by WeasyPrint, which cannot run
Vega-Lite's JavaScript (and vl-convert is not installed). The same markup goes into the
staff page, so the page and the PDF show identical charts.

Everything is presentation attributes, never ``style=""`` (the site's CSP forbids inline
styles). Colours and shapes follow :data:`pcref.web.dashboard.charts.POINT_TYPES`, so a
point looks the same as on the interactive charts; every chart has a ``<title>`` and
``<desc>`` and sits beside a table or sentence giving the same facts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from pcref.web.dashboard.charts import (
    CONCERN_ORANGE,
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_PURPLE,
    POINT_TYPES,
)

#: Variation icons (pcref.stats.spc.variation_icon) → (words, colour, letter on the icon).
#: "H"/"L" say whether the signal is of high or low values, as on the MDC icons.
VARIATION_ICONS: dict[str, tuple[str, str, str]] = {
    "common_cause": ("Common cause variation: no signal", NHS_MID_GREY, "~"),
    "special_cause_improvement_high": ("Special cause: improvement, higher values",
                                       NHS_BLUE, "H"),
    "special_cause_improvement_low": ("Special cause: improvement, lower values",
                                      NHS_BLUE, "L"),
    "special_cause_concern_high": ("Special cause: concern, higher values",
                                   CONCERN_ORANGE, "H"),
    "special_cause_concern_low": ("Special cause: concern, lower values", CONCERN_ORANGE, "L"),
    "special_cause_neutral_high": ("Special cause: higher values, neither better nor worse",
                                   NHS_PURPLE, "H"),
    "special_cause_neutral_low": ("Special cause: lower values, neither better nor worse",
                                  NHS_PURPLE, "L"),
}

FONT = "Arial, Helvetica, sans-serif"


def variation_icon_svg(icon: str) -> Markup:
    """A 28-pixel round icon for a variation icon name, with its words as the title."""
    words, colour, letter = VARIATION_ICONS[icon]
    return Markup(
        '<svg class="app-mdc-icon" width="28" height="28" viewBox="0 0 28 28" role="img" '
        f'aria-label="{escape(words)}" focusable="false">'
        f'<circle cx="14" cy="14" r="12" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
        f'<text x="14" y="19" text-anchor="middle" font-family="{FONT}" font-size="14" '
        f'font-weight="bold" fill="{colour}">{escape(letter)}</text></svg>'
    )


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 3.5
    if shape == "square":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
                f'height="{2 * r:.1f}" fill="{colour}"/>')
    if shape == "diamond":
        d = r * 1.4
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "triangle":
        d = r * 1.3
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y + d:.1f} {x - d:.1f},{y + d:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'


def _number(value: float) -> str:
    return f"{value:,.1f}"


def xmr_svg(
    labels: Sequence[str],
    values: Sequence[float],
    means: Sequence[float],
    lower_limits: Sequence[float],
    upper_limits: Sequence[float],
    point_types: Sequence[str],
    *,
    title: str,
    description: str,
    width: int = 340,
    height: int = 170,
) -> Markup:
    """An XmR chart: values joined by a grey line, the mean solid, the process limits
    dashed, each point coloured and shaped by its Making Data Count type; the first and
    last time labels under the axis and the scale's ends beside it."""
    if not values:
        raise ValueError("an XmR chart needs at least one value")
    left, right, top, bottom = 48, 10, 8, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    finite = [v for v in (*values, *means, *lower_limits, *upper_limits)
              if v is not None and math.isfinite(v)]
    low, high = min(finite), max(finite)
    if high == low:
        low, high = low - 1, high + 1
    span = high - low
    low, high = low - 0.05 * span, high + 0.05 * span

    def x(i: int) -> float:
        return left + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    def line(series: Sequence[float], colour: str, dash: str = "") -> str:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series)
                          if v is not None and math.isfinite(v))
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        return (f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="1.5"{dashing}/>')

    parts = [
        # No fixed size: the chart fills its column and keeps its proportions.
        f'<svg class="app-xmr" width="100%" viewBox="0 0 {width} {height}" role="img" '
        'focusable="false">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{NHS_BLACK}"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{NHS_BLACK}"/>',
        line(upper_limits, NHS_DARK_GREY, "5 3"),
        line(lower_limits, NHS_DARK_GREY, "5 3"),
        line(means, NHS_BLACK),
        line(values, NHS_MID_GREY),
    ]
    for i, (value, point_type) in enumerate(zip(values, point_types, strict=True)):
        _, colour, shape = POINT_TYPES.get(point_type, POINT_TYPES["common_cause"])
        parts.append(_marker(shape, x(i), y(value), colour))
    text = f'font-family="{FONT}" font-size="10" fill="{NHS_BLACK}"'
    parts += [
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {text}>{_number(high)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" {text}>'
        f"{_number(low)}</text>",
        f'<text x="{left}" y="{height - 8}" {text}>{escape(labels[0])}</text>',
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" {text}>'
        f"{escape(labels[-1])}</text>",
        "</svg>",
    ]
    return Markup("".join(parts))
