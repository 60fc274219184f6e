"""Validate an extract folder, and load it into the warehouse when no fatal rule fires.

``validate`` stages the files as text in an in-memory DuckDB and runs every check;
``ingest`` does the same, refuses on any fatal finding (raising `ExtractRejected`, the
warehouse untouched), and otherwise pseudonymises and writes the warehouse atomically with a
record of the run. The input fingerprint is hashed in a background thread while DuckDB reads.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pcref import __version__
from pcref.contract import Contract, load_contract
from pcref.ingest.checks import run_checks
from pcref.ingest.findings import TableSource, ValidationReport
from pcref.ingest.pseudonymise import PseudonymisationKey
from pcref.ingest.reader import StagedTable, discover_files, stage_extract
from pcref.ingest.warehouse import (
    IngestRun,
    new_run_id,
    person_pseudonyms,
    previous_runs,
    write_warehouse,
)

#: Called at the start of each step with a short description ("reading MHS001MPI").
Progress = Callable[[str], None]


class ExtractRejected(Exception):
    """The extract broke at least one fatal rule; nothing was loaded."""

    def __init__(self, report: ValidationReport):
        self.report = report
        fatal = report.fatal_findings
        super().__init__(
            f"extract {report.directory} rejected: {sum(f.count for f in fatal)} fatal "
            f"problem(s) under {len({f.rule.id for f in fatal})} rule(s); first: "
            f"{fatal[0].messages()[0]}"
        )


@dataclass(frozen=True)
class IngestResult:
    """A successful ingest: the validation report (warnings only) and the run recorded."""

    report: ValidationReport
    run: IngestRun
    warehouse: Path


def total_steps(contract: Contract | None = None, *, loading: bool) -> int:
    """How many times `validate` / `ingest` call ``progress`` (for a progress bar)."""
    tables = len((contract or load_contract()).tables)
    return tables * (3 if loading else 2)


def validate(
    directory: Path | str,
    *,
    contract: Contract | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Check an extract folder against the contract without loading it."""
    with staging_database() as connection:
        report, _, _ = _validate(connection, Path(directory), contract, progress)
        return report


def ingest(
    directory: Path | str,
    warehouse: Path | str,
    key: PseudonymisationKey,
    *,
    contract: Contract | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Validate the extract and, if no fatal rule fires, replace ``warehouse`` atomically.

    Raises `ExtractRejected` (with the report) on fatal findings and
    `pcref.ingest.warehouse.WarehouseError` if ``warehouse`` exists but is not a pcref
    warehouse; in both cases the existing file is left exactly as it was.
    """
    contract = contract or load_contract()
    warehouse = Path(warehouse)
    previous_runs(warehouse)  # refuse before any work if the target is not ours
    started_at = datetime.now(UTC)
    with staging_database() as connection, ThreadPoolExecutor(max_workers=1) as pool:
        pseudonyms: list[Future] = []

        def pseudonymise(staged: dict[str, StagedTable]) -> None:
            # The HMACs are computed while DuckDB runs the checks (it releases the GIL).
            cursor = connection.cursor()

            def compute() -> pa.Table:
                try:
                    return person_pseudonyms(cursor, contract, staged, key)
                finally:
                    cursor.close()

            pseudonyms.append(pool.submit(compute))

        try:
            report, staged, (digest, files) = _validate(
                connection, Path(directory), contract, progress, after_staging=pseudonymise)
            if report.fatal:
                raise ExtractRejected(report)

            def make_run() -> IngestRun:
                return IngestRun(
                    run_id=new_run_id(),
                    started_at=started_at,
                    finished_at=datetime.now(UTC),
                    input_fingerprint=digest,
                    input_files=files,
                    row_counts=report.row_counts(),
                    issue_counts=report.counts_by_rule(),
                    issues=[
                        {name: value for name, value in f.to_dict().items()
                         if name in ("rule", "severity", "table", "column", "count")}
                        for f in report.sorted_findings()
                    ],
                    contract_version=contract.version,
                    code_version=code_version(),
                    key_id=key.key_id,
                    demo_key=key.demo,
                )

            on_table = (lambda name: progress(f"writing {name}")) if progress else None
            run = write_warehouse(connection, warehouse, contract, staged,
                                  pseudonyms[0].result(), make_run, on_table)
            return IngestResult(report=report, run=run, warehouse=warehouse)
        finally:
            for future in pseudonyms:
                future.cancel()
            wait(pseudonyms)


#: Share of physical memory the staging database may use before spilling to disk.
MEMORY_FRACTION = 0.5


@contextmanager
def staging_database() -> Iterator[duckdb.DuckDBPyConnection]:
    """The in-memory staging database, with a private folder to spill to.

    Insertion order must be kept: staged rowids are the row numbers reported to users. The
    checkpoint threshold is raised because an in-memory database otherwise checkpoints
    (compressing the staged text) once 16 MB have been written, which for a trust-scale
    extract cost more CPU than reading the files; the staging tables live only for the run.
    DuckDB may use `MEMORY_FRACTION` of the machine's memory and spills the rest (staged
    tables included) to a temporary folder, removed afterwards, so a national-scale extract
    neither exhausts memory nor fills the working directory.
    """
    with tempfile.TemporaryDirectory(prefix="pcref-ingest-") as spill:
        connection = duckdb.connect(":memory:", config={
            "preserve_insertion_order": True,
            "checkpoint_threshold": "1TB",
            "temp_directory": spill,
            "memory_limit": f"{_memory_limit_mib()}MiB",
        })
        try:
            yield connection
        finally:
            connection.close()


def _memory_limit_mib() -> int:
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: let DuckDB choose
        physical = 8 * 2**30
    return max(1024, int(physical * MEMORY_FRACTION) // 2**20)


def _validate(
    connection: duckdb.DuckDBPyConnection,
    directory: Path,
    contract: Contract | None,
    progress: Progress | None,
    after_staging: Callable[[dict[str, StagedTable]], None] | None = None,
) -> tuple[ValidationReport, dict[str, StagedTable], tuple[str, list[dict[str, Any]]]]:
    contract = contract or load_contract()
    if not directory.is_dir():
        raise FileNotFoundError(f"extract folder {directory} does not exist or is not a folder")
    discovery = discover_files(directory, contract)
    with ThreadPoolExecutor(max_workers=1) as pool:
        fingerprint = pool.submit(input_fingerprint, discovery.files)
        staged, findings = stage_extract(
            connection, discovery, contract,
            (lambda name: progress(f"reading {name}")) if progress else None,
        )
        if after_staging is not None:
            after_staging(staged)
        findings.extend(run_checks(
            connection, staged, contract,
            (lambda name: progress(f"checking {name}")) if progress else None,
        ))
        digest, files = fingerprint.result()
    rows = {name: s.rows for name, s in staged.items()}
    for entry in files:
        entry["rows"] = rows[entry["table"]]
    report = ValidationReport(
        directory=directory,
        contract_version=contract.version,
        sources={
            name: TableSource(name, s.file.name if s.file else None, s.format, s.rows, s.bytes)
            for name, s in staged.items()
        },
        findings=findings,
    )
    return report, staged, (digest, files)


def input_fingerprint(files: dict[str, Path]) -> tuple[str, list[dict[str, Any]]]:
    """SHA-256 of each table file, and the extract's fingerprint: SHA-256 over the lines
    ``<file name> <file SHA-256>`` sorted by file name. Same bytes, same fingerprint,
    wherever the folder is."""
    entries = []
    for table, path in sorted(files.items(), key=lambda item: item[1].name):
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
                size += len(chunk)
        entries.append({"table": table, "file": path.name, "bytes": size,
                        "sha256": digest.hexdigest()})
    overall = hashlib.sha256()
    for entry in entries:
        overall.update(f"{entry['file']} {entry['sha256']}\n".encode())
    return overall.hexdigest(), entries


def code_version() -> str:
    """``pcref <version>``, plus the git commit when running from a checkout (``-dirty`` when
    the checkout has uncommitted changes, so the figure cannot be tied to that commit alone)."""
    version = f"pcref {__version__}"
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version} (git {commit})" if commit else version
