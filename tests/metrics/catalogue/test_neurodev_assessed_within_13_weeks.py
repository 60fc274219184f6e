"""neurodev_assessed_within_13_weeks: % of autism / ADHD referrals seen within 91 days."""

import datetime as dt

import pandas as pd
import sqlglot

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import tables_read, unit_rows

ID = "neurodev_assessed_within_13_weeks"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def person(person_id):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": "2015-01-01"}


def referral(referral_id, person_id, received, reason="25"):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received, "PrimReasonReferralMH": reason}


def team(referral_id, person_id, team_type, team_id, rejected=None):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team_id,
            "ServTeamTypeRefToMH": team_type, "ReferRejectionDate": rejected}


def contact(contact_id, referral_id, person_id, date, attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "CareContDate": date, "AttendOrDNACode": attendance}


def rows_of(frame):
    """Sorted (Person_ID, event_date, numerator, statistic, team_id); denominator always 1."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator", "denominator",
                                   "statistic", "team_id"]
    assert (frame["denominator"] == 1).all()
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    teams = [None if pd.isna(t) else t for t in frame["team_id"]]
    return sorted(zip(frame["Person_ID"], dates, frame["numerator"], frame["statistic"], teams,
                      strict=True))


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.statistics == ("autism", "adhd_and_other")
    assert {"team", "ethnicity_5", "age_band", "sex"} <= set(METRIC.breakdowns)
    assert METRIC.improvement_direction == "increase"
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_reads_the_shared_neurodevelopmental_referrals():
    """Referrals, first contacts, teams and their codes are the preparation relation
    neurodevelopmental_referrals (tested in tests/metrics/prep); the 13-week rule is here."""
    assert METRIC.requires == ("neurodevelopmental_referrals",)
    assert tables_read(METRIC.sql) == {"neurodevelopmental_referrals"}


def test_first_attended_contact_within_91_days(warehouse, insert):
    insert("MHS001MPI", [person(f"p{i}") for i in range(1, 9)])
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-03-01"),
        referral("R2", "p2", "2024-03-01"),
        referral("R3", "p3", "2024-06-01", reason="24"),
        referral("R4", "p4", "2024-06-01", reason="26"),  # diagnosed autism: not counted
        referral("R5", "p5", "2024-06-01"),               # includes an admission: not counted
        referral("R6", "p6", "2024-06-01"),               # rejected, never seen: counts as not
        referral("R7", "p7", "2024-06-01", reason="05"),  # anxiety: not counted
        referral("R8", "p8", "2024-06-01"),               # no team recorded
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team("R1", "p1", "A06", "CAMHS"), team("R1", "p1", "C04", "ND-TEAM"),
        team("R2", "p2", "C01", "ASC"),
        team("R3", "p3", "C04", "ND-TEAM"),
        team("R6", "p6", "C01", "ASC", rejected="2024-06-10"),
    ])
    insert("MHS501HospProvSpell", [{
        "UniqHospProvSpellID": "S1", "Person_ID": "p5", "OrgIDProv": "RXY",
        "UniqServReqID": "R5", "StartDateHospProvSpell": "2024-07-01",
    }])
    insert("MHS201CareContact", [
        contact("C1", "R1", "p1", "2024-02-20"),        # before the referral: not the first
        contact("C2", "R1", "p1", "2024-05-31"),        # day 91
        contact("C3", "R2", "p2", "2024-04-01", "3"),   # did not attend
        contact("C4", "R2", "p2", "2024-05-30", "7"),   # arrived late, not seen
        contact("C5", "R2", "p2", "2024-06-01"),        # day 92
        contact("C6", "R3", "p3", "2024-07-01", "6"),   # arrived late but seen
        contact("C7", "R4", "p4", "2024-07-01"),
        contact("C8", "R5", "p5", "2024-07-01"),
        contact("C9", "R7", "p7", "2024-07-01"),
        contact("C10", "R8", "p8", "2024-06-05"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-05-31", 1, "autism", "ND-TEAM"),
        ("p2", "2024-05-31", 0, "autism", "ASC"),
        ("p3", "2024-08-31", 1, "adhd_and_other", "ND-TEAM"),
        ("p6", "2024-08-31", 0, "autism", "ASC"),
        ("p8", "2024-08-31", 1, "autism", None),
    ]


def test_referrals_count_in_the_period_they_reach_13_weeks(warehouse, insert):
    received = {"p1": "2023-12-31", "p2": "2024-01-01", "p3": "2024-12-30", "p4": "2024-12-31"}
    insert("MHS001MPI", [person(p) for p in received])
    insert("MHS101Referral", [referral(f"R-{p}", p, d) for p, d in received.items()])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p2", "2024-04-01", 0, "autism", None),
        ("p3", "2025-03-31", 0, "autism", None),
    ]
