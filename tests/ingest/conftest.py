"""A builder of small, valid extracts made from the data contract itself.

`minimal_tables()` gives every contract table one row (two people in the master patient
index, both with activity), every field filled with a value valid under the contract: codes
taken from the code lists (never a "not stated / not known" code), patterns satisfied by the
smallest string matching them, references pointing at the referenced table's first row. A
valid extract therefore raises no finding at all, and each test breaks exactly one thing.
"""

from __future__ import annotations

import copy
import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import find
from hypothesis import strategies as st
from typer.testing import CliRunner

from pcref import codelists
from pcref.cli import app
from pcref.contract import Field, load_contract

# Two NHS numbers whose check digits were worked by hand (see test_nhs_number.py).
VALID_NHS_NUMBERS = ("9434765919", "4010232137")


@cache
def _smallest_match(pattern: str) -> str:
    return find(st.from_regex(pattern, fullmatch=True), lambda _: True)


def _usable_codes(name: str) -> list[str]:
    unknown = {str(c) for c in codelists.info(name)["unknown_codes"]}
    return sorted(codelists.codes(name) - unknown)


def valid_value(table: str, spec: Field, row: int) -> str:
    """A value for ``table.spec`` in row ``row`` that the contract accepts."""
    contract = load_contract()
    if spec.references is not None:
        parent_table, parent_field = spec.references
        return valid_value(parent_table, contract[parent_table].fields[parent_field], 0)
    if spec.type == "person_id":
        return f"PERSON-{row + 1:03d}"
    if spec.type == "nhs_number":
        return VALID_NHS_NUMBERS[row % len(VALID_NHS_NUMBERS)]
    if spec.type == "code":
        usable = _usable_codes(spec.codelist)
        return usable[row % len(usable)]
    if spec.type == "date":
        return f"2024-01-{row + 10:02d}"
    if spec.type == "time":
        return "10:30"
    if spec.type == "integer":
        low = int(spec.minimum) if spec.minimum is not None else 40
        return str(low + row)
    if spec.type == "decimal":
        return "0.25"
    if spec.pattern is not None:
        return _smallest_match(spec.pattern)
    if spec.type == "identifier":
        return f"{spec.name}-{row + 1}"
    return f"{spec.name} {row + 1}"


def minimal_tables() -> dict[str, list[dict[str, str]]]:
    """Every contract table with one valid row (MHS001MPI with two), as text."""
    contract = load_contract()
    tables: dict[str, list[dict[str, str]]] = {}
    for table in contract.tables.values():
        rows = 2 if table.name == "MHS001MPI" else 1
        tables[table.name] = [
            {name: valid_value(table.name, spec, row) for name, spec in table.fields.items()}
            for row in range(rows)
        ]
    # The second person needs activity too, or they would be "without activity".
    second = tables["MHS001MPI"][1]["Person_ID"]
    extra_referral = dict(tables["MHS101Referral"][0], UniqServReqID="REFERRAL-2",
                          Person_ID=second)
    tables["MHS101Referral"].append(extra_referral)
    return tables


class Extract:
    """A mutable extract: ``tables[name]`` is a list of rows (dicts of text, None = blank)."""

    def __init__(self) -> None:
        self.tables = copy.deepcopy(_MINIMAL())

    def write(self, directory: Path, file_format: str = "csv") -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for name, rows in self.tables.items():
            columns = list(rows[0]) if rows else list(load_contract()[name].fields)
            if file_format == "csv":
                with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out, lineterminator="\n")
                    writer.writerow(columns)
                    writer.writerows([[row.get(c) or "" for c in columns] for row in rows])
            else:
                data = {c: pa.array([row.get(c) for row in rows], type=pa.string())
                        for c in columns}
                pq.write_table(pa.table(data), directory / f"{name}.parquet")
        return directory


_MINIMAL = cache(minimal_tables)


@pytest.fixture
def extract() -> Extract:
    """A fresh valid extract to break."""
    return Extract()


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    """A valid CSV extract written to disk."""
    return Extract().write(tmp_path / "extract")


@dataclass(frozen=True)
class Rejection:
    """What `pcref validate --json` said about a rejected extract."""

    finding: dict
    report: dict

    @property
    def fatal_rules(self) -> set[str]:
        return {f["rule"] for f in self.report["findings"] if f["severity"] == "fatal"}


def _rejected(
    directory: Path,
    rule_id: str,
    *,
    file: str,
    column: str | None,
    row: int | None,
    says: tuple[str, ...] = (),
) -> Rejection:
    """Run `pcref validate --json`: it must exit 1 and report ``rule_id`` for ``file`` and
    ``column`` with a first message naming the file, the row, the column and what was
    expected (plus every phrase in ``says``)."""
    result = CliRunner().invoke(app, ["validate", "--json", str(directory)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["fatal"] is True
    matching = [f for f in report["findings"] if f["rule"] == rule_id]
    assert matching, f"no {rule_id}: {report['counts_by_rule']}"
    finding = matching[0]
    assert finding["severity"] == "fatal"
    assert (finding["file"], finding["column"]) == (file, column)
    message = finding["messages"][0]
    assert message.startswith(file)
    if row is not None:
        assert finding["examples"][0]["row"] == row
        assert f"{file} row {row}" in message
    if column is not None:
        assert f"column {column}" in message
    assert "; expected " in message or ": expected " in message
    for part in says:
        assert part in message, message
    return Rejection(finding, report)


@pytest.fixture
def rejected():
    """`_rejected`, as a fixture so test modules can use it."""
    return _rejected
