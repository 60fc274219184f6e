"""Run NHS England's Mental Health Act preparation SQL against a DuckDB warehouse connection.

The rules live in the SQL files beside this module (one relation per file, readable DuckDB SQL
that SQLGlot transpiles to Spark SQL); this module only checks the inputs, binds the reporting
period and materialises each relation, with the relations it reads, as a TEMP table of the same
name on the connection (nothing is written to the warehouse file):

=========================  ==============================================================
relation                   what it holds
=========================  ==============================================================
mha_episodes               every legal-status episode classified into categories A–P, N
mha_episodes_in_period     NHS England's "detentions" table: episodes starting in the
                           period, rows at their earliest linked spell, every category
mha_detentions             detentions (categories A, B, C, D, P) in the period
mha_repeat_detentions      people detained in the period by number of detentions
mha_length_of_detention    continuous runs of detention ending in the period, in days
=========================  ==============================================================

Source of the rules: NHSDigital/mental-health-act-annual-statistics (commit 44a5ccd4, the 2024-25
publication code), described in ``shared/notes/mha-detention-categories.md``; the plain-English
account, worked examples and quirks are in ``docs/mha-detention-classification.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import duckdb

from pcref.contract import WAREHOUSE_TYPES, Table, load_contract

#: Each relation and the relations its SQL reads, in build order.
RELATIONS: dict[str, tuple[str, ...]] = {
    "mha_episodes": (),
    "mha_episodes_in_period": ("mha_episodes",),
    "mha_detentions": ("mha_episodes_in_period",),
    "mha_repeat_detentions": ("mha_detentions",),
    "mha_length_of_detention": ("mha_episodes_in_period",),
}

#: The categories NHS England counts as detentions (note §5).
DETENTION_CATEGORIES: tuple[str, ...] = ("A", "B", "C", "D", "P")

#: NHS England's names for the categories (Annual_Measures_Prep.py).
CATEGORY_NAMES: dict[str, str] = {
    "A": "Detention on admission to hospital",
    "B": "Detention subsequent to admission",
    "C": "Detention following place of safety order",
    "D": "Detention following revocation of CTO or conditional discharge",
    "E": "Place of safety order",
    "F": "Other short term holding order",
    "G": "Renewal",
    "H": "Transfer on section",
    "J": "5(2) subsequent to 5(4)",
    "K": "37 subsequent to 35",
    "L": "3 subsequent to 2",
    "M": "Guardianship",
    "P": "Criminal justice admission",
    "N": "Inconsistent value",
}

#: The data-contract columns the SQL reads, per contract table.
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "MHS401MHActPeriod": (
        "Person_ID",
        "OrgIDProv",
        "UniqMHActEpisodeID",
        "LegalStatusCode",
        "StartDateMHActLegalStatusClass",
        "StartTimeMHActLegalStatusClass",
        "ExpiryDateMHActLegalStatusClass",
        "EndDateMHActLegalStatusClass",
        "EndTimeMHActLegalStatusClass",
    ),
    "MHS404CommTreatOrder": (
        "MHS404UniqID",
        "Person_ID",
        "OrgIDProv",
        "UniqMHActEpisodeID",
        "StartDateCommTreatOrd",
        "EndDateCommTreatOrd",
        "CommTreatOrdEndReason",
    ),
    "MHS501HospProvSpell": (
        "UniqHospProvSpellID",
        "Person_ID",
        "OrgIDProv",
        "StartDateHospProvSpell",
        "StartTimeHospProvSpell",
        "DischDateHospProvSpell",
        "DischTimeHospProvSpell",
        "MethAdmMHHospProvSpell",
        "DestOfDischHospProvSpell",
    ),
}

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


def sql_text(relation: str) -> str:
    """The SQL that defines ``relation`` (the file ``<relation>.sql`` beside this module)."""
    if relation not in RELATIONS:
        raise KeyError(f"no MHA preparation relation {relation!r}; known: {list(RELATIONS)}")
    return resources.files(__package__).joinpath(f"{relation}.sql").read_text(encoding="utf-8")


def sql_parameters(relation: str) -> tuple[str, ...]:
    """Names of the ``$name`` parameters the SQL of ``relation`` uses, in order of first use."""
    code = _LINE_COMMENT.sub("", sql_text(relation))
    return tuple(dict.fromkeys(_PARAMETER.findall(code)))


def check_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """Check the warehouse has the contract tables and columns the SQL reads, with their types.

    A missing optional table (MHS404CommTreatOrder is ``required: false`` in the contract) is
    created as an empty TEMP table, so a trust that records no CTOs is classified as having none.
    Raises ValueError naming the table, the column and what was expected.
    """
    contract = load_contract()
    present = _warehouse_columns(con)
    for table_name, columns in INPUT_COLUMNS.items():
        table = contract[table_name]
        if table_name.lower() not in present:
            if table.required:
                raise ValueError(
                    f"table {table_name} is missing from the warehouse; the Mental Health Act "
                    f"classification reads its columns {', '.join(columns)}"
                )
            _create_empty(con, table)
            continue
        types = present[table_name.lower()]
        for column in columns:
            expected = WAREHOUSE_TYPES[table.fields[column].type]
            actual = types.get(column.lower())
            if actual is None:
                raise ValueError(
                    f"table {table_name}: column {column} is missing; expected a {expected} "
                    f"column ({table.fields[column].description})"
                )
            if actual != expected:
                raise ValueError(
                    f"table {table_name}: column {column} has type {actual}, expected {expected} "
                    f"(data-contract type {table.fields[column].type!r})"
                )


def build(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    period_start: dt.date | str | None = None,
    period_end: dt.date | str | None = None,
) -> duckdb.DuckDBPyRelation:
    """Check the inputs, then materialise ``relation`` and every relation it reads, in order;
    return it as a DuckDB relation.

    ``period_start`` and ``period_end`` (dates, both inclusive) are required for every relation
    except ``mha_episodes``.
    """
    order = _build_order(relation)
    if any(sql_parameters(name) for name in order):
        _period(period_start, period_end)  # refuse a bad period before any work
    check_inputs(con)
    for name in order:
        materialise(con, name, period_start, period_end)
    return con.table(relation)


def materialise(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    period_start: dt.date | str | None = None,
    period_end: dt.date | str | None = None,
) -> None:
    """Run the SQL of ``relation`` alone into a TEMP table of that name; the relations it reads
    must already exist on ``con`` (see :func:`build`)."""
    wanted = sql_parameters(relation)
    params = _period(period_start, period_end) if wanted else {}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {relation} AS\n{sql_text(relation)}",
        {name: params[name] for name in wanted},
    )


def classify_episodes(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """Every legal-status episode classified (``mha_episodes``): one row per (episode, spell,
    previous episode, revoked CTO), with ``mha_category``."""
    return build(con, "mha_episodes")


def episodes_in_period(
    con: duckdb.DuckDBPyConnection, period_start: dt.date | str, period_end: dt.date | str
) -> duckdb.DuckDBPyRelation:
    """NHS England's detentions preparation table for the period (``mha_episodes_in_period``)."""
    return build(con, "mha_episodes_in_period", period_start, period_end)


def detentions(
    con: duckdb.DuckDBPyConnection, period_start: dt.date | str, period_end: dt.date | str
) -> duckdb.DuckDBPyRelation:
    """Detentions in the period (``mha_detentions``); count ``DISTINCT UniqMHActEpisodeID``."""
    return build(con, "mha_detentions", period_start, period_end)


def repeat_detentions(
    con: duckdb.DuckDBPyConnection, period_start: dt.date | str, period_end: dt.date | str
) -> duckdb.DuckDBPyRelation:
    """People detained in the period with their number of detentions and its band
    (``mha_repeat_detentions``)."""
    return build(con, "mha_repeat_detentions", period_start, period_end)


def length_of_detention(
    con: duckdb.DuckDBPyConnection, period_start: dt.date | str, period_end: dt.date | str
) -> duckdb.DuckDBPyRelation:
    """Continuous runs of detention ending in the period and their length in days
    (``mha_length_of_detention``)."""
    return build(con, "mha_length_of_detention", period_start, period_end)


def _build_order(relation: str) -> list[str]:
    if relation not in RELATIONS:
        raise KeyError(f"no MHA preparation relation {relation!r}; known: {list(RELATIONS)}")
    order: list[str] = []

    def visit(name: str) -> None:
        for dependency in RELATIONS[name]:
            visit(dependency)
        if name not in order:
            order.append(name)

    visit(relation)
    return order


def _as_date(name: str, value: dt.date | str | None) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(f"{name} must be a date without a time of day, got {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date (datetime.date or 'YYYY-MM-DD'), got {value!r}")


def _period(start: dt.date | str | None, end: dt.date | str | None) -> dict[str, dt.date]:
    period_start = _as_date("period_start", start)
    period_end = _as_date("period_end", end)
    if period_end < period_start:
        raise ValueError(
            f"period_end {period_end.isoformat()} is before period_start "
            f"{period_start.isoformat()}; both are inclusive, e.g. 2024-04-01 to 2025-03-31"
        )
    return {"period_start": period_start, "period_end": period_end}


def _warehouse_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Lower-cased table name -> lower-cased column name -> DuckDB type, for the tables an
    unqualified name resolves to: a temporary table shadows one in the current schema."""
    rows = con.execute(
        """
        SELECT table_catalog = 'temp' AS is_temporary, table_name, column_name, data_type
        FROM information_schema.columns
        WHERE table_catalog = 'temp'
           OR (table_catalog = current_database() AND table_schema = current_schema())
        """
    ).fetchall()
    temporary: dict[str, dict[str, str]] = {}
    persistent: dict[str, dict[str, str]] = {}
    for is_temporary, table, column, data_type in rows:
        target = temporary if is_temporary else persistent
        target.setdefault(table.lower(), {})[column.lower()] = data_type
    return persistent | temporary


def _create_empty(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    columns = ",\n".join(
        f"    {name} {WAREHOUSE_TYPES[field.type]}"
        for name, field in table.fields.items()
        if field.type != "nhs_number"
    )
    con.execute(f"CREATE TEMP TABLE {table.name} (\n{columns}\n)")
