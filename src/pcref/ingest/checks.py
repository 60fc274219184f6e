"""Value checks on staged tables, derived from the data contract and run as set-based SQL.

For each table, every per-row check (blank required fields, dates, times, numbers and their
ranges, codes, patterns, NHS numbers, date order, one-of-required) is one ``count(*) FILTER``
in a single scan; only checks that fire are queried again for a few example rows. Keys are
checked with ``GROUP BY ... HAVING count(*) > 1`` and references with anti-joins. Nothing runs
row by row in Python; Python only adds explanatory notes to the handful of examples.

Which columns get which check comes from `pcref.contract` (field type, ``required``,
``codelist``, ``pattern``, ``min``/``max``, ``references``, table ``key`` and ``rules``) and
which codes are valid from `pcref.codelists`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from pcref import codelists
from pcref.contract import Contract, Field
from pcref.ingest.findings import EXAMPLES_PER_FINDING, Example, Finding
from pcref.ingest.nhs_number import invalid_nhs_number_sql
from pcref.ingest.reader import StagedTable
from pcref.ingest.sql import blank, identifier, literal, present

DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
TIME_PATTERN = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?"
INTEGER_PATTERN = "-?[0-9]+"
DECIMAL_PATTERN = "-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"

_SHOWN_CODES = 12

#: Staging table of valid codes (list, code) used by the code checks.
CODE_TABLE = "codelist_codes"


@dataclass(frozen=True)
class RowCheck:
    """One per-row condition on a staged table: rows where ``condition`` holds break the rule.

    ``value`` and ``note`` are SQL for what an example shows; ``withhold`` hides values that
    must never be printed (NHS numbers).
    """

    rule_id: str
    column: str
    condition: str
    expected: str
    value: str | None = None
    note: str | None = None
    withhold: bool = False
    explain: Callable[[str], str | None] | None = None


def run_checks(
    connection: duckdb.DuckDBPyConnection,
    staged: dict[str, StagedTable],
    contract: Contract,
    on_table: Callable[[str], None] | None = None,
) -> list[Finding]:
    """All value-level findings for the staged extract, in contract order.

    (Checking two tables at once on separate cursors was measured slower: DuckDB already
    spreads each query over the cores.)
    """
    register_code_lists(connection, contract)
    findings: list[Finding] = []
    for table in contract.tables.values():
        if on_table is not None:
            on_table(table.name)
        findings.extend(check_table(connection, staged[table.name], staged))
    findings.extend(_people_without_activity(connection, staged, contract))
    return findings


def check_table(
    connection: duckdb.DuckDBPyConnection, source: StagedTable, staged: dict[str, StagedTable]
) -> list[Finding]:
    """Per-row checks, duplicate keys and references of one staged table."""
    if not source.loaded or source.rows == 0:
        return []
    findings = _run_row_checks(connection, source, row_checks(source))
    findings.extend(_duplicate_keys(connection, source))
    for spec in source.table.fields.values():
        if spec.references is not None and spec.name in source.present_columns:
            findings.extend(_orphans(connection, source, spec, staged))
    return findings


# --- per-row checks ----------------------------------------------------------------------------


def register_code_lists(connection: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Load the codes of every list the contract uses into the staging table `CODE_TABLE`
    (list, code), so code checks are semi-joins rather than long IN lists (ten times faster
    for a list of 190 languages)."""
    names = sorted({f.codelist for t in contract.tables.values() for f in t.fields.values()
                    if f.codelist is not None})
    pairs = [(name, code) for name in names for code in sorted(codelists.codes(name))]
    relation = pa.table({"list": [p[0] for p in pairs], "code": [p[1] for p in pairs]})
    connection.register("_codelist_codes", relation)
    try:
        connection.execute(
            f"CREATE OR REPLACE TABLE {CODE_TABLE} AS SELECT * FROM _codelist_codes")
    finally:
        connection.unregister("_codelist_codes")


def row_checks(source: StagedTable) -> list[RowCheck]:
    """The per-row checks for one staged table, from its contract fields and rules."""
    table = source.table
    either_or = {name for rule in table.rules if rule.kind == "one_of_required"
                 for name in rule.fields}
    checks: list[RowCheck] = []
    for spec in table.fields.values():
        if spec.name not in source.present_columns:
            continue
        column = identifier(spec.name)
        if spec.required:
            checks.append(RowCheck("required_value_missing", spec.name, blank(column),
                                   f"a value: {spec.name} is required"))
        elif spec.name not in either_or:
            checks.append(RowCheck("optional_value_missing", spec.name, blank(column),
                                   f"a value where known ({spec.description})"))
        checks.extend(_field_checks(spec, column))
    for rule in table.rules:
        if rule.kind == "date_order":
            start, end = rule.fields
            start_sql, end_sql = identifier(start), identifier(end)
            checks.append(RowCheck(
                "dates_out_of_order", end,
                f"{as_date(end_sql)} < {as_date(start_sql)}",
                f"{end} on or after {start}: {rule.description}",
                value=end_sql, note=f"{literal(start + ' is ')} || {start_sql}",
            ))
        elif rule.kind == "one_of_required":
            conditions = " AND ".join(blank(identifier(f)) for f in rule.fields)
            checks.append(RowCheck(
                "one_of_required_missing", " or ".join(rule.fields), f"({conditions})",
                f"at least one of {', '.join(rule.fields)}: {rule.description}",
            ))
    return checks


def as_date(column: str) -> str:
    """SQL for the column as a DATE when it is a valid YYYY-MM-DD date, else NULL (DuckDB
    would also cast '2024-04-03 00:00:00', which the contract rejects)."""
    return (f"CASE WHEN regexp_full_match({column}, '{DATE_PATTERN}') "
            f"THEN TRY_CAST({column} AS DATE) END")


def _field_checks(spec: Field, column: str) -> Iterable[RowCheck]:
    """Format, range, code and pattern checks for one field's non-blank values."""
    has_value = present(column)

    def check(rule_id: str, condition: str, expected: str, **options) -> RowCheck:
        return RowCheck(rule_id, spec.name, f"({has_value} AND {condition})", expected,
                        value=options.pop("value", column), **options)

    if spec.type == "date":
        yield check("invalid_date",
                    f"NOT (regexp_full_match({column}, '{DATE_PATTERN}') "
                    f"AND TRY_CAST({column} AS DATE) IS NOT NULL)",
                    "a date as YYYY-MM-DD", explain=explain_date)
    elif spec.type == "time":
        yield check("invalid_time", f"NOT regexp_full_match({column}, '{TIME_PATTERN}')",
                    "a time as HH:MM or HH:MM:SS (24-hour clock)")
    elif spec.type == "integer":
        yield check("invalid_integer",
                    f"NOT (regexp_full_match({column}, '{INTEGER_PATTERN}') "
                    f"AND TRY_CAST({column} AS INTEGER) IS NOT NULL)",
                    "a whole number such as 42")
        yield from _range_check(spec, column, INTEGER_PATTERN, check)
    elif spec.type == "decimal":
        yield check("invalid_decimal",
                    f"NOT (regexp_full_match({column}, '{DECIMAL_PATTERN}') "
                    f"AND TRY_CAST({column} AS DOUBLE) IS NOT NULL)",
                    "a number such as 0.25 (or 2.5e-1)")
        yield from _range_check(spec, column, DECIMAL_PATTERN, check)
    elif spec.type == "code":
        valid = codelists.codes(spec.codelist)
        in_list = (f"SELECT code FROM {CODE_TABLE} WHERE list = {literal(spec.codelist)}")
        expected = f"a code from the {spec.codelist} list ({describe_codes(valid)})"
        # A list known or suspected to lack valid codes cannot tell a real code it misses
        # from a wrong one: warn and load rather than reject the extract.
        if codelists.info(spec.codelist)["complete"]:
            rule_id = "unknown_code"
        else:
            rule_id = "code_not_in_incomplete_list"
            expected += ", a list marked incomplete, so the value is loaded"
        yield check(rule_id, f"{column} NOT IN ({in_list})", expected,
                    explain=lambda value, valid=valid: explain_code(value, valid))
        for code in codelists.info(spec.codelist)["unknown_codes"]:
            code = str(code)
            label = codelists.label(spec.codelist, code)
            yield check("code_not_stated_or_known", f"{column} = {literal(code)}",
                        f"a stated value ({code} = {label})")
    elif spec.type == "nhs_number":
        yield check("invalid_nhs_number", invalid_nhs_number_sql(column),
                    "10 digits with a valid modulus-11 check digit", value="NULL",
                    withhold=True,
                    note=(f"CASE WHEN regexp_full_match({column}, '[0-9]{{10}}') "
                          "THEN 'check digit does not match' "
                          f"ELSE 'not 10 digits (' || length({column}) || ' characters)' END"))
    if spec.pattern is not None and spec.type in ("string", "identifier"):
        yield check("pattern_mismatch", f"NOT regexp_full_match({column}, {literal(spec.pattern)})",
                    f"text matching the pattern {spec.pattern}")


def _range_check(spec: Field, column: str, pattern: str, check) -> Iterable[RowCheck]:
    bounds = []
    if spec.minimum is not None:
        bounds.append(f"TRY_CAST({column} AS DOUBLE) < {float(spec.minimum)!r}")
    if spec.maximum is not None:
        bounds.append(f"TRY_CAST({column} AS DOUBLE) > {float(spec.maximum)!r}")
    if not bounds:
        return
    if spec.minimum is not None and spec.maximum is not None:
        expected = f"a value from {_number(spec.minimum)} to {_number(spec.maximum)}"
    elif spec.minimum is not None:
        expected = f"a value of at least {_number(spec.minimum)}"
    else:
        expected = f"a value of at most {_number(spec.maximum)}"
    yield check("value_out_of_range",
                f"regexp_full_match({column}, '{pattern}') AND ({' OR '.join(bounds)})",
                expected)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def describe_codes(valid: frozenset[str]) -> str:
    """'A, B, C, ... (18 codes)' for messages."""
    ordered = sorted(valid, key=lambda c: (len(c), c))
    if len(ordered) <= _SHOWN_CODES:
        return ", ".join(ordered)
    return ", ".join(ordered[:_SHOWN_CODES]) + f", ... ({len(ordered)} codes)"


def _run_row_checks(
    connection: duckdb.DuckDBPyConnection, source: StagedTable, checks: list[RowCheck]
) -> list[Finding]:
    if not checks:
        return []
    counts = connection.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.condition})" for c in checks)
        + f" FROM {source.sql_name}"
    ).fetchone()
    findings = []
    for check, count in zip(checks, counts, strict=True):
        if count:
            examples = _examples(connection, source, check)
            findings.append(Finding.of(
                check.rule_id, table=source.name, file=source.file_name, column=check.column,
                count=int(count), expected=check.expected, examples=examples))
    return findings


def _examples(
    connection: duckdb.DuckDBPyConnection, source: StagedTable, check: RowCheck
) -> tuple[Example, ...]:
    rows = connection.execute(
        f"SELECT rowid + {source.row_offset}, {check.value or 'NULL'}, {check.note or 'NULL'} "
        f"FROM {source.sql_name} WHERE {check.condition} ORDER BY rowid "
        f"LIMIT {EXAMPLES_PER_FINDING}"
    ).fetchall()
    examples = []
    for row, value, note in rows:
        if note is None and check.explain is not None and value is not None:
            note = check.explain(value)
        examples.append(Example(row=int(row), value=None if check.withhold else value, note=note))
    return tuple(examples)


# --- explanations for examples -----------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug folded in)
_SLASHED = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_SERIAL = re.compile(r"\d{4,5}(\.\d+)?")
_WITH_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}.*")


def explain_date(value: str) -> str | None:
    """Why a date is not YYYY-MM-DD, recognising what Excel does to dates."""
    text = value.strip()
    if _SLASHED.fullmatch(text):
        return "looks like a day/month/year date as Excel shows it"
    if _SERIAL.fullmatch(text):
        days = int(float(text))
        if 0 < days < 2_958_466:
            date = _EXCEL_EPOCH + dt.timedelta(days=days)
            return f"looks like an Excel serial date number ({days} is {date.isoformat()})"
    if _WITH_TIME.fullmatch(text):
        return "a date with a time of day; expected the date alone"
    if text != value:
        return "surrounding spaces"
    if re.fullmatch(DATE_PATTERN, text):
        return "not a calendar date"
    return None


def explain_code(value: str, valid: frozenset[str]) -> str | None:
    """Why a code is unknown, when the fix is obvious (leading zero lost, case, spaces)."""
    stripped = value.strip()
    if stripped != value and stripped in valid:
        return f"surrounding spaces; {stripped!r} is a code"
    for width in (2, 3):
        if stripped.isdigit() and len(stripped) < width and stripped.zfill(width) in valid:
            return f"leading zero lost (as Excel does)? {stripped.zfill(width)!r} is a code"
    for variant in (stripped.upper(), stripped.lower()):
        if variant != stripped and variant in valid:
            return f"wrong case; {variant!r} is a code"
    return None


# --- keys and references -----------------------------------------------------------------------


def _duplicate_keys(connection: duckdb.DuckDBPyConnection, source: StagedTable) -> list[Finding]:
    key = source.table.key
    if not key or not set(key) <= source.present_columns:
        return []
    columns = ", ".join(identifier(c) for c in key)
    complete = " AND ".join(present(identifier(c)) for c in key)
    groups = connection.execute(
        f"""
        WITH repeated AS (
            SELECT {columns}, count(*) AS n, min(rowid) AS first
            FROM {source.sql_name} WHERE {complete}
            GROUP BY {columns} HAVING count(*) > 1
        )
        SELECT sum(n - 1) OVER (), n, {columns}
        FROM repeated ORDER BY first LIMIT {EXAMPLES_PER_FINDING}
        """
    ).fetchall()
    if not groups:
        return []
    same_key = " AND ".join(f"{identifier(c)} = ?" for c in key)
    examples = []
    for _, n, *values in groups:
        first, second = (row for (row,) in connection.execute(
            f"SELECT rowid + {source.row_offset} FROM {source.sql_name} WHERE {same_key} "
            "ORDER BY rowid LIMIT 2", values).fetchall())
        examples.append(Example(
            row=int(second), value=" / ".join(values),
            note=f"same {' + '.join(key)} as row {first}"
            + (f" ({n} rows in all)" if n > 2 else "")))
    return [Finding.of(
        "duplicate_key", table=source.name, file=source.file_name, column=", ".join(key),
        count=int(groups[0][0]), expected=f"one row per {' + '.join(key)}",
        examples=tuple(examples))]


def _orphans(
    connection: duckdb.DuckDBPyConnection,
    source: StagedTable,
    spec: Field,
    staged: dict[str, StagedTable],
) -> list[Finding]:
    parent_name, parent_field = spec.references
    parent = staged[parent_name]
    if not parent.loaded or (parent.rows and parent_field not in parent.present_columns):
        return []  # the parent's own problem is already reported as fatal
    column = identifier(spec.name)
    rows = connection.execute(
        f"""
        SELECT count(*) OVER (), child.rowid + {source.row_offset}, child.{column}
        FROM {source.sql_name} AS child
        WHERE {present('child.' + column)} AND NOT EXISTS (
            SELECT 1 FROM {parent.sql_name} AS parent
            WHERE parent.{identifier(parent_field)} = child.{column})
        ORDER BY child.rowid LIMIT {EXAMPLES_PER_FINDING}
        """
    ).fetchall()
    if not rows:
        return []
    where = f"{parent_name}.{parent_field}"
    absent = "" if parent.file is not None else f" (there is no {parent_name} file)"
    return [Finding.of(
        "orphan_reference", table=source.name, file=source.file_name, column=spec.name,
        count=int(rows[0][0]), expected=f"a {spec.name} that is in {where}{absent}",
        examples=tuple(Example(row=int(r), value=v, note=f"not in {where}") for _, r, v in rows),
    )]


def person_references(contract: Contract) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """For each person identifier field referenced by other tables (MHS001MPI.Person_ID),
    the (table, field) pairs that reference it."""
    references: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table in contract.tables.values():
        for spec in table.fields.values():
            if spec.references is None:
                continue
            target_table, target_field = spec.references
            if contract[target_table].fields[target_field].type == "person_id":
                references.setdefault(spec.references, []).append((table.name, spec.name))
    return references


def _people_without_activity(
    connection: duckdb.DuckDBPyConnection, staged: dict[str, StagedTable], contract: Contract
) -> list[Finding]:
    findings = []
    for (people_table, person_field), referrers in person_references(contract).items():
        people = staged[people_table]
        if not people.loaded or people.rows == 0 or person_field not in people.present_columns:
            continue
        activity = " UNION ALL ".join(
            f"SELECT {identifier(field)} AS person FROM {staged[table].sql_name}"
            for table, field in referrers
            if staged[table].loaded and field in staged[table].present_columns
        ) or "SELECT CAST(NULL AS VARCHAR) AS person"
        column = identifier(person_field)
        rows = connection.execute(
            f"""
            SELECT count(*) OVER (), p.rowid + {people.row_offset}, p.{column}
            FROM {people.sql_name} AS p
            WHERE {present('p.' + column)} AND NOT EXISTS (
                SELECT 1 FROM ({activity}) AS a WHERE a.person = p.{column})
            ORDER BY p.rowid LIMIT {EXAMPLES_PER_FINDING}
            """
        ).fetchall()
        if rows:
            findings.append(Finding.of(
                "person_without_activity", table=people_table, file=people.file_name,
                column=person_field, count=int(rows[0][0]),
                expected=f"each person to appear in at least one of {len(referrers)} tables "
                         "that refer to them (referrals, contacts, spells, ...)",
                examples=tuple(Example(row=int(r), value=v) for _, r, v in rows)))
    return findings
