"""Retention rules for feedback and what moderation adds to it (``pcref retention``).

* Comments: the free text is blanked once the submission's ``retain_until`` date has
  passed (``PCREF_FEEDBACK_RETENTION_DAYS`` after it arrived). The rest (FFT answer,
  respondent type, team, language, when it arrived, safeguarding categories) carries no
  words of the person's and stays for the figures.
* The public (redacted) version goes with it, the comment is no longer published, and
  its public response is deleted.
* Contact details are deleted ``PCREF_RETENTION_CONTACT_DETAILS_DAYS`` after the
  feedback arrived, or with the comment if that comes first: they exist only to follow
  up a concern.
* About-you answers are deleted ``PCREF_RETENTION_ABOUT_YOU_DAYS`` after the feedback
  arrived, or with the comment if that comes first.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from pcref.web.core.retention import (
    RetentionRule,
    anonymise,
    days_before,
    delete_rows,
    register,
)
from pcref.web.moderation.models import Moderation, ModerationStatus, PublicResponse


def _today(now: datetime):
    return timezone.localdate(now)


def _comments_due(now: datetime) -> QuerySet:
    Submission = apps.get_model("feedback", "Submission")
    return Submission.objects.filter(retain_until__lt=_today(now)).exclude(
        what_was_good="", what_could_be_better=""
    )


def _public_versions_due(now: datetime) -> QuerySet:
    return Moderation.objects.filter(submission__retain_until__lt=_today(now)).exclude(
        public_what_was_good="", public_what_could_be_better="", status=ModerationStatus.PRIVATE
    )


def _responses_due(now: datetime) -> QuerySet:
    return PublicResponse.objects.filter(submission__retain_until__lt=_today(now))


def _contact_details_due(now: datetime) -> QuerySet:
    ContactDetails = apps.get_model("feedback", "ContactDetails")
    cutoff = days_before(now, settings.PCREF_RETENTION_CONTACT_DETAILS_DAYS)
    return ContactDetails.objects.filter(
        Q(submission__received_at__lt=cutoff) | Q(submission__retain_until__lt=_today(now))
    )


def _about_you_due(now: datetime) -> QuerySet:
    AboutYou = apps.get_model("feedback", "AboutYou")
    cutoff = days_before(now, settings.PCREF_RETENTION_ABOUT_YOU_DAYS)
    return AboutYou.objects.filter(
        Q(submission__received_at__lt=cutoff) | Q(submission__retain_until__lt=_today(now))
    )


def _comment_period() -> str:
    return f"{settings.PCREF_FEEDBACK_RETENTION_DAYS} days after it arrived (retain_until)"


def _days_or_comment(setting: str) -> str:
    return f"{getattr(settings, setting)} days after the feedback arrived, or with the comment"


register(
    RetentionRule(
        name="Feedback comments",
        table="feedback.Submission",
        action="anonymised",
        period=_comment_period,
        due=_comments_due,
        apply=anonymise(what_was_good="", what_could_be_better=""),
    )
)
register(
    RetentionRule(
        name="Public versions of comments",
        table="moderation.Moderation",
        action="anonymised",
        period=lambda: "with the comment",
        due=_public_versions_due,
        apply=anonymise(
            public_what_was_good="",
            public_what_could_be_better="",
            status=ModerationStatus.PRIVATE,
            published_at=None,
        ),
    )
)
register(
    RetentionRule(
        name="Public responses to comments",
        table="moderation.PublicResponse",
        action="deleted",
        period=lambda: "with the comment",
        due=_responses_due,
        apply=delete_rows,
    )
)
register(
    RetentionRule(
        name="Contact details",
        table="feedback.ContactDetails",
        action="deleted",
        period=lambda: _days_or_comment("PCREF_RETENTION_CONTACT_DETAILS_DAYS"),
        due=_contact_details_due,
        apply=delete_rows,
    )
)
register(
    RetentionRule(
        name="About-you answers",
        table="feedback.AboutYou",
        action="deleted",
        period=lambda: _days_or_comment("PCREF_RETENTION_ABOUT_YOU_DAYS"),
        due=_about_you_due,
        apply=delete_rows,
    )
)
