"""dq_disability_recorded: coverage, validity and accuracy of disability (any MHS007 record).

The people-and-teams unit is the preparation relation people_seen_by_team, tested in full in
tests/metrics/prep/test_shared_relations.py; here it is checked to be read, plus one case of
its own.
"""

import datetime as dt
from importlib import resources

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue, parse_metric
from pcref.metrics.sql import tables_read, unit_rows

ID = "dq_disability_recorded"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
STATISTICS = ("coverage", "validity", "accuracy")


def person(person_id):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40}


def disability(person_id, code, recorded=None):
    return {"Person_ID": person_id, "DisabCode": code, "DisabRecordedDate": recorded}


def test_definition_parses_and_transpiles_to_spark():
    assert load_catalogue()[ID] == METRIC
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.statistics == STATISTICS
    assert {"team", "ethnicity_5", "age_band", "sex"} <= set(METRIC.breakdowns)
    # By team over time (the data-quality page), the team first.
    assert ("team", "quarter") in METRIC.cross_breakdowns
    assert METRIC.reference_group == {"ethnicity_5": "White"}
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_unit_is_the_people_each_team_saw():
    """The unit is the shared preparation relation (tested in tests/metrics/prep)."""
    assert METRIC.requires == ("people_seen_by_team",)
    assert "people_seen_by_team" in tables_read(METRIC.sql)


def test_people_seen_by_each_team_in_the_period(warehouse, insert, contact, by_statistic):
    insert("MHS001MPI", [person("p1"), person("p2")])
    insert("MHS007DisabilityType", [disability("p1", "09"), disability("p2", "NN")])
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-06-01"),
        contact("C2", "p1", "2024-05-01", team="T2"),
        contact("C3", "p2", "2025-04-01"),                  # after the period
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert by_statistic(rows) == {("p1", "T1"): (1, 1, 1), ("p1", "T2"): (1, 1, 1)}


def test_any_record_counts_and_records_after_the_period_do_not(
    warehouse, insert, contact, by_statistic
):
    people = ["declined_and_stated", "declined_only", "no_disability", "other_disability",
              "invalid_and_declined", "invalid_only", "only_after_end", "undated",
              "on_last_day", "no_record"]
    insert("MHS001MPI", [person(p) for p in people])
    insert("MHS007DisabilityType", [
        disability("declined_and_stated", "ZZ", "2023-01-01"),
        disability("declined_and_stated", "02", "2024-01-01"),   # hearing: useful
        disability("declined_only", "ZZ", "2024-01-01"),
        disability("no_disability", "NN", "2024-01-01"),          # "no disability" is an answer
        disability("other_disability", "XX", "2024-01-01"),
        disability("invalid_and_declined", "11", "2024-01-01"),   # not a DISABILITY CODE
        disability("invalid_and_declined", "ZZ", "2024-01-01"),
        disability("invalid_only", "1", "2024-01-01"),            # leading zero lost
        disability("only_after_end", "04", "2025-04-01"),
        disability("undated", "05", None),
        disability("on_last_day", "10", "2025-03-31"),
    ])
    insert("MHS201CareContact", [contact(f"C_{p}", p, "2024-05-01") for p in people])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("declined_and_stated", "T1"): (1, 1, 1),
        ("declined_only", "T1"): (1, 1, 0),
        ("no_disability", "T1"): (1, 1, 1),
        ("other_disability", "T1"): (1, 1, 1),
        ("invalid_and_declined", "T1"): (1, 1, 0),
        ("invalid_only", "T1"): (1, 0, 0),
        ("only_after_end", "T1"): (0, 0, 0),
        ("undated", "T1"): (1, 1, 1),
        ("on_last_day", "T1"): (1, 1, 1),
        ("no_record", "T1"): (0, 0, 0),
    }


def test_several_records_give_one_row_per_person_and_team(warehouse, insert, contact, by_statistic):
    insert("MHS001MPI", [person("p1")])
    insert("MHS007DisabilityType", [disability("p1", code, "2024-01-01")
                                    for code in ("01", "02", "09")])
    insert("MHS201CareContact", [contact("C1", "p1", "2024-05-01")])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert len(rows) == 3
    assert by_statistic(rows) == {("p1", "T1"): (1, 1, 1)}


def test_valid_and_unknown_codes_match_the_code_list(warehouse, insert, contact, by_statistic):
    """The SQL's hard-coded codes are the disability list and its unknown codes."""
    codes = sorted(codelists.codes("disability"))
    insert("MHS001MPI", [person(f"p_{code}") for code in codes])
    insert("MHS007DisabilityType", [disability(f"p_{code}", code) for code in codes])
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01")
                                 for code in codes])
    unknown = set(codelists.info("disability")["unknown_codes"])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        (f"p_{code}", "T1"): (1, 1, 0 if code in unknown else 1) for code in codes
    }
