"""Fixtures for metric tests: an in-memory warehouse with every contract table, empty and typed."""

from collections.abc import Callable

import duckdb
import pandas as pd
import pytest

from pcref.contract import load_contract


@pytest.fixture
def warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB warehouse holding every contract table, empty, with warehouse types."""
    con = duckdb.connect()
    for table in load_contract().tables.values():
        columns = ", ".join(f'"{c}" {t}' for c, t in table.warehouse_columns.items())
        con.execute(f'CREATE TABLE "{table.name}" ({columns})')
    yield con
    con.close()


@pytest.fixture
def insert(warehouse) -> Callable[[str, list[dict]], None]:
    """Insert rows (dicts of column → value; absent columns are NULL) into a warehouse table."""

    def _insert(table: str, rows: list[dict]) -> None:
        columns = load_contract()[table].warehouse_columns
        unknown = {c for row in rows for c in row} - set(columns)
        if unknown:
            raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
        frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], dtype=object)
        warehouse.register("rows_to_insert", frame)
        select = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
        warehouse.execute(f'INSERT INTO "{table}" SELECT {select} FROM rows_to_insert')
        warehouse.unregister("rows_to_insert")

    return _insert
