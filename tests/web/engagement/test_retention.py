"""Retention of network members and hub posts (``pcref retention`` runs every registered
rule; these tests run the engagement rules at chosen moments)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pcref.web.core.retention import apply_retention, registered_rules
from pcref.web.engagement.models import (
    GroupMembership,
    HubContribution,
    HubReport,
    HubTopic,
    NetworkMember,
    PartnershipGroup,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)

ENGAGEMENT_RULES = {
    "Co-creation network members not in touch",
    "Co-Creation Hub contributions",
    "Co-Creation Hub topics",
    "Co-Creation Hub reports",
}


def _results(now, dry_run=False) -> dict[str, int]:
    return {r.rule.name: r.rows for r in apply_retention(now=now, dry_run=dry_run)
            if r.rule.name in ENGAGEMENT_RULES}  # fmt: skip


def test_the_engagement_rules_are_registered():
    assert {rule.name for rule in registered_rules()} >= ENGAGEMENT_RULES


def test_members_not_in_touch_are_erased_unless_in_a_group(make_member, settings):
    settings.PCREF_RETENTION_NETWORK_INACTIVE_DAYS = 100
    now = timezone.now()
    quiet = make_member("Quiet Person", last_active_at=now - 101 * DAY)
    recent = make_member("Recent Person", last_active_at=now - 99 * DAY)
    in_group = make_member("Group Person", last_active_at=now - 500 * DAY)
    GroupMembership.objects.create(group=PartnershipGroup.objects.first(), member=in_group,
                                   agreed_on=timezone.localdate())  # fmt: skip
    topic = HubTopic.objects.create(title="t", description="d", display_name="PCREF team",
                                    status="approved")  # fmt: skip
    HubContribution.objects.create(topic=topic, member=quiet, display_name="Q", text="mine")

    assert _results(now, dry_run=True)["Co-creation network members not in touch"] == 1
    assert NetworkMember.objects.count() == 3  # a dry run changes nothing

    assert _results(now)["Co-creation network members not in touch"] == 1
    assert set(NetworkMember.objects.all()) == {recent, in_group}
    assert not HubContribution.objects.exists()  # what they posted as a member went too
    assert _results(now)["Co-creation network members not in touch"] == 0  # nothing left


def test_hub_posts_go_on_their_clocks(settings):
    settings.PCREF_RETENTION_HUB_DAYS = 1000
    settings.PCREF_RETENTION_HUB_UNPUBLISHED_DAYS = 30
    now = timezone.now()
    topic = HubTopic.objects.create(title="t", description="d", display_name="PCREF team",
                                    status="approved")  # fmt: skip

    def post(text, status, sent_days_ago, decided_days_ago=None):
        item = HubContribution.objects.create(
            topic=topic, display_name="A", text=text, status=status,
            moderated_at=now - decided_days_ago * DAY if decided_days_ago is not None else None,
        )  # fmt: skip
        HubContribution.objects.filter(pk=item.pk).update(
            submitted_at=now - sent_days_ago * DAY
        )
        return item

    post("old published", "approved", 1001, 1000)
    post("published", "approved", 999, 998)
    post("rejected long ago", "rejected", 40, 31)
    post("rejected recently", "rejected", 40, 29)
    hidden = post("hidden long ago", "hidden", 200, 31)
    post("waiting", "pending", 40)
    HubReport.objects.create(contribution=hidden, reason="r", resolved_at=now - 31 * DAY)

    results = _results(now)
    assert results["Co-Creation Hub contributions"] == 3
    assert set(HubContribution.objects.values_list("text", flat=True)) == {
        "published", "rejected recently", "waiting",
    }  # fmt: skip
    assert not HubReport.objects.exists()  # with its contribution


def test_unpublished_and_old_empty_topics_go(settings):
    settings.PCREF_RETENTION_HUB_DAYS = 1000
    settings.PCREF_RETENTION_HUB_UNPUBLISHED_DAYS = 30
    now = timezone.now()
    rejected = HubTopic.objects.create(title="rejected", description="d", display_name="A",
                                       status="rejected", moderated_at=now - 31 * DAY)
    old_empty = HubTopic.objects.create(title="old empty", description="d", display_name="A",
                                        status="approved")
    old_busy = HubTopic.objects.create(title="old busy", description="d", display_name="A",
                                       status="approved")
    HubContribution.objects.create(topic=old_busy, display_name="B", text="x", status="approved")
    HubTopic.objects.filter(pk__in=[old_empty.pk, old_busy.pk]).update(
        submitted_at=now - 1001 * DAY
    )
    assert _results(now)["Co-Creation Hub topics"] == 2
    assert list(HubTopic.objects.values_list("title", flat=True)) == ["old busy"]
    assert not HubTopic.objects.filter(pk=rejected.pk).exists()
