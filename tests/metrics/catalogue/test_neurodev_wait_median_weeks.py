"""neurodev_wait_median_weeks: weeks from an autism or ADHD referral to the first contact."""

import datetime as dt

import pandas as pd
import pytest
import sqlglot

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import tables_read, unit_rows

ID = "neurodev_wait_median_weeks"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def person(person_id):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": "1990-01-01"}


def referral(referral_id, person_id, received, reason="25"):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received, "PrimReasonReferralMH": reason}


def team(referral_id, person_id, team_type, team_id):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team_id,
            "ServTeamTypeRefToMH": team_type}


def contact(contact_id, referral_id, person_id, date, attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "CareContDate": date, "AttendOrDNACode": attendance}


def rows_of(frame):
    """Sorted (Person_ID, event_date, observation, statistic, team_id); numerator always 1."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator", "observation",
                                   "statistic", "team_id"]
    assert (frame["numerator"] == 1).all()
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    teams = [None if pd.isna(t) else t for t in frame["team_id"]]
    return sorted(zip(frame["Person_ID"], dates, frame["observation"], frame["statistic"], teams,
                      strict=True))


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator, METRIC.unit) == ("median", "none", "weeks")
    assert METRIC.statistics == ("autism", "adhd_and_other")
    assert METRIC.improvement_direction == "decrease"
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_same_referrals_contacts_and_teams_as_the_13_week_measure():
    """Only the period rule differs from neurodev_assessed_within_13_weeks: both read the
    preparation relation neurodevelopmental_referrals (tested in tests/metrics/prep)."""
    other = load_catalogue()["neurodev_assessed_within_13_weeks"]
    assert METRIC.requires == other.requires == ("neurodevelopmental_referrals",)
    assert tables_read(METRIC.sql) == {"neurodevelopmental_referrals"}


def test_weeks_to_the_first_attended_contact_seen_in_the_period(warehouse, insert):
    insert("MHS001MPI", [person(f"p{i}") for i in range(1, 8)])
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-03-01"),
        referral("R2", "p2", "2023-03-01"),
        referral("R3", "p3", "2024-06-01", reason="24"),
        referral("R4", "p4", "2024-06-01", reason="26"),  # diagnosed autism
        referral("R5", "p5", "2024-06-01"),               # includes an admission
        referral("R6", "p6", "2024-06-01"),               # not seen yet
        referral("R7", "p7", "2024-06-01"),
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team("R1", "p1", "A06", "CAMHS"), team("R1", "p1", "C01", "ASC"),
        team("R3", "p3", "A06", "CMHT-B"), team("R3", "p3", "A06", "CMHT-A"),
    ])
    insert("MHS501HospProvSpell", [{
        "UniqHospProvSpellID": "S1", "Person_ID": "p5", "OrgIDProv": "RXY",
        "UniqServReqID": "R5", "StartDateHospProvSpell": "2024-06-20",
    }])
    insert("MHS201CareContact", [
        contact("C1", "R1", "p1", "2024-02-20"),        # before the referral
        contact("C2", "R1", "p1", "2024-05-31"),        # 91 days
        contact("C3", "R1", "p1", "2024-06-30"),        # later contacts don't matter
        contact("C4", "R2", "p2", "2024-04-01", "2"),   # cancelled by the patient
        contact("C5", "R2", "p2", "2024-04-02", "3"),   # did not attend
        contact("C6", "R2", "p2", "2024-04-03", "6"),   # 399 days, seen late
        contact("C7", "R3", "p3", "2024-07-01"),
        contact("C8", "R4", "p4", "2024-07-01"),
        contact("C9", "R5", "p5", "2024-07-01"),
        contact("C10", "R6", "p6", "2024-07-01", "4"),  # cancelled by the provider
        contact("C11", "R7", "p7", "2024-06-01"),       # seen the day of referral
    ])
    rows = rows_of(unit_rows(warehouse, METRIC, *YEAR))
    assert [r[:2] + r[3:] for r in rows] == [
        ("p1", "2024-05-31", "autism", "ASC"),
        ("p2", "2024-04-03", "autism", None),
        ("p3", "2024-07-01", "adhd_and_other", "CMHT-A"),
        ("p7", "2024-06-01", "autism", None),
    ]
    assert [r[2] for r in rows] == pytest.approx([13.0, 399 / 7, 30 / 7, 0.0])


def test_first_contacts_count_in_the_period_they_happened(warehouse, insert):
    seen = {"p1": "2024-03-31", "p2": "2024-04-01", "p3": "2025-03-31", "p4": "2025-04-01"}
    insert("MHS001MPI", [person(p) for p in seen])
    insert("MHS101Referral", [referral(f"R-{p}", p, "2024-01-01") for p in seen])
    insert("MHS201CareContact", [contact(f"C-{p}", f"R-{p}", p, d) for p, d in seen.items()])
    rows = rows_of(unit_rows(warehouse, METRIC, *YEAR))
    assert [r[:2] for r in rows] == [("p2", "2024-04-01"), ("p3", "2025-03-31")]
    assert [r[2] for r in rows] == pytest.approx([13.0, 455 / 7])
