"""Text for CSV files people open in a spreadsheet.

Every CSV the app offers (a metric's figures, the network members list, a member's own
record) may be opened in Excel, which runs a cell that starts like a formula. Text that
came from people (names, comments) or from the catalogue must be shown, never run.
"""

from __future__ import annotations

#: What a spreadsheet takes as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """Text a spreadsheet will show rather than run: a value starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (OWASP, CSV
    injection); ``None`` is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text
