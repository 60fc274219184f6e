"""mha_detentions: one unit row per detention episode (categories A, B, C, D, P) in the period."""

import datetime as dt

from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

METRIC = load_catalogue()["mha_detentions"]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def spell(spell_id, person, admitted, method="21"):
    return {
        "UniqHospProvSpellID": spell_id, "Person_ID": person, "OrgIDProv": "RXY",
        "StartDateHospProvSpell": admitted, "MethAdmMHHospProvSpell": method,
    }


def episode(episode_id, person, code, start, end=None):
    return {
        "UniqMHActEpisodeID": episode_id, "Person_ID": person, "OrgIDProv": "RXY",
        "LegalStatusCode": code, "StartDateMHActLegalStatusClass": start,
        "EndDateMHActLegalStatusClass": end,
    }


def test_counts_detentions_not_informal_stays_or_places_of_safety(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S1", "p1", "2024-05-01"),   # s2 on admission: A, counted
        spell("S2", "p2", "2024-06-01"),   # informal, then s3 ten days later: B, counted
        spell("S3", "p3", "2024-07-01"),   # s136 only: E, not a detention
        spell("S4", "p4", "2024-02-01"),   # s2 before the year: not counted in 2024-25
    ])
    insert("MHS401MHActPeriod", [
        episode("E1", "p1", "02", "2024-05-01"),
        episode("E2", "p2", "01", "2024-06-01", "2024-06-10"),
        episode("E3", "p2", "03", "2024-06-11"),
        episode("E4", "p3", "20", "2024-07-01", "2024-07-01"),
        episode("E5", "p4", "02", "2024-02-01"),
    ])
    rows = unit_rows(warehouse, METRIC, *YEAR).sort_values("Person_ID")
    assert rows["Person_ID"].tolist() == ["p1", "p2"]
    assert [d.isoformat() for d in rows["event_date"].dt.date] == ["2024-05-01", "2024-06-11"]
    assert rows["numerator"].tolist() == [1, 1]
