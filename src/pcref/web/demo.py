"""``pcref demo``: from nothing to the staff web application with synthetic data in one command.

The steps, each skipped when what it would make already exists and is current, so a second
run is quick and duplicates nothing:

1. synthesise a trust-scale extract (``pcref synth --scale trust --seed 1``), unless
   ``extract/truth.json`` records that same generation;
2. validate, pseudonymise (with the public demo key: synthetic data only) and ingest it into
   a DuckDB warehouse (``pcref ingest --demo``), unless the warehouse's latest ingest is of
   these very files (same input fingerprint);
3. compute the catalogue for 2022-23 to 2024-25 (``pcref compute``), unless ``run.json``
   already records a run of this warehouse ingest, these periods and metrics, this code
   version and the catalogue definitions as they are now;
4. bring the app database up to date (``migrate``), load the run (``pcref load``: a run
   already loaded is left alone), and create or reset one demo account per role (passwords
   printed);
5. serve on http://127.0.0.1:PORT (Django's server, local settings).

:func:`prepare_results` (steps 1-3) is also how the web tests make their small results run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

#: The demo's financial years.
DEMO_PERIODS = ("2022-23", "2023-24", "2024-25")
DEMO_SEED = 1
DEMO_SCALE = "trust"


@dataclass(frozen=True)
class DemoFolders:
    """Where each step writes, under the demo's data folder."""

    data_dir: Path

    @property
    def extract(self) -> Path:
        return self.data_dir / "extract"

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def results(self) -> Path:
        return self.data_dir / "results"


class DemoStepFailed(RuntimeError):
    """A step could not make its output; the message says which and why."""


def prepare_results(
    data_dir: Path,
    *,
    people: int | None = None,
    periods: tuple[str, ...] = DEMO_PERIODS,
    metrics: tuple[str, ...] | None = None,
    seed: int = DEMO_SEED,
    console: Console,
    err: Console,
) -> Path:
    """Synthesise, ingest and compute into ``data_dir`` (steps 1-3), skipping what is current;
    returns the results run folder. ``people`` (default: the trust scale's) and ``metrics``
    (default: the whole catalogue) make small runs for tests."""
    folders = DemoFolders(Path(data_dir))
    folders.data_dir.mkdir(parents=True, exist_ok=True)
    _synthesise(folders, people=people, seed=seed, console=console, err=err)
    _ingest(folders, console=console, err=err)
    _compute(folders, periods=periods, metrics=metrics, console=console, err=err)
    return folders.results


def _synthesise(folders: DemoFolders, *, people: int | None, seed: int, console: Console,
                err: Console) -> None:
    from pcref.synth.command import run_synth

    truth = folders.extract / "truth.json"
    wanted = {"seed": seed, "scale": DEMO_SCALE, "config_name": "default",
              "defects": "realistic", "format": "parquet"}
    if truth.is_file():
        generator = json.loads(truth.read_text(encoding="utf-8")).get("generator", {})
        made = {key: generator.get(key) for key in wanted}
        same_size = people is None or generator.get("people_target") == float(people)
        if made == wanted and same_size:
            console.print(f"1. Synthetic extract: {folders.extract} is current (seed {seed}); "
                          "skipped.", highlight=False)
            return
    console.print(f"1. Synthesising a {DEMO_SCALE}-scale extract into {folders.extract} …",
                  highlight=False)
    code = run_synth(folders.extract, scale=DEMO_SCALE, seed=seed, file_format="parquet",
                     config="default", defects="realistic", people=people, console=console,
                     err=err)
    if code != 0:
        raise DemoStepFailed(f"pcref synth could not write {folders.extract} (exit {code})")


def _ingest(folders: DemoFolders, *, console: Console, err: Console) -> None:
    from pcref.ingest.commands import run_ingest
    from pcref.ingest.pipeline import input_fingerprint
    from pcref.ingest.reader import discover_files

    if folders.warehouse.is_file():
        from pcref.contract import load_contract

        files = discover_files(folders.extract, load_contract()).files
        extract_fingerprint, _ = input_fingerprint(files)
        record = _ingest_record(folders.warehouse)
        if record is not None and record["input_fingerprint"] == extract_fingerprint:
            console.print(f"2. Warehouse: {folders.warehouse} holds this extract (ingest run "
                          f"{record['run_id']}); skipped.", highlight=False)
            return
    console.print(f"2. Validating and ingesting into {folders.warehouse} (demo key) …",
                  highlight=False)
    code = run_ingest(folders.extract, folders.warehouse, key_file=None, demo=True,
                      as_json=False, out=console, err=err)
    if code != 0:
        raise DemoStepFailed(f"pcref ingest refused {folders.extract} (exit {code}); "
                             "see its report above")


def _ingest_record(warehouse: Path) -> dict | None:
    from pcref.metrics.backend import DuckDBBackend
    from pcref.metrics.engine import ingest_record

    backend = DuckDBBackend.open(warehouse)
    try:
        return ingest_record(backend)
    finally:
        backend.close()


def _compute(folders: DemoFolders, *, periods: tuple[str, ...],
             metrics: tuple[str, ...] | None, console: Console, err: Console) -> None:
    from pcref.metrics.command import run_compute

    reason = _results_out_of_date(folders, periods, metrics)
    if reason is None:
        console.print(f"3. Results: {folders.results} is current; skipped.", highlight=False)
        return
    console.print(f"3. Computing {', '.join(periods)} into {folders.results} ({reason}) …",
                  highlight=False)
    code = run_compute(folders.warehouse, ",".join(periods), folders.results,
                       ",".join(metrics) if metrics else None, "duckdb",
                       console=console, err=err)
    # Exit 1: the run was written but some metric failed; the About page lists which.
    if code not in (0, 1) or not (folders.results / "run.json").is_file():
        raise DemoStepFailed(f"pcref compute could not write {folders.results} (exit {code})")


def _results_out_of_date(folders: DemoFolders, periods: tuple[str, ...],
                         metrics: tuple[str, ...] | None) -> str | None:
    """Why the results run must be computed again, or None when it is current."""
    from pcref.ingest.pipeline import code_version
    from pcref.metrics.catalogue import load_catalogue
    from pcref.metrics.engine import definitions

    path = folders.results / "run.json"
    if not path.is_file():
        return "none yet"
    record = json.loads(path.read_text(encoding="utf-8"))
    ingest = _ingest_record(folders.warehouse)
    catalogue = load_catalogue()
    wanted = list(metrics) if metrics else list(catalogue)
    if ingest is None or record.get("input", {}).get("ingest_run_id") != ingest["run_id"]:
        return "the warehouse has been ingested again"
    if [p["label"] for p in record.get("periods", [])] != list(periods):
        return "other periods"
    if sorted(record.get("metrics", {})) != sorted(wanted):
        return "another set of metrics"
    if record.get("code_version") != code_version():
        return f"code changed since {record.get('code_version')}"
    now = definitions([catalogue[m] for m in wanted])
    changed = [m for m in wanted
               if any(record["metrics"][m].get(k) != v for k, v in now[m].items())]
    if changed:
        return f"definitions changed: {', '.join(changed)}"
    return None


def run_demo(port: int, data_dir: Path, *, console: Console, err: Console) -> int:
    """Prepare, load and serve the demo. Returns the exit code (serving blocks until Ctrl+C)."""
    from pcref.web.command import EXIT_CANNOT

    try:
        results = prepare_results(data_dir, console=console, err=err)
    except DemoStepFailed as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    code = set_up_site(results, console=console, err=err,
                       warehouse=DemoFolders(data_dir).warehouse)
    if code:
        return code
    from django.core.management import call_command

    console.print(f"5. Serving http://127.0.0.1:{port}/ (Ctrl+C to stop). Sign in with an "
                  "account above.", highlight=False)
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    return code


def set_up_site(
    results: Path, *, console: Console, err: Console, warehouse: Path | None = None
) -> int:
    """Step 4: migrate the app database, load ``results`` (left alone if already loaded)
    and make it current, load the team list people give feedback about from ``warehouse``,
    create or reset the demo accounts (passwords printed), and add the synthetic feedback,
    engagement records and action plan the staff pages show (each added once)."""
    from pcref.web.command import EXIT_CANNOT, EXIT_OK, set_up_django

    settings_module = set_up_django()
    from django.core.management import call_command

    from pcref.web.dashboard.loading import LoadError, load_run

    console.print(f"4. App database ({settings_module}): migrating, loading {results}, "
                  "demo accounts …", highlight=False)
    call_command("migrate", interactive=False, verbosity=0)
    try:
        outcome = load_run(results, make_current=True)
    except LoadError as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    if outcome.loaded:
        console.print(f"   Loaded run {outcome.run.run_id}: {sum(outcome.rows.values()):,} "
                      f"figure rows in {outcome.seconds:.1f} s.", highlight=False)
    else:
        console.print(f"   Run {outcome.run.run_id} was already loaded; unchanged.",
                      highlight=False)
    if warehouse is not None:
        call_command("load_feedback_teams", str(warehouse), verbosity=0)
    call_command("create_demo_feedback", verbosity=0)
    call_command("create_demo_engagement", verbosity=0)
    call_command("create_demo_users")
    call_command("create_demo_governance", verbosity=0)  # its plan names the demo accounts
    return EXIT_OK
