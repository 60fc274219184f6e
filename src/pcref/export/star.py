"""Build the star schema of one results run: a fact table of figures and its dimensions.

The figures come from one of the run's two results files, never both: the public file
(``public/results.parquet``, the strict public disclosure rule) unless the internal one is asked
for by name. Before anything is built the run is checked: its ``run.json`` is a results run
record, the results file is the one the run wrote (SHA-256 recorded in ``run.json``), every row
carries the run's id and the file's disclosure policy, every published count obeys that policy
(no count in the suppressed range, every count rounded), and each metric's catalogue definition
is still the one that computed it — the SQL published with the figures must be the SQL that
made them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pcref.disclosure import Policy
from pcref.export.tables import (
    DIM_BREAKDOWN,
    DIM_GROUP,
    DIM_METRIC,
    DIM_PERIOD,
    DIM_RUN,
    FACT,
    TABLES,
    Table,
)
from pcref.metrics.attributes import NOT_KNOWN, NOT_STATED
from pcref.metrics.breakdowns import BREAKDOWNS, CROSS_SEPARATOR, TOTAL, TOTAL_GROUP, group_order
from pcref.metrics.catalogue import Metric, load_catalogue
from pcref.metrics.periods import Period, parse_periods
from pcref.results.io import PUBLIC_DIR, RESULTS_FILE, RUN_FILE
from pcref.results.run import sha256_file
from pcref.results.schema import RESULTS_COLUMNS

PUBLIC, INTERNAL = "public", "internal"
#: Export policy -> the run's results file it reads (and run.json's name for that view).
RESULTS_FILES = {PUBLIC: f"{PUBLIC_DIR}/{RESULTS_FILE}", INTERNAL: RESULTS_FILE}
_RUN_KEYS = ("run_id", "created_at", "input", "code_version", "engine", "periods", "parameters",
             "disclosure", "metrics", "files")
_PERIOD_RANK = {"year": 0, "quarter": 1, "month": 2}
_UNKNOWN = (NOT_STATED, NOT_KNOWN)
FAILED_REASON_WITHHELD = "failed (details in internal exports and run.json only)"


class ExportError(ValueError):
    """The run cannot be exported: not a results run, changed files, or a broken promise."""


@dataclass(frozen=True)
class Star:
    """A run's star schema, ready to write: the tables by name, and what they were made from."""

    run_id: str
    #: ``public`` or ``internal``.
    policy: str
    #: The disclosure policy of the figures (``public`` or ``nhse``) and its statement.
    disclosure_policy: str
    statement: str
    #: The results file read (relative to the run folder) and its SHA-256.
    source_file: str
    source_sha256: str
    tables: dict[str, pa.Table]


def build_star(
    run_folder: str | Path,
    policy: str = PUBLIC,
    *,
    catalogue: Mapping[str, Metric] | None = None,
) -> Star:
    """The star schema of the results run in ``run_folder``.

    ``policy`` is ``public`` (the default: the disclosure-controlled figures that may be
    published) or ``internal`` (NHS England's lighter rule, for authorised staff only; it must
    be asked for by name). ``catalogue`` defaults to the shipped catalogue; its definitions
    must be the ones the run recorded.
    """
    if policy not in RESULTS_FILES:
        raise ExportError(f"policy {policy!r}: expected {PUBLIC} (the default, for publication) "
                          f"or {INTERNAL} (authorised staff only)")
    folder = Path(run_folder)
    record = read_run_record(folder)
    source, source_sha256 = _check_file(folder, record, policy)
    results = pq.read_table(folder / source)
    if tuple(results.column_names) != RESULTS_COLUMNS:
        raise ExportError(f"{folder / source}: expected the results columns "
                          f"{', '.join(RESULTS_COLUMNS)}; got {', '.join(results.column_names)}")
    view = record["disclosure"][policy]
    try:
        periods = parse_periods([p["label"] for p in record["periods"]])
        rule = Policy.from_dict(record["parameters"]["disclosure"][policy])
    except (KeyError, TypeError, ValueError) as error:
        raise ExportError(f"{folder / RUN_FILE}: unreadable periods or {policy} disclosure "
                          f"parameters ({error})") from None
    catalogue = load_catalogue() if catalogue is None else catalogue
    metrics = _run_metrics(record, catalogue)
    rows = {c: results.column(c).to_pylist() for c in
            ("metric_id", "period", "breakdown", "group", "subgroup", "numerator",
             "denominator", "disclosure_policy", "run_id")}
    _check_rows(rows, record, view["name"], metrics, periods, source)
    _check_counts(rows, metrics, rule, source)

    dim_metric = _dim_metric(record, metrics, policy)
    dim_period = _dim_period(periods)
    breakdown_rows, breakdown_keys = _dim_breakdown(rows["breakdown"])
    group_rows, group_keys = _dim_group(rows, breakdown_rows, periods)
    metric_keys = {r["metric_id"]: r["metric_key"] for r in dim_metric}
    keys = {
        "metric_key": [metric_keys[m] for m in rows["metric_id"]],
        "period_key": _period_keys(rows, dim_period, source),
        "breakdown_key": [breakdown_keys[b] for b in rows["breakdown"]],
        "group_key": [group_keys[(b, g, s)] for b, g, s in zip(
            rows["breakdown"], rows["group"], rows["subgroup"], strict=True)],
    }
    tables = {
        FACT.name: _fact(results, keys),
        DIM_METRIC.name: _from_rows(DIM_METRIC, dim_metric),
        DIM_PERIOD.name: _from_rows(DIM_PERIOD, dim_period),
        DIM_BREAKDOWN.name: _from_rows(DIM_BREAKDOWN, breakdown_rows),
        DIM_GROUP.name: _from_rows(DIM_GROUP, group_rows),
        DIM_RUN.name: _from_rows(DIM_RUN, [_dim_run(record, policy)]),
    }
    for name, table in tables.items():
        _check_not_null(TABLES[name], table)
    return Star(run_id=record["run_id"], policy=policy, disclosure_policy=view["name"],
                statement=view.get("statement", ""), source_file=source,
                source_sha256=source_sha256, tables=tables)


# -- reading and checking the run ------------------------------------------------------------


def read_run_record(folder: Path) -> dict[str, Any]:
    """``run.json`` of a results run folder, with a clear error when the folder is not one."""
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder; expected a results run folder made by "
                          "pcref compute")
    path = folder / RUN_FILE
    if not path.is_file():
        hint = ""
        if (folder.parent / RUN_FILE).is_file():
            hint = f" ({folder} looks like a folder inside a run: give the run folder " \
                   f"{folder.parent})"
        raise ExportError(f"{folder} is not a results run folder: it has no {RUN_FILE}{hint}")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ExportError(f"{path}: not valid JSON ({error})") from None
    missing = [k for k in _RUN_KEYS if not isinstance(record, dict) or k not in record]
    if missing:
        raise ExportError(f"{path} is not a results run record: it lacks {', '.join(missing)}")
    return record


def _check_file(folder: Path, record: dict[str, Any], policy: str) -> tuple[str, str]:
    """The results file for ``policy`` and its SHA-256, which must match ``run.json``."""
    source = RESULTS_FILES[policy]
    path = folder / source
    if not path.is_file():
        raise ExportError(f"{folder} is not a complete results run: {source} is missing")
    if policy not in record["disclosure"]:
        raise ExportError(f"{folder / RUN_FILE}: no disclosure record for the {policy} view")
    recorded = record["files"].get(source)
    if recorded is None:
        raise ExportError(f"{folder / RUN_FILE} records no SHA-256 for {source}")
    actual = sha256_file(path)
    if actual != recorded:
        raise ExportError(
            f"{path} is not the file run {record['run_id']} wrote: its SHA-256 is {actual}, "
            f"run.json records {recorded}. Re-run pcref compute rather than export a changed file"
        )
    return source, actual


def _run_metrics(record: dict[str, Any], catalogue: Mapping[str, Metric]) -> dict[str, Metric]:
    """The run's metrics from the catalogue, each checked to be the definition that ran."""
    from pcref.metrics.engine import definitions

    out: dict[str, Metric] = {}
    for metric_id, recorded in record["metrics"].items():
        metric = catalogue.get(metric_id)
        if metric is None:
            raise ExportError(
                f"metric {metric_id} of run {record['run_id']} is not in this catalogue; export "
                f"with the code that made the run ({record['code_version']})"
            )
        now = definitions([metric])[metric_id]
        changed = [k for k, v in now.items() if recorded.get(k) != v]
        if changed:
            raise ExportError(
                f"metric {metric_id}: its definition has changed since run {record['run_id']} "
                f"was computed ({', '.join(changed)} differ); the SQL published with the figures "
                f"must be the SQL that made them. Re-run pcref compute, or export with the code "
                f"that made the run ({record['code_version']})"
            )
        out[metric_id] = metric
    return out


def _check_rows(rows: dict[str, list], record: dict[str, Any], disclosure_policy: str,
                metrics: dict[str, Metric], periods: tuple[Period, ...], source: str) -> None:
    """Every row belongs to the run, its policy, its metrics, periods and breakdowns."""
    labels = {p.label for p in periods}
    for i, values in enumerate(zip(rows["run_id"], rows["disclosure_policy"], rows["metric_id"],
                                   rows["period"], rows["breakdown"], rows["group"],
                                   rows["subgroup"], strict=True), start=1):
        run_id, policy, metric_id, period, breakdown, group, subgroup = values
        problem = None
        if run_id != record["run_id"]:
            problem = f"run_id {run_id!r}, expected {record['run_id']!r}"
        elif policy != disclosure_policy:
            problem = f"disclosure_policy {policy!r}, expected {disclosure_policy!r}"
        elif metric_id not in metrics:
            problem = f"metric_id {metric_id!r} is not one of the run's metrics"
        elif not group:
            problem = "group is empty; every row needs one"
        elif period not in labels:
            problem = f"period {period!r} is not one of the run's ({', '.join(sorted(labels))})"
        else:
            parts = _parts(breakdown, source, i)
            if (len(parts) == 2) != (subgroup is not None):
                problem = (f"breakdown {breakdown!r} with subgroup {subgroup!r}: a cross needs "
                           "a subgroup and a one-way breakdown has none")
        if problem:
            raise ExportError(f"{source} row {i}: {problem}")


def _check_counts(rows: dict[str, list], metrics: dict[str, Metric], policy: Policy,
                  source: str) -> None:
    """Every published count obeys ``policy``: none in the suppressed range, all rounded.

    The counts are the numerator, and the denominator of proportions of rows and of shares
    (a share's denominator is its margin's published count; as
    :mod:`pcref.results.disclosure` protects them). A file breaking this is refused rather than
    exported: the export must never publish what disclosure control would have withheld.
    """
    counted = {m for m, metric in metrics.items()
               if (metric.method == "proportion" and metric.denominator == "rows")
               or metric.method == "share"}
    for column in ("numerator", "denominator"):
        for i, (value, metric_id) in enumerate(zip(rows[column], rows["metric_id"],
                                                   strict=True), start=1):
            if value is None or (column == "denominator" and metric_id not in counted):
                continue
            if isinstance(value, float) and np.isnan(value):
                continue
            bad = bool(policy.is_primary(np.array([value]))[0]) or (
                value == 0 and policy.suppress_zero)
            if policy.rounds:
                bad |= float(value) % policy.rounding_base != 0
            if bad:
                raise ExportError(
                    f"{source} row {i}: {column} {value:g} ({metric_id}) is not a count "
                    f"published under the {policy.name} rule ({policy.describe()}); refusing to "
                    "export figures that disclosure control would have withheld"
                )


# -- dimensions ------------------------------------------------------------------------------


def _parts(breakdown: str, source: str = "results", row: int | None = None) -> list[str]:
    parts = breakdown.split(CROSS_SEPARATOR)
    where = f"{source} row {row}: " if row else ""
    unknown = [p for p in parts if p not in BREAKDOWNS]
    if unknown or len(parts) > 2 or (TOTAL in parts and len(parts) > 1):
        raise ExportError(f"{where}breakdown {breakdown!r}: expected total, one of "
                          f"{', '.join(BREAKDOWNS)}, or a cross of two of them written 'a x b'")
    return parts


def _dim_metric(record: dict[str, Any], metrics: dict[str, Metric], policy: str) -> list[dict]:
    from pcref.metrics import prepare

    out = []
    for key, (metric_id, metric) in enumerate(metrics.items(), start=1):
        recorded = record["metrics"][metric_id]
        relations = list(dict.fromkeys(
            name for relation in metric.requires for name in prepare.build_order(relation)))
        reason = recorded.get("reason")
        if recorded["status"] == "failed" and policy == PUBLIC:
            reason = FAILED_REASON_WITHHELD
        out.append({
            "metric_key": key,
            "metric_id": metric_id,
            "metric_title": metric.title,
            "metric_description": metric.description,
            "family": metric.family,
            "unit": metric.unit,
            "method": metric.method,
            "denominator_source": metric.denominator,
            "multiplier": metric.multiplier,
            "standardised": metric.standardise,
            "population_min_age": metric.population_min_age,
            "improvement_direction": metric.improvement_direction,
            "reference_group_ethnicity_5": metric.reference_group.get("ethnicity_5"),
            "reference_group_ethnicity_16": metric.reference_group.get("ethnicity_16"),
            "breakdowns": ", ".join(metric.breakdowns),
            "cross_breakdowns": ", ".join(CROSS_SEPARATOR.join(c)
                                          for c in metric.cross_breakdowns),
            "suppression_rule": metric.suppression,
            "metric_source": " ".join(metric.source.split()) if metric.source else None,
            "metric_sql": metric.sql,
            "preparation_relations": ", ".join(relations),
            "preparation_sql": "\n\n".join(
                f"-- preparation relation: {name}\n{prepare.sql_text(name).strip()}"
                for name in relations),
            "definition_sha256": recorded["file_sha256"],
            "run_status": recorded["status"],
            "run_status_reason": reason,
            "metric_sort_order": key,
        })
    return out


def _month_bounds(label: str) -> tuple[dt.date, dt.date]:
    year, month = (int(x) for x in label.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _dim_period(periods: tuple[Period, ...]) -> list[dict]:
    rows = []
    for period in periods:
        rows.append(("year", period.label, period.label, period.start, period.end))
        for q, quarter in enumerate(period.quarters):
            months = period.months[3 * q:3 * q + 3]
            rows.append(("quarter", quarter, quarter, _month_bounds(months[0])[0],
                         _month_bounds(months[-1])[1]))
        for month in period.months:
            start, end = _month_bounds(month)
            rows.append(("month", month, f"{calendar.month_name[start.month]} {start.year}",
                         start, end))
    fy_of = {}
    for period in periods:
        fy_of[("year", period.label)] = period.label
        fy_of.update({("quarter", q): period.label for q in period.quarters})
        fy_of.update({("month", m): period.label for m in period.months})
    rows.sort(key=lambda r: (r[3], _PERIOD_RANK[r[0]]))
    return [
        {"period_key": key, "period": label, "period_type": kind, "period_label": shown,
         "financial_year": fy_of[(kind, label)], "start_date": start, "end_date": end,
         "period_sort_order": key}
        for key, (kind, label, shown, start, end) in enumerate(rows, start=1)
    ]


def _time_of(breakdown: str, group: str, subgroup: str | None, period: str) -> tuple[str, str]:
    """The (period type, label) a row's figure covers: its month or quarter, else its year."""
    for part, label in zip(breakdown.split(CROSS_SEPARATOR), (group, subgroup), strict=False):
        if part in ("month", "quarter"):
            return part, label
    return "year", period


def _period_keys(rows: dict[str, list], dim_period: list[dict], source: str) -> list[int]:
    """Each row's ``period_key``: the month, quarter or year it covers, within its year."""
    found = {(r["period_type"], r["period"]): r for r in dim_period}
    keys = []
    for i, (breakdown, group, subgroup, period) in enumerate(zip(
            rows["breakdown"], rows["group"], rows["subgroup"], rows["period"], strict=True),
            start=1):
        kind, label = _time_of(breakdown, group, subgroup, period)
        row = found.get((kind, label))
        if row is None or row["financial_year"] != period:
            raise ExportError(f"{source} row {i}: {kind} {label!r} is not a {kind} of the "
                              f"row's period {period}")
        keys.append(row["period_key"])
    return keys


def _breakdown_label(parts: list[str]) -> str:
    first = BREAKDOWNS[parts[0]].title
    if len(parts) == 1:
        return first
    second = BREAKDOWNS[parts[1]].title
    return f"{first} by {second[0].lower()}{second[1:]}"


def _dim_breakdown(breakdowns: list[str]) -> tuple[list[dict], dict[str, int]]:
    order = list(BREAKDOWNS)

    def sort_key(name: str) -> tuple[int, ...]:
        parts = _parts(name)
        kind = 0 if parts == [TOTAL] else len(parts)
        return (kind, *(order.index(p) for p in parts))

    rows = []
    for key, name in enumerate(sorted(set(breakdowns), key=sort_key), start=1):
        parts = _parts(name)
        rows.append({
            "breakdown_key": key,
            "breakdown": name,
            "breakdown_label": _breakdown_label(parts),
            "breakdown_kind": "total" if parts == [TOTAL] else ("cross" if len(parts) == 2
                                                                  else "one-way"),
            "first_breakdown": parts[0],
            "second_breakdown": parts[1] if len(parts) == 2 else None,
            "first_dimension": BREAKDOWNS[parts[0]].dimension,
            "second_dimension": BREAKDOWNS[parts[1]].dimension if len(parts) == 2 else None,
            "breakdown_sort_order": key,
        })
    return rows, {r["breakdown"]: r["breakdown_key"] for r in rows}


def _dim_group(rows: dict[str, list], breakdowns: list[dict], periods: tuple[Period, ...]
               ) -> tuple[list[dict], dict[tuple, int]]:
    combos = list(dict.fromkeys(zip(rows["breakdown"], rows["group"], rows["subgroup"],
                                    strict=True)))
    labels: dict[str, set[str]] = {}
    for breakdown, group, subgroup in combos:
        for part, label in zip(breakdown.split(CROSS_SEPARATOR), (group, subgroup),
                               strict=False):
            labels.setdefault(part, set()).add(label)
    ordered: dict[str, list[str]] = {}
    for part in BREAKDOWNS:
        if part in labels:
            try:
                ordered[part] = group_order(part, sorted(labels[part]), periods)
            except ValueError as error:
                raise ExportError(f"results: {error}") from None
    position = {part: {label: i for i, label in enumerate(seq)} for part, seq in ordered.items()}
    rank = {label: i for i, label in enumerate(merge_orders(list(ordered.values())), start=1)}
    by_name = {b["breakdown"]: b for b in breakdowns}

    def sort_key(combo: tuple) -> tuple[int, int, int]:
        breakdown, group, subgroup = combo
        parts = breakdown.split(CROSS_SEPARATOR)
        second = position[parts[1]][subgroup] if len(parts) == 2 else -1
        return by_name[breakdown]["breakdown_sort_order"], position[parts[0]][group], second

    out = []
    for key, (breakdown, group, subgroup) in enumerate(sorted(combos, key=sort_key), start=1):
        label = by_name[breakdown]["breakdown_label"]
        shown = group if subgroup is None else f"{group}, {subgroup}"
        out.append({
            "group_key": key,
            "group_breakdown": breakdown,
            "group": group,
            "subgroup": subgroup,
            "group_label": TOTAL_GROUP if breakdown == TOTAL else f"{label}: {shown}",
            "unknown_group": group in _UNKNOWN or subgroup in _UNKNOWN,
            "group_order": rank[group],
            "subgroup_order": rank[subgroup] if subgroup is not None else None,
            "group_sort_order": key,
        })
    return out, {(r["group_breakdown"], r["group"], r["subgroup"]): r["group_key"] for r in out}


def merge_orders(sequences: list[list[str]]) -> list[str]:
    """One order of every label that keeps the order of each sequence it appears in.

    Power BI sorts a text column by another column only when each text has one sort value, so
    a label shared by breakdowns ("Not known" is in most of them) needs one number that sorts
    it right in all of them: a topological order of "comes before" between neighbours, ties
    broken by first appearance. Should two breakdowns order the same labels differently (a
    team named like an age band), the earliest-seen label is placed first and the order holds
    for all the others.
    """
    seen: dict[str, int] = {}
    for sequence in sequences:
        for label in sequence:
            seen.setdefault(label, len(seen))
    after: dict[str, set[str]] = {label: set() for label in seen}
    waiting = dict.fromkeys(seen, 0)
    for sequence in sequences:
        for before, later in itertools.pairwise(sequence):
            if later not in after[before]:
                after[before].add(later)
                waiting[later] += 1
    ready = [(seen[label], label) for label in seen if waiting[label] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(seen):
        if ready:
            label = heapq.heappop(ready)[1]
        else:  # a cycle: break it at the earliest-seen label still waiting
            label = min((x for x in seen if x not in placed), key=seen.__getitem__)
        if label in placed:
            continue
        placed.add(label)
        order.append(label)
        for later in sorted(after[label], key=seen.__getitem__):
            waiting[later] -= 1
            if waiting[later] == 0 and later not in placed:
                heapq.heappush(ready, (seen[later], later))
    return order


def _dim_run(record: dict[str, Any], policy: str) -> dict[str, Any]:
    view = record["disclosure"][policy]
    created = dt.datetime.fromisoformat(record["created_at"])
    if created.tzinfo is None:
        raise ExportError(f"run.json created_at {record['created_at']!r}: expected a time with "
                          "its UTC offset")
    source = record["input"]
    return {
        "run_id": record["run_id"],
        "run_created_at": created.astimezone(dt.UTC),
        "input_source": source.get("source"),
        "input_fingerprint": source.get("fingerprint"),
        "ingest_run_id": source.get("ingest_run_id"),
        "contract_version": source.get("contract_version"),
        "code_version": record["code_version"],
        "engine": record["engine"],
        "financial_years": ", ".join(p["label"] for p in record["periods"]),
        "confidence_level": float(record["parameters"].get("confidence", 0.95)),
        "disclosure_policy": view["name"],
        "disclosure_statement": view.get("statement") or view.get("description"),
        "export_policy": policy,
        "run_warnings": " | ".join(record.get("warnings") or []) or None,
    }


# -- tables ----------------------------------------------------------------------------------


def _blank_to_null(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Empty text becomes null, so CSV (where both are an empty field) and Parquet agree."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _fact(results: pa.Table, keys: dict[str, list[int]]) -> pa.Table:
    source = {"interval_method": "method"}
    arrays = []
    for column in FACT.columns:
        if column.name in keys:
            arrays.append(pa.array(keys[column.name], pa.int64()))
            continue
        values = results.column(source.get(column.name, column.name)).combine_chunks()
        values = values.cast(column.arrow_type)
        arrays.append(_blank_to_null(values) if column.kind == "text" else values)
    return pa.Table.from_arrays(arrays, schema=FACT.schema)


def _from_rows(spec: Table, rows: list[dict[str, Any]]) -> pa.Table:
    clean = [{k: (None if v == "" else v) for k, v in row.items()} for row in rows]
    return pa.Table.from_pylist(clean, schema=spec.schema)


def _check_not_null(spec: Table, table: pa.Table) -> None:
    for column in spec.columns:
        if column.nullable:
            continue
        nulls = table.column(column.name).null_count
        if nulls:
            first = table.column(column.name).is_null().to_pylist().index(True) + 1
            raise ExportError(f"{spec.name}.{column.name}: {nulls} row(s) have no value "
                              f"(first: row {first}); every row needs one")
