"""``manage.py create_demo_feedback``: synthetic feedback for the demonstration, so the
safeguarding queue, moderation and "you said, we did" pages have something to show.

The comments are written for the demo (no real person's words), screened by the real
safeguarding screen as the form does, and spread over the last few days so the queue's
order and waiting times show. Run again, it adds nothing (it checks for its own marker
comments). Refused unless ``PCREF_ALLOW_DEMO_USERS`` is on, like ``create_demo_users``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pcref.listening.safeguarding import screen

#: (hours ago, FFT answer, respondent type, what was good, what could be better).
DEMO_FEEDBACK: tuple[tuple[float, int, str, str, str], ...] = (
    (70, 4, "patient", "", "I waited eleven weeks for a first appointment and nobody rang."),
    (52, 5, "patient", "",
     "On the ward at night I felt unsafe. A man hit me and staff said to ignore it."),
    (30, 2, "carer", "The crisis team came quickly.",
     "No interpreter was booked for my mother, so I had to translate about her medication."),
    (26, 5, "patient", "", "Some days I want to end my life and I don't know who to call."),
    (20, 1, "patient", "Nurse Joy Smith listened and explained everything. Thank you.", ""),
    (9, 3, "advocate", "Staff were friendly.",
     "People from our community say they are treated as dangerous because they are Black."),
    (5, 4, "carer", "",
     "My son is 15 and is left alone at home when I am admitted. Call me on 07700 900456."),
    (2, 2, "staff", "Good team support.", "The food on the ward is cold by the time it comes."),
)


class Command(BaseCommand):
    help = "Add synthetic feedback for the demonstration (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PCREF_ALLOW_DEMO_USERS:
            raise CommandError(
                "demo data is switched off for these settings "
                "(set PCREF_ALLOW_DEMO_USERS=true only for a demonstration)"
            )
        from pcref.web.feedback.models import Submission

        now = timezone.now()
        made = 0
        with transaction.atomic():
            for hours, fft, respondent, good, better in DEMO_FEEDBACK:
                if Submission.objects.filter(what_was_good=good,
                                             what_could_be_better=better).exists():
                    continue
                screening = screen(f"{good}\n{better}")
                Submission.objects.create(
                    received_at=now - timedelta(hours=hours), language="en",
                    form_version="standard", fft_answer=fft, respondent_type=respondent,
                    what_was_good=good, what_could_be_better=better,
                    safeguarding_categories=list(screening.categories),
                    urgent=screening.urgent,
                )  # fmt: skip
                made += 1
        self.stdout.write(f"Added {made} demonstration feedback submission(s).")
