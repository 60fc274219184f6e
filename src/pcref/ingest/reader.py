"""Read an extract folder into DuckDB staging tables of raw text, checking the files first.

An extract is a folder holding one file per contract table, named after the table:
``MHS001MPI.csv`` or ``MHS001MPI.parquet`` (the table name is matched without regard to case).
Cheap file-level checks run in Python on the first bytes only (empty file, byte-order mark,
header, delimiter, columns); DuckDB then reads each file with every column as text
(``all VARCHAR``, strict CSV, no type sniffing), so the value checks can report the offending
text and its row. Only when DuckDB rejects a file does Python scan it, to say exactly where.

Each contract table becomes ``stage."<table>"`` with exactly the contract's columns as text
(absent optional columns as blanks, absent tables as empty tables), in file order, so
``rowid + StagedTable.row_offset`` is the row number reported to the user. Blank values (empty
or only spaces) are staged as NULL; every other value exactly as written.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pcref.contract import Contract, Table
from pcref.ingest.findings import Example, Finding
from pcref.ingest.sql import blank_to_null, identifier, literal

FORMATS = {".csv": "csv", ".parquet": "parquet"}
STAGE_SCHEMA = "stage"

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}
_PARQUET_MAGIC = b"PAR1"
_HEADER_LIMIT = 1 << 20  # a header longer than 1 MiB is not a header
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")


@dataclass(frozen=True)
class StagedTable:
    """A contract table as staged: where it came from and which of its columns were present."""

    table: Table
    file: Path | None
    format: str | None
    present_columns: frozenset[str]
    loaded: bool
    rows: int = 0
    row_offset: int = 2
    bytes: int = 0

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def sql_name(self) -> str:
        """The staging table, as SQL."""
        return f"{STAGE_SCHEMA}.{identifier(self.table.name)}"

    @property
    def file_name(self) -> str:
        return self.file.name if self.file is not None else f"{self.table.name}.csv"


@dataclass(frozen=True)
class Discovery:
    """The folder's files matched to contract tables by name."""

    files: dict[str, Path]
    doubled: frozenset[str]
    findings: list[Finding]


def discover_files(directory: Path, contract: Contract) -> Discovery:
    """Match the folder's files to contract tables by name; flag unknown and doubled files."""
    by_lower_name = {name.lower(): name for name in contract.tables}
    claimed: dict[str, list[Path]] = {}
    findings: list[Finding] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        table = by_lower_name.get(path.stem.lower())
        if path.is_file() and path.suffix.lower() in FORMATS and table is not None:
            claimed.setdefault(table, []).append(path)
            continue
        findings.append(
            Finding.of(
                "unexpected_file",
                table=None,
                file=path.name,
                column=None,
                count=1,
                expected="one file per contract table, named TABLE.csv or TABLE.parquet",
            )
        )
    files: dict[str, Path] = {}
    for table, paths in claimed.items():
        if len(paths) > 1:
            findings.append(
                Finding.of(
                    "duplicate_table_file",
                    table=table,
                    file=", ".join(p.name for p in paths),
                    column=None,
                    count=len(paths),
                    expected=f"exactly one file for {table}",
                )
            )
        else:
            files[table] = paths[0]
    doubled = frozenset(table for table, paths in claimed.items() if len(paths) > 1)
    return Discovery(files, doubled, findings)


def stage_extract(
    connection: duckdb.DuckDBPyConnection,
    discovery: Discovery,
    contract: Contract,
    on_table: Callable[[str], None] | None = None,
) -> tuple[dict[str, StagedTable], list[Finding]]:
    """Stage every contract table found by `discover_files` into ``connection`` (schema
    ``stage``).

    Returns the staged tables and the file- and column-level findings (including those of the
    discovery). A file with a fatal file-level problem is staged as an empty table marked
    ``loaded=False`` so that later checks can skip what depends on it rather than report its
    absence again.
    """
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGE_SCHEMA}")
    findings = list(discovery.findings)
    staged: dict[str, StagedTable] = {}
    for table in contract.tables.values():
        if on_table is not None:
            on_table(table.name)
        path = discovery.files.get(table.name)
        if path is None:
            doubled = table.name in discovery.doubled
            if not doubled:
                findings.append(_missing_table(table))
            staged[table.name] = _stage_empty(
                connection, table, loaded=not table.required and not doubled
            )
            continue
        if path.suffix.lower() == ".csv":
            result, file_findings = _stage_csv(connection, table, path)
        else:
            result, file_findings = _stage_parquet(connection, table, path)
        findings.extend(file_findings)
        staged[table.name] = result
    return staged, findings


def _missing_table(table: Table) -> Finding:
    return Finding.of(
        "missing_table" if table.required else "optional_table_missing",
        table=table.name,
        file=f"{table.name}.csv",
        column=None,
        count=1,
        expected=f"a file {table.name}.csv or {table.name}.parquet ({table.title})",
    )


def _stage_empty(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    *,
    loaded: bool,
    file: Path | None = None,
    file_format: str | None = None,
) -> StagedTable:
    columns = ", ".join(f"{identifier(c)} VARCHAR" for c in table.columns)
    staged = StagedTable(
        table, file, file_format, frozenset(), loaded=loaded,
        bytes=file.stat().st_size if file is not None else 0,
    )
    connection.execute(f"CREATE OR REPLACE TABLE {staged.sql_name} ({columns})")
    return staged


# --- CSV ---------------------------------------------------------------------------------------


def _file_finding(rule_id: str, table: Table, path: Path, expected: str,
                  example: Example | None = None) -> Finding:
    return Finding.of(
        rule_id,
        table=table.name,
        file=path.name,
        column=None,
        count=1,
        expected=expected,
        examples=(example,) if example is not None else (),
    )


def _read_header_line(path: Path) -> bytes:
    """The raw bytes of the first line (without its line ending), reading no more than needed."""
    chunks: list[bytes] = []
    size = 0
    with path.open("rb") as handle:
        while size < _HEADER_LIMIT:
            chunk = handle.read(64 * 1024)
            if not chunk:
                break
            end = chunk.find(b"\n")
            if end >= 0:
                chunks.append(chunk[:end])
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks).rstrip(b"\r")


def _csv_file_checks(table: Table, path: Path) -> tuple[list[str] | None, list[Finding]]:
    """File-level checks on the first bytes; returns the header's column names if it is usable."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if size == 0 or (size <= len(head) and not head.strip()):
        return None, [_file_finding("empty_file", table, path,
                                    "a header row naming the columns, then one row per record")]
    if head.startswith(_UTF8_BOM):
        return None, [_file_finding(
            "byte_order_mark", table, path,
            "UTF-8 without a byte-order mark (Excel's 'CSV UTF-8' adds one: remove the first "
            "three bytes EF BB BF, e.g. by re-saving as UTF-8 without BOM in a text editor)",
            Example(row=1, note="the file starts with the bytes EF BB BF"),
        )]
    if head.startswith(_UTF16_BOMS):
        return None, [_file_finding(
            "not_utf8", table, path, "text encoded as UTF-8",
            Example(row=1, note="the file starts with a UTF-16 byte-order mark"),
        )]
    raw_header = _read_header_line(path)
    try:
        header_text = raw_header.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(table, path, error.start, 1, raw_header[error.start:])]
    names = next(csv.reader([header_text]), [])
    if len(names) == 1:
        for delimiter, label in _OTHER_DELIMITERS.items():
            if delimiter in names[0]:
                return None, [_file_finding(
                    "wrong_delimiter", table, path,
                    f"comma-separated columns ({', '.join(table.columns[:3])}, ...)",
                    Example(row=1, value=header_text[:80],
                            note=f"the header is separated by {label}"),
                )]
    return names, _column_checks(table, path, names, 1)


def _column_checks(
    table: Table, path: Path, names: list[str], header_row: int | None
) -> list[Finding]:
    """Missing, doubled and unexpected columns in a header (CSV: row 1; Parquet: the schema)."""
    findings = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            findings.append(Finding.of(
                "duplicate_column", table=table.name, file=path.name, column=name, count=1,
                expected="each column named once in the header",
                examples=(Example(row=header_row, value=name),)))
        seen.add(name)
    loose = {name.strip().lower(): name for name in names}
    for column, spec in table.fields.items():
        if column in seen:
            continue
        near = loose.get(column.lower())
        note = "not in the header" if header_row else "not among the file's columns"
        if near:
            note += f" (it has {near!r}, which differs only in case or spaces)"
        findings.append(Finding.of(
            "missing_column" if spec.required else "optional_column_missing",
            table=table.name, file=path.name, column=column, count=1,
            expected=f"a column named {column} ({spec.description})",
            examples=(Example(row=header_row, note=note),)))
    for name in names:
        if name not in table.fields:
            findings.append(Finding.of(
                "unexpected_column", table=table.name, file=path.name, column=name, count=1,
                expected=f"only the contract's columns for {table.name}; it is not loaded",
                examples=(Example(row=header_row, note="a column the contract does not have"),)))
    return findings


def _not_utf8(table: Table, path: Path, offset: int, line: int, rest: bytes) -> Finding:
    return _file_finding(
        "not_utf8", table, path,
        "text encoded as UTF-8 (save as 'CSV UTF-8' and remove the byte-order mark)",
        Example(row=line, note=f"invalid byte 0x{rest[:1].hex().upper()} at byte offset "
                                f"{offset}"),
    )


def _stage_csv(
    connection: duckdb.DuckDBPyConnection, table: Table, path: Path
) -> tuple[StagedTable, list[Finding]]:
    names, findings = _csv_file_checks(table, path)
    if names is None or any(f.fatal for f in findings):
        return _stage_empty(connection, table, loaded=False, file=path,
                            file_format="csv"), findings
    present = frozenset(name for name in names if name in table.fields)
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    source = (
        f"read_csv({literal(str(path))}, auto_detect = false, header = true, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {columns}, strict_mode = true, "
        f"null_padding = false, ignore_errors = false)"
    )
    staged = StagedTable(table, path, "csv", present, loaded=True, row_offset=2,
                         bytes=path.stat().st_size)
    try:
        rows = _create_stage(connection, staged, source, cast=False)
    except duckdb.Error as error:
        findings.append(_diagnose_csv(table, path, len(names), error))
        return _stage_empty(connection, table, loaded=False, file=path,
                            file_format="csv"), findings
    return _with_rows(staged, rows, findings), findings


def _create_stage(
    connection: duckdb.DuckDBPyConnection, staged: StagedTable, source: str, *, cast: bool
) -> int:
    select = []
    for column in staged.table.columns:
        quoted = identifier(column)
        if column not in staged.present_columns:
            select.append(f"CAST(NULL AS VARCHAR) AS {quoted}")
        else:
            text = f"CAST({quoted} AS VARCHAR)" if cast else quoted
            select.append(f"{blank_to_null(text)} AS {quoted}")
    created = connection.execute(
        f"CREATE OR REPLACE TABLE {staged.sql_name} AS SELECT {', '.join(select)} FROM {source}"
    ).fetchone()
    return int(created[0])  # DuckDB answers CREATE TABLE AS with the number of rows


def _with_rows(staged: StagedTable, rows: int, findings: list[Finding]) -> StagedTable:
    if rows == 0:
        findings.append(Finding.of(
            "table_without_rows", table=staged.name, file=staged.file_name, column=None,
            count=1, expected=f"one row per record ({staged.table.description})"))
    return StagedTable(
        staged.table, staged.file, staged.format, staged.present_columns, staged.loaded,
        rows=rows, row_offset=staged.row_offset, bytes=staged.bytes,
    )


def first_invalid_utf8(path: Path) -> tuple[int, int, bytes] | None:
    """(byte offset, line number, bytes from there) of the first invalid UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    newlines = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(1 << 20)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                data = pending + chunk
                line = newlines + data[: error.start].count(b"\n") + 1
                return offset - len(pending) + error.start, line, data[error.start:]
            if not chunk:
                return None
            newlines += chunk.count(b"\n")
            offset += len(chunk)


def _diagnose_csv(table: Table, path: Path, width: int, error: duckdb.Error) -> Finding:
    """Say exactly where and why DuckDB rejected a CSV file (a slow scan, only on failure)."""
    invalid = first_invalid_utf8(path)
    if invalid is not None:
        offset, line, rest = invalid
        return _not_utf8(table, path, offset, line, rest)
    expected = f"{width} comma-separated fields per row, as in the header"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            next(reader, None)
            for record in reader:
                if record and len(record) != width:
                    return _file_finding(
                        "malformed_row", table, path, expected,
                        Example(row=reader.line_num, note=f"{len(record)} fields"))
        except csv.Error as parse_error:
            return _file_finding(
                "malformed_row", table, path, expected,
                Example(row=reader.line_num, note=str(parse_error)))
    message = str(error).splitlines()
    match = _DUCKDB_LINE.search(str(error))
    detail = next((m for m in message[1:] if m and not m.startswith("Original Line")), "")
    return _file_finding(
        "malformed_row", table, path, expected,
        Example(row=int(match.group(1)) if match else None, note=detail or message[0]))


# --- Parquet -----------------------------------------------------------------------------------


def _stage_parquet(
    connection: duckdb.DuckDBPyConnection, table: Table, path: Path
) -> tuple[StagedTable, list[Finding]]:
    def failed(note: str) -> tuple[StagedTable, list[Finding]]:
        finding = _file_finding("unreadable_parquet", table, path,
                                "a complete Parquet file", Example(row=None, note=note))
        return _stage_empty(connection, table, loaded=False, file=path,
                            file_format="parquet"), [finding]

    size = path.stat().st_size
    if size == 0:
        finding = _file_finding("empty_file", table, path, "a Parquet file with a schema")
        return _stage_empty(connection, table, loaded=False, file=path,
                            file_format="parquet"), [finding]
    with path.open("rb") as handle:
        start = handle.read(4)
        handle.seek(max(size - 4, 0))
        end = handle.read(4)
    if start != _PARQUET_MAGIC:
        return failed("it does not start with the Parquet marker PAR1: not a Parquet file")
    if end != _PARQUET_MAGIC or size < 12:
        return failed("it does not end with the Parquet marker PAR1: the file is truncated")
    source = f"read_parquet({literal(str(path))})"
    try:
        names = [row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}")
                 .fetchall()]
    except duckdb.Error as error:
        return failed(_first_line(error))
    findings = _column_checks(table, path, names, None)
    if any(f.fatal for f in findings):
        return _stage_empty(connection, table, loaded=False, file=path,
                            file_format="parquet"), findings
    present = frozenset(name for name in names if name in table.fields)
    staged = StagedTable(table, path, "parquet", present, loaded=True, row_offset=1, bytes=size)
    try:
        rows = _create_stage(connection, staged, source, cast=True)
    except duckdb.Error as error:
        return failed(_first_line(error))
    return _with_rows(staged, rows, findings), findings


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return io.StringIO(text).readline().strip() or type(error).__name__
