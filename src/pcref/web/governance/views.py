"""Staff pages for the PCREF action plan and self-assessments. People who may read results
read the plan; people who manage the PCREF plan change it (docs/governance.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.accounts.roles import MANAGE_PCREF_PLAN, VIEW_RESULTS
from pcref.web.core.audit import AuditAction, record
from pcref.web.dashboard.figures import figures_for, run_context, run_for
from pcref.web.governance import history, plan
from pcref.web.governance.choices import (
    ASSESSMENT_PARTS,
    ActionStatus,
    Competency,
    PriorityArea,
)
from pcref.web.governance.did_it_work import BREAKDOWNS, evaluate
from pcref.web.governance.forms import (
    DERIVED,
    ActionForm,
    EvidenceForm,
    ProgressUpdateForm,
    SelfAssessmentForm,
)
from pcref.web.governance.models import (
    Action,
    AssessmentScore,
    Evidence,
    ProgressUpdate,
    SelfAssessment,
)
from pcref.web.governance.progress import assessment_rows
from pcref.web.moderation.models import YouSaidWeDid
from pcref.web.moderation.themes import theme_choices


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def actions(request: HttpRequest) -> HttpResponse:
    """The local PCREF plan, filtered by priority area, status and competency."""
    chosen = {k: request.GET.get(k, "") for k in ("priority_area", "status", "competency")}
    found = Action.objects.all()
    if chosen["priority_area"] in PriorityArea.values:
        found = found.filter(priority_area=chosen["priority_area"])
    if chosen["status"] in ActionStatus.values:
        found = found.filter(status=chosen["status"])
    listed = list(found)
    if chosen["competency"] in Competency.values:  # a JSON list: filtered here, plans are small
        listed = [a for a in listed if chosen["competency"] in a.competencies]
    return render(request, "governance/actions.jinja", {
        "page_title": "PCREF action plan",
        "actions": listed,
        "total": Action.objects.count(),
        "chosen": chosen,
        "filters": plan.filter_items(chosen),
        "can_manage": request.user.has_perm(MANAGE_PCREF_PLAN),
    })  # fmt: skip


def _action_form(request: HttpRequest, action: Action, data: Any = None) -> ActionForm:
    initial = None
    if action.pk:
        initial = {
            **{f: getattr(action, f) for f in (
                "title", "description", "priority_area", "competencies", "metric_id",
                "ethnic_group", "feedback_themes", "owner", "partners", "start_date",
                "due_date", "status", "rag_reason")},
            "rag_override": action.rag_override or DERIVED,
            "you_said_we_did": [str(pk) for pk in
                                action.you_said_we_did.values_list("pk", flat=True)],
        }  # fmt: skip
    return ActionForm(
        data, initial=initial,
        metric_choices=plan.metric_choices(action.metric_id),
        group_choices=plan.group_choices(action.ethnic_group),
        theme_choices=theme_choices(),
        entry_choices=[(str(e.pk), e.title) for e in YouSaidWeDid.objects.order_by("title")],
    )  # fmt: skip


@permission_required(MANAGE_PCREF_PLAN, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add an action to the plan, or change one; every change is kept in its history."""
    action = get_object_or_404(Action, pk=pk) if pk is not None else Action()
    form = _action_form(request, action, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = history.snapshot(action) if action.pk else None
            data = form.cleaned_data
            for name in ("title", "description", "priority_area", "competencies", "metric_id",
                         "ethnic_group", "feedback_themes", "owner", "partners", "start_date",
                         "due_date", "status", "rag_override", "rag_reason"):
                setattr(action, name, data[name])
            action.save()
            action.you_said_we_did.set([int(pk) for pk in data["you_said_we_did"]])
            changes = history.record_changes(request.user, action, before)
        messages.success(request, "Action added" if before is None else (
            f"Action saved: {len(changes)} change{'s' if len(changes) != 1 else ''}"))
        return redirect("governance:action", pk=action.pk)
    return render(request, "governance/action_edit.jinja", {
        "page_title": f"Change: {action.title}" if action.pk else "Add an action",
        "action": action,
        "form": form,
        "back_link": reverse("governance:action", args=[action.pk]) if action.pk
        else reverse("governance:actions"),
    })  # fmt: skip


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def action(request: HttpRequest, pk: int) -> HttpResponse:
    """One action: what, who, when, its links, evidence, progress updates and history."""
    item = get_object_or_404(Action, pk=pk)
    return render(request, "governance/action.jinja", {
        "page_title": item.title,
        "action": item,
        "metric_title": plan.metric_title(item.metric_id),
        "competencies": "; ".join(Competency(c).label for c in item.competencies),
        "updates": list(item.updates.all()),
        "evidence": list(item.evidence.all()),
        "history": list(item.history.all()),
        "entries": list(item.you_said_we_did.all()),
        "can_manage": request.user.has_perm(MANAGE_PCREF_PLAN),
        "back_link": reverse("governance:actions"),
    })  # fmt: skip


@permission_required(MANAGE_PCREF_PLAN, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def add_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a dated progress update, saying the status now (a changed status is recorded in
    the history like any other change)."""
    item = get_object_or_404(Action, pk=pk)
    form = ProgressUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={"on": timezone.localdate(), "status": item.status},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            before = history.snapshot(item)
            update = ProgressUpdate.objects.create(
                action=item, on=data["on"], text=data["text"],
                written_by=request.user.get_username(),
            )  # fmt: skip
            history.record_event(request.user, item, "Progress update",
                                 f"{update.on:%-d %B %Y}: {update.text}")
            if data["status"] != item.status:
                item.status = data["status"]
                item.save()
                history.record_changes(request.user, item, before)
        messages.success(request, "Progress update added")
        return redirect("governance:action", pk=item.pk)
    return render(request, "governance/add_update.jinja", {
        "page_title": f"Add a progress update: {item.title}",
        "action": item,
        "form": form,
        "back_link": reverse("governance:action", args=[item.pk]),
    })  # fmt: skip


@permission_required(MANAGE_PCREF_PLAN, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def add_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file (checked for type and size, stored under MEDIA_ROOT) or a link."""
    item = get_object_or_404(Action, pk=pk)
    form = EvidenceForm(request.POST, request.FILES) if request.method == "POST" else (
        EvidenceForm())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        with transaction.atomic():
            evidence = Evidence(action=item, title=data["title"], url=data.get("url") or "",
                                added_by=request.user.get_username())
            if upload:
                evidence.original_name = upload.name[:255]
                evidence.content_type = form.kind.content_type
                evidence.size = upload.size
                evidence.file = upload
            evidence.save()
            what = evidence.original_name or evidence.url
            history.record_event(request.user, item, "Evidence", f"{evidence.title} ({what})")
        messages.success(request, "Evidence added")
        return redirect("governance:action", pk=item.pk)
    return render(request, "governance/add_evidence.jinja", {
        "page_title": f"Add evidence: {item.title}",
        "action": item,
        "form": form,
        "back_link": reverse("governance:action", args=[item.pk]),
    })  # fmt: skip


@permission_required(VIEW_RESULTS, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, as a download with the type its contents were checked to be."""
    evidence = get_object_or_404(Evidence, pk=pk)
    if not evidence.file:
        raise Http404("This evidence is a link, not a file")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The evidence file is missing from storage") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                        content_type=evidence.content_type or "application/octet-stream")


#: What the chart after the action start shows, in words (pcref.stats.evaluation.Variation).
CHART_WORDS = {
    "improvement": "Special cause variation of an improving nature after the start",
    "concern": "Special cause variation of a concerning nature after the start",
    "neutral": "Special cause variation after the start (neither better nor worse)",
    "common cause": "Only normal (common cause) variation after the start",
    "too few months": "Too few months before the action (fewer than 12) to judge on a chart",
}
METHOD_HTML = (
    "<p>The months before the action's start and the months from it on are compared with a "
    "95% confidence interval for after ÷ before. Separately, the months from the start are "
    "judged against process limits fixed on the months before (Making Data Count rules: a "
    "point beyond a limit, a run of seven on one side of the mean, a trend of seven, two of "
    "three near a limit). The verdict says the change is beyond normal variation only when "
    "both agree. The chart shows the limits recalculated from the action's start. Counts are "
    "those published under your disclosure policy. Method: docs/methods/evaluation.md.</p>"
)


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def did_it_work(request: HttpRequest, pk: int) -> HttpResponse:
    """The action's linked disparity before and after it started: rebased SPC chart,
    before/after comparison with its interval, and the verdict."""
    item = get_object_or_404(Action, pk=pk)
    context: dict[str, Any] = {
        **run_context(request),
        "page_title": f"Did it work? {item.title}",
        "action": item,
        "back_link": reverse("governance:action", args=[item.pk]),
        "evaluation": None,
        "chart_words": CHART_WORDS,
        "method_html": METHOD_HTML,
    }
    run = run_for(request)
    if item.metric_id and run is not None:
        metric = run.metrics.filter(metric_id=item.metric_id).first()
        figures = figures_for(request.user, run, metric__metric_id=item.metric_id,
                              breakdown__in=BREAKDOWNS) if metric else []
        evaluation = evaluate(metric, item.ethnic_group, item.start_date, figures)
        context["evaluation"] = evaluation
        if evaluation.chart:
            context["spec"] = json_script(evaluation.chart, "chart-spec-did-it-work")
    return render(request, "governance/did_it_work.jinja", context)


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def assessments(request: HttpRequest) -> HttpResponse:
    """Every self-assessment, newest first, with the latest scores against the one before."""
    kept = list(SelfAssessment.objects.prefetch_related("scores"))
    latest = kept[0] if kept else None
    return render(request, "governance/assessments.jinja", {
        "page_title": "PCREF self-assessments",
        "assessments": kept,
        "latest": latest,
        "parts": assessment_rows(latest, kept[1] if len(kept) > 1 else None) if latest else [],
        "can_manage": request.user.has_perm(MANAGE_PCREF_PLAN),
    })  # fmt: skip


@permission_required(MANAGE_PCREF_PLAN, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    """Record a new self-assessment; earlier ones are kept as they were."""
    latest = SelfAssessment.objects.prefetch_related("scores").first()
    initial: dict[str, Any] = {"assessed_on": timezone.localdate()}
    if latest is not None:  # start from the last assessment's scores, to be revised
        for score in latest.scores.all():
            initial[f"score_{score.item}"] = score.score
            initial[f"evidence_{score.item}"] = score.evidence
    form = SelfAssessmentForm(request.POST if request.method == "POST" else None,
                              initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(
                assessed_on=data["assessed_on"], summary=data["summary"],
                assessed_by=request.user.get_username(),
            )  # fmt: skip
            AssessmentScore.objects.bulk_create(
                AssessmentScore(assessment=assessment, item=key, score=data[f"score_{key}"],
                                evidence=data[f"evidence_{key}"])
                for _, choices in ASSESSMENT_PARTS for key in choices.values
            )  # fmt: skip
            record(AuditAction.SELF_ASSESSMENT_SAVED, request=request, obj=assessment)
        messages.success(request, "Self-assessment saved")
        return redirect("governance:assessment", pk=assessment.pk)
    return render(request, "governance/assessment_new.jinja", {
        "page_title": "Record a self-assessment",
        "form": form,
        "parts": [(heading, [(key, label) for key, label in choices.choices])
                  for heading, choices in ASSESSMENT_PARTS],
        "back_link": reverse("governance:assessments"),
    })  # fmt: skip


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """One self-assessment, each item with its change since the assessment before it."""
    shown = get_object_or_404(SelfAssessment.objects.prefetch_related("scores"), pk=pk)
    previous = (
        SelfAssessment.objects.prefetch_related("scores")
        .filter(_earlier(shown)).first()
    )
    return render(request, "governance/assessment.jinja", {
        "page_title": str(shown),
        "assessment": shown,
        "previous": previous,
        "parts": assessment_rows(shown, previous),
        "back_link": reverse("governance:assessments"),
    })  # fmt: skip


def _earlier(assessment: SelfAssessment) -> Any:
    """Assessments before this one in the list's order (date, then the order saved)."""
    on: dt.date = assessment.assessed_on
    return Q(assessed_on__lt=on) | Q(assessed_on=on, id__lt=assessment.id)
