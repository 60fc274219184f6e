"""access_referral_via_justice_system: one row per referral received in the period; E1-E6 = 1."""

import datetime as dt
from importlib import resources

import sqlglot

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue, parse_metric
from pcref.metrics.sql import unit_rows

ID = "access_referral_via_justice_system"
METRIC = parse_metric(
    resources.files("pcref.metrics").joinpath("catalogue", f"{ID}.sql").read_text("utf-8"),
    f"catalogue/{ID}.sql",
)
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def referral(referral_id, person_id, received, source="E1"):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received, "SourceOfReferralMH": source}


def referred_to(referral_id, person_id, team, rejected=None, team_type="A06"):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team,
            "ServTeamTypeRefToMH": team_type, "ReferRejectionDate": rejected}


def result(rows):
    """Rows as sorted (Person_ID, event_date, team_id, numerator), denominators checked."""
    assert set(rows.columns) == {"Person_ID", "event_date", "team_id", "numerator",
                                 "denominator"}
    assert (rows["denominator"] == 1).all()
    return sorted(
        (p, d.isoformat(), None if t != t else t, int(n))
        for p, d, t, n in zip(rows["Person_ID"], rows["event_date"].dt.date, rows["team_id"],
                              rows["numerator"], strict=True)
    )


def test_definition_parses_and_transpiles_to_spark():
    assert load_catalogue()[ID] == METRIC
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.improvement_direction == "decrease"
    assert {"team", "ethnicity_5", "ethnicity_16", "imd_quintile"} <= set(METRIC.breakdowns)
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_every_referral_received_in_the_period_counts_once(warehouse, insert):
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-04-01", "E1"),      # first day, police
        referral("R2", "p1", "2024-10-01", "A1"),      # same person, GP: a second referral
        referral("R3", "p2", "2025-03-31", "E2"),      # last day, courts: justice system
        referral("R4", "p3", "2024-03-31", "E1"),      # before the period
        referral("R5", "p4", "2025-04-01", "E1"),      # after the period
        referral("R6", "p5", "2024-06-01", None),      # source not recorded: stays in
        referral("R7", "p6", "2024-07-01", "E6"),      # youth offending team
        referral("R8", "p7", "2024-07-01", "H1"),      # emergency department: not justice
    ])
    insert("MHS102ServiceTypeReferredTo", [
        referred_to("R1", "p1", "T1"),
        referred_to("R2", "p1", "T2"),
        referred_to("R3", "p2", "T1"),
        referred_to("R6", "p5", "T3"),
    ])
    assert result(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-04-01", "T1", 1),
        ("p1", "2024-10-01", "T2", 0),
        ("p2", "2025-03-31", "T1", 1),
        ("p5", "2024-06-01", "T3", 0),
        ("p6", "2024-07-01", None, 1),
        ("p7", "2024-07-01", None, 0),
    ]


def test_one_team_per_referral_chosen_deterministically(warehouse, insert):
    insert("MHS101Referral", [
        referral("R1", "p1", "2024-05-01"),
        referral("R2", "p2", "2024-05-01"),
        referral("R3", "p3", "2024-05-01"),
        referral("R4", "p4", "2024-05-01"),
    ])
    insert("MHS102ServiceTypeReferredTo", [
        referred_to("R1", "p1", "T9"),                          # two teams: lowest identifier
        referred_to("R1", "p1", "T2"),
        referred_to("R2", "p2", "T1", rejected="2024-05-03"),   # T1 rejected it: T5 has it
        referred_to("R2", "p2", "T5"),
        referred_to("R3", "p3", "T8", rejected="2024-05-03"),   # all rejected: lowest of all
        referred_to("R3", "p3", "T4", rejected="2024-05-02"),
        # R4: no team recorded
    ])
    assert result(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("p1", "2024-05-01", "T2", 1),
        ("p2", "2024-05-01", "T5", 1),
        ("p3", "2024-05-01", "T4", 1),
        ("p4", "2024-05-01", None, 1),
    ]


def test_justice_system_codes_match_the_code_list(warehouse, insert):
    """The hard-coded codes are the source_of_referral list's justice_system == "Y"."""
    sources = codelists.load("source_of_referral")
    insert("MHS101Referral", [referral(f"R_{code}", f"p_{code}", "2024-05-01", code)
                              for code in sources["code"]])
    justice = set(sources.query("justice_system == 'Y'")["code"])
    assert result(unit_rows(warehouse, METRIC, *YEAR)) == sorted(
        (f"p_{code}", "2024-05-01", None, int(code in justice)) for code in sources["code"]
    )
