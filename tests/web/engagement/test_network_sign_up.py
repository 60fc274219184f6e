"""Joining the co-creation network: what the form asks for, what it refuses and why, and
that the member's record keeps the consent wording version they agreed to."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pcref.web.engagement.models import ConsentWording, NetworkMember

JOIN = "/co-creation-network/join/"
LINK = r"http://testserver(/co-creation-network/your-details/[^/\s]+/)"


def _answers(**changes) -> dict:
    answers = {
        "name": "Kwame Mensah",
        "contact_methods": ["email", "phone"],
        "email": "kwame@example.org",
        "phone": "01632 960 001",
        "postal_address": "",
        "interests": ["service_design", "triangle_of_care"],
        "communities": "Ghanaian community, Gravesend",
        "languages": "English, Twi",
        "access_needs": "",
        "consent": "yes",
        "consent_version": "1",
    }
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def test_the_join_page_needs_no_account():
    assert reverse("engagement:network_join") == JOIN


@pytest.mark.django_db
def test_joining_keeps_every_answer_and_the_wording_agreed_to(wording):
    response = Client().post(JOIN, _answers())
    assert response.status_code == 302 and response["Location"] == "/co-creation-network/joined/"
    member = NetworkMember.objects.get()
    assert member.name == "Kwame Mensah"
    assert member.contact_methods == ["email", "phone"]
    assert member.interests == ["service_design", "triangle_of_care"]
    assert member.languages == "English, Twi"
    assert member.consent_wording == wording and member.contact_consent is True
    assert abs(member.consented_at - timezone.now()) < timedelta(minutes=1)


@pytest.mark.django_db
def test_joining_emails_a_link_to_the_members_details(wording):
    client = Client()
    client.post(JOIN, _answers())
    [message] = mail.outbox
    assert message.to == ["kwame@example.org"]
    [link] = re.findall(LINK, message.body)
    assert Client().get(link).status_code == 200
    page = client.get("/co-creation-network/joined/")
    # The test settings are not demo settings: the link is emailed, never shown.
    assert link not in page.content.decode()


@pytest.mark.django_db
def test_demo_settings_show_the_link_on_screen_and_say_so(wording, settings):
    settings.PCREF_SHOW_SELF_SERVICE_LINKS = True
    client = Client()
    client.post(JOIN, _answers())
    [link] = re.findall(LINK, mail.outbox[0].body)
    page = client.get("/co-creation-network/joined/").content.decode()
    assert "Demonstration only" in page
    assert link in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name"),
        ({"contact_methods": None}, "contact_methods", "Select how we can contact you"),
        ({"email": ""}, "email", "Enter your email address, as you chose email"),
        ({"email": "kwame.example.org"}, "email", "Enter an email address in the correct format"),
        ({"phone": ""}, "phone", "Enter your phone number, as you chose phone calls or texts"),
        ({"phone": "12345"}, "phone", "Enter a UK phone number"),
        (
            {"contact_methods": ["post"], "email": "", "phone": ""},
            "postal_address",
            "Enter your postal address, as you chose letters",
        ),
        ({"interests": None}, "interests", "Select at least one thing"),
        ({"consent": None}, "consent", "Tick the box to say you agree"),
        ({"name": "x" * 101}, "name", "Your name must be 100 characters or fewer"),
    ],
)
@pytest.mark.django_db
def test_sign_up_refuses_with_a_message_beside_the_field(
    wording, field_error, changes, field, message
):
    response = Client().post(JOIN, _answers(**changes))
    assert response.status_code == 200
    assert (field_error(response, field) or "").startswith(message)
    assert not NetworkMember.objects.exists()
    page = response.content.decode()
    assert page.count(f'href="#id_{field}"') == 1  # the error summary links to the field
    assert "<title>Error: " in page


@pytest.mark.django_db
def test_only_the_details_for_chosen_ways_of_contact_are_required(wording):
    response = Client().post(
        JOIN, _answers(contact_methods=["phone"], email="", postal_address="")
    )
    assert response.status_code == 302
    assert NetworkMember.objects.get().email == ""


@pytest.mark.django_db
def test_a_wording_change_while_the_form_was_open_asks_to_agree_again(wording, field_error):
    ConsentWording.objects.create(
        version=2, text="New wording.", in_force_from=timezone.now() - timedelta(seconds=1)
    )
    response = Client().post(JOIN, _answers(consent_version="1"))
    assert "consent wording has changed" in field_error(response, "consent")
    assert not NetworkMember.objects.exists()
    Client().post(JOIN, _answers(consent_version="2"))
    assert NetworkMember.objects.get().consent_wording.version == 2


@pytest.mark.django_db
def test_the_form_shows_the_wording_in_force_not_a_future_one(wording):
    ConsentWording.objects.create(
        version=2, text="Not yet in force.", in_force_from=timezone.now() + timedelta(days=3)
    )
    page = Client().get(JOIN).content.decode()
    assert wording.text[:60] in page and "Not yet in force." not in page
    assert 'name="consent_version" value="1"' in page


@pytest.mark.django_db
def test_what_people_type_is_escaped_on_their_details_page(wording, details_url):
    Client().post(JOIN, _answers(name="<script>alert(1)</script>"))
    member = NetworkMember.objects.get()
    page = Client().get(details_url(member)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_a_sign_up_from_a_program_is_thanked_but_not_kept(wording):
    response = Client().post(JOIN, _answers(website="http://spam.example"))
    assert response["Location"] == "/co-creation-network/joined/"
    assert not NetworkMember.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_the_hidden_field_is_on_the_page_but_hidden(wording):
    page = Client().get(JOIN).content.decode()
    assert '<div hidden>' in page and 'name="website"' in page
