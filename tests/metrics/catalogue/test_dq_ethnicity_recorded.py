"""dq_ethnicity_recorded: coverage, validity and accuracy of ethnic category, per person and team.

The unit (a person and a team with an attended contact in the period) is the preparation
relation people_seen_by_team, shared by every data-quality metric and tested in full in
tests/metrics/prep/test_shared_relations.py; here it is checked to be read, with the statistics.
"""

import datetime as dt
from importlib import resources

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue, parse_metric
from pcref.metrics.sql import unit_rows

ID = "dq_ethnicity_recorded"
# Parsed from its own file so that these tests do not depend on every other catalogue file.
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
STATISTICS = ("coverage", "validity", "accuracy")


def person(person_id, ethnicity=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "AgeRepPeriodEnd": 40,
            "EthnicCategory": ethnicity}


def test_definition_parses_and_transpiles_to_spark():
    assert load_catalogue()[ID] == METRIC
    assert METRIC.method == "proportion" and METRIC.denominator == "rows"
    assert METRIC.multiplier == 100
    assert METRIC.statistics == STATISTICS
    assert "team" in METRIC.breakdowns and "ethnicity_5" not in METRIC.breakdowns
    # By team over time (the data-quality page), the team first.
    assert ("team", "quarter") in METRIC.cross_breakdowns
    assert METRIC.requires == ("people_seen_by_team",)
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "people_seen_by_team" in spark and "MHS001MPI" in spark


def test_statistics_for_each_kind_of_recording(warehouse, insert, contact, by_statistic):
    insert("MHS001MPI", [
        person("white_british", "A"),
        person("any_other", "S"),
        person("not_stated", "Z"),
        person("not_known", "99"),
        person("blank", None),
        person("local_sub_code", "A1"),  # not a national code: recorded but not valid
        person("lower_case", "a"),
    ])
    insert("MHS201CareContact", [
        contact(f"C{i}", p, "2024-05-01")
        for i, p in enumerate(["white_british", "any_other", "not_stated", "not_known", "blank",
                               "local_sub_code", "lower_case", "not_in_mpi"])
    ])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {
        ("white_british", "T1"): (1, 1, 1),
        ("any_other", "T1"): (1, 1, 1),
        ("not_stated", "T1"): (1, 1, 0),
        ("not_known", "T1"): (1, 1, 0),
        ("blank", "T1"): (0, 0, 0),
        ("local_sub_code", "T1"): (1, 0, 0),
        ("lower_case", "T1"): (1, 0, 0),
        ("not_in_mpi", "T1"): (0, 0, 0),
    }


def test_blank_string_is_not_recorded(warehouse, insert, contact, by_statistic):
    insert("MHS001MPI", [person("spaces", "  ")])
    insert("MHS201CareContact", [contact("C1", "spaces", "2024-05-01")])
    assert by_statistic(unit_rows(warehouse, METRIC, *YEAR)) == {("spaces", "T1"): (0, 0, 0)}


def test_valid_and_unknown_codes_match_the_code_list(warehouse, insert, contact, by_statistic):
    """The SQL's hard-coded codes are the ethnic_category list and its unknown codes."""
    codes = sorted(codelists.codes("ethnic_category"))
    insert("MHS001MPI", [person(f"p_{code}", code) for code in codes])
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01")
                                 for code in codes])
    result = by_statistic(unit_rows(warehouse, METRIC, *YEAR))
    unknown = set(codelists.info("ethnic_category")["unknown_codes"])
    assert result == {(f"p_{code}", "T1"): (1, 1, 0 if code in unknown else 1) for code in codes}


def test_empty_warehouse_gives_no_rows(warehouse):
    assert unit_rows(warehouse, METRIC, *YEAR).empty
