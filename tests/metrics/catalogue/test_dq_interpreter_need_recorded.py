"""dq_interpreter_need_recorded: coverage, validity and accuracy of interpreter need (local field).

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

ID = "dq_interpreter_need_recorded"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
STATISTICS = ("coverage", "validity", "accuracy")


def person(person_id, code=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40,
            "InterpreterRequired": code}


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
    insert("MHS001MPI", [person("p1", "Y"), person("p2", "N")])
    insert("MHS201CareContact", [
        contact("C1", "p1", "2025-03-31"),                  # last day of the period
        contact("C2", "p1", "2024-05-01", team="T2"),
        contact("C3", "p2", "2025-04-01"),                  # after the period
        contact("C4", "p2", "2024-07-01", attendance="4"),  # cancelled by the provider
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert by_statistic(rows) == {("p1", "T1"): (1, 1, 1), ("p1", "T2"): (1, 1, 1)}
    dates = rows[rows["statistic"] == "coverage"].sort_values("team_id")["event_date"]
    assert [d.isoformat() for d in dates.dt.date] == ["2025-03-31", "2024-05-01"]


def test_statistics_for_each_kind_of_recording(warehouse, insert, contact, by_statistic):
    cases = {
        "needs_one": "Y",
        "does_not": "N",       # "not required" is an answer, so it is accurate
        "not_stated": "Z",     # not asked, or declined: recorded and valid, not accurate
        "blank": None,
        "lower_case": "y",
        "yes_word": "Yes",
    }
    insert("MHS001MPI", [person(p, code) for p, code in cases.items()])
    insert("MHS201CareContact", [contact(f"C_{p}", p, "2024-05-01") for p in cases])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("needs_one", "T1"): (1, 1, 1),
        ("does_not", "T1"): (1, 1, 1),
        ("not_stated", "T1"): (1, 1, 0),
        ("blank", "T1"): (0, 0, 0),
        ("lower_case", "T1"): (1, 0, 0),
        ("yes_word", "T1"): (1, 0, 0),
    }


def test_valid_and_unknown_codes_match_the_code_list(warehouse, insert, contact, by_statistic):
    """The SQL's hard-coded codes are the interpreter_required list and its unknown codes."""
    codes = sorted(codelists.codes("interpreter_required"))
    insert("MHS001MPI", [person(f"p_{code}", code) for code in codes])
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01")
                                 for code in codes])
    unknown = set(codelists.info("interpreter_required")["unknown_codes"])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        (f"p_{code}", "T1"): (1, 1, 0 if code in unknown else 1) for code in codes
    }
