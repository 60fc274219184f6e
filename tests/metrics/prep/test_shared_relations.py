"""The preparation relations several catalogue metrics share, tested on their own rows.

people_seen_by_team (dq_*_recorded), inpatients_in_period (ri_people_pct, ri_prone_restraint,
ri_rapid_tranquillisation, ri_seclusion) and neurodevelopmental_referrals
(neurodev_assessed_within_13_weeks, neurodev_wait_median_weeks): each is built through
:mod:`pcref.metrics.prepare` on an in-memory warehouse from hand-built rows, and its rows are
compared with the hand-worked answer. The metrics' own tests check what each adds on top.
"""

import datetime as dt

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from pcref import codelists
from pcref.metrics import prepare
from pcref.metrics.backend import as_backend
from pcref.metrics.catalogue import load_catalogue

YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
SHARED = {
    "people_seen_by_team": {
        "dq_disability_recorded", "dq_ethnicity_recorded", "dq_gender_identity_recorded",
        "dq_interpreter_need_recorded", "dq_language_recorded", "dq_religion_recorded",
        "team_caseload",
    },
    "inpatients_in_period": {
        "ri_people_pct", "ri_prone_restraint", "ri_rapid_tranquillisation", "ri_seclusion",
    },
    "neurodevelopmental_referrals": {
        "neurodev_assessed_within_13_weeks", "neurodev_wait_median_weeks",
    },
}


def build(warehouse, relation, period=YEAR):
    prepare.build(as_backend(warehouse), relation, *period)
    return warehouse.table(relation).df()


def rows(frame, columns):
    """The frame's rows as sorted tuples, dates as ISO strings and missing values as None."""
    out = []
    for record in frame[list(columns)].itertuples(index=False):
        out.append(tuple(
            None if pd.isna(v) else v.isoformat()[:10] if hasattr(v, "isoformat") else v
            for v in record
        ))
    return sorted(out, key=lambda r: tuple("" if v is None else str(v) for v in r))


def in_lists(sql, column):
    """Every literal IN (...) list the SQL applies to `column`, as sets of codes."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return [
        {e.this for e in node.expressions}
        for node in tree.find_all(exp.In)
        if isinstance(node.this, exp.Column) and node.this.name == column
    ]


# -- every shared relation -------------------------------------------------------------------


@pytest.mark.parametrize("relation", sorted(SHARED))
def test_relation_is_read_by_its_metrics_and_transpiles_to_spark(relation):
    catalogue = load_catalogue()
    assert {m.id for m in catalogue.values() if relation in m.requires} == SHARED[relation]
    assert relation in prepare.relations()
    assert prepare.build_order(relation) == [relation]
    spark = sqlglot.transpile(prepare.sql_text(relation), read="duckdb", write="spark")[0]
    for table in prepare.input_tables(relation):
        assert table in spark  # every table the module declares is one the SQL reads


@pytest.mark.parametrize("relation", sorted(SHARED))
def test_empty_warehouse_gives_no_rows(warehouse, relation):
    assert build(warehouse, relation).empty


def test_unknown_relation_is_named():
    with pytest.raises(KeyError, match="no_such_relation"):
        prepare.sql_text("no_such_relation")


# -- people_seen_by_team ---------------------------------------------------------------------


def contact(contact_id, person_id, date, team="T1", attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": "R1", "Person_ID": person_id,
            "UniqCareProfTeamID": team, "CareContDate": date, "AttendOrDNACode": attendance}


def test_people_seen_by_team_one_row_per_person_and_team_seen_in_the_period(warehouse, insert):
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-03-31"),                    # before the period
        contact("C2", "p1", "2024-04-01"),                    # first day: first contact
        contact("C3", "p1", "2024-06-01"),
        contact("C4", "p1", "2024-05-01", team="T2"),         # a second team
        contact("C5", "p2", "2025-03-31"),                    # last day of the period
        contact("C6", "p2", "2025-04-01", team="T2"),         # after the period
        contact("C7", "p3", "2024-07-01", attendance="3"),    # did not attend
        contact("C8", "p3", "2024-07-02", attendance="2"),    # cancelled by the patient
        contact("C9", "p4", "2024-08-01", attendance=None),   # attendance not recorded
        contact("C10", "p5", "2024-09-01", team=None),        # no team, and no other contact
        contact("C11", "p5", "2024-09-05", team=None),
        contact("C12", "p6", "2024-10-01", team=None),        # no team, but seen by T2 too
        contact("C13", "p6", "2024-11-01", team="T2"),
        contact("C14", "p7", "2024-12-01", team="T1", attendance="3"),  # DNA with T1 ...
        contact("C15", "p7", "2024-12-02", team=None, attendance="6"),  # ... seen, no team
    ])
    frame = build(warehouse, "people_seen_by_team")
    assert list(frame.columns) == ["Person_ID", "team_id", "event_date"]
    assert rows(frame, frame.columns) == [
        ("p1", "T1", "2024-04-01"),
        ("p1", "T2", "2024-05-01"),
        ("p2", "T1", "2025-03-31"),
        ("p5", None, "2024-09-01"),
        ("p6", "T2", "2024-11-01"),
        ("p7", None, "2024-12-02"),
    ]


def test_people_seen_by_team_in_a_shorter_period(warehouse, insert):
    insert("MHS201CareContact", [
        contact("C1", "p1", "2024-04-30"),
        contact("C2", "p1", "2024-05-02"),
        contact("C3", "p2", "2024-06-01"),
    ])
    frame = build(warehouse, "people_seen_by_team", (dt.date(2024, 5, 1), dt.date(2024, 5, 31)))
    assert rows(frame, frame.columns) == [("p1", "T1", "2024-05-02")]


def test_attended_codes_match_the_attendance_code_list(warehouse, insert):
    attendance = codelists.load("attendance")
    insert("MHS201CareContact", [contact(f"C_{code}", f"p_{code}", "2024-05-01",
                                         attendance=code) for code in attendance["code"]])
    seen = set(build(warehouse, "people_seen_by_team")["Person_ID"])
    assert seen == {f"p_{code}" for code in attendance.query("attended == 'Y'")["code"]}


# -- inpatients_in_period --------------------------------------------------------------------


def ward_stay(stay_id, person, start, end=None, spell_id=None):
    return {
        "UniqWardStayID": stay_id, "UniqHospProvSpellID": spell_id or f"S-{stay_id}",
        "Person_ID": person, "WardCode": "WA", "StartDateWardStay": start,
        "EndDateWardStay": end,
    }


def spell(spell_id, person, admitted, discharged=None):
    return {
        "UniqHospProvSpellID": spell_id, "Person_ID": person, "OrgIDProv": "RXY",
        "StartDateHospProvSpell": admitted, "DischDateHospProvSpell": discharged,
    }


def test_inpatients_on_a_ward_on_any_day_of_the_period(warehouse, insert):
    insert("MHS501HospProvSpell", [
        spell("S7", "p7", "2024-02-01", "2024-03-15"),
        spell("S10", "p10", "2024-11-01"),
        spell("S12", "p12", "2024-02-01", "2024-04-02"),
    ])
    insert("MHS502WardStay", [
        ward_stay("W1", "p1", "2024-05-01", "2024-07-01"),
        # On a ward since before the period: their first inpatient day is the period's first.
        ward_stay("W2", "p2", "2024-03-01"),
        # Left the ward on the first day of the period: still an inpatient that day.
        ward_stay("W5", "p5", "2024-03-10", "2024-04-01"),
        # Left the day before the period: not an inpatient in it.
        ward_stay("W6", "p6", "2024-03-10", "2024-03-31"),
        # Ward stay left open, but the spell was discharged before the period.
        ward_stay("W7", "p7", "2024-02-01", spell_id="S7"),
        # Two stays: one person, dated by the first.
        ward_stay("W8a", "p8", "2024-09-01", "2024-09-30"),
        ward_stay("W8b", "p8", "2024-06-01", "2024-06-20"),
        # Admitted on the last day of the period counts; the day after does not.
        ward_stay("W9", "p9", "2025-03-31"),
        ward_stay("W11", "p11", "2025-04-01"),
        # Ward stay and spell both open: an inpatient.
        ward_stay("W10", "p10", "2024-11-01", spell_id="S10"),
        # Ward stay open, spell discharged in the period: an inpatient.
        ward_stay("W12", "p12", "2024-02-01", spell_id="S12"),
    ])
    frame = build(warehouse, "inpatients_in_period")
    assert list(frame.columns) == ["Person_ID", "first_inpatient_day"]
    assert rows(frame, frame.columns) == [
        ("p1", "2024-05-01"),
        ("p10", "2024-11-01"),
        ("p12", "2024-04-01"),
        ("p2", "2024-04-01"),
        ("p5", "2024-04-01"),
        ("p8", "2024-06-01"),
        ("p9", "2025-03-31"),
    ]


# -- neurodevelopmental_referrals ------------------------------------------------------------


def referral(referral_id, person_id, received, reason="25"):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received, "PrimReasonReferralMH": reason}


def team(referral_id, person_id, team_type, team_id):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team_id,
            "ServTeamTypeRefToMH": team_type}


def referral_contact(contact_id, referral_id, person_id, date, attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "CareContDate": date, "AttendOrDNACode": attendance}


def test_neurodevelopmental_referrals_first_attended_contact_and_team(warehouse, insert):
    insert("MHS101Referral", [
        referral("R1", "p1", "2020-01-10"),               # long before any period: still kept
        referral("R2", "p2", "2024-06-01", reason="24"),  # ADHD and other
        referral("R3", "p3", "2024-06-01", reason="26"),  # diagnosed autism: not an assessment
        referral("R4", "p4", "2024-06-01"),               # admitted: excluded
        referral("R5", "p5", "2024-06-01"),               # never seen
    ])
    insert("MHS501HospProvSpell", [
        {"UniqHospProvSpellID": "S4", "UniqServReqID": "R4", "Person_ID": "p4",
         "OrgIDProv": "RXY", "StartDateHospProvSpell": "2024-07-01"},
    ])
    insert("MHS102ServiceTypeReferredTo", [
        team("R1", "p1", "A02", "T_A"),
        team("R1", "p1", "C04", "T_Z"),   # the neurodevelopmental team comes first
        team("R2", "p2", "A02", "T_B"),
        team("R2", "p2", "C05", "T_A"),   # neither neurodevelopmental: by identifier
    ])
    insert("MHS201CareContact", [
        referral_contact("C1", "R1", "p1", "2020-01-09"),                  # before the referral
        referral_contact("C2", "R1", "p1", "2020-02-01", attendance="3"),  # did not attend
        referral_contact("C3", "R1", "p1", "2020-03-01", attendance="6"),
        referral_contact("C4", "R1", "p1", "2020-04-01"),
        referral_contact("C5", "R2", "p2", "2024-06-01"),                  # the referral day
        referral_contact("C6", "R4", "p4", "2024-06-10"),
    ])
    frame = build(warehouse, "neurodevelopmental_referrals")
    assert list(frame.columns) == ["UniqServReqID", "Person_ID", "referral_date", "statistic",
                                   "first_contact_date", "team_id"]
    assert rows(frame, frame.columns) == [
        ("R1", "p1", "2020-01-10", "autism", "2020-03-01", "T_Z"),
        ("R2", "p2", "2024-06-01", "adhd_and_other", "2024-06-01", "T_A"),
        ("R5", "p5", "2024-06-01", "autism", None, None),
    ]
    assert not prepare.is_parameterised("neurodevelopmental_referrals")


def test_neurodevelopmental_codes_are_the_code_lists():
    sql = prepare.sql_text("neurodevelopmental_referrals")
    reasons = codelists.load("referral_reason").set_index("code")
    # 25 suspected autism; 24 neurodevelopmental excluding autism; 26 (diagnosed) is not a
    # referral for assessment.
    assert reasons.loc["25", "label"] == "Suspected Autism"
    assert pd.isna(reasons.loc["24", "autism"]) and reasons.loc["24", "neurodevelopmental"] == "Y"
    assert set(reasons.index[reasons["neurodevelopmental"] == "Y"]) - {"26"} == {"24", "25"}
    assert in_lists(sql, "PrimReasonReferralMH") == [{"24", "25"}]
    attendance = codelists.load("attendance")
    assert in_lists(sql, "AttendOrDNACode") == [
        set(attendance.loc[attendance["attended"] == "Y", "code"])
    ]
    teams = codelists.load("team_type")
    assert in_lists(sql, "ServTeamTypeRefToMH") == [
        set(teams.loc[teams["service_area"] == "neurodevelopmental", "code"])
    ]


def test_relations_reading_a_period_dependent_one_depend_on_the_period():
    # mha_detentions and mha_repeat_detentions bind no period themselves but read
    # mha_episodes_in_period, which does: the engine must rebuild them for every period.
    assert {r for r in prepare.relations() if prepare.depends_on_period(r)} == {
        "inpatients_in_period", "people_seen_by_team", "mha_episodes_in_period",
        "mha_detentions", "mha_repeat_detentions", "mha_length_of_detention",
    }
    assert not prepare.is_parameterised("mha_detentions")

