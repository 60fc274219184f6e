"""Fixtures for the moderation tests: feedback submissions as the public form stores them
(screened by the real safeguarding screen), at chosen times in the past."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pcref.listening.safeguarding import screen


@pytest.fixture
def make_submission(db):
    """``make_submission(what_could_be_better="...", hours_ago=3, **fields)``: a stored
    submission screened the way the form screens it, received ``hours_ago`` hours ago."""
    from pcref.web.feedback.models import Submission

    def make(
        what_was_good: str = "",
        what_could_be_better: str = "",
        *,
        hours_ago: float = 1,
        **fields,
    ):
        screening = screen(f"{what_was_good}\n{what_could_be_better}")
        values = {
            "language": "en",
            "form_version": "standard",
            "fft_answer": 4,
            "respondent_type": "patient",
            "safeguarding_categories": list(screening.categories),
            "urgent": screening.urgent,
            **fields,
        }
        return Submission.objects.create(
            what_was_good=what_was_good,
            what_could_be_better=what_could_be_better,
            received_at=timezone.now() - timedelta(hours=hours_ago),
            **values,
        )

    return make
