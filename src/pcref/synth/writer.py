"""Turn generated columns into Arrow tables of the contract's shape and write them.

Columns arrive as numpy arrays: integers for identifiers (formatted here with a fixed
prefix, e.g. referral 0 → ``R000000001``), day numbers for dates, seconds for times,
objects for codes and text. Types follow the contract: dates are written as Parquet DATE
(CSV ``YYYY-MM-DD``), times as TIME (``HH:MM:SS``), codes and identifiers as text.

Files are deterministic: Parquet with fixed writer options and no timestamps (the footer
records only the schema and the writer's library version), CSV through Arrow's writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pcref.contract import Contract, Field, Table

#: Identifier columns generated as numbers: prefix and digits.
ID_FORMATS: dict[str, tuple[str, int]] = {
    "Person_ID": ("P", 8),
    "UniqServReqID": ("R", 9),
    "UniqCareContID": ("C", 10),
    "UniqMHActEpisodeID": ("M", 9),
    "MHS404UniqID": ("CTO", 7),
    "MHS405UniqID": ("RC", 7),
    "UniqHospProvSpellID": ("S", 8),
    "UniqWardStayID": ("WS", 8),
    "UniqRestrictiveIntIncID": ("RI", 8),
    "UniqRestrictiveIntTypeID": ("RT", 9),
    "DiagnosisID": ("D", 9),
    "OnwardReferralID": ("O", 8),
}
_NULL_BELOW = -(10**8)  # day numbers and other integers below this are missing values
FORMATS = ("parquet", "csv")


def arrow_type(spec: Field) -> pa.DataType:
    return {
        "date": pa.date32(),
        "time": pa.time32("s"),
        "integer": pa.int64(),
        "decimal": pa.float64(),
    }.get(spec.type, pa.string())


def schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(name, arrow_type(spec)) for name, spec in table.fields.items()])


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded (number + 1); negative numbers become nulls. Vectorised."""
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    valid = numbers >= 0
    value = np.where(valid, numbers + 1, 0)
    if n and value.max() >= 10**width:
        raise ValueError(f"identifier {prefix}: {value.max()} needs more than {width} digits")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    size = len(head) + width
    data = np.empty((n, size), dtype=np.uint8)
    data[:, : len(head)] = head
    for i in range(width):
        data[:, len(head) + i] = (value // 10 ** (width - 1 - i)) % 10 + 48
    offsets = (np.arange(n + 1, dtype=np.int64) * size).astype(np.int32)
    array = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.reshape(-1)))
    if not valid.all():
        array = pc.if_else(pa.array(valid), array, pa.scalar(None, pa.string()))
    return array


def to_array(name: str, spec: Field, values) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    values = np.asarray(values)
    kind = spec.type
    if kind in ("identifier", "person_id") and values.dtype.kind in "iu":
        prefix, width = ID_FORMATS[name]
        return format_ids(prefix, values, width)
    if kind == "date":
        days = values.astype(np.int64)
        mask = days < _NULL_BELOW
        return pa.array(np.where(mask, 0, days).astype(np.int32), type=pa.date32(), mask=mask)
    if kind == "time":
        seconds = values.astype(np.int64)
        mask = seconds < 0
        return pa.array(np.where(mask, 0, seconds).astype(np.int32), type=pa.time32("s"),
                        mask=mask)
    if kind == "integer":
        ints = values.astype(np.int64)
        mask = ints < _NULL_BELOW
        return pa.array(np.where(mask, 0, ints), type=pa.int64(), mask=mask)
    if kind == "decimal":
        return pa.array(values.astype(float), type=pa.float64())
    return pa.array(values.astype(object), type=pa.string(), from_pandas=True)


def to_table(table: Table, columns: Mapping[str, object]) -> pa.Table:
    """An Arrow table with exactly the contract table's columns, in contract order."""
    unknown = sorted(set(columns) - set(table.fields))
    if unknown:
        raise KeyError(f"{table.name}: generated columns {unknown} are not in the contract")
    length = None
    arrays = []
    for name, spec in table.fields.items():
        if name in columns:
            array = to_array(name, spec, columns[name])
            length = len(array)
        else:
            array = None
        arrays.append(array)
    length = length or 0
    for i, (name, spec) in enumerate(table.fields.items()):
        if arrays[i] is None:
            if spec.required and length:
                raise KeyError(f"{table.name}: required column {name} was not generated")
            arrays[i] = pa.nulls(length, type=arrow_type(spec))
    return pa.Table.from_arrays(arrays, schema=schema(table))


class ExtractWriter:
    """One file per contract table in ``directory``, appended chunk by chunk."""

    def __init__(self, directory: Path, contract: Contract, file_format: str = "parquet"):
        if file_format not in FORMATS:
            raise ValueError(f"format: expected one of {FORMATS}, got {file_format!r}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.contract = contract
        self.format = file_format
        self.writers: dict[str, object] = {}
        self.handles: list = []
        self.rows: dict[str, int] = {name: 0 for name in contract.tables}
        for name, table in contract.tables.items():
            path = self.directory / f"{name}.{file_format}"
            if file_format == "parquet":
                self.writers[name] = pq.ParquetWriter(
                    path, schema(table), compression="zstd", compression_level=3,
                    use_dictionary=True, write_statistics=True, version="2.6",
                )
            else:  # plain header line (Arrow would quote the names), then Arrow's rows
                handle = path.open("wb")
                handle.write((",".join(table.fields) + "\n").encode("utf-8"))
                self.handles.append(handle)
                self.writers[name] = pa_csv.CSVWriter(
                    handle, schema(table),
                    write_options=pa_csv.WriteOptions(include_header=False,
                                                      quoting_style="needed"),
                )

    def write(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self.format == "parquet":
            self.writers[name].write_table(table, row_group_size=1 << 20)
        else:
            self.writers[name].write_table(table)
        self.rows[name] += table.num_rows

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        for handle in self.handles:
            handle.close()
        self.writers = {}
        self.handles = []

    def __enter__(self) -> ExtractWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
