"""Count a metric's unit rows by every breakdown: the engine's aggregation SQL, in two stages.

**Stage one** joins the unit rows (a temporary relation) once to the person attributes, gives
each row its age band, month and quarter, and sums the numerator and denominator by *every*
attribute any of the metric's breakdowns needs at once, into a temporary relation
(:data:`UNIT_COUNTS`). Attributes are whole-number codes (:mod:`pcref.metrics.attributes`),
which engines group several times faster than text; at national scale millions of unit rows
become tens of thousands of combinations.

**Stage two** runs one ``GROUP BY GROUPING SETS`` over that small relation for every
breakdown the metric reports — the total, each one-way breakdown, each cross, and the sex ×
age-band strata that direct standardisation needs — and attaches team and ward names from
their lookups. ``GROUPING(column)`` flags say which grouping set a result row belongs to
(never a NULL label: every attribute has a "Not known" group). Only these aggregates leave
the engine; :func:`decode_counts` turns the codes into labels.

Sums are taken as ``DECIMAL(38, 6)``: exact and independent of the order rows are added in,
so parallel engines give the same figures every time (floating-point sums would not).
Median metrics group by the observation too and count rows per distinct value; the median
and its interval are then found from those frequencies.

The SQL is portable (``GROUPING SETS``, ``GROUPING``, ``CASE``, ``EXTRACT``, ``COALESCE``,
casts) so SQLGlot transpiles it to Spark SQL unchanged in meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pcref.metrics import attributes
from pcref.metrics.attributes import NOT_KNOWN
from pcref.metrics.periods import Period

#: The relation holding the metric's unit rows for the period being computed.
UNITS = "pcref_units"
#: Stage one's relation: the unit rows summed by every attribute combination that occurs.
UNIT_COUNTS = "pcref_unit_counts"
#: Column of the single-statistic label when unit rows carry none.
NO_STATISTIC = ""


def _grouped(column: str) -> str:
    return f"grouped_{column}"


def quarter_sql(event_date: str) -> str:
    """The financial-year quarter (1 = April-June … 4 = January-March) of a date."""
    month = f"EXTRACT(MONTH FROM {event_date})"
    return (
        f"CASE WHEN {month} BETWEEN 4 AND 6 THEN 1 WHEN {month} BETWEEN 7 AND 9 THEN 2 "
        f"WHEN {month} BETWEEN 10 AND 12 THEN 3 ELSE 4 END"
    )


def month_sql(event_date: str) -> str:
    """The month of a date as a whole number YYYYMM."""
    return f"EXTRACT(YEAR FROM {event_date}) * 100 + EXTRACT(MONTH FROM {event_date})"


#: Stage-one column holding each breakdown's code (team and ward keep the row's own id).
STAGE_ONE_COLUMN = {"team": "team_id", "ward": "ward_code"}
#: The caseload-profile attributes' labels, by breakdown (codes are positions in them).
PROFILE_LABELS = {
    "preferred_language": attributes.preferred_language_labels,
    "interpreter_need": lambda: attributes.INTERPRETER_NEED_LABELS,
    "religion": attributes.religion_labels,
    "disability": lambda: attributes.DISABILITY_LABELS,
}


def attributed_units_sql(
    columns: Iterable[str],
    *,
    has_statistic: bool,
    has_denominator: bool,
    has_observation: bool,
) -> str:
    """The unit rows with the attribute codes of ``columns`` (a subquery)."""
    wanted = list(dict.fromkeys(columns))
    person = {"ethnicity_5", "ethnicity_16", "sex", "locality", "imd_quintile",
              *PROFILE_LABELS}
    select = [
        "u.statistic AS statistic" if has_statistic else f"'{NO_STATISTIC}' AS statistic",
        "u.numerator AS numerator",
    ]
    if has_denominator:
        select.append("u.denominator AS denominator")
    if has_observation:
        select.append("u.observation AS observation")
    join = ""
    if person & set(wanted) or {"age_band", "esp_band"} & set(wanted):
        join = f"LEFT JOIN {attributes.PERSON_ATTRIBUTES} AS a ON a.Person_ID = u.Person_ID"
    for column in wanted:
        if column in person:
            unknown = _not_known_code(column)
            select.append(f"COALESCE(a.{column}, {unknown}) AS {column}")
        elif column == "age_band":
            age = attributes.age_sql("u.event_date", "a.birth_date", "a.age_reported")
            select.append(f"{attributes.age_band_sql(f'({age})', codes=True)} AS age_band")
        elif column == "esp_band":  # strata of standardise: esp2013
            age = attributes.age_sql("u.event_date", "a.birth_date", "a.age_reported")
            select.append(f"{attributes.esp_band_sql(f'({age})', codes=True)} AS esp_band")
        elif column == "month":
            select.append(f"{month_sql('u.event_date')} AS month")
        elif column == "quarter":
            select.append(f"{quarter_sql('u.event_date')} AS quarter")
        elif column in STAGE_ONE_COLUMN:
            select.append(f"u.{STAGE_ONE_COLUMN[column]} AS {STAGE_ONE_COLUMN[column]}")
        else:
            raise ValueError(f"no attribute column {column!r}")
    where = "WHERE u.observation IS NOT NULL" if has_observation else ""
    body = ",\n    ".join(select)
    return f"SELECT\n    {body}\nFROM {UNITS} AS u\n{join}\n{where}"


def _not_known_code(column: str) -> int:
    if column in PROFILE_LABELS:
        return PROFILE_LABELS[column]().index(NOT_KNOWN)
    if column == "ethnicity_16":
        return attributes.ethnicity_16_labels().index(NOT_KNOWN)
    if column == "ethnicity_5":
        return attributes.ethnicity_5_labels().index(NOT_KNOWN)
    if column == "sex":
        return attributes.SEX_LABELS.index(NOT_KNOWN)
    if column == "imd_quintile":
        return len(attributes.IMD_QUINTILES)
    return 0  # locality


def unit_counts_sql(
    columns: Iterable[str],
    *,
    has_statistic: bool,
    has_denominator: bool,
    median: bool,
) -> str:
    """Stage one: the unit rows summed by every attribute any breakdown needs at once.

    The result (materialised as :data:`UNIT_COUNTS`) has one row per combination that occurs
    — far fewer than unit rows at scale — with whole-number codes as keys, so the
    many-breakdown ``GROUPING SETS`` of stage two run on a small table.
    """
    wanted = list(dict.fromkeys(columns))
    keys = ["statistic", *(["observation"] if median else [])]
    keys += [STAGE_ONE_COLUMN.get(c, c) for c in wanted]
    source = attributed_units_sql(wanted, has_statistic=has_statistic,
                                  has_denominator=has_denominator, has_observation=median)
    sums = ["SUM(CAST(numerator AS DECIMAL(38, 6))) AS numerator"]
    if has_denominator:
        sums.append("SUM(CAST(denominator AS DECIMAL(38, 6))) AS denominator")
    sums.append("COUNT(*) AS unit_rows")
    return (
        "SELECT\n    " + ",\n    ".join([*keys, *sums])
        + f"\nFROM (\n{source}\n) AS attributed\nGROUP BY " + ", ".join(keys)
    )


def counts_sql(
    grouping_sets: list[tuple[str, ...]],
    *,
    has_denominator: bool,
    median: bool,
    team_lookup: bool,
    ward_lookup: bool,
) -> str:
    """Stage two: numerator and denominator sums (or observation frequencies) for every
    grouping set, from :data:`UNIT_COUNTS`.

    Result columns: ``stat_label`` (the unit rows' statistic label, or ""), every grouped
    column (codes; team and ward names) and its ``grouped_<column>`` flag (0 when the row is
    grouped by it), ``numerator``, ``denominator`` (when the rows have one), ``unit_rows``;
    for medians also ``observation`` (one row per distinct value).
    """
    columns = list(dict.fromkeys(c for s in grouping_sets for c in s))
    inner = ["c.*"]
    joins = []
    for column, table, key, name in (("team", "team", "UniqCareProfTeamID", "TeamName"),
                                     ("ward", "ward", "WardCode", "WardName")):
        if column not in columns:
            continue
        own = f"c.{STAGE_ONE_COLUMN[column]}"
        if (team_lookup if column == "team" else ward_lookup):
            joins.append(f"LEFT JOIN {table} AS {column}_lookup "
                         f"ON {column}_lookup.{key} = {own}")
            inner.append(f"COALESCE({column}_lookup.{name}, {own}, '{NOT_KNOWN}') AS {column}")
        else:
            inner.append(f"COALESCE({own}, '{NOT_KNOWN}') AS {column}")
    source = f"SELECT {', '.join(inner)} FROM {UNIT_COUNTS} AS c " + " ".join(joins)
    always = ["statistic", "observation"] if median else ["statistic"]
    sets = ", ".join("(" + ", ".join([*always, *s]) + ")" for s in grouping_sets)
    select = ["statistic AS stat_label", *columns]
    select += [f"GROUPING({c}) AS {_grouped(c)}" for c in columns]
    select.append("CAST(SUM(numerator) AS DOUBLE) AS numerator")
    if has_denominator:
        select.append("CAST(SUM(denominator) AS DOUBLE) AS denominator")
    if median:
        select.append("observation")
    select.append("SUM(unit_rows) AS unit_rows")
    return (
        "SELECT\n    " + ",\n    ".join(select)
        + f"\nFROM (\n{source}\n) AS counted\nGROUP BY GROUPING SETS ({sets})"
    )


def decode_counts(
    counts: pd.DataFrame, columns: list[str], period: Period, localities: tuple[str, ...]
) -> pd.DataFrame:
    """Turn the code columns of stage two's result into the breakdowns' labels."""
    out = counts.copy()
    fixed = {
        "ethnicity_5": attributes.ethnicity_5_labels(),
        "ethnicity_16": attributes.ethnicity_16_labels(),
        "sex": attributes.SEX_LABELS,
        "age_band": attributes.AGE_BANDS,
        "esp_band": attributes.ESP_BANDS,
        "imd_quintile": (*attributes.IMD_QUINTILES, NOT_KNOWN),
        "locality": localities,
        "quarter": ("", *period.quarters),
        **{column: labels() for column, labels in PROFILE_LABELS.items()},
    }
    for column in columns:
        if column in fixed:
            out[column] = attributes.decode(out[column], fixed[column])
        elif column == "month":
            values = pd.to_numeric(out[column], errors="coerce")
            out[column] = [None if pd.isna(v) else f"{int(v) // 100:04d}-{int(v) % 100:02d}"
                           for v in values]
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def unit_checks_sql(
    period: Period, *, has_statistic: bool, has_denominator: bool, has_observation: bool
) -> str:
    """One row of counts of unit rows that break the catalogue format."""
    start, end = period.start.isoformat(), period.end.isoformat()
    checks = {
        "unit_rows": "1",
        "no_person": "CASE WHEN Person_ID IS NULL THEN 1 ELSE 0 END",
        "no_event_date": "CASE WHEN event_date IS NULL THEN 1 ELSE 0 END",
        "outside_period": (
            f"CASE WHEN event_date < DATE '{start}' OR event_date > DATE '{end}' "
            "THEN 1 ELSE 0 END"
        ),
        "no_numerator": "CASE WHEN numerator IS NULL THEN 1 ELSE 0 END",
        "negative_numerator": "CASE WHEN numerator < 0 THEN 1 ELSE 0 END",
    }
    if has_denominator:
        checks["no_denominator"] = "CASE WHEN denominator IS NULL THEN 1 ELSE 0 END"
        checks["negative_denominator"] = "CASE WHEN denominator < 0 THEN 1 ELSE 0 END"
    if has_statistic:
        checks["no_statistic"] = "CASE WHEN statistic IS NULL THEN 1 ELSE 0 END"
    if has_observation:
        checks["no_observation"] = "CASE WHEN observation IS NULL THEN 1 ELSE 0 END"
    body = ",\n    ".join(f"SUM({sql}) AS {name}" for name, sql in checks.items())
    return f"SELECT\n    {body}\nFROM {UNITS}"


def statistics_sql() -> str:
    """The distinct statistic labels of the unit rows."""
    return f"SELECT DISTINCT statistic FROM {UNITS} WHERE statistic IS NOT NULL ORDER BY 1"
