"""What moderators and the PCREF lead add to feedback: safeguarding reviews, moderation
decisions with the public (redacted) text, public responses, a per-item timeline, and
"you said, we did" entries with dated progress updates.

The submission itself (``feedback.Submission``) belongs to the feedback app and is never
changed here except by retention: the original text stays as written, and the public
version lives in :class:`Moderation`, so a redaction can always be checked against it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

TEXT_LIMIT = 4000
NOTE_LIMIT = 2000


class TimelineIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a timeline event once written."""


class SafeguardingOutcome(models.TextChoices):
    """What was done about a safeguarding concern (DESIGN §8; notes/feedback-ui.md §5.1)."""

    NO_ACTION = "no_action", "No action needed"
    SIGNPOSTED = "signposted", "Signposted to support"
    REFERRED = "referred_to_safeguarding", "Referred to safeguarding"
    INCIDENT = "incident_raised", "Incident raised"


class SafeguardingReview(models.Model):
    """A person's review of a submission the safeguarding screen flagged, or that a
    moderator sent for review. Made when someone first acts on the item."""

    submission = models.OneToOneField(
        "feedback.Submission", on_delete=models.CASCADE, related_name="safeguarding_review"
    )
    raised_by_moderator = models.BooleanField(
        default=False,
        help_text="A moderator sent it for review (the rules did not flag it).",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(max_length=32, choices=SafeguardingOutcome.choices, blank=True)
    outcome_note = models.TextField(max_length=NOTE_LIMIT, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Safeguarding review of {self.submission.reference}"


class ModerationStatus(models.TextChoices):
    TO_MODERATE = "to_moderate", "To moderate"
    PUBLISHED = "published", "Published"
    PRIVATE = "private", "Kept private"


class Sentiment(models.TextChoices):
    """Three-point sentiment, as NHS England's qualitative analysts advise
    (notes/feedback-ui.md §1.4)."""

    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral or mixed"
    NEGATIVE = "negative", "Negative"


class Moderation(models.Model):
    """A moderator's reading of one submission: themes, sentiment, the public (redacted)
    text and whether it is published. Nothing is public until a moderator publishes it."""

    submission = models.OneToOneField(
        "feedback.Submission", on_delete=models.CASCADE, related_name="moderation"
    )
    themes = models.JSONField(default=list, blank=True)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices, blank=True)
    public_what_was_good = models.TextField(max_length=TEXT_LIMIT, blank=True)
    public_what_could_be_better = models.TextField(max_length=TEXT_LIMIT, blank=True)
    status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.TO_MODERATE
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Moderation of {self.submission.reference}"

    @property
    def is_published(self) -> bool:
        return self.status == ModerationStatus.PUBLISHED


class PublicResponse(models.Model):
    """The trust's public reply to a published comment."""

    submission = models.OneToOneField(
        "feedback.Submission", on_delete=models.CASCADE, related_name="public_response"
    )
    text = models.TextField(max_length=TEXT_LIMIT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Response to {self.submission.reference}"


class TimelineAction(models.TextChoices):
    """Everything that can happen to a submission in moderation, in people's words."""

    ASSIGNED = "assigned", "Assigned"
    UNASSIGNED = "unassigned", "Unassigned"
    SENT_FOR_REVIEW = "sent_for_review", "Sent for safeguarding review"
    OUTCOME_RECORDED = "outcome_recorded", "Safeguarding outcome recorded"
    CONTACT_DETAILS_VIEWED = "contact_details_viewed", "Contact details viewed"
    MODERATED = "moderated", "Themes, sentiment or public text saved"
    PUBLISHED = "published", "Published"
    KEPT_PRIVATE = "kept_private", "Kept private"
    RESPONDED = "responded", "Public response saved"


class TimelineEvent(models.Model):
    """One thing a person did to one submission: the item's own audit trail, beside the
    service-wide audit log. Append-only, like the audit log; ``detail`` is written by the
    service (an outcome, a name), never copied from what the public typed."""

    submission = models.ForeignKey(
        "feedback.Submission", on_delete=models.CASCADE, related_name="timeline"
    )
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=TimelineAction.choices)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("occurred_at", "id")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TimelineIsAppendOnly(f"timeline event {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TimelineIsAppendOnly(f"timeline event {self.pk} cannot be deleted")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class YouSaidWeDid(models.Model):
    """One "you said, we did" entry: what people said (linked to published comments and
    their themes), what the trust did, and how far it has got."""

    title = models.CharField(max_length=150)
    themes = models.JSONField(default=list, blank=True)
    what_people_said = models.TextField(max_length=TEXT_LIMIT)
    what_we_did = models.TextField(max_length=TEXT_LIMIT)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    comments = models.ManyToManyField(
        "feedback.Submission", blank=True, related_name="you_said_we_did"
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "you said, we did entry"
        verbose_name_plural = "you said, we did entries"

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    """A dated update on a "you said, we did" entry, shown publicly in date order."""

    entry = models.ForeignKey(YouSaidWeDid, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=16, choices=ActionStatus.choices)
    text = models.TextField(max_length=NOTE_LIMIT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("on", "id")

    def __str__(self) -> str:
        return f"{self.entry.title}: update of {self.on}"
