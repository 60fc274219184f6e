"""Turning a finished form into committed records, screened for safeguarding risk.

Everything is written in one transaction before the thank-you page is sent, so a
"thank you" always means the feedback is on disk: if the server dies afterwards nothing is
lost, and if it dies before, the person sees an error rather than a false thank-you.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pcref.listening.safeguarding import CATEGORIES, screen
from pcref.web.feedback.answers import ETHNIC_CATEGORY_OF
from pcref.web.feedback.flows import Flow
from pcref.web.feedback.models import AboutYou, ContactDetails, Submission

ABOUT_YOU_FIELDS = (
    "ethnic_background",
    "sex",
    "gender_same_at_birth",
    "age_band",
    "disability",
    "religion",
    "sexual_orientation",
)
CONTACT_FIELDS = ("name", "email", "phone", "preferred_contact_method")


def safeguarding_categories(*texts: str) -> list[str]:
    """Categories the safeguarding screen finds in any of ``texts``, in its own order.
    Each answer is screened on its own so no rule matches across two answers."""
    found = {category for text in texts if text for category in screen(text).categories}
    return [category for category in CATEGORIES if category in found]


def record_submission(flow: Flow, answers: dict[str, Any]) -> Submission:
    """Write the submission and its optional parts; return it once committed."""
    good = answers.get("what_was_good", "")
    better = answers.get("what_could_be_better", "")
    categories = safeguarding_categories(good, better)
    about = {name: answers.get(name) or "" for name in ABOUT_YOU_FIELDS}
    contact = {name: answers.get(name) or "" for name in CONTACT_FIELDS}
    worried = answers.get("may_contact_if_worried") == "yes"
    with transaction.atomic():
        submission = Submission.objects.create(
            language=flow.language,
            form_version=flow.version,
            fft_answer=answers["fft_answer"],
            what_was_good=good,
            what_could_be_better=better,
            respondent_type=answers.get("respondent_type") or "",
            service=answers.get("service") or "",
            safeguarding_categories=categories,
            urgent=bool(categories),
        )
        if any(about.values()):
            AboutYou.objects.create(
                submission=submission,
                ethnic_category=ETHNIC_CATEGORY_OF.get(about["ethnic_background"], ""),
                **about,
            )
        if any(contact.values()) or worried:
            ContactDetails.objects.create(
                submission=submission, may_contact_if_worried=worried, **contact
            )
    return submission
