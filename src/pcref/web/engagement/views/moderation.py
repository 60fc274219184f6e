"""Moderating the hub: the queue (safeguarding concerns first, then everything waiting,
then reported contributions), one decision page for a topic or a contribution, blocking
and unblocking, and staff posting topics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.core.audit import AuditAction, record
from pcref.web.engagement.choices import ModerationStatus
from pcref.web.engagement.forms import ModerationForm, StaffTopicForm
from pcref.web.engagement.models import (
    HubBlock,
    HubContribution,
    HubTopic,
    normalise_display_name,
)
from pcref.web.engagement.permissions import (
    MANAGE_ENGAGEMENT,
    MODERATE_HUB,
    any_permission_required,
)

PENDING = ModerationStatus.PENDING


@permission_required(MODERATE_HUB, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """Urgent items first (oldest first, with how long they have waited), then other
    items waiting, then published contributions someone has reported."""
    waiting = [
        *HubTopic.objects.filter(status=PENDING),
        *HubContribution.objects.filter(status=PENDING).select_related("topic"),
    ]
    waiting.sort(key=lambda item: item.submitted_at)
    reported = (
        HubContribution.objects.filter(reports__resolved_at__isnull=True)
        .exclude(status=PENDING)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .select_related("topic")
        .order_by("-open_reports", "submitted_at")
    )
    now = timezone.now()
    return render(
        request,
        "engagement/moderation_queue.jinja",
        {
            "urgent": [_queue_row(item, now) for item in waiting if item.urgent],
            "waiting": [_queue_row(item, now) for item in waiting if not item.urgent],
            "reported": reported,
        },
    )


def _queue_row(item: HubTopic | HubContribution, now) -> dict[str, object]:
    if isinstance(item, HubTopic):
        href = reverse("engagement:moderate_topic", kwargs={"pk": item.pk})
        what = f"Topic {item.pk}: {item.title}"
    else:
        href = reverse("engagement:moderate_contribution", kwargs={"pk": item.pk})
        what = f"Contribution {item.pk} to {item.topic.title}"
    return {
        "href": href,
        "what": what,
        "display_name": item.display_name,
        "safeguarding": ", ".join(item.safeguarding_labels) or "None",
        "submitted_at": item.submitted_at,
        "waiting": timesince(item.submitted_at, now, depth=1),
    }


def _decide(request: HttpRequest, item: HubTopic | HubContribution, kind: str) -> HttpResponse:
    form = ModerationForm(request.POST or None, urgent=item.urgent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            item.status = data["decision"]
            if item.urgent:
                item.safeguarding_outcome = data["safeguarding_outcome"]
            item.moderated_at = timezone.now()
            item.moderated_by = request.user
            item.save()
            if isinstance(item, HubContribution):
                item.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
            record(
                AuditAction.HUB_MODERATED,
                request=request,
                obj=item,
                detail={
                    "decision": item.status,
                    "urgent": item.urgent,
                    "safeguarding_outcome": item.safeguarding_outcome,
                },
            )
            if data["block"]:
                block = HubBlock.objects.create(
                    display_name=normalise_display_name(item.display_name),
                    member=item.member,
                    reason=data["block_reason"],
                    blocked_by=request.user,
                )
                record(AuditAction.HUB_BLOCKED, request=request, obj=block)
        messages.success(request, f"Decision saved: {item.get_status_display().lower()}")
        return redirect("engagement:hub_moderation")
    return render(
        request,
        "engagement/moderate.jinja",
        {
            "form": form,
            "item": item,
            "kind": kind,
            "reports": item.reports.all() if isinstance(item, HubContribution) else [],
        },
    )


@permission_required(MODERATE_HUB, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def moderate_contribution(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(HubContribution.objects.select_related("topic"), pk=pk)
    return _decide(request, item, "contribution")


@permission_required(MODERATE_HUB, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def moderate_topic(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(HubTopic, pk=pk)
    return _decide(request, item, "topic")


@permission_required(MODERATE_HUB, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def blocks(request: HttpRequest) -> HttpResponse:
    """Who is blocked, and why; POST ``unblock`` with a block's number lifts it."""
    if request.method == "POST":
        block = HubBlock.objects.filter(pk=request.POST.get("unblock") or 0).first()
        if block is not None:
            record(AuditAction.HUB_UNBLOCKED, request=request, obj=block)
            block.delete()
            messages.success(request, "Block lifted")
        return redirect("engagement:hub_blocks")
    return render(request, "engagement/blocks.jinja", {"blocks": HubBlock.objects.all()})


@any_permission_required(MODERATE_HUB, MANAGE_ENGAGEMENT)
@never_cache
@require_http_methods(["GET", "POST"])
def new_topic(request: HttpRequest) -> HttpResponse:
    """Staff post a topic; it is published at once under the trust's name."""
    form = StaffTopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic = HubTopic.objects.create(
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            display_name="PCREF team",
            posted_by_staff=request.user,
            status=ModerationStatus.APPROVED,
            moderated_at=timezone.now(),
            moderated_by=request.user,
        )
        record(AuditAction.HUB_MODERATED, request=request, obj=topic,
               detail={"decision": "approved", "posted_by_staff": True})
        messages.success(request, "Topic published")
        return redirect("engagement:hub_topic", pk=topic.pk)
    return render(request, "engagement/new_topic.jinja", {"form": form})
