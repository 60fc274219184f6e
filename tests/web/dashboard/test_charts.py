"""Vega-Lite specifications of the metric page's charts: the numbers in a chart are the
figures as the table shows them, withheld figures never appear, SPC points carry the Making
Data Count colours worked out by hand, and every chart is valid, titled, described and in
colours with enough contrast."""

import altair as alt
import pandas as pd
import pytest

from pcref.web.dashboard import charts
from pcref.web.dashboard.shown import shown_frame


def _rows(*rows):
    keys = ("group", "value", "lower", "upper", "display_value", "ratio", "ratio_lower",
            "ratio_upper", "significance")
    return pd.DataFrame([dict(zip(keys, r, strict=True)) for r in rows]).assign(
        comparator="White", statistic="crude rate", numerator=50, denominator=1000.0,
        status="rounded", subgroup=None,
    )


FIGURES = _rows(
    ("White", 30.1234, 27.51, 32.87, "30.1", 1.0, None, None, "reference group"),
    ("Black or Black British", 88.1689, 63.80, 118.77, "88.2", 2.7888, 2.0437, 3.8057,
     "higher than White"),
    ("Mixed", 56.52, 36.2, 84.1, "*", None, None, None, None),  # withheld
    ("Asian or Asian British", 40.18, 26.90, 57.71, "40.2", 1.27096, 0.8745, 1.8471,
     "no clear difference from White"),
)


def _values(spec):
    return charts.chart_values(spec)


def _validate(spec):
    alt.LayerChart.from_dict(spec, validate=True)  # raises on a spec Vega-Lite rejects


def _luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_group_chart_carries_the_shown_figures_and_the_reference_line():
    spec = charts.group_chart(shown_frame(FIGURES), title="Rate", description="Bars",
                              unit="per 100,000", group_title="Ethnic group",
                              reference_group="White")
    _validate(spec)
    bars = [v for v in _values(spec) if "group" in v]
    assert bars == [
        {"group": "White", "value": 30.1, "lower": 27.5, "upper": 32.9},
        {"group": "Black or Black British", "value": 88.2, "lower": 63.8, "upper": 118.8},
        {"group": "Asian or Asian British", "value": 40.2, "lower": 26.9, "upper": 57.7},
    ]
    assert {"reference": 30.1} in _values(spec)
    assert spec["title"] == "Rate" and spec["description"] == "Bars"


def test_withheld_figures_never_appear_in_any_chart():
    shown = shown_frame(FIGURES)
    specs = [
        charts.group_chart(shown, title="t", description="d", unit="u", group_title="g",
                           reference_group="White"),
        charts.ratio_chart(shown, title="t", description="d", reference_group="White",
                           group_title="g"),
    ]
    for spec in specs:
        text = repr(spec)
        assert "Mixed" not in text
        for hidden in ("56.5", "36.2", "84.1"):
            assert hidden not in text


def test_ratio_chart_is_on_a_log_scale_with_a_line_at_one_and_the_rounded_ratios():
    spec = charts.ratio_chart(shown_frame(FIGURES), title="Ratio", description="Ratios",
                              reference_group="White", group_title="Ethnic group")
    _validate(spec)
    points = [v for v in _values(spec) if "group" in v]
    # Ratios rounded as the sentences round them (2 significant figures).
    assert points == [
        {"group": "Black or Black British", "ratio": 2.8, "ratio_lower": 2.0,
         "ratio_upper": 3.8},
        {"group": "Asian or Asian British", "ratio": 1.3, "ratio_lower": 0.87,
         "ratio_upper": 1.8},
    ]
    assert {"no_difference": 1.0} in _values(spec)
    scales = [layer["encoding"]["x"].get("scale", {}) for layer in spec["layer"]]
    assert all(scale.get("type") == "log" for scale in scales)


# Hand-worked XmR series: 12 months alternating 10 and 11, then 20. The moving range of 9
# is screened out (9 >= 3.267 x 20/12), so the mean moving range is 1 and the limits are
# 146/13 +/- 2.66 = 8.57 to 13.89. All 12 earlier points lie below the mean 11.23 (a shift);
# 20 is above the upper limit.
SERIES = pd.DataFrame({
    "date": pd.date_range("2023-04-01", periods=13, freq="MS"),
    "value": [10.0, 11.0] * 6 + [20.0],
})


@pytest.mark.parametrize(
    ("direction", "earlier", "last"),
    [
        ("decrease", "Special cause: improvement", "Special cause: concern"),
        ("increase", "Special cause: concern", "Special cause: improvement"),
        ("neither", "Special cause: neither better nor worse",
         "Special cause: neither better nor worse"),
    ],
)
def test_spc_points_match_the_hand_worked_series(direction, earlier, last):
    points = charts.spc_points(SERIES, direction)
    assert points["mean"].iloc[0] == pytest.approx(146 / 13)
    assert points["upl"].iloc[0] == pytest.approx(146 / 13 + 2.66)
    assert points["lpl"].iloc[0] == pytest.approx(146 / 13 - 2.66)
    assert list(points["point_label"]) == [earlier] * 12 + [last]


def test_spc_chart_colours_points_as_making_data_count():
    spec = charts.spc_chart(charts.spc_points(SERIES, "decrease"), title="Trend",
                            description="SPC", unit="per 100,000")
    _validate(spec)
    dots = spec["layer"][-1]["encoding"]["color"]["scale"]
    colours = dict(zip(dots["domain"], dots["range"], strict=True))
    assert colours == {"Special cause: concern": "#c65102",
                       "Special cause: improvement": "#005eb8"}
    values = [v["value"] for v in _values(spec)]
    assert values == [10.0, 11.0] * 6 + [20.0]


def test_spc_chart_common_cause_points_are_grey():
    steady = SERIES.assign(value=[10.0, 11.0, 10.5, 11.0, 10.0, 10.5, 11.0, 10.0, 10.5,
                                  11.0, 10.0, 10.5, 11.0])
    points = charts.spc_points(steady, "decrease")
    assert set(points["point_label"]) == {"Common cause"}
    spec = charts.spc_chart(points, title="t", description="d", unit="u")
    scale = spec["layer"][-1]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Common cause"], "range": ["#768692"]}


def test_funnel_chart_points_and_limit_lines():
    units = pd.DataFrame({
        "group": ["Team A", "Team B", "Team C"], "size": [400.0, 1000.0, 300.0],
        "value": [5.0, 20.0, 5.0],
        "significance": ["Low (0.001)", "High (0.001)", "Not significant"],
        "withheld": [False, False, False],
    })
    lines = pd.DataFrame({"line": ["baseline", "baseline", "upper_2s_limit"],
                          "size": [0.0, 1000.0, 500.0], "limit": [11.0, 11.0, 14.0]})
    spec = charts.funnel_chart(units, lines, title="Funnel", description="Teams", unit="%",
                               size_title="People")
    _validate(spec)
    points = [v for v in _values(spec) if "group" in v]
    assert [(p["group"], p["where"]) for p in points] == [
        ("Team A", "Below the 99.8% limit"), ("Team B", "Above the 99.8% limit"),
        ("Team C", "Within the limits"),
    ]
    assert {"line": "upper_2s_limit", "limits": "95% limits", "size": 500.0,
            "limit": 14.0} in _values(spec)


def test_chart_colours_reach_three_to_one_against_white():
    colours = {c for _, c, _ in charts.POINT_TYPES.values()}
    colours |= {c for _, c, _ in charts.FUNNEL_SIGNIFICANCE.values()}
    colours |= {charts.NHS_BLUE, charts.NHS_DARK_GREY, charts.NHS_BLACK}
    for colour in colours:
        ratio = (1.05) / (_luminance(colour) + 0.05)
        assert ratio >= 3, f"{colour} has contrast {ratio:.2f}:1 against white"


def test_chart_values_finds_inline_and_named_datasets():
    spec = {"datasets": {"a": [{"x": 1}]}, "layer": [{"data": {"values": [{"y": 2}]}}]}
    assert charts.chart_values(spec) == [{"x": 1}, {"y": 2}]
