"""transition_first_adult_appointment: young people transferred to adult services who attended
their first adult appointment (NICE QS140)."""

import datetime as dt

import pandas as pd
import sqlglot
from sqlglot import exp

from pcref import codelists
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.sql import unit_rows

ID = "transition_first_adult_appointment"
METRIC = load_catalogue()[ID]
YEAR = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


def person(person_id, born=None, age=None):
    return {"Person_ID": person_id, "OrgIDProv": "RXY", "PersonBirthDate": born,
            "AgeRepPeriodEnd": age}


def referral(referral_id, person_id, received):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "OrgIDProv": "RXY",
            "ReferralRequestReceivedDate": received}


def team(referral_id, person_id, team_type, team_id, rejected=None):
    return {"UniqServReqID": referral_id, "Person_ID": person_id, "UniqCareProfTeamID": team_id,
            "ServTeamTypeRefToMH": team_type, "ReferRejectionDate": rejected}


def onward(onward_id, referral_id, person_id, date, team_type="A06"):
    return {"OnwardReferralID": onward_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "OnwardReferDate": date, "ServTeamTypeRefToMH": team_type}


def contact(contact_id, referral_id, person_id, date, attendance="5"):
    return {"UniqCareContID": contact_id, "UniqServReqID": referral_id, "Person_ID": person_id,
            "CareContDate": date, "AttendOrDNACode": attendance}


def young_person(insert, pid, born, onward_date, adult_received, adult_team="CMHT",
                 adult_type="A06", onward_type="A06", rejected=None, age=None,
                 source_type="A06", source_rejected=None):
    """A CAMHS referral (team CAMHS, A06) referred on to an adult referral A-<pid>."""
    insert("MHS001MPI", [person(pid, born=born, age=age)])
    insert("MHS101Referral", [referral(f"S-{pid}", pid, "2020-01-01"),
                              referral(f"A-{pid}", pid, adult_received)])
    insert("MHS102ServiceTypeReferredTo", [
        team(f"S-{pid}", pid, source_type, "CAMHS", source_rejected),
        team(f"A-{pid}", pid, adult_type, adult_team, rejected),
    ])
    insert("MHS105OnwardReferral", [onward(f"O-{pid}", f"S-{pid}", pid, onward_date, onward_type)])


def rows_of(frame):
    """Sorted (Person_ID, event_date, numerator, team_id); denominator always 1."""
    assert list(frame.columns) == ["Person_ID", "event_date", "numerator", "denominator",
                                   "team_id"]
    assert (frame["denominator"] == 1).all()
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    return sorted(zip(frame["Person_ID"], dates, frame["numerator"], frame["team_id"],
                      strict=True))


def in_lists(sql, column):
    """Every literal IN (...) list the SQL applies to `column`, as sets of codes."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return [
        {e.this for e in node.expressions}
        for node in tree.find_all(exp.In)
        if isinstance(node.this, exp.Column) and node.this.name == column
    ]


def test_definition_parses_and_transpiles_to_spark():
    assert (METRIC.method, METRIC.denominator, METRIC.multiplier) == ("proportion", "rows", 100)
    assert METRIC.improvement_direction == "increase"
    assert {"team", "ethnicity_5", "ethnicity_16", "sex"} <= set(METRIC.breakdowns)
    assert "QS140" in METRIC.source
    sqlglot.transpile(METRIC.sql, read="duckdb", write="spark")


def test_hard_coded_codes_are_the_code_lists():
    teams = codelists.load("team_type")
    children_only = set(teams.loc[teams["service_area"] == "children_and_young_people", "code"])
    # Services that direct people elsewhere rather than care for them.
    directing = {"A18", "A19"}
    assert set(teams.set_index("code").loc[sorted(directing), "label"]) == {
        "Single Point of Access Service", "24/7 Crisis Response Line"}
    assert in_lists(METRIC.sql, "ServTeamTypeRefToMH") == [directing, children_only,
                                                           children_only]
    attendance = codelists.load("attendance")
    attended = set(attendance.loc[attendance["attended"] == "Y", "code"])
    missed = set(attendance.loc[attendance["did_not_attend"] == "Y", "code"])
    assert sorted(map(sorted, in_lists(METRIC.sql, "AttendOrDNACode"))) == sorted(
        map(sorted, [attended, attended, attended | missed])
    )


def test_first_appointment_attended_or_missed(warehouse, insert):
    young_person(insert, "y1", "2006-09-15", "2024-06-01", "2024-06-10", adult_team="CMHT-N")
    young_person(insert, "y2", "2006-12-01", "2024-09-01", "2024-09-01", adult_team="EIP",
                 adult_type="A14")
    young_person(insert, "y3", "2007-01-10", "2024-10-01", "2024-10-05")
    young_person(insert, "y4", None, "2024-06-01", "2024-06-03", age=17)  # age, no birth date
    insert("MHS201CareContact", [
        contact("C1", "A-y1", "y1", "2024-07-01", "4"),   # cancelled by the provider: passed over
        contact("C2", "A-y1", "y1", "2024-07-08", "3"),   # did not attend: the first appointment
        contact("C3", "A-y1", "y1", "2024-07-15", "5"),
        contact("C4", "S-y1", "y1", "2024-06-20", "5"),   # CAMHS, not adult services
        contact("C5", "A-y2", "y2", "2024-09-20", None),  # no attendance code: passed over
        contact("C6", "A-y2", "y2", "2024-09-27", "5"),
        contact("C7", "A-y3", "y3", "2024-11-01", "3"),   # missed and seen the same day:
        contact("C8", "A-y3", "y3", "2024-11-01", "6"),   # counts as attended
        contact("C9", "A-y4", "y4", "2024-06-05", "7"),   # arrived late and not seen: missed
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("y1", "2024-07-08", 0, "CMHT-N"),
        ("y2", "2024-09-27", 1, "EIP"),
        ("y3", "2024-11-01", 1, "CMHT"),
        ("y4", "2024-06-05", 0, "CMHT"),
    ]


def test_what_is_not_a_transfer_to_adult_services(warehouse, insert):
    young_person(insert, "n1", "2008-01-01", "2024-06-01", "2024-06-10")  # 16: still a child
    young_person(insert, "n2", "2006-01-01", "2024-06-01", "2024-06-10")  # 18 already
    young_person(insert, "n3", "2006-09-15", "2024-06-01", "2024-06-10",
                 onward_type="C07")                                       # to youth offending
    young_person(insert, "n4", "2006-09-15", "2024-06-01", "2024-06-10",
                 adult_type="F01")                                        # a children's team type
    young_person(insert, "n5", "2006-09-15", "2024-05-01", "2024-07-31")  # 91 days later
    young_person(insert, "n6", "2006-09-15", "2024-06-01", "2024-06-10",
                 adult_team="CAMHS")                                      # back to the same team
    young_person(insert, "n7", "2006-09-15", "2024-06-01", "2024-06-10",
                 rejected="2024-06-12")                                   # adult team rejected it
    young_person(insert, "n8", "2006-09-15", "2024-06-01", "2024-05-30")  # before the onward
    young_person(insert, "n9", "2006-09-15", "2024-06-01", "2024-06-10",
                 source_type="A18")                                       # triaged by the SPA
    young_person(insert, "n10", "2006-09-15", "2024-06-01", "2024-06-10",
                 source_type="A19")                                       # a crisis line
    young_person(insert, "n11", "2006-09-15", "2024-06-01", "2024-06-10",
                 source_rejected="2020-01-05")                            # CAMHS turned it down
    young_person(insert, "t1", "2006-09-15", "2024-05-01", "2024-07-30")  # 90 days: a transfer
    people = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "t1"]
    insert("MHS201CareContact", [contact(f"C-{p}", f"A-{p}", p, "2024-08-15") for p in people])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [("t1", "2024-08-15", 1, "CMHT")]


def test_one_transfer_per_person_and_the_period_is_the_appointments(warehouse, insert):
    young_person(insert, "y1", "2006-09-15", "2024-04-01", "2024-06-03")
    # A second onward referral and adult referral later on: y1 still counts once.
    insert("MHS101Referral", [referral("A2-y1", "y1", "2024-08-01")])
    insert("MHS102ServiceTypeReferredTo", [team("A2-y1", "y1", "A06", "CMHT-2")])
    insert("MHS105OnwardReferral", [onward("O2-y1", "S-y1", "y1", "2024-07-25")])
    young_person(insert, "y2", "2006-03-15", "2024-01-10", "2024-01-15")  # seen before the year
    young_person(insert, "y3", "2007-08-15", "2025-02-01", "2025-02-10")  # seen after it
    young_person(insert, "y4", "2006-03-15", "2024-02-10", "2024-02-15")  # seen on its first day
    young_person(insert, "y5", "2007-08-15", "2025-02-01", "2025-02-10")  # and on its last
    insert("MHS201CareContact", [
        contact("C1", "A-y1", "y1", "2024-06-20"),
        contact("C2", "A2-y1", "y1", "2024-08-20", "3"),
        contact("C3", "A-y2", "y2", "2024-03-31"),
        contact("C4", "A-y3", "y3", "2025-04-01"),
        contact("C5", "A-y4", "y4", "2024-04-01"),
        contact("C6", "A-y5", "y5", "2025-03-31", "3"),
    ])
    assert rows_of(unit_rows(warehouse, METRIC, *YEAR)) == [
        ("y1", "2024-06-20", 1, "CMHT"),
        ("y4", "2024-04-01", 1, "CMHT"),
        ("y5", "2025-03-31", 0, "CMHT"),
    ]
