"""ri_people_pct: one unit row per inpatient (a person with a ward stay overlapping the period),
numerator 1 if they had a restrictive intervention of any type starting in the period.

The inpatient denominator is the preparation relation inpatients_in_period, shared with
ri_prone_restraint, ri_rapid_tranquillisation and ri_seclusion and tested on its own in
tests/metrics/prep/test_shared_relations.py; here it is tested with the numerator."""

import datetime as dt

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["ri_people_pct"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def spell(spell_id, person, admitted, discharged=None):
    return {
        "UniqHospProvSpellID": spell_id, "Person_ID": person, "OrgIDProv": "RXY",
        "StartDateHospProvSpell": admitted, "DischDateHospProvSpell": discharged,
    }


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "proportion" and METRIC.denominator == "rows"
    assert METRIC.multiplier == 100
    assert "month" not in METRIC.breakdowns and "ward" not in METRIC.breakdowns
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "MHS515RestrictiveInterventType" in spark
    assert METRIC.requires == ("inpatients_in_period",)
    assert "inpatients_in_period" in spark
    assert "RestrictiveIntType =" not in METRIC.sql  # every type counts


def test_inpatients_in_the_period_and_whether_they_were_restricted(
    warehouse, insert, ward_stay, intervention, rows_of
):
    insert("MHS501HospProvSpell", [
        spell("S7", "p7", "2024-02-01", "2024-03-15"),
        spell("S10", "p10", "2024-11-01"),
    ])
    insert("MHS502WardStay", [
        # p1: on a ward from May, restrained in June.
        ward_stay("W1", "p1", "2024-05-01", "2024-07-01"),
        # p2: on a ward since before the period, never restrained: dated the first day.
        ward_stay("W2", "p2", "2024-03-01"),
        # p3: restrained only before the period.
        ward_stay("W3", "p3", "2024-03-01", "2024-04-20"),
        # p5: left the ward on the first day of the period: still an inpatient that day.
        ward_stay("W5", "p5", "2024-03-10", "2024-04-01"),
        # p6: left the day before the period: not an inpatient in it.
        ward_stay("W6", "p6", "2024-03-10", "2024-03-31"),
        # p7: ward stay left open, but the spell was discharged before the period.
        ward_stay("W7", "p7", "2024-02-01", spell_id="S7"),
        # p8: two stays, restrained in both: one person, dated by the first stay.
        ward_stay("W8a", "p8", "2024-06-01", "2024-06-20"),
        ward_stay("W8b", "p8", "2024-09-01", "2024-09-30"),
        # p9: admitted on the last day of the period counts; p11 the day after does not.
        ward_stay("W9", "p9", "2025-03-31"),
        ward_stay("W11", "p11", "2025-04-01"),
        # p10: ward stay open and spell open: an inpatient.
        ward_stay("W10", "p10", "2024-11-01", spell_id="S10"),
    ])
    insert("MHS515RestrictiveInterventType", [
        intervention("T1", "p1", "09", "2024-06-10"),
        intervention("T3", "p3", "05", "2024-03-31"),
        # p4: restrained in the period but with no ward stay in the extract: not in the rows.
        intervention("T4", "p4", "01", "2024-08-01"),
        intervention("T8a", "p8", "14", "2024-06-05"),
        intervention("T8b", "p8", "06", "2024-09-10"),
        # Restrained on the last day of the period; p11's restraint is after it.
        intervention("T9", "p9", "16", "2025-03-31"),
        intervention("T11", "p11", "01", "2025-04-01"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator", "denominator"}
    assert rows_of(rows) == [
        ("p1", "2024-05-01", 1, 1),
        ("p10", "2024-11-01", 0, 1),
        ("p2", "2024-04-01", 0, 1),
        ("p3", "2024-04-01", 0, 1),
        ("p5", "2024-04-01", 0, 1),
        ("p8", "2024-06-01", 1, 1),
        ("p9", "2025-03-31", 1, 1),
    ]


def test_every_intervention_type_counts(warehouse, insert, ward_stay, intervention):
    codes = sorted(codelists.codes("restrictive_intervention_type"))
    insert("MHS502WardStay", [ward_stay(f"W{c}", f"p{c}", "2024-05-01") for c in codes])
    insert("MHS515RestrictiveInterventType",
           [intervention(f"T{c}", f"p{c}", c, "2024-05-02") for c in codes])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert len(rows) == len(codes) and (rows["numerator"] == 1).all()
