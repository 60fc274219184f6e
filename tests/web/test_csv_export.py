"""Text for CSV files (pcref.web.core.csv_export): what a spreadsheet would run is quoted
with an apostrophe, everything else is left as it was."""

from __future__ import annotations

import pytest

from pcref.web.core.csv_export import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=HYPERLINK(\"http://x.example\")", "'=HYPERLINK(\"http://x.example\")"),
        ("+44 1632 960001", "'+44 1632 960001"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Asian or Asian British", "Asian or Asian British"),
        ("rate = 3 per 1,000", "rate = 3 per 1,000"),  # only the first character matters
        ("", ""),
        (None, ""),
        (12.5, "12.5"),
    ],
)
def test_what_a_spreadsheet_would_run_is_quoted_and_nothing_else(value, written):
    assert spreadsheet_safe(value) == written
