"""dementia_diagnosis_rate_vs_expected: people 65+ with a recorded dementia diagnosis."""

import datetime as dt

import pandas as pd
import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

ID = "dementia_diagnosis_rate_vs_expected"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def person(person_id, born=None, age=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": born,
            "AgeRepPeriodEnd": age}


def diagnosis(diagnosis_id, person_id, code, date, referral_id="R1"):
    return {"DiagnosisID": diagnosis_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "DiagSchemeInUse": "02", "PrimDiag": code, "CodedDiagDate": date}


def rows_of(frame):
    """Sorted (Person_ID, event_date, numerator) tuples, checking the returned columns."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator"]
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    return sorted(zip(frame["Person_ID"], dates, frame["numerator"], strict=True))


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator) == ("ratio_to_expected", "expected")
    assert (METRIC.multiplier, METRIC.population_min_age) == (100, 65)
    assert METRIC.improvement_direction == "increase"
    # One row per person at the period's end: month and quarter would put everyone in the last.
    assert not {"month", "quarter", "team", "ward", "imd_quintile"} & set(METRIC.breakdowns)
    assert "GP" in METRIC.description and "CFAS II" in METRIC.description
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_dementia_codes_are_the_code_list():
    assert codelists.codes("diagnosis_dementia") == {"F00", "F01", "F02", "F03", "G30"}
    assert "SUBSTR(PrimDiag, 1, 3) IN ('F00', 'F01', 'F02', 'F03', 'G30')" in METRIC.sql


def test_people_65_and_over_diagnosed_by_the_end_of_the_period(warehouse, insert):
    insert("MHS001MPI", [
        person("p1", born="1950-06-01"),
        person("p2", born="1950-06-01"),
        person("p3", born="1960-04-01"),   # 65 on 2025-04-01, the day after the period
        person("p4", born="1960-03-31"),   # 65 on the period's last day
        person("p5", born="1940-01-01"),
        person("p6", born="1930-01-01"),
        person("p7", age=66),              # no date of birth: the recorded age
        person("p8"),                      # no age: left out
        person("p9", born="1958-12-25"),
    ])
    insert("MHS604PrimDiag", [
        diagnosis("D1", "p1", "F001", "2019-02-01"),  # years ago: still counted
        diagnosis("D2", "p2", "F001", "2025-04-01"),  # after the period
        diagnosis("D3", "p3", "F03X", "2024-06-01"),
        diagnosis("D4", "p4", "F03X", "2024-06-01"),
        diagnosis("D5a", "p5", "F019", "2024-06-01"),  # several dementia records: once
        diagnosis("D5b", "p5", "G309", "2024-07-01", referral_id="R2"),
        diagnosis("D6", "p6", "F067", "2024-06-01"),  # mild cognitive disorder only
        diagnosis("D7", "p7", "F028", "2025-03-31"),  # on the last day
        diagnosis("D8", "p8", "F03X", "2024-06-01"),
        diagnosis("D9", "p9", "G309", "2010-06-01"),  # diagnosed at 51, now 66
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2025-03-31", 1),
        ("p4", "2025-03-31", 1),
        ("p5", "2025-03-31", 1),
        ("p7", "2025-03-31", 1),
        ("p9", "2025-03-31", 1),
    ]


def test_age_is_whole_years_at_the_period_end_leap_day_birthday(warehouse, insert):
    insert("MHS001MPI", [person("p1", born="1960-02-29")])
    insert("MHS604PrimDiag", [diagnosis("D1", "p1", "F001", "2023-01-01")])
    # 28 February 2025: the 65th birthday has not come yet (it falls on 1 March).
    assert rows_of(unit_rows(warehouse, METRIC, dt.date(2024, 3, 1), dt.date(2025, 2, 28))) == []
    assert rows_of(unit_rows(warehouse, METRIC, dt.date(2024, 3, 2), dt.date(2025, 3, 1))) == [
        ("p1", "2025-03-01", 1)
    ]
