"""dq_religion_recorded: coverage, validity and accuracy of religion (latest MHS011 record).

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

ID = "dq_religion_recorded"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
STATISTICS = ("coverage", "validity", "accuracy")


def person(person_id):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40}


def religion(person_id, code, recorded):
    return {"Person_ID": person_id, "ReligiousAffiliationGroup": code,
            "SocPerCircumstanceRecDate": recorded}


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
    insert("MHS011SocPerCircumstances", [religion("p1", "C", "2020-01-01"),
                                         religion("p2", "G", "2020-01-01")])
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-06-01"),
        contact("C2", "p1", "2024-05-01", team="T2"),
        contact("C3", "p2", "2024-03-31"),                  # before the period
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert by_statistic(rows) == {("p1", "T1"): (1, 1, 1), ("p1", "T2"): (1, 1, 1)}


def test_latest_record_on_or_before_the_period_end_is_used(
    warehouse, insert, contact, by_statistic
):
    people = ["declined_later", "stated_later", "only_after_end", "stated_then_unknown_after_end",
              "recorded_on_last_day", "no_record"]
    insert("MHS001MPI", [person(p) for p in people])
    insert("MHS011SocPerCircumstances", [
        religion("declined_later", "C", "2023-01-01"),
        religion("declined_later", "M", "2024-02-01"),          # latest: declines to disclose
        religion("stated_later", "M", "2023-01-01"),
        religion("stated_later", "L", "2024-06-01"),            # latest, within the period: None
        religion("only_after_end", "C", "2025-04-01"),          # recorded after the period
        religion("stated_then_unknown_after_end", "D", "2024-01-01"),
        religion("stated_then_unknown_after_end", "N", "2025-04-01"),  # ignored: after the end
        religion("recorded_on_last_day", "N", "2023-01-01"),
        religion("recorded_on_last_day", "I", "2025-03-31"),
    ])
    insert("MHS201CareContact", [contact(f"C_{p}", p, "2024-05-01") for p in people])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("declined_later", "T1"): (1, 1, 0),
        ("stated_later", "T1"): (1, 1, 1),
        ("only_after_end", "T1"): (0, 0, 0),
        ("stated_then_unknown_after_end", "T1"): (1, 1, 1),
        ("recorded_on_last_day", "T1"): (1, 1, 1),
        ("no_record", "T1"): (0, 0, 0),
    }


def test_statistics_for_each_kind_of_recording(warehouse, insert, contact, by_statistic):
    cases = {
        "christian": "C",
        "other": "K",          # another religion: an answer
        "none": "L",           # no religion: an answer
        "declines": "M",       # asked and declined: valid, not accurate
        "unknown": "N",
        "blank": " ",
        "detailed_code": "C1",  # the an4 detailed list is not the group list
    }
    insert("MHS001MPI", [person(p) for p in cases])
    insert("MHS011SocPerCircumstances", [religion(p, code, "2024-01-01")
                                         for p, code in cases.items()])
    insert("MHS201CareContact", [contact(f"C_{p}", p, "2024-05-01") for p in cases])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("christian", "T1"): (1, 1, 1),
        ("other", "T1"): (1, 1, 1),
        ("none", "T1"): (1, 1, 1),
        ("declines", "T1"): (1, 1, 0),
        ("unknown", "T1"): (1, 1, 0),
        ("blank", "T1"): (0, 0, 0),
        ("detailed_code", "T1"): (1, 0, 0),
    }


def test_valid_and_unknown_codes_match_the_code_list(warehouse, insert, contact, by_statistic):
    """The SQL's hard-coded codes are the religion_group list and its unknown codes."""
    codes = sorted(codelists.codes("religion_group"))
    insert("MHS001MPI", [person(f"p_{code}") for code in codes])
    insert("MHS011SocPerCircumstances", [religion(f"p_{code}", code, "2024-01-01")
                                         for code in codes])
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01")
                                 for code in codes])
    unknown = set(codelists.info("religion_group")["unknown_codes"])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        (f"p_{code}", "T1"): (1, 1, 0 if code in unknown else 1) for code in codes
    }
