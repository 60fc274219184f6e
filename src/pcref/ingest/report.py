"""Show a validation report: a Rich table for people, JSON for machines.

The table has one line per rule, file and column (fatal first) with the count and example
rows; under it, each fatal example is spelled out as one sentence naming file, row, column,
what was found and what was expected, so the fix can start from the message alone.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pcref.ingest.findings import Finding, ValidationReport
from pcref.ingest.rules import RULES


def to_json(report: ValidationReport, **extra: Any) -> str:
    """The report as JSON (``extra`` keys are added at the top level, e.g. the run)."""
    return json.dumps({**report.to_dict(), **extra}, indent=2, default=str)


def render(report: ValidationReport, console: Console) -> None:
    """Print the report: summary of tables read, findings table, fatal messages, verdict."""
    read = [s for s in report.sources.values() if s.file is not None]
    console.print(
        f"Extract [bold]{report.directory}[/]: {len(read)} of {len(report.sources)} contract "
        f"tables, {report.total_rows:,} rows (contract {report.contract_version}).",
        soft_wrap=True,
    )
    if report.findings:
        console.print(findings_table(report))
    fatal = report.fatal_findings
    if fatal:
        console.print(Text("Fatal problems (the extract cannot be loaded):", style="bold red"))
        for finding in sorted(fatal, key=lambda f: (f.table or "", f.rule.id, f.column or "")):
            for message in finding.messages():
                console.print(Text(f"  ✗ {message}"), soft_wrap=True)
            if finding.count > len(finding.examples) and finding.examples:
                console.print(
                    Text(f"    ... {finding.count - len(finding.examples):,} more "
                         f"{finding.rule.id} in {finding.where()}"), soft_wrap=True)
    console.print(verdict(report), soft_wrap=True)


def verdict(report: ValidationReport) -> Text:
    """One line: how many fatal problems and warnings, and what that means."""
    fatal = sum(f.count for f in report.fatal_findings)
    warnings = sum(f.count for f in report.warnings)
    if fatal:
        rules = len({f.rule.id for f in report.fatal_findings})
        return Text(f"REJECTED: {fatal:,} fatal problem(s) under {rules} rule(s); "
                    f"{warnings:,} warning(s).", style="bold red")
    if warnings:
        return Text(f"Valid, with {warnings:,} warning(s) under "
                    f"{len({f.rule.id for f in report.warnings})} rule(s).", style="yellow")
    return Text("Valid: no problems found.", style="green")


def findings_table(report: ValidationReport) -> Table:
    table = Table(title="Validation findings", show_lines=False, expand=False)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True, min_width=max(len(r.id) for r in RULES))
    table.add_column("File / column", overflow="fold")
    table.add_column("Count", justify="right", no_wrap=True)
    table.add_column("Examples", overflow="fold")
    for finding in report.sorted_findings():
        severity = Text(str(finding.rule.severity),
                        style="bold red" if finding.fatal else "yellow")
        where = finding.file or finding.table or ""
        if finding.column:
            where += f"\n{finding.column}"
        source = report.sources.get(finding.table or "")
        every_row = (finding.rule.level == "value" and source is not None
                     and source.rows > 1 and finding.count == source.rows)
        table.add_row(severity, finding.rule.id, where, f"{finding.count:,}",
                      "every row" if every_row else _examples_cell(finding))
    return table


def _examples_cell(finding: Finding) -> str:
    lines = []
    for example in finding.examples:
        row = f"row {example.row}" if example.row is not None else "file"
        value = "" if example.value is None else f" {example.value!r}"
        note = f" ({example.note})" if example.note else ""
        lines.append(f"{row}:{value}{note}" if value or note else row)
    return "\n".join(lines)
