"""The network's and hub's public forms share one hourly limit per connection
(``PCREF_ENGAGEMENT_POSTS_PER_HOUR``): past it, a post is not kept, the form comes back
with what was typed and an error in the summary (HTTP 429); other connections carry on;
and no table keeps the connection's address or browser."""

from __future__ import annotations

import pytest
from django.test import Client

from pcref.web.engagement.models import HubContribution, HubReport, HubTopic, NetworkMember

pytestmark = pytest.mark.django_db

BUSY, QUIET = "198.51.100.21", "198.51.100.22"
BROWSER = "PCREF-Engagement-Browser/9.9"
TRY_AGAIN = "Try again in an hour."


@pytest.fixture
def published(topic) -> HubContribution:
    return HubContribution.objects.create(
        topic=topic, display_name="Sunflower", text="Ward 3 was kind.", status="approved"
    )


@pytest.fixture
def forms(wording, topic, published) -> dict[str, tuple[str, dict]]:
    """Each public form's address and a valid post to it (a different email each time,
    so joining twice is not refused for another reason)."""
    return {
        "join": (
            "/co-creation-network/join/",
            {"name": "Kwame Mensah", "contact_methods": ["email"], "email": "kwame@example.org",
             "interests": ["service_design"], "consent": "yes", "consent_version": "1"},
        ),
        "request_link": (
            "/co-creation-network/your-details/", {"email": "kwame@example.org"}
        ),
        "contribute": (
            f"/co-creation-hub/topics/{topic.pk}/contribute/",
            {"display_name": "Sunflower", "text": "Interpreters at ward rounds help."},
        ),
        "suggest_topic": (
            "/co-creation-hub/suggest-a-topic/",
            {"display_name": "Sunflower", "title": "Food on the ward", "description": "Halal"},
        ),
        "report": (
            f"/co-creation-hub/contributions/{published.pk}/report/", {"reason": "Names a nurse"}
        ),
    }  # fmt: skip


def _kept() -> tuple[int, int, int, int]:
    return (
        NetworkMember.objects.count(),
        HubContribution.objects.count(),
        HubTopic.objects.count(),
        HubReport.objects.count(),
    )


@pytest.mark.parametrize(
    "form_name", ["join", "request_link", "contribute", "suggest_topic", "report"]
)
def test_each_public_form_refuses_past_the_limit_and_keeps_what_was_typed(
    form_name, forms, settings
):
    settings.PCREF_ENGAGEMENT_POSTS_PER_HOUR = 2
    url, answers = forms[form_name]
    busy = Client(REMOTE_ADDR=BUSY)
    for _ in range(2):
        assert busy.post(url, answers).status_code == 302
    kept = _kept()

    refused = busy.post(url, answers)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "There is a problem" in page and TRY_AGAIN in page
    typed = next(v for v in answers.values() if isinstance(v, str) and len(v) > 8)
    assert typed in page  # what was typed is shown again
    assert _kept() == kept
    assert Client(REMOTE_ADDR=QUIET).post(url, answers).status_code == 302


def test_the_forms_share_one_count(forms, settings):
    settings.PCREF_ENGAGEMENT_POSTS_PER_HOUR = 2
    busy = Client(REMOTE_ADDR=BUSY)
    assert busy.post(*forms["join"]).status_code == 302
    assert busy.post(*forms["report"]).status_code == 302
    assert busy.post(*forms["contribute"]).status_code == 429
    assert HubContribution.objects.count() == 1  # only the published one


def test_only_posts_that_would_be_kept_count(forms, settings):
    settings.PCREF_ENGAGEMENT_POSTS_PER_HOUR = 1
    url, answers = forms["suggest_topic"]
    busy = Client(REMOTE_ADDR=BUSY)
    assert busy.post(url, {**answers, "title": ""}).status_code == 200  # an error to correct
    assert busy.post(url, {**answers, "website": "http://spam.example"}).status_code == 302
    assert busy.post(url, answers).status_code == 302
    assert HubTopic.objects.filter(title="Food on the ward").count() == 1
    assert busy.post(url, answers).status_code == 429


def test_no_address_or_browser_is_stored_anywhere(forms, where_stored, connection_columns):
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT=BROWSER)
    for url, answers in forms.values():
        assert client.post(url, answers).status_code == 302
    assert _kept() == (1, 2, 2, 1)
    assert not connection_columns("engagement_", allowed={"postal_address"})
    found = where_stored("203.0.113.77", BROWSER, "203.0.113")
    assert not found, f"the address or browser was stored in {found}"
