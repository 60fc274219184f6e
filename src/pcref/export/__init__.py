"""Export a results run for analysts: a star schema for Power BI (Parquet) or as CSV.

``pcref export RESULTS --format powerbi|csv --out DIR`` writes one fact table (``fact_result``,
a row per results row) and its dimensions (``dim_metric`` with each metric's definition and SQL,
``dim_period``, ``dim_breakdown``, ``dim_group``, ``dim_run``), with a data dictionary (CSV and
Markdown), a README giving the relationships and Power BI settings, Power Query (M) to load the
tables, and a manifest of SHA-256 hashes. The figures are the run's **public**,
disclosure-controlled results unless ``policy="internal"`` is given, and such an export is marked
internal in every file name. See ``docs/export.md``.

Public API: :func:`export_run`, :func:`build_star` (the tables, not written), :func:`render`
(the files as bytes), :class:`Star`, :class:`ExportError`, :data:`TABLES` (the schema),
:data:`FORMATS`, :data:`POLICIES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pcref.export.files import FORMATS, render, write_export
from pcref.export.star import INTERNAL, PUBLIC, ExportError, Star, build_star
from pcref.export.tables import TABLES
from pcref.metrics.catalogue import Metric

POLICIES = (PUBLIC, INTERNAL)


def export_run(
    run_folder: str | Path,
    out: str | Path,
    fmt: str,
    *,
    policy: str = PUBLIC,
    catalogue: Mapping[str, Metric] | None = None,
) -> tuple[Star, dict[str, bytes]]:
    """Export the results run in ``run_folder`` to ``out`` as ``fmt`` (``csv`` or ``powerbi``).

    Returns the star schema and the files written (name -> bytes). ``policy`` is ``public``
    unless ``internal`` is asked for by name.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: expected {' or '.join(FORMATS)}")
    star = build_star(run_folder, policy, catalogue=catalogue)
    return star, write_export(star, fmt, out)


__all__ = [
    "FORMATS",
    "POLICIES",
    "TABLES",
    "ExportError",
    "Star",
    "build_star",
    "export_run",
    "render",
]
