"""The idle session timeout and the session cookie's lifetime."""

import pytest
from django.conf import settings
from django.utils import timezone

from pcref.web.accounts.middleware import ACTIVITY_WRITE_INTERVAL, LAST_ACTIVITY_KEY
from pcref.web.core.models import AuditEvent

TIMEOUT = settings.PCREF_SESSION_IDLE_TIMEOUT.total_seconds()


def _set_last_activity(client, seconds_ago: float) -> float:
    session = client.session
    value = timezone.now().timestamp() - seconds_ago
    session[LAST_ACTIVITY_KEY] = value
    session.save()
    return value


@pytest.mark.django_db
def test_the_idle_timeout_is_thirty_minutes_by_default():
    assert TIMEOUT == 30 * 60


@pytest.mark.django_db
def test_inactive_people_are_signed_out_and_told_why(client_for):
    client = client_for("viewer")
    assert client.get("/dashboard/").status_code == 200
    _set_last_activity(client, TIMEOUT + 5)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/dashboard/"
    sign_in = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in sign_in
    assert client.get("/account/").status_code == 302  # really signed out
    event = AuditEvent.objects.exclude(action="signed_in").get()
    assert event.action == "signed_out_inactive" and event.actor_username == "viewer"


@pytest.mark.django_db
def test_activity_within_the_timeout_keeps_people_signed_in(client_for):
    client = client_for("viewer")
    client.get("/")
    before = _set_last_activity(client, TIMEOUT - 30)
    assert client.get("/dashboard/").status_code == 200
    # The request counted as activity, so the clock restarted.
    assert client.session[LAST_ACTIVITY_KEY] > before + TIMEOUT - 60
    assert not AuditEvent.objects.exclude(action="signed_in").exists()


@pytest.mark.django_db
def test_last_activity_is_not_rewritten_on_every_request(client_for):
    client = client_for("viewer")
    client.get("/")
    recent = _set_last_activity(client, ACTIVITY_WRITE_INTERVAL / 2)
    client.get("/")
    assert client.session[LAST_ACTIVITY_KEY] == recent


@pytest.mark.django_db
def test_public_pages_are_not_affected(client_for):
    assert client_for("anonymous").get("/accessibility/").status_code == 200


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(make_user, password):
    from django.test import Client

    make_user("sam", "viewer")
    client = Client()
    response = client.post("/sign-in/", {"username": "sam", "password": password})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
