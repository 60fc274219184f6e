"""Reporting periods: NHS financial years and the months and quarters within them.

A period is written as the NHS writes a financial year, ``2024-25``: 1 April 2024 to 31 March
2025, both days inclusive. Months are labelled ``2024-04`` … ``2025-03`` and quarters of the
financial year ``2024-25 Q1`` (April–June) … ``2024-25 Q4`` (January–March), so labels sort in
time order as text and never clash between years. Several periods can be computed in one run
(``2022-23,2023-24,2024-25``), which gives trend charts 36 monthly points.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_FINANCIAL_YEAR = re.compile(r"(?P<start>\d{4})-(?P<end>\d{2})")


@dataclass(frozen=True, order=True)
class Period:
    """One financial year: its label and its first and last days (both inclusive)."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def months(self) -> tuple[str, ...]:
        """The twelve month labels of the year, April first (``2024-04`` … ``2025-03``)."""
        return tuple(month_label(self.start.year + (m + 3) // 12, (m + 3) % 12 + 1)
                     for m in range(12))

    @property
    def quarters(self) -> tuple[str, ...]:
        """The four quarter labels of the year (``2024-25 Q1`` … ``2024-25 Q4``)."""
        return tuple(f"{self.label} Q{q}" for q in range(1, 5))

    def quarter_of_month(self, month: str) -> str:
        """The quarter label of one of the year's month labels."""
        return self.quarters[self.months.index(month) // 3]

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def month_label(year: int, month: int) -> str:
    """``2024-04`` for April 2024."""
    return f"{year:04d}-{month:02d}"


def parse_period(text: str) -> Period:
    """The financial year written ``YYYY-YY`` (e.g. ``2024-25``); a clear error otherwise."""
    cleaned = text.strip()
    match = _FINANCIAL_YEAR.fullmatch(cleaned)
    if not match:
        raise ValueError(
            f"period {text!r}: expected a financial year written YYYY-YY, e.g. 2024-25 "
            "(1 April 2024 to 31 March 2025)"
        )
    first = int(match["start"])
    if int(match["end"]) != (first + 1) % 100:
        raise ValueError(
            f"period {text!r}: the second year must follow the first "
            f"(expected {first}-{(first + 1) % 100:02d})"
        )
    return Period(start=dt.date(first, 4, 1), end=dt.date(first + 1, 3, 31), label=cleaned)


def parse_periods(text: str | list[str] | tuple[str, ...]) -> tuple[Period, ...]:
    """One or more periods, comma-separated or as a list; sorted, each at most once."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    parts = [p for p in (part.strip() for part in parts) if p]
    if not parts:
        raise ValueError("no period given: expected a financial year such as 2024-25")
    periods = [parse_period(p) for p in parts]
    labels = [p.label for p in periods]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"period {repeated[0]!r} is given more than once")
    return tuple(sorted(periods))
