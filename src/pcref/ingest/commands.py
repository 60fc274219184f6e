"""The bodies of ``pcref validate`` and ``pcref ingest`` (the Typer wrappers are in pcref.cli).

Exit codes: 0 the extract is valid (and loaded, for ingest); 1 the extract broke a fatal rule
(nothing loaded); 2 the command cannot run (no key, folder missing, the warehouse path is not
a pcref warehouse). Reports go to standard output, progress and errors to standard error.

Without a key, ingest refuses, except with ``--demo`` or for a synthetic extract made by
``pcref synth`` (recognised by its ``truth.json``): both use the public demo key and say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from pcref.ingest.findings import ValidationReport
from pcref.ingest.pipeline import ExtractRejected, ingest, total_steps, validate
from pcref.ingest.pseudonymise import PseudonymisationKeyError, demo_key, load_key
from pcref.ingest.report import render, to_json
from pcref.ingest.warehouse import WarehouseError

#: The file pcref.synth writes beside every synthetic extract (what was generated, and how).
SYNTHETIC_MARKER = "truth.json"

EXIT_VALID = 0
EXIT_REJECTED = 1
EXIT_CANNOT_RUN = 2


def run_validate(directory: Path, *, as_json: bool, out: Console, err: Console) -> int:
    """Validate without loading; print the report. Returns the exit code."""
    try:
        with _progress(err, loading=False) as progress:
            report = validate(directory, progress=progress)
    except FileNotFoundError as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT_RUN
    _show(report, as_json=as_json, out=out)
    return EXIT_REJECTED if report.fatal else EXIT_VALID


def run_ingest(
    directory: Path,
    warehouse: Path,
    *,
    key_file: Path | None,
    demo: bool,
    as_json: bool,
    out: Console,
    err: Console,
) -> int:
    """Validate, then load into the warehouse if no fatal rule fired. Returns the exit code."""
    reason = "--demo"
    try:
        key = load_key(key_file, demo=demo)
    except PseudonymisationKeyError as error:
        if not (key_file is None and not demo and is_synthetic_extract(directory)):
            err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
            return EXIT_CANNOT_RUN
        key = demo_key()
        reason = ("no key given, and the extract is synthetic: its truth.json was written by "
                  "pcref.synth")
    if key.demo:
        err.print(Text(
            f"DEMO KEY: pseudonymising with the public demo key ({reason}). Anyone can "
            "recompute these pseudonyms; use it for synthetic data only.", style="bold yellow"),
            soft_wrap=True)
    try:
        with _progress(err, loading=True) as progress:
            result = ingest(directory, warehouse, key, progress=progress)
    except ExtractRejected as rejected:
        _show(rejected.report, as_json=as_json, out=out, loaded=False)
        err.print(Text(f"Not loaded: {warehouse} is unchanged.", style="bold red"),
                  soft_wrap=True)
        return EXIT_REJECTED
    except (FileNotFoundError, WarehouseError) as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT_RUN
    run = result.run
    summary = {
        "warehouse": str(result.warehouse),
        "run_id": run.run_id,
        "input_fingerprint": run.input_fingerprint,
        "key_id": run.key_id,
        "demo_key": run.demo_key,
        "row_counts": run.row_counts,
    }
    _show(result.report, as_json=as_json, out=out, loaded=True, run=summary)
    if not as_json:
        out.print(
            f"Loaded {result.report.total_rows:,} rows from {len(run.row_counts)} tables into "
            f"{result.warehouse} (run {run.run_id}, input fingerprint "
            f"{run.input_fingerprint[:16]}, key id {run.key_id}"
            f"{', DEMO key' if run.demo_key else ''}).",
            soft_wrap=True,
        )
    return EXIT_VALID


def is_synthetic_extract(directory: Path) -> bool:
    """True when the folder holds the ``truth.json`` that pcref.synth writes beside a synthetic
    extract. Only then may ingest fall back to the demo key when no key is given: synthetic
    extracts describe no real patients. A real extract never has this file."""
    truth = Path(directory) / SYNTHETIC_MARKER
    try:
        with truth.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r'"generator"\s*:\s*\{\s*"package"\s*:\s*"pcref\.synth"', head) is not None


def _show(report: ValidationReport, *, as_json: bool, out: Console, **extra) -> None:
    if as_json:
        out.out(to_json(report, **extra), highlight=False)
    else:
        render(report, out)


@contextmanager
def _progress(err: Console, *, loading: bool) -> Iterator[Callable[[str], None] | None]:
    """A Rich progress bar over the tables, on standard error when it is a terminal."""
    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=total_steps(loading=loading))

        def advance(description: str) -> None:
            bar.update(task, description=description, advance=1)

        yield advance
