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

from pcref.web.command import EXIT_CANNOT, EXIT_OK, app_database_problem, set_up_django


def run_retention(
    *, dry_run: bool, console: Console, err: Console, now: datetime | None = None
) -> int:
    """Apply (or, with ``dry_run``, count) every registered retention rule; report it."""
    problem = app_database_problem(set_up_django())
    if problem:
        err.print(Text(problem, style="bold red"), soft_wrap=True)
        return EXIT_CANNOT
    from pcref.web.core.retention import apply_retention

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
