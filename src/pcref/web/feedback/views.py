"""The public feedback form: start page, question pages, thank-you page. No sign-in.

Plain HTML forms posted to the server, one page after another (post, then redirect), so
the form works without JavaScript. Each page is rendered in its flow's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.core.languages import language_links
from pcref.web.core.rate_limit import HourlyLimit
from pcref.web.feedback import drafts
from pcref.web.feedback.flows import LANGUAGE_FLOWS, Flow, Step
from pcref.web.feedback.forms import HONEYPOT_FIELD
from pcref.web.feedback.models import new_reference
from pcref.web.feedback.submission import record_submission

#: Pieces of feedback one connection may send an hour (docs/feedback.md, Spam and abuse).
FEEDBACK_LIMIT = HourlyLimit("feedback", "PCREF_FEEDBACK_SUBMISSIONS_PER_HOUR")


def _render(
    request: HttpRequest,
    flow: Flow,
    template: str,
    context: dict[str, Any],
    *,
    switch_to: str,
    switch_args: tuple[str, ...] = (),
    status: int = 200,
) -> HttpResponse:
    """Render ``template`` in the flow's language, with links to the same page in the
    other languages (the language switcher)."""
    languages = language_links(
        LANGUAGE_FLOWS, flow.key, lambda key: reverse(switch_to, args=(key, *switch_args))
    )
    with translation.override(flow.language):
        response = render(
            request,
            template,
            {"flow": flow, "language_links": languages, **context},
            status=status,
        )
    response["Content-Language"] = flow.html_lang
    return response


def _step_url(flow: Flow, step: Step) -> str:
    return reverse("feedback:step", args=(flow.key, step.slug))


@login_not_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """``/feedback/``: the English start page, which links to the other languages."""
    return redirect("feedback:start", "en")


@login_not_required
@require_http_methods(["GET"])
def start(request: HttpRequest, flow: Flow) -> HttpResponse:
    """What the form is for, what happens to feedback, where to get urgent help."""
    template = "feedback/easy_read/start.jinja" if flow.easy_read else "feedback/start.jinja"
    return _render(
        request,
        flow,
        template,
        {
            "first_step": _step_url(flow, flow.steps[0]),
            "retention_years": round(settings.PCREF_FEEDBACK_RETENTION_DAYS / 365),
        },
        switch_to="feedback:start",
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, flow: Flow, slug: str) -> HttpResponse:
    """One page of questions. Pages are answered in order; the last one sends."""
    current = flow.step(slug)
    position = flow.index(current)
    draft = drafts.load(request, flow)
    missing = draft.first_unanswered(flow, position)
    if missing is not None:
        return redirect("feedback:step", flow.key, missing)

    form_class = current.form_class
    # A question that depends on an earlier answer is checked against it.
    earlier = {"earlier": draft.answers} if getattr(form_class, "needs_earlier_answers", 0) else {}
    if request.method == "POST":
        form = form_class(request.POST, **earlier)
        skipping = current.skippable and "skip" in request.POST
        if skipping or form.is_valid():
            if form.filled_by_a_program():
                draft.filled_by_a_program = True
            answers = dict.fromkeys(form.fields, "") if skipping else dict(form.cleaned_data)
            answers.pop(HONEYPOT_FIELD, None)
            draft.record(current.slug, answers)
            if position + 1 < len(flow.steps):
                drafts.save(request, flow, draft)
                return redirect(_step_url(flow, flow.steps[position + 1]))
            return _send(request, flow, draft)
    else:
        initial = {k: v for k, v in draft.answers.items() if v not in ("", None)}
        form = form_class(initial=initial, **earlier)

    back = (
        _step_url(flow, flow.steps[position - 1])
        if position
        else reverse("feedback:start", args=(flow.key,))
    )
    return _render(
        request,
        flow,
        current.template,
        {
            "form": form,
            "step": current,
            "page_title": current.title,
            "back_link": back,
            "is_last": position + 1 == len(flow.steps),
            "step_number": position + 1,
            "step_count": len(flow.steps),
        },
        switch_to="feedback:step",
        switch_args=(current.slug,),
    )


def _send(request: HttpRequest, flow: Flow, draft: drafts.Draft) -> HttpResponse:
    """Commit the feedback (unless a program filled it in), then show the thank-you page."""
    if not FEEDBACK_LIMIT.may_send(request):
        drafts.save(request, flow, draft)
        return _render(
            request,
            flow,
            "feedback/too_many.jinja",
            {"page_title": _too_many_title(flow)},
            switch_to="feedback:start",
            status=429,
        )
    if draft.filled_by_a_program:
        reference = new_reference()  # looks the same to the program; nothing is kept
    else:
        reference = record_submission(flow, draft.answers).reference
    FEEDBACK_LIMIT.count_sent(request)
    drafts.finish(request, flow, reference)
    return redirect("feedback:thank_you", flow.key)


def _too_many_title(flow: Flow) -> str:
    with translation.override(flow.language):
        return gettext("You have sent a lot of feedback")


@login_not_required
@never_cache
@require_http_methods(["GET"])
def thank_you(request: HttpRequest, flow: Flow) -> HttpResponse:
    """The confirmation, with the reference and crisis signposting. Only after sending."""
    reference = drafts.sent_reference(request)
    if reference is None:
        return redirect("feedback:start", flow.key)
    template = (
        "feedback/easy_read/thank_you.jinja" if flow.easy_read else "feedback/thank_you.jinja"
    )
    return _render(
        request, flow, template, {"reference": reference}, switch_to="feedback:thank_you"
    )
