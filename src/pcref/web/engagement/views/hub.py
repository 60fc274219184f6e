"""The BAME Co-Creation Hub's public pages: topics, published contributions, and forms to
contribute, suggest a topic and report a contribution. Everything posted waits for a
moderator; nothing appears until approved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.engagement import posting_limit, screening, self_service
from pcref.web.engagement.choices import ModerationStatus
from pcref.web.engagement.forms import ContributionForm, ReportForm, TopicSuggestionForm
from pcref.web.engagement.models import HubContribution, HubReport, HubTopic, NetworkMember

APPROVED = ModerationStatus.APPROVED


def _posting_member(request: HttpRequest) -> tuple[NetworkMember | None, str]:
    """The network member posting, when they came from their self-service page (the
    link's token travels as ``as``); ``(None, "")`` for everyone else or a stale link."""
    token = request.POST.get("as") or request.GET.get("as") or ""
    if not token:
        return None, ""
    try:
        return self_service.member_from_token(token), token
    except self_service.LinkRefused:
        return None, ""


@login_not_required
@require_http_methods(["GET"])
def hub(request: HttpRequest) -> HttpResponse:
    """Published topics, newest first, with how many published contributions each has."""
    topics = HubTopic.objects.filter(status=APPROVED).annotate(
        published=Count("contributions", filter=Q(contributions__status=APPROVED))
    )
    return render(request, "engagement/hub.jinja", {"topics": topics})


@login_not_required
@require_http_methods(["GET"])
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(HubTopic, pk=pk, status=APPROVED)
    contributions = topic.contributions.filter(status=APPROVED)
    return render(
        request, "engagement/topic.jinja", {"topic": topic, "contributions": contributions}
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def contribute(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(HubTopic, pk=pk, status=APPROVED)
    member, token = _posting_member(request)
    form = ContributionForm(request.POST or None, member=member)
    if request.method == "POST" and form.filled_by_a_program():
        return redirect("engagement:hub_thanks")  # thanked, not kept
    if request.method == "POST" and form.is_valid() and not posting_limit.refused(request, form):
        contribution = HubContribution(
            topic=topic,
            member=member,
            display_name=form.cleaned_data["display_name"],
            text=form.cleaned_data["text"],
        )
        screening.screen(contribution, contribution.text)
        with transaction.atomic():
            contribution.save()
        return redirect("engagement:hub_thanks")
    return render(
        request,
        "engagement/contribute.jinja",
        {"form": form, "topic": topic, "member": member, "token": token},
        status=posting_limit.page_status(form),
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def suggest_topic(request: HttpRequest) -> HttpResponse:
    member, token = _posting_member(request)
    form = TopicSuggestionForm(request.POST or None, member=member)
    if request.method == "POST" and form.filled_by_a_program():
        return redirect("engagement:hub_thanks")
    if request.method == "POST" and form.is_valid() and not posting_limit.refused(request, form):
        topic = HubTopic(
            member=member,
            display_name=form.cleaned_data["display_name"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
        screening.screen(topic, topic.title, topic.description)
        with transaction.atomic():
            topic.save()
        return redirect("engagement:hub_thanks")
    return render(
        request,
        "engagement/suggest_topic.jinja",
        {"form": form, "member": member, "token": token},
        status=posting_limit.page_status(form),
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/hub_thanks.jinja")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone may report a published contribution; moderators see reports in their queue.
    The contribution stays up until a moderator decides."""
    contribution = get_object_or_404(
        HubContribution, pk=pk, status=APPROVED, topic__status=APPROVED
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.filled_by_a_program():
        return redirect("engagement:hub_topic", pk=contribution.topic_id)
    if request.method == "POST" and form.is_valid() and not posting_limit.refused(request, form):
        HubReport.objects.create(contribution=contribution, reason=form.cleaned_data["reason"])
        messages.success(request, "Thank you. A moderator will look at this contribution")
        return redirect("engagement:hub_topic", pk=contribution.topic_id)
    return render(
        request,
        "engagement/report.jinja",
        {"form": form, "contribution": contribution},
        status=posting_limit.page_status(form),
    )
