"""Signing in and out: redirects, NHS-style errors, login throttling (django-axes) and
the audit events each step leaves."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pcref.web.core.models import AuditEvent

SIGN_IN = "/sign-in/"


def _sign_in(client: Client, username: str, password: str, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_signing_in_goes_where_the_person_was_going(make_user, password):
    make_user("sam", "viewer")
    client = Client()
    response = client.get("/dashboard/")
    assert response["Location"] == "/sign-in/?next=/dashboard/"
    response = _sign_in(client, "sam", password, next="/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    event = AuditEvent.objects.get(action="signed_in")
    assert event.actor.username == "sam" and event.detail == {"two_factor": False}


@pytest.mark.django_db
def test_next_pointing_off_site_is_ignored(make_user, password):
    make_user("sam", "viewer")
    response = _sign_in(Client(), "sam", password, next="https://evil.example/steal")
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_empty_form_shows_the_error_summary_and_errors_by_the_fields():
    response = _sign_in(Client(), "", "")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "There is a problem" in html
    assert 'href="#id_username"' in html and "Enter your username" in html
    assert 'href="#id_password"' in html and "Enter your password" in html
    assert 'aria-describedby="id_username-error"' in html


@pytest.mark.django_db
def test_wrong_password_does_not_say_which_detail_was_wrong(make_user):
    make_user("sam", "viewer")
    html = _sign_in(Client(), "sam", "not-the-password").content.decode()
    assert "The username or password is not correct" in html
    # The general error links to the first field, where the person starts correcting.
    assert '<a href="#id_username">' in html
    assert not Client().get("/account/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_failed_sign_ins_are_audited_without_keeping_what_was_typed(make_user):
    user = make_user("sam", "viewer")
    _sign_in(Client(), "sam", "wrong-password-1")
    _sign_in(Client(), "my-secret-password-typed-in-the-wrong-box", "x")
    known, unknown = AuditEvent.objects.filter(action="sign_in_failed").order_by("id")
    assert known.actor == user and known.actor_username == "sam"
    assert unknown.actor is None and unknown.actor_username == ""
    assert unknown.detail == {"account": "unknown"}
    stored = " ".join(
        str(value)
        for row in AuditEvent.objects.values()
        for value in row.values()
    )
    assert "my-secret-password" not in stored and "wrong-password-1" not in stored


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username(make_user, password, settings):
    make_user("sam", "viewer")
    make_user("alex", "viewer")
    client = Client()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        assert _sign_in(client, "sam", f"wrong-{attempt}").status_code == 200
    locked = _sign_in(client, "sam", "wrong-5")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Your account is locked for now" in html and "15 minutes" in html
    # Even the right password is refused while locked, from any browser ...
    assert _sign_in(Client(), "sam", password).status_code == 429
    # ... but other people are not affected.
    assert _sign_in(Client(), "alex", password).status_code == 302
    assert "locked_out" in _actions()


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(make_user, password, settings):
    make_user("sam", "viewer")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "sam", f"wrong-{attempt}")
    assert _sign_in(Client(), "sam", password).status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert _sign_in(Client(), "sam", password).status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_count(make_user, password, settings):
    make_user("sam", "viewer")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(Client(), "sam", f"wrong-{attempt}")
    assert _sign_in(Client(), "sam", password).status_code == 302
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(Client(), "sam", f"again-{attempt}").status_code == 200


@pytest.mark.django_db
def test_sign_out_needs_a_post_and_says_so(make_user, password):
    make_user("sam", "viewer")
    client = Client()
    _sign_in(client, "sam", password)
    page = client.get("/sign-out/")
    assert page.status_code == 200 and "Sign out now" in page.content.decode()
    assert client.get("/account/").status_code == 200  # still signed in after GET
    response = client.post("/sign-out/")
    assert response["Location"] == reverse("accounts:sign_in")
    follow = client.get(response["Location"])
    assert "You have signed out" in follow.content.decode()
    assert client.get("/account/").status_code == 302
    assert _actions() == ["signed_in", "signed_out"]


@pytest.mark.django_db
def test_signed_in_people_visiting_sign_in_go_home(client_for):
    response = client_for("viewer").get(SIGN_IN)
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_forms_need_the_csrf_token(make_user, password):
    make_user("sam", "viewer")
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "sam", password)
    assert response.status_code == 403
    assert "Sorry, your form could not be sent" in response.content.decode()
    page = client.get(SIGN_IN)
    token = page.cookies["csrftoken"].value
    response = _sign_in(client, "sam", password, csrfmiddlewaretoken=token)
    assert response.status_code == 302
