"""The public feedback form through Django's test client: each path, validation, what is
stored (and what never is), escaping, the honeypot and the hourly limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from pcref.web.feedback.models import (
    REFERENCE_ALPHABET,
    AboutYou,
    ContactDetails,
    Submission,
    new_reference,
)

from .conftest import FULL_ANSWERS

pytestmark = pytest.mark.django_db

ONLY_REQUIRED = {"experience": {"fft_answer": "6"}, "about-your-feedback": {}, "contact": {}}


def _reference_on(response) -> str:
    match = re.search(r'app-feedback-reference">([A-Z0-9-]+)<', response.content.decode())
    assert match, "no reference on the page"
    return match.group(1)


def test_a_full_submission_is_stored_as_answered(send):
    client, response = send()
    assert response.status_code == 302
    assert response["Location"] == "/feedback/en/thank-you/"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200

    submission = Submission.objects.get()
    assert _reference_on(thanks) == submission.reference
    assert (submission.language, submission.form_version) == ("en", "standard")
    assert submission.fft_answer == 2
    assert submission.what_was_good == "The nurse listened to me."
    assert submission.what_could_be_better == "Waiting times were long."
    assert (submission.respondent_type, submission.service) == ("carer", "T0002")
    assert (submission.urgent, submission.safeguarding_categories) == (False, [])

    about = submission.about_you
    # Indian is NHS Data Dictionary ethnic category H; Sikh is religion group I.
    assert (about.ethnic_background, about.ethnic_category) == ("asian_indian", "H")
    assert (about.sex, about.gender_same_at_birth, about.age_band) == ("2", "Y", "35-44")
    assert (about.disability, about.religion, about.sexual_orientation) == ("N", "I", "Z")

    contact = submission.contact_details
    assert (contact.name, contact.email, contact.phone) == ("Asha", "asha@example.com", "")
    assert contact.preferred_contact_method == "email"
    assert contact.may_contact_if_worried is True


def test_only_the_fft_answer_is_needed_and_nothing_optional_is_stored(send):
    _client, response = send(ONLY_REQUIRED)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.fft_answer == 6  # don't know
    assert (submission.what_was_good, submission.respondent_type, submission.service) == (
        "",
        "",
        "",
    )
    assert not AboutYou.objects.exists()
    assert not ContactDetails.objects.exists()


@pytest.mark.parametrize(
    ("background", "code"),
    [
        ("white_british", "A"),
        ("white_gypsy_traveller", "C"),
        ("mixed_white_black_caribbean", "D"),
        ("asian_chinese", "R"),
        ("black_african", "N"),
        ("black_caribbean", "M"),
        ("other_arab", "S"),
        ("prefer_not_to_say", "Z"),
    ],
)
def test_ethnic_group_answers_are_stored_as_data_dictionary_codes(send, background, code):
    answers = {**ONLY_REQUIRED, "about-you": {"ethnic_background": background}}
    send(answers)
    assert AboutYou.objects.get().ethnic_category == code


def test_the_fft_question_must_be_answered(teams):
    response = Client().post("/feedback/en/experience/", {"what_was_good": "fine"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "There is a problem" in page
    assert 'href="#id_fft_answer"' in page  # the summary links to the field
    assert "Select how your experience of our service was overall" in page
    assert not Submission.objects.exists()


def test_free_text_is_limited_to_3000_characters(teams):
    client = Client()
    too_long = client.post(
        "/feedback/en/experience/", {"fft_answer": "1", "what_was_good": "a" * 3001}
    )
    assert too_long.status_code == 200
    assert "must be 3000 characters or fewer. It has 3001 characters" in too_long.content.decode()
    just_right = client.post(
        "/feedback/en/experience/", {"fft_answer": "1", "what_was_good": "a" * 3000}
    )
    assert just_right.status_code == 302


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        ({"may_contact_if_worried": "yes"}, "Enter a phone number or email address"),
        ({"preferred_contact_method": "email"}, "Enter your email address, or choose"),
        ({"preferred_contact_method": "phone"}, "Enter your phone number, or choose"),
        ({"phone": "call me maybe"}, "Enter a phone number, like 01632 960 001"),
        ({"email": "not-an-address"}, "Enter an email address like name@example.com"),
    ],
)
def test_contact_details_are_checked(send, contact, message):
    _client, response = send({**ONLY_REQUIRED, "contact": contact})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Submission.objects.exists()


def test_pages_must_be_answered_in_order(teams):
    client = Client()
    response = client.get("/feedback/en/contact/")
    assert response.status_code == 302
    assert response["Location"] == "/feedback/en/experience/"
    client.post("/feedback/en/experience/", {"fft_answer": "3"})
    response = client.post("/feedback/en/contact/", {})
    assert response["Location"] == "/feedback/en/about-your-feedback/"
    assert not Submission.objects.exists()


def test_the_thank_you_page_needs_a_sent_submission(teams):
    response = Client().get("/feedback/en/thank-you/")
    assert response.status_code == 302
    assert response["Location"] == "/feedback/en/"


def test_answers_are_kept_when_going_back(teams):
    client = Client()
    client.post("/feedback/en/experience/", {"fft_answer": "4", "what_was_good": "Quiet ward"})
    page = client.get("/feedback/en/experience/").content.decode()
    assert re.search(r'value="4"\s+checked', page)
    assert ">Quiet ward</textarea>" in page


def test_what_people_type_is_shown_escaped(teams):
    script = '<script>alert("x")</script>'
    client = Client()
    # An error elsewhere on the page re-shows the text typed.
    page = client.post("/feedback/en/experience/", {"what_was_good": script}).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    client.post("/feedback/en/experience/", {"fft_answer": "1", "what_was_good": script})
    client.post("/feedback/en/about-your-feedback/", {})
    page = client.post("/feedback/en/contact/", {"name": script, "email": "bad"}).content.decode()
    assert script not in page


def test_no_address_or_browser_is_stored_anywhere(send, where_stored, connection_columns):
    address, browser = "203.0.113.77", "PCREF-Test-Browser/9.9"
    send(REMOTE_ADDR=address, HTTP_USER_AGENT=browser)
    assert Submission.objects.count() == 1
    assert not connection_columns("feedback_")
    found = where_stored(address, browser, "203.0.113")
    assert not found, f"the address or browser was stored in {found}"


def test_comments_that_disclose_risk_are_urgent(send):
    answers = {
        **ONLY_REQUIRED,
        "experience": {
            "fft_answer": "5",
            "what_was_good": "Nothing.",
            "what_could_be_better": "Nobody listened and I want to end my life.",
        },
    }
    send(answers)
    submission = Submission.objects.get()
    assert submission.urgent is True
    assert submission.safeguarding_categories == ["suicide"]


def test_a_filled_honeypot_is_thanked_but_not_kept(send):
    answers = {
        **FULL_ANSWERS,
        "experience": {**FULL_ANSWERS["experience"], "website": "http://spam.example"},
    }
    client, response = send(answers)
    assert response["Location"] == "/feedback/en/thank-you/"
    thanks = client.get(response["Location"])
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", _reference_on(thanks))
    assert not Submission.objects.exists()


@override_settings(PCREF_FEEDBACK_SUBMISSIONS_PER_HOUR=2)
def test_one_connection_may_send_a_limited_number_an_hour(send):
    for _ in range(2):
        _client, response = send(ONLY_REQUIRED, REMOTE_ADDR="198.51.100.1")
        assert response.status_code == 302
    client, refused = send(ONLY_REQUIRED, REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert "try sending again in an hour" in refused.content.decode()
    assert Submission.objects.count() == 2
    # The answers are kept, so sending later works without typing them again.
    assert client.post("/feedback/en/contact/", {}).status_code == 429
    _client, other = send(ONLY_REQUIRED, REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 302
    assert Submission.objects.count() == 3


def test_references_are_short_and_from_the_unambiguous_alphabet():
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(
            rf"[{REFERENCE_ALPHABET}]{{4}}(-[{REFERENCE_ALPHABET}]{{4}}){{2}}", reference
        )
    assert not set("01ILOSBZ258UV") & set(REFERENCE_ALPHABET)


@override_settings(PCREF_FEEDBACK_RETENTION_DAYS=10)
def test_retention_date_is_set_from_the_setting(send):
    send(ONLY_REQUIRED)
    submission = Submission.objects.get()
    received = timezone.localdate(submission.received_at)
    assert submission.retain_until - received == dt.timedelta(days=10)
