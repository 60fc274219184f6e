"""mha_cto: one unit row per legal-status episode with a community treatment order starting in
the period, after NHS England's de-duplication of CTO records (notes mha-detention-categories.md
§3.1 and §5; Table 3 "Uses of CTOs" counts distinct CTO_UniqMHActEpisodeID)."""

import datetime as dt

import sqlglot

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["mha_cto"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def cto(record_id, person, episode_id, start, end=None, reason=None, provider="RXY"):
    return {
        "MHS404UniqID": record_id, "Person_ID": person, "OrgIDProv": provider,
        "UniqMHActEpisodeID": episode_id, "StartDateCommTreatOrd": start,
        "EndDateCommTreatOrd": end, "CommTreatOrdEndReason": reason,
    }


def rows_of(frame):
    return sorted(
        (p, d.isoformat(), n)
        for p, d, n in zip(frame["Person_ID"], frame["event_date"].dt.date, frame["numerator"],
                           strict=True)
    )


def test_definition_parses_and_transpiles_to_spark():
    assert METRIC.method == "rate" and METRIC.denominator == "population"
    assert METRIC.multiplier == 100000 and METRIC.standardise
    assert METRIC.requires == ()
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "MHS404CommTreatOrder" in spark and "ROW_NUMBER() OVER" in spark


def test_counts_ctos_starting_in_the_period(warehouse, insert):
    insert("MHS404CommTreatOrder", [
        cto("C1", "p1", "E1", "2024-06-15"),
        # Started before the period and revoked in it: not a use in this period.
        cto("C2", "p2", "E2", "2023-12-01", "2024-05-01", "02"),
        # Boundaries: the first and last days count, the day after does not.
        cto("C3", "p3", "E3", "2024-04-01", "2024-10-01", "01"),
        cto("C4", "p4", "E4", "2025-03-31"),
        cto("C5", "p5", "E5", "2025-04-01"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator"}
    assert rows_of(rows) == [
        ("p1", "2024-06-15", 1),
        ("p3", "2024-04-01", 1),
        ("p4", "2025-03-31", 1),
    ]


def test_one_use_per_episode_dated_by_its_first_cto_start_in_the_period(warehouse, insert):
    insert("MHS404CommTreatOrder", [
        # Two CTO records on one legal-status episode (e.g. re-recorded after a recall): one use.
        cto("C1", "p1", "E1", "2024-05-01", "2024-08-01", "01"),
        cto("C2", "p1", "E1", "2024-09-01"),
        # The same person's CTO on a later, different episode is a second use.
        cto("C3", "p1", "E7", "2025-01-10"),
        # An earlier record of the same episode before the period does not move the date back.
        cto("C4", "p2", "E2", "2024-02-01", "2024-03-01", "01"),
        cto("C5", "p2", "E2", "2024-07-07"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-05-01", 1),
        ("p1", "2025-01-10", 1),
        ("p2", "2024-07-07", 1),
    ]


def test_duplicate_records_for_one_start_date_keep_one_by_nhs_englands_order(warehouse, insert):
    """Per person, provider and start date one record survives: one with an end date beats an
    open one (as published), then the latest end date, then the highest record id. Only the
    survivor's episode counts. Each loser's episode has a second CTO later in the year, so if the
    loser survived instead, that episode would add a second row."""
    insert("MHS404CommTreatOrder", [
        # Closed beats open: C2 (E2) survives.
        cto("C1", "p1", "E1", "2024-06-01"),
        cto("C2", "p1", "E2", "2024-06-01", "2024-12-01", "01"),
        cto("C1b", "p1", "E1", "2024-07-01"),
        # Latest end date wins: C4 (E4) survives.
        cto("C3", "p2", "E3", "2024-05-05", "2024-09-01", "01"),
        cto("C4", "p2", "E4", "2024-05-05", "2024-12-01", "01"),
        cto("C3b", "p2", "E3", "2024-11-11"),
        # Both open: the highest record id, C6 (E6), survives.
        cto("C5", "p3", "E5", "2024-08-01"),
        cto("C6", "p3", "E6", "2024-08-01"),
        cto("C5b", "p3", "E5", "2024-10-01"),
        # The same start date at another provider is a separate record and a separate use.
        cto("C7", "p4", "E7", "2024-06-01"),
        cto("C8", "p4", "E8", "2024-06-01", provider="RXX"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-06-01", 1),
        ("p1", "2024-07-01", 1),
        ("p2", "2024-05-05", 1),
        ("p2", "2024-11-11", 1),
        ("p3", "2024-08-01", 1),
        ("p3", "2024-10-01", 1),
        ("p4", "2024-06-01", 1),
        ("p4", "2024-06-01", 1),
    ]


def test_a_survivor_starting_outside_the_period_hides_nothing_inside_it(warehouse, insert):
    """De-duplication is per start date, so it never removes a record with a different start."""
    insert("MHS404CommTreatOrder", [
        cto("C1", "p1", "E1", "2024-03-31", "2024-04-30", "02"),
        cto("C2", "p1", "E1", "2024-04-01", "2024-04-30", "02"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p1", "2024-04-01", 1)]
