"""The `pcref` command line: one sub-command per stage of the data flow."""

import typer

app = typer.Typer(
    help="PCREF platform: synthesise, validate and ingest MHSDS-shaped extracts; "
    "compute the metric catalogue; report.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """PCREF platform command line."""


@app.command()
def version() -> None:
    """Print the platform version."""
    from pcref import __version__

    typer.echo(__version__)


@app.command("contract-docs")
def contract_docs(
    out: str = typer.Option("docs/data-contract.md", help="Where to write the page."),
) -> None:
    """Regenerate the data-contract documentation page from the contract file."""
    from pathlib import Path

    from pcref.contract.docs import render

    Path(out).write_text(render(), encoding="utf-8")
    typer.echo(f"wrote {out}")


@app.command("validate")
def validate_extract(
    directory: str = typer.Argument(..., help="Folder of TABLE.csv / TABLE.parquet files."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check an extract against the data contract without loading it (exit 1 if rejected)."""
    from pathlib import Path

    from rich.console import Console

    from pcref.ingest.commands import run_validate

    code = run_validate(Path(directory), as_json=json_output, out=Console(),
                        err=Console(stderr=True))
    raise typer.Exit(code)


@app.command("ingest")
def ingest_extract(
    directory: str = typer.Argument(..., help="Folder of TABLE.csv / TABLE.parquet files."),
    warehouse: str = typer.Option(..., "--warehouse", help="DuckDB warehouse file to replace."),
    key_file: str = typer.Option(
        None, "--key-file",
        help="File holding the pseudonymisation key (else $PCREF_PSEUDONYMISATION_KEY).",
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Use the public demo key (synthetic data only)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Validate an extract, pseudonymise it and replace the warehouse atomically."""
    from pathlib import Path

    from rich.console import Console

    from pcref.ingest.commands import run_ingest

    code = run_ingest(
        Path(directory), Path(warehouse), key_file=Path(key_file) if key_file else None,
        demo=demo, as_json=json_output, out=Console(), err=Console(stderr=True),
    )
    raise typer.Exit(code)


@app.command("compute")
def compute_results(
    warehouse: str = typer.Option(..., "--warehouse", help="DuckDB warehouse file (read only)."),
    period: str = typer.Option(
        ..., "--period", help="Financial year(s), e.g. 2024-25 or 2022-23,2023-24,2024-25."
    ),
    out: str = typer.Option(..., "--out", help="Folder to write the results run to."),
    metrics: str = typer.Option(
        None, "--metrics", help="Comma-separated metric ids (default: the whole catalogue)."
    ),
    engine: str = typer.Option(
        "duckdb", "--engine",
        help="duckdb (embedded, the default) or spark (a local Spark session; needs the spark "
        "extra and Java 17+: without them the command stops with exit code 2 and says which "
        "is missing).",
    ),
) -> None:
    """Compute the metric catalogue into a results run (exit 1 if a metric failed)."""
    from pathlib import Path

    from rich.console import Console

    from pcref.metrics.command import run_compute

    code = run_compute(
        Path(warehouse), period, Path(out), metrics, engine,
        console=Console(), err=Console(stderr=True),
    )
    raise typer.Exit(code)


@app.command("synth")
def synthesise(
    scale: str = typer.Option("trust", "--scale", help="trust (~80,000 people) or national "
                              "(~4 million)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: same seed and config, same bytes."),
    out: str = typer.Option(..., "--out", help="Folder to write the extract and truth.json to."),
    file_format: str = typer.Option("parquet", "--format", help="parquet or csv."),
    config: str = typer.Option(
        "default", "--config", help="default, no_disparity, or a YAML file path."
    ),
    defects: str = typer.Option(
        "realistic", "--defects", help="none, realistic (valid, with recording gaps) or all "
        "(adds fatal defects)."
    ),
    people: int = typer.Option(
        None, "--people", help="Override the number of people (scales the population; for "
        "tests and quick trials)."
    ),
) -> None:
    """Generate a synthetic MHSDS-shaped extract with injected, documented disparities."""
    from pathlib import Path

    from rich.console import Console

    from pcref.synth.command import run_synth

    code = run_synth(Path(out), scale=scale, seed=seed, file_format=file_format, config=config,
                     defects=defects, people=people, console=Console(),
                     err=Console(stderr=True))
    raise typer.Exit(code)


@app.command("export")
def export_results(
    results: str = typer.Argument(..., help="A results run folder (made by pcref compute)."),
    file_format: str = typer.Option(
        ..., "--format", help="powerbi (Parquet tables and Power Query) or csv."
    ),
    out: str = typer.Option(..., "--out", help="Folder to write the export to (new, empty, or "
                            "an earlier export of the same policy)."),
    policy: str = typer.Option(
        "public", "--policy", help="public (default: the disclosure-controlled figures that may "
        "be published) or internal (NHS England's rule, authorised staff only; every file is "
        "named internal_…)."
    ),
) -> None:
    """Export a results run as a star schema (fact table, dimensions, data dictionary)."""
    from pathlib import Path

    from rich.console import Console

    from pcref.export.command import run_export

    code = run_export(Path(results), file_format, Path(out), policy, console=Console(),
                      err=Console(stderr=True))
    raise typer.Exit(code)


# -- results in the web application: load, demo, serve ----------------------------------------


@app.command("load")
def load_results(
    results: str = typer.Argument(..., help="A results run folder (made by pcref compute)."),
    make_current: bool = typer.Option(
        None, "--make-current/--keep-current", help="Make the run the one pages show (default "
        "for a newly loaded run), or keep the current run (the first run loaded is always "
        "current)."
    ),
) -> None:
    """Load a results run (aggregated figures only) into the web application's database.

    Uses DJANGO_SETTINGS_MODULE, else the local settings. Loading a run again changes nothing.
    """
    from pathlib import Path

    from rich.console import Console

    from pcref.web.command import run_load

    code = run_load(Path(results), make_current, console=Console(), err=Console(stderr=True))
    raise typer.Exit(code)


@app.command("demo")
def demo(
    port: int = typer.Option(8000, "--port", help="Serve on http://127.0.0.1:PORT."),
    data_dir: str = typer.Option("demo-data", "--data-dir", help="Folder for the extract, "
                                 "warehouse and results run."),
) -> None:
    """Synthesise, ingest, compute, load and serve the demo; steps already done are skipped.

    Prints one demo account per role with its password. Synthetic data only.
    """
    from pathlib import Path

    from rich.console import Console

    from pcref.web.demo import run_demo

    code = run_demo(port, Path(data_dir), console=Console(), err=Console(stderr=True))
    raise typer.Exit(code)


@app.command("serve")
def serve(
    bind: str = typer.Option("127.0.0.1:8000", "--bind", help="Address and port for gunicorn."),
    workers: int = typer.Option(2, "--workers", help="gunicorn worker processes."),
) -> None:
    """Run the web application's production server (gunicorn; WhiteNoise serves static files).

    Production settings unless DJANGO_SETTINGS_MODULE says otherwise; refuses to start,
    naming the variable, when one is missing.
    """
    from rich.console import Console

    from pcref.web.command import run_serve

    code = run_serve(bind, workers, console=Console(), err=Console(stderr=True))
    raise typer.Exit(code)


# --- listening: pcref feedback (issue 6; pcref.listening) -------------------------------------
feedback_app = typer.Typer(
    help="Feedback themes and sentiment: train and evaluate the model; experience results.",
    no_args_is_help=True,
)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("train")
def feedback_train(
    labelled: str = typer.Option(..., "--labelled", help="Labelled comments, QDC CSV layout "
                                 "(docs/listening.md)."),
    out: str = typer.Option(..., "--out", help="Model folder to write."),
) -> None:
    """Train the theme and sentiment model; the model card records held-out scores."""
    from pathlib import Path

    from pcref.listening.commands import run_train

    raise typer.Exit(run_train(Path(labelled), Path(out), typer.echo))


@feedback_app.command("evaluate")
def feedback_evaluate(
    model: str = typer.Option(..., "--model", help="Model folder from 'pcref feedback train'."),
    labelled: str = typer.Option(..., "--labelled", help="Labelled comments to score against."),
) -> None:
    """Score a trained model and the rule baseline: micro/macro F1, F1 per theme, sentiment."""
    from pathlib import Path

    from pcref.listening.commands import run_evaluate

    raise typer.Exit(run_evaluate(Path(model), Path(labelled), typer.echo))


# --- moderation: pcref retention (issue 6 item 10; docs/moderation.md) -----------------------
@app.command("retention")
def retention(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Count what would be deleted or anonymised; change nothing."
    ),
) -> None:
    """Delete or anonymise records past their retention period, and say what was done.

    Uses DJANGO_SETTINGS_MODULE, else the local settings. Periods are settings
    (PCREF_FEEDBACK_RETENTION_DAYS, PCREF_RETENTION_*_DAYS); running it twice does nothing more.
    """
    from rich.console import Console

    from pcref.web.retention_command import run_retention

    raise typer.Exit(run_retention(dry_run=dry_run, console=Console(), err=Console(stderr=True)))


@feedback_app.command("results")
def feedback_results(
    out: str = typer.Option(..., "--out", help="Results folder to write."),
    period: str = typer.Option(..., "--period", help="Financial year, e.g. 2025-26."),
) -> None:
    """Experience metrics (FFT % positive, theme shares) from the feedback app's submissions,
    as a results folder: results.parquet, public/results.parquet, run.json."""
    from pathlib import Path

    from pcref.web.feedback_results import run_feedback_results

    raise typer.Exit(run_feedback_results(Path(out), period, typer.echo))


# --- publication: pcref report (issue 7 items 4-6; docs/reports.md) ---------------------------
report_app = typer.Typer(help="Board report (HTML or PDF) and CQC evidence pack.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("board")
def report_board(
    out: str = typer.Option(..., "--out", help="FILE.html or FILE.pdf to write."),
    period: str = typer.Option(None, "--period", help="e.g. 2024-25 (default: the run's "
                               "latest)."),
    policy: str = typer.Option("public", "--policy", help="public (for board papers that are "
                               "published) or nhse (internal)."),
) -> None:
    """The PCREF board report of the current results run, from the app database."""
    from pathlib import Path

    from pcref.web.publication.commands import run_board_report

    raise typer.Exit(run_board_report(Path(out), period, policy, typer.echo))


@report_app.command("cqc")
def report_cqc(
    out: str = typer.Option(..., "--out", help="FILE.zip to write."),
    period: str = typer.Option(None, "--period", help="Period of the board report in the "
                               "pack (default: the run's latest)."),
    include_internal: bool = typer.Option(
        False, "--include-internal", help="Add the figures under NHS England's MHSDS rule "
        "(for sharing with CQC under an information-sharing agreement)."),
) -> None:
    """CQC evidence pack: plan, self-assessments, metrics, feedback -> action -> outcome."""
    from pathlib import Path

    from pcref.web.publication.commands import run_cqc_pack

    raise typer.Exit(run_cqc_pack(Path(out), period, include_internal, typer.echo))
