"""What the public PCREF page shows, always under the public disclosure policy: the core
measures by ethnic group and the biggest gaps (what the data shows), published "you said,
we did" entries (what people told us), and the action plan's public fields (what we are
doing and how it is going).

An action's public fields are its title, description, priority area, competencies, dates,
status and RAG. Its owner, co-production partners, progress notes and evidence are not
published: they name people and were written for staff (docs/reports.md).

The page is in the feedback form's languages (:mod:`pcref.web.publication.public_languages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pcref.web.dashboard.figures import current_run
from pcref.web.dashboard.models import PUBLIC_POLICY
from pcref.web.governance.choices import Competency
from pcref.web.governance.models import Action
from pcref.web.moderation.models import YouSaidWeDid
from pcref.web.publication.board_report import figure_sections
from pcref.web.publication.rendering import policy_words

#: How many of the biggest gaps the public page lists.
PUBLIC_GAPS = 5


@dataclass(frozen=True)
class PublicAction:
    """An action's public fields."""

    title: str
    description: str
    priority_area: str
    competencies: str
    start_date: Any
    due_date: Any
    status: str
    rag: str
    rag_label: str


def public_actions() -> list[PublicAction]:
    """Every action of the plan, by due date, with only its public fields."""
    names = dict(Competency.choices)
    return [
        PublicAction(
            title=a.title, description=a.description,
            priority_area=a.get_priority_area_display(),
            competencies="; ".join(names.get(c, c) for c in a.competencies),
            start_date=a.start_date, due_date=a.due_date, status=a.get_status_display(),
            rag=a.rag, rag_label=a.get_rag_display(),
        )
        for a in Action.objects.all()
    ]


def public_page_context() -> dict[str, Any]:
    """Everything the public page needs (figures from the current run, public rows only)."""
    run = current_run()
    context: dict[str, Any] = {
        "run": run,
        "policy": PUBLIC_POLICY,
        "policy_words": policy_words(PUBLIC_POLICY),
        "entries": list(YouSaidWeDid.objects.filter(published=True)
                        .order_by("-published_at", "-pk")),
        "actions": public_actions(),
        "core": [],
        "gaps": [],
        "period": None,
    }
    if run is not None:
        period = run.periods[-1]
        core, gaps = figure_sections(run, period, PUBLIC_POLICY, with_trends=False)
        context.update(period=period, core=core, gaps=gaps[:PUBLIC_GAPS])
    return context
