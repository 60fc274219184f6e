"""The bodies of ``pcref load`` and ``pcref serve`` (the Typer wrappers are in pcref.cli;
``pcref demo`` is in :mod:`pcref.web.demo`).

``pcref load`` uses the Django settings in ``DJANGO_SETTINGS_MODULE``, else the local ones
(as ``manage.py`` does), so it fills the same database the demo site reads. ``pcref serve``
uses the production settings unless ``DJANGO_SETTINGS_MODULE`` says otherwise.

Exit codes: 0 done; 2 the run could not be loaded or the server cannot start (the message
says why).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

EXIT_OK = 0
EXIT_CANNOT = 2
LOCAL_SETTINGS = "pcref.web.settings.local"
PRODUCTION_SETTINGS = "pcref.web.settings.production"


def set_up_django(default_settings: str = LOCAL_SETTINGS) -> str:
    """Configure Django (once) and return the settings module in use."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    django.setup()
    return os.environ["DJANGO_SETTINGS_MODULE"]


def unapplied_migrations() -> list[str]:
    """Migrations the database still needs, as ``app.name`` (empty when it is up to date)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def app_database_problem(
    settings_module: str, *, then: str = "Run `uv run python manage.py migrate` first."
) -> str | None:
    """Why the commands cannot use the app database yet (it cannot be reached, or it has
    migrations to apply) as an error message, or ``None`` when it is ready. ``then`` says
    what to do about migrations."""
    from django.db import DatabaseError

    try:
        pending = unapplied_migrations()
    except DatabaseError as error:
        return f"Error: cannot reach the app database ({settings_module}): {error}"
    if pending:
        return (
            f"Error: the app database ({settings_module}) is not up to date: "
            f"{len(pending)} migration(s) to apply, e.g. {pending[0]}. {then}"
        )
    return None


def run_load(folder: Path, make_current: bool | None, *, console: Console,
             err: Console) -> int:
    """Load the results run in ``folder`` and report what happened. Returns the exit code."""
    problem = app_database_problem(set_up_django())
    if problem:
        err.print(Text(problem, style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    from pcref.web.dashboard.loading import LoadError, load_run

    try:
        outcome = load_run(folder, make_current=make_current)
    except LoadError as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    run = outcome.run
    if outcome.loaded:
        total = sum(outcome.rows.values())
        rate = total / outcome.seconds if outcome.seconds else float("inf")
        per_policy = ", ".join(f"{n:,} {policy}" for policy, n in outcome.rows.items())
        console.print(
            f"Loaded run {run.run_id} (made {run.created_at:%Y-%m-%d %H:%M} UTC, periods "
            f"{', '.join(run.periods)}) from {folder}: {run.metrics.count()} metrics, "
            f"{total:,} figure rows ({per_policy}) in {outcome.seconds:.2f} s "
            f"({rate:,.0f} rows/s).", soft_wrap=True, highlight=False)
    else:
        console.print(f"Run {run.run_id} is already loaded (from {run.source_path}); "
                      "its figures are unchanged.", soft_wrap=True, highlight=False)
    if outcome.made_current:
        console.print(f"Run {run.run_id} is now the current run.", highlight=False)
    elif not outcome.current:
        from pcref.web.dashboard.figures import current_run

        current = current_run()
        console.print(f"The current run is still {current.run_id}; pages show run "
                      f"{run.run_id} when chosen (?run={run.run_id}).", highlight=False)
    else:
        console.print(f"Run {run.run_id} is the current run.", highlight=False)
    return EXIT_OK


def run_serve(bind: str, workers: int, *, console: Console, err: Console) -> int:
    """Collect the static files, check the database, then replace this process with gunicorn
    serving ``pcref.web.wsgi`` (WhiteNoise serves the static files). Returns an exit code
    only when it cannot start."""
    from django.core.exceptions import ImproperlyConfigured

    if workers < 1:
        err.print(Text(f"Error: --workers {workers}: expected 1 or more", style="bold red"))
        return EXIT_CANNOT
    try:
        settings_module = set_up_django(PRODUCTION_SETTINGS)
    except ImproperlyConfigured as error:
        err.print(Text(f"Error: cannot start with {os.environ['DJANGO_SETTINGS_MODULE']}: "
                       f"{error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    from django.core.management import call_command

    problem = app_database_problem(
        settings_module, then="Run `uv run python manage.py migrate` with these settings first."
    )
    if problem:
        err.print(Text(problem, style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
    except (OSError, ValueError) as error:
        err.print(Text(f"Error: collecting static files failed ({error}); run "
                       "./scripts/web-build first", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    console.print(f"Serving with gunicorn on http://{bind}/ ({workers} worker(s), "
                  f"{settings_module}).", highlight=False)
    # No access log: it would hold people's IP addresses (DESIGN §10).
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "pcref.web.wsgi:application",
                               "--bind", bind, "--workers", str(workers)])
    return EXIT_OK  # not reached: execvp replaces the process
