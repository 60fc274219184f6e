"""dementia_diagnosed_within_6_weeks: % of first dementia diagnoses made within 42 days."""

import datetime as dt

import pandas as pd
import sqlglot
from sqlglot import exp

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

ID = "dementia_diagnosed_within_6_weeks"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def person(person_id):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": "1945-01-01"}


def referral(referral_id, person_id, received):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received}


def team(referral_id, person_id, team_type, team_id):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team_id,
            "ServTeamTypeRefToMH": team_type}


def diagnosis(diagnosis_id, referral_id, person_id, code, date):
    return {"DiagnosisID": diagnosis_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "DiagSchemeInUse": "02", "PrimDiag": code, "CodedDiagDate": date}


def rows_of(frame):
    """Sorted (Person_ID, event_date, numerator, team_id) tuples; denominator is always 1."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator", "denominator",
                                   "team_id"]
    assert (frame["denominator"] == 1).all()
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    return sorted(zip(frame["Person_ID"], dates, frame["numerator"], frame["team_id"],
                      strict=True))


def ctes(sql):
    tree = sqlglot.parse_one(sql, read="duckdb")
    return {cte.alias: cte.this.sql(dialect="duckdb") for cte in tree.find_all(exp.CTE)}


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.improvement_direction == "increase"
    assert "one in three" in METRIC.description
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_counts_the_same_diagnoses_as_the_median_wait():
    """The % within six weeks and the median wait describe one set of diagnoses."""
    mine = ctes(METRIC.sql)
    median = ctes(load_catalogue()["dementia_wait_median_days"].sql)
    assert mine == median
    table = codelists.load("team_type")
    assert "IN ('A15', 'A17')" in mine["memory_referrals"]
    assert set(table.loc[table["service_area"] == "memory", "code"]) == {"A15", "A17"}
    assert "IN ('F00', 'F01', 'F02', 'F03', 'G30')" in mine["dementia_diagnoses"]
    assert codelists.codes("diagnosis_dementia") == {"F00", "F01", "F02", "F03", "G30"}


def test_six_weeks_is_42_days_or_fewer_from_referral(warehouse, insert):
    waits = {"p1": 0, "p2": 41, "p3": 42, "p4": 43, "p5": 200}
    received = dt.date(2024, 5, 1)
    insert("MHS001MPI", [person(p) for p in waits])
    insert("MHS101Referral", [referral(f"R-{p}", p, received.isoformat()) for p in waits])
    insert("MHS102ServiceTypeReferredTo", [team(f"R-{p}", p, "A17", "MAS") for p in waits])
    insert("MHS604PrimDiag", [
        diagnosis(f"D-{p}", f"R-{p}", p, "F03X", (received + dt.timedelta(days=w)).isoformat())
        for p, w in waits.items()
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-05-01", 1, "MAS"),
        ("p2", "2024-06-11", 1, "MAS"),
        ("p3", "2024-06-12", 1, "MAS"),
        ("p4", "2024-06-13", 0, "MAS"),
        ("p5", "2024-11-17", 0, "MAS"),
    ]


def test_only_new_diagnoses_on_memory_referrals_in_the_period(warehouse, insert):
    insert("MHS001MPI", [person(p) for p in ("p1", "p2", "p3", "p4", "p5")])
    insert("MHS101Referral", [
        referral("R1", "p1", "2025-03-01"),
        referral("R2", "p2", "2025-03-01"),
        referral("R3a", "p3", "2022-05-01"), referral("R3b", "p3", "2024-05-01"),
        referral("R4", "p4", "2024-05-01"),
        referral("R5", "p5", "2024-05-01"),
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team("R1", "p1", "A15", "YOD"),
        team("R2", "p2", "A17", "MAS"),
        team("R3a", "p3", "A17", "MAS"), team("R3b", "p3", "A17", "MAS"),
        team("R4", "p4", "A06", "CMHT"),   # not a memory service
        team("R5", "p5", "A17", "MAS"),
    ])
    insert("MHS604PrimDiag", [
        diagnosis("D1", "R1", "p1", "G301", "2025-03-31"),   # last day, 30 days
        diagnosis("D2", "R2", "p2", "F001", "2025-04-01"),   # the day after the year
        diagnosis("D3a", "R3a", "p3", "F001", "2022-06-01"),  # diagnosed before: not new
        diagnosis("D3b", "R3b", "p3", "F001", "2024-05-10"),
        diagnosis("D4", "R4", "p4", "F001", "2024-05-10"),
        diagnosis("D5", "R5", "p5", "F062", "2024-05-10"),   # organic delusional disorder
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p1", "2025-03-31", 1, "YOD")]
