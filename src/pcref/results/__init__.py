"""Results runs: the tidy results table and the record of the run that made it.

A results run is a folder::

    RESULTS/
        results.parquet          internal view (NHS England's disclosure rule)
        public/results.parquet   public view (the strict public rule)
        run.json                 run id, input fingerprint, code version, methods, parameters,
                                 disclosure policies, per-metric status and timings

Public API: :data:`RESULTS_COLUMNS` and :data:`COLUMNS` (the schema with each column's
meaning), :func:`read_results`, :func:`read_run`, :func:`write_parquet`, :func:`derive_run_id`.
The engine that makes runs is :mod:`pcref.metrics.engine`; disclosure control of results is
:mod:`pcref.results.disclosure`.
"""

from pcref.results.io import (
    PUBLIC_DIR,
    RESULTS_FILE,
    RUN_FILE,
    read_results,
    read_run,
    write_json,
    write_parquet,
)
from pcref.results.run import derive_run_id
from pcref.results.schema import COLUMNS, RESULTS_COLUMNS, SCHEMA

__all__ = [
    "COLUMNS",
    "PUBLIC_DIR",
    "RESULTS_COLUMNS",
    "RESULTS_FILE",
    "RUN_FILE",
    "SCHEMA",
    "derive_run_id",
    "read_results",
    "read_run",
    "write_json",
    "write_parquet",
]
