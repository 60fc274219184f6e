"""What validation found: one `Finding` per rule, table and column, with a count and examples.

A finding says where (file, column), how often (count) and what was expected, and carries a
few example rows so the person fixing the extract can go straight to them. Row numbers are
file line numbers for CSV (the header is line 1, so the first data row is 2; a quoted value
spanning lines shifts later numbers) and record numbers for Parquet (the first record is 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcref.ingest.rules import Rule, Severity, rule

#: How many example rows a finding keeps.
EXAMPLES_PER_FINDING = 3


@dataclass(frozen=True)
class Example:
    """One offending row: its number, the value as read (None when blank, withheld or not
    applicable) and an optional note that explains it (e.g. 'looks like an Excel serial
    date'); with no value, the note says what was found."""

    row: int | None
    value: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Finding:
    """All occurrences of one rule in one column of one file (or one file-level problem)."""

    rule: Rule
    table: str | None
    file: str | None
    column: str | None
    count: int
    expected: str
    examples: tuple[Example, ...] = ()

    @classmethod
    def of(cls, rule_id: str, **fields: Any) -> Finding:
        """Build a finding from a rule id (looked up in the catalogue)."""
        return cls(rule=rule(rule_id), **fields)

    @property
    def fatal(self) -> bool:
        return self.rule.severity is Severity.FATAL

    def where(self, example: Example | None = None) -> str:
        """'MHS001MPI.csv row 7, column EthnicCategory' (as much of it as is known)."""
        parts = [self.file or self.table or "extract"]
        if example is not None and example.row is not None:
            parts[0] += f" row {example.row}"
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def messages(self) -> list[str]:
        """One short sentence per example (or one for the finding if it has none): where, what
        was found and what was expected."""
        if not self.examples:
            return [f"{self.where()}: expected {self.expected}"]
        lines = []
        for example in self.examples:
            if example.value is None:
                found = example.note or "blank"
            else:
                found = repr(example.value) + (f" ({example.note})" if example.note else "")
            lines.append(f"{self.where(example)}: {found}; expected {self.expected}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "severity": str(self.rule.severity),
            "table": self.table,
            "file": self.file,
            "column": self.column,
            "count": self.count,
            "expected": self.expected,
            "examples": [
                {"row": e.row, "value": e.value, "note": e.note} for e in self.examples
            ],
            "messages": self.messages(),
        }


@dataclass(frozen=True)
class TableSource:
    """Where a contract table came from in the extract, and how many rows it had."""

    table: str
    file: str | None
    format: str | None
    rows: int
    bytes: int = 0


@dataclass
class ValidationReport:
    """The outcome of validating one extract folder against the contract."""

    directory: Path
    contract_version: str
    sources: dict[str, TableSource] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        """True when any fatal rule fired: the extract must not be loaded."""
        return any(f.fatal for f in self.findings)

    @property
    def fatal_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.fatal]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.fatal]

    def counts_by_rule(self) -> dict[str, int]:
        """Total count per rule id, over all tables and columns (rules that fired only)."""
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.rule.id] = counts.get(finding.rule.id, 0) + finding.count
        return dict(sorted(counts.items()))

    def row_counts(self) -> dict[str, int]:
        return {name: source.rows for name, source in self.sources.items()}

    @property
    def total_rows(self) -> int:
        return sum(source.rows for source in self.sources.values())

    def sorted_findings(self) -> list[Finding]:
        """Fatal first, then by table, rule and column, for stable reports."""
        return sorted(
            self.findings,
            key=lambda f: (not f.fatal, f.table or "", f.rule.id, f.column or ""),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "contract_version": self.contract_version,
            "fatal": self.fatal,
            "tables": {
                name: {"file": s.file, "format": s.format, "rows": s.rows}
                for name, s in sorted(self.sources.items())
            },
            "counts_by_rule": self.counts_by_rule(),
            "findings": [f.to_dict() for f in self.sorted_findings()],
        }
