"""'You said, we did': the PCREF lead writes entries linked to published comments and
adds dated progress updates; the public page shows published entries only, with only the
public text of published comments."""

import pytest
from django.urls import reverse
from django.utils import timezone

from pcref.web.core.models import AuditEvent
from pcref.web.moderation import workflow
from pcref.web.moderation.models import ModerationStatus, ProgressUpdate, YouSaidWeDid


def _publish(submission, by, public_text):
    return workflow.save_moderation(
        submission, themes=[], sentiment="negative", public_what_was_good="",
        public_what_could_be_better=public_text, decision=ModerationStatus.PUBLISHED, by=by,
    )


def _entry_data(**fields):
    return {
        "action": "save",
        "title": "Interpreters at appointments",
        "what_people_said": "Interpreters were not booked, so appointments were wasted.",
        "what_we_did": "Reception now books an interpreter when the referral asks for one.",
        "status": "in_progress",
        "published": "yes",
        **fields,
    }


@pytest.mark.django_db
def test_the_lead_publishes_an_entry_linked_to_published_comments(
    make_submission, client_for, users
):
    published = make_submission(what_could_be_better="No interpreter, Dr Ali spoke fast")
    _publish(published, users["moderator"], "No interpreter and the doctor spoke fast")
    unpublished = make_submission(what_could_be_better="Secret thing")
    lead = client_for("pcref_lead")

    # Only published comments can be linked.
    response = lead.post(reverse("moderation:entry_new"),
                         _entry_data(comments=[unpublished.reference]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()

    response = lead.post(reverse("moderation:entry_new"),
                         _entry_data(comments=[published.reference]))
    assert response.status_code == 302
    entry = YouSaidWeDid.objects.get()
    assert entry.published and entry.published_at is not None
    assert list(entry.comments.all()) == [published]
    assert AuditEvent.objects.filter(action="you_said_we_did_saved").count() == 1

    public = client_for("anonymous")
    index = public.get(reverse("you_said_we_did:index")).content.decode()
    assert "Interpreters at appointments" in index
    page = public.get(reverse("you_said_we_did:entry", kwargs={"pk": entry.pk})).content.decode()
    assert "No interpreter and the doctor spoke fast" in page
    assert "Dr Ali" not in page and published.reference not in page


@pytest.mark.django_db
def test_progress_updates_are_dated_and_move_the_status(client_for):
    lead = client_for("pcref_lead")
    lead.post(reverse("moderation:entry_new"), _entry_data())
    entry = YouSaidWeDid.objects.get()
    url = reverse("moderation:entry_edit", kwargs={"pk": entry.pk})

    response = lead.post(url, {"action": "update", "status": "done", "text": ""})
    assert "Enter the update" in response.content.decode()
    response = lead.post(url, {"action": "update", "status": "done",
                               "text": "Interpreters booked for 96% of appointments in March."})
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.on == timezone.localdate() and update.status == "done"
    entry.refresh_from_db()
    assert entry.status == "done"
    page = client_for("anonymous").get(
        reverse("you_said_we_did:entry", kwargs={"pk": entry.pk})
    ).content.decode()
    assert "Interpreters booked for 96% of appointments in March." in page
    assert "Done" in page


@pytest.mark.django_db
def test_draft_entries_are_not_public(client_for):
    client_for("pcref_lead").post(reverse("moderation:entry_new"), _entry_data(published=""))
    entry = YouSaidWeDid.objects.get()
    assert not entry.published
    public = client_for("anonymous")
    assert "Interpreters" not in public.get(reverse("you_said_we_did:index")).content.decode()
    assert public.get(reverse("you_said_we_did:entry", kwargs={"pk": entry.pk})).status_code == 404


@pytest.mark.django_db
def test_comments_unpublished_later_disappear_from_the_entry(make_submission, client_for, users):
    submission = make_submission(what_could_be_better="Waited all day")
    _publish(submission, users["moderator"], "Waited all day")
    client_for("pcref_lead").post(reverse("moderation:entry_new"),
                                  _entry_data(comments=[submission.reference]))
    entry = YouSaidWeDid.objects.get()
    workflow.send_for_review(submission, by=users["moderator"])
    page = client_for("anonymous").get(
        reverse("you_said_we_did:entry", kwargs={"pk": entry.pk})
    ).content.decode()
    assert "Waited all day" not in page
