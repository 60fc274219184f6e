"""What the action plan's forms and list offer: the metrics of the loaded results runs, the
five ethnic groups, and the list filters."""

from __future__ import annotations

from typing import Any

from pcref.metrics.attributes import ethnicity_5_labels
from pcref.web.dashboard.models import Metric
from pcref.web.governance.choices import ActionStatus, Competency, PriorityArea
from pcref.web.governance.did_it_work import BREAKDOWNS

#: Groups an action can aim at: the five groups (not "Not stated" or "Not known", which are
#: a recording gap, tackled by a data action on a data-quality metric).
NOT_A_GROUP = ("Not stated", "Not known")


def metric_choices(current: str = "") -> list[tuple[str, str]]:
    """(metric id, title) for every metric broken down by ethnic group in any loaded run,
    the latest run's title first, saying which have no monthly figures by ethnic group to
    evaluate an action with; ``current`` is kept even if no loaded run has it now."""
    seen: dict[str, str] = {}
    for metric_id, title, breakdowns in Metric.objects.order_by(
        "-run__created_at", "metric_id"
    ).values_list("metric_id", "title", "breakdowns"):
        if "ethnicity_5" in (breakdowns or []) and metric_id not in seen:
            monthly = any(b in breakdowns for b in BREAKDOWNS)
            seen[metric_id] = title if monthly else f"{title} (no monthly or quarterly " \
                "figures by ethnic group, so 'did it work' cannot be shown)"
    if current and current not in seen:
        seen[current] = f"{current} (in no loaded results run)"
    return sorted(((k, v) for k, v in seen.items()), key=lambda kv: kv[1].lower())


def group_choices(current: str = "") -> list[tuple[str, str]]:
    groups = [g for g in ethnicity_5_labels() if g not in NOT_A_GROUP]
    if current and current not in groups:
        groups.append(current)
    return [(g, g) for g in groups]


def metric_title(metric_id: str) -> str:
    """The metric's title in the latest run that has it, else its id."""
    if not metric_id:
        return ""
    title = (Metric.objects.filter(metric_id=metric_id).order_by("-run__created_at")
             .values_list("title", flat=True).first())  # fmt: skip
    return title or metric_id


def filter_items(chosen: dict[str, str]) -> list[dict[str, Any]]:
    """The list's three filters as NHS select parameters, each with an "All" choice."""
    made = []
    for name, label, choices in (
        ("priority_area", "Priority area", PriorityArea.choices),
        ("status", "Status", ActionStatus.choices),
        ("competency", "Competency", Competency.choices),
    ):
        items = [{"value": "", "text": "All"}] + [
            {"value": value, "text": text, "selected": chosen.get(name) == value}
            for value, text in choices
        ]
        made.append({"id": name, "name": name, "label": {"text": label}, "items": items})
    return made
