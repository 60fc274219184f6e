"""Write and read a results run folder: results.parquet, public/results.parquet, run.json.

Parquet files are written reproducibly: the rows in the engine's stable order, an explicit
Arrow schema without pandas metadata, fixed writer options and no timestamps, so the same
results give the same bytes every time (``run.json`` holds the run's only time stamp).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pcref.results.schema import RESULTS_COLUMNS, SCHEMA

RESULTS_FILE = "results.parquet"
PUBLIC_DIR = "public"
RUN_FILE = "run.json"
#: Writer options fixed here so that files do not change with library defaults.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 1 << 20,
}


def to_table(frame: pd.DataFrame) -> pa.Table:
    """The results frame as an Arrow table with the results schema (columns checked)."""
    missing = [c for c in RESULTS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"results frame lacks column(s) {missing}")
    table = pa.Table.from_pandas(frame[list(RESULTS_COLUMNS)], schema=SCHEMA,
                                 preserve_index=False)
    return table.replace_schema_metadata(None)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (results columns) to ``path`` reproducibly, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(to_table(frame), temporary, **PARQUET_OPTIONS)
    os.replace(temporary, path)


def write_json(record: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    os.replace(temporary, path)


def read_results(folder: str | Path, *, public: bool = False) -> pd.DataFrame:
    """The results table of a run folder (the internal file, or the public one)."""
    folder = Path(folder)
    path = folder / PUBLIC_DIR / RESULTS_FILE if public else folder / RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no results file {path}; is {folder} a results run folder?")
    return pq.read_table(path).to_pandas()


def read_run(folder: str | Path) -> dict[str, Any]:
    """The run record (``run.json``) of a run folder."""
    path = Path(folder) / RUN_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no run record {path}; is {folder} a results run folder?")
    return json.loads(path.read_text(encoding="utf-8"))
