"""The body of ``pcref export`` (the Typer wrapper is in pcref.cli).

Exit codes: 0 the export was written; 2 it could not be (not a results run, a changed file, an
unknown format or policy, an output folder holding something else). An internal export prints
a warning to standard error every time.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

EXIT_OK = 0
EXIT_CANNOT_EXPORT = 2


def run_export(results: Path, fmt: str, out: Path, policy: str, *, console: Console,
               err: Console) -> int:
    """Export the run and print a summary. Returns the exit code."""
    from pcref.export import ExportError, export_run
    from pcref.export.files import INTERNAL_BANNER
    from pcref.export.star import INTERNAL

    try:
        star, files = export_run(results, out, fmt, policy=policy)
    except ExportError as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT_EXPORT
    if star.policy == INTERNAL:
        err.print(Text(f"Warning: {INTERNAL_BANNER}", style="bold red"), soft_wrap=True)
    fact = star.tables["fact_result"].num_rows
    console.print(
        f"Exported run {star.run_id} ({star.policy}: {star.disclosure_policy} disclosure rule) "
        f"as {fmt} to {out}: {fact:,} result rows, {len(files)} files.", soft_wrap=True)
    for name in files:
        console.print(f"  {name}", soft_wrap=True, highlight=False)
    return EXIT_OK
