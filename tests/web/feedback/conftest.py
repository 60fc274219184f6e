"""Helpers for the public feedback form's tests: a team list, a clean cache (the hourly
limit lives there), and a walk through the standard form."""

from __future__ import annotations

import pytest
from django.test import Client

from pcref.web.feedback.models import Team

#: A complete set of answers for the standard form, page by page.
FULL_ANSWERS = {
    "experience": {
        "fft_answer": "2",
        "what_was_good": "The nurse listened to me.",
        "what_could_be_better": "Waiting times were long.",
    },
    "about-your-feedback": {"respondent_type": "carer", "service": "T0002"},
    "about-you": {
        "ethnic_background": "asian_indian",
        "sex": "2",
        "gender_same_at_birth": "Y",
        "age_band": "35-44",
        "disability": "N",
        "religion": "I",
        "sexual_orientation": "Z",
    },
    "contact": {
        "name": "Asha",
        "email": "asha@example.com",
        "phone": "",
        "preferred_contact_method": "email",
        "may_contact_if_worried": "yes",
    },
}


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    """Every feedback test starts with no hourly count (tests/web/conftest.py)."""


@pytest.fixture
def teams(db):
    return [
        Team.objects.create(code="T0001", name="Ashford Community Mental Health Team"),
        Team.objects.create(code="T0002", name="Canterbury Community Mental Health Team"),
    ]


def walk(client: Client, answers: dict[str, dict[str, str]], flow: str = "en"):
    """Post each page's answers in order (a page missing from ``answers`` is skipped with
    its Skip button); return the last response. Stops early at a page that does not move
    on (an error), returning that response."""
    pages = ["experience", "about-your-feedback", "about-you", "contact"]
    response = None
    for page in pages:
        data = answers.get(page, {"skip": "yes"})
        response = client.post(f"/feedback/{flow}/{page}/", data)
        if response.status_code != 302:
            return response
    return response


@pytest.fixture
def send(teams):
    """``send(answers, **client_options)``: a fresh client walks the standard form; returns
    (client, final response)."""

    def run(answers=FULL_ANSWERS, flow="en", client=None, **client_options):
        client = client or Client(**client_options)
        return client, walk(client, answers, flow)

    return run
