"""Fixtures for the results-in-the-app tests: helpers to break a copy of a run folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pcref.results.io import PARQUET_OPTIONS
from pcref.results.run import sha256_file


@pytest.fixture
def run_copy(results_run_folder, tmp_path):
    """A writable copy of the results run folder, to break."""
    return Path(shutil.copytree(results_run_folder, tmp_path / "copy"))


def _rewrite_results(folder: Path, relative: str, change) -> None:
    """Replace ``folder/relative`` with ``change(table)`` and record its new SHA-256 in
    run.json, as if pcref compute had written it (so only the change is wrong)."""
    path = folder / relative
    table = change(pq.read_table(path))
    pq.write_table(table, path, **PARQUET_OPTIONS)
    record_path = folder / "run.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["files"][relative] = sha256_file(path)
    record_path.write_text(json.dumps(record), encoding="utf-8")


def _set_cell(table: pa.Table, column: str, row: int, value) -> pa.Table:
    """``table`` with one cell (0-based ``row``) replaced."""
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.column_names.index(column)
    return table.set_column(index, table.field(column), pa.array(values, table.field(column).type))


@pytest.fixture
def rewrite_results():
    """``rewrite_results(folder, "results.parquet", change)``: see :func:`_rewrite_results`."""
    return _rewrite_results


@pytest.fixture
def set_cell():
    """``set_cell(table, column, row, value)``: see :func:`_set_cell`."""
    return _set_cell
