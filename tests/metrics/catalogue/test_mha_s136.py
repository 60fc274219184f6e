"""mha_s136: one unit row per section 136 episode (category E, code 20) starting in the period.

Expected categories are worked by hand from shared/notes/mha-detention-categories.md §3-§5.
"""

import datetime as dt
import re

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["mha_s136"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def spell(spell_id, person, admitted, discharged=None):
    return {
        "UniqHospProvSpellID": spell_id, "Person_ID": person, "OrgIDProv": "RXY",
        "StartDateHospProvSpell": admitted, "DischDateHospProvSpell": discharged,
        "MethAdmMHHospProvSpell": "21",
    }


def episode(episode_id, person, code, start, end=None, expiry=None):
    return {
        "UniqMHActEpisodeID": episode_id, "Person_ID": person, "OrgIDProv": "RXY",
        "LegalStatusCode": code, "StartDateMHActLegalStatusClass": start,
        "EndDateMHActLegalStatusClass": end, "ExpiryDateMHActLegalStatusClass": expiry,
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
    assert METRIC.requires == ("mha_episodes",)
    assert METRIC.reference_group == {"ethnicity_5": "White", "ethnicity_16": "White British"}
    spark = sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")[0]
    assert "mha_episodes" in spark and ":period_start" in spark


def test_hard_coded_code_is_the_section_136_place_of_safety_code():
    legal_status = codelists.load("mha_legal_status")
    section_136 = set(
        legal_status.loc[
            (legal_status["place_of_safety"] == "Y")
            & legal_status["label"].str.contains("Section 136"),
            "code",
        ]
    )
    assert set(re.findall(r"LegalStatusCode = '(\d\d)'", METRIC.sql)) == section_136 == {"20"}


def test_counts_section_136_not_135_nor_detentions_nor_uses_outside_the_year(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S2", "p2", "2024-08-02"),
    ])
    insert("MHS401MHActPeriod", [
        # s136 with no hospital spell at all: E, counted (short-term orders need no spell).
        episode("E1", "p1", "20", "2024-05-10", "2024-05-10"),
        # s136 then s2 in the admission that followed: the s136 is E and counted; the s2 is C, a
        # detention, not a use of s136.
        episode("E2", "p2", "20", "2024-08-01", "2024-08-02"),
        episode("E3", "p2", "02", "2024-08-02"),
        # s135 (code 19) is a place of safety order too, but not section 136.
        episode("E4", "p3", "19", "2024-09-01", "2024-09-01"),
        # Period boundaries: the day before, the first day, the last day, the day after.
        episode("E5", "p4", "20", "2024-03-31", "2024-03-31"),
        episode("E6", "p4", "20", "2024-04-01", "2024-04-01"),
        episode("E7", "p5", "20", "2025-03-31", "2025-04-01"),
        episode("E8", "p5", "20", "2025-04-01", "2025-04-01"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR)
    assert set(rows.columns) == {"Person_ID", "event_date", "numerator"}
    assert rows_of(rows) == [
        ("p1", "2024-05-10", 1),
        ("p2", "2024-08-01", 1),
        ("p4", "2024-04-01", 1),
        ("p5", "2025-03-31", 1),
    ]


def test_s136_recorded_while_a_section_is_open_is_inconsistent_and_not_counted(warehouse, insert):
    """An s136 whose previous episode in the spell is an s2 with no end date is N (rule E needs no
    previous episode, an informal one, or one that ended before it started)."""
    insert("MHS501HospProvSpell", [spell("S1", "p1", "2024-06-01")])
    insert("MHS401MHActPeriod", [
        episode("E1", "p1", "02", "2024-06-01"),
        episode("E2", "p1", "20", "2024-06-10", "2024-06-10"),
        # After an informal stay the s136 is E again.
        episode("E3", "p2", "01", "2024-06-01", "2024-06-09"),
        episode("E4", "p2", "20", "2024-06-10", "2024-06-10"),
    ])
    insert("MHS501HospProvSpell", [spell("S2", "p2", "2024-06-01")])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p2", "2024-06-10", 1)]


def test_an_s136_linked_to_two_spells_counts_once(warehouse, insert):
    """An s136 with neither end nor expiry date links to every later spell at the provider (note
    §3.3): two classified rows, both E, one use."""
    insert("MHS501HospProvSpell", [
        spell("S1", "p1", "2024-07-01", "2024-07-10"),
        spell("S2", "p1", "2024-09-01"),
    ])
    insert("MHS401MHActPeriod", [episode("E1", "p1", "20", "2024-07-01")])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("p1", "2024-07-01", 1)]


def test_several_uses_by_one_person_each_count(warehouse, insert):
    insert("MHS401MHActPeriod", [
        episode("E1", "p1", "20", "2024-05-10", "2024-05-10"),
        episode("E2", "p1", "20", "2024-11-20", "2024-11-21"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-05-10", 1),
        ("p1", "2024-11-20", 1),
    ]
