"""Retention: delete or anonymise records once their retention period has passed
(DESIGN §10; issue 6 item 10), run by ``pcref retention [--dry-run]``.

Each kind of record has a :class:`RetentionRule`: which rows are past their period at a
given moment, what is done to them (deleted, or anonymised by blanking the personal
fields), and the period in words. Apps register their rules when Django starts, in their
``AppConfig.ready``::

    from pcref.web.core.retention import RetentionRule, delete_rows, register

    register(RetentionRule(
        name="Co-creation network members who left",
        table="engagement.Member",
        action="deleted",
        period=lambda: f"{settings.PCREF_X_DAYS} days after leaving",
        due=lambda now: Member.objects.filter(left_at__lt=now - timedelta(days=...)),
        apply=delete_rows,
    ))

``due`` must select only rows that still need the action, so a second run does nothing.
Rules run in registration order, each in its own transaction, so one failing rule leaves
the others' work done and its own untouched. The audit log records every real run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of record is kept and what happens to it afterwards."""

    name: str
    table: str
    action: Literal["deleted", "anonymised"]
    period: Callable[[], str]
    due: Callable[[datetime], QuerySet]
    apply: Callable[[QuerySet], int]


@dataclass(frozen=True)
class RetentionResult:
    """What one rule did (or, in a dry run, would do) on one run."""

    rule: RetentionRule
    rows: int


_RULES: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> RetentionRule:
    """Add ``rule`` to the registry; two rules with one name are a programming error."""
    if rule.name in _RULES and _RULES[rule.name] is not rule:
        raise ValueError(f"retention rule {rule.name!r} is already registered")
    _RULES[rule.name] = rule
    return rule


def registered_rules() -> tuple[RetentionRule, ...]:
    """Every registered rule, in registration order."""
    return tuple(_RULES.values())


def delete_rows(rows: QuerySet) -> int:
    """``apply`` for rules that delete: delete the rows, return how many (of this table)."""
    _, per_model = rows.delete()
    return per_model.get(rows.model._meta.label, 0)


def anonymise(**values: Any) -> Callable[[QuerySet], int]:
    """``apply`` for rules that anonymise: set the personal fields to ``values``."""

    def apply(rows: QuerySet) -> int:
        return rows.update(**values)

    return apply


def apply_retention(
    *, now: datetime | None = None, dry_run: bool = False
) -> list[RetentionResult]:
    """Run every rule at ``now`` (default: the current time) and say what each did.

    With ``dry_run`` nothing changes: each result counts the rows that would be.
    """
    from pcref.web.core.audit import AuditAction, record

    now = now or timezone.now()
    results = []
    for rule in registered_rules():
        with transaction.atomic():
            rows = rule.due(now)
            count = rows.count() if dry_run else rule.apply(rows)
        results.append(RetentionResult(rule, count))
    if not dry_run:
        record(
            AuditAction.RETENTION_APPLIED,
            detail={result.rule.name: result.rows for result in results},
        )
    return results


def days_before(now: datetime, days: int) -> datetime:
    """The moment ``days`` days before ``now``: rows older than this are past a period of
    that many days."""
    return now - timedelta(days=days)


def _audit_events_due(now: datetime) -> QuerySet:
    from pcref.web.core.models import AuditEvent

    days = settings.PCREF_RETENTION_AUDIT_DAYS
    if days <= 0:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(occurred_at__lt=days_before(now, days))


def _audit_events_period() -> str:
    days = settings.PCREF_RETENTION_AUDIT_DAYS
    return f"{days} days" if days > 0 else "for ever (PCREF_RETENTION_AUDIT_DAYS is 0)"


register(
    RetentionRule(
        name="Audit events",
        table="core.AuditEvent",
        action="deleted",
        period=_audit_events_period,
        due=_audit_events_due,
        # A bulk delete never calls AuditEvent.delete (which refuses): retention is the
        # one way events leave the log.
        apply=delete_rows,
    )
)
