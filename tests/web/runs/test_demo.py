"""pcref demo and pcref serve: a second demo run skips every step whose output is current and
duplicates nothing; serve refuses to start without the production settings it needs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from django.contrib.auth import get_user_model
from rich.console import Console

from pcref.web import demo
from pcref.web.command import EXIT_CANNOT, run_serve
from pcref.web.dashboard.models import Figure, ResultsRun
from pcref.web.engagement.models import NetworkMember
from pcref.web.feedback.models import Submission
from pcref.web.governance.models import Action


def _recording() -> Console:
    return Console(record=True, width=200, file=io.StringIO())


def test_a_second_run_skips_every_step_and_rewrites_nothing(results_run_folder,
                                                            results_run_options, monkeypatch):
    data_dir = results_run_folder.parent
    # The code as it was when the fixture ran (others may commit while the tests run).
    recorded = json.loads((results_run_folder / "run.json").read_text())["code_version"]
    monkeypatch.setattr("pcref.ingest.pipeline.code_version", lambda: recorded)
    watched = [data_dir / "extract" / "truth.json", data_dir / "warehouse.duckdb",
               results_run_folder / "run.json", results_run_folder / "results.parquet"]
    before = {path: path.stat().st_mtime_ns for path in watched}
    console = _recording()
    folder = demo.prepare_results(data_dir, **results_run_options, console=console, err=console)
    assert folder == results_run_folder
    said = console.export_text()
    assert "1. Synthetic extract:" in said and "is current (seed 1); skipped." in said
    assert "2. Warehouse:" in said and "holds this extract" in said
    assert "3. Results:" in said and "is current; skipped." in said
    assert {path: path.stat().st_mtime_ns for path in watched} == before


def test_results_are_recomputed_when_periods_metrics_or_code_change(
        results_run_folder, results_run_options, monkeypatch):
    periods, metrics = results_run_options["periods"], results_run_options["metrics"]
    recorded = json.loads((results_run_folder / "run.json").read_text())["code_version"]
    monkeypatch.setattr("pcref.ingest.pipeline.code_version", lambda: recorded)
    folders = demo.DemoFolders(results_run_folder.parent)
    assert demo._results_out_of_date(folders, periods, metrics) is None
    assert demo._results_out_of_date(folders, ("2024-25",), metrics) == "other periods"
    assert demo._results_out_of_date(folders, periods, metrics[:2]) == "another set of metrics"
    monkeypatch.setattr("pcref.ingest.pipeline.code_version", lambda: "pcref 9.9 (git other)")
    reason = demo._results_out_of_date(folders, periods, metrics)
    assert reason.startswith("code changed since pcref ")


def test_setting_up_the_site_twice_duplicates_nothing(transactional_db, results_run_folder,
                                                      capsys):
    console = _recording()
    assert demo.set_up_site(results_run_folder, console=console, err=console) == 0
    figures, users = Figure.objects.count(), get_user_model().objects.count()
    submissions, members = Submission.objects.count(), NetworkMember.objects.count()
    actions = Action.objects.count()
    assert submissions > 0 and members > 0 and actions > 0  # the staff pages have content
    first_passwords = capsys.readouterr().out

    assert demo.set_up_site(results_run_folder, console=console, err=console) == 0
    assert "was already loaded; unchanged." in console.export_text()
    assert Figure.objects.count() == figures
    assert ResultsRun.objects.count() == 1 and ResultsRun.objects.get().is_current
    assert get_user_model().objects.count() == users == 5
    assert (Submission.objects.count(), NetworkMember.objects.count()) == (submissions, members)
    assert Action.objects.count() == actions
    second_passwords = capsys.readouterr().out
    for role in ("demo-viewer", "demo-analyst", "demo-moderator", "demo-pcref-lead",
                 "demo-administrator"):
        assert role in first_passwords and role in second_passwords


def test_serve_refuses_fewer_than_one_worker():
    console = _recording()
    assert run_serve("127.0.0.1:8000", 0, console=console, err=console) == EXIT_CANNOT
    assert "--workers 0: expected 1 or more" in console.export_text()


def test_serve_refuses_to_start_without_production_settings(tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("PCREF_", "DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", "from pcref.cli import app; app()", "serve"],
        env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_CANNOT
    assert "cannot start with pcref.web.settings.production" in result.stderr
    assert "PCREF_SECRET_KEY must be set for production" in result.stderr
