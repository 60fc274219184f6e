"""The body of ``pcref retention [--dry-run]`` (the Typer wrapper is in pcref.cli).

Uses the Django settings in ``DJANGO_SETTINGS_MODULE``, else the local ones, like
``pcref load``. Prints one line per rule — what, which table, how many rows were deleted
or anonymised (or would be, with ``--dry-run``), the period — and a total.

Exit codes: 0 done; 2 the database cannot be reached or is not up to date.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.text import Text

from pcref.web.command import EXIT_CANNOT, EXIT_OK, set_up_django, unapplied_migrations


def run_retention(
    *, dry_run: bool, console: Console, err: Console, now: datetime | None = None
) -> int:
    """Apply (or, with ``dry_run``, count) every registered retention rule; report it."""
    settings_module = set_up_django()
    from django.db import DatabaseError

    from pcref.web.core.retention import apply_retention

    try:
        pending = unapplied_migrations()
    except DatabaseError as error:
        err.print(Text(f"Error: cannot reach the app database ({settings_module}): {error}",
                       style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    if pending:
        err.print(Text(
            f"Error: the app database ({settings_module}) is not up to date: "
            f"{len(pending)} migration(s) to apply, e.g. {pending[0]}. Run "
            "`uv run python manage.py migrate` first.", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT

    results = apply_retention(now=now, dry_run=dry_run)
    if dry_run:
        console.print("Dry run: nothing has been changed.")
    for result in results:
        rule = result.rule
        done = f"would be {rule.action}" if dry_run else rule.action
        console.print(
            f"{rule.name} ({rule.table}): {result.rows} {done}; kept {rule.period()}",
            soft_wrap=True, highlight=False,
        )
    total = sum(result.rows for result in results)
    console.print(f"{total} row(s) {'would be' if dry_run else 'were'} deleted or anonymised.",
                  highlight=False)
    return EXIT_OK
