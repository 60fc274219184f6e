"""Staff pages: the safeguarding queue and review, moderating and responding to feedback
(people who may moderate feedback), and managing "you said, we did" entries (people who
manage the PCREF plan and its publications)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.listening.safeguarding import category_labels, screen
from pcref.web.accounts.roles import MANAGE_PCREF_PLAN, MODERATE_FEEDBACK
from pcref.web.core.audit import AuditAction, record
from pcref.web.core.formatting import time_since
from pcref.web.moderation import workflow
from pcref.web.moderation.forms import (
    AssignForm,
    EntryForm,
    ModerationForm,
    OutcomeForm,
    ProgressUpdateForm,
    ResponseForm,
)
from pcref.web.moderation.highlighting import highlight
from pcref.web.moderation.models import (
    ModerationStatus,
    ProgressUpdate,
    YouSaidWeDid,
)
from pcref.web.moderation.redaction import redact, suggest_redactions
from pcref.web.moderation.themes import suggested_sentiment, suggested_themes, theme_choices

SUBMISSION_PAGE_SIZE = 50
ANSWERS = (("what_was_good", "What was good"), ("what_could_be_better", "What could be better"))


def _submission(reference: str) -> Any:
    return get_object_or_404(workflow.submission_model(), reference=reference)


def _screened_answers(submission: Any) -> list[dict[str, Any]]:
    """Each answer with the safeguarding screen's matches marked and listed."""
    answers = []
    for field, label in ANSWERS:
        text = getattr(submission, field)
        if not text:
            continue
        screening = screen(text)
        answers.append(
            {
                "label": label,
                "html": highlight(text, [(m.start, m.end) for m in screening.matches]),
            }
        )
    return answers


def _queue_row(submission: Any, now: Any) -> dict[str, Any]:
    review = workflow.review_of(submission)
    matched = []
    for field, _ in ANSWERS:
        matched.extend(m.text for m in screen(getattr(submission, field)).matches)
    return {
        "submission": submission,
        "waiting": time_since(submission.received_at, now),
        "overdue": now - submission.received_at > workflow.REVIEW_WITHIN,
        "categories": category_labels(submission.safeguarding_categories),
        "matched": sorted(set(matched), key=str.lower),
        "raised_by_moderator": bool(review and review.raised_by_moderator),
        "assignee": review.assignee if review else None,
        "review": review,
    }


@permission_required(MODERATE_FEEDBACK, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """The safeguarding queue: items waiting for review, oldest first, then recent outcomes."""
    waiting, reviewed = workflow.safeguarding_queue()
    now = timezone.now()
    return render(
        request,
        "moderation/queue.jinja",
        {
            "waiting": [_queue_row(s, now) for s in waiting],
            "reviewed": [_queue_row(s, now) for s in reviewed[:20]],
            "to_moderate": workflow.to_moderate().count(),
            "review_within_hours": int(workflow.REVIEW_WITHIN.total_seconds() // 3600),
        },
    )


@permission_required(MODERATE_FEEDBACK, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, reference: str) -> HttpResponse:
    """One item's safeguarding review: the comment with matched words marked, who has it,
    the outcome, and its timeline."""
    submission = _submission(reference)
    if not workflow.needs_review(submission):
        raise Http404("not in the safeguarding queue")
    assign_form = AssignForm(me=request.user)
    outcome_form = OutcomeForm()
    action = request.POST.get("action")
    if request.method == "POST" and action == "assign":
        assign_form = AssignForm(request.POST, me=request.user)
        if assign_form.is_valid():
            assignee = assign_form.chosen()
            workflow.assign(submission, assignee, by=request.user)
            messages.success(
                request,
                f"Assigned to {assignee.get_full_name() or assignee.get_username()}"
                if assignee
                else "Nobody is assigned now",
            )
            return redirect("moderation:review", reference=reference)
    elif request.method == "POST" and action == "outcome":
        outcome_form = OutcomeForm(request.POST)
        if outcome_form.is_valid():
            workflow.record_outcome(
                submission,
                outcome_form.cleaned_data["outcome"],
                outcome_form.cleaned_data["note"],
                by=request.user,
            )
            messages.success(request, "Outcome recorded")
            return redirect("moderation:queue")
    elif request.method == "GET":
        workflow.record_read(request, submission, page="safeguarding review")
    review = workflow.review_of(submission)
    if review is not None and review.assignee is not None:
        assign_form.initial = {"assignee": str(review.assignee.pk)}
    bound = outcome_form if outcome_form.is_bound else assign_form
    return render(
        request,
        "moderation/review.jinja",
        {
            "submission": submission,
            "review": review,
            "waiting": time_since(submission.received_at),
            "categories": category_labels(submission.safeguarding_categories),
            "answers": _screened_answers(submission),
            "assign_form": assign_form,
            "outcome_form": outcome_form,
            "form": bound if bound.is_bound else None,
            "may_see_contact_details": workflow.may_see_contact_details(submission),
            "timeline": submission.timeline.all(),
            "back_link": reverse("moderation:queue"),
        },
    )


@permission_required(MODERATE_FEEDBACK, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def contact_details(request: HttpRequest, reference: str) -> HttpResponse:
    """Contact details for a safeguarding review, when the person said we may contact
    them if worried; every viewing is recorded in the audit log and the item's timeline."""
    submission = _submission(reference)
    try:
        details = workflow.view_contact_details(request, submission)
    except workflow.NotAllowed:
        raise Http404("no contact details may be shown") from None
    return render(
        request,
        "moderation/contact_details.jinja",
        {
            "submission": submission,
            "details": details,
            "back_link": reverse("moderation:review", kwargs={"reference": reference}),
        },
    )


@permission_required(MODERATE_FEEDBACK, raise_exception=True)
@never_cache
@require_http_methods(["GET"])
def submissions(request: HttpRequest) -> HttpResponse:
    """All feedback, by moderation status, newest first."""
    status = request.GET.get("status") or ModerationStatus.TO_MODERATE
    if status not in ModerationStatus.values:
        status = ModerationStatus.TO_MODERATE
    if status == ModerationStatus.TO_MODERATE:
        rows = workflow.to_moderate()
    else:
        rows = workflow.submission_model().objects.filter(moderation__status=status)
    rows = rows.select_related("safeguarding_review").order_by("-received_at", "-pk")
    page = Paginator(rows, SUBMISSION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/submissions.jinja",
        {
            "page": page,
            "status": status,
            "statuses": ModerationStatus.choices,
            "pending": {s.pk for s in page.object_list if workflow.review_pending(s)},
        },
    )


@permission_required(MODERATE_FEEDBACK, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, reference: str) -> HttpResponse:
    """Read one comment; tag themes and sentiment; write the public (redacted) version;
    publish, keep private or decide later; or send it for safeguarding review."""
    submission = _submission(reference)
    moderation = workflow.moderation_of(submission)
    choices = theme_choices()
    if request.method == "POST" and request.POST.get("action") == "send_for_review":
        try:
            workflow.send_for_review(submission, by=request.user)
        except workflow.NotAllowed as error:
            messages.info(request, str(error))
        else:
            messages.success(request, "Sent for safeguarding review")
        return redirect("moderation:review", reference=reference)
    suggestions = {
        field: suggest_redactions(getattr(submission, field)) for field, _ in ANSWERS
    }
    if request.method == "POST":
        form = ModerationForm(request.POST, theme_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                workflow.save_moderation(
                    submission,
                    themes=data["themes"],
                    sentiment=data["sentiment"],
                    public_what_was_good=data["public_what_was_good"],
                    public_what_could_be_better=data["public_what_could_be_better"],
                    decision=data["decision"],
                    by=request.user,
                )
            except workflow.NotAllowed as error:
                form.add_error("decision", str(error))
            else:
                messages.success(request, _saved_message(data["decision"]))
                return redirect("moderation:submissions")
    else:
        workflow.record_read(request, submission, page="moderation")
        form = ModerationForm(initial=_initial(submission, moderation), theme_choices=choices)
    return render(
        request,
        "moderation/moderate.jinja",
        {
            "submission": submission,
            "moderation": moderation,
            "answers": [
                {
                    "label": label,
                    "text": getattr(submission, field),
                    "suggestions": suggestions[field],
                }
                for field, label in ANSWERS
            ],
            "form": form,
            "review_pending": workflow.review_pending(submission),
            "needs_review": workflow.needs_review(submission),
            "review": workflow.review_of(submission),
            "timeline": submission.timeline.all(),
            "back_link": reverse("moderation:submissions"),
        },
    )


def _saved_message(decision: str) -> str:
    return {
        ModerationStatus.PUBLISHED: "Published",
        ModerationStatus.PRIVATE: "Saved and kept private",
    }.get(decision, "Saved")


def _initial(submission: Any, moderation: Any) -> dict[str, Any]:
    """What the form starts with: the saved moderation, or for a first reading the
    suggested themes and sentiment and the text with suggested redactions applied."""
    if moderation.pk:
        return {
            "themes": moderation.themes,
            "sentiment": moderation.sentiment,
            "public_what_was_good": moderation.public_what_was_good,
            "public_what_could_be_better": moderation.public_what_could_be_better,
            "decision": moderation.status,
        }
    answers = (submission.what_was_good, submission.what_could_be_better)
    return {
        "themes": suggested_themes(*answers),
        "sentiment": suggested_sentiment(*answers),
        "public_what_was_good": redact(submission.what_was_good),
        "public_what_could_be_better": redact(submission.what_could_be_better),
    }


@permission_required(MODERATE_FEEDBACK, raise_exception=True)
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    """Write or change the public response to a published comment."""
    submission = _submission(reference)
    moderation = workflow.moderation_of(submission)
    if not (moderation.pk and moderation.is_published):
        raise Http404("only published feedback can have a public response")
    existing = getattr(submission, "public_response", None)
    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            workflow.save_response(submission, form.cleaned_data["text"], by=request.user)
            messages.success(request, "Response published")
            return redirect("moderation:moderate", reference=reference)
    else:
        form = ResponseForm(initial={"text": existing.text} if existing else None)
    return render(
        request,
        "moderation/respond.jinja",
        {
            "submission": submission,
            "moderation": moderation,
            "form": form,
            "back_link": reverse("moderation:moderate", kwargs={"reference": reference}),
        },
    )


# --- "You said, we did" (the PCREF lead: manage the plan and publications) ---------------


def _comment_choices(entry: YouSaidWeDid | None) -> list[tuple[str, str]]:
    """Published comments people can link, labelled with their public text; comments
    already linked stay listed even if since unpublished, so they can be unlinked."""
    linked = set(entry.comments.values_list("pk", flat=True)) if entry and entry.pk else set()
    Submission = workflow.submission_model()
    rows = Submission.objects.filter(
        moderation__status=ModerationStatus.PUBLISHED
    ) | Submission.objects.filter(pk__in=linked)
    choices = []
    for submission in rows.select_related("moderation").order_by("-received_at").distinct():
        moderation = workflow.moderation_of(submission)
        text = moderation.public_what_could_be_better or moderation.public_what_was_good
        short = text if len(text) <= 140 else text[:139] + "…"
        choices.append((submission.reference, f"{submission.reference}: {short}"))
    return choices


@permission_required(MANAGE_PCREF_PLAN, raise_exception=True)
@require_http_methods(["GET"])
def entries(request: HttpRequest) -> HttpResponse:
    """Every "you said, we did" entry, drafts included."""
    return render(
        request,
        "moderation/entries.jinja",
        {"entries": YouSaidWeDid.objects.all()},
    )


@permission_required(MANAGE_PCREF_PLAN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write or change a "you said, we did" entry and add dated progress updates."""
    entry = get_object_or_404(YouSaidWeDid, pk=pk) if pk is not None else YouSaidWeDid()
    choices = {"theme_choices": theme_choices(), "comment_choices": _comment_choices(entry)}
    form = EntryForm(initial=_entry_initial(entry), **choices) if entry.pk else EntryForm(**choices)
    update_form = ProgressUpdateForm(initial={"status": entry.status})
    if request.method == "POST" and request.POST.get("action") == "update" and entry.pk:
        update_form = ProgressUpdateForm(request.POST)
        if update_form.is_valid():
            _add_update(request, entry, update_form.cleaned_data)
            messages.success(request, "Update added")
            return redirect("moderation:entry_edit", pk=entry.pk)
    elif request.method == "POST":
        form = EntryForm(request.POST, **choices)
        if form.is_valid():
            _save_entry(request, entry, form.cleaned_data)
            messages.success(request, "Entry saved")
            return redirect("moderation:entry_edit", pk=entry.pk)
    bound = update_form if update_form.is_bound else form
    return render(
        request,
        "moderation/entry.jinja",
        {
            "entry": entry,
            "entry_form": form,
            "update_form": update_form,
            "form": bound if bound.is_bound else None,
            "back_link": reverse("moderation:entries"),
        },
    )


def _entry_initial(entry: YouSaidWeDid) -> dict[str, Any]:
    return {
        "title": entry.title,
        "themes": entry.themes,
        "what_people_said": entry.what_people_said,
        "what_we_did": entry.what_we_did,
        "status": entry.status,
        "comments": list(entry.comments.values_list("reference", flat=True)),
        "published": entry.published,
    }


def _save_entry(request: HttpRequest, entry: YouSaidWeDid, data: dict[str, Any]) -> None:
    creating = entry.pk is None
    for name in ("title", "themes", "what_people_said", "what_we_did", "status"):
        setattr(entry, name, data[name])
    if data["published"] and not entry.published:
        entry.published_at = timezone.now()
    entry.published = data["published"]
    if creating:
        entry.created_by = request.user
    entry.save()
    entry.comments.set(
        workflow.submission_model().objects.filter(reference__in=data["comments"])
    )
    record(
        AuditAction.YOU_SAID_WE_DID_SAVED,
        request=request,
        obj=entry,
        detail={"created": creating, "published": entry.published},
    )


def _add_update(request: HttpRequest, entry: YouSaidWeDid, data: dict[str, Any]) -> None:
    ProgressUpdate.objects.create(
        entry=entry, status=data["status"], text=data["text"], written_by=request.user
    )
    entry.status = data["status"]
    entry.save(update_fields=["status", "updated_at"])
    record(
        AuditAction.YOU_SAID_WE_DID_UPDATED,
        request=request,
        obj=entry,
        detail={"status": data["status"]},
    )
