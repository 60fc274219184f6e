"""The bodies of ``pcref report board`` and ``pcref report cqc`` (Typer wrappers in
pcref.cli). Both read the app database named by ``DJANGO_SETTINGS_MODULE``, else the local
settings (as ``pcref load`` does), and record the export in the audit log.

Exit codes: 0 written; 2 the database cannot be read, no run is loaded, or the period,
policy or output file is not valid (the message says which).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pcref.web.command import EXIT_CANNOT, EXIT_OK, app_database_problem, set_up_django

BOARD_SUFFIXES = (".html", ".pdf")


def _ready(echo: Callable[..., None]) -> bool:
    """Whether the app database can be used (else the reason is said on stderr)."""
    problem = app_database_problem(set_up_django())
    if problem:
        echo(problem, err=True)
    return problem is None


def run_board_report(out: Path, period: str | None, policy: str,
                     echo: Callable[..., None]) -> int:
    """Write the board report of the current run to ``out`` (.html or .pdf)."""
    if out.suffix.lower() not in BOARD_SUFFIXES:
        echo(f"Error: --out {out}: expected a file ending .html or .pdf.", err=True)
        return EXIT_CANNOT
    if policy not in ("public", "nhse"):
        echo(f"Error: --policy {policy!r}: expected public or nhse.", err=True)
        return EXIT_CANNOT
    if not _ready(echo):
        return EXIT_CANNOT
    from pcref.web.core.audit import AuditAction, record
    from pcref.web.dashboard.figures import current_run
    from pcref.web.publication.board_report import ReportError, build_board_report
    from pcref.web.publication.rendering import board_report_html, board_report_pdf

    try:
        report = build_board_report(current_run(), period, policy)
    except ReportError as error:
        echo(f"Error: {error}", err=True)
        return EXIT_CANNOT
    if out.suffix.lower() == ".pdf":
        out.write_bytes(board_report_pdf(report))
    else:
        out.write_text(board_report_html(report), encoding="utf-8")
    record(AuditAction.EXPORTED, obj=report.run, detail={
        "format": out.suffix.lower().lstrip("."), "disclosure_policy": policy,
        "report": "board", "period": report.period, "by": "pcref report board"})
    echo(f"Wrote the board report for {report.period} (results run {report.run.run_id}, "
         f"{policy} disclosure policy) to {out}.")
    return EXIT_OK


def run_cqc_pack(out: Path, period: str | None, include_internal: bool,
                 echo: Callable[..., None]) -> int:
    """Write the CQC evidence pack to ``out`` (.zip)."""
    if out.suffix.lower() != ".zip":
        echo(f"Error: --out {out}: expected a file ending .zip.", err=True)
        return EXIT_CANNOT
    if not _ready(echo):
        return EXIT_CANNOT
    from pcref.web.core.audit import AuditAction, record
    from pcref.web.dashboard.figures import current_run
    from pcref.web.publication.board_report import ReportError
    from pcref.web.publication.cqc_pack import cqc_pack_zip

    run = current_run()
    try:
        data = cqc_pack_zip(run, period, include_internal=include_internal)
    except ReportError as error:
        echo(f"Error: {error}", err=True)
        return EXIT_CANNOT
    out.write_bytes(data)
    record(AuditAction.EXPORTED, obj=run or "CQC evidence pack", detail={
        "format": "zip", "report": "cqc", "include_internal": include_internal,
        "disclosure_policy": "nhse" if include_internal else "public",
        "by": "pcref report cqc"})
    echo(f"Wrote the CQC evidence pack ({len(data):,} bytes"
         f"{', results run ' + run.run_id if run else ', no results run loaded'}) to {out}.")
    return EXIT_OK
