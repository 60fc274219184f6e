"""pcref load: a results run goes into the app database exactly as pcref compute wrote it,
once; a folder that is not a complete, unchanged results run is refused with the file, row
and column named, and nothing is written."""

from __future__ import annotations

import json
import math

import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.db import IntegrityError, transaction
from typer.testing import CliRunner

from pcref.cli import app
from pcref.results.schema import RESULTS_COLUMNS
from pcref.web.core.audit import AuditAction
from pcref.web.core.models import AuditEvent
from pcref.web.dashboard import loading
from pcref.web.dashboard.loading import LoadError, load_run
from pcref.web.dashboard.models import Figure, Metric, ResultsRun

STORED = [c for c in RESULTS_COLUMNS if c not in ("run_id", "disclosure_policy")]


def _stored_frame(run: ResultsRun, policy: str) -> pd.DataFrame:
    fields = [c for c in STORED if c != "metric_id"]
    rows = Figure.objects.filter(run=run, disclosure_policy=policy).values_list(
        "metric__metric_id", *fields)
    return pd.DataFrame(list(rows), columns=["metric_id", *fields])


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal row for row after sorting, missing equal to missing, floats exactly."""
    key = ["metric_id", "period", "breakdown", "group", "subgroup", "statistic"]
    left = left[STORED].astype(object).sort_values(key, na_position="first").reset_index(drop=True)
    right = right[STORED].astype(object).sort_values(key, na_position="first").reset_index(
        drop=True)
    assert len(left) == len(right)
    for column in STORED:
        for i, (a, b) in enumerate(zip(left[column], right[column], strict=True)):
            a_missing = a is None or (isinstance(a, float) and math.isnan(a))
            b_missing = b is None or (isinstance(b, float) and math.isnan(b))
            assert a_missing == b_missing and (a_missing or a == b), (column, i, a, b)


def test_a_run_is_loaded_as_pcref_compute_wrote_it(db, results_run_folder):
    outcome = load_run(results_run_folder)
    record = json.loads((results_run_folder / "run.json").read_text())
    run = outcome.run

    assert outcome.loaded and outcome.current and outcome.made_current
    assert run.run_id == record["run_id"]
    assert run.is_current
    assert run.periods == ["2023-24", "2024-25"]
    assert run.metadata == record
    assert run.input_fingerprint == record["input"]["fingerprint"]
    assert Metric.objects.filter(run=run).count() == len(record["metrics"])
    assert outcome.rows == {"nhse": record["rows"]["internal"],
                            "public": record["rows"]["public"]}
    internal = pq.read_table(results_run_folder / "results.parquet").to_pandas()
    public = pq.read_table(results_run_folder / "public" / "results.parquet").to_pandas()
    _same(_stored_frame(run, "nhse"), internal)
    _same(_stored_frame(run, "public"), public)
    event = AuditEvent.objects.get(action=AuditAction.RESULTS_LOADED)
    assert event.object_repr == f"results run {run.run_id}"
    assert event.detail["rows"] == outcome.rows


def test_metric_definitions_are_the_catalogue_sql_as_run(db, results_run_folder):
    from pcref.metrics.catalogue import load_catalogue

    run = load_run(results_run_folder).run
    shipped = load_catalogue()["access_referral_via_police"]
    metric = Metric.objects.get(run=run, metric_id="access_referral_via_police")
    assert metric.sql == shipped.sql
    assert (metric.title, metric.family, metric.unit, metric.method) == (
        shipped.title, shipped.family, shipped.unit, shipped.method)
    assert metric.improvement_direction == "decrease"
    assert metric.reference_group == shipped.reference_group
    # The catalogue's "neutral" is the app's "neither".
    neutral = Metric.objects.get(run=run, metric_id="access_people_in_contact")
    assert neutral.improvement_direction == "neither"


def test_loading_the_same_run_again_changes_nothing(db, results_run_folder):
    first = load_run(results_run_folder)
    count = Figure.objects.count()
    again = load_run(results_run_folder)
    assert not again.loaded and not again.made_current and again.rows == {}
    assert again.run.pk == first.run.pk
    assert Figure.objects.count() == count
    assert ResultsRun.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RESULTS_LOADED).count() == 1


def test_a_new_run_becomes_current_and_earlier_runs_are_kept(
        db, results_run_folder, second_results_run_folder):
    first = load_run(results_run_folder).run
    second = load_run(second_results_run_folder).run
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    assert ResultsRun.objects.count() == 2
    assert Figure.objects.filter(run=first).count() > 0

    # Making an earlier run current again writes no figures.
    count = Figure.objects.count()
    back = load_run(results_run_folder, make_current=True)
    assert back.made_current and not back.loaded
    assert Figure.objects.count() == count
    assert list(ResultsRun.objects.filter(is_current=True)) == [first]
    assert AuditEvent.objects.filter(action=AuditAction.RESULTS_MADE_CURRENT).count() == 1


def test_keep_current_loads_without_switching_except_for_the_first_run(
        db, results_run_folder, second_results_run_folder):
    first = load_run(results_run_folder, make_current=False)
    assert first.current, "the first run loaded is always current"
    second = load_run(second_results_run_folder, make_current=False)
    assert second.loaded and not second.current
    assert list(ResultsRun.objects.filter(is_current=True)) == [first.run]


def test_the_database_allows_only_one_current_run(db, results_run_folder,
                                                  second_results_run_folder):
    load_run(results_run_folder)
    second = load_run(second_results_run_folder, make_current=False).run
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultsRun.objects.filter(pk=second.pk).update(is_current=True)


def test_a_failure_part_way_leaves_nothing_behind(db, results_run_folder, monkeypatch):
    real = loading._load_figures

    def fail_on_public(run, metrics, policy, table):
        if policy == "public":
            raise RuntimeError("disk full")
        return real(run, metrics, policy, table)

    monkeypatch.setattr(loading, "_load_figures", fail_on_public)
    with pytest.raises(RuntimeError):
        load_run(results_run_folder)
    assert not ResultsRun.objects.exists()
    assert not Figure.objects.exists()
    assert not AuditEvent.objects.exists()


# -- refused folders --------------------------------------------------------------------------


def _refused(folder) -> str:
    with pytest.raises(LoadError) as caught:
        load_run(folder)
    assert not ResultsRun.objects.exists()
    return str(caught.value)


def test_a_folder_without_run_json_is_refused(db, run_copy):
    (run_copy / "run.json").unlink()
    assert "has no run.json" in _refused(run_copy)


def test_a_missing_public_file_is_refused(db, run_copy):
    (run_copy / "public" / "results.parquet").unlink()
    assert "public/results.parquet is missing" in _refused(run_copy)


def test_a_file_changed_after_compute_is_refused(db, run_copy, set_cell):
    path = run_copy / "results.parquet"
    table = pq.read_table(path)
    pq.write_table(set_cell(table, "value", 0, 1.0), path)
    message = _refused(run_copy)
    assert "results.parquet is not the file run" in message and "SHA-256" in message


def test_a_missing_column_is_named(db, run_copy, rewrite_results):
    rewrite_results(run_copy, "results.parquet", lambda t: t.drop(["ratio_method"]))
    message = _refused(run_copy)
    assert str(run_copy / "results.parquet") in message
    assert "missing column(s) ratio_method" in message


def test_a_column_outside_the_results_schema_is_refused(db, run_copy, rewrite_results):
    import pyarrow as pa

    rewrite_results(run_copy, "public/results.parquet", lambda t: t.append_column(
        "Person_ID", pa.array(["P1"] * t.num_rows)))
    message = _refused(run_copy)
    assert str(run_copy / "public" / "results.parquet") in message
    assert "unexpected column(s) Person_ID" in message


def test_a_column_of_the_wrong_type_is_named(db, run_copy, rewrite_results):
    import pyarrow as pa

    def as_text(table):
        index = table.column_names.index("numerator")
        values = [None if v is None else str(v) for v in table.column("numerator").to_pylist()]
        return table.set_column(index, "numerator", pa.array(values, pa.string()))

    rewrite_results(run_copy, "results.parquet", as_text)
    assert "column numerator is string, expected int64" in _refused(run_copy)


def test_a_row_from_another_run_is_named(db, run_copy, rewrite_results, set_cell):
    rewrite_results(run_copy, "results.parquet",
                    lambda t: set_cell(t, "run_id", 4, "another-run"))
    assert "results.parquet row 5: run_id 'another-run'" in _refused(run_copy)


def test_an_empty_required_cell_is_named(db, run_copy, rewrite_results, set_cell):
    rewrite_results(run_copy, "public/results.parquet",
                    lambda t: set_cell(t, "status", 2, None))
    message = _refused(run_copy)
    assert "public/results.parquet row 3: column status is empty" in message


def test_a_count_disclosure_control_would_withhold_is_refused(db, run_copy, rewrite_results,
                                                             set_cell):
    table = pq.read_table(run_copy / "public" / "results.parquet")
    row = next(i for i, v in enumerate(table.column("numerator").to_pylist()) if v)
    rewrite_results(run_copy, "public/results.parquet",
                    lambda t: set_cell(t, "numerator", row, 3))
    message = _refused(run_copy)
    assert f"row {row + 1}: numerator 3" in message and "public rule" in message


def test_the_same_run_id_with_other_files_is_refused(db, results_run_folder, run_copy,
                                                     rewrite_results, set_cell):
    load_run(results_run_folder)
    rewrite_results(run_copy, "results.parquet", lambda t: set_cell(t, "display_value", 0, "x"))
    with pytest.raises(LoadError, match=r"already loaded .* with different results files"):
        load_run(run_copy)


# -- the command ------------------------------------------------------------------------------


def test_pcref_load_reports_rows_per_second_then_says_it_has_the_run(
        transactional_db, results_run_folder):
    runner = CliRunner()
    first = runner.invoke(app, ["load", str(results_run_folder)])
    assert first.exit_code == 0, first.output
    assert "Loaded run" in first.output and "rows/s" in first.output
    assert "is now the current run" in first.output
    again = runner.invoke(app, ["load", str(results_run_folder)])
    assert again.exit_code == 0
    assert "is already loaded" in again.output and "unchanged" in again.output


def test_pcref_load_of_a_broken_folder_exits_2_naming_the_problem(transactional_db, tmp_path):
    result = CliRunner().invoke(app, ["load", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no run.json" in result.output
