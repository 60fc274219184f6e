"""Run the metric engine on Apache Spark: the same SQL, transpiled with SQLGlot, on PySpark.

NHS England runs the Mental Health Services Data Set on Spark; the platform's metric SQL is
written once, in DuckDB's dialect, and :class:`SparkBackend` runs every statement the engine
issues — preparation relations, a metric's SELECT, person attributes, the counting — on a Spark
session instead of DuckDB (``pcref compute --engine spark``). A parity test
(``tests/metrics/test_spark_parity.py``) runs the whole catalogue on a synthetic warehouse through
both engines and requires the same results. See ``docs/spark.md``.

How each piece of the :class:`~pcref.metrics.backend.Backend` interface is done here:

* **Warehouse tables.** Each table of the DuckDB warehouse file is exported by DuckDB to Parquet
  in a private temporary folder and read back with ``spark.read.parquet`` as a temporary view of
  the same name (Spark reads the files in parallel; nothing passes through Python). Spark has no
  time-of-day type before 4.1 (and 4.x does not enable it by default), so ``TIME`` columns become
  strings ``'HH:MM:SS'`` (with a fraction only when there is one): these compare and sort exactly
  as the times do, and Spark's ``HOUR``/``MINUTE``/``SECOND`` read them (as a time on the current
  day, which is safe because the session's time zone is UTC, without daylight saving). ``JSON``
  columns become strings.
* **SQL.** :func:`to_spark_sql` transpiles each statement with
  ``sqlglot.transpile(sql, read="duckdb", write="spark")`` (unsupported constructs are an error,
  not a warning) plus one documented transform (:func:`time_as_string`: a ``CAST(… AS TIME)``
  becomes ``CAST(… AS STRING)``, matching how times are stored). ``$name`` parameters become
  Spark's ``:name`` markers, bound with ``spark.sql(sql, args=…)``.
* **Temporary relations.** :meth:`SparkBackend.materialise` runs the SELECT and keeps the result
  with an eager ``localCheckpoint`` as a temporary view: it is computed exactly once, so a
  relation that picks one row among ties (``ROW_NUMBER``) means the same rows every time it is
  read, as a DuckDB temporary table does.
* **Results.** :meth:`SparkBackend.query` collects the (small) result as Arrow and converts it to
  pandas with DuckDB's own converter, so the frames have the dtypes DuckDB would give for the
  same column types (nullable integers, ``str`` text, ``datetime64[us]`` dates, decimals as
  ``float64``).

Session settings (:data:`SESSION_SETTINGS`) are for one small machine: ``local[2]``, four shuffle
partitions, no web UI, bound to the loopback interface, UTC, and ANSI mode, so that integer
overflow and impossible casts or dates are errors on Spark as they are on DuckDB (without ANSI
Spark would return NULL or wrap around silently). One difference remains and is documented:
division by zero gives infinity on DuckDB and an error on Spark; no catalogue or engine SQL
divides by a column.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import warnings
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from pcref.metrics.backend import Backend, bind, connect_read_only

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: The SQLGlot dialects: the engine's SQL is written in ``SOURCE_DIALECT``.
SOURCE_DIALECT = "duckdb"
TARGET_DIALECT = "spark"

#: Spark settings of a session made by :func:`local_session` (driver memory and Java options
#: are added).
SESSION_SETTINGS: dict[str, str] = {
    # Two cores, one JVM: the driver is the executor.
    "spark.master": "local[2]",
    "spark.app.name": "pcref",
    "spark.default.parallelism": "2",
    # The engine's relations are small after the first aggregation; 200 partitions (the
    # default) would mean 200 tiny tasks per shuffle. Adaptive execution merges further.
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.adaptive.enabled": "true",
    # No web UI, no progress bars, nothing listening beyond the loopback interface.
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.eventLog.enabled": "false",
    # No Hive metastore (and no derby folder): every relation is a temporary view.
    "spark.sql.catalogImplementation": "in-memory",
    # Dates and times as written: no time-zone shifts (HOUR('08:30:00') is 8 on every day).
    "spark.sql.session.timeZone": "UTC",
    # DuckDB's semantics: overflow, impossible casts and impossible dates are errors.
    "spark.sql.ansi.enabled": "true",
    # Identifiers are case-insensitive, as in DuckDB.
    "spark.sql.caseSensitive": "false",
    # DuckDB writes proleptic Gregorian dates; never shift old dates (dates of birth).
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: Memory for the driver JVM (which also runs the tasks in local mode); the environment variable
#: ``PCREF_SPARK_DRIVER_MEMORY`` overrides it.
DEFAULT_DRIVER_MEMORY = "2g"
#: Java options for the driver JVM; ``PCREF_SPARK_JAVA_OPTIONS`` overrides them. The engine sends
#: Spark many short queries, whose generated code runs a few times on small data: compiling it
#: with HotSpot's optimising C2 compiler costs more than it saves (on the parity sample it doubled
#: the JVM's CPU time), so only the quick C1 compiler is used. For long national runs on a large
#: machine, ``PCREF_SPARK_JAVA_OPTIONS=""`` restores full optimisation.
DEFAULT_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m"

#: DuckDB column types Spark cannot read from Parquet as they are, and what they are cast to.
_EXPORT_CASTS = {
    "TIME": "VARCHAR",
    "TIME WITH TIME ZONE": "VARCHAR",
    "TIMETZ": "VARCHAR",
    "JSON": "VARCHAR",
    "UUID": "VARCHAR",
    "HUGEINT": "DECIMAL(38, 0)",
    "UHUGEINT": "DECIMAL(38, 0)",
}
#: DuckDB column types with no faithful Spark equivalent: a warehouse holding one is refused.
_UNSUPPORTED = ("INTERVAL", "BIT", "UNION", "VARINT", "BIGNUM")


class SparkUnavailable(RuntimeError):
    """Spark cannot run here: PySpark is not installed or no Java runtime was found."""


class SparkTranspileError(ValueError):
    """A statement in DuckDB's dialect could not be transpiled to Spark SQL."""


def unavailable_reason() -> str | None:
    """Why Spark cannot run on this machine (no PySpark, no Java), or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return ("PySpark is not installed: install the Spark extra (uv sync --extra spark, or "
                "pip install 'pcref[spark]')")
    java = _java_executable()
    if java is None:
        return ("no Java runtime found (PySpark needs Java 17 or later): set JAVA_HOME or put "
                "java on the PATH (Debian: apt-get install default-jre-headless)")
    return None


def _java_executable() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").is_file():
        return str(Path(home, "bin", "java"))
    return shutil.which("java")


def local_session(
    *, driver_memory: str | None = None, java_options: str | None = None
) -> SparkSession:
    """A local-mode SparkSession with :data:`SESSION_SETTINGS`.

    ``driver_memory`` and ``java_options`` default to the environment variables
    ``PCREF_SPARK_DRIVER_MEMORY`` and ``PCREF_SPARK_JAVA_OPTIONS``, else
    :data:`DEFAULT_DRIVER_MEMORY` and :data:`DEFAULT_JAVA_OPTIONS`. If a session is already
    running in this process it is returned with the SQL settings applied (Spark fixes the
    master, memory and Java options when its JVM starts). Raises :class:`SparkUnavailable` when
    Spark cannot run.
    """
    reason = unavailable_reason()
    if reason:
        raise SparkUnavailable(reason)
    from pyspark.sql import SparkSession

    if driver_memory is None:
        driver_memory = os.environ.get("PCREF_SPARK_DRIVER_MEMORY", DEFAULT_DRIVER_MEMORY)
    if java_options is None:
        java_options = os.environ.get("PCREF_SPARK_JAVA_OPTIONS", DEFAULT_JAVA_OPTIONS)
    settings = {**SESSION_SETTINGS, "spark.driver.memory": driver_memory}
    if java_options.strip():
        settings["spark.driver.extraJavaOptions"] = java_options.strip()
    # Spark looks up the machine's network address unless told to stay on the loopback.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        with warnings.catch_warnings():
            # PySpark 4.x warns that it "does not yet fully support pandas >= 3"; the engine
            # only hands it Arrow tables and Parquet files, and the parity test checks results.
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                    category=FutureWarning)
            session = builder.getOrCreate()
    except Exception as error:  # the JVM failed to start: a message, not a Java stack
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise SparkUnavailable(f"the Spark session could not start ({first})") from None
    for key, value in settings.items():
        if key.startswith("spark.sql.") and key not in _STATIC_SQL_SETTINGS:
            session.conf.set(key, value)
    session.sparkContext.setLogLevel("FATAL")
    return session


#: SQL settings Spark fixes when the session starts (they cannot be set on a running one).
_STATIC_SQL_SETTINGS = ("spark.sql.catalogImplementation",)


# -- SQL -------------------------------------------------------------------------------------


def time_as_string(node: exp.Expression) -> exp.Expression:
    """``CAST(… AS TIME)`` → ``CAST(… AS STRING)``: times are stored as ``'HH:MM:SS'`` text on
    Spark (SQLGlot would write ``TIMESTAMP``, which is a different value)."""
    if isinstance(node, exp.DataType) and node.this in (
        exp.DataType.Type.TIME, exp.DataType.Type.TIMETZ
    ):
        return exp.DataType.build("STRING")
    return node


#: The transforms applied to every parsed statement before Spark SQL is written.
TRANSFORMS = (time_as_string,)


@lru_cache(maxsize=512)
def to_spark_sql(sql: str) -> str:
    """The Spark SQL for one statement in DuckDB's dialect (comments dropped).

    Raises :class:`SparkTranspileError` when SQLGlot cannot parse the statement or meets a
    construct it cannot express in Spark SQL.
    """
    try:
        statements = [s for s in sqlglot.parse(sql, read=SOURCE_DIALECT) if s is not None]
        if len(statements) != 1:
            raise SparkTranspileError(f"expected one SQL statement, got {len(statements)}")
        tree = statements[0]
        for transform in TRANSFORMS:
            tree = tree.transform(transform)
        return tree.sql(dialect=TARGET_DIALECT, unsupported_level=ErrorLevel.RAISE,
                        comments=False)
    except SqlglotError as error:
        first = str(error).strip().splitlines()[0]
        raise SparkTranspileError(f"cannot transpile to Spark SQL: {first}") from None


# -- the backend -----------------------------------------------------------------------------


class SparkBackend(Backend):
    """The metric engine's SQL on a Spark session, every relation a temporary view."""

    dialect = "spark"
    name = "spark"
    errors: tuple[type[BaseException], ...] = (SqlglotError, SparkTranspileError)

    def __init__(
        self, session: SparkSession, *, owns_session: bool = False,
        scratch: str | Path | None = None,
    ) -> None:
        from pyspark.errors import PySparkException

        self.session = session
        self.errors = (PySparkException, SqlglotError, SparkTranspileError)
        self._owns_session = owns_session
        self._scratch = Path(scratch) if scratch else Path(tempfile.mkdtemp(prefix="pcref-spark-"))
        # The private folder goes with the backend, even if close() is never called.
        self._remove_scratch = weakref.finalize(
            self, shutil.rmtree, self._scratch, ignore_errors=True
        ) if scratch is None else None
        self._relations: dict[str, str] = {}
        self._converter = duckdb.connect()

    # construction ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, warehouse: str | Path, *, session: SparkSession | None = None,
        driver_memory: str | None = None, scratch: str | Path | None = None,
    ) -> SparkBackend:
        """A backend holding every table of a DuckDB warehouse file.

        Without ``session`` the session already running in this process is used, else a local
        one is started (:func:`local_session`) and stopped by :meth:`close`; a session the
        backend did not start is left running. The tables are exported to Parquet in
        ``scratch`` (by default a private temporary folder, removed by :meth:`close`); with a
        cluster session it must be a folder every executor can read.
        """
        connection = connect_read_only(warehouse)
        try:
            owns = False
            if session is None:
                reason = unavailable_reason()
                if reason:
                    raise SparkUnavailable(reason)
                owns = not _session_running()
                session = local_session(driver_memory=driver_memory)
            backend = cls(session, owns_session=owns, scratch=scratch)
            try:
                backend.load_duckdb(connection)
            except BaseException:
                backend.close()
                raise
            return backend
        finally:
            connection.close()

    def load_duckdb(self, connection: duckdb.DuckDBPyConnection) -> list[str]:
        """Load every table of the connection's current schema; return their names."""
        names = [
            name for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema = current_schema() "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
        ]
        for name in names:
            self.load_duckdb_table(connection, name)
        return names

    def load_duckdb_table(self, connection: duckdb.DuckDBPyConnection, name: str) -> None:
        """Export one DuckDB table to Parquet and make it a view of the same name."""
        columns = connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
        if not columns:
            raise ValueError(f"table {name} is not in the warehouse")
        select = []
        for column, kind in columns:
            kind = kind.upper()
            quoted = '"' + column.replace('"', '""') + '"'
            if kind.startswith(_UNSUPPORTED):
                raise ValueError(
                    f"table {name}: column {column} has DuckDB type {kind}, which Spark cannot "
                    "read; expected the warehouse types (VARCHAR, DATE, TIME, INTEGER, DOUBLE, "
                    "BOOLEAN, TIMESTAMP)"
                )
            cast = _EXPORT_CASTS.get(kind)
            select.append(f"CAST({quoted} AS {cast}) AS {quoted}" if cast else quoted)
        target = self._scratch / "tables" / f"{_safe_file_name(name)}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        table = '"' + name.replace('"', '""') + '"'
        connection.execute(
            f"COPY (SELECT {', '.join(select)} FROM {table}) TO '{_sql_path(target)}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        self.add_table(name, self.session.read.parquet(str(target)))

    def add_table(self, name: str, frame: DataFrame) -> None:
        """Make a Spark DataFrame a warehouse table ``name`` (e.g. a national pipeline's own
        MHSDS tables). Columns as in the data contract, with times as ``'HH:MM:SS'`` text."""
        self._view(name, frame)

    # the Backend interface ------------------------------------------------------------------

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        frame = self._dataframe(sql, params)
        with _quiet_query_errors():
            return self._pandas(frame)

    def materialise(self, name: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
        frame = self._dataframe(sql, params)
        with _quiet_query_errors():
            frame = frame.localCheckpoint(eager=True)
        self._view(name, frame)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        target = self._scratch / "registered" / f"{_safe_file_name(name)}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target)
        self._view(name, self.session.read.parquet(str(target)))

    def tables(self) -> dict[str, str]:
        return dict(self._relations)

    def columns(self, name: str) -> dict[str, str]:
        if name.lower() not in self._relations:
            return {}
        schema = self.session.table(self._relations[name.lower()]).schema
        return {field.name: field.dataType.simpleString().upper() for field in schema.fields}

    def drop(self, name: str) -> None:
        known = self._relations.pop(name.lower(), None)
        if known is not None:
            self.session.catalog.dropTempView(known)

    def content_fingerprint(self, tables: list[str]) -> str:
        """SHA-256 over each table's row count and the sum of its rows' 64-bit xxHash
        (order-free). Spark's own row hash: the digest differs from DuckDB's for the same data."""
        digest = hashlib.sha256()
        for table in sorted(tables):
            row = self.session.sql(
                "SELECT COUNT(*) AS n, "
                "COALESCE(SUM(CAST(xxhash64(*) AS DECIMAL(38, 0))), 0) AS total "
                f"FROM {_spark_identifier(table)}"
            ).collect()[0]
            digest.update(f"{table} {row['n']} {row['total']}\n".encode())
        return digest.hexdigest()

    def close(self) -> None:
        for name in list(self._relations.values()):
            with suppress(Exception):  # a stopped session has nothing left to drop
                self.session.catalog.dropTempView(name)
        self._relations.clear()
        self._converter.close()
        if self._owns_session:
            self.session.stop()
        if self._remove_scratch is not None:
            self._remove_scratch()

    # helpers --------------------------------------------------------------------------------

    def _dataframe(self, sql: str, params: Mapping[str, Any] | None) -> DataFrame:
        args = bind(sql, params)
        with _quiet_query_errors():
            return self.session.sql(to_spark_sql(sql), args=args or None)

    def _view(self, name: str, frame: DataFrame) -> None:
        frame.createOrReplaceTempView(name)
        self._relations[name.lower()] = name

    def _pandas(self, frame: DataFrame) -> pd.DataFrame:
        """The rows as pandas, converted by DuckDB from Arrow (DuckDB's dtypes)."""
        table = _to_arrow(frame)
        return self._converter.from_arrow(table).df()


#: PySpark's loggers that print every failed query, with its Java stack, as it is raised.
_QUERY_ERROR_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")


@contextmanager
def _quiet_query_errors() -> Iterator[None]:
    """Silence PySpark's logging of a failed query while the backend runs one: the error is
    raised to the engine, which records it as the metric's failure (run.json, the summary)."""
    loggers = [logging.getLogger(name) for name in _QUERY_ERROR_LOGGERS]
    before = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    try:
        yield
    finally:
        for logger, disabled in zip(loggers, before, strict=True):
            logger.disabled = disabled


def _session_running() -> bool:
    """Whether this process already runs a Spark session (which a backend must not stop)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    return (SparkSession.getActiveSession() is not None
            or SparkContext._active_spark_context is not None)


def _to_arrow(frame: DataFrame) -> pa.Table:
    if hasattr(frame, "toArrow"):  # PySpark 4
        return frame.toArrow()
    from pyspark.sql.pandas.types import to_arrow_schema  # PySpark 3.5

    batches = frame._collect_as_arrow()
    if batches:
        return pa.Table.from_batches(batches)
    return to_arrow_schema(frame.schema).empty_table()


def _safe_file_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return f"{cleaned}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _spark_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"
