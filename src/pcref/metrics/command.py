"""The body of ``pcref compute`` (the Typer wrapper is in pcref.cli).

Exit codes: 0 every selected metric was computed or skipped by design (an optional table not
supplied); 1 the run was written but at least one metric failed (see run.json); 2 the run
could not start (bad period, unknown metric id, unusable warehouse, unavailable engine).
Progress (a bar per metric) and errors go to standard error, the summary to standard output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

EXIT_OK = 0
EXIT_METRIC_FAILED = 1
EXIT_CANNOT_RUN = 2


def run_compute(
    warehouse: Path,
    period: str,
    out: Path,
    metrics: str | None,
    engine: str,
    *,
    console: Console,
    err: Console,
) -> int:
    """Compute the catalogue and write the results run. Returns the exit code."""
    from pcref.metrics import engine as metric_engine
    from pcref.metrics.catalogue import load_catalogue
    from pcref.metrics.periods import parse_periods

    try:
        periods = parse_periods(period)
        metric_ids = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
        selected = metric_engine.select_metrics(load_catalogue(), metric_ids)
    except (ValueError, metric_engine.EngineError) as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT_RUN
    try:
        with _progress(err, len(selected)) as progress:
            computed = metric_engine.run(
                warehouse, periods, out, [m.id for m in selected], engine=engine,
                progress=progress,
            )
    except metric_engine.EngineError as error:
        err.print(Text(f"Error: {error}", style="bold red"), soft_wrap=True)
        return EXIT_CANNOT_RUN
    _summary(computed, out, console)
    return EXIT_METRIC_FAILED if computed.failed else EXIT_OK


def _summary(computed, out: Path, console: Console) -> None:
    record = computed.record
    metrics = record["metrics"]
    counts: dict[str, int] = {}
    for entry in metrics.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    seconds = sum(entry["seconds"] for entry in metrics.values())
    periods = ", ".join(p["label"] for p in record["periods"])
    console.print(
        f"Results run {computed.run_id} for {periods}: "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + f"; {record['rows']['internal']:,} rows in {seconds:.1f} s. Written to {out} "
        "(results.parquet internal, public/results.parquet public, run.json).",
        soft_wrap=True, highlight=False,
    )
    for metric_id, entry in metrics.items():
        if entry["status"] != "computed":
            style = "bold red" if entry["status"] == "failed" else "yellow"
            console.print(Text(f"  {entry['status']}: {metric_id}: {entry['reason']}",
                               style=style), soft_wrap=True)
    for warning in record.get("warnings", []):
        console.print(Text(f"  warning: {warning}", style="yellow"), soft_wrap=True)


@contextmanager
def _progress(err: Console, total: int) -> Iterator[Callable[[str, str], None] | None]:
    """A Rich progress bar advancing per metric, on standard error when it is a terminal."""
    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description:<44}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=total)

        def advance(event: str, metric_id: str) -> None:
            if event == "start":
                bar.update(task, description=f"computing {metric_id}")
            else:
                bar.update(task, advance=1)

        yield advance
