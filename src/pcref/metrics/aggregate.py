"""Count a metric's unit rows by every breakdown in one pass: the engine's aggregation SQL.

The unit rows (a temporary relation) are joined once to the person attributes and the team
and ward lookups, each row is given its age band, month and quarter, and one ``GROUP BY
GROUPING SETS`` query sums the numerator and denominator for every breakdown the metric
reports — the total, each one-way breakdown, each cross, and the sex × age-band strata that
direct standardisation needs — so only aggregates leave the engine. ``GROUPING(column)``
flags say which grouping set a result row belongs to (never a NULL label: every attribute has
a "Not known" group).

Sums are taken as ``DECIMAL(38, 6)``: exact and independent of the order rows are added in,
so parallel engines give the same figures every time (floating-point sums would not).
Median metrics group by the observation too and count rows per distinct value; the median
and its interval are then found from those frequencies.

The SQL is portable (``GROUPING SETS``, ``GROUPING``, ``CASE``, ``EXTRACT``, ``LPAD``, casts)
so SQLGlot transpiles it to Spark SQL unchanged in meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

from pcref.metrics import attributes
from pcref.metrics.attributes import NOT_KNOWN
from pcref.metrics.periods import Period

#: The relation holding the metric's unit rows for the period being computed.
UNITS = "pcref_units"
#: Column of the single-statistic label when unit rows carry none.
NO_STATISTIC = ""


def _grouped(column: str) -> str:
    return f"grouped_{column}"


def quarter_sql(event_date: str, period: Period) -> str:
    """The financial-year quarter label of a date in ``period``."""
    month = f"EXTRACT(MONTH FROM {event_date})"
    labels = period.quarters
    return (
        f"CASE WHEN {month} BETWEEN 4 AND 6 THEN '{labels[0]}' "
        f"WHEN {month} BETWEEN 7 AND 9 THEN '{labels[1]}' "
        f"WHEN {month} BETWEEN 10 AND 12 THEN '{labels[2]}' "
        f"ELSE '{labels[3]}' END"
    )


def month_sql(event_date: str) -> str:
    """``YYYY-MM`` of a date, in portable SQL."""
    return (
        f"CAST(EXTRACT(YEAR FROM {event_date}) AS VARCHAR) || '-' || "
        f"LPAD(CAST(EXTRACT(MONTH FROM {event_date}) AS VARCHAR), 2, '0')"
    )


def attributed_units_sql(
    columns: Iterable[str],
    period: Period,
    *,
    has_statistic: bool,
    has_denominator: bool,
    has_observation: bool,
    team_lookup: bool,
    ward_lookup: bool,
) -> str:
    """The unit rows with the attribute columns named in ``columns`` (a subquery)."""
    wanted = list(dict.fromkeys(columns))
    person = {"ethnicity_5", "ethnicity_16", "sex", "locality", "imd_quintile"}
    select = [
        "u.statistic AS statistic" if has_statistic else f"'{NO_STATISTIC}' AS statistic",
        "u.numerator AS numerator",
    ]
    if has_denominator:
        select.append("u.denominator AS denominator")
    if has_observation:
        select.append("u.observation AS observation")
    joins = []
    if person & set(wanted) or "age_band" in wanted:
        joins.append(f"LEFT JOIN {attributes.PERSON_ATTRIBUTES} AS a ON a.Person_ID = u.Person_ID")
    for column in wanted:
        if column in person:
            select.append(f"COALESCE(a.{column}, '{NOT_KNOWN}') AS {column}")
        elif column == "age_band":
            age = attributes.age_sql("u.event_date", "a.birth_date", "a.age_reported")
            select.append(f"{attributes.age_band_sql(f'({age})')} AS age_band")
        elif column == "month":
            select.append(f"{month_sql('u.event_date')} AS month")
        elif column == "quarter":
            select.append(f"{quarter_sql('u.event_date', period)} AS quarter")
        elif column == "team":
            if team_lookup:
                joins.append("LEFT JOIN team AS t ON t.UniqCareProfTeamID = u.team_id")
                select.append(f"COALESCE(t.TeamName, u.team_id, '{NOT_KNOWN}') AS team")
            else:
                select.append(f"COALESCE(u.team_id, '{NOT_KNOWN}') AS team")
        elif column == "ward":
            if ward_lookup:
                joins.append("LEFT JOIN ward AS w ON w.WardCode = u.ward_code")
                select.append(f"COALESCE(w.WardName, u.ward_code, '{NOT_KNOWN}') AS ward")
            else:
                select.append(f"COALESCE(u.ward_code, '{NOT_KNOWN}') AS ward")
        else:
            raise ValueError(f"no attribute column {column!r}")
    where = "WHERE u.observation IS NOT NULL" if has_observation else ""
    body = ",\n    ".join(select)
    return f"SELECT\n    {body}\nFROM {UNITS} AS u\n" + "\n".join(joins) + f"\n{where}"


def counts_sql(
    grouping_sets: list[tuple[str, ...]],
    period: Period,
    *,
    has_statistic: bool,
    has_denominator: bool,
    median: bool,
    team_lookup: bool,
    ward_lookup: bool,
) -> str:
    """Numerator and denominator sums (or observation frequencies) for every grouping set.

    Result columns: ``stat_label`` (the unit rows' statistic label, or ""), every grouped
    column and its ``grouped_<column>`` flag (0 when the row is grouped by it),
    ``numerator``, ``denominator`` (when the rows have one), ``unit_rows``; for medians also
    ``observation`` (one row per distinct value).
    """
    columns = list(dict.fromkeys(c for s in grouping_sets for c in s))
    source = attributed_units_sql(
        columns, period, has_statistic=has_statistic, has_denominator=has_denominator,
        has_observation=median, team_lookup=team_lookup, ward_lookup=ward_lookup,
    )
    always = ["statistic", "observation"] if median else ["statistic"]
    sets = ", ".join("(" + ", ".join([*always, *s]) + ")" for s in grouping_sets)
    select = ["statistic AS stat_label", *columns]
    select += [f"GROUPING({c}) AS {_grouped(c)}" for c in columns]
    select.append("CAST(SUM(CAST(numerator AS DECIMAL(38, 6))) AS DOUBLE) AS numerator")
    if has_denominator:
        select.append("CAST(SUM(CAST(denominator AS DECIMAL(38, 6))) AS DOUBLE) AS denominator")
    if median:
        select.append("observation")
    select.append("COUNT(*) AS unit_rows")
    return (
        "SELECT\n    " + ",\n    ".join(select)
        + f"\nFROM (\n{source}\n) AS attributed\nGROUP BY GROUPING SETS ({sets})"
    )


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
