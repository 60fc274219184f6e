"""ri_per_1000_bed_days: restrictive-intervention rows (numerator 1) and occupied-bed-day rows
(denominator = nights of a ward stay in one month of the period), with the ward.

Bed days are midnights (NHS England: end date minus start date, an open stay counted to the
day after the period end); expectations are counted night by night, by hand and in Python."""

import datetime as dt
import random
from collections import Counter

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["ri_per_1000_bed_days"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def ward_stay(stay_id, person, ward, start, end=None, spell_id=None):
    return {
        "UniqWardStayID": stay_id, "UniqHospProvSpellID": spell_id or f"S-{stay_id}",
        "Person_ID": person, "WardCode": ward, "StartDateWardStay": start,
        "EndDateWardStay": end,
    }


def spell(spell_id, person, admitted, discharged=None):
    return {
        "UniqHospProvSpellID": spell_id, "Person_ID": person, "OrgIDProv": "RXY",
        "StartDateHospProvSpell": admitted, "DischDateHospProvSpell": discharged,
    }


def incident(incident_id, person, stay_id, start):
    return {
        "UniqRestrictiveIntIncID": incident_id, "Person_ID": person, "UniqWardStayID": stay_id,
        "StartDateRestrictiveIntInc": start,
    }


def intervention(type_id, incident_id, person, code, start):
    return {
        "UniqRestrictiveIntTypeID": type_id, "UniqRestrictiveIntIncID": incident_id,
        "Person_ID": person, "RestrictiveIntType": code, "StartDateRestrictiveIntType": start,
    }


def rows_of(frame):
    return sorted(
        (p, d.isoformat(), n, q, None if w != w else w)
        for p, d, n, q, w in zip(frame["Person_ID"], frame["event_date"].dt.date,
                                 frame["numerator"], frame["denominator"], frame["ward_code"],
                                 strict=True)
    )


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "rate_per_denominator" and METRIC.denominator == "rows"
    assert METRIC.multiplier == 1000 and METRIC.suppression == "bed_days"
    assert "ward" in METRIC.breakdowns and "month" in METRIC.breakdowns
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "MAKE_DATE" in spark and "UNION ALL" in spark


def test_occupied_bed_days_are_nights_split_by_month(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S3", "p3", "2024-09-01", "2024-09-05"),
        spell("S2", "p2", "2025-03-10"),
    ])
    insert("MHS502WardStay", [
        # From before the period: the nights of 1 and 2 April.
        ward_stay("W1", "p1", "WA", "2024-03-20", "2024-04-03"),
        # Across three months: 28 nights in April, 31 in May, 14 in June.
        ward_stay("W2", "p1", "WB", "2024-04-03", "2024-06-15"),
        # Still open at the period end, spell open too: 10 to 31 March, 22 nights.
        ward_stay("W3", "p2", "WA", "2025-03-10", spell_id="S2"),
        # Left open after the spell was discharged on 5 September: 4 nights.
        ward_stay("W4", "p3", "WA", "2024-09-01", spell_id="S3"),
        # In and out on the same day: no night, no row.
        ward_stay("W5", "p4", "WB", "2024-10-10", "2024-10-10"),
        # Ended on the last day before the period, or the night before it: no row.
        ward_stay("W6", "p5", "WA", "2024-01-01", "2024-03-31"),
        ward_stay("W7", "p5", "WA", "2024-03-31", "2024-04-01"),
        # The night of 31 March 2025 is the last night in the period.
        ward_stay("W8", "p6", "WB", "2025-03-31", "2025-04-05"),
        # Starts after the period.
        ward_stay("W9", "p6", "WB", "2025-04-05"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-04-01", 0, 2, "WA"),
        ("p1", "2024-04-03", 0, 28, "WB"),
        ("p1", "2024-05-01", 0, 31, "WB"),
        ("p1", "2024-06-01", 0, 14, "WB"),
        ("p2", "2025-03-10", 0, 22, "WA"),
        ("p3", "2024-09-01", 0, 4, "WA"),
        ("p6", "2025-03-31", 0, 1, "WB"),
    ]


def test_a_shorter_period_clips_the_stays(warehouse, insert):
    insert("MHS502WardStay", [
        ward_stay("W1", "p1", "WA", "2024-03-20", "2024-04-03"),
        ward_stay("W2", "p1", "WB", "2024-04-03", "2024-08-15"),
        ward_stay("W3", "p2", "WA", "2024-06-30"),
    ])
    quarter = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert rows_of(unit_rows(warehouse, METRIC, *quarter)) == [
        ("p1", "2024-04-01", 0, 2, "WA"),
        ("p1", "2024-04-03", 0, 28, "WB"),
        ("p1", "2024-05-01", 0, 31, "WB"),
        ("p1", "2024-06-01", 0, 30, "WB"),
        ("p2", "2024-06-30", 0, 1, "WA"),
    ]


def test_each_intervention_type_in_an_incident_counts_on_its_start_date(warehouse, insert):
    insert("MHS502WardStay", [
        ward_stay("W1", "p1", "WB", "2024-05-01", "2024-05-03"),
        ward_stay("W2", "p2", "WA", "2025-03-30", "2025-04-03"),
    ])
    insert("MHS505RestrictiveInterventInc", [
        incident("I1", "p1", "W1", "2024-05-02"),
        incident("I2", "p2", "W2", "2025-03-31"),
        incident("I3", "p2", "W2", "2025-04-01"),
    ])
    insert("MHS515RestrictiveInterventType", [
        # Held face down, then secluded, in one incident: two restrictive interventions.
        intervention("T1", "I1", "p1", "01", "2024-05-02"),
        intervention("T2", "I1", "p1", "05", "2024-05-02"),
        # The last day of the period counts; the day after does not.
        intervention("T3", "I2", "p2", "14", "2025-03-31"),
        intervention("T4", "I3", "p2", "09", "2025-04-01"),
        # Before the period.
        intervention("T5", "I9", "p3", "09", "2024-03-31"),
        # An incident missing from MHS505: counted, with no ward.
        intervention("T6", "I8", "p3", "16", "2024-07-07"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-05-01", 0, 2, "WB"),
        ("p1", "2024-05-02", 1, 0, "WB"),
        ("p1", "2024-05-02", 1, 0, "WB"),
        ("p2", "2025-03-30", 0, 2, "WA"),
        ("p2", "2025-03-31", 1, 0, "WA"),
        ("p3", "2024-07-07", 1, 0, None),
    ]


DAY_ZERO = dt.date(2023, 11, 1)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stays=st.lists(
        st.tuples(st.integers(0, 700), st.one_of(st.none(), st.integers(0, 120))),
        min_size=1, max_size=6,
    ),
    period=st.tuples(st.integers(0, 500), st.integers(0, 200)),
)
def test_bed_days_equal_a_night_by_night_count(warehouse, insert, stays, period):
    """Any stays and any period: the rows' denominators, summed by person and calendar month,
    equal the nights counted one by one (a night belongs to its date; an open stay runs to the
    period end)."""
    warehouse.execute("DELETE FROM MHS502WardStay")
    period_start = DAY_ZERO + dt.timedelta(days=period[0])
    period_end = period_start + dt.timedelta(days=period[1])
    records, expected = [], Counter()
    for n, (start_offset, length) in enumerate(stays):
        start = DAY_ZERO + dt.timedelta(days=start_offset)
        end = None if length is None else start + dt.timedelta(days=length)
        person = f"p{n % 3}"
        records.append(ward_stay(f"W{n}", person, "WA", start.isoformat(),
                                 None if end is None else end.isoformat()))
        night = max(start, period_start)
        while night <= period_end and (end is None or night < end):
            expected[(person, night.year, night.month)] += 1
            night += dt.timedelta(days=1)
    insert("MHS502WardStay", records)
    rows = unit_rows(warehouse, METRIC, period_start, period_end)
    assert (rows["numerator"] == 0).all() and (rows["denominator"] > 0).all()
    assert rows["event_date"].dt.date.between(period_start, period_end).all()
    got = Counter()
    for person, date, days in zip(rows["Person_ID"], rows["event_date"].dt.date,
                                  rows["denominator"], strict=True):
        got[(person, date.year, date.month)] += int(days)
    assert got == expected


def test_a_long_period_of_many_years_loses_no_months(warehouse, insert):
    """The month generator covers periods of many years (here ten, across leap years)."""
    rng = random.Random(7)
    stays = []
    for n in range(5):
        start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        stays.append(ward_stay(f"W{n}", f"p{n}", "WA", start.isoformat()))
    insert("MHS502WardStay", stays)
    period = (dt.date(2015, 1, 1), dt.date(2024, 12, 31))
    rows = unit_rows(warehouse, METRIC, *period)
    for n, stay in enumerate(stays):
        start = dt.date.fromisoformat(stay["StartDateWardStay"])
        mine = rows[rows["Person_ID"] == f"p{n}"]
        assert mine["denominator"].sum() == (period[1] - start).days + 1
        months_open = (2024 - start.year) * 12 + 12 - start.month + 1
        assert len(mine) == months_open
