"""What the public feedback form keeps: the comment, optional answers about the person,
optional contact details in a table of their own, and the list of teams to choose from.

Deliberately absent everywhere: IP addresses, user agents, cookies or any other
identifier of the device or connection a submission came from (DESIGN §10). Contact
details live apart from the comment so the comment can be read, themed and published
without them, and removed on their own.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from pcref.web.feedback.answers import (
    AGE_BANDS,
    DISABILITY,
    ETHNIC_BACKGROUNDS,
    GENDER_SAME_AT_BIRTH,
    RELIGION,
    SEX,
    SEXUAL_ORIENTATION,
    ContactMethod,
    FftAnswer,
    FormVersion,
    RespondentType,
)

#: Longest free-text answer accepted, in characters (about 500 words; Care Opinion's
#: stories run to about 1,000 words across several prompts).
COMMENT_MAX_LENGTH = 3000

#: Letters and digits that cannot be confused when read aloud or copied by hand
#: (no 0/O, 1/I/L, 5/S, 8/B, 2/Z, U/V).
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
REFERENCE_GROUPS = 3
REFERENCE_GROUP_LENGTH = 4


def new_reference() -> str:
    """A short public reference such as ``KT7W-C3RX-MH9A``: 12 characters from a
    23-letter alphabet (about 54 bits), so references cannot be guessed or counted."""
    letters = "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_GROUPS * REFERENCE_GROUP_LENGTH)
    )
    return "-".join(
        letters[i : i + REFERENCE_GROUP_LENGTH]
        for i in range(0, len(letters), REFERENCE_GROUP_LENGTH)
    )


def retain_until_for(received: date) -> date:
    """The day after which a submission is deleted or anonymised (``pcref retention``),
    ``PCREF_FEEDBACK_RETENTION_DAYS`` after it arrived."""
    return received + timedelta(days=settings.PCREF_FEEDBACK_RETENTION_DAYS)


class Team(models.Model):
    """A service or team people can give feedback about, from the trust's team list.

    Loaded with ``manage.py load_feedback_teams`` from the warehouse's ``team`` lookup
    (the same codes the results use), so feedback by team joins to the figures by team.
    Teams that leave the list are kept, marked inactive, so older feedback still names them.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    locality = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One piece of feedback, as sent, committed before the thank-you page is shown."""

    reference = models.CharField(max_length=16, unique=True, default=new_reference, editable=False)
    received_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    language = models.CharField(max_length=8, help_text="Language the form was shown in.")
    form_version = models.CharField(max_length=16, choices=FormVersion.choices)
    fft_answer = models.PositiveSmallIntegerField(choices=FftAnswer.choices)
    what_was_good = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    what_could_be_better = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    respondent_type = models.CharField(max_length=16, choices=RespondentType.choices, blank=True)
    service = models.CharField(
        max_length=32, blank=True, help_text="Team code from the team list, or blank."
    )
    safeguarding_categories = models.JSONField(
        default=list, blank=True, help_text="Categories the safeguarding screen found."
    )
    urgent = models.BooleanField(
        default=False, db_index=True, help_text="Needs a person to review it first."
    )
    retain_until = models.DateField(db_index=True)

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = (models.Index(fields=["urgent", "received_at"]),)

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        if self.retain_until is None:
            self.retain_until = retain_until_for(timezone.localdate(self.received_at))
        super().save(*args, **kwargs)


class AboutYou(models.Model):
    """Optional equality answers (GOV.UK questions, NHS Data Dictionary codes); a blank
    field means the question was not answered, "Prefer not to say" is stored as its code."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="about_you"
    )
    ethnic_background = models.CharField(
        max_length=40,
        blank=True,
        choices=[(value, label) for value, _code, label in ETHNIC_BACKGROUNDS],
        help_text="GOV.UK ethnic group answer.",
    )
    ethnic_category = models.CharField(
        max_length=2, blank=True, help_text="NHS Data Dictionary ETHNIC CATEGORY code."
    )
    sex = models.CharField(max_length=1, blank=True, choices=SEX)
    gender_same_at_birth = models.CharField(max_length=1, blank=True, choices=GENDER_SAME_AT_BIRTH)
    age_band = models.CharField(max_length=8, blank=True, choices=AGE_BANDS)
    disability = models.CharField(max_length=1, blank=True, choices=DISABILITY)
    religion = models.CharField(max_length=1, blank=True, choices=RELIGION)
    sexual_orientation = models.CharField(max_length=1, blank=True, choices=SEXUAL_ORIENTATION)

    class Meta:
        verbose_name_plural = "about you answers"

    def __str__(self) -> str:
        return f"About the sender of {self.submission.reference}"


class ContactDetails(models.Model):
    """Optional ways to reach the sender, kept apart from the comment."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="contact_details"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact_method = models.CharField(
        max_length=8, blank=True, choices=ContactMethod.choices
    )
    may_contact_if_worried = models.BooleanField(
        default=False, help_text="Yes to: can we contact you if we are worried about your safety?"
    )

    class Meta:
        verbose_name_plural = "contact details"

    def __str__(self) -> str:
        return f"Contact details for {self.submission.reference}"
