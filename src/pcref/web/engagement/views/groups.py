"""Partnership groups (Equity for All, Triangle of Care, Patient Experience Group,
co-creation champions): members who agreed to join, meetings with agendas, minutes,
decisions and actions; and the Triangle of Care self-assessments, kept over time."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.core.audit import AuditAction, record
from pcref.web.engagement import triangle_of_care
from pcref.web.engagement.choices import (
    ActionStatus,
    Interest,
    PartnershipGroupKind,
    TriangleOfCareRating,
)
from pcref.web.engagement.forms import (
    ActionStatusForm,
    DecisionForm,
    GroupMemberForm,
    MeetingActionForm,
    MeetingForm,
    TriangleOfCareForm,
)
from pcref.web.engagement.models import (
    Decision,
    GroupMembership,
    Meeting,
    MeetingAction,
    NetworkMember,
    PartnershipGroup,
    TriangleOfCareAssessment,
    TriangleOfCareRatingRecord,
)
from pcref.web.engagement.permissions import MANAGE_ENGAGEMENT

#: The network interest that means someone may be asked to join each group.
GROUP_INTEREST = {
    PartnershipGroupKind.EQUITY_FOR_ALL: Interest.EQUITY_FOR_ALL,
    PartnershipGroupKind.TRIANGLE_OF_CARE: Interest.TRIANGLE_OF_CARE,
    PartnershipGroupKind.PATIENT_EXPERIENCE: Interest.PATIENT_EXPERIENCE,
    PartnershipGroupKind.CHAMPIONS: Interest.CHAMPIONS,
}

manage = permission_required(MANAGE_ENGAGEMENT, raise_exception=True)


def _changed(request: HttpRequest, obj: object, what: str) -> None:
    record(
        AuditAction.PARTNERSHIP_RECORD_CHANGED, request=request, obj=obj, detail={"change": what}
    )


@manage
@require_http_methods(["GET"])
def groups(request: HttpRequest) -> HttpResponse:
    listed = PartnershipGroup.objects.annotate(
        member_count=Count("members", distinct=True),
        meeting_count=Count("meetings", distinct=True),
        open_actions=Count(
            "meetings__actions", filter=~Q(meetings__actions__status=ActionStatus.DONE),
            distinct=True,
        ),
    )
    return render(request, "engagement/groups.jinja", {"groups": listed})


@manage
@never_cache
@require_http_methods(["GET", "POST"])
def group(request: HttpRequest, kind: str) -> HttpResponse:
    """A group's purpose, members and meetings. POST ``remove`` with a membership's number
    takes someone off the group (for example when they withdraw)."""
    group = get_object_or_404(PartnershipGroup, kind=kind)
    if request.method == "POST":
        membership = group.members.filter(pk=request.POST.get("remove") or 0).first()
        if membership is not None:
            membership.delete()
            _changed(request, group, "member removed")
            messages.success(request, "Member removed from the group")
        return redirect("engagement:group", kind=kind)
    return render(
        request,
        "engagement/group.jinja",
        {
            "group": group,
            "memberships": group.members.select_related("member"),
            "meetings": group.meetings.annotate(action_count=Count("actions")),
        },
    )


@manage
@never_cache
@require_http_methods(["GET", "POST"])
def add_member(request: HttpRequest, kind: str) -> HttpResponse:
    """Add a network member who agreed to join. Only members who consented to be
    contacted and chose this group's interest are offered."""
    group = get_object_or_404(PartnershipGroup, kind=kind)
    interest = GROUP_INTEREST[PartnershipGroupKind(group.kind)]
    already = set(group.members.values_list("member_id", flat=True))
    candidates = [
        m
        for m in NetworkMember.objects.filter(contact_consent=True)
        if interest in m.interests and m.pk not in already
    ]
    form = GroupMemberForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        GroupMembership.objects.create(
            group=group,
            member_id=form.cleaned_data["member"],
            role=form.cleaned_data["role"],
            agreed_on=form.cleaned_data["agreed_on"],
            added_by=request.user,
        )
        _changed(request, group, "member added")
        messages.success(request, "Member added")
        return redirect("engagement:group", kind=kind)
    return render(
        request,
        "engagement/add_member.jinja",
        {"form": form, "group": group, "interest": interest.label, "candidates": candidates},
    )


@manage
@never_cache
@require_http_methods(["GET", "POST"])
def new_meeting(request: HttpRequest, kind: str) -> HttpResponse:
    group = get_object_or_404(PartnershipGroup, kind=kind)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = Meeting.objects.create(group=group, **form.cleaned_data)
        _changed(request, meeting, "meeting added")
        return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/new_meeting.jinja", {"form": form, "group": group})


MEETING_FORMS = {
    "record": MeetingForm,
    "decision": DecisionForm,
    "action": MeetingActionForm,
    "status": ActionStatusForm,
}


@manage
@never_cache
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting: agenda and minutes (editable), decisions, and actions with their
    progress. Each form on the page posts ``form`` saying which it is."""
    meeting = get_object_or_404(Meeting.objects.select_related("group"), pk=pk)
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {
        "record": MeetingForm(
            request.POST if posted == "record" else None,
            initial={"held_on": meeting.held_on, "agenda": meeting.agenda,
                     "minutes": meeting.minutes},
        ),
        "decision": DecisionForm(request.POST if posted == "decision" else None),
        "action": MeetingActionForm(request.POST if posted == "action" else None),
    }
    if posted == "status":
        action = get_object_or_404(MeetingAction, pk=request.POST.get("action_id") or 0,
                                   meeting=meeting)
        status_form = ActionStatusForm(request.POST)
        if status_form.is_valid():
            action.status = status_form.cleaned_data["status"]
            action.save()
            _changed(request, meeting, f"action progress: {action.get_status_display()}")
        return redirect("engagement:meeting", pk=pk)
    form = forms.get(posted or "")
    if form is not None and form.is_valid():
        with transaction.atomic():
            if posted == "record":
                for field, value in form.cleaned_data.items():
                    setattr(meeting, field, value)
                meeting.save()
            elif posted == "decision":
                Decision.objects.create(meeting=meeting, **form.cleaned_data)
            else:
                MeetingAction.objects.create(meeting=meeting, **form.cleaned_data)
            _changed(request, meeting, {"record": "agenda or minutes", "decision": "decision",
                                        "action": "action added"}[posted])
        messages.success(request, "Saved")
        return redirect("engagement:meeting", pk=pk)
    return render(
        request,
        "engagement/meeting.jinja",
        {
            "meeting": meeting,
            "forms": forms,
            "form": form,
            "decisions": meeting.decisions.all(),
            "actions": meeting.actions.all(),
            "statuses": ActionStatus.choices,
        },
    )


def _with_change(
    assessment: TriangleOfCareAssessment,
) -> tuple[list[dict], TriangleOfCareAssessment | None]:
    """The assessment's six ratings, each with the previous assessment of the same
    service's rating and how it changed."""
    previous = (
        TriangleOfCareAssessment.objects.filter(service__iexact=assessment.service)
        .filter(
            Q(assessed_on__lt=assessment.assessed_on)
            | Q(assessed_on=assessment.assessed_on, pk__lt=assessment.pk)
        )
        .order_by("-assessed_on", "-pk")
        .first()
    )
    before = {r.standard: r.rating for r in previous.ratings.all()} if previous else {}
    rows = []
    for rating in assessment.ratings.all():
        earlier = before.get(rating.standard)
        rows.append(
            {
                "standard": triangle_of_care.STANDARDS[rating.standard - 1],
                "rating": rating,
                "previous": TriangleOfCareRating(earlier).label if earlier else None,
                "change": triangle_of_care.change(earlier, rating.rating),
            }
        )
    return rows, previous


@manage
@require_http_methods(["GET"])
def toc_assessments(request: HttpRequest) -> HttpResponse:
    """Every self-assessment, newest first, with each standard's rating and its change
    since that service's previous assessment."""
    assessments = TriangleOfCareAssessment.objects.prefetch_related("ratings")
    return render(
        request,
        "engagement/toc_assessments.jinja",
        {
            "assessments": [(a, *_with_change(a)) for a in assessments],
            "standards": triangle_of_care.STANDARDS,
        },
    )


@manage
@never_cache
@require_http_methods(["GET", "POST"])
def toc_new(request: HttpRequest) -> HttpResponse:
    form = TriangleOfCareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            assessment = TriangleOfCareAssessment.objects.create(
                service=data["service"].strip(),
                assessed_on=data["assessed_on"],
                recorded_by=request.user,
            )
            TriangleOfCareRatingRecord.objects.bulk_create(
                TriangleOfCareRatingRecord(
                    assessment=assessment,
                    standard=s.number,
                    rating=data[f"rating_{s.number}"],
                    evidence=data[f"evidence_{s.number}"],
                )
                for s in triangle_of_care.STANDARDS
            )
            _changed(request, assessment, "Triangle of Care self-assessment recorded")
        return redirect("engagement:toc_assessment", pk=assessment.pk)
    return render(
        request,
        "engagement/toc_new.jinja",
        {"form": form, "standards": triangle_of_care.STANDARDS},
    )


@manage
@require_http_methods(["GET"])
def toc_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(TriangleOfCareAssessment, pk=pk)
    rows, previous = _with_change(assessment)
    return render(
        request,
        "engagement/toc_assessment.jinja",
        {"assessment": assessment, "rows": rows, "previous": previous},
    )
