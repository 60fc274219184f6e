"""ri_prone_restraint: one unit row per inpatient (a person with a ward stay overlapping
the period), numerator 1 if they had prone restraint (type 01) starting in the period.

The inpatient denominator (inpatients_in_period) is tested in tests/metrics/prep; here the
denominator is checked to be the same preparation relation, and the type filter is tested."""

import datetime as dt
import re

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["ri_prone_restraint"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
OTHER_CODES = sorted(codelists.codes("restrictive_intervention_type") - {"01"})


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "proportion" and METRIC.denominator == "rows"
    assert METRIC.multiplier == 100
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "MHS515RestrictiveInterventType" in spark


def test_same_inpatient_denominator_as_ri_people_pct():
    people_pct = load_catalogue()["ri_people_pct"]
    assert METRIC.requires == people_pct.requires == ("inpatients_in_period",)
    assert METRIC.breakdowns == people_pct.breakdowns


def test_hard_coded_code_is_the_code_lists_prone_restraint():
    types = codelists.load("restrictive_intervention_type")
    expected = set(types.loc[types["pcref_type"] == "prone_restraint", "code"])
    assert set(re.findall(r"RestrictiveIntType = '(\d\d)'", METRIC.sql)) == expected == {"01"}


def test_counts_inpatients_with_prone_restraint_in_the_period(
    warehouse, insert, ward_stay, intervention, rows_of
):
    insert("MHS502WardStay", [
        ward_stay("W1", "p1", "2024-05-01", "2024-07-01"),
        ward_stay("W2", "p2", "2024-03-01"),
        ward_stay("W3", "p3", "2024-03-01", "2024-04-20"),
        ward_stay("W5", "p5", "2025-03-01"),
    ])
    insert("MHS515RestrictiveInterventType", [
        # p1: prone restraint in the period, twice: counted once.
        intervention("T1", "p1", "01", "2024-06-10"),
        intervention("T1b", "p1", "01", "2024-06-12"),
        # p2: every other type of restrictive intervention, but not prone restraint.
        *[intervention(f"T2-{c}", "p2", c, "2024-06-10") for c in OTHER_CODES],
        # p3: prone restraint the day before the period.
        intervention("T3", "p3", "01", "2024-03-31"),
        # p4: prone restraint in the period but no ward stay in the extract: no row.
        intervention("T4", "p4", "01", "2024-08-01"),
        # p5: prone restraint on the last day of the period.
        intervention("T5", "p5", "01", "2025-03-31"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator", "denominator"}
    assert rows_of(rows) == [
        ("p1", "2024-05-01", 1, 1),
        ("p2", "2024-04-01", 0, 1),
        ("p3", "2024-04-01", 0, 1),
        ("p5", "2025-03-01", 1, 1),
    ]
