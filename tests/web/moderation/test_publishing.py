"""Publishing: nothing is public until a moderator publishes it; flagged items never
before their safeguarding review has an outcome; the public sees only the redacted text;
responses only on published comments."""

import pytest
from django.urls import reverse

from pcref.web.core.models import AuditEvent
from pcref.web.moderation import workflow
from pcref.web.moderation.models import Moderation, SafeguardingOutcome

WORRYING = "Dr Patel hit me and I want to die"


def _moderate(client, submission, **fields):
    data = {
        "action": "save",
        "sentiment": "negative",
        "public_what_was_good": submission.what_was_good,
        "public_what_could_be_better": submission.what_could_be_better,
        "decision": "published",
        **fields,
    }
    return client.post(
        reverse("moderation:moderate", kwargs={"reference": submission.reference}), data
    )


def _public_comments(client) -> str:
    return client.get(reverse("you_said_we_did:comments")).content.decode()


@pytest.mark.django_db
def test_nothing_is_published_automatically(make_submission, client_for):
    make_submission(what_was_good="The ward was calm and staff were kind")
    make_submission(what_could_be_better=WORRYING)
    assert not Moderation.objects.exists()
    assert list(workflow.published_comments()) == []
    page = _public_comments(client_for("anonymous"))
    assert "No comments have been published yet" in page


@pytest.mark.django_db
def test_a_flagged_item_cannot_be_published_until_its_review_has_an_outcome(
    make_submission, client_for, users
):
    submission = make_submission(what_could_be_better=WORRYING)
    client = client_for("moderator")
    response = _moderate(client, submission, public_what_could_be_better="I was hurt")
    assert response.status_code == 200
    assert ("cannot be published until its safeguarding review has an outcome"
            in response.content.decode())
    assert list(workflow.published_comments()) == []
    with pytest.raises(workflow.NotAllowed):
        workflow.save_moderation(
            submission, themes=[], sentiment="", public_what_was_good="",
            public_what_could_be_better="I was hurt", decision="published",
            by=users["moderator"],
        )

    workflow.record_outcome(submission, SafeguardingOutcome.NO_ACTION,
                            "Historic, already reported to the ward manager",
                            by=users["moderator"])
    response = _moderate(client, submission, public_what_could_be_better="I was hurt")
    assert response.status_code == 302
    assert list(workflow.published_comments()) == [submission]


@pytest.mark.django_db
def test_a_moderator_can_send_an_unflagged_item_for_review_which_takes_it_down(
    make_submission, client_for
):
    submission = make_submission(what_could_be_better="Nobody came when I rang")
    assert not submission.urgent
    client = client_for("moderator")
    assert _moderate(client, submission).status_code == 302
    assert "Nobody came when I rang" in _public_comments(client_for("anonymous"))

    url = reverse("moderation:moderate", kwargs={"reference": submission.reference})
    response = client.post(url, {"action": "send_for_review"})
    assert response.status_code == 302
    assert "Nobody came when I rang" not in _public_comments(client_for("anonymous"))
    waiting, _ = workflow.safeguarding_queue()
    assert list(waiting) == [submission]
    response = _moderate(client, submission)
    assert "cannot be published until" in response.content.decode()


@pytest.mark.django_db
def test_redaction_keeps_the_original_and_publishes_only_the_public_version(
    make_submission, client_for
):
    original = "Nurse Joy Smith ignored me, ring me on 07700 900123"
    submission = make_submission(what_could_be_better=original)
    client = client_for("moderator")
    url = reverse("moderation:moderate", kwargs={"reference": submission.reference})

    page = client.get(url).content.decode()
    # The form starts with the suggestions applied and lists them for the moderator.
    assert "Nurse [name removed] ignored me, ring me on [phone number removed]" in page
    assert "“Joy Smith” becomes “[name removed]”" in page

    public = "A nurse ignored me"
    assert _moderate(client, submission, public_what_could_be_better=public).status_code == 302
    submission.refresh_from_db()
    assert submission.what_could_be_better == original
    assert submission.moderation.public_what_could_be_better == public
    shown = _public_comments(client_for("anonymous"))
    assert public in shown
    assert "Joy" not in shown and "07700" not in shown and submission.reference not in shown


@pytest.mark.django_db
def test_publishing_needs_some_public_text(make_submission, client_for):
    submission = make_submission(what_was_good="Fine")
    response = _moderate(client_for("moderator"), submission, public_what_was_good="")
    assert "There is no public text to publish" in response.content.decode()


@pytest.mark.django_db
def test_keep_private_and_themes_are_saved_and_audited(make_submission, client_for):
    submission = make_submission(what_could_be_better="The interpreter never came")
    client = client_for("moderator")
    response = _moderate(
        client, submission, decision="private",
        themes=["Equality, diversity and racism", "Appointment arrangements"],
    )
    assert response.status_code == 302
    moderation = Moderation.objects.get(submission=submission)
    assert moderation.status == "private"
    assert moderation.themes == ["Equality, diversity and racism", "Appointment arrangements"]
    assert moderation.sentiment == "negative"
    actions = list(AuditEvent.objects.filter(object_id=str(submission.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["feedback_moderated", "feedback_kept_private"]
    assert list(workflow.published_comments()) == []


@pytest.mark.django_db
def test_themes_and_sentiment_are_suggested_on_first_reading(make_submission, client_for):
    submission = make_submission(what_could_be_better="There was no interpreter, I felt racism")
    page = client_for("moderator").get(
        reverse("moderation:moderate", kwargs={"reference": submission.reference})
    ).content.decode()
    # The equality theme's keyword baseline finds "racism"; its box starts ticked.
    assert 'value="Equality, diversity and racism" checked' in page


@pytest.mark.django_db
def test_responses_only_on_published_comments_and_shown_publicly(make_submission, client_for):
    submission = make_submission(what_could_be_better="Letters came too late")
    client = client_for("moderator")
    url = reverse("moderation:respond", kwargs={"reference": submission.reference})
    assert client.get(url).status_code == 404
    _moderate(client, submission)
    assert client.post(url, {"text": ""}).status_code == 200
    assert client.post(url, {"text": "We now send letters two weeks ahead."}).status_code == 302
    assert "We now send letters two weeks ahead." in _public_comments(client_for("anonymous"))


@pytest.mark.django_db
def test_the_feedback_list_files_each_item_under_its_status(make_submission, client_for):
    later = make_submission(what_was_good="Decide later please")
    done = make_submission(what_was_good="Publish me")
    flagged = make_submission(what_could_be_better=WORRYING)
    client = client_for("moderator")
    _moderate(client, later, decision="to_moderate")
    _moderate(client, done)

    def listed(status: str) -> str:
        url = reverse("moderation:submissions") + f"?status={status}"
        return client.get(url).content.decode()

    to_moderate = listed("to_moderate")
    assert later.reference in to_moderate and flagged.reference in to_moderate
    assert done.reference not in to_moderate
    assert "Safeguarding review first" in to_moderate
    assert done.reference in listed("published")
    assert listed("private").count("Publish me") == 0
    assert later.reference in listed("nonsense")  # an unknown status shows the default list


@pytest.mark.django_db
def test_sentiment_is_suggested_and_the_saved_choice_wins(make_submission, client_for):
    submission = make_submission(what_could_be_better="Staff were rude and unhelpful, terrible")
    client = client_for("moderator")
    url = reverse("moderation:moderate", kwargs={"reference": submission.reference})
    assert 'value="negative" checked' in client.get(url).content.decode()
    _moderate(client, submission, sentiment="neutral", decision="to_moderate")
    page = client.get(url).content.decode()
    assert 'value="neutral" checked' in page and 'value="negative" checked' not in page
