"""mha_length_of_detention: one unit row per continuous run of detention ending in the period,
observation = last day minus first day. Runs worked by hand from
shared/notes/mha-detention-categories.md §7."""

import datetime as dt

import sqlglot

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["mha_length_of_detention"]
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
        (p, d.isoformat(), n, o)
        for p, d, n, o in zip(frame["Person_ID"], frame["event_date"].dt.date,
                              frame["numerator"], frame["observation"], strict=True)
    )


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "median" and METRIC.denominator == "none"
    assert METRIC.unit == "days" and METRIC.improvement_direction == "neutral"
    assert METRIC.requires == ("mha_length_of_detention",)
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "mha_length_of_detention" in spark


def test_runs_of_detention_ending_in_the_period(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S1", "p1", "2024-05-01", "2024-05-29"),
        spell("S2", "p2", "2024-06-01", "2024-06-30"),
        spell("S3", "p3", "2024-07-01", "2024-08-31"),
        spell("S4", "p4", "2025-03-01"),
        spell("S5", "p5", "2025-03-01", "2025-03-31"),
        spell("S6", "p6", "2024-05-01", "2024-06-01"),
        spell("S7", "p7", "2024-03-20", "2024-04-10"),
        spell("S8", "p8", "2025-03-20", "2025-04-05"),
        spell("S9", "p9", "2024-09-01", "2024-09-30"),
    ])
    insert("MHS401MHActPeriod", [
        # p1: one s2 of 28 days.
        episode("E1", "p1", "02", "2024-05-01", "2024-05-29"),
        # p2: s136 on day 1, s2 from the next day: one run of 29 days from the s136.
        episode("E2", "p2", "20", "2024-06-01", "2024-06-01"),
        episode("E3", "p2", "02", "2024-06-02", "2024-06-30"),
        # p3: a one-day gap (11 July) splits the s2 and the s3 into two runs.
        episode("E4", "p3", "02", "2024-07-01", "2024-07-10"),
        episode("E5", "p3", "03", "2024-07-12", "2024-08-31"),
        # p4: still detained at the period end: not reported.
        episode("E6", "p4", "03", "2025-03-01"),
        # p5: ends on the last day of the period: reported.
        episode("E7", "p5", "02", "2025-03-01", "2025-03-31"),
        # p6: informal only.
        episode("E8", "p6", "01", "2024-05-01", "2024-06-01"),
        # p7: started before the period: its days are not counted at all.
        episode("E9", "p7", "02", "2024-03-20", "2024-04-10"),
        # p8: ends after the period.
        episode("E10", "p8", "02", "2025-03-20", "2025-04-05"),
        # p9: no end date, hospital stay ended before the period end: covers no days.
        episode("E11", "p9", "02", "2024-09-01"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator", "observation"}
    assert rows_of(rows) == [
        ("p1", "2024-05-29", 1, 28),
        ("p2", "2024-06-30", 1, 29),
        ("p3", "2024-07-10", 1, 9),
        ("p3", "2024-08-31", 1, 50),
        ("p5", "2025-03-31", 1, 30),
    ]


def test_a_one_day_detention_has_length_zero(warehouse, insert):
    insert("MHS501HospProvSpell", [spell("S1", "p1", "2024-10-10", "2024-10-10")])
    insert("MHS401MHActPeriod", [episode("E1", "p1", "05", "2024-10-10", "2024-10-10")])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p1", "2024-10-10", 1, 0)]
