"""dementia_wait_median_days: days from memory-service referral to a first dementia diagnosis."""

import datetime as dt

import pandas as pd
import sqlglot
from sqlglot import exp

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

ID = "dementia_wait_median_days"
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
    """Sorted (Person_ID, event_date, observation, team_id) tuples; numerator is always 1."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator", "observation", "team_id"]
    assert (frame["numerator"] == 1).all()
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    return sorted(zip(frame["Person_ID"], dates, frame["observation"], frame["team_id"],
                      strict=True))


def in_lists(sql, column):
    """Every literal IN (...) list the SQL applies to `column` (bare or inside SUBSTR)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = []
    for node in tree.find_all(exp.In):
        target = node.this.this if isinstance(node.this, exp.Substring) else node.this
        if isinstance(target, exp.Column) and target.name == column:
            found.append({e.this for e in node.expressions})
    return found


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator, METRIC.unit) == ("median", "none", "days")
    assert METRIC.improvement_direction == "decrease"
    assert {"team", "ethnicity_5", "ethnicity_16", "quarter"} <= set(METRIC.breakdowns)
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_hard_coded_codes_are_the_code_lists():
    table = codelists.load("team_type")
    assert in_lists(METRIC.sql, "ServTeamTypeRefToMH") == [
        set(table.loc[table["service_area"] == "memory", "code"])
    ]
    assert codelists.info("diagnosis_dementia")["match"] == "prefix"
    assert in_lists(METRIC.sql, "PrimDiag") == [set(codelists.codes("diagnosis_dementia"))]


def test_wait_to_each_persons_first_dementia_diagnosis_on_a_memory_referral(warehouse, insert):
    people = [f"p{i}" for i in range(1, 10)]
    insert("MHS001MPI", [person(p) for p in people])
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-05-01"),
        referral("R2", "p2", "2024-05-01"),
        referral("R3a", "p3", "2023-01-02"),  # a CMHT organic referral, diagnosed there
        referral("R3b", "p3", "2024-05-01"),
        referral("R4", "p4", "2024-05-01"),   # first diagnosed by a non-memory team
        referral("R5", "p5", "2024-07-01"),
        referral("R6", "p6", "2024-05-01"),
        referral("R7a", "p7", "2024-01-10"),  # two memory referrals before the diagnosis
        referral("R7b", "p7", "2024-04-20"),
        referral("R8", "p8", "2024-06-03"),
        referral("R9", "p9", "2024-06-03"),
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team("R1", "p1", "A17", "MAS-N"),
        team("R2", "p2", "A17", "MAS-S"),
        team("R3a", "p3", "A07", "CMHT-OA"), team("R3b", "p3", "A17", "MAS-N"),
        team("R4", "p4", "A07", "CMHT-OA"),
        team("R5", "p5", "A17", "MAS-N"),
        team("R6", "p6", "A17", "MAS-N"),
        team("R7a", "p7", "A17", "MAS-N"), team("R7b", "p7", "A17", "MAS-S"),
        team("R8", "p8", "A17", "MAS-S"), team("R8", "p8", "A15", "MAS-E"),
        team("R9", "p9", "A17", "MAS-N"),
    ])
    insert("MHS604PrimDiag", [
        diagnosis("D1", "R1", "p1", "F001", "2024-06-12"),  # 42 days
        diagnosis("D2a", "R2", "p2", "F009", "2024-06-13"),  # Alzheimer's recorded twice
        diagnosis("D2b", "R2", "p2", "G309", "2024-06-13"),  # (dagger and asterisk): once
        diagnosis("D3a", "R3a", "p3", "F03X", "2023-01-10"),  # already diagnosed in 2023
        diagnosis("D3b", "R3b", "p3", "F03X", "2024-06-01"),
        diagnosis("D4", "R4", "p4", "F019", "2024-06-01"),
        diagnosis("D5", "R5", "p5", "F03X", "2024-06-20"),   # dated before the referral
        diagnosis("D6a", "R6", "p6", "F067", "2024-06-01"),  # mild cognitive disorder: not dementia
        diagnosis("D6b", "R6", "p6", "F019", "2024-09-01"),  # vascular dementia later
        diagnosis("D7a", "R7a", "p7", "F001", "2024-05-20"),
        diagnosis("D7b", "R7b", "p7", "F001", "2024-05-20"),
        diagnosis("D8", "R8", "p8", "F020", "2024-06-03"),   # diagnosed on the referral day
        diagnosis("D9", "R9", "p9", "F329", "2024-07-01"),   # depression only
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-06-12", 42, "MAS-N"),
        ("p2", "2024-06-13", 43, "MAS-S"),
        ("p6", "2024-09-01", 123, "MAS-N"),
        ("p7", "2024-05-20", 30, "MAS-S"),   # the most recent memory referral before it
        ("p8", "2024-06-03", 0, "MAS-E"),    # two memory teams: the first identifier
    ]


def test_diagnoses_count_in_the_period_they_were_made(warehouse, insert):
    insert("MHS001MPI", [person(p) for p in ("p1", "p2", "p3", "p4")])
    insert("MHS101Referral", [referral(f"R{i}", f"p{i}", "2024-01-01") for i in range(1, 5)])
    insert("MHS102ServiceTypeReferredTo",
           [team(f"R{i}", f"p{i}", "A17", "MAS") for i in range(1, 5)])
    insert("MHS604PrimDiag", [
        diagnosis("D1", "R1", "p1", "F001", "2024-03-31"),
        diagnosis("D2", "R2", "p2", "F001", "2024-04-01"),
        diagnosis("D3", "R3", "p3", "F001", "2025-03-31"),
        diagnosis("D4", "R4", "p4", "F001", "2025-04-01"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p2", "2024-04-01", 91, "MAS"),
        ("p3", "2025-03-31", 455, "MAS"),
    ]
