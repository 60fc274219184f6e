"""ri_duration: one unit row per measurable physical restraint starting in the period,
observation = minutes from start date-time to end date-time (worked by hand below)."""

import datetime as dt
import re

import pytest
import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["ri_duration"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def restraint(type_id, person, code, start, start_time, end, end_time, incident="I1"):
    return {
        "UniqRestrictiveIntTypeID": type_id, "UniqRestrictiveIntIncID": incident,
        "Person_ID": person, "RestrictiveIntType": code,
        "StartDateRestrictiveIntType": start, "StartTimeRestrictiveIntType": start_time,
        "EndDateRestrictiveIntType": end, "EndTimeRestrictiveIntType": end_time,
    }


def rows_of(frame):
    return sorted(
        (p, d.isoformat(), n, round(o, 6), None if w != w else w)
        for p, d, n, o, w in zip(frame["Person_ID"], frame["event_date"].dt.date,
                                 frame["numerator"], frame["observation"], frame["ward_code"],
                                 strict=True)
    )


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "median" and METRIC.denominator == "none"
    assert METRIC.unit == "minutes" and "ward" in METRIC.breakdowns
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "HOUR(" in spark and "SECOND(" in spark


def test_hard_coded_codes_are_the_code_lists_physical_restraints():
    types = codelists.load("restrictive_intervention_type")
    physical = set(types.loc[types["intervention_class"] == "Physical", "code"])
    listed = re.search(r"RestrictiveIntType IN \(([^)]*)\)", METRIC.sql).group(1)
    assert set(re.findall(r"'(\d\d)'", listed)) == physical
    assert len(physical) == 8


def test_minutes_of_physical_restraint(warehouse, insert):
    insert("MHS502WardStay", [{
        "UniqWardStayID": "W1", "UniqHospProvSpellID": "S1", "Person_ID": "p1",
        "WardCode": "WB", "StartDateWardStay": "2024-01-01",
    }])
    insert("MHS505RestrictiveInterventInc", [{
        "UniqRestrictiveIntIncID": "I1", "Person_ID": "p1", "UniqWardStayID": "W1",
        "StartDateRestrictiveIntInc": "2024-05-01",
    }])
    insert("MHS515RestrictiveInterventType", [
        # Prone, 12 minutes 30 seconds.
        restraint("T1", "p1", "01", "2024-05-01", "10:00:00", "2024-05-01", "10:12:30"),
        # Supine across midnight: 23:50 to 00:20 the next day, 30 minutes, on its start date.
        restraint("T2", "p1", "09", "2024-06-30", "23:50", "2024-07-01", "00:20"),
        # Restrictive escort lasting two days and one minute.
        restraint("T3", "p1", "08", "2024-08-01", "09:00", "2024-08-03", "09:01"),
        # Not physical restraint: seclusion, rapid tranquillisation, mechanical.
        restraint("T4", "p1", "05", "2024-05-01", "10:00", "2024-05-02", "10:00"),
        restraint("T5", "p1", "14", "2024-05-01", "10:00", "2024-05-01", "10:05"),
        restraint("T6", "p1", "04", "2024-05-01", "10:00", "2024-05-01", "10:05"),
        # Cannot be measured: no end date, no end time, no start time.
        restraint("T7", "p1", "07", "2024-05-01", "10:00", None, None),
        restraint("T8", "p1", "07", "2024-05-01", "10:00", "2024-05-01", None),
        restraint("T9", "p1", "07", "2024-05-01", None, "2024-05-01", "10:05"),
        # Invalid: no time at all, and ending before it started on the same day.
        restraint("T10", "p1", "10", "2024-05-01", "10:00", "2024-05-01", "10:00"),
        restraint("T11", "p1", "10", "2024-05-01", "10:05", "2024-05-01", "10:00"),
        # Started the day before the period.
        restraint("T12", "p2", "11", "2024-03-31", "23:00", "2024-04-01", "00:10", "I2"),
        # Started on the last day of the period, ended after it: counted (10 minutes).
        restraint("T13", "p2", "12", "2025-03-31", "23:55", "2025-04-01", "00:05", "I2"),
        # Started after the period.
        restraint("T14", "p2", "13", "2025-04-01", "10:00", "2025-04-01", "10:05", "I2"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator", "observation",
                                 "ward_code"}
    assert rows_of(rows) == [
        ("p1", "2024-05-01", 1, 12.5, "WB"),
        ("p1", "2024-06-30", 1, 30.0, "WB"),
        ("p1", "2024-08-01", 1, 2 * 24 * 60 + 1.0, "WB"),
        ("p2", "2025-03-31", 1, 10.0, None),
    ]


@pytest.mark.parametrize("code", sorted(
    set(codelists.load("restrictive_intervention_type")
        .query("intervention_class == 'Physical'")["code"])
))
def test_every_physical_type_is_measured(warehouse, insert, code):
    insert("MHS515RestrictiveInterventType", [
        restraint("T1", "p1", code, "2024-05-01", "10:00", "2024-05-01", "10:03"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p1", "2024-05-01", 1, 3.0, None)]
