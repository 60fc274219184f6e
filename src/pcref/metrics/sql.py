"""Run one catalogue metric's SQL against a warehouse and return its unit rows."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pcref.metrics.catalogue import Metric
from pcref.metrics.prep import mha

#: The columns a metric's SELECT may return (see pcref.metrics.catalogue).
UNIT_COLUMNS = (
    "Person_ID",
    "event_date",
    "numerator",
    "denominator",
    "observation",
    "statistic",
    "team_id",
    "ward_code",
)
REQUIRED_UNIT_COLUMNS = ("Person_ID", "event_date", "numerator")


def build_prep(
    con: duckdb.DuckDBPyConnection, relation: str, period_start: dt.date, period_end: dt.date
) -> None:
    """Materialise a preparation relation (and what it reads) as a TEMP table on ``con``."""
    if relation in mha.RELATIONS:
        mha.build(con, relation, period_start, period_end)
    else:
        raise KeyError(f"no preparation relation {relation!r}")


def unit_rows(
    con: duckdb.DuckDBPyConnection, metric: Metric, period_start: dt.date, period_end: dt.date
) -> pd.DataFrame:
    """The metric's unit rows for the period, checked against the unit-row columns."""
    for relation in metric.requires:
        build_prep(con, relation, period_start, period_end)
    params = {"period_start": period_start, "period_end": period_end}
    used = {name: value for name, value in params.items() if f"${name}" in metric.sql}
    frame = con.execute(metric.sql, used).df()
    missing = [c for c in REQUIRED_UNIT_COLUMNS if c not in frame.columns]
    extra = [c for c in frame.columns if c not in UNIT_COLUMNS]
    if missing or extra:
        raise ValueError(
            f"metric {metric.id}: its SELECT must return {', '.join(REQUIRED_UNIT_COLUMNS)} and "
            f"may return {', '.join(UNIT_COLUMNS[3:])}; missing {missing}, unexpected {extra}"
        )
    return frame
