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
