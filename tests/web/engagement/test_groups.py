"""Partnership groups: only consenting, interested members can be added; meetings keep
agendas, minutes, decisions and actions; Triangle of Care self-assessments are kept and
the change shown."""

from __future__ import annotations

from datetime import date

import pytest

from pcref.web.core.models import AuditEvent
from pcref.web.engagement import triangle_of_care
from pcref.web.engagement.models import (
    GroupMembership,
    Meeting,
    MeetingAction,
    PartnershipGroup,
    TriangleOfCareAssessment,
)

pytestmark = pytest.mark.django_db


def test_the_four_groups_exist():
    assert list(PartnershipGroup.objects.values_list("kind", flat=True)) == [
        "equity-for-all", "triangle-of-care", "patient-experience-group",
        "co-creation-champions",
    ]  # fmt: skip


def test_only_members_who_consented_and_chose_the_group_can_be_added(make_member, client_for):
    willing = make_member("Amara Okonkwo", interests=["triangle_of_care"])
    make_member("Wen Li", interests=["triangle_of_care"], contact_consent=False)
    make_member("Priya Shah", interests=["surveys"])
    lead = client_for("pcref_lead")
    page = lead.get("/engagement/groups/triangle-of-care/add-member/").content.decode()
    assert "Amara Okonkwo" in page and "Wen Li" not in page and "Priya Shah" not in page

    url = "/engagement/groups/triangle-of-care/add-member/"
    refused = lead.post(url, {"member": willing.pk, "agreed_on": "2 3 2026"})
    assert refused.status_code == 200  # their agreement was not confirmed
    lead.post(url, {"member": willing.pk, "agreed_on": "2 3 2026", "agreed": "yes",
                    "role": "Carer representative"})  # fmt: skip
    membership = GroupMembership.objects.get()
    assert (membership.member, membership.agreed_on) == (willing, date(2026, 3, 2))


def test_a_meeting_keeps_agenda_minutes_decisions_and_actions(client_for):
    lead = client_for("pcref_lead")
    lead.post("/engagement/groups/equity-for-all/meetings/new/",
              {"held_on": "1 10 2026", "agenda": "PCREF plan"})  # fmt: skip
    meeting = Meeting.objects.get()
    url = f"/engagement/meetings/{meeting.pk}/"
    lead.post(url, {"form": "record", "held_on": "1 10 2026", "agenda": "PCREF plan",
                    "minutes": "Agreed to translate the plan."})  # fmt: skip
    lead.post(url, {"form": "decision", "text": "Translate the plan into Urdu."})
    lead.post(url, {"form": "action", "description": "Commission translation",
                    "owner": "PCREF lead", "due_on": "1 12 2026"})  # fmt: skip
    action = MeetingAction.objects.get()
    lead.post(url, {"form": "status", "action_id": action.pk, "status": "done"})
    meeting.refresh_from_db()
    action.refresh_from_db()
    assert meeting.minutes == "Agreed to translate the plan."
    assert list(meeting.decisions.values_list("text", flat=True)) == [
        "Translate the plan into Urdu."
    ]
    assert (action.owner, action.due_on) == ("PCREF lead", date(2026, 12, 1))
    assert action.status == "done"
    assert AuditEvent.objects.filter(action="partnership_record_changed").count() == 5


def test_a_meeting_form_with_errors_says_so_and_saves_nothing(client_for, field_error):
    meeting = Meeting.objects.create(group=PartnershipGroup.objects.first(),
                                     held_on=date(2026, 1, 5), agenda="a")  # fmt: skip
    response = client_for("pcref_lead").post(
        f"/engagement/meetings/{meeting.pk}/",
        {"form": "action", "owner": "x", "due_on": "31 2 2026"},
    )
    assert field_error(response, "due_on") == "Due date must be a real date, like 27 3 2026"
    assert field_error(response, "description") == "Enter the action"
    assert not MeetingAction.objects.exists()


def test_the_six_standards_are_the_carers_trust_wording():
    assert [s.number for s in triangle_of_care.STANDARDS] == [1, 2, 3, 4, 5, 6]
    assert triangle_of_care.STANDARDS[3].text == (
        "Defined post(s) responsible for carers are in place."
    )


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [(None, "red", "first assessment"), ("red", "amber", "improved"),
     ("green", "amber", "worse"), ("amber", "amber", "no change"), ("red", "green", "improved")],
)  # fmt: skip
def test_change_between_assessments(before, after, change):
    assert triangle_of_care.change(before, after) == change


def _assess(client, when: str, ratings: list[str], service="Acute inpatient wards"):
    answers = {"service": service, "assessed_on": when}
    for number, rating in enumerate(ratings, start=1):
        answers[f"rating_{number}"] = rating
        answers[f"evidence_{number}"] = f"Evidence for standard {number}"
    return client.post("/engagement/triangle-of-care/new/", answers)


def test_assessments_are_kept_and_the_change_shown(client_for):
    lead = client_for("pcref_lead")
    _assess(lead, "1 11 2025", ["red", "amber", "green", "amber", "red", "green"])
    response = _assess(lead, "1 11 2026", ["amber", "amber", "green", "green", "red", "amber"])
    latest = TriangleOfCareAssessment.objects.get(assessed_on=date(2026, 11, 1))
    assert response["Location"] == f"/engagement/triangle-of-care/{latest.pk}/"
    assert TriangleOfCareAssessment.objects.count() == 2
    page = lead.get(response["Location"]).content.decode()
    changes = [line.strip() for line in page.splitlines()
               if line.strip() in ("Improved", "No change", "Worse")
               or line.strip().startswith(("Improved (", "No change (", "Worse ("))]  # fmt: skip
    assert changes == [
        "Improved (was Red: not in place)", "No change (was Amber: partly in place)",
        "No change (was Green: fully in place)", "Improved (was Amber: partly in place)",
        "No change (was Red: not in place)", "Worse (was Green: fully in place)",
    ]  # fmt: skip


def test_an_assessment_needs_every_rating_and_its_evidence(client_for, field_error):
    response = client_for("pcref_lead").post(
        "/engagement/triangle-of-care/new/",
        {"service": "Community teams", "assessed_on": "1 11 2026", "rating_1": "green"},
    )
    assert field_error(response, "rating_2") == "Select a rating for standard 2"
    assert field_error(response, "evidence_1") == "Enter the evidence for standard 1"
    assert not TriangleOfCareAssessment.objects.exists()
