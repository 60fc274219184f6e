"""Write the analytical warehouse atomically: typed tables, pseudonymised, plus the run record.

The warehouse is one DuckDB file holding one table per contract table, named as in the
contract, with proper types (DATE, TIME, INTEGER, DOUBLE, VARCHAR) and the contract's titles
and descriptions as table and column comments. Person identifiers are replaced by their
pseudonyms; NHS numbers are not written at all. ``ingest_run`` records every ingest that
produced this warehouse (earlier runs are carried over from the file being replaced), so any
figure can be traced to the input it came from.

Atomicity: the new warehouse is built in a hidden temporary file in the same folder and moved
over the old one with ``os.replace`` only once complete and flushed to disk. A failure at any
point removes the temporary file and leaves the previous warehouse byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pcref.contract import WAREHOUSE_TYPES, Contract, Field, Table
from pcref.ingest.pseudonymise import PseudonymisationKey
from pcref.ingest.reader import StagedTable
from pcref.ingest.sql import identifier, literal, present

RUN_TABLE = "ingest_run"
RUN_COLUMNS = {
    "run_id": "VARCHAR PRIMARY KEY",
    "started_at": "TIMESTAMPTZ NOT NULL",
    "finished_at": "TIMESTAMPTZ NOT NULL",
    "input_fingerprint": "VARCHAR NOT NULL",
    "input_files": "JSON NOT NULL",
    "row_counts": "JSON NOT NULL",
    "issue_counts": "JSON NOT NULL",
    "issues": "JSON NOT NULL",
    "contract_version": "VARCHAR NOT NULL",
    "code_version": "VARCHAR NOT NULL",
    "pseudonymisation": "VARCHAR NOT NULL",
    "key_id": "VARCHAR NOT NULL",
    "demo_key": "BOOLEAN NOT NULL",
}
PSEUDONYMISATION_METHOD = "HMAC-SHA256 (RFC 2104), first 128 bits in hex"

_NEW = "new_warehouse"
_OLD = "previous_warehouse"
_PSEUDONYMS = "person_pseudonym"


class WarehouseError(RuntimeError):
    """The warehouse cannot be written, or the target is not a warehouse we may replace."""


@dataclass(frozen=True)
class IngestRun:
    """The record of one ingest, as stored in ``ingest_run``."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    input_fingerprint: str
    input_files: list[dict[str, Any]]
    row_counts: dict[str, int]
    issue_counts: dict[str, int]
    issues: list[dict[str, Any]]
    contract_version: str
    code_version: str
    key_id: str
    demo_key: bool
    pseudonymisation: str = PSEUDONYMISATION_METHOD

    def as_row(self) -> list[Any]:
        values = {
            **self.__dict__,
            "input_files": json.dumps(self.input_files),
            "row_counts": json.dumps(self.row_counts),
            "issue_counts": json.dumps(self.issue_counts),
            "issues": json.dumps(self.issues),
        }
        return [values[column] for column in RUN_COLUMNS]


def new_run_id() -> str:
    return uuid.uuid4().hex


def stored_fields(table: Table) -> list[Field]:
    """The fields of a contract table that the warehouse keeps: those whose type has a
    warehouse type in the contract (all but NHS numbers)."""
    return [f for f in table.fields.values() if f.type in WAREHOUSE_TYPES]


def previous_runs(path: Path) -> int:
    """How many runs an existing warehouse records; refuses a file that is not a warehouse.

    Raises `WarehouseError` if ``path`` exists but is not a DuckDB file with an
    ``ingest_run`` table, so a mistyped ``--warehouse`` never replaces someone's database.
    """
    if not path.exists():
        return 0
    if not path.is_file():
        raise WarehouseError(f"{path} exists and is not a file")
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            tables = {row[0] for row in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
            if RUN_TABLE not in tables:
                raise WarehouseError(
                    f"{path} is a DuckDB database without an {RUN_TABLE} table, so not a "
                    "pcref warehouse; refusing to replace it (choose another --warehouse)")
            return connection.execute(f"SELECT count(*) FROM {RUN_TABLE}").fetchone()[0]
    except duckdb.Error as error:
        raise WarehouseError(
            f"{path} exists but cannot be opened as a DuckDB warehouse ({_first_line(error)}); "
            "refusing to replace it"
        ) from None


def write_warehouse(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    contract: Contract,
    staged: dict[str, StagedTable],
    pseudonyms: pa.Table,
    make_run: Callable[[], IngestRun],
    on_table: Callable[[str], None] | None = None,
) -> IngestRun:
    """Build the warehouse from the staged (already validated) tables and move it into place.

    ``pseudonyms`` is the mapping made by `person_pseudonyms`. ``make_run`` is called once
    the tables are written, so the run record can carry the finish time. Returns the run
    recorded.
    """
    path = Path(path)
    previous_runs(path)  # refuse early if the target is not ours to replace
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    attached = False
    try:
        connection.execute(f"ATTACH {literal(str(temporary))} AS {_NEW}")
        attached = True
        connection.register(_PSEUDONYMS, pseudonyms)
        # Row order in the warehouse carries no meaning (staging keeps file order for row
        # numbers); letting DuckDB reorder makes the parallel write faster.
        connection.execute("SET preserve_insertion_order = false")
        connection.execute("SET disabled_compression_methods = 'dict_fsst'")
        connection.execute("BEGIN TRANSACTION")  # one commit, not one per statement
        for table in contract.tables.values():
            if on_table is not None:
                on_table(table.name)
            _write_table(connection, table, staged[table.name])
        run = make_run()
        _write_runs(connection, path, run)
        connection.execute("COMMIT")
        connection.execute(f"DETACH {_NEW}")
        attached = False
        _flush(temporary)
        os.replace(temporary, path)
        _flush_directory(path.parent)
        return run
    except BaseException:
        if attached:
            with contextlib.suppress(duckdb.Error):
                connection.execute("ROLLBACK")
            with contextlib.suppress(duckdb.Error):
                connection.execute(f"DETACH {_NEW}")
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    finally:
        with contextlib.suppress(duckdb.Error):
            connection.unregister(_PSEUDONYMS)


def person_pseudonyms(
    connection: duckdb.DuckDBPyConnection,
    contract: Contract,
    staged: dict[str, StagedTable],
    key: PseudonymisationKey,
) -> pa.Table:
    """The pseudonym of each distinct person identifier, as an Arrow table (identifier,
    pseudonym) for DuckDB to join: HMAC computed once per person in Python, not per row.

    Identifiers come from the person fields no other field points through (the master patient
    index); validation has already refused any row elsewhere whose person is not there."""
    sources = [
        f"SELECT {identifier(f.name)} AS identifier FROM {staged[t.name].sql_name} "
        f"WHERE {present(identifier(f.name))}"
        for t in contract.tables.values()
        for f in t.fields.values()
        if f.type == "person_id" and f.references is None
        and f.name in staged[t.name].present_columns
    ]
    identifiers: list[str] = []
    if sources:
        identifiers = [row[0] for row in connection.execute(
            " UNION ".join(sources)).fetchall()]
    return pa.table({
        "identifier": pa.array(identifiers, type=pa.string()),
        "pseudonym": pa.array(key.pseudonyms(identifiers), type=pa.string()),
    })


def _write_table(connection: duckdb.DuckDBPyConnection, table: Table, source: StagedTable) -> None:
    target = f"{_NEW}.{identifier(table.name)}"
    select, joins = [], []
    for position, spec in enumerate(stored_fields(table)):
        value = f"s.{identifier(spec.name)}"  # staging already made blanks NULL
        if spec.type == "person_id":
            alias = f"p{position}"
            joins.append(f"LEFT JOIN {_PSEUDONYMS} AS {alias} "
                         f"ON {alias}.identifier = {value}")
            expression = f"{alias}.pseudonym"
        elif WAREHOUSE_TYPES[spec.type] == "VARCHAR":
            expression = value
        else:
            expression = f"CAST({value} AS {WAREHOUSE_TYPES[spec.type]})"
        select.append(f"{expression} AS {identifier(spec.name)}")
    columns = ", ".join(f"{identifier(f.name)} {WAREHOUSE_TYPES[f.type]}"
                        for f in stored_fields(table))
    connection.execute(f"CREATE TABLE {target} ({columns})")
    connection.execute(
        f"INSERT INTO {target} SELECT {', '.join(select)} "
        f"FROM {source.sql_name} AS s {' '.join(joins)}"
    )
    connection.execute(f"COMMENT ON TABLE {target} IS {literal(table.title)}")
    for spec in stored_fields(table):
        note = spec.description
        if spec.type == "person_id":
            note = f"Pseudonym ({PSEUDONYMISATION_METHOD} of the extract's identifier). {note}"
        connection.execute(
            f"COMMENT ON COLUMN {target}.{identifier(spec.name)} IS {literal(note)}")


def _write_runs(connection: duckdb.DuckDBPyConnection, path: Path, run: IngestRun) -> None:
    target = f"{_NEW}.{RUN_TABLE}"
    columns = ", ".join(f"{name} {kind}" for name, kind in RUN_COLUMNS.items())
    connection.execute(f"CREATE TABLE {target} ({columns})")
    connection.execute(
        f"COMMENT ON TABLE {target} IS "
        f"{literal('One row per ingest that built this warehouse, oldest first.')}")
    if path.exists():
        connection.execute(f"ATTACH {literal(str(path))} AS {_OLD} (READ_ONLY)")
        try:
            connection.execute(
                f"INSERT INTO {target} BY NAME SELECT * FROM {_OLD}.{RUN_TABLE} "
                "ORDER BY started_at")
        finally:
            connection.execute(f"DETACH {_OLD}")
    placeholders = ", ".join("?" for _ in RUN_COLUMNS)
    connection.execute(f"INSERT INTO {target} VALUES ({placeholders})", run.as_row())


def _flush(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _flush_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
