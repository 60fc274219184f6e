"""Moderation pages with something to show, in a real browser (zero axe violations for
WCAG 2.0/2.1/2.2 A and AA, no CSP violations or script errors, no sideways scrolling at
320 CSS pixels), and the walk: a moderator opens the urgent queue, records an outcome and
publishes the comment; the PCREF lead publishes a "you said, we did" entry linked to it;
the public page shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pcref.listening.safeguarding import screen
from pcref.web.feedback.models import ContactDetails, Submission
from pcref.web.moderation import workflow
from pcref.web.moderation.models import (
    ModerationStatus,
    ProgressUpdate,
    SafeguardingOutcome,
    YouSaidWeDid,
)

URGENT_TEXT = "Staff on Dr Patel's ward hit me and I want to die. Call 07700 900123."


def _submission(text: str, *, hours_ago: float, **fields) -> Submission:
    screening = screen(text)
    return Submission.objects.create(
        language="en", form_version="standard", fft_answer=5, respondent_type="patient",
        what_could_be_better=text, safeguarding_categories=list(screening.categories),
        urgent=screening.urgent, received_at=timezone.now() - timedelta(hours=hours_ago),
        **fields,
    )  # fmt: skip


@pytest.fixture
def moderation_data(db, users) -> dict[str, object]:
    """An urgent item waiting (with contact details the person agreed to), one reviewed,
    a plain one to moderate, a published comment with a response, and a published entry
    linked to it with an update."""
    moderator = users["moderator"]
    urgent = _submission(URGENT_TEXT, hours_ago=3.5)
    ContactDetails.objects.create(
        submission=urgent, name="Sam Example", phone="07700 900123",
        preferred_contact_method="phone", may_contact_if_worried=True,
    )  # fmt: skip
    workflow.assign(urgent, moderator, by=moderator)
    reviewed = _submission("He threatened to hurt me on the ward", hours_ago=30)
    workflow.record_outcome(reviewed, SafeguardingOutcome.SIGNPOSTED,
                            "Gave crisis numbers by phone", by=moderator)  # fmt: skip
    plain = _submission("Nurse Joy Smith never rang back, email me at sam@example.org",
                        hours_ago=2)  # fmt: skip
    published = _submission("No interpreter was booked for my mum", hours_ago=50)
    workflow.save_moderation(
        published, themes=["Equality, diversity and racism"], sentiment="negative",
        public_what_was_good="", public_what_could_be_better="No interpreter was booked",
        decision=ModerationStatus.PUBLISHED, by=moderator,
    )  # fmt: skip
    workflow.save_response(published, "We now book interpreters with every referral.",
                           by=moderator)  # fmt: skip
    entry = YouSaidWeDid.objects.create(
        title="Interpreters at appointments", themes=["Equality, diversity and racism"],
        what_people_said="Interpreters were not booked.", what_we_did="Reception books them.",
        status="in_progress", published=True, published_at=timezone.now(),
        created_by=users["pcref_lead"],
    )  # fmt: skip
    entry.comments.set([published])
    ProgressUpdate.objects.create(entry=entry, status="in_progress",
                                  text="Booked for 80% of appointments in October.")
    return {"urgent": urgent, "plain": plain, "published": published, "entry": entry}


PAGES = [
    ("queue", lambda d: "/moderation/", "moderator"),
    ("review", lambda d: f"/moderation/safeguarding/{d['urgent'].reference}/", "moderator"),
    ("contact-details",
     lambda d: f"/moderation/safeguarding/{d['urgent'].reference}/contact-details/",
     "moderator"),
    ("feedback-list", lambda d: "/moderation/feedback/", "moderator"),
    ("moderate-urgent", lambda d: f"/moderation/feedback/{d['urgent'].reference}/", "moderator"),
    ("moderate-with-redactions",
     lambda d: f"/moderation/feedback/{d['plain'].reference}/", "moderator"),
    ("moderate-published",
     lambda d: f"/moderation/feedback/{d['published'].reference}/", "moderator"),
    ("respond", lambda d: f"/moderation/feedback/{d['published'].reference}/response/",
     "moderator"),
    ("entries", lambda d: "/moderation/you-said-we-did/", "pcref_lead"),
    ("entry-edit", lambda d: f"/moderation/you-said-we-did/{d['entry'].pk}/", "pcref_lead"),
    ("public-index", lambda d: "/you-said-we-did/", "anonymous"),
    ("public-entry", lambda d: f"/you-said-we-did/{d['entry'].pk}/", "anonymous"),
    ("public-comments", lambda d: "/you-said-we-did/comments/", "anonymous"),
]  # fmt: skip


@pytest.mark.parametrize(("path_for", "principal"), [p[1:] for p in PAGES],
                         ids=[p[0] for p in PAGES])  # fmt: skip
def test_moderation_page_is_accessible(
    path_for, principal, moderation_data, page, users, sign_in_as, check_accessibility, check_reflow
):
    if principal != "anonymous":
        sign_in_as(users[principal])
    response = page.goto(path_for(moderation_data))
    assert response.status == 200
    check_accessibility(page)
    check_reflow(page)


def test_urgent_queue_outcome_and_you_said_we_did(
    moderation_data, page, users, sign_in_as, check_accessibility, context
):
    urgent = moderation_data["urgent"]
    sign_in_as(users["moderator"])

    # The moderator opens the queue: the urgent item is first, with its wait and words.
    page.goto("/moderation/")
    check_accessibility(page)
    first_row = page.locator("table").first.locator("tbody tr").first
    expect(first_row).to_contain_text(urgent.reference)
    expect(first_row).to_contain_text("3 hours ago")
    expect(first_row.locator("mark").first).to_have_text("hit me")
    page.get_by_role("link", name=urgent.reference).click()

    # Recording an outcome without a note shows the error pattern.
    page.get_by_label("Signposted to support").check()
    page.get_by_role("button", name="Record outcome").click()
    expect(page).to_have_title(f"Error: Safeguarding review of {urgent.reference} – "
                               "Patient and Carer Race Equality Framework – NHS")
    check_accessibility(page)
    page.get_by_label("Referred to safeguarding").check()
    page.get_by_label("What was done and why").fill("Rang the ward manager; referral made.")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Outcome recorded")
    expect(page.locator("main")).to_contain_text("Nothing is waiting for a safeguarding review")

    # Now it can be published, with the suggested redactions checked by the moderator.
    page.goto(f"/moderation/feedback/{urgent.reference}/")
    public = page.get_by_label("What could be better (public version)")
    expect(public).to_have_value(
        "Staff on Dr [name removed]'s ward hit me and I want to die. "
        "Call [phone number removed]."
    )
    public.fill("Staff on the ward hurt me.")
    page.get_by_label("Publish the public version").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Published")

    # The PCREF lead links it to a new "you said, we did" entry and publishes it.
    context.clear_cookies()
    sign_in_as(users["pcref_lead"])
    page.goto("/moderation/you-said-we-did/")
    page.get_by_role("button", name="Add an entry").click()
    check_accessibility(page)
    page.get_by_label("Title").fill("Safety on the ward")
    page.get_by_label("You said", exact=True).fill("People did not feel safe on the ward at night.")
    page.get_by_label("We did", exact=True).fill("Two more staff on night shifts from January.")
    page.get_by_label(f"{urgent.reference}: Staff on the ward hurt me.").check()
    page.get_by_label("Planned", exact=True).check()
    page.get_by_label("Show this entry on the public 'You said, we did' page").check()
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Entry saved")
    page.get_by_label("Update", exact=True).fill("Recruitment started.")
    page.get_by_role("button", name="Add update").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Update added")

    # The public see the entry, the redacted comment and the update; no personal details.
    context.clear_cookies()
    page.goto("/you-said-we-did/")
    page.get_by_role("link", name="Safety on the ward").click()
    check_accessibility(page)
    main = page.locator("main")
    expect(main).to_contain_text("Two more staff on night shifts from January.")
    expect(main).to_contain_text("Staff on the ward hurt me.")
    expect(main).to_contain_text("Recruitment started.")
    for private in ("Patel", "07700", urgent.reference, "want to die"):
        expect(main).not_to_contain_text(private)
