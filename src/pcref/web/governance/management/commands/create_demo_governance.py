"""``manage.py create_demo_governance``: a synthetic local PCREF plan and two
self-assessments for the demonstration, so the governance pages have something to show.

The actions are linked to the current results run's metrics where it has them (detentions
and restrictive interventions by ethnic group), so "did it work" has figures to read. Their
history is written by the same code as the pages, as the demo PCREF lead. Run again, it
adds nothing (it looks for its own first action). Refused unless ``PCREF_ALLOW_DEMO_USERS``
is on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pcref.web.dashboard.figures import current_run
from pcref.web.governance import history
from pcref.web.governance.choices import ASSESSMENT_ITEMS
from pcref.web.governance.models import (
    Action,
    AssessmentScore,
    Evidence,
    ProgressUpdate,
    SelfAssessment,
)

#: (title, priority area, competencies, metric, group, themes, owner, partners, start, due,
#: status, progress updates).
ACTIONS = (
    ("Culturally appropriate advocacy on every acute ward", "mha_detentions",
     ["co_production", "partnership_working"], "mha_detentions", "Black or Black British",
     ["Equality, diversity and racism"], "Chief Nurse (executive PCREF lead)",
     "Kent Black Mental Health Forum; Equity for All group", date(2024, 4, 1),
     date(2026, 3, 31), "on_track",
     ((date(2024, 7, 1), "Advocates in post on 3 of 6 acute wards."),
      (date(2025, 1, 15), "All six wards covered; ward rounds now offer an advocate."))),
    ("Review of restraint with families after every incident", "restrictive_practice",
     ["staff_knowledge", "cultural_awareness"], "ri_per_1000_bed_days",
     "Asian or Asian British", [], "Director of Nursing", "Triangle of Care carers' group",
     date(2024, 4, 1), date(2026, 9, 30), "at_risk",
     ((date(2025, 6, 1), "Reviews happening on two wards; training for the rest delayed."),)),
    ("Ethnicity recorded at first contact in every community team", "data", ["workforce"],
     "", "", [], "Head of Information", "", date(2025, 10, 1), date(2026, 12, 31),
     "not_started", ()),
)  # fmt: skip

#: Two assessments six months apart: the second moves co-production and board monitoring up.
ASSESSMENTS = (
    (date(2025, 4, 1), {}),
    (date(2025, 10, 1), {"co_production": 3, "board_monitoring": 3}),
)


class Command(BaseCommand):
    help = "Create a synthetic PCREF action plan and self-assessments for the demonstration."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PCREF_ALLOW_DEMO_USERS:
            raise CommandError(
                "create_demo_governance is for demonstrations only "
                "(set PCREF_ALLOW_DEMO_USERS=true only for a demonstration)"
            )
        if Action.objects.filter(title=ACTIONS[0][0]).exists():
            self.stdout.write("Demo governance records are already there; nothing added.")
            return
        lead = get_user_model().objects.filter(username="demo-pcref-lead").first()
        if lead is None:
            raise CommandError("run manage.py create_demo_users first (needs demo-pcref-lead)")
        run = current_run()
        metrics = set(run.metrics.values_list("metric_id", flat=True)) if run else set()
        with transaction.atomic():
            for (title, area, competencies, metric, group, themes, owner, partners, start,
                 due, status, updates) in ACTIONS:  # fmt: skip
                linked = metric in metrics
                action = Action.objects.create(
                    title=title, priority_area=area, competencies=competencies,
                    metric_id=metric if linked else "", ethnic_group=group if linked else "",
                    feedback_themes=themes, owner=owner, partners=partners, start_date=start,
                    due_date=due, status=status,
                )  # fmt: skip
                history.record_changes(lead, action, None)
                for on, text in updates:
                    ProgressUpdate.objects.create(action=action, on=on, text=text,
                                                  written_by=lead.get_username())
                    history.record_event(lead, action, "Progress update",
                                         f"{on:%-d %B %Y}: {text}")
            Evidence.objects.create(
                action=Action.objects.get(title=ACTIONS[0][0]), title="Board paper on advocacy",
                url="https://example.org/board/2025-01-advocacy", added_by=lead.get_username(),
            )  # fmt: skip
            for on, raised in ASSESSMENTS:
                assessment = SelfAssessment.objects.create(
                    assessed_on=on, assessed_by=lead.get_username(),
                    summary="Scored with the Equity for All group and the Triangle of Care "
                    "carers' group.",
                )  # fmt: skip
                AssessmentScore.objects.bulk_create(
                    AssessmentScore(assessment=assessment, item=key, score=raised.get(key, 2),
                                    evidence="Synthetic demonstration evidence.")
                    for key in ASSESSMENT_ITEMS
                )  # fmt: skip
        self.stdout.write(f"Added {len(ACTIONS)} actions and {len(ASSESSMENTS)} self-assessments.")
