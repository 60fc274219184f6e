"""The metric page's trend section on hand-made figures: months when the metric has them,
quarters of the financial year otherwise, and no SPC chart when a value is withheld."""

from types import SimpleNamespace

import pandas as pd
import pytest

from pcref.web.dashboard.metric_page import metric_page, period_start

METRIC = SimpleNamespace(
    metric_id="transition", title="Transition", unit="%", method="proportion",
    improvement_direction="increase", reference_group={}, sentence="", family="Young people",
)


def _rows(breakdown, labels, values):
    return pd.DataFrame([
        {"period": label[:7], "breakdown": breakdown, "group": label, "subgroup": None,
         "statistic": "proportion", "numerator": 10, "denominator": 100.0, "value": value,
         "lower": None, "upper": None, "display_value": "*" if value is None else f"{value:.1f}",
         "ratio": None, "ratio_lower": None, "ratio_upper": None, "comparator": None,
         "significance": None, "status": "rounded"}
        for label, value in zip(labels, values, strict=True)
    ])


@pytest.mark.parametrize(
    ("label", "time", "expected"),
    [
        ("2024-04", "month", pd.Timestamp(2024, 4, 1)),
        ("2024-25 Q1", "quarter", pd.Timestamp(2024, 4, 1)),
        ("2024-25 Q4", "quarter", pd.Timestamp(2025, 1, 1)),
        ("Total", "quarter", None),
        ("2024-13", "month", None),
    ],
)
def test_period_start(label, time, expected):
    assert period_start(label, time) == expected


def test_quarters_are_used_when_there_are_no_months():
    labels = [f"{y}-{str(y + 1)[2:]} Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    values = [50.0, 52.0] * 6
    figures = pd.concat([
        _rows("team", ["Team A"], [40.0]),
        _rows("quarter", list(reversed(labels)), list(reversed(values))),
    ])
    page = metric_page(METRIC, figures, period="2024-25", breakdown="team",
                       statistic="proportion")
    trend = next(s for s in page.sections if s.key == "trend")
    assert trend.heading == "Trend by quarter"
    assert [row[0] for row in trend.table.rows] == labels  # in time order
    assert trend.chart is not None
    assert "Fewer than 13 quarters: the limits are trial limits" in " ".join(trend.notes)


def test_a_withheld_month_stops_the_spc_chart_but_not_the_table():
    months = [f"2024-{m:02d}" for m in range(4, 13)]
    values = [5.0, 6.0, None, 5.5, 6.0, 5.0, 5.5, 6.0, 5.0]
    figures = pd.concat([_rows("team", ["Team A"], [40.0]), _rows("month", months, values)])
    page = metric_page(METRIC, figures, period="2024-25", breakdown="team",
                       statistic="proportion")
    trend = next(s for s in page.sections if s.key == "trend")
    assert trend.chart is None
    assert "needs a figure for every month" in trend.unavailable
    assert [row[1] for row in trend.table.rows][:3] == ["5.0", "6.0", "*"]


def test_variation_by_ethnic_group_uses_each_groups_own_series():
    """White: the hand-worked series of tests/web/conftest.py (12 months alternating 10
    and 11, then 20: limits 146/13 +/- 2.66, the last month above the upper limit, which
    is a concern when lower is better). Black: one month withheld, so not assessed."""
    months = [f"{2023 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 17)]
    white = [10.0, 11.0] * 6 + [20.0]
    black = [30.0] * 12 + [None]
    rows = []
    for group, values in (("White", white), ("Black or Black British", black)):
        part = _rows("ethnicity_5 x month", months, values)
        rows.append(part.assign(group=group, subgroup=months))
    metric = SimpleNamespace(**{**vars(METRIC), "improvement_direction": "decrease",
                                "reference_group": {"ethnicity_5": "White"}})
    figures = pd.concat([_rows("ethnicity_5", ["White"], [12.0]).assign(group="White"),
                         *rows])
    page = metric_page(metric, figures, period="2024-25", breakdown="ethnicity_5",
                       statistic="proportion")
    section = next(s for s in page.sections if s.key == "group-variation")
    assert section.table.rows == [
        ["White", "13", "11.2", "8.6 to 13.9", "20.0", "Special cause: concern", "12", "1"],
        ["Black or Black British", "13", "", "", "*",
         "Not assessed: 1 of 13 months withheld", "", ""],
    ]
    download = {r["group"]: r for r in section.download}
    assert (download["White"]["spc_mean"], download["White"]["spc_upper_limit"]) == (
        "11.2", "13.9")
    assert download["White"]["date"] == "2024-04"
