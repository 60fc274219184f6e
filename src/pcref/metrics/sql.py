"""Run one catalogue metric's SQL against a warehouse: its preparation relations, its unit rows.

Everything runs through a :class:`~pcref.metrics.backend.Backend`; the functions also accept a
DuckDB connection (wrapped in a :class:`~pcref.metrics.backend.DuckDBBackend`), which is what
each metric's own test passes.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from pcref.metrics import prepare
from pcref.metrics.backend import Backend, as_backend
from pcref.metrics.catalogue import Metric

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


class MetricSQLError(ValueError):
    """A metric's SELECT does not return what the catalogue format asks for."""


def build_prep(
    target: Backend | duckdb.DuckDBPyConnection,
    relation: str,
    period_start: dt.date,
    period_end: dt.date,
) -> None:
    """Materialise a preparation relation (and what it reads) as a temporary relation."""
    prepare.build(as_backend(target), relation, period_start, period_end)


def period_params(period_start: dt.date, period_end: dt.date) -> dict[str, dt.date]:
    """The values of ``$period_start`` and ``$period_end`` (both inclusive)."""
    return {"period_start": period_start, "period_end": period_end}


def materialise_unit_rows(
    backend: Backend,
    metric: Metric,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
) -> dict[str, str]:
    """Run the metric's SELECT into the temporary relation ``name``; return its columns.

    The preparation relations it ``requires`` must already be built for the same period.
    Raises :class:`MetricSQLError` if the columns are not the unit-row columns.
    """
    backend.materialise(name, metric.sql, period_params(period_start, period_end))
    columns = backend.columns(name)
    check_unit_columns(metric, list(columns))
    return columns


def check_unit_columns(metric: Metric, columns: list[str]) -> None:
    """Raise :class:`MetricSQLError` unless ``columns`` are valid unit-row columns."""
    missing = [c for c in REQUIRED_UNIT_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in UNIT_COLUMNS]
    if missing or extra:
        raise MetricSQLError(
            f"metric {metric.id}: its SELECT must return {', '.join(REQUIRED_UNIT_COLUMNS)} and "
            f"may return {', '.join(UNIT_COLUMNS[3:])}; missing {missing}, unexpected {extra}"
        )


def unit_rows(
    target: Backend | duckdb.DuckDBPyConnection,
    metric: Metric,
    period_start: dt.date,
    period_end: dt.date,
) -> pd.DataFrame:
    """The metric's unit rows for the period, checked against the unit-row columns."""
    backend = as_backend(target)
    for relation in metric.requires:
        prepare.build(backend, relation, period_start, period_end)
    frame = backend.query(metric.sql, period_params(period_start, period_end))
    check_unit_columns(metric, list(frame.columns))
    return frame


def tables_read(sql: str) -> frozenset[str]:
    """Names of the tables a SELECT reads (its CTE names excluded), as written in the SQL."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    return frozenset(
        table.name for table in tree.find_all(exp.Table)
        if table.name and table.name.lower() not in ctes
    )
