"""The ``pcref synth`` command: run the generator with a Rich progress bar and a summary."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pcref.synth.config import ConfigError
from pcref.synth.generate import generate

#: Progress steps before the chunk loop, and after it (truth.json).
_STEPS = ("population", "people", "Mental Health Act events",
          "ward stays and restrictive interventions")


def run_synth(out: Path, *, scale: str, seed: int, file_format: str, config: str, defects: str,
              people: int | None, console: Console, err: Console) -> int:
    """Generate an extract into ``out``; returns the process exit code."""
    started = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        task = bar.add_task("starting", total=len(_STEPS) + 2)
        state = {"chunks": None, "base": len(_STEPS)}

        def progress(step: str, done: int, total: int) -> None:
            if step in _STEPS:
                bar.update(task, description=step, completed=_STEPS.index(step))
            elif step == "people, referrals and contacts":
                if state["chunks"] is None:
                    state["chunks"] = total
                    bar.update(task, total=len(_STEPS) + total + 1)
                bar.update(task, description=f"{step} (chunk {min(done + 1, total)} of {total})",
                           completed=len(_STEPS) + done)
            elif step == "truth.json":
                bar.update(task, description=step)
            elif step == "done":
                bar.update(task, description="done", completed=bar.tasks[0].total)

        try:
            result = generate(out, scale=scale, seed=seed, config=config,
                              file_format=file_format, defects=defects, people=people,
                              progress=progress)
        except (ConfigError, ValueError) as error:
            err.print(f"[red]Error:[/red] {error}")
            return 2
    table = Table(title=f"Synthetic extract in {out} ({time.perf_counter() - started:.1f} s)")
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    headline = next(d for d in result.truth["disparities"] if d["id"] == "detention_rate")
    black = headline["expected"]["groups_5"]["Black or Black British"]["ratio_to_white_british"]
    console.print(
        f"Injected: detention rate ratio Black or Black British vs White British = {black} "
        f"(standardised, expected); {result.defects.total():,} defect rows ({defects}). "
        f"True values: {Path(out) / 'truth.json'}")
    return 0
