"""The hub is pre-moderated: nothing is public until a moderator approves it; anything the
safeguarding screen flags is urgent, first in the queue, and cannot be published without a
recorded safeguarding outcome. Reporting, hiding and blocking."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from pcref.web.core.models import AuditEvent
from pcref.web.engagement.models import HubBlock, HubContribution, HubReport, HubTopic
from pcref.web.engagement.self_service import make_token

pytestmark = pytest.mark.django_db


def _contribute(topic, text="An interpreter at ward rounds helped.", name="Sunflower", **extra):
    return Client().post(
        f"/co-creation-hub/topics/{topic.pk}/contribute/",
        {"display_name": name, "text": text, **extra},
    )


def test_a_contribution_is_not_public_until_approved(topic, client_for):
    response = _contribute(topic)
    assert response["Location"] == "/co-creation-hub/thank-you/"
    contribution = HubContribution.objects.get()
    assert contribution.status == "pending" and contribution.urgent is False
    public = Client().get(f"/co-creation-hub/topics/{topic.pk}/").content.decode()
    assert "An interpreter" not in public

    moderator = client_for("moderator")
    moderator.post(f"/engagement/hub/contributions/{contribution.pk}/", {"decision": "approved"})
    page = Client().get(f"/co-creation-hub/topics/{topic.pk}/").content.decode()
    assert "An interpreter at ward rounds helped." in page and "Sunflower" in page
    event = AuditEvent.objects.get(action="hub_moderated")
    assert event.detail == {"decision": "approved", "urgent": False, "safeguarding_outcome": ""}


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("Some days I want to die.", ["suicide"]),
        ("I have been cutting myself again", ["self_harm"]),
        ("My neighbour's child is being hit at home", ["child_at_risk"]),
    ],
)
def test_flagged_contributions_are_urgent_and_first_in_the_queue(
    topic, client_for, text, categories
):
    _contribute(topic, text="The food could be better.", name="Early")
    _contribute(topic, text=text, name="Later")
    urgent = HubContribution.objects.get(display_name="Later")
    assert urgent.urgent is True
    assert set(categories) <= set(urgent.safeguarding_categories)
    page = client_for("moderator").get("/engagement/hub/").content.decode()
    urgent_section = page.index("Safeguarding concerns (1)")
    waiting_section = page.index("Waiting for moderation (1)")
    assert urgent_section < page.index(f"Contribution {urgent.pk} ") < waiting_section


def test_topic_suggestions_are_screened_and_wait_for_moderation():
    Client().post("/co-creation-hub/suggest-a-topic/",
                  {"display_name": "Mo", "title": "Staff threatened to hurt me",
                   "description": "What can we do?"})  # fmt: skip
    suggestion = HubTopic.objects.get()
    assert suggestion.status == "pending" and suggestion.urgent is True
    assert "Staff threatened" not in Client().get("/co-creation-hub/").content.decode()


def test_an_urgent_item_cannot_be_published_without_a_safeguarding_outcome(topic, client_for):
    _contribute(topic, text="I want to kill myself")
    urgent = HubContribution.objects.get()
    url = f"/engagement/hub/contributions/{urgent.pk}/"
    moderator = client_for("moderator")
    response = moderator.post(url, {"decision": "approved"})
    assert response.status_code == 200
    assert "Select what was done about the safeguarding concern" in response.content.decode()
    urgent.refresh_from_db()
    assert urgent.status == "pending"

    moderator.post(url, {"decision": "approved", "safeguarding_outcome": "signposted"})
    urgent.refresh_from_db()
    assert (urgent.status, urgent.safeguarding_outcome) == ("approved", "signposted")


def test_nothing_is_ever_approved_without_a_moderator(topic):
    for text in ("Lovely staff", "I want to die", "The garden is nice"):
        _contribute(topic, text=text)
    assert set(HubContribution.objects.values_list("status", flat=True)) == {"pending"}
    assert not HubContribution.objects.filter(moderated_by__isnull=False).exists()


def test_anyone_can_report_and_a_moderator_can_hide(topic, client_for):
    published = HubContribution.objects.create(
        topic=topic, display_name="Sunflower", text="Ward 3's nurse Jo was rude.",
        status="approved",
    )  # fmt: skip
    Client().post(f"/co-creation-hub/contributions/{published.pk}/report/",
                  {"reason": "It names a nurse."})  # fmt: skip
    assert HubReport.objects.get().reason == "It names a nurse."
    queue = client_for("moderator").get("/engagement/hub/").content.decode()
    assert "Reported after publication (1)" in queue
    client_for("moderator").post(f"/engagement/hub/contributions/{published.pk}/",
                                 {"decision": "hidden"})  # fmt: skip
    published.refresh_from_db()
    assert published.status == "hidden"
    assert HubReport.objects.get().resolved_at is not None
    assert "rude" not in Client().get(f"/co-creation-hub/topics/{topic.pk}/").content.decode()
    assert Client().get(f"/co-creation-hub/contributions/{published.pk}/report/").status_code == 404


def test_unpublished_items_cannot_be_reported_or_read(topic):
    waiting = HubContribution.objects.create(topic=topic, display_name="A", text="x")
    assert Client().get(f"/co-creation-hub/contributions/{waiting.pk}/report/").status_code == 404
    hidden_topic = HubTopic.objects.create(title="t", description="d", display_name="A")
    assert Client().get(f"/co-creation-hub/topics/{hidden_topic.pk}/").status_code == 404


def test_blocking_a_display_name_stops_it_in_any_capitals_or_spacing(
    topic, client_for, field_error
):
    spam = HubContribution.objects.create(topic=topic, display_name="Cheap  Pills", text="buy")
    client_for("moderator").post(
        f"/engagement/hub/contributions/{spam.pk}/",
        {"decision": "rejected", "block": "yes", "block_reason": "Advertising"},
    )
    assert HubBlock.objects.get().display_name == "cheap pills"
    response = _contribute(topic, name=" CHEAP pills ")
    assert "You cannot post in the hub under this name" in field_error(response, "display_name")
    assert HubContribution.objects.count() == 1
    assert AuditEvent.objects.filter(action="hub_blocked").count() == 1


def test_blocking_a_member_stops_them_under_any_name(topic, member, client_for, field_error):
    token = make_token(member)
    _contribute(topic, name="First name", **{"as": token})
    posted = HubContribution.objects.get()
    assert posted.member == member
    client_for("moderator").post(
        f"/engagement/hub/contributions/{posted.pk}/",
        {"decision": "rejected", "block": "yes", "block_reason": "Abuse of other members"},
    )
    response = _contribute(topic, name="A brand new name", **{"as": token})
    assert "You cannot post" in field_error(response, "display_name")
    assert _contribute(topic, name="A brand new name")["Location"].endswith("/thank-you/")


def test_a_member_posts_as_a_member_from_their_details_page(topic, member, details_url):
    page = Client().get(details_url(member)).content.decode()
    [href] = re.findall(r'href="(/co-creation-hub/topics/\d+/contribute/\?as=[^"]+)"', page)
    form = Client().get(html.unescape(href)).content.decode()
    assert "You are posting as a member of the co-creation network." in form
    token = html.unescape(re.search(r'name="as" value="([^"]+)"', form).group(1))
    _contribute(topic, **{"as": token})
    assert HubContribution.objects.get().member == member


def test_a_stale_member_link_posts_as_anyone(topic, member):
    _contribute(topic, **{"as": "not-a-link"})
    assert HubContribution.objects.get().member is None


def test_blocking_needs_a_reason(topic, client_for, field_error):
    item = HubContribution.objects.create(topic=topic, display_name="A", text="x")
    response = client_for("moderator").post(
        f"/engagement/hub/contributions/{item.pk}/", {"decision": "rejected", "block": "yes"}
    )
    assert field_error(response, "block_reason") == "Enter the reason for blocking"
    assert not HubBlock.objects.exists()


def test_unblocking(client_for):
    block = HubBlock.objects.create(display_name="someone", reason="r")
    client_for("moderator").post("/engagement/hub/blocked/", {"unblock": block.pk})
    assert not HubBlock.objects.exists()
    assert AuditEvent.objects.filter(action="hub_unblocked").count() == 1


def test_staff_topics_are_published_at_once(client_for):
    client_for("pcref_lead").post("/engagement/hub/topics/new/",
                                  {"title": "Carers' voices", "description": "Tell us."})
    assert "Carers' voices" in html.unescape(Client().get("/co-creation-hub/").content.decode())


def test_display_names_cannot_carry_contact_details(topic, field_error):
    response = _contribute(topic, name="me@example.org")
    assert "must not include an email address" in field_error(response, "display_name")


def test_posts_and_reports_from_programs_are_thanked_but_not_kept(topic):
    assert _contribute(topic, website="http://spam.example")["Location"].endswith("/thank-you/")
    Client().post("/co-creation-hub/suggest-a-topic/",
                  {"display_name": "Bot", "title": "t", "description": "d",
                   "website": "x"})  # fmt: skip
    published = HubContribution.objects.create(topic=topic, display_name="A", text="x",
                                               status="approved")  # fmt: skip
    Client().post(f"/co-creation-hub/contributions/{published.pk}/report/",
                  {"reason": "r", "website": "x"})  # fmt: skip
    assert list(HubContribution.objects.all()) == [published]
    assert list(HubTopic.objects.all()) == [topic]
    assert not HubReport.objects.exists()
