"""The metric engine: every catalogue metric, every breakdown, every period -> a results run.

``pcref compute --warehouse W.duckdb --period 2024-25 --out RESULTS`` runs :func:`run` which,
for each selected metric and period:

1. builds the preparation relations the metric ``requires`` and runs its SELECT into a
   temporary relation of unit rows (:mod:`pcref.metrics.sql`, :mod:`pcref.metrics.prepare`);
2. checks the unit rows (dates inside the period, no missing numerators …);
3. joins them to the person attributes and counts them by every breakdown, cross and
   standardisation stratum in one ``GROUPING SETS`` query (:mod:`pcref.metrics.aggregate`);
4. attaches population denominators or expected cases (:mod:`pcref.metrics.population`),
   computes values, intervals, standardised rates and the comparison with the reference
   group (:mod:`pcref.metrics.indicators`, using :mod:`pcref.stats`);
5. applies disclosure control twice — NHS England's rule for the internal file, the strict
   public rule for the public one (:mod:`pcref.results.disclosure`);

and then writes ``results.parquet``, ``public/results.parquet`` and ``run.json``
(:mod:`pcref.results`). All SQL goes through a :class:`~pcref.metrics.backend.Backend`, so the
same engine runs on DuckDB or, transpiled, on Spark. A metric that cannot run — an optional
table the trust did not supply, a definition error — is recorded in ``run.json`` with its
reason; the others are still computed. See ``docs/engine.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pcref.contract import load_contract
from pcref.disclosure import NHSE, PUBLIC, Policy
from pcref.metrics import aggregate, attributes, prepare
from pcref.metrics.backend import Backend, DuckDBBackend
from pcref.metrics.breakdowns import BREAKDOWNS, TIME, Split, splits_of
from pcref.metrics.catalogue import METHODS, Metric, load_catalogue
from pcref.metrics.indicators import (
    CONFIDENCE,
    DENOMINATOR_OF_METHOD,
    NO_REFERENCE_FIGURES,
    IndicatorError,
    Plan,
    add_order,
    period_rows,
)
from pcref.metrics.periods import Period
from pcref.metrics.population import PopulationError, Populations, load_populations
from pcref.metrics.sql import MetricSQLError, materialise_unit_rows, tables_read
from pcref.results.disclosure import disclose_metric
from pcref.results.run import derive_run_id, sha256_text
from pcref.results.schema import RESULTS_COLUMNS

ENGINES = ("duckdb", "spark")
INTERNAL_POLICY: Policy = NHSE
PUBLIC_POLICY: Policy = PUBLIC
#: Tables the engine itself reads, whatever the metrics.
ENGINE_TABLES = ("MHS001MPI", "lsoa_lookup")
COMPUTED, SKIPPED, FAILED = "computed", "skipped", "failed"

Progress = Callable[[str, str], None]


class EngineError(RuntimeError):
    """The run cannot start: unknown metric, unusable warehouse, unavailable engine."""


class MetricError(ValueError):
    """One metric cannot be computed; the run records why and carries on."""


class MetricSkipped(Exception):
    """One metric is not computed because the warehouse lacks what it reads (by design)."""


@dataclass
class ComputedRun:
    """A computed results run, before or after it is written."""

    run_id: str
    internal: pd.DataFrame
    public: pd.DataFrame
    record: dict[str, Any]
    #: The rows before disclosure control (exact counts; never written to disk). Same
    #: columns, with ``disclosure_policy`` "none".
    exact: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def failed(self) -> list[str]:
        return [m for m, r in self.record["metrics"].items() if r["status"] == FAILED]


@dataclass
class _Context:
    backend: Backend
    periods: tuple[Period, ...]
    run_id: str
    warehouse_tables: dict[str, str]
    not_supplied: frozenset[str]
    built: dict[str, tuple[dt.date, dt.date] | None] = field(default_factory=dict)
    populations: dict[tuple[int | None, bool], Populations] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    localities: tuple[str, ...] = ()

    def population(self, min_age: int | None, expected: bool) -> Populations:
        key = (min_age, expected)
        if key not in self.populations:
            loaded = load_populations(self.backend, min_age, expected=expected)
            for warning in loaded.warnings:
                if warning not in self.warnings:
                    self.warnings.append(warning)
            self.populations[key] = loaded
        return self.populations[key]


# -- selecting and planning ------------------------------------------------------------------


def select_metrics(catalogue: dict[str, Metric], ids: list[str] | None) -> list[Metric]:
    """The metrics named in ``ids`` (catalogue order), or all; unknown ids are an error."""
    if not ids:
        return list(catalogue.values())
    unknown = [i for i in ids if i not in catalogue]
    if unknown:
        raise EngineError(
            f"unknown metric id(s) {', '.join(unknown)}; the catalogue has: "
            f"{', '.join(catalogue)}"
        )
    wanted = set(ids)
    return [m for m in catalogue.values() if m.id in wanted]


def plan_metric(metric: Metric) -> Plan:
    """Check the metric's method, denominator and breakdowns fit together; plan its splits."""
    expected = DENOMINATOR_OF_METHOD[metric.method]
    if metric.denominator != expected:
        raise MetricError(
            f"metric {metric.id}: method {metric.method} needs denominator: {expected}, "
            f"not {metric.denominator}"
        )
    if metric.standardise and metric.method != "rate":
        raise MetricError(f"metric {metric.id}: standardise: true needs method: rate")
    if metric.population_min_age is not None and metric.denominator not in (
        "population", "expected"
    ):
        raise MetricError(
            f"metric {metric.id}: population_min_age applies only to population or expected "
            "denominators"
        )
    splits = tuple(splits_of(metric.breakdowns, metric.cross_breakdowns))
    standardised: tuple[Split, ...] = ()
    if metric.standardise:
        standardised = tuple(
            s for s in splits if s.is_ethnicity and (s.second is None or s.second in TIME)
        )
    statistics = metric.statistics or (aggregate.NO_STATISTIC,)
    return Plan(metric=metric, splits=splits, standardised=standardised, statistics=statistics)


# -- the warehouse ---------------------------------------------------------------------------


def ingest_record(backend: Backend) -> dict[str, Any] | None:
    """The latest row of the warehouse's ``ingest_run`` table, if it has one."""
    if not backend.has_table("ingest_run"):
        return None
    rows = backend.query(
        "SELECT run_id, input_fingerprint, key_id, CAST(finished_at AS VARCHAR) AS finished_at, "
        "contract_version, code_version, CAST(issues AS VARCHAR) AS issues "
        "FROM ingest_run ORDER BY finished_at DESC, run_id DESC LIMIT 1"
    )
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    try:
        row["issues"] = json.loads(row["issues"]) if row["issues"] else []
    except (TypeError, ValueError):
        row["issues"] = []
    return row


def input_fingerprint(backend: Backend) -> dict[str, Any]:
    """What identifies the input: the latest ingest's fingerprint, else a content digest."""
    record = ingest_record(backend)
    if record is not None:
        return {
            "source": "ingest_run",
            "fingerprint": f"{record['input_fingerprint']}/{record['key_id']}",
            "ingest_run_id": record["run_id"],
            "ingest_finished_at": record["finished_at"],
            "contract_version": record["contract_version"],
        }
    present = [t.name for t in load_contract().tables.values() if backend.has_table(t.name)]
    return {
        "source": "table contents",
        "fingerprint": backend.content_fingerprint(present),
        "tables": present,
    }


def not_supplied_tables(backend: Backend) -> frozenset[str]:
    """Optional tables the latest ingest found no file for (present in the warehouse but
    empty because the trust did not supply them, not because nothing happened)."""
    record = ingest_record(backend)
    if record is None:
        return frozenset()
    return frozenset(
        issue.get("table") for issue in record["issues"]
        if isinstance(issue, dict) and issue.get("rule") == "optional_table_missing"
    )


def check_warehouse(backend: Backend, metrics: list[Metric]) -> None:
    """Refuse a warehouse without the tables the engine itself needs for these metrics."""
    needed = list(ENGINE_TABLES)
    if any(m.denominator in ("population", "expected") for m in metrics):
        needed.append("population")
    if any(m.denominator == "expected" for m in metrics):
        needed.append("dementia_prevalence")
    missing = [t for t in needed if not backend.has_table(t)]
    if missing:
        raise EngineError(
            f"the warehouse lacks table(s) {', '.join(missing)}, which the engine reads for "
            "person attributes, localities and denominators; load it with pcref ingest"
        )
    people = backend.query(
        "SELECT COUNT(*) AS people, COUNT(DISTINCT Person_ID) AS distinct_people FROM MHS001MPI"
    ).iloc[0]
    if int(people["people"]) != int(people["distinct_people"]):
        raise EngineError(
            "table MHS001MPI has more than one row for some Person_ID; expected one record "
            "per person (its key), so that unit rows are not counted twice"
        )


def definitions(metrics: list[Metric]) -> dict[str, dict[str, Any]]:
    """Per metric: file and SQL hashes, and the hashes of the preparation SQL it requires."""
    out: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        prep: dict[str, str] = {}
        for relation in metric.requires:
            for name in prepare.build_order(relation):
                prep[name] = sha256_text(prepare.sql_text(name))
        out[metric.id] = {
            "file_sha256": metric.file_sha256 or sha256_text(metric.sql),
            "sql_sha256": sha256_text(metric.sql),
            "prep_sql_sha256": prep,
        }
    return out


# -- one metric ------------------------------------------------------------------------------


def _skip_reason(ctx: _Context, metric: Metric) -> str | None:
    """Why the metric cannot be computed on this warehouse by design, if it cannot."""
    contract = load_contract()
    prep = set(prepare.relations())
    try:
        read = tables_read(metric.sql)
    except Exception as error:  # sqlglot parse errors have many types
        raise MetricError(f"metric {metric.id}: its SQL cannot be parsed ({error})") from None
    for table in sorted(read, key=str.lower):
        if table in prep or table.lower() == aggregate.UNITS:
            continue
        if table not in contract.tables:
            continue  # not a contract table: let the SQL report it
        spec = contract[table]
        if table.lower() not in ctx.warehouse_tables:
            if spec.required:
                raise MetricError(
                    f"metric {metric.id}: required table {table} is missing from the warehouse"
                )
            return f"optional table {table} ({spec.title}) is not in the warehouse"
        if table in ctx.not_supplied:
            return (
                f"optional table {table} ({spec.title}) was not supplied in the extract (the "
                "warehouse holds it empty); the metric would wrongly show no events"
            )
    return None


def _check_units(ctx: _Context, plan: Plan, period: Period, columns: dict[str, str]) -> dict:
    metric = plan.metric
    date_type = columns.get("event_date", "")
    if "DATE" not in date_type.upper():
        raise MetricError(
            f"metric {metric.id}: event_date must be a DATE (or TIMESTAMP), got {date_type}"
        )
    has_statistic = "statistic" in columns
    if plan.metric.statistics and not has_statistic:
        raise MetricError(
            f"metric {metric.id}: it declares statistics {list(metric.statistics)} but its "
            "SELECT returns no statistic column"
        )
    if has_statistic and not plan.metric.statistics:
        raise MetricError(
            f"metric {metric.id}: its SELECT returns a statistic column; declare the labels "
            "under statistics: [...]"
        )
    if metric.denominator == "rows" and "denominator" not in columns:
        raise MetricError(f"metric {metric.id}: denominator: rows needs a denominator column")
    if plan.median and "observation" not in columns:
        raise MetricError(f"metric {metric.id}: method median needs an observation column")
    for split in plan.splits:
        for column in split.columns:
            needs = BREAKDOWNS[column].needs
            if needs and needs not in columns:
                raise MetricError(
                    f"metric {metric.id}: breakdown {column} needs a {needs} column in its "
                    "SELECT"
                )
    checks = ctx.backend.query(aggregate.unit_checks_sql(
        period, has_statistic=has_statistic, has_denominator="denominator" in columns,
        has_observation="observation" in columns,
    )).iloc[0].fillna(0).astype("int64").to_dict()
    problems = {
        "no_person": "have no Person_ID",
        "no_event_date": "have no event_date",
        "outside_period": f"have an event_date outside {period.label} "
                          f"({period.start} to {period.end}); filter rows to the period",
        "no_numerator": "have no numerator (use 0 for 'no')",
        "negative_numerator": "have a negative numerator",
        "no_denominator": "have no denominator",
        "negative_denominator": "have a negative denominator",
        "no_statistic": "have no statistic label",
    }
    for name, text in problems.items():
        if checks.get(name, 0):
            raise MetricError(f"metric {metric.id}: {checks[name]} unit row(s) in "
                              f"{period.label} {text}")
    if has_statistic:
        labels = set(ctx.backend.query(aggregate.statistics_sql())["statistic"].astype(str))
        unknown = sorted(labels - set(metric.statistics))
        if unknown:
            raise MetricError(
                f"metric {metric.id}: statistic label(s) {unknown} are not declared in "
                f"statistics: {list(metric.statistics)}"
            )
    return checks


def _period_rows(ctx: _Context, plan: Plan, period: Period) -> tuple[pd.DataFrame, dict]:
    metric = plan.metric
    backend = ctx.backend
    for relation in metric.requires:
        prepare.build(backend, relation, period.start, period.end, built=ctx.built)
    columns = materialise_unit_rows(backend, metric, aggregate.UNITS, period.start, period.end)
    checks = _check_units(ctx, plan, period, columns)
    grouping_sets = list(dict.fromkeys(
        [s.columns for s in plan.splits]
        + [(*s.columns, "sex", plan.stratum_age) for s in plan.standardised]
    ))
    all_columns = list(dict.fromkeys(c for s in grouping_sets for c in s))
    has_denominator = metric.denominator == "rows"
    backend.materialise(aggregate.UNIT_COUNTS, aggregate.unit_counts_sql(
        all_columns, has_statistic="statistic" in columns, has_denominator=has_denominator,
        median=plan.median,
    ))
    counts = backend.query(aggregate.counts_sql(
        grouping_sets, has_denominator=has_denominator, median=plan.median,
        team_lookup=backend.has_table("team"), ward_lookup=backend.has_table("ward"),
    ))
    counts = aggregate.decode_counts(counts, all_columns, period, ctx.localities)
    for column in all_columns:
        counts[f"grouped_{column}"] = counts[f"grouped_{column}"].astype("int64")
    counts["stat_label"] = counts["stat_label"].astype(object)
    counts["numerator"] = counts["numerator"].astype("float64")
    counts["unit_rows"] = counts["unit_rows"].astype("int64")
    if "denominator" in counts:
        counts["denominator"] = counts["denominator"].astype("float64")
    populations = None
    if plan.population_based:
        populations = ctx.population(metric.population_min_age,
                                     expected=metric.denominator == "expected")
    try:
        rows = period_rows(plan, period, counts, all_columns, populations)
    except IndicatorError:
        raise
    except ValueError as error:  # pcref.stats refusing the counts (e.g. x > n)
        raise MetricError(f"metric {metric.id}, {period.label}: {error}") from None
    return rows, checks


def compute_metric(
    ctx: _Context, metric: Metric
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """One metric over every period: its exact, internal and public rows and its record."""
    plan = plan_metric(metric)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    frames, unit_rows, excluded = [], {}, {}
    for period in ctx.periods:
        rows, checks = _period_rows(ctx, plan, period)
        frames.append(rows)
        unit_rows[period.label] = int(checks["unit_rows"])
        if checks.get("no_observation"):
            excluded[period.label] = int(checks["no_observation"])
    rows = pd.concat(frames, ignore_index=True)
    rows = _finish_rows(plan, rows, ctx)
    timings["compute_seconds"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    try:
        internal = _publishable(rows, metric, INTERNAL_POLICY, ctx, public=False)
        public = _publishable(rows, metric, PUBLIC_POLICY, ctx, public=True)
    except (ValueError, RuntimeError) as error:
        # pcref.disclosure refusing the counts (fractions), or lines that do not match them
        raise MetricError(f"metric {metric.id}: disclosure control: {error}") from None
    timings["disclosure_seconds"] = round(time.perf_counter() - started, 3)
    record: dict[str, Any] = {"unit_rows": unit_rows, **timings}
    if excluded:
        record["unit_rows_without_observation"] = excluded
    record["rows"] = len(internal)
    record["rows_suppressed_internal"] = int(internal["suppressed"].sum())
    record["rows_suppressed_public"] = int(public["suppressed"].sum())
    return _exact(rows), internal, public, record


def _finish_rows(plan: Plan, rows: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Uniform columns, the metric's labels, the base statistic, and the stable order."""
    metric = plan.metric
    out = rows.copy()
    for column in ("comparator", "ratio_method", "significance", "comparison_status"):
        if column not in out:
            out[column] = None
    for column in ("ratio", "ratio_lower", "ratio_upper", "difference", "difference_lower",
                   "difference_upper", "variance"):
        if column not in out:
            out[column] = np.nan
    out["comparison_status"] = out["comparison_status"].fillna("")
    out["method_status"] = out["method_status"].fillna("")
    out["metric_id"] = metric.id
    out["unit"] = metric.unit
    out["run_id"] = ctx.run_id
    out = add_order(plan, out, ctx.periods)
    period_index = {p.label: i for i, p in enumerate(ctx.periods)}
    out["period_order"] = out["period"].map(period_index)
    out = out.sort_values(
        ["period_order", "statistic_order", "split_order", "group_order", "subgroup_order"],
        kind="mergesort",
    ).reset_index(drop=True)
    return out


def _combined_status(first: list[str], method: pd.Series, comparison: pd.Series) -> list[str]:
    statuses = []
    for head, method_status, comparison_status in zip(first, method, comparison, strict=True):
        parts = [head] if head else []
        if method_status:
            parts.append(str(method_status))
        if comparison_status and comparison_status not in ("compared", "reference_group"):
            parts.append(comparison_status if comparison_status == NO_REFERENCE_FIGURES
                         else f"comparison_{comparison_status}")
        statuses.append("; ".join(parts))
    return statuses


def _exact(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows before disclosure control, in the results layout."""
    out = rows.copy()
    out["status"] = _combined_status(["exact"] * len(out), out["method_status"],
                                     out["comparison_status"])
    out["suppressed"] = False
    out["display_value"] = [
        "" if np.isnan(v) else f"{v:.1f}" for v in out["value"].to_numpy(dtype="float64")
    ]
    out["disclosure_policy"] = "none"
    return _tidy(out)


def _tidy(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    out["numerator"] = pd.array(
        pd.to_numeric(out["numerator"], errors="coerce"), dtype="Float64"
    ).round().astype("Int64")
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce").astype("float64")
    for column in ("subgroup", "comparator", "ratio_method", "significance", "method"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out[list(RESULTS_COLUMNS)].reset_index(drop=True)


def _publishable(
    rows: pd.DataFrame, metric: Metric, policy: Policy, ctx: _Context, *, public: bool
) -> pd.DataFrame:
    disclosed = disclose_metric(rows, metric, policy, ctx.periods, public=public)
    out = disclosed.copy()
    out["status"] = _combined_status(
        [str(s) for s in disclosed["status"]], disclosed["method_status"],
        disclosed["comparison_status"],
    )
    return _tidy(out)


# -- the run ---------------------------------------------------------------------------------


def methods_record() -> dict[str, str]:
    """How each method, the standardisation and the comparison are computed (for run.json)."""
    return {
        **METHODS,
        "standardisation": (
            "NHS England's directly standardised rate (pcref.stats.dsr method='nhse'): sex x "
            "six age bands (0-15, 16-17, 18-34, 35-49, 50-64, 65+), standard = the warehouse "
            "population's own total (all ethnic groups) in the same strata, binomial variance, "
            "normal-approximation 95% limits; unit rows of unknown sex or age are left out of "
            "the standardised numerator. Metrics with standardise: esp2013 use the same method "
            "over sex x the European Standard Population 2013's five-year bands at or above "
            "their minimum age (65-69 ... 90+ from 65), weighted by that standard"
        ),
        "comparison": (
            "each ethnic group vs the metric's reference group, within the same subgroup: rate "
            "ratio (log when both counts >= 10, else exact conditional), DSR ratio "
            "(log-normal), ratio of proportions (log or MOVER-R Wilson), medians: ratio of "
            "medians without interval, different when the reference median lies outside the "
            "group's interval"
        ),
        "confidence": f"{CONFIDENCE:.0%} two-sided",
        "time_breakdowns": (
            "month and quarter rates per population are per population per month or quarter, "
            "not annualised"
        ),
    }


def compute(
    backend: Backend,
    periods: tuple[Period, ...],
    metric_ids: list[str] | None = None,
    *,
    catalogue: dict[str, Metric] | None = None,
    progress: Progress | None = None,
) -> ComputedRun:
    """Compute the selected metrics (all by default) for ``periods`` on ``backend``."""
    if not periods:
        raise EngineError("no period given")
    catalogue = load_catalogue() if catalogue is None else catalogue
    metrics = select_metrics(catalogue, metric_ids)
    check_warehouse(backend, metrics)
    from pcref.ingest.pipeline import code_version

    fingerprint = input_fingerprint(backend)
    version = code_version()
    defs = definitions(metrics)
    parameters = {
        "periods": [p.as_dict() for p in periods],
        "metrics": [m.id for m in metrics],
        "engine": backend.name,
        "confidence": CONFIDENCE,
        "disclosure": {"internal": INTERNAL_POLICY.to_dict(), "public": PUBLIC_POLICY.to_dict()},
    }
    run_id = derive_run_id(fingerprint["fingerprint"], version, defs, parameters)
    ctx = _Context(
        backend=backend, periods=periods, run_id=run_id,
        warehouse_tables=backend.tables(), not_supplied=not_supplied_tables(backend),
    )
    ctx.localities = attributes.register_code_lists(backend)
    backend.materialise(attributes.PERSON_ATTRIBUTES, attributes.person_attributes_sql())

    exact_frames, internal_frames, public_frames = [], [], []
    records: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        if progress:
            progress("start", metric.id)
        started = time.perf_counter()
        record: dict[str, Any] = {"title": metric.title, "method": metric.method,
                                  **defs[metric.id]}
        try:
            reason = _skip_reason(ctx, metric)
            if reason:
                raise MetricSkipped(reason)
            exact, internal, public, details = compute_metric(ctx, metric)
        except MetricSkipped as skipped:
            record.update(status=SKIPPED, reason=str(skipped), rows=0)
        except (MetricError, MetricSQLError, IndicatorError, PopulationError) as error:
            record.update(status=FAILED, reason=str(error), rows=0)
        except backend.errors as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            record.update(status=FAILED, reason=f"metric {metric.id}: SQL error: {first}",
                          rows=0)
        else:
            record.update(status=COMPUTED, **details)
            exact_frames.append(exact)
            internal_frames.append(internal)
            public_frames.append(public)
        record["seconds"] = round(time.perf_counter() - started, 3)
        records[metric.id] = record
        if progress:
            progress("done", metric.id)
        backend.drop(aggregate.UNITS)
        backend.drop(aggregate.UNIT_COUNTS)

    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in RESULTS_COLUMNS})
    internal_all = pd.concat(internal_frames, ignore_index=True) if internal_frames else empty
    public_all = pd.concat(public_frames, ignore_index=True) if public_frames else empty
    exact_all = pd.concat(exact_frames, ignore_index=True) if exact_frames else empty
    record = {
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "input": fingerprint,
        "code_version": version,
        "engine": backend.name,
        "periods": [p.as_dict() for p in periods],
        "parameters": parameters,
        "methods": methods_record(),
        "disclosure": {
            "internal": {"file": "results.parquet", "statement": INTERNAL_POLICY.describe(),
                         **INTERNAL_POLICY.to_dict()},
            "public": {"file": "public/results.parquet", "statement": PUBLIC_POLICY.describe(),
                       **PUBLIC_POLICY.to_dict()},
        },
        "metrics": records,
        "warnings": list(ctx.warnings),
        "rows": {"internal": len(internal_all), "public": len(public_all)},
    }
    return ComputedRun(run_id=run_id, internal=internal_all, public=public_all, record=record,
                       exact=exact_all)


def write(run: ComputedRun, out: str | Path) -> Path:
    """Write the run folder: results.parquet, public/results.parquet and run.json."""
    from pcref.results.io import PUBLIC_DIR, RESULTS_FILE, RUN_FILE, write_json, write_parquet
    from pcref.results.run import sha256_file

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    internal_path = folder / RESULTS_FILE
    public_path = folder / PUBLIC_DIR / RESULTS_FILE
    write_parquet(run.internal, internal_path)
    write_parquet(run.public, public_path)
    run.record["files"] = {
        RESULTS_FILE: sha256_file(internal_path),
        f"{PUBLIC_DIR}/{RESULTS_FILE}": sha256_file(public_path),
    }
    write_json(run.record, folder / RUN_FILE)
    return folder


def open_backend(warehouse: str | Path, engine: str = "duckdb") -> Backend:
    """The backend for ``engine`` on the warehouse file."""
    if engine not in ENGINES:
        raise EngineError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
    try:
        if engine == "spark":
            try:
                from pcref.metrics.spark import SparkBackend
            except ImportError as error:
                raise EngineError(
                    f"the Spark backend is not available ({error}); use --engine duckdb"
                ) from None
            return SparkBackend.open(warehouse)
        return DuckDBBackend.open(warehouse)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        if isinstance(error, EngineError):
            raise
        raise EngineError(str(error)) from None


def run(
    warehouse: str | Path,
    periods: tuple[Period, ...],
    out: str | Path,
    metric_ids: list[str] | None = None,
    *,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> ComputedRun:
    """Open the warehouse, compute, and write the results run to ``out``."""
    backend = open_backend(warehouse, engine)
    try:
        computed = compute(backend, periods, metric_ids, progress=progress)
    finally:
        backend.close()
    write(computed, out)
    return computed
