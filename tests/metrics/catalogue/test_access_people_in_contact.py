"""access_people_in_contact: one unit row per person with an attended contact in the period."""

import datetime as dt
from importlib import resources

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import POPULATION_BREAKDOWNS, load_catalogue, parse_metric
from pcref.metrics.sql import unit_rows

ID = "access_people_in_contact"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def contact(contact_id, person_id, date, team="T1", attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": "R1", "Person_ID": person_id,
            "UniqCareProfTeamID": team, "CareContDate": date, "AttendOrDNACode": attendance}


def rows_by_person(rows):
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator"}
    assert (rows["numerator"] == 1).all()
    assert rows["Person_ID"].is_unique
    return {p: d.isoformat() for p, d in zip(rows["Person_ID"], rows["event_date"].dt.date,
                                             strict=True)}


def test_definition_parses_and_transpiles_to_spark():
    assert load_catalogue()[ID] == METRIC
    assert (METRIC.method, METRIC.denominator) == ("rate", "population")
    assert METRIC.multiplier == 100000 and METRIC.standardise
    assert set(METRIC.breakdowns) <= POPULATION_BREAKDOWNS
    assert {"ethnicity_5", "ethnicity_16"} <= set(METRIC.breakdowns)
    assert METRIC.reference_group == {"ethnicity_5": "White", "ethnicity_16": "White British"}
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_counts_each_person_seen_once_at_their_first_contact_in_the_period(warehouse, insert):
    insert("MHS201CareContact", [
        contact("C1", "several", "2024-03-31"),                   # before the period
        contact("C2", "several", "2024-09-01"),
        contact("C3", "several", "2024-06-15", team="T2"),         # first in the period
        contact("C4", "several", "2024-07-01", attendance="3"),    # did not attend
        contact("C5", "first_day", "2024-04-01"),
        contact("C6", "last_day", "2025-03-31"),
        contact("C7", "after", "2025-04-01"),
        contact("C8", "dna_only", "2024-05-01", attendance="3"),
        contact("C9", "late_not_seen", "2024-05-01", attendance="7"),
        contact("C10", "no_outcome", "2024-05-01", attendance=None),
        contact("C11", "late_but_seen", "2024-05-02", attendance="6"),
        contact("C12", "no_team", "2024-05-03", team=None),
        contact("C13", "dna_then_seen", "2024-05-01", attendance="3"),
        contact("C14", "dna_then_seen", "2024-05-08", attendance="5"),
    ])
    assert rows_by_person(unit_rows(warehouse, METRIC, *YEAR)) == {
        "several": "2024-06-15",
        "first_day": "2024-04-01",
        "last_day": "2025-03-31",
        "late_but_seen": "2024-05-02",
        "no_team": "2024-05-03",
        "dna_then_seen": "2024-05-08",
    }


def test_a_shorter_period_keeps_only_its_own_contacts(warehouse, insert):
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-04-30"),
        contact("C2", "p1", "2024-05-20"),
        contact("C3", "p2", "2024-06-01"),
    ])
    may = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    assert rows_by_person(unit_rows(warehouse, METRIC, *may)) == {"p1": "2024-05-20"}


def test_attended_codes_match_the_attendance_code_list(warehouse, insert):
    attendance = codelists.load("attendance")
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01", attendance=code)
                                 for code in attendance["code"]])
    seen = set(rows_by_person(unit_rows(warehouse, METRIC, *YEAR)))
    assert seen == {f"p_{code}" for code in attendance.query("attended == 'Y'")["code"]}


def test_empty_warehouse_gives_no_rows(warehouse):
    assert unit_rows(warehouse, METRIC, *YEAR).empty
