"""dq_language_recorded: coverage, validity and accuracy of preferred language, per person and team.

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

ID = "dq_language_recorded"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
STATISTICS = ("coverage", "validity", "accuracy")


def person(person_id, language=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40,
            "LanguageCodePreferred": language}


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
    insert("MHS001MPI", [person("p1", "en"), person("p2", "pl")])
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-06-01"),
        contact("C2", "p1", "2024-05-01", team="T2"),
        contact("C3", "p2", "2024-03-31"),                  # before the period
        contact("C4", "p2", "2024-07-01", attendance="7"),  # arrived late, not seen
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert by_statistic(rows) == {("p1", "T1"): (1, 1, 1), ("p1", "T2"): (1, 1, 1)}
    dates = rows[rows["statistic"] == "coverage"].sort_values("team_id")["event_date"]
    assert [d.isoformat() for d in dates.dt.date] == ["2024-06-01", "2024-05-01"]


def test_statistics_for_each_kind_of_recording(warehouse, insert, contact, by_statistic):
    cases = {
        "english": "en",
        "polish": "pl",
        "bsl": "q4",              # British Sign Language: an NHS addition to ISO 639-1
        "blank": None,
        "spaces": " ",
        "upper_case": "EN",       # codes are lower case
        "three_letter": "pol",    # ISO 639-2/3 codes are not in the list
        "not_a_language": "xx",
    }
    insert("MHS001MPI", [person(p, code) for p, code in cases.items()])
    insert("MHS201CareContact", [contact(f"C_{p}", p, "2024-05-01") for p in cases])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("english", "T1"): (1, 1, 1),
        ("polish", "T1"): (1, 1, 1),
        ("bsl", "T1"): (1, 1, 1),
        ("blank", "T1"): (0, 0, 0),
        ("spaces", "T1"): (0, 0, 0),
        ("upper_case", "T1"): (1, 0, 0),
        ("three_letter", "T1"): (1, 0, 0),
        ("not_a_language", "T1"): (1, 0, 0),
    }


def test_valid_and_unknown_codes_match_the_code_list(warehouse, insert, contact, by_statistic):
    """The SQL's hard-coded codes are the preferred_language list (which has no unknown codes:
    if one is added to the list, this test fails until the SQL treats it as not accurate)."""
    codes = sorted(codelists.codes("preferred_language"))
    insert("MHS001MPI", [person(f"p_{code}", code) for code in codes])
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01")
                                 for code in codes])
    unknown = set(codelists.info("preferred_language")["unknown_codes"])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        (f"p_{code}", "T1"): (1, 1, 0 if code in unknown else 1) for code in codes
    }
