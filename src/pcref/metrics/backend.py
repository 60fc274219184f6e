"""Where the engine's SQL runs: a small interface, and its DuckDB implementation.

Every SQL statement the metric engine executes — preparation relations, a metric's SELECT,
person attributes, the aggregation by breakdown — goes through a :class:`Backend`. The SQL is
written once, in DuckDB's dialect and portably (no DuckDB-only functions), so a Spark backend
can transpile each statement with SQLGlot (``sqlglot.transpile(sql, read="duckdb",
write="spark")``) and run it on Spark tables of the same names. Only aggregates come back to
Python (:meth:`Backend.query` returns small pandas frames); unit rows stay in the engine as
temporary relations (:meth:`Backend.materialise`).

Parameters are named, written ``$name`` in the SQL (DuckDB's syntax; SQLGlot writes Spark's
``:name``), and passed as a mapping of Python values (``datetime.date`` for dates).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


def sql_parameters(sql: str) -> tuple[str, ...]:
    """Names of the ``$name`` parameters in ``sql`` (outside ``--`` comments), in order."""
    return tuple(dict.fromkeys(_PARAMETER.findall(_LINE_COMMENT.sub("", sql))))


def bind(sql: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters ``sql`` uses, taken from ``params``; a clear error if one is missing."""
    wanted = sql_parameters(sql)
    params = params or {}
    missing = [name for name in wanted if name not in params]
    if missing:
        raise KeyError(f"SQL parameter(s) ${', $'.join(missing)} not bound; given {sorted(params)}")
    return {name: params[name] for name in wanted}


class Backend(ABC):
    """An SQL engine holding the warehouse tables, as the metric engine uses it."""

    #: SQLGlot dialect name of the engine ("duckdb", "spark").
    dialect: str = "duckdb"
    #: Short name recorded in run.json.
    name: str = "duckdb"
    #: Exceptions the engine raises for bad SQL or data (a metric's failure, not a crash).
    errors: tuple[type[BaseException], ...] = ()

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run a SELECT (DuckDB dialect) and return its rows as a pandas DataFrame."""

    @abstractmethod
    def materialise(self, name: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a SELECT into a temporary table ``name``, replacing any earlier one."""

    @abstractmethod
    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make a small pandas frame (a code-list mapping) available as table ``name``."""

    @abstractmethod
    def tables(self) -> dict[str, str]:
        """Tables and temporary relations visible to the SQL: lower-cased name -> name."""

    @abstractmethod
    def columns(self, name: str) -> dict[str, str]:
        """Columns of table ``name``: name -> the engine's type name (upper case)."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Drop a temporary relation made by :meth:`materialise` (no error if absent)."""

    @abstractmethod
    def content_fingerprint(self, tables: list[str]) -> str:
        """A digest of the contents of ``tables`` (row order ignored), for warehouses without
        an ingest record. Engine-specific: the same data gives the same digest on one engine."""

    def has_table(self, name: str) -> bool:
        return name.lower() in self.tables()

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the engine's resources."""


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a warehouse file; a missing file or one DuckDB cannot open
    is an error naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"warehouse {path} does not exist or is not a file")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise ValueError(f"warehouse {path} cannot be opened as DuckDB ({message})") from None


class DuckDBBackend(Backend):
    """The embedded engine: a DuckDB connection to the warehouse file (or any connection)."""

    dialect = "duckdb"
    name = "duckdb"
    errors = (duckdb.Error,)

    def __init__(self, connection: duckdb.DuckDBPyConnection, *, owns: bool = False) -> None:
        self.connection = connection
        self._owns = owns
        self._tables: dict[str, str] | None = None

    @classmethod
    def open(cls, path: str | Path) -> DuckDBBackend:
        """Open a warehouse file read-only (temporary relations live in memory)."""
        return cls(connect_read_only(path), owns=True)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, bind(sql, params)).df()

    def materialise(self, name: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._tables = None
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS\n{sql}", bind(sql, params)
        )

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self._tables = None
        self.connection.register(f"{name}__frame", frame)
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}__frame"
        )
        self.connection.unregister(f"{name}__frame")

    def tables(self) -> dict[str, str]:
        if self._tables is not None:
            return dict(self._tables)
        rows = self.connection.execute(
            """
            SELECT table_name FROM information_schema.tables
            WHERE table_catalog = 'temp'
               OR (table_catalog = current_database() AND table_schema = current_schema())
            """
        ).fetchall()
        self._tables = {name.lower(): name for (name,) in rows}
        return dict(self._tables)

    def columns(self, name: str) -> dict[str, str]:
        rows = self.connection.execute(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE lower(table_name) = lower(?)
              AND (table_catalog = 'temp'
                   OR (table_catalog = current_database() AND table_schema = current_schema()))
            ORDER BY table_catalog = 'temp' DESC, ordinal_position
            """,
            [name],
        ).fetchall()
        columns: dict[str, str] = {}
        for column, kind in rows:
            columns.setdefault(column, kind.upper())
        return columns

    def drop(self, name: str) -> None:
        self._tables = None
        self.connection.execute(f"DROP TABLE IF EXISTS temp.main.{name}")

    def content_fingerprint(self, tables: list[str]) -> str:
        import hashlib

        digest = hashlib.sha256()
        for table in sorted(tables):
            ((count, total),) = self.connection.execute(
                f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" AS t'
            ).fetchall()
            digest.update(f"{table} {count} {total}\n".encode())
        return digest.hexdigest()

    def close(self) -> None:
        if self._owns:
            self.connection.close()


def as_backend(target: Backend | duckdb.DuckDBPyConnection) -> Backend:
    """A backend for ``target``: itself, or a DuckDB connection wrapped (not closed by us)."""
    if isinstance(target, Backend):
        return target
    if isinstance(target, duckdb.DuckDBPyConnection):
        return DuckDBBackend(target)
    raise TypeError(f"expected a Backend or a DuckDB connection, got {type(target).__name__}")
