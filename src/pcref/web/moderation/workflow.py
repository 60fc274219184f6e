"""The moderation workflow's rules, in one place so views stay thin and tests can call them.

Every action writes the item's own timeline (:class:`TimelineEvent`) and the service-wide
audit log (:func:`pcref.web.core.audit.record`). The rules that matter most for safety:

* an item that needs a safeguarding review (the screen flagged it, or a moderator sent
  it) cannot be published until its review has an outcome;
* nothing is ever published except by a person choosing to publish it;
* an outcome needs a note saying what was done and why.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from pcref.web.core.audit import AuditAction, record
from pcref.web.moderation.models import (
    Moderation,
    ModerationStatus,
    PublicResponse,
    SafeguardingOutcome,
    SafeguardingReview,
    TimelineAction,
    TimelineEvent,
)

#: How soon an item in the safeguarding queue should be reviewed; older waiting items are
#: marked overdue. Care Opinion's moderators scan their queue for risk daily
#: (notes/feedback-ui.md §5.1); a trust with its own standard changes this.
REVIEW_WITHIN = timedelta(hours=24)


class NotAllowed(Exception):
    """An action the workflow's rules forbid; the message says why, for the page."""


def submission_model():
    """``feedback.Submission``, looked up when needed so this module imports without it."""
    from django.apps import apps

    return apps.get_model("feedback", "Submission")


def needs_review_filter() -> Q:
    """Submissions that need a safeguarding review: flagged by the screen at submission,
    or sent for review by a moderator."""
    return Q(urgent=True) | Q(safeguarding_review__raised_by_moderator=True)


def safeguarding_queue() -> tuple[QuerySet, QuerySet]:
    """(waiting, reviewed): items needing review with no outcome yet, oldest first (the
    longest wait is the most pressing), and those with an outcome, latest outcome first."""
    Submission = submission_model()
    flagged = Submission.objects.filter(needs_review_filter()).select_related(
        "safeguarding_review__assignee"
    )
    waiting = flagged.filter(
        Q(safeguarding_review__isnull=True) | Q(safeguarding_review__outcome="")
    ).order_by("received_at", "pk")
    reviewed = flagged.exclude(
        Q(safeguarding_review__isnull=True) | Q(safeguarding_review__outcome="")
    ).order_by("-safeguarding_review__outcome_recorded_at", "-pk")
    return waiting, reviewed


def needs_review(submission: Any) -> bool:
    review = review_of(submission)
    return bool(submission.urgent) or (review is not None and review.raised_by_moderator)


def review_of(submission: Any) -> SafeguardingReview | None:
    try:
        return submission.safeguarding_review
    except SafeguardingReview.DoesNotExist:
        return None


def review_pending(submission: Any) -> bool:
    """Whether a safeguarding review is needed and has no outcome yet."""
    review = review_of(submission)
    return needs_review(submission) and (review is None or not review.outcome)


def moderation_of(submission: Any) -> Moderation:
    """The moderation record of ``submission`` (unsaved and empty if there is none yet)."""
    try:
        return submission.moderation
    except Moderation.DoesNotExist:
        return Moderation(submission=submission)


def _log(submission: Any, user: Any, action: str, detail: str = "") -> None:
    TimelineEvent.objects.create(
        submission=submission,
        actor=user,
        actor_username=user.get_username(),
        action=action,
        detail=detail[:255],
    )


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username() if user is not None else "nobody"


def record_read(request: Any, submission: Any, *, page: str) -> None:
    """Audit that a member of staff read a submission (DESIGN §10: access to feedback)."""
    record(AuditAction.FEEDBACK_READ, request=request, obj=submission, detail={"page": page})


@transaction.atomic
def assign(submission: Any, assignee: Any, *, by: Any) -> SafeguardingReview:
    """Give the review of ``submission`` to ``assignee`` (``None`` to unassign)."""
    if not needs_review(submission):
        raise NotAllowed("This feedback is not in the safeguarding queue")
    review, _ = SafeguardingReview.objects.get_or_create(submission=submission)
    review.assignee = assignee
    review.save(update_fields=["assignee"])
    if assignee is None:
        _log(submission, by, TimelineAction.UNASSIGNED)
    else:
        _log(submission, by, TimelineAction.ASSIGNED, f"Assigned to {_person(assignee)}")
    record(
        AuditAction.SAFEGUARDING_ASSIGNED,
        actor=by,
        obj=submission,
        detail={"assignee": assignee.get_username() if assignee else None},
    )
    return review


@transaction.atomic
def send_for_review(submission: Any, *, by: Any) -> SafeguardingReview:
    """A moderator puts an item the rules did not flag into the safeguarding queue: the
    rules are never the only gate. Its outcome must then be recorded before publishing."""
    if review_pending(submission):
        raise NotAllowed("This feedback is already waiting for a safeguarding review")
    review, _ = SafeguardingReview.objects.get_or_create(submission=submission)
    review.raised_by_moderator = True
    review.outcome = ""
    review.outcome_note = ""
    review.outcome_recorded_at = None
    review.outcome_recorded_by = None
    review.save()
    moderation = moderation_of(submission)
    if moderation.pk and moderation.is_published:
        moderation.status = ModerationStatus.TO_MODERATE
        moderation.published_at = None
        moderation.save(update_fields=["status", "published_at"])
        detail = "Taken down from the public pages until reviewed"
    else:
        detail = ""
    _log(submission, by, TimelineAction.SENT_FOR_REVIEW, detail)
    record(AuditAction.SAFEGUARDING_REQUESTED, actor=by, obj=submission)
    return review


@transaction.atomic
def record_outcome(submission: Any, outcome: str, note: str, *, by: Any) -> SafeguardingReview:
    """Record what was done about a safeguarding concern, with a note saying why."""
    if not needs_review(submission):
        raise NotAllowed("This feedback is not in the safeguarding queue")
    if outcome not in SafeguardingOutcome.values:
        raise NotAllowed(f"Unknown outcome {outcome!r}")
    if not note.strip():
        raise NotAllowed("Enter a note saying what was done and why")
    review, _ = SafeguardingReview.objects.get_or_create(submission=submission)
    review.outcome = outcome
    review.outcome_note = note.strip()
    review.outcome_recorded_at = timezone.now()
    review.outcome_recorded_by = by
    if review.assignee is None:
        review.assignee = by
    review.save()
    label = SafeguardingOutcome(outcome).label
    _log(submission, by, TimelineAction.OUTCOME_RECORDED, label)
    record(AuditAction.SAFEGUARDING_OUTCOME, actor=by, obj=submission, detail={"outcome": outcome})
    return review


def contact_details_of(submission: Any) -> Any:
    """The submission's contact details, or ``None`` when the person left none."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return submission.contact_details
    except ObjectDoesNotExist:
        return None


def may_see_contact_details(submission: Any) -> bool:
    """Contact details are shown only for a safeguarding review, and only when the person
    said we may contact them if we are worried about their safety."""
    contact = contact_details_of(submission)
    return needs_review(submission) and contact is not None and contact.may_contact_if_worried


def view_contact_details(request: Any, submission: Any) -> Any:
    """The contact details of ``submission`` for its safeguarding review, audited."""
    if not may_see_contact_details(submission):
        raise NotAllowed("Contact details are not available for this feedback")
    _log(submission, request.user, TimelineAction.CONTACT_DETAILS_VIEWED)
    record(AuditAction.CONTACT_DETAILS_VIEWED, request=request, obj=submission)
    return contact_details_of(submission)


@transaction.atomic
def save_moderation(
    submission: Any,
    *,
    themes: list[str],
    sentiment: str,
    public_what_was_good: str,
    public_what_could_be_better: str,
    decision: str,
    by: Any,
) -> Moderation:
    """Save a moderator's themes, sentiment and public text, and their decision:
    publish, keep private, or leave to moderate later."""
    moderation = moderation_of(submission)
    was_published = moderation.pk is not None and moderation.is_published
    if decision == ModerationStatus.PUBLISHED:
        _check_publishable(submission, public_what_was_good, public_what_could_be_better)
    elif decision not in ModerationStatus.values:
        raise NotAllowed(f"Unknown decision {decision!r}")
    moderation.themes = list(themes)
    moderation.sentiment = sentiment
    moderation.public_what_was_good = public_what_was_good.strip()
    moderation.public_what_could_be_better = public_what_could_be_better.strip()
    moderation.status = decision
    moderation.moderated_by = by
    moderation.moderated_at = timezone.now()
    if decision == ModerationStatus.PUBLISHED and not was_published:
        moderation.published_at = moderation.moderated_at
    elif decision != ModerationStatus.PUBLISHED:
        moderation.published_at = None
    moderation.save()
    _log(submission, by, TimelineAction.MODERATED, _summary(themes, sentiment))
    record(AuditAction.FEEDBACK_MODERATED, actor=by, obj=submission)
    if decision == ModerationStatus.PUBLISHED:
        _log(submission, by, TimelineAction.PUBLISHED)
        record(AuditAction.FEEDBACK_PUBLISHED, actor=by, obj=submission)
    elif decision == ModerationStatus.PRIVATE:
        _log(submission, by, TimelineAction.KEPT_PRIVATE)
        record(AuditAction.FEEDBACK_KEPT_PRIVATE, actor=by, obj=submission)
    return moderation


def _summary(themes: list[str], sentiment: str) -> str:
    parts = []
    if themes:
        parts.append("Themes: " + ", ".join(themes))
    if sentiment:
        parts.append("Sentiment: " + sentiment)
    return "; ".join(parts)


def _check_publishable(submission: Any, what_was_good: str, what_could_be_better: str) -> None:
    if review_pending(submission):
        raise NotAllowed(
            "This feedback cannot be published until its safeguarding review has an outcome"
        )
    if not (what_was_good.strip() or what_could_be_better.strip()):
        raise NotAllowed("There is no public text to publish")


@transaction.atomic
def save_response(submission: Any, text: str, *, by: Any) -> PublicResponse:
    """Save the trust's public response to a published comment."""
    moderation = moderation_of(submission)
    if not (moderation.pk and moderation.is_published):
        raise NotAllowed("Only published feedback can have a public response")
    if not text.strip():
        raise NotAllowed("Enter the response")
    response, _ = PublicResponse.objects.update_or_create(
        submission=submission, defaults={"text": text.strip(), "written_by": by}
    )
    _log(submission, by, TimelineAction.RESPONDED)
    record(AuditAction.FEEDBACK_RESPONSE_SAVED, actor=by, obj=submission)
    return response


def to_moderate() -> QuerySet:
    """Submissions nobody has yet published or kept private (new, or "decide later")."""
    return submission_model().objects.exclude(
        moderation__status__in=[ModerationStatus.PUBLISHED, ModerationStatus.PRIVATE]
    )


def published_comments() -> QuerySet:
    """Published submissions, newest first, with what the public pages show."""
    return (
        submission_model()
        .objects.filter(moderation__status=ModerationStatus.PUBLISHED)
        .select_related("moderation", "public_response")
        .order_by("-moderation__published_at", "-pk")
    )
