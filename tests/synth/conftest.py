"""Fixtures for the synthetic-data tests: small generated extracts and a plain reader.

Extracts are generated once per session into temporary folders. Files are read back as text
(exactly what a CSV consumer sees; Parquet dates and times are rendered the same way), so the
checks in these tests do not depend on the generator's own code or on pcref.ingest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pcref.synth.generate import generate


def read_text_table(directory: Path, name: str) -> pd.DataFrame:
    """A generated table with every value as text (None for blanks), whatever the format."""
    parquet = directory / f"{name}.parquet"
    if parquet.exists():
        table = pq.read_table(parquet)
        columns = {}
        for c in table.column_names:
            column = table.column(c)
            if pa.types.is_time(column.type):  # as HH:MM:SS, the way DuckDB and CSV show it
                columns[c] = [None if v is None else v.isoformat() for v in column.to_pylist()]
            else:
                columns[c] = pc.cast(column, pa.string()).to_pylist()
        return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()})
    frame = pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False)
    frame = frame.astype(object)
    return frame.where(frame != "", None)


@pytest.fixture(scope="session")
def read():
    return read_text_table


@pytest.fixture(scope="session")
def clean_extract(tmp_path_factory):
    """4,000 people, no defects, Parquet."""
    out = tmp_path_factory.mktemp("synth") / "clean"
    return generate(out, scale="trust", seed=7, people=4000, defects="none")


@pytest.fixture(scope="session")
def realistic_extract(tmp_path_factory):
    """4,000 people, realistic (non-fatal) defects, CSV."""
    out = tmp_path_factory.mktemp("synth") / "realistic"
    return generate(out, scale="trust", seed=7, people=4000, defects="realistic",
                    file_format="csv")


@pytest.fixture(scope="session")
def large_default(tmp_path_factory):
    """40,000 people with the default disparities and no defects (for recovering them)."""
    out = tmp_path_factory.mktemp("synth") / "large_default"
    return generate(out, scale="trust", seed=11, people=40000, defects="none")


@pytest.fixture(scope="session")
def large_no_disparity(tmp_path_factory):
    """40,000 people with every disparity switched off, no defects."""
    out = tmp_path_factory.mktemp("synth") / "large_none"
    return generate(out, scale="trust", seed=11, people=40000, defects="none",
                    config="no_disparity")
