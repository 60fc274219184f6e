"""Recording every change to an action: one history row per field that changed, with the
old and new values as people read them, plus an audit-log event (DESIGN §10)."""

from __future__ import annotations

from typing import Any

from pcref.web.core.audit import AuditAction, record
from pcref.web.governance.choices import ActionStatus, Competency, PriorityArea, Rag
from pcref.web.governance.models import Action, ActionChange


def _labels(values: list[str], choices: Any) -> str:
    names = dict(choices.choices)
    return "; ".join(names.get(v, v) for v in values)


def _date(value: Any) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def snapshot(action: Action) -> dict[str, str]:
    """Every field people edit, as the text the history shows (choices by their labels,
    lists joined, dates written out). Saved actions only (the many-to-many needs a key)."""
    entries = action.you_said_we_did.order_by("title").values_list("title", flat=True)
    return {
        "Title": action.title,
        "Description": action.description,
        "Priority area": PriorityArea(action.priority_area).label if action.priority_area else "",
        "Competencies": _labels(action.competencies, Competency),
        "Metric": action.metric_id,
        "Ethnic group": action.ethnic_group,
        "Feedback themes": "; ".join(action.feedback_themes),
        "You said, we did entries": "; ".join(entries),
        "Owner": action.owner,
        "Co-production partners": action.partners,
        "Start date": _date(action.start_date),
        "Due date": _date(action.due_date),
        "Status": ActionStatus(action.status).label,
        "RAG set by hand": Rag(action.rag_override).label if action.rag_override else "",
        "Reason for the RAG set by hand": action.rag_reason,
    }


def record_changes(user: Any, action: Action, before: dict[str, str] | None) -> list[ActionChange]:
    """Compare ``action`` now with ``before`` (its :func:`snapshot` before the edit, or None
    when it was just created) and write a history row per changed field, by ``user``."""
    after = snapshot(action)
    if before is None:
        rows = [_row(user, action, "Action", "", "Created")]
        rows += [_row(user, action, f, "", v) for f, v in after.items() if v]
    else:
        rows = [_row(user, action, f, before.get(f, ""), v)
                for f, v in after.items() if before.get(f, "") != v]  # fmt: skip
    if rows:
        record(
            AuditAction.PCREF_ACTION_CHANGED, actor=user, obj=action,
            detail={"fields": [r.field for r in rows]},
        )  # fmt: skip
    return rows


def record_event(user: Any, action: Action, field: str, new: str) -> ActionChange:
    """A history row for something added to the action (a progress update, evidence)."""
    row = _row(user, action, field, "", new)
    record(AuditAction.PCREF_ACTION_CHANGED, actor=user, obj=action,
           detail={"fields": [field]})  # fmt: skip
    return row


def _row(user: Any, action: Action, field: str, old: str, new: str) -> ActionChange:
    return ActionChange.objects.create(
        action=action, changed_by=user, changed_by_username=user.get_username(),
        field=field, old=old, new=new,
    )  # fmt: skip
