"""Engagement pages with something to show, in a real browser (zero axe violations for
WCAG 2.0/2.1/2.2 A and AA, no CSP violations or script errors, no sideways scrolling at
320 CSS pixels), and the walk a network member takes: joining, then seeing and erasing
their details through the emailed link, without an account."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from pcref.web.engagement.choices import ModerationStatus
from pcref.web.engagement.models import (
    ConsentWording,
    Decision,
    GroupMembership,
    HubBlock,
    HubContribution,
    HubReport,
    HubTopic,
    Meeting,
    MeetingAction,
    NetworkMember,
    PartnershipGroup,
    TriangleOfCareAssessment,
    TriangleOfCareRatingRecord,
)
from pcref.web.engagement.self_service import make_token

APPROVED = ModerationStatus.APPROVED


@pytest.fixture
def engagement_data(db) -> dict[str, object]:
    """A member in a group, a published topic with a published and a reported
    contribution, waiting items (one urgent), a block, a meeting with a decision and an
    action, and two assessments of one service so the change shows."""
    wording = ConsentWording.objects.get(version=1)
    member = NetworkMember.objects.create(
        name="Amara Okonkwo", email="amara@example.org", phone="07700 900982",
        contact_methods=["email", "text"], interests=["equity_for_all", "triangle_of_care"],
        languages="English, Yoruba", access_needs="Large print", consent_wording=wording,
    )  # fmt: skip
    NetworkMember.objects.create(
        name="Kwame Mensah", email="kwame@example.org", contact_methods=["email"],
        interests=["equity_for_all"], consent_wording=wording,
    )  # fmt: skip
    equity = PartnershipGroup.objects.get(kind="equity-for-all")
    GroupMembership.objects.create(group=equity, member=member, role="Co-chair",
                                   agreed_on=date(2026, 3, 2))  # fmt: skip
    topic = HubTopic.objects.create(
        title="Feeling listened to on the ward", description="What helps you feel heard?",
        display_name="PCREF team", status=APPROVED,
    )  # fmt: skip
    published = HubContribution.objects.create(
        topic=topic, display_name="Sunflower", status=APPROVED,
        text="Having an interpreter at ward rounds made the difference.\nThank you.",
    )  # fmt: skip
    HubReport.objects.create(contribution=published, reason="It might identify a ward.")
    urgent = HubContribution.objects.create(
        topic=topic, display_name="Night owl", text="Some days I want to die.",
        urgent=True, safeguarding_categories=["suicide"],
    )  # fmt: skip
    waiting_topic = HubTopic.objects.create(
        title="Food on the wards", description="Is there food from your culture?",
        display_name="Mo",
    )  # fmt: skip
    HubBlock.objects.create(display_name="spam account", reason="Advertising")
    meeting = Meeting.objects.create(
        group=equity, held_on=date(2026, 10, 1), agenda="Welcome\nPCREF plan update",
        minutes="Agreed the plan.",
    )  # fmt: skip
    Decision.objects.create(meeting=meeting, text="Publish the plan in Urdu and Punjabi.")
    MeetingAction.objects.create(meeting=meeting, description="Commission translations",
                                 owner="PCREF lead", due_on=date(2026, 12, 1))
    assessments = []
    for when, rating in ((date(2025, 11, 1), "amber"), (date(2026, 11, 1), "green")):
        assessment = TriangleOfCareAssessment.objects.create(service="Acute inpatient wards",
                                                             assessed_on=when)
        TriangleOfCareRatingRecord.objects.bulk_create(
            TriangleOfCareRatingRecord(assessment=assessment, standard=n, rating=rating,
                                       evidence=f"Audit of {n} wards")
            for n in range(1, 7)
        )
        assessments.append(assessment)
    return {
        "member": member, "topic": topic, "published": published, "urgent": urgent,
        "waiting_topic": waiting_topic, "meeting": meeting, "assessment": assessments[-1],
    }  # fmt: skip


#: (test id, who looks, path from the data).
PAGES = [
    ("member-details", "anonymous",
     lambda d: f"/co-creation-network/your-details/{make_token(d['member'])}/"),
    ("member-consent", "anonymous",
     lambda d: f"/co-creation-network/your-details/{make_token(d['member'])}/consent/"),
    ("member-erase", "anonymous",
     lambda d: f"/co-creation-network/your-details/{make_token(d['member'])}/delete/"),
    ("link-refused", "anonymous", lambda d: "/co-creation-network/your-details/not-a-link/"),
    ("hub-with-topics", "anonymous", lambda d: "/co-creation-hub/"),
    ("hub-topic", "anonymous", lambda d: f"/co-creation-hub/topics/{d['topic'].pk}/"),
    ("hub-contribute", "anonymous",
     lambda d: f"/co-creation-hub/topics/{d['topic'].pk}/contribute/"),
    ("hub-report", "anonymous",
     lambda d: f"/co-creation-hub/contributions/{d['published'].pk}/report/"),
    ("network-members-by-interest", "pcref_lead",
     lambda d: "/engagement/network/?interest=equity_for_all"),
    ("hub-moderation-queue", "moderator", lambda d: "/engagement/hub/"),
    ("moderate-urgent", "moderator",
     lambda d: f"/engagement/hub/contributions/{d['urgent'].pk}/"),
    ("moderate-reported", "moderator",
     lambda d: f"/engagement/hub/contributions/{d['published'].pk}/"),
    ("moderate-topic", "moderator",
     lambda d: f"/engagement/hub/topics/{d['waiting_topic'].pk}/"),
    ("hub-blocks", "moderator", lambda d: "/engagement/hub/blocked/"),
    ("groups-with-data", "pcref_lead", lambda d: "/engagement/groups/"),
    ("group", "pcref_lead", lambda d: "/engagement/groups/equity-for-all/"),
    ("group-add-member", "pcref_lead", lambda d: "/engagement/groups/equity-for-all/add-member/"),
    ("new-meeting", "pcref_lead", lambda d: "/engagement/groups/equity-for-all/meetings/new/"),
    ("meeting", "pcref_lead", lambda d: f"/engagement/meetings/{d['meeting'].pk}/"),
    ("toc-assessments", "pcref_lead", lambda d: "/engagement/triangle-of-care/"),
    ("toc-assessment", "pcref_lead",
     lambda d: f"/engagement/triangle-of-care/{d['assessment'].pk}/"),
]  # fmt: skip


@pytest.mark.parametrize(("principal", "path_for"), [p[1:] for p in PAGES],
                         ids=[p[0] for p in PAGES])  # fmt: skip
def test_engagement_page_is_accessible(
    principal, path_for, engagement_data, page, users, sign_in_as, check_accessibility, check_reflow
):
    if principal != "anonymous":
        sign_in_as(users[principal])
    path = path_for(engagement_data)
    response = page.goto(path)
    assert response.status in (200, 400)  # 400: the refused-link page
    check_accessibility(page)
    check_reflow(page)


def test_joining_then_erasing_through_the_emailed_link(db, page, check_accessibility):
    page.goto("/co-creation-network/join/")
    check_accessibility(page)
    page.get_by_role("button", name="Join the network").click()
    assert page.title().startswith("Error: ")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    check_accessibility(page)

    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_role("group", name="How can we contact you?").get_by_label("Email").check()
    page.get_by_role("textbox", name="Email address").fill("priya@example.org")
    interests = page.get_by_role("group", name="What would you like to be involved in?")
    interests.get_by_label("The Equity for All group").check()
    page.get_by_label("Which languages do you speak? (optional)").fill("English, Gujarati")
    page.get_by_role("group", name="Do you agree to us keeping your details?").get_by_role(
        "checkbox"
    ).check()
    page.get_by_role("button", name="Join the network").click()
    expect(page.locator("h1")).to_have_text("You have joined the co-creation network")
    check_accessibility(page)

    member = NetworkMember.objects.get()
    assert member.consent_wording.version == 1 and member.interests == ["equity_for_all"]
    [message] = mail.outbox
    [link] = re.findall(r"https?://[^/\s]+(/co-creation-network/your-details/\S+/)", message.body)

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your co-creation network details")
    expect(page.locator("main")).to_contain_text("English, Gujarati")
    check_accessibility(page)
    page.get_by_role("button", name="Delete my details").click()
    expect(page.locator("h1")).to_have_text("Delete your details")
    check_accessibility(page)
    page.get_by_role("button", name="Delete my details").click()
    expect(page.locator("h1")).to_have_text("Your details have been deleted")
    check_accessibility(page)
    assert not NetworkMember.objects.exists()

    page.goto(link)
    expect(page.locator("h1")).to_have_text("This link does not work")
    expect(page.locator("main")).to_contain_text("This link no longer works.")
