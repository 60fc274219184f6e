"""The audit log: what is recorded, that it cannot be changed, that it holds no IP
addresses, and the page administrators read it on."""

import re

import pytest
from django.test import Client, RequestFactory

from pcref.web.core.audit import AuditAction, action_label, record, record_export
from pcref.web.core.models import AuditEvent, AuditLogIsAppendOnly


@pytest.mark.django_db
def test_record_takes_the_actor_from_the_request(users):
    request = RequestFactory().get("/")
    request.user = users["analyst"]
    event = record(AuditAction.EXPORTED, request=request, detail={"rows": 12})
    assert event.actor == users["analyst"] and event.actor_username == "analyst"
    assert event.detail == {"rows": 12}


@pytest.mark.django_db
def test_record_export_keeps_format_policy_and_object(users):
    request = RequestFactory().get("/")
    request.user = users["pcref_lead"]
    exported = users["viewer"]  # any model instance will do as the exported object
    event = record_export(request, exported, file_format="csv", disclosure_policy="nhse")
    assert event.action == "exported"
    assert event.object_type == "auth.User" and event.object_id == str(exported.pk)
    assert event.object_repr == "viewer"
    assert event.detail == {"format": "csv", "disclosure_policy": "nhse"}


@pytest.mark.django_db
def test_record_refuses_unknown_actions_and_unserialisable_detail():
    with pytest.raises(ValueError, match="'deleted_everything': unknown"):
        record("deleted_everything")
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        record(AuditAction.EXPORTED, detail={"when": object()})
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted():
    event = record(AuditAction.EXPORTED)
    event.action = "signed_in"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.get().action == "exported"


def test_the_model_has_nowhere_to_keep_ip_addresses_or_browsers():
    names = {field.name for field in AuditEvent._meta.get_fields()}
    assert not any(re.search(r"ip|address|agent|host", name) for name in names), names


@pytest.mark.django_db
def test_signing_in_stores_no_ip_address(make_user, password):
    make_user("sam", "viewer")
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="DistinctiveBrowser/9.9")
    client.post("/sign-in/", {"username": "sam", "password": "wrong"})
    client.post("/sign-in/", {"username": "sam", "password": password})
    client.post("/sign-out/")
    assert AuditEvent.objects.count() == 3
    stored = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())
    assert "203.0.113.77" not in stored and "DistinctiveBrowser" not in stored


def test_every_action_has_words_for_people():
    for action in AuditAction:
        assert action_label(action.value) == action.label
        assert action.label[0].isupper()
    assert action_label("retired_action") == "retired_action"


@pytest.mark.django_db
def test_the_audit_log_page_lists_events_newest_first_in_nhs_style(client_for, users):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    first = record(AuditAction.SIGNED_IN, actor=users["viewer"], detail={"two_factor": False})
    AuditEvent.objects.filter(pk=first.pk).update(
        occurred_at=datetime(2025, 6, 3, 14, 5, tzinfo=ZoneInfo("Europe/London"))
    )
    record(AuditAction.SIGN_IN_FAILED, detail={"account": "unknown"})
    html = client_for("administrator").get("/audit-log/").content.decode()
    # force_login for the administrator added a third event, the newest.
    assert html.index("Sign-in failed") < html.index("3 June 2025 at 2:05pm")
    assert "Unknown account" in html and "two factor: False" in html
    assert "Audit events 1 to 3 of 3" in html


@pytest.mark.django_db
def test_the_audit_log_is_paginated(client_for):
    AuditEvent.objects.bulk_create(AuditEvent(action="exported") for _ in range(60))
    client = client_for("administrator")
    first = client.get("/audit-log/").content.decode()
    assert "Audit events 1 to 50 of 61" in first and 'href="?page=2"' in first
    second = client.get("/audit-log/?page=2").content.decode()
    assert "Audit events 51 to 61 of 61" in second and 'href="?page=1"' in second
    assert "<title>Audit log (page 2 of 2)" in second
    assert client.get("/audit-log/?page=999").status_code == 200  # clamps to the last page
