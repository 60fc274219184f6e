"""dq_gender_identity_recorded: coverage, validity and accuracy of gender identity per person, team.

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

ID = "dq_gender_identity_recorded"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
STATISTICS = ("coverage", "validity", "accuracy")


def person(person_id, code=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40,
            "GenderIDCode": code}


def test_definition_parses_and_transpiles_to_spark():
    assert load_catalogue()[ID] == METRIC
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.statistics == STATISTICS
    assert {"team", "ethnicity_5", "age_band"} <= set(METRIC.breakdowns)
    # By team over time (the data-quality page), the team first.
    assert ("team", "quarter") in METRIC.cross_breakdowns
    assert "sex" not in METRIC.breakdowns  # sex is derived partly from gender identity
    assert METRIC.reference_group == {"ethnicity_5": "White"}
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_unit_is_the_people_each_team_saw():
    """The unit is the shared preparation relation (tested in tests/metrics/prep)."""
    assert METRIC.requires == ("people_seen_by_team",)
    assert "people_seen_by_team" in tables_read(METRIC.sql)


def test_people_seen_by_each_team_in_the_period(warehouse, insert, contact, by_statistic):
    insert("MHS001MPI", [person("p1", "3"), person("p2", "1")])
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-04-01", team=None),       # first day; no team ...
        contact("C2", "p1", "2024-05-01", team="T2"),       # ... but T2 is named later
        contact("C3", "p2", "2024-06-01", attendance="3"),  # did not attend
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert by_statistic(rows) == {("p1", "T2"): (1, 1, 1)}
    assert [d.isoformat() for d in rows["event_date"].dt.date] == ["2024-05-01"] * 3


def test_statistics_for_each_kind_of_recording(warehouse, insert, contact, by_statistic):
    cases = {
        "male": "1",
        "female": "2",
        "non_binary": "3",
        "other": "4",              # other (not listed) is an answer
        "not_known": "X",
        "not_stated": "Z",
        "blank": None,
        "stated_gender_9": "9",    # person stated gender code, not a gender identity code
        "lower_case": "x",
    }
    insert("MHS001MPI", [person(p, code) for p, code in cases.items()])
    insert("MHS201CareContact", [contact(f"C_{p}", p, "2024-05-01") for p in cases])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("male", "T1"): (1, 1, 1),
        ("female", "T1"): (1, 1, 1),
        ("non_binary", "T1"): (1, 1, 1),
        ("other", "T1"): (1, 1, 1),
        ("not_known", "T1"): (1, 1, 0),
        ("not_stated", "T1"): (1, 1, 0),
        ("blank", "T1"): (0, 0, 0),
        ("stated_gender_9", "T1"): (1, 0, 0),
        ("lower_case", "T1"): (1, 0, 0),
    }


def test_valid_and_unknown_codes_match_the_code_list(warehouse, insert, contact, by_statistic):
    """The SQL's hard-coded codes are the gender_identity list and its unknown codes."""
    codes = sorted(codelists.codes("gender_identity"))
    insert("MHS001MPI", [person(f"p_{code}", code) for code in codes])
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01")
                                 for code in codes])
    unknown = set(codelists.info("gender_identity")["unknown_codes"])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        (f"p_{code}", "T1"): (1, 1, 0 if code in unknown else 1) for code in codes
    }
