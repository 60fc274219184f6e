"""Retention rules for the co-creation network and the hub (``pcref retention``).

* Network members are deleted, with everything linked to them (as when they erase
  themselves), once they have not been in touch for ``PCREF_RETENTION_NETWORK_INACTIVE_DAYS``
  (joining, or using their self-service link, counts as being in touch). Members of a
  partnership group are kept while they are in it.
* Hub contributions are deleted ``PCREF_RETENTION_HUB_DAYS`` after they were sent, and
  sooner, ``PCREF_RETENTION_HUB_UNPUBLISHED_DAYS`` after the decision, when they were not
  published or were hidden. Topics suggested by the public that were not published go on
  the same shorter clock; other topics go once they are older than
  ``PCREF_RETENTION_HUB_DAYS`` and nothing is left under them.
* Reports about contributions are deleted ``PCREF_RETENTION_HUB_UNPUBLISHED_DAYS`` after a
  moderator dealt with them (and always with their contribution).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from pcref.web.core.retention import RetentionRule, days_before, delete_rows, register
from pcref.web.engagement.choices import ModerationStatus
from pcref.web.engagement.models import (
    GroupMembership,
    HubContribution,
    HubReport,
    HubTopic,
    NetworkMember,
)

NOT_PUBLISHED = (ModerationStatus.REJECTED, ModerationStatus.HIDDEN)


def _days(setting: str) -> str:
    return f"{getattr(settings, setting)} days"


def _members_due(now: datetime) -> QuerySet:
    cutoff = days_before(now, settings.PCREF_RETENTION_NETWORK_INACTIVE_DAYS)
    in_a_group = GroupMembership.objects.filter(member=OuterRef("pk"))
    return NetworkMember.objects.filter(last_active_at__lt=cutoff).exclude(Exists(in_a_group))


def _erase_members(members: QuerySet) -> int:
    """Delete the members and what they posted in the hub as members, as self-service
    erasure does; their group memberships (none, by the rule) would go by cascade."""
    ids = list(members.values_list("pk", flat=True))
    HubContribution.objects.filter(member__in=ids).delete()
    HubTopic.objects.filter(member__in=ids).delete()
    return delete_rows(NetworkMember.objects.filter(pk__in=ids))


def _contributions_due(now: datetime) -> QuerySet:
    old = Q(submitted_at__lt=days_before(now, settings.PCREF_RETENTION_HUB_DAYS))
    unpublished = Q(
        status__in=NOT_PUBLISHED,
        moderated_at__lt=days_before(now, settings.PCREF_RETENTION_HUB_UNPUBLISHED_DAYS),
    )
    return HubContribution.objects.filter(old | unpublished)


def _topics_due(now: datetime) -> QuerySet:
    unpublished = Q(
        status__in=NOT_PUBLISHED,
        moderated_at__lt=days_before(now, settings.PCREF_RETENTION_HUB_UNPUBLISHED_DAYS),
    )
    old_and_empty = Q(
        submitted_at__lt=days_before(now, settings.PCREF_RETENTION_HUB_DAYS),
        contributions__isnull=True,
    )
    return HubTopic.objects.filter(unpublished | old_and_empty).distinct()


def _delete_topics(topics: QuerySet) -> int:
    # A query with DISTINCT cannot delete directly; delete by primary key instead.
    return delete_rows(HubTopic.objects.filter(pk__in=list(topics.values_list("pk", flat=True))))


def _reports_due(now: datetime) -> QuerySet:
    cutoff = days_before(now, settings.PCREF_RETENTION_HUB_UNPUBLISHED_DAYS)
    return HubReport.objects.filter(resolved_at__lt=cutoff)


register(
    RetentionRule(
        name="Co-creation network members not in touch",
        table="engagement.NetworkMember",
        action="deleted",
        period=lambda: _days("PCREF_RETENTION_NETWORK_INACTIVE_DAYS")
        + " after they were last in touch, unless in a partnership group",
        due=_members_due,
        apply=_erase_members,
    )
)
register(
    RetentionRule(
        name="Co-Creation Hub contributions",
        table="engagement.HubContribution",
        action="deleted",
        period=lambda: _days("PCREF_RETENTION_HUB_DAYS") + " after they were sent; "
        + _days("PCREF_RETENTION_HUB_UNPUBLISHED_DAYS") + " after the decision if not published",
        due=_contributions_due,
        apply=delete_rows,
    )
)
register(
    RetentionRule(
        name="Co-Creation Hub topics",
        table="engagement.HubTopic",
        action="deleted",
        period=lambda: _days("PCREF_RETENTION_HUB_UNPUBLISHED_DAYS")
        + " after the decision if not published; otherwise once older than "
        + _days("PCREF_RETENTION_HUB_DAYS") + " with nothing under them",
        due=_topics_due,
        apply=_delete_topics,
    )
)
register(
    RetentionRule(
        name="Co-Creation Hub reports",
        table="engagement.HubReport",
        action="deleted",
        period=lambda: (
            _days("PCREF_RETENTION_HUB_UNPUBLISHED_DAYS") + " after they were dealt with"
        ),
        due=_reports_due,
        apply=delete_rows,
    )
)
