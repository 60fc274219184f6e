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
