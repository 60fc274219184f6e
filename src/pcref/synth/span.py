"""The reporting span: consecutive NHS financial years (1 April to 31 March)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pcref.synth.config import SynthConfig
from pcref.synth.sampling import day


@dataclass(frozen=True)
class Span:
    """Financial years covered by an extract, as day numbers (days since 1970-01-01)."""

    first_year: int  # calendar year in which the first financial year starts
    years: int
    history_years: float

    @property
    def fy_start(self) -> np.ndarray:
        """First day of each financial year, plus the day after the span (length years + 1)."""
        return np.array([day(dt.date(self.first_year + i, 4, 1)) for i in range(self.years + 1)],
                        dtype=np.int64)

    @property
    def start(self) -> int:
        return int(self.fy_start[0])

    @property
    def end(self) -> int:
        """Last day of the span (31 March of the last financial year)."""
        return int(self.fy_start[-1]) - 1

    def label(self, fy: int) -> str:
        year = self.first_year + fy
        return f"{year}-{(year + 1) % 100:02d}"

    def fy_of(self, days: np.ndarray) -> np.ndarray:
        """0-based financial year of each day (-1 before the span, years after it)."""
        return np.searchsorted(self.fy_start, days, side="right") - 1

    @classmethod
    def from_config(cls, config: SynthConfig) -> Span:
        return cls(first_year=int(config.get("span.first_financial_year")),
                   years=int(config.get("span.financial_years")),
                   history_years=float(config.get("span.history_years")))
