"""transition_engaged_12_months: young people transferred to adult services who were still in
contact with them a year later (NICE QS140)."""

import datetime as dt

import pandas as pd
import sqlglot
from sqlglot import exp

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

ID = "transition_engaged_12_months"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
TRANSFER_CTES = ("referrals_in_care", "onward_referrals", "adult_team_referrals",
                 "adult_referrals_after_onward", "transfers")


def person(person_id, born):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": born}


def referral(referral_id, person_id, received):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received}


def team(referral_id, person_id, team_type, team_id):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team_id,
            "ServTeamTypeRefToMH": team_type}


def contact(contact_id, referral_id, person_id, date, attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "CareContDate": date, "AttendOrDNACode": attendance}


def transferred(insert, pid, transfer_date, adult_team="CMHT"):
    """A 17-year-old referred on from CAMHS (referral S-<pid>) on the day adult services
    received the adult referral A-<pid>."""
    born = (dt.date.fromisoformat(transfer_date) - dt.timedelta(days=17 * 365 + 30)).isoformat()
    insert("MHS001MPI", [person(pid, born)])
    insert("MHS101Referral", [referral(f"S-{pid}", pid, "2019-01-01"),
                              referral(f"A-{pid}", pid, transfer_date)])
    insert("MHS102ServiceTypeReferredTo", [team(f"S-{pid}", pid, "A06", "CAMHS"),
                                           team(f"A-{pid}", pid, "A06", adult_team)])
    insert("MHS105OnwardReferral", [{
        "OnwardReferralID": f"O-{pid}", "UniqServReqID": f"S-{pid}", "Person_ID": pid,
        "OnwardReferDate": transfer_date, "ServTeamTypeRefToMH": "A06",
    }])


def rows_of(frame):
    """Sorted (Person_ID, event_date, numerator, team_id); denominator always 1."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator", "denominator",
                                   "team_id"]
    assert (frame["denominator"] == 1).all()
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    return sorted(zip(frame["Person_ID"], dates, frame["numerator"], frame["team_id"],
                      strict=True))


def ctes(sql):
    tree = sqlglot.parse_one(sql, read="duckdb")
    return {cte.alias: cte.this.sql(dialect="duckdb") for cte in tree.find_all(exp.CTE)}


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.improvement_direction == "increase"
    assert "still engaged with adult services 1 year after transfer" in METRIC.source
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_transfers_are_the_same_as_for_the_first_appointment():
    mine = ctes(METRIC.sql)
    other = ctes(load_catalogue()["transition_first_adult_appointment"].sql)
    for name in TRANSFER_CTES:
        assert mine[name] == other[name], name


def test_engagement_counts_attended_contacts_only():
    tree = sqlglot.parse_one(METRIC.sql, read="duckdb")
    lists = [
        {e.this for e in node.expressions}
        for node in tree.find_all(exp.In)
        if isinstance(node.this, exp.Column) and node.this.name == "AttendOrDNACode"
    ]
    attendance = codelists.load("attendance")
    assert lists == [set(attendance.loc[attendance["attended"] == "Y", "code"])]


def test_attended_adult_contact_9_to_12_months_after_transfer(warehouse, insert):
    for pid in ("e1", "e2", "e3", "e4", "e5", "e6", "e7"):
        transferred(insert, pid, "2023-06-10")
    transferred(insert, "e8", "2023-05-31", adult_team="EIP")
    # e4 later moved to another adult team on a new referral.
    insert("MHS101Referral", [referral("A2-e4", "e4", "2024-01-15")])
    insert("MHS102ServiceTypeReferredTo", [team("A2-e4", "e4", "A12", "PSYCHOTHERAPY")])
    insert("MHS201CareContact", [
        contact("C1", "A-e1", "e1", "2024-03-10"),          # 9 months to the day
        contact("C2", "A-e2", "e2", "2024-03-09"),          # a day too early
        contact("C3", "A-e2", "e2", "2024-06-11"),          # a day too late
        contact("C4", "A-e3", "e3", "2024-06-10"),          # on the anniversary
        contact("C5", "A-e4", "e4", "2023-07-01"),
        contact("C6", "A2-e4", "e4", "2024-05-01"),         # on the later adult referral
        contact("C7", "A-e5", "e5", "2024-05-01", "3"),     # did not attend
        contact("C8", "S-e6", "e6", "2024-05-01"),          # seen by CAMHS, not adult services
        contact("C9", "A-e8", "e8", "2024-02-29"),          # 31 May + 9 months = 29 February
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("e1", "2024-06-10", 1, "CMHT"),
        ("e2", "2024-06-10", 0, "CMHT"),
        ("e3", "2024-06-10", 1, "CMHT"),
        ("e4", "2024-06-10", 1, "CMHT"),
        ("e5", "2024-06-10", 0, "CMHT"),
        ("e6", "2024-06-10", 0, "CMHT"),
        ("e7", "2024-06-10", 0, "CMHT"),   # never seen by adult services: not engaged
        ("e8", "2024-05-31", 1, "EIP"),
    ]


def test_transfers_count_in_the_period_of_their_first_anniversary(warehouse, insert):
    dates = {"a": "2023-03-31", "b": "2023-04-01", "c": "2024-03-31", "d": "2024-04-01"}
    for pid, date in dates.items():
        transferred(insert, pid, date)
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("b", "2024-04-01", 0, "CMHT"),
        ("c", "2025-03-31", 0, "CMHT"),
    ]


def test_triage_by_the_single_point_of_access_is_not_a_transfer(warehouse, insert):
    # s1: a 17-year-old referred to the single point of access (A18), which referred them on to
    # an adult team: never in children's services. c1: the same with a CAMHS team (A06) on the
    # referral as well, so children's services took them on: a transfer.
    for pid in ("s1", "c1"):
        transferred(insert, pid, "2023-06-10")
        insert("MHS201CareContact", [contact(f"C-{pid}", f"A-{pid}", pid, "2024-05-01")])
    warehouse.execute("UPDATE MHS102ServiceTypeReferredTo SET ServTeamTypeRefToMH = 'A18', "
                      "UniqCareProfTeamID = 'SPA' WHERE UniqServReqID = 'S-s1'")
    insert("MHS102ServiceTypeReferredTo", [team("S-c1", "c1", "A18", "SPA")])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("c1", "2024-06-10", 1, "CMHT")]
