"""Write a star schema to a folder: CSV or Parquet tables, data dictionary, Power Query, README.

Every file is rendered to bytes first and the same star always gives the same bytes: rows in
the dimensions' sort order and the run's order, fixed Parquet writer options without
timestamps or pandas metadata, CSV formatted here rather than by a library's defaults (UTF-8,
a header row, ',' between fields, '"' around fields that need it, '\\n' line ends, ISO dates,
'.' decimals written out in full with the fewest digits that read back to the same number,
true/false, and nothing at all for a missing value).

An internal export is never silent: every file name starts ``internal_``, so Power BI's
tables are called ``internal_fact_result`` and so on; the README, the data dictionary and
``dim_run`` say it is not for publication; and an export folder never mixes the two policies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pcref.export.star import INTERNAL, ExportError, Star
from pcref.export.tables import (
    KINDS,
    OBSERVED_PARTS,
    SORT_BY,
    TABLES,
    Column,
    relationships,
)
from pcref.results.io import PARQUET_OPTIONS

FORMATS = ("csv", "powerbi")
INTERNAL_PREFIX = "internal_"
MANIFEST = "export.json"
CSV_NOTE = "CSV (UTF-8, header row, ISO dates, '.' decimals, empty field = no value)"
DICTIONARY_COLUMNS = ("export_policy", "table", "file", "column", "position", "type",
                      "powerbi_type", "nullable", "key", "description", "allowed_values")
INTERNAL_BANNER = ("INTERNAL — NOT FOR PUBLICATION. These figures are disclosure-controlled "
                   "only under the internal rule, for authorised staff; publish the public "
                   "export instead.")


def file_name(base: str, policy: str) -> str:
    """The name a file gets in an export of ``policy`` (``internal_`` first when internal)."""
    return f"{INTERNAL_PREFIX}{base}" if policy == INTERNAL else base


def table_file(table: str, fmt: str, policy: str) -> str:
    return file_name(f"{table}.{'csv' if fmt == 'csv' else 'parquet'}", policy)


def render(star: Star, fmt: str) -> dict[str, bytes]:
    """Every file of the export, by name, as bytes."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: expected {' or '.join(FORMATS)}")
    files: dict[str, bytes] = {}
    for name, table in star.tables.items():
        data = to_csv(table) if fmt == "csv" else to_parquet(table)
        files[table_file(name, fmt, star.policy)] = data
    files[file_name("data_dictionary.csv", star.policy)] = dictionary_csv(star, fmt)
    files[file_name("data_dictionary.md", star.policy)] = dictionary_md(star, fmt).encode()
    files[file_name("power_query.pq", star.policy)] = power_query(star, fmt).encode()
    files[file_name("README.md", star.policy)] = readme(star, fmt).encode()
    files[file_name(MANIFEST, star.policy)] = manifest(star, fmt, files)
    return files


def write_export(star: Star, fmt: str, out: str | Path) -> dict[str, bytes]:
    """Write the export to ``out`` and return its files.

    ``out`` must be new, empty, or an earlier export of the same policy (its files are
    replaced, and any it listed that this export does not write are removed). A folder holding
    anything else, or an export of the other policy, is refused.
    """
    folder = Path(out)
    previous = _previous_export(folder, star.policy)
    files = render(star, fmt)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        temporary = folder / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, folder / name)
    for stale in sorted(previous - set(files)):
        (folder / stale).unlink(missing_ok=True)
    return files


def _previous_export(folder: Path, policy: str) -> set[str]:
    if not folder.exists():
        return set()
    if not folder.is_dir():
        raise ExportError(f"--out {folder} is a file; expected a folder")
    present = {p.name for p in folder.iterdir()}
    if not present:
        return set()
    manifests = [m for m in (MANIFEST, INTERNAL_PREFIX + MANIFEST) if m in present]
    if not manifests:
        raise ExportError(f"--out {folder} is not empty and holds no pcref export; choose a new "
                          "or empty folder")
    record = json.loads((folder / manifests[0]).read_text(encoding="utf-8"))
    earlier = record.get("policy")
    if earlier != policy or len(manifests) > 1:
        raise ExportError(
            f"--out {folder} holds an export of the {earlier} policy; write the {policy} export "
            "to a different folder so public and internal figures are never mixed"
        )
    listed = set(record.get("files", {})) | {manifests[0]}
    others = sorted(present - listed)
    if others:
        raise ExportError(f"--out {folder} holds files that are not part of its export "
                          f"({', '.join(others[:5])}); choose a new or empty folder")
    return listed


# -- tables ----------------------------------------------------------------------------------


def format_decimal(value: float) -> str:
    """A float written out in full ('.' decimal, no exponent) with the fewest digits that read
    back as the same float."""
    if not np.isfinite(value):
        raise ExportError(f"cannot write the non-finite number {value!r} to CSV")
    return np.format_float_positional(value, unique=True, trim="-")


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "decimal":
        return format_decimal(float(value))
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("date", "datetime"):
        return value.isoformat()
    return str(value)


def to_csv(table: pa.Table) -> bytes:
    """The table as UTF-8 CSV with a header row."""
    kinds = [_kind(field.type) for field in table.schema]
    columns = [[_cell(v, kind) for v in table.column(i).to_pylist()]
               for i, kind in enumerate(kinds)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue().encode("utf-8")


def to_parquet(table: pa.Table) -> bytes:
    """The table as Parquet, written with the results' fixed options (same table, same bytes)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(None), sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def _kind(arrow_type: pa.DataType) -> str:
    for kind, (candidate, _, _) in KINDS.items():
        if arrow_type == candidate:
            return kind
    raise ExportError(f"no export type for Arrow type {arrow_type}")


# -- data dictionary -------------------------------------------------------------------------


def _allowed(column: Column, table: pa.Table) -> str:
    if column.allowed:
        return "; ".join(column.allowed)
    if not column.observed:
        return ""
    values = table.column(column.name).drop_null().to_pylist()
    if column.observed == OBSERVED_PARTS:
        values = [part for v in values for part in v.split("; ")]
    found = sorted(set(values))
    return ("in this export: " + "; ".join(found)) if found else "none in this export"


def _key_text(column: Column) -> str:
    if column.primary_key:
        return "primary key"
    if column.references:
        return f"references {column.references}"
    return ""


def _policy_text(star: Star) -> str:
    if star.policy == INTERNAL:
        return "internal (not for publication)"
    return "public"


def dictionary_rows(star: Star, fmt: str) -> list[dict[str, str]]:
    """One row per column of every exported table."""
    rows = []
    for name, spec in TABLES.items():
        table = star.tables[name]
        for position, column in enumerate(spec.columns, start=1):
            rows.append({
                "export_policy": _policy_text(star),
                "table": file_name(name, star.policy),
                "file": table_file(name, fmt, star.policy),
                "column": column.name,
                "position": str(position),
                "type": column.kind,
                "powerbi_type": KINDS[column.kind][2],
                "nullable": "yes" if column.nullable else "no",
                "key": _key_text(column),
                "description": column.description,
                "allowed_values": _allowed(column, table),
            })
    return rows


def dictionary_csv(star: Star, fmt: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DICTIONARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(dictionary_rows(star, fmt))
    return buffer.getvalue().encode("utf-8")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def dictionary_md(star: Star, fmt: str) -> str:
    lines = [f"# Data dictionary: PCREF results export, run {star.run_id}", ""]
    if star.policy == INTERNAL:
        lines += [f"**{INTERNAL_BANNER}**", ""]
    lines += [f"Disclosure control: `{star.disclosure_policy}` — {star.statement}", ""]
    rows = dictionary_rows(star, fmt)
    for name, spec in TABLES.items():
        shown = file_name(name, star.policy)
        lines += [f"## {shown} ({spec.role})", "", spec.description, "",
                  f"File `{table_file(name, fmt, star.policy)}`, "
                  f"{_rows(star.tables[name].num_rows)}"
                  + (f"; key `{spec.key.name}`." if spec.role == "dimension" else "."), "",
                  "| column | type | Power BI type | empty? | key | meaning | values |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for row in rows:
            if row["table"] == shown:
                lines.append("| " + " | ".join(_md(row[c]) for c in (
                    "column", "type", "powerbi_type", "nullable", "key", "description",
                    "allowed_values")) + " |")
        lines.append("")
    lines += ["## The dictionary's own columns", "",
              f"`{file_name('data_dictionary.csv', star.policy)}` has one row per column "
              "above: " + ", ".join(
                  f"`{c}`" for c in DICTIONARY_COLUMNS) + ". `type` is the logical type "
              "(integer, decimal, text, boolean, date, datetime); `nullable` says whether the "
              "column may be empty; `allowed_values` lists a closed vocabulary, or the values "
              "found in this export.", ""]
    return "\n".join(lines)


# -- Power Query and README ------------------------------------------------------------------


def _m_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def power_query(star: Star, fmt: str) -> str:
    """A Power Query (M) expression per table, to paste into Power BI Desktop's blank queries."""
    lines = [
        f"// Power Query (M) to load the PCREF results export of run {star.run_id} "
        f"({_policy_text(star)}).",
    ]
    if star.policy == INTERNAL:
        lines.append(f"// {INTERNAL_BANNER}")
    lines += [
        "// 1. Home > Transform data > Manage Parameters > New Parameter: name ExportFolder,",
        "//    type Text, current value the folder holding these files, ending with a backslash.",
        "// 2. For each query below: Home > New Source > Blank Query > Advanced Editor; paste",
        "//    the expression (from let to the last line before the next comment) and rename the",
        "//    query as shown. 3. Close & Apply, then create the relationships in README.md.",
        "",
    ]
    for name, spec in TABLES.items():
        query = file_name(name, star.policy)
        path = _m_string(table_file(name, fmt, star.policy))
        types = ",\n            ".join(f"{{{_m_string(c.name)}, {KINDS[c.kind][1]}}}"
                                      for c in spec.columns)
        lines.append(f"// query: {query}")
        if fmt == "csv":
            text_columns = ", ".join(_m_string(c) for c in spec.column_names)
            lines += [
                "let",
                f"    Source = Csv.Document(File.Contents(ExportFolder & {path}),",
                "        [Delimiter = \",\", Encoding = 65001, QuoteStyle = QuoteStyle.Csv]),",
                "    Headers = Table.PromoteHeaders(Source, [PromoteAllScalars = true]),",
                "    // an empty field is a missing value",
                "    Nulls = Table.ReplaceValue(Headers, \"\", null, Replacer.ReplaceValue,",
                f"        {{{text_columns}}}),",
                "    Typed = Table.TransformColumnTypes(Nulls, {",
                f"            {types}",
                "        }, \"en-GB\")",
                "in",
                "    Typed",
                "",
            ]
        else:
            lines += [
                "let",
                f"    Source = Parquet.Document(File.Contents(ExportFolder & {path})),",
                "    Typed = Table.TransformColumnTypes(Source, {",
                f"            {types}",
                "        })",
                "in",
                "    Typed",
                "",
            ]
    return "\n".join(lines)


def readme(star: Star, fmt: str) -> str:
    """What the export holds and how to model it in Power BI."""
    f = star.policy
    fact = file_name("fact_result", f)
    lines = [f"# PCREF results export: run {star.run_id}", ""]
    if f == INTERNAL:
        lines += [f"**{INTERNAL_BANNER}**", ""]
    else:
        lines += ["Public export: the figures of the run's public results file, under the "
                  "strict public disclosure rule; they may be published.", ""]
    lines += [
        f"- Figures: `{star.source_file}` of the run (SHA-256 `{star.source_sha256}`), "
        f"disclosure policy `{star.disclosure_policy}`: {star.statement}",
        f"- Format: {CSV_NOTE if fmt == 'csv' else 'Parquet'}; every file and column is "
        "described in "
        f"`{file_name('data_dictionary.md', f)}` and `{file_name('data_dictionary.csv', f)}`.",
        f"- `{file_name(MANIFEST, f)}` lists every file with its SHA-256.",
        "",
        "## Tables (a star schema)",
        "",
        "| table | role | rows | one row per |",
        "| --- | --- | --- | --- |",
    ]
    for name, spec in TABLES.items():
        lines.append(f"| `{file_name(name, f)}` | {spec.role} | "
                     f"{star.tables[name].num_rows:,} | {_md(spec.description)} |")
    lines += [
        "",
        "## Relationships",
        "",
        "All many-to-one (*:1) from the fact table, cross-filter direction single, active:",
        "",
        "| from (many) | to (one) |",
        "| --- | --- |",
    ]
    for table, column, dim, key in relationships():
        lines.append(f"| `{file_name(table, f)}[{column}]` | `{file_name(dim, f)}[{key}]` |")
    lines += [
        "",
        "## Loading into Power BI Desktop",
        "",
        "1. File > Options and settings > Options > Current file > Data load: untick *Auto "
        "date/time*; the relationships can be autodetected (only the key columns share names "
        "across tables), or untick *Autodetect new relationships* and create them as above.",
        f"2. Get data > {'Text/CSV' if fmt == 'csv' else 'Parquet'} for each table file, or "
        f"paste the queries in `{file_name('power_query.pq', f)}` (they set every column's "
        "type" + (", read line breaks inside quoted fields — dim_metric's SQL has them — and "
        "read numbers with '.' decimals whatever Windows' locale" if fmt == "csv" else "")
        + ").",
        "3. Column tools > Sort by column:",
        "",
    ]
    for table, column, by in SORT_BY:
        lines.append(f"   - `{file_name(table, f)}[{column}]` by `[{by}]`")
    lines += [
        "",
        "4. Set *Summarization* to *Don't summarize* on the key and figure columns. The figures "
        "are rates, proportions, medians and rounded counts: they must not be added up. Show "
        f"them one row at a time — filter `{file_name('dim_breakdown', f)}[breakdown]` and "
        f"`{fact}[statistic]`, and `{file_name('dim_period', f)}[period_type]` — or with a "
        f"measure such as `Value = SELECTEDVALUE({fact}[value])`.",
        f"5. Show `{fact}[display_value]` where a figure is withheld: it is `*` there, and the "
        "numeric columns are empty.",
        "",
        "## Reading the figures",
        "",
        f"- `{fact}[period_key]` is the time a figure covers: a month or quarter for the month "
        "and quarter breakdowns (and crosses with them), otherwise the financial year; "
        f"`{file_name('dim_period', f)}[financial_year]` gathers all three.",
        f"- Ethnicity rows compare each group with the metric's reference group: `ratio`, its "
        "interval and `significance` (plain words from the interval). Not stated and Not known "
        f"are reported apart and never compared (`{file_name('dim_group', f)}[unknown_group]`).",
        f"- The metric's SQL, and the SQL of the preparation relations it reads, are in "
        f"`{file_name('dim_metric', f)}`, checked against the hashes the run recorded.",
        "",
    ]
    return "\n".join(lines)


def manifest(star: Star, fmt: str, files: dict[str, bytes]) -> bytes:
    """The export's record: what it was made from and the SHA-256 of every other file."""
    record = {
        "pcref_export": 1,
        "run_id": star.run_id,
        "policy": star.policy,
        "disclosure_policy": star.disclosure_policy,
        "format": fmt,
        "source": {"file": star.source_file, "sha256": star.source_sha256},
        "tables": {name: {"file": table_file(name, fmt, star.policy), "rows": t.num_rows}
                   for name, t in star.tables.items()},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
