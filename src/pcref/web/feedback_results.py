"""The body of ``pcref feedback results``: feedback submissions as a results run.

Reads the feedback app's submissions (``pcref.web.feedback``) received in one financial year
— the FFT answer, who gave feedback, the service, the ethnic category from the optional
"about you" answers and the themes a moderator confirmed (``pcref.web.moderation``) — and
hands them, one row per submission and without any text, to
:func:`pcref.listening.experience.experience_run`, which writes a results folder like
``pcref compute`` does (results.parquet, public/results.parquet, run.json).

Services are shown by the team's name from the feedback app's team list (the warehouse's
own codes and names), or by the code when it is not on the list. Comments not yet themed by
a moderator count towards the FFT figures but not towards theme shares.

Exit codes: 0 written; 2 the database cannot be read or the period is not valid.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pcref.web.command import EXIT_CANNOT, EXIT_OK, set_up_django, unapplied_migrations


def submission_responses(start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per submission received from ``start`` to ``end`` (inclusive), in the layout
    :func:`pcref.listening.experience.experience_results` reads."""
    from django.utils import timezone

    from pcref.web.feedback.models import Submission, Team
    from pcref.web.moderation.models import Moderation

    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    names = dict(Team.objects.values_list("code", "name"))
    submissions = Submission.objects.filter(
        received_at__gte=midnight(start), received_at__lt=midnight(end + dt.timedelta(days=1))
    ).values_list("id", "fft_answer", "respondent_type", "service", "about_you__ethnic_category")
    themes = dict(
        Moderation.objects.filter(moderated_at__isnull=False).values_list("submission_id",
                                                                          "themes")
    )
    rows = [
        {
            "fft_answer": fft,
            "respondent_type": kind,
            "service": names.get(service, service),
            "ethnic_category": ethnic or "",
            "themes": list(themes[pk]) if pk in themes else None,
        }
        for pk, fft, kind, service, ethnic in submissions
    ]
    return pd.DataFrame(rows, columns=["fft_answer", "respondent_type", "service",
                                       "ethnic_category", "themes"])


def run_feedback_results(out: Path, period_label: str, echo) -> int:
    """Write the experience results run for ``period_label`` to ``out``."""
    from django.db import DatabaseError

    from pcref.listening.experience import ExperienceDataError, experience_run
    from pcref.metrics.engine import write
    from pcref.metrics.periods import parse_period

    try:
        period = parse_period(period_label)
    except ValueError as error:
        echo(f"error: {error}", err=True)
        return EXIT_CANNOT
    settings_module = set_up_django()
    try:
        pending = unapplied_migrations()
        if pending:
            echo(f"error: the app database ({settings_module}) is not up to date: "
                 f"{len(pending)} migration(s) to apply; run `uv run python manage.py migrate`",
                 err=True)
            return EXIT_CANNOT
        responses = submission_responses(period.start, period.end)
    except DatabaseError as error:
        echo(f"error: cannot read the app database ({settings_module}): {error}", err=True)
        return EXIT_CANNOT
    try:
        run = experience_run(responses, period=period,
                             source=f"feedback submissions received {period.start} to "
                             f"{period.end} ({settings_module})")
    except ExperienceDataError as error:
        echo(f"error: {error}", err=True)
        return EXIT_CANNOT
    write(run, out)
    counts = run.record["input"]
    echo(f"wrote run {run.run_id} to {out}: {counts['responses']} submissions in {period.label} "
         f"({counts['fft_answered_1_to_5']} FFT answers 1-5, {counts['themed_comments']} themed "
         f"comments); {run.record['rows']['internal']} internal and "
         f"{run.record['rows']['public']} public rows")
    return EXIT_OK
