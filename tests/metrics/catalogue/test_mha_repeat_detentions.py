"""mha_repeat_detentions: one unit row per person detained in the period; numerator 1 when they
had two or more detentions (A, B, C, D, P) in it. Categories worked by hand from
shared/notes/mha-detention-categories.md §4 and §6."""

import datetime as dt

import sqlglot

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["mha_repeat_detentions"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def spell(spell_id, person, admitted, discharged=None):
    return {
        "UniqHospProvSpellID": spell_id, "Person_ID": person, "OrgIDProv": "RXY",
        "StartDateHospProvSpell": admitted, "DischDateHospProvSpell": discharged,
        "MethAdmMHHospProvSpell": "21",
    }


def episode(episode_id, person, code, start, end=None):
    return {
        "UniqMHActEpisodeID": episode_id, "Person_ID": person, "OrgIDProv": "RXY",
        "LegalStatusCode": code, "StartDateMHActLegalStatusClass": start,
        "EndDateMHActLegalStatusClass": end,
    }


def rows_of(frame):
    return sorted(
        (p, d.isoformat(), n, q)
        for p, d, n, q in zip(frame["Person_ID"], frame["event_date"].dt.date,
                              frame["numerator"], frame["denominator"], strict=True)
    )


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "proportion" and METRIC.denominator == "rows"
    assert METRIC.multiplier == 100
    assert set(METRIC.requires) == {"mha_detentions", "mha_repeat_detentions"}
    assert "month" not in METRIC.breakdowns and "quarter" not in METRIC.breakdowns
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "mha_repeat_detentions" in spark


def test_people_detained_once_and_more_than_once(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S1", "p1", "2024-05-01", "2024-05-20"),
        spell("S2a", "p2", "2024-06-01", "2024-06-20"),
        spell("S2b", "p2", "2024-10-01", "2024-11-15"),
        spell("S3", "p3", "2024-05-01", "2024-07-01"),
        spell("S4a", "p4", "2024-02-01", "2024-02-25"),
        spell("S4b", "p4", "2024-08-01", "2024-08-30"),
        spell("S6", "p6", "2024-05-01", "2024-07-01"),
    ])
    insert("MHS401MHActPeriod", [
        # p1: one s2 on admission (A): detained once.
        episode("E1", "p1", "02", "2024-05-01", "2024-05-20"),
        # p2: s2 on admission in two admissions (A, A): detained twice; dated by the first.
        episode("E2", "p2", "02", "2024-06-01", "2024-06-20"),
        episode("E3", "p2", "02", "2024-10-01", "2024-10-28"),
        # p3: s2 (A) then s3 the day after it ended (B, not L: note §9.2): two detentions.
        episode("E4", "p3", "02", "2024-05-01", "2024-05-20"),
        episode("E5", "p3", "03", "2024-05-21", "2024-07-01"),
        # p4: one detention before the period, one in it: detained once in the period.
        episode("E6", "p4", "02", "2024-02-01", "2024-02-25"),
        episode("E7", "p4", "02", "2024-08-01", "2024-08-30"),
        # p5: s136 only (E): not detained, no row.
        episode("E8", "p5", "20", "2024-09-01", "2024-09-01"),
        # p6: s2 then s3 on the day it ended (L, not a detention): detained once.
        episode("E9", "p6", "02", "2024-05-01", "2024-05-20"),
        episode("E10", "p6", "03", "2024-05-20", "2024-07-01"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator", "denominator"}
    assert rows_of(rows) == [
        ("p1", "2024-05-01", 0, 1),
        ("p2", "2024-06-01", 1, 1),
        ("p3", "2024-05-01", 1, 1),
        ("p4", "2024-08-01", 0, 1),
        ("p6", "2024-05-01", 0, 1),
    ]


def test_detentions_after_the_period_do_not_count(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S1", "p1", "2025-03-31", "2025-04-10"),
        spell("S2", "p1", "2025-04-20"),
    ])
    insert("MHS401MHActPeriod", [
        episode("E1", "p1", "02", "2025-03-31", "2025-04-10"),
        episode("E2", "p1", "02", "2025-04-20"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p1", "2025-03-31", 0, 1)]
