"""dementia_referral_rate_65plus: people aged 65+ referred to memory assessment services."""

import datetime as dt

import pandas as pd
import sqlglot
from sqlglot import exp

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

ID = "dementia_referral_rate_65plus"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def person(person_id, born=None, age=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": born,
            "AgeRepPeriodEnd": age}


def referral(referral_id, person_id, received, reason=None):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received, "PrimReasonReferralMH": reason}


def team(referral_id, person_id, team_type, team_id=None, rejected=None):
    return {"UniqServReqID": referral_id, "Person_ID": person_id,
            "UniqCareProfTeamID": team_id or f"T-{team_type}", "ServTeamTypeRefToMH": team_type,
            "ReferRejectionDate": rejected}


def rows_of(frame):
    """Sorted (Person_ID, event_date, numerator) tuples, checking the returned columns."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator"]
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    return sorted(zip(frame["Person_ID"], dates, frame["numerator"], strict=True))


def in_lists(sql, column):
    """Every literal IN (...) list the SQL applies to `column`, as sets of codes."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return [
        {e.this for e in node.expressions}
        for node in tree.find_all(exp.In)
        if isinstance(node.this, exp.Column) and node.this.name == column
    ]


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator) == ("rate", "population")
    assert (METRIC.multiplier, METRIC.standardise, METRIC.population_min_age) == (100000, True, 65)
    assert "age_band" not in METRIC.breakdowns  # only the 65+ band exists: nothing to break down
    assert METRIC.reference_group == {"ethnicity_5": "White", "ethnicity_16": "White British"}
    # Standardised within 65+ on the European Standard Population 2013's five-year bands: the
    # six NHS England bands would adjust for sex only.
    assert METRIC.standard_population == "esp2013"
    assert "European Standard Population 2013" in METRIC.description
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_memory_team_types_are_the_code_list_memory_service_area():
    table = codelists.load("team_type")
    memory = set(table.loc[table["service_area"] == "memory", "code"])
    assert memory == {"A15", "A17"}
    assert in_lists(METRIC.sql, "ServTeamTypeRefToMH") == [memory]


def test_counts_people_65_and_over_once_at_their_first_memory_referral(warehouse, insert):
    insert("MHS001MPI", [
        person("p1", born="1950-01-15"),
        person("p2", born="1959-06-02"),   # 64 on 2024-06-01, the day before their birthday
        person("p3", born="1959-06-01"),   # 65 on the day of the referral
        person("p4", born="1940-01-01"),
        person("p5", age=80),              # no date of birth: the recorded age is used
        person("p6"),                      # no age at all: cannot be placed 65+, left out
        person("p7", born="1959-10-01"),   # 64 at the first referral, 65 at the second
    ])
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-06-01"),
        referral("R2", "p1", "2024-09-01"),        # second memory referral: still one person
        referral("R3", "p2", "2024-06-01"),
        referral("R4", "p3", "2024-06-01"),
        referral("R5", "p4", "2024-07-01", "08"),  # organic brain disorder to a CMHT organic
        referral("R6", "p5", "2024-08-01"),
        referral("R7", "p6", "2024-08-01"),
        referral("R8", "p7", "2024-09-30"),
        referral("R9", "p7", "2024-10-01"),
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team("R1", "p1", "A17"), team("R1", "p1", "A06"),  # two teams: the referral counts once
        team("R2", "p1", "A15"),
        team("R3", "p2", "A17"),
        team("R4", "p3", "A17", rejected="2024-06-05"),    # rejected referrals were still made
        team("R5", "p4", "A07"),
        team("R6", "p5", "A17"),
        team("R7", "p6", "A17"),
        team("R8", "p7", "A17"), team("R9", "p7", "A17"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-06-01", 1),
        ("p3", "2024-06-01", 1),
        ("p5", "2024-08-01", 1),
        ("p7", "2024-10-01", 1),
    ]


def test_referrals_count_in_the_period_they_were_received(warehouse, insert):
    insert("MHS001MPI", [person(p, born="1945-03-03") for p in ("p1", "p2", "p3", "p4")])
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-03-31"),  # the day before the year
        referral("R2", "p2", "2024-04-01"),  # first day
        referral("R3", "p3", "2025-03-31"),  # last day
        referral("R4", "p4", "2025-04-01"),  # the day after
        referral("R5", "p1", "2025-04-02"),  # p1's only other referral is after the year too
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team(r, p, "A17") for r, p in
        (("R1", "p1"), ("R2", "p2"), ("R3", "p3"), ("R4", "p4"), ("R5", "p1"))
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p2", "2024-04-01", 1),
        ("p3", "2025-03-31", 1),
    ]
    # The same referrals in the next year: p4 on its first day, p1's R5 a day later.
    next_year = (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert rows_of(unit_rows(warehouse, METRIC, *next_year)) == [
        ("p1", "2025-04-02", 1),
        ("p4", "2025-04-01", 1),
    ]


def test_no_memory_referrals_gives_no_rows(warehouse, insert):
    insert("MHS001MPI", [person("p1", born="1945-03-03")])
    insert("MHS101Referral", [referral("R1", "p1", "2024-06-01", "08")])
    insert("MHS102ServiceTypeReferredTo", [team("R1", "p1", "F05")])  # care-home team
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == []
