"""The metric engine on Apache Spark gives DuckDB's results (``pcref.metrics.spark``).

The parity test synthesises a small trust (``pcref synth``, 3,000 people, fixed seed), ingests
it with the demo key, computes the whole catalogue for 2024-25 on DuckDB and on a local Spark
session, and requires the same result rows: the same keys in the same order, identical counts,
values, limits and ratios equal to a relative 1e-9, and the same significance, suppression,
status and display values — before disclosure control and in both published views.

Smaller tests pin down what the backend promises on its own: every statement transpiles, times
stored as text behave as DuckDB's TIME, results come back with DuckDB's dtypes, overflow is an
error on both engines, and the content fingerprint ignores row order.

Spark needs PySpark (the ``spark`` extra) and Java. Without them these tests are skipped with
the reason, except when ``PCREF_REQUIRE_SPARK=1`` (set by ``.ci/run``, whose test command
installs the extra and a Java runtime): then they fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot
from typer.testing import CliRunner

from pcref.cli import app
from pcref.ingest.pipeline import ingest
from pcref.ingest.pseudonymise import demo_key
from pcref.metrics import aggregate, attributes, engine, population, prepare
from pcref.metrics import spark as spark_engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.periods import parse_periods
from pcref.results import read_run
from pcref.synth.generate import generate

YEAR = parse_periods("2024-25")
RTOL = 1e-9


# -- transpiling (no Spark needed) -----------------------------------------------------------


def _engine_statements() -> dict[str, str]:
    """Every kind of SQL the engine itself writes, in representative shapes."""
    statements = {
        "person attributes": attributes.person_attributes_sql(),
        "population cells": population.population_cells_sql(65),
        "split areas": population.SPLIT_AREAS_SQL,
        "prevalence": population.PREVALENCE_SQL,
        "unit checks": aggregate.unit_checks_sql(
            YEAR[0], has_statistic=True, has_denominator=True, has_observation=True),
        "statistics": aggregate.statistics_sql(),
    }
    columns = ["ethnicity_5", "ethnicity_16", "sex", "age_band", "imd_quintile", "locality",
               "team", "ward", "month", "quarter"]
    statements["stage one"] = aggregate.unit_counts_sql(
        columns, has_statistic=True, has_denominator=True, median=True)
    statements["stage two"] = aggregate.counts_sql(
        [(), ("ethnicity_5",), ("ethnicity_5", "sex"), ("team",), ("ward",), ("month",)],
        has_denominator=True, median=True, team_lookup=True, ward_lookup=True)
    return statements


def _all_statements() -> dict[str, str]:
    found = {f"metric {m.id}": m.sql for m in load_catalogue().values()}
    found.update({f"preparation {r}": prepare.sql_text(r) for r in prepare.relations()})
    found.update(_engine_statements())
    return found


@pytest.mark.parametrize("name", sorted(_all_statements()))
def test_every_statement_transpiles_to_spark_sql(name):
    sql = _all_statements()[name]
    spark_sql = spark_engine.to_spark_sql(sql)
    sqlglot.parse_one(spark_sql, read="spark")  # well-formed Spark SQL
    assert "$" not in spark_sql
    for parameter in ("period_start", "period_end"):
        assert (f":{parameter}" in spark_sql) == (parameter in _code_without_comments(sql))


def _code_without_comments(sql: str) -> str:
    return "\n".join(line.split("--")[0] for line in sql.splitlines())


def test_time_casts_become_text_as_times_are_stored():
    # SQLGlot alone writes TIMESTAMP, a different value from the 'HH:MM:SS' text Spark holds.
    assert "AS TIMESTAMP" in sqlglot.transpile("SELECT CAST(t AS TIME) FROM x", read="duckdb",
                                               write="spark")[0]
    spark_sql = spark_engine.to_spark_sql("SELECT CAST(NULL AS TIME) AS t, CAST(x AS DATE) AS d")
    assert spark_sql == "SELECT CAST(NULL AS STRING) AS t, CAST(x AS DATE) AS d"


def test_untranspilable_sql_is_a_clear_error():
    with pytest.raises(spark_engine.SparkTranspileError, match="expected one SQL statement"):
        spark_engine.to_spark_sql("SELECT 1; SELECT 2")
    with pytest.raises(spark_engine.SparkTranspileError, match="cannot transpile"):
        spark_engine.to_spark_sql("SELECT FROM WHERE (")


def test_without_java_the_engine_stops_with_a_clear_error(monkeypatch, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    monkeypatch.setattr(spark_engine, "_java_executable", lambda: None)
    assert "no Java runtime" in spark_engine.unavailable_reason()
    with pytest.raises(engine.EngineError, match="no Java runtime found"):
        engine.open_backend(warehouse, "spark")
    with pytest.raises(engine.EngineError, match="does not exist"):
        engine.open_backend(tmp_path / "absent.duckdb", "spark")


def test_the_engine_option_says_what_happens_without_spark():
    import typer.main

    (option,) = [p for p in typer.main.get_command(app).commands["compute"].params
                 if p.name == "engine"]
    assert "when available" not in option.help
    assert "Java 17" in option.help and "exit code 2" in option.help


# -- a Spark session for the module ----------------------------------------------------------


@pytest.fixture(scope="module")
def spark():
    reason = spark_engine.unavailable_reason()
    if reason:
        message = (f"Spark cannot run here: {reason}. CI installs the spark extra "
                   "(scripts/test) and a Java runtime (.ci/run), and these tests run there.")
        if os.environ.get("PCREF_REQUIRE_SPARK") == "1":
            pytest.fail(message)
        pytest.skip(message)
    session = spark_engine.local_session()
    yield session
    session.stop()


# -- the backend on a hand-built warehouse ---------------------------------------------------


@pytest.fixture
def small_warehouse():
    """Times (with a fraction and missing ones), dates, codes and counts, in DuckDB types."""
    con = duckdb.connect()
    con.execute("""
        CREATE TABLE restraint (
            id VARCHAR, start_date DATE, start_time TIME, end_date DATE, end_time TIME,
            code VARCHAR, minutes INTEGER, weight DOUBLE)
    """)
    con.execute("""
        INSERT INTO restraint VALUES
        ('a', '2024-04-01', '23:50:00', '2024-04-02', '00:10:30', '01', 20, 1.5),
        ('b', '2024-04-01', '09:05:07.25', '2024-04-01', '09:05:07.5', '07', 0, 0.25),
        ('c', '2024-06-30', NULL, '2024-06-30', '10:00:00', '01', NULL, NULL),
        ('d', '2025-03-31', '10:00:00', NULL, NULL, NULL, 7, 2.0),
        ('e', '2024-03-31', '00:00:00', '2024-03-31', '23:59:59', '13', 3, 1.0)
    """)
    yield con
    con.close()


@pytest.fixture
def both(spark, small_warehouse):
    backend = spark_engine.SparkBackend(spark)
    backend.load_duckdb(small_warehouse)
    yield DuckDBBackend(small_warehouse), backend
    backend.close()


def test_times_stored_as_text_behave_as_duckdb_times(both):
    sql = """
        SELECT
            id,
            HOUR(start_time) * 3600 + MINUTE(start_time) * 60 + SECOND(start_time) AS start_second,
            date_diff('day', start_date, end_date) * 86400
                + HOUR(end_time) * 3600 + MINUTE(end_time) * 60 + SECOND(end_time)
                - HOUR(start_time) * 3600 - MINUTE(start_time) * 60 - SECOND(start_time)
                AS seconds,
            start_time < end_time AS ends_later_in_the_day,
            start_time = CAST('10:00:00' AS TIME) AS at_ten,
            ROW_NUMBER() OVER (ORDER BY start_time, id) AS by_time,
            ROW_NUMBER() OVER (ORDER BY end_time DESC, id) AS by_end_descending
        FROM restraint
        ORDER BY id
    """
    on_duckdb, on_spark = (b.query(sql) for b in both)
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False)
    # The times are those written (the fraction too), missing ones last in ascending order.
    assert on_spark["start_second"].tolist()[:2] == [23 * 3600 + 50 * 60, 9 * 3600 + 5 * 60 + 7]
    assert on_spark.set_index("id")["by_time"].to_dict() == {"e": 1, "b": 2, "d": 3, "a": 4,
                                                            "c": 5}


def test_parameters_are_bound_and_results_have_duckdb_dtypes(both):
    sql = """
        SELECT code, COUNT(*) AS restraints, SUM(CAST(minutes AS DECIMAL(38, 6))) AS minutes,
               MIN(start_date) AS first_day, MAX(weight) AS heaviest, MAX(id) AS last_id,
               BOOL_OR(end_date IS NULL) AS open
        FROM restraint
        WHERE start_date BETWEEN $period_start AND $period_end
        GROUP BY code
        ORDER BY code NULLS FIRST
    """
    params = {"period_start": YEAR[0].start, "period_end": YEAR[0].end, "unused": 1}
    on_duckdb, on_spark = (b.query(sql, params) for b in both)
    pd.testing.assert_frame_equal(on_spark, on_duckdb)  # dtypes included
    assert on_spark["code"].isna().tolist() == [True, False, False]
    assert on_spark["restraints"].tolist() == [1, 2, 1]  # 'e' is before the period
    with pytest.raises(KeyError, match="period_end"):
        both[1].query(sql, {"period_start": YEAR[0].start})


def test_periods_are_bound_as_dates(both):
    _, backend = both
    frame = backend.query("SELECT CAST($day AS DATE) + INTERVAL 1 DAY AS next_day",
                          {"day": dt.date(2024, 2, 28)})
    assert frame["next_day"].iloc[0] == pd.Timestamp("2024-02-29")


def test_overflow_and_impossible_casts_are_errors_on_both(both):
    for sql in ("SELECT CAST(2147483647 AS INTEGER) + minutes AS too_big FROM restraint",
                "SELECT CAST(code || 'x' AS INTEGER) AS not_a_number FROM restraint"):
        for backend in both:
            with pytest.raises(backend.errors):
                backend.query(sql)


def test_relations_are_materialised_listed_described_and_dropped(both):
    _, backend = both
    assert backend.has_table("RESTRAINT") and backend.tables()["restraint"] == "restraint"
    backend.materialise("Long_Restraints", "SELECT id, start_date, minutes FROM restraint "
                        "WHERE minutes > $floor", {"floor": 5})
    assert backend.tables()["long_restraints"] == "Long_Restraints"
    assert backend.columns("long_restraints") == {"id": "STRING", "start_date": "DATE",
                                                   "minutes": "INT"}
    assert backend.query("SELECT id FROM long_restraints ORDER BY id")["id"].tolist() == ["a",
                                                                                          "d"]
    backend.register("pcref_codes", pd.DataFrame({"code": ["01", "07"], "n": [1, 2]}))
    joined = backend.query("SELECT r.id, c.n FROM restraint AS r "
                           "INNER JOIN pcref_codes AS c ON c.code = r.code ORDER BY r.id")
    assert joined.to_dict("list") == {"id": ["a", "b", "c"], "n": [1, 2, 1]}
    backend.add_table("ward", backend.session.createDataFrame([("W1", "Ash")], "WardCode string,"
                                                              " WardName string"))
    assert backend.query("SELECT WardName FROM ward")["WardName"].tolist() == ["Ash"]
    backend.drop("long_restraints")
    backend.drop("long_restraints")  # no error when absent
    assert not backend.has_table("long_restraints")
    assert backend.columns("long_restraints") == {}


def test_content_fingerprint_ignores_row_order_and_sees_changes(spark):
    def fingerprint(rows: str) -> str:
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t AS SELECT * FROM (VALUES {rows}) AS v(id, day)")
        backend = spark_engine.SparkBackend(spark)
        try:
            backend.load_duckdb(con)
            return backend.content_fingerprint(["t"])
        finally:
            backend.close()
            con.close()

    one = fingerprint("('a', DATE '2024-04-01'), ('b', DATE '2024-05-01')")
    assert fingerprint("('b', DATE '2024-05-01'), ('a', DATE '2024-04-01')") == one
    assert fingerprint("('a', DATE '2024-04-01'), ('b', DATE '2024-05-02')") != one


def test_open_refuses_a_missing_or_foreign_file(spark, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        spark_engine.SparkBackend.open(tmp_path / "absent.duckdb", session=spark)
    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("not a database")
    with pytest.raises(ValueError, match="cannot be opened as DuckDB"):
        spark_engine.SparkBackend.open(foreign, session=spark)


# -- parity on a synthetic trust -------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark_parity")
    generate(folder / "extract", scale="trust", seed=3, people=3000)
    ingest(folder / "extract", folder / "warehouse.duckdb", demo_key())
    return folder / "warehouse.duckdb"


@pytest.fixture(scope="module")
def runs(spark, synthetic_warehouse):
    duck = DuckDBBackend.open(synthetic_warehouse)
    try:
        on_duckdb = engine.compute(duck, YEAR)
    finally:
        duck.close()
    started = time.perf_counter()
    backend = spark_engine.SparkBackend.open(synthetic_warehouse, session=spark)
    try:
        on_spark = engine.compute(backend, YEAR)
    finally:
        backend.close()
    seconds = time.perf_counter() - started
    print(f"\nSpark: whole catalogue on {synthetic_warehouse.name} (3,000 people) in "
          f"{seconds:.1f} s, loading the warehouse included")
    return on_duckdb, on_spark


@pytest.mark.slow
def test_every_metric_computes_on_spark_as_on_duckdb(runs):
    on_duckdb, on_spark = runs
    assert on_spark.record["engine"] == "spark" and on_duckdb.record["engine"] == "duckdb"
    # The same ingest run; its finishing time is the same instant, written by each engine's
    # own timestamp-to-text cast (DuckDB adds the "+00" offset, Spark writes UTC without one).
    spark_input, duckdb_input = dict(on_spark.record["input"]), dict(on_duckdb.record["input"])
    finished = [pd.Timestamp(i.pop("ingest_finished_at")) for i in (spark_input, duckdb_input)]
    assert spark_input == duckdb_input and spark_input["source"] == "ingest_run"
    assert finished[0].tz_localize("UTC") == finished[1]
    failed = {m: r.get("reason") for m, r in on_spark.record["metrics"].items()
              if r["status"] != "computed"}
    assert not failed
    for metric_id, record in on_duckdb.record["metrics"].items():
        assert record["status"] == "computed", (metric_id, record.get("reason"))
        spark_record = on_spark.record["metrics"][metric_id]
        assert spark_record["unit_rows"] == record["unit_rows"], metric_id
        assert spark_record["rows"] == record["rows"], metric_id
    assert on_spark.record["warnings"] == on_duckdb.record["warnings"]


@pytest.mark.slow
def test_the_sample_exercises_every_metric(runs):
    # Parity of empty results would prove nothing: every metric has events in the sample.
    on_duckdb, _ = runs
    exact = on_duckdb.exact
    totals = exact[exact["breakdown"] == "total"].groupby("metric_id")["numerator"].sum()
    assert set(totals.index) == set(load_catalogue())
    assert (totals > 0).all(), totals[totals <= 0]
    assert len(exact) > 4000


@pytest.mark.slow
@pytest.mark.parametrize("view", ["exact", "internal", "public"])
def test_result_rows_are_identical(runs, view):
    on_duckdb, on_spark = runs
    expected, got = getattr(on_duckdb, view), getattr(on_spark, view)
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    keys = ["metric_id", "period", "statistic", "breakdown", "group", "subgroup"]
    for column in expected.columns:
        if column == "run_id":  # derived from the parameters, which name the engine
            continue
        left, right = got[column], expected[column]
        if pd.api.types.is_float_dtype(right):
            same = np.isclose(left.to_numpy(dtype="float64"), right.to_numpy(dtype="float64"),
                              rtol=RTOL, atol=0.0, equal_nan=True)
        else:  # counts, labels, flags: identical, missing where missing
            same = _identical(left, right)
        if not same.all():
            first = np.flatnonzero(~same)[:5]
            detail = got.iloc[first][keys].assign(spark=left.iloc[first].to_numpy(),
                                                  duckdb=right.iloc[first].to_numpy())
            pytest.fail(f"{view}: column {column} differs in {int((~same).sum())} row(s):\n"
                        f"{detail.to_string()}")


def _identical(left: pd.Series, right: pd.Series) -> np.ndarray:
    missing_left, missing_right = left.isna().to_numpy(), right.isna().to_numpy()
    equal = [
        not (gap_left or gap_right) and bool(a == b)
        for a, b, gap_left, gap_right in zip(left.to_numpy(dtype=object),
                                             right.to_numpy(dtype=object),
                                             missing_left, missing_right, strict=True)
    ]
    return (missing_left & missing_right) | np.array(equal, dtype=bool)


@pytest.mark.slow
def test_cli_computes_on_spark(spark, synthetic_warehouse, tmp_path):
    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["compute", "--warehouse", str(synthetic_warehouse),
                                      "--period", "2024-25", "--metrics",
                                      "access_people_in_contact",
                                      "--engine", "spark", "--out", str(out)])
    assert result.exit_code == 0, result.output
    run = read_run(out)
    assert run["engine"] == "spark" and run["parameters"]["engine"] == "spark"
    assert run["metrics"]["access_people_in_contact"]["status"] == "computed"
    assert json.loads((out / "run.json").read_text())["rows"]["internal"] > 0
    # The session the test module started is still running (the CLI did not stop it).
    assert spark.sql("SELECT 1 AS one").collect()[0]["one"] == 1


@pytest.mark.slow
def test_several_periods_on_spark_are_each_period_alone(spark, synthetic_warehouse):
    # mha_detentions and mha_repeat_detentions read preparation relations that depend on the
    # period only through mha_episodes_in_period: each year must have its own rows.
    metrics = ["mha_detentions", "mha_repeat_detentions"]
    two_years = parse_periods("2023-24,2024-25")
    backend = spark_engine.SparkBackend.open(synthetic_warehouse, session=spark)
    try:
        on_spark = engine.compute(backend, two_years, metrics)
    finally:
        backend.close()
    assert not on_spark.failed, {m: on_spark.record["metrics"][m]["reason"]
                                 for m in on_spark.failed}
    duck = DuckDBBackend.open(synthetic_warehouse)
    try:
        alone = [engine.compute(duck, (period,), metrics) for period in two_years]
    finally:
        duck.close()
    for metric_id in metrics:
        assert on_spark.record["metrics"][metric_id]["unit_rows"] == {
            **alone[0].record["metrics"][metric_id]["unit_rows"],
            **alone[1].record["metrics"][metric_id]["unit_rows"],
        }
    exact = on_spark.exact.drop(columns="run_id")
    for metric_id in metrics:
        expected = pd.concat([a.exact[a.exact["metric_id"] == metric_id] for a in alone],
                             ignore_index=True).drop(columns="run_id")
        got = exact[exact["metric_id"] == metric_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=RTOL)
