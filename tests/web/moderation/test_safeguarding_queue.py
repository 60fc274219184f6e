"""The safeguarding queue and review: what lands in it, its order, assigning, outcomes with
notes, contact details only when the person agreed, and the audit trail of every action."""

import re

import pytest
from django.urls import reverse

from pcref.listening.safeguarding import CATEGORIES, CATEGORY_LABELS, RULES
from pcref.web.core.models import AuditEvent
from pcref.web.moderation import workflow
from pcref.web.moderation.models import SafeguardingOutcome, TimelineEvent

WORRYING = "I want to end my life, nobody listens"


def _one_example_per_category() -> dict[str, str]:
    examples = {}
    for rule in RULES:
        examples.setdefault(rule.category, rule.examples[0])
    return examples


@pytest.mark.django_db
def test_a_phrase_for_every_category_lands_in_the_urgent_queue(make_submission, client_for):
    examples = _one_example_per_category()
    assert set(examples) == set(CATEGORIES)
    made = {category: make_submission(what_could_be_better=text)
            for category, text in examples.items()}
    waiting, _ = workflow.safeguarding_queue()
    assert {s.pk for s in waiting} == {s.pk for s in made.values()}
    page = client_for("moderator").get(reverse("moderation:queue")).content.decode()
    for category, submission in made.items():
        assert submission.reference in page
        assert CATEGORY_LABELS[category] in page


@pytest.mark.django_db
def test_waiting_items_come_oldest_first_and_reviewed_ones_move_down(make_submission, users):
    newest = make_submission(what_could_be_better=WORRYING, hours_ago=1)
    oldest = make_submission(what_could_be_better=WORRYING, hours_ago=30)
    middle = make_submission(what_could_be_better=WORRYING, hours_ago=5)
    make_submission(what_was_good="Kind staff, clean ward", hours_ago=50)  # not flagged
    waiting, reviewed = workflow.safeguarding_queue()
    assert list(waiting) == [oldest, middle, newest]
    assert list(reviewed) == []

    workflow.record_outcome(middle, SafeguardingOutcome.SIGNPOSTED, "Gave crisis numbers",
                            by=users["moderator"])
    waiting, reviewed = workflow.safeguarding_queue()
    assert list(waiting) == [oldest, newest]
    assert list(reviewed) == [middle]


@pytest.mark.django_db
def test_the_queue_page_shows_waiting_time_categories_and_marked_words(make_submission,
                                                                        client_for):
    make_submission(what_could_be_better="He <b>hit me</b> and I want to die", hours_ago=3.2)
    html = client_for("moderator").get(reverse("moderation:queue")).content.decode()
    assert "3 hours ago" in html
    assert "Overdue" not in html
    make_submission(what_could_be_better="I want to die", hours_ago=25)
    html = client_for("moderator").get(reverse("moderation:queue")).content.decode()
    assert "1 day ago" in html
    assert len(re.findall(r'nhsuk-tag--red">\s*Overdue\s*<', html)) == 1
    assert "Suicide" in html and "Violence" in html
    assert "<mark>want to die</mark>" in html
    assert "<b>hit" not in html  # what the public typed is never markup


@pytest.mark.django_db
def test_the_review_page_marks_matched_words_inside_escaped_text(make_submission, client_for):
    submission = make_submission(what_could_be_better="<script>x</script> I want to die")
    html = client_for("moderator").get(
        reverse("moderation:review", kwargs={"reference": submission.reference})
    ).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; I <mark>want to die</mark>" in html
    assert "<script>x</script>" not in html


@pytest.mark.django_db
def test_items_not_in_the_queue_have_no_review_page(make_submission, client_for):
    calm = make_submission(what_was_good="All good")
    response = client_for("moderator").get(
        reverse("moderation:review", kwargs={"reference": calm.reference})
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_outcome_workflow_leaves_a_timeline_and_audit_trail(make_submission, client_for, users):
    submission = make_submission(what_could_be_better=WORRYING)
    url = reverse("moderation:review", kwargs={"reference": submission.reference})
    client = client_for("moderator")
    colleague = users["no_role"]
    from pcref.web.accounts.roles import assign_roles

    assign_roles(colleague, ["moderator"])

    client.get(url)
    response = client.post(url, {"action": "assign", "assignee": str(users["moderator"].pk)})
    assert response.status_code == 302
    client.post(url, {"action": "assign", "assignee": str(colleague.pk)})

    # The outcome needs a note and a known outcome; the page says what is missing.
    response = client.post(url, {"action": "outcome", "outcome": "signposted", "note": " "})
    assert "Enter what was done and why" in response.content.decode()
    response = client.post(url, {"action": "outcome", "outcome": "shrug", "note": "x"})
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url, {"action": "outcome", "outcome": "referred_to_safeguarding",
                                 "note": "Referred to the adult safeguarding team by phone"})
    assert response.status_code == 302

    review = workflow.review_of(type(submission).objects.get(pk=submission.pk))
    assert review.outcome == "referred_to_safeguarding"
    assert review.outcome_note == "Referred to the adult safeguarding team by phone"
    assert review.outcome_recorded_by == users["moderator"]
    assert review.assignee == colleague

    timeline = [(e.actor_username, e.action, e.detail)
                for e in TimelineEvent.objects.filter(submission=submission)]
    assert timeline == [
        ("moderator", "assigned", "Assigned to moderator"),
        ("moderator", "assigned", "Assigned to no_role"),
        ("moderator", "outcome_recorded", "Referred to safeguarding"),
    ]
    audit = [(e.actor_username, e.action, e.detail)
             for e in AuditEvent.objects.filter(object_id=str(submission.pk)).order_by("id")]
    assert audit == [
        ("moderator", "feedback_read", {"page": "safeguarding review"}),
        ("moderator", "safeguarding_assigned", {"assignee": "moderator"}),
        ("moderator", "safeguarding_assigned", {"assignee": "no_role"}),
        ("moderator", "safeguarding_outcome", {"outcome": "referred_to_safeguarding"}),
    ]
    page = client.get(url).content.decode()
    assert "Referred to safeguarding" in page and "Assigned to no_role" in page


@pytest.mark.django_db
def test_only_moderators_can_be_assigned(make_submission, client_for, users):
    submission = make_submission(what_could_be_better=WORRYING)
    url = reverse("moderation:review", kwargs={"reference": submission.reference})
    response = client_for("moderator").post(
        url, {"action": "assign", "assignee": str(users["analyst"].pk)}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert workflow.review_of(submission) is None


def _contact(submission, *, may_contact: bool):
    from pcref.web.feedback.models import ContactDetails

    return ContactDetails.objects.create(
        submission=submission, name="Sam Example", email="sam@example.org",
        phone="07700 900123", preferred_contact_method="phone",
        may_contact_if_worried=may_contact,
    )


@pytest.mark.django_db
def test_contact_details_are_shown_only_when_the_person_agreed_and_viewing_is_audited(
    make_submission, client_for
):
    agreed = make_submission(what_could_be_better=WORRYING)
    _contact(agreed, may_contact=True)
    declined = make_submission(what_could_be_better=WORRYING)
    _contact(declined, may_contact=False)
    not_urgent = make_submission(what_was_good="Lovely staff")
    _contact(not_urgent, may_contact=True)
    client = client_for("moderator")

    def details(submission):
        return client.get(reverse("moderation:contact_details",
                                  kwargs={"reference": submission.reference}))

    assert details(declined).status_code == 404
    assert details(not_urgent).status_code == 404
    assert not AuditEvent.objects.filter(action="contact_details_viewed").exists()

    response = details(agreed)
    assert response.status_code == 200
    assert "07700 900123" in response.content.decode()
    event = AuditEvent.objects.get(action="contact_details_viewed")
    assert event.actor_username == "moderator" and event.object_id == str(agreed.pk)
    assert TimelineEvent.objects.filter(submission=agreed,
                                        action="contact_details_viewed").count() == 1

    # The details are never on the review or moderation pages themselves.
    for name in ("moderation:review", "moderation:moderate"):
        page = client.get(reverse(name, kwargs={"reference": agreed.reference})).content.decode()
        assert "07700 900123" not in page and "sam@example.org" not in page


@pytest.mark.django_db
def test_demo_feedback_fills_the_queue_once(settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from pcref.web.feedback.models import Submission
    from pcref.web.moderation.management.commands.create_demo_feedback import DEMO_FEEDBACK

    settings.PCREF_ALLOW_DEMO_USERS = False
    with pytest.raises(CommandError, match="switched off"):
        call_command("create_demo_feedback")
    settings.PCREF_ALLOW_DEMO_USERS = True
    call_command("create_demo_feedback", stdout=StringIO())
    call_command("create_demo_feedback", stdout=StringIO())
    assert Submission.objects.count() == len(DEMO_FEEDBACK)
    waiting, _ = workflow.safeguarding_queue()
    # The three written to disclose risk (violence, suicide, a child left alone) are
    # flagged, oldest first; racism, waits and praise are moderated but not urgent.
    assert [s.what_could_be_better[:20] for s in waiting] == [
        "On the ward at night", "Some days I want to ", "My son is 15 and is ",
    ]
