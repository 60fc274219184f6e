"""The action plan: RAG, the lifecycle of an action (create, link, update), its history,
the list filters and the form's errors."""

from __future__ import annotations

import datetime as dt

import pytest

from pcref.web.core.models import AuditEvent
from pcref.web.governance.models import (
    Action,
    ActionChange,
    HistoryIsAppendOnly,
    derive_rag,
)

from .conftest import action_form

D = dt.date


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        ("complete", D(2027, 1, 1), "green"),  # complete, even when late
        ("on_track", D(2026, 4, 1), "red"),  # past due and not complete
        ("off_track", D(2025, 1, 1), "red"),
        ("at_risk", D(2025, 1, 1), "amber"),
        ("on_track", D(2025, 1, 1), "green"),
        ("not_started", D(2024, 3, 1), "green"),  # before its start
        ("not_started", D(2024, 3, 31), "green"),  # on its start date
        ("not_started", D(2024, 4, 2), "amber"),  # start date passed, not started
        ("on_track", D(2026, 3, 31), "green"),  # due today is not late
    ],
)
def test_rag_is_derived_from_status_and_dates(status, today, expected):
    assert derive_rag(status, D(2024, 3, 31), D(2026, 3, 31), today) == expected


@pytest.mark.django_db
def test_lifecycle_create_link_update_with_history(client_for, users, sample_results_run):
    lead = client_for("pcref_lead")
    response = lead.post("/governance/actions/new/", action_form(
        metric_id="mha_s136", ethnic_group="Black or Black British",
        feedback_themes=["Equality, diversity and racism"],
    ))  # fmt: skip
    assert response.status_code == 302
    action = Action.objects.get()
    assert response["Location"] == f"/governance/actions/{action.pk}/"
    assert (action.metric_id, action.ethnic_group) == ("mha_s136", "Black or Black British")
    assert action.competencies == ["co_production", "partnership_working"]
    assert action.start_date == D(2024, 4, 1)
    created = {c.field: c.new for c in action.history.all()}
    assert created["Action"] == "Created"
    assert created["Status"] == "On track"
    assert created["Competencies"] == "Co-production; Partnership working"
    assert created["Feedback themes"] == "Equality, diversity and racism"

    # Change two fields: exactly two history rows, old -> new, by the lead.
    response = lead.post(f"/governance/actions/{action.pk}/change/", action_form(
        metric_id="mha_s136", ethnic_group="Black or Black British",
        feedback_themes=["Equality, diversity and racism"],
        status="at_risk", owner="Director of Nursing",
    ))  # fmt: skip
    assert response.status_code == 302
    latest = list(action.history.order_by("id"))[-2:]
    assert {(c.field, c.old, c.new) for c in latest} == {
        ("Status", "On track", "At risk"),
        ("Owner", "Chief Nurse", "Director of Nursing"),
    }
    assert {c.changed_by_username for c in latest} == {users["pcref_lead"].username}
    event = AuditEvent.objects.filter(action="pcref_action_changed").first()
    assert sorted(event.detail["fields"]) == ["Owner", "Status"]

    # Saving without changes adds no history.
    before = ActionChange.objects.count()
    lead.post(f"/governance/actions/{action.pk}/change/", action_form(
        metric_id="mha_s136", ethnic_group="Black or Black British",
        feedback_themes=["Equality, diversity and racism"],
        status="at_risk", owner="Director of Nursing",
    ))  # fmt: skip
    assert ActionChange.objects.count() == before

    # A progress update that changes the status: the update and the status change are kept.
    response = lead.post(f"/governance/actions/{action.pk}/progress-update/", {
        "on": "15 6 2024", "status": "on_track", "text": "Advocates now on 4 of 6 wards.",
    })  # fmt: skip
    assert response.status_code == 302
    update = action.updates.get()
    assert (update.on, update.text) == (D(2024, 6, 15), "Advocates now on 4 of 6 wards.")
    action.refresh_from_db()
    assert action.status == "on_track"
    fields = [c.field for c in action.history.order_by("-id")[:2]]
    assert sorted(fields) == ["Progress update", "Status"]

    # Anyone who reads results sees it all on the action page, history included.
    page = client_for("viewer").get(f"/governance/actions/{action.pk}/").content.decode()
    assert "Advocates now on 4 of 6 wards." in page
    assert "Director of Nursing" in page and "Chief Nurse" in page  # new and old owner
    assert "Uses of section 136 of the Mental Health Act" in page
    assert "Change this action" not in page  # a viewer cannot change it


@pytest.mark.django_db
def test_rag_set_by_hand_needs_a_reason(client_for):
    lead = client_for("pcref_lead")
    response = lead.post("/governance/actions/new/", action_form(rag_override="red"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter why the RAG rating is set by hand" in page
    assert "<title>Error: " in page
    lead.post("/governance/actions/new/", action_form(rag_override="red",
                                                      rag_reason="Funding withdrawn"))
    action = Action.objects.get()
    assert (action.rag, action.rag_is_set, action.rag_reason) == ("red", True, "Funding withdrawn")
    page = lead.get(f"/governance/actions/{action.pk}/").content.decode()
    assert "Red (set by hand)" in page and "Set by hand: Funding withdrawn" in page
    lead.post(f"/governance/actions/{action.pk}/change/",
              action_form(rag_override="amber", rag_reason="<script>alert(1)</script>"))
    page = lead.get(f"/governance/actions/{action.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Set by hand: &lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_form_errors_name_what_is_expected(client_for):
    response = client_for("pcref_lead").post("/governance/actions/new/", action_form(
        title="", competencies=[], due_date="1 1 2024", metric_id="", ethnic_group="Mixed",
        start_date="31 2 2024",
    ))  # fmt: skip
    page = response.content.decode()
    assert "Enter the title" in page
    assert "Select at least one competency" in page
    assert "Start date must be a real date, like 27 3 2026" in page
    assert "Select both a metric and an ethnic group, or neither" in page
    response = client_for("pcref_lead").post("/governance/actions/new/", action_form(
        due_date="1 1 2024"))
    assert "The due date must be the same as or after the start date" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_list_filters_by_priority_area_status_and_competency(client_for):
    lead = client_for("pcref_lead")
    lead.post("/governance/actions/new/", action_form(title="Advocacy on wards"))
    lead.post("/governance/actions/new/", action_form(
        title="Record ethnicity at first contact", priority_area="data",
        competencies=["workforce"], status="not_started"))  # fmt: skip
    viewer = client_for("viewer")

    def titles(query: str) -> set[str]:
        page = viewer.get(f"/governance/actions/{query}").content.decode()
        return {t for t in ("Advocacy on wards", "Record ethnicity at first contact")
                if t in page}  # fmt: skip

    assert titles("") == {"Advocacy on wards", "Record ethnicity at first contact"}
    assert titles("?priority_area=data") == {"Record ethnicity at first contact"}
    assert titles("?status=on_track") == {"Advocacy on wards"}
    assert titles("?competency=co_production") == {"Advocacy on wards"}
    assert titles("?competency=workforce&status=on_track") == set()


@pytest.mark.django_db
def test_history_is_append_only(client_for):
    client_for("pcref_lead").post("/governance/actions/new/", action_form())
    change = ActionChange.objects.first()
    change.new = "tampered"
    with pytest.raises(HistoryIsAppendOnly):
        change.save()
    with pytest.raises(HistoryIsAppendOnly):
        change.delete()


@pytest.mark.django_db
def test_linking_a_you_said_we_did_entry(client_for):
    from pcref.web.moderation.models import YouSaidWeDid

    entry = YouSaidWeDid.objects.create(
        title="Interpreters at appointments", what_people_said="No interpreter was booked",
        what_we_did="Interpreters are booked when the referral is accepted",
    )  # fmt: skip
    lead = client_for("pcref_lead")
    lead.post("/governance/actions/new/", action_form(you_said_we_did=[str(entry.pk)]))
    action = Action.objects.get()
    assert list(action.you_said_we_did.all()) == [entry]
    assert {c.new for c in action.history.filter(field="You said, we did entries")} == {
        "Interpreters at appointments"
    }
    assert "Interpreters at appointments" in lead.get(
        f"/governance/actions/{action.pk}/").content.decode()
