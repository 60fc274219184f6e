"""Load a results run folder into the application database (``pcref load``).

A run is checked before anything is written, with the same checks ``pcref export`` makes
(:mod:`pcref.export.star`): ``run.json`` is a results run record; both results files are the
ones the run wrote (SHA-256 in ``run.json``); they have exactly the results columns, with their
types; every row carries the run's id, the file's disclosure policy and one of the run's
metrics and periods; every count obeys the file's disclosure rule; and each metric's catalogue
definition is still the one that computed it, so the SQL shown beside a figure is the SQL that
made it. Then both files go in together, in one transaction.

Loading is idempotent by run id: a run already loaded is left as it is (and the loader says
so). Earlier runs are kept; the newly loaded run becomes current unless asked not to, and the
first run loaded is always current, so once anything is loaded exactly one run is.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import transaction

from pcref.metrics.breakdowns import Split
from pcref.web.core import audit
from pcref.web.dashboard.models import (
    INTERNAL_POLICY,
    PUBLIC_POLICY,
    Figure,
    Metric,
    ResultsRun,
)

#: Rows sent to the database at a time.
BATCH_SIZE = 2000
#: run.json's name for each view -> the disclosure policy its rows carry in the app.
_VIEWS = {"internal": INTERNAL_POLICY, "public": PUBLIC_POLICY}
#: Results columns that are not stored on Figure (they are its run and metric).
_KEY_COLUMNS = ("metric_id", "run_id", "disclosure_policy")
#: Results columns every row must fill for a page to make sense of it.
_REQUIRED = ("period", "breakdown", "group", "statistic", "unit", "suppressed", "status",
             "display_value")
#: The catalogue says "neutral" where the app's Metric says "neither".
_DIRECTION = {"increase": "increase", "decrease": "decrease", "neutral": "neither"}


class LoadError(ValueError):
    """The folder is not a results run that can be loaded; the message says why and where."""


@dataclass(frozen=True)
class LoadOutcome:
    """What ``load_run`` did, for the command to report."""

    run: ResultsRun
    #: False when the run was already loaded and nothing was written.
    loaded: bool
    #: Whether the run is now the current one.
    current: bool
    #: Whether this call changed which run is current.
    made_current: bool
    #: Figure rows written, by disclosure policy (zero when already loaded).
    rows: dict[str, int]
    seconds: float


def load_run(
    folder: str | Path,
    *,
    make_current: bool | None = None,
    catalogue: Mapping[str, Any] | None = None,
) -> LoadOutcome:
    """Check the results run in ``folder`` and load it.

    ``make_current``: None (the default) makes a newly loaded run current and leaves an
    already loaded one as it is; True makes the run current either way; False keeps the
    current run (unless no run is current yet). ``catalogue`` defaults to the shipped one.
    """
    started = time.perf_counter()
    folder = Path(folder)
    record = read_run_record(folder)
    run_id = record["run_id"]
    existing = ResultsRun.objects.filter(run_id=run_id).first()
    if existing is not None:
        # Already loaded: only check the files are the ones loaded before (their SHA-256).
        check_files(folder, record)
        if existing.metadata.get("files") != record.get("files"):
            raise LoadError(
                f"{folder}: run {run_id} is already loaded (from {existing.source_path}) with "
                "different results files; a run id names one set of results, so these files "
                "were changed after pcref compute wrote them"
            )
        changed = bool(make_current) and not existing.is_current
        if changed:
            with transaction.atomic():
                _make_current(existing)
                _audit(existing, loaded=False, made_current=True, rows={})
        return LoadOutcome(run=existing, loaded=False, current=existing.is_current,
                           made_current=changed, rows={},
                           seconds=time.perf_counter() - started)

    record, tables, definitions = check_run_folder(folder, catalogue)
    with transaction.atomic():
        become_current = make_current is not False or not ResultsRun.objects.filter(
            is_current=True).exists()
        run = ResultsRun.objects.create(
            run_id=run_id,
            created_at=dt.datetime.fromisoformat(record["created_at"]),
            periods=[p["label"] for p in record["periods"]],
            code_version=record["code_version"],
            input_fingerprint=record["input"]["fingerprint"],
            metadata=record,
            is_current=False,
            source_path=str(folder.resolve()),
        )
        metrics = {
            metric_id: Metric(run=run, **fields) for metric_id, fields in definitions.items()
        }
        Metric.objects.bulk_create(metrics.values(), batch_size=BATCH_SIZE)
        rows = {}
        for view, policy in _VIEWS.items():
            rows[policy] = _load_figures(run, metrics, policy, tables[view])
        if become_current:
            _make_current(run)
        _audit(run, loaded=True, made_current=become_current, rows=rows)
    return LoadOutcome(run=run, loaded=True, current=become_current,
                       made_current=become_current, rows=rows,
                       seconds=time.perf_counter() - started)


def read_run_record(folder: Path) -> dict[str, Any]:
    """``run.json`` of ``folder``, refused unless it is a results run record."""
    from pcref.export import star

    try:
        return star.read_run_record(folder)
    except star.ExportError as error:
        raise LoadError(str(error)) from None


def check_files(folder: Path, record: dict[str, Any]) -> dict[str, str]:
    """Each view's results file (relative to ``folder``), checked to be the file the run
    wrote: present, and with the SHA-256 ``run.json`` records."""
    from pcref.export import star

    try:
        return {view: star._check_file(folder, record, view)[0] for view in _VIEWS}
    except star.ExportError as error:
        raise LoadError(str(error)) from None


def check_run_folder(
    folder: Path, catalogue: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, pa.Table], dict[str, dict[str, Any]]]:
    """run.json, both results tables by view, and each metric's fields for :class:`Metric`;
    raises :class:`LoadError` naming the file, row and column at the first problem.
    ``catalogue`` defaults to the shipped catalogue plus the experience metrics that
    ``pcref feedback results`` writes (defined in :mod:`pcref.listening.experience`)."""
    from pcref.disclosure import Policy
    from pcref.export import star
    from pcref.listening.experience import METRICS as EXPERIENCE_METRICS
    from pcref.metrics.catalogue import load_catalogue
    from pcref.metrics.periods import parse_periods

    record = read_run_record(folder)
    sources = check_files(folder, record)
    try:
        periods = parse_periods([p["label"] for p in record["periods"]])
        if catalogue is None:
            catalogue = {**load_catalogue(), **EXPERIENCE_METRICS}
        metrics = star._run_metrics(record, catalogue)
        tables = {}
        for view, source in sources.items():
            table = read_results_table(folder / source)
            policy_name = record["disclosure"][view]["name"]
            rows = {c: table.column(c).to_pylist() for c in table.column_names}
            star._check_rows(rows, record, policy_name, metrics, periods, source)
            rule = Policy.from_dict(record["parameters"]["disclosure"][view])
            star._check_counts(rows, metrics, rule, source)
            _check_required(rows, folder / source)
            tables[view] = table
    except LoadError:
        raise
    except star.ExportError as error:
        raise LoadError(str(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        raise LoadError(f"{folder / 'run.json'}: not a readable results run record "
                        f"({type(error).__name__}: {error})") from None
    return record, tables, {m: _metric_fields(metric) for m, metric in metrics.items()}


def read_results_table(path: Path) -> pa.Table:
    """The results file at ``path``, refused unless its columns are exactly the results
    schema's, with its types: the app stores nothing the results contract does not define."""
    from pcref.results.schema import SCHEMA

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise LoadError(f"{path}: not a readable Parquet file ({error})") from None
    expected = {field.name: field.type for field in SCHEMA}
    found = {field.name: field.type for field in table.schema}
    missing = [name for name in expected if name not in found]
    if missing:
        raise LoadError(f"{path}: missing column(s) {', '.join(missing)}; a results file has "
                        f"the columns {', '.join(expected)}")
    extra = [name for name in found if name not in expected]
    if extra:
        raise LoadError(f"{path}: unexpected column(s) {', '.join(extra)}; a results file has "
                        f"only the columns {', '.join(expected)}")
    for name, kind in expected.items():
        if found[name] != kind and not pa.types.is_null(found[name]):
            raise LoadError(f"{path}: column {name} is {found[name]}, expected {kind}")
    return table.select(list(expected))


def _check_required(rows: dict[str, list], path: Path) -> None:
    for column in _REQUIRED:
        for i, value in enumerate(rows[column], start=1):
            if value is None:
                raise LoadError(f"{path} row {i}: column {column} is empty; every row needs one")


def _metric_fields(metric: Any) -> dict[str, Any]:
    """The catalogue definition as :class:`Metric` fields."""
    return {
        "metric_id": metric.id,
        "title": metric.title,
        "description": metric.description,
        "family": metric.family,
        "unit": metric.unit,
        "method": metric.method,
        "breakdowns": list(metric.breakdowns)
        + [Split(*pair).name for pair in metric.cross_breakdowns],
        "reference_group": dict(metric.reference_group),
        "improvement_direction": _DIRECTION[metric.improvement_direction],
        "sentence": metric.sentence or "",
        "source": metric.source or "",
        "sql": metric.sql,
    }


def _load_figures(run: ResultsRun, metrics: dict[str, Metric], policy: str,
                  table: pa.Table) -> int:
    """Write ``table``'s rows as Figures of ``run`` under ``policy``, in batches.

    One parameterised INSERT per batch (``executemany``) rather than ``bulk_create``: the
    rows are already checked and typed by the results schema, and building a model object
    per row was most of the loading time (about 1,800 rows/s against several times that)."""
    from django.db import connection

    columns = [c for c in table.column_names if c not in _KEY_COLUMNS]
    fields = {f.name: f.column for f in Figure._meta.concrete_fields}
    names = [fields["run"], fields["metric"], fields["disclosure_policy"],
             *(fields[c] for c in columns)]
    sql = (f"INSERT INTO {connection.ops.quote_name(Figure._meta.db_table)} "
           f"({', '.join(connection.ops.quote_name(n) for n in names)}) "
           f"VALUES ({', '.join(['%s'] * len(names))})")
    metric_keys = {metric_id: metric.pk for metric_id, metric in metrics.items()}
    values = [table.column(c).to_pylist() for c in columns]
    rows = (
        (run.pk, metric_keys[metric_id], policy,
         *(None if isinstance(v, float) and math.isnan(v) else v for v in row))
        for metric_id, *row in zip(table.column("metric_id").to_pylist(), *values, strict=True)
    )
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            cursor.executemany(sql, batch)
    return table.num_rows


def _make_current(run: ResultsRun) -> None:
    ResultsRun.objects.filter(is_current=True).exclude(pk=run.pk).update(is_current=False)
    ResultsRun.objects.filter(pk=run.pk).update(is_current=True)
    run.is_current = True


def _audit(run: ResultsRun, *, loaded: bool, made_current: bool, rows: dict[str, int]) -> None:
    audit.record(
        audit.AuditAction.RESULTS_LOADED if loaded else audit.AuditAction.RESULTS_MADE_CURRENT,
        obj=run,
        detail={"run_id": run.run_id, "made_current": made_current, "rows": rows,
                "source_path": run.source_path, "via": "pcref load"},
    )
