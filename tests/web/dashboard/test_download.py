"""The CSV download's rows, from a metric page built on hand-made figures (no database)."""

from types import SimpleNamespace

import pandas as pd

from pcref.web.dashboard.metric_page import DOWNLOAD_COLUMNS, download_rows, metric_page
from pcref.web.dashboard.views import spreadsheet_rows

METRIC = SimpleNamespace(
    metric_id="referrals", title="Referrals", unit="%", method="proportion",
    improvement_direction="decrease", reference_group={"ethnicity_5": "White"},
    sentence="were referred", family="Access",
)


def _row(group, numerator, denominator, display, **extra):
    value = None if display == "*" else 100 * numerator / denominator
    return {"period": "2024-25", "breakdown": "team", "group": group, "subgroup": None,
            "statistic": "proportion", "numerator": numerator, "denominator": denominator,
            "value": value, "lower": None, "upper": None, "display_value": display,
            "ratio": None, "ratio_lower": None, "ratio_upper": None, "comparator": None,
            "significance": None, "status": "rounded", **extra}


def test_download_quotes_words_a_spreadsheet_would_run_and_keeps_numbers():
    figures = pd.DataFrame([
        _row("=HYPERLINK(\"http://example.org\")", 10, 100, "10.0"),
        _row("-Team", 20, 400, "5.0"),
        _row("Withheld team", None, 50, "*", status="suppressed_small_count"),
    ])
    page = metric_page(METRIC, figures, period="2024-25", breakdown="team",
                       statistic="proportion")
    rows = spreadsheet_rows(download_rows(METRIC, page, run_id="r1",
                                          disclosure_policy="public"))
    assert all(list(r) == list(DOWNLOAD_COLUMNS) for r in rows)
    groups = [(r["table"], r["group"], r["value"], r["numerator"]) for r in rows]
    assert ("by group", "'=HYPERLINK(\"http://example.org\")", "10.0", "10") in groups
    assert ("by group", "'-Team", "5.0", "20") in groups
    assert ("by group", "Withheld team", "*", "") in groups
