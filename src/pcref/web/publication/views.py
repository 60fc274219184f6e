"""Publication pages: the board report for staff (page and PDF download) and the public
PCREF page with its download of published figures (no sign-in)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from pcref.web.accounts.roles import EXPORT_RESULTS, VIEW_RESULTS
from pcref.web.core import audit
from pcref.web.dashboard.figures import (
    PAGE_CACHE_SECONDS,
    RUN_PARAMETER,
    current_run,
    policy_rows_for,
    run_context,
    run_for,
)
from pcref.web.dashboard.models import PUBLIC_POLICY
from pcref.web.feedback.flows import Flow
from pcref.web.publication import rendering
from pcref.web.publication.board_report import (
    BoardReport,
    ReportError,
    build_board_report,
    cache_key,
)
from pcref.web.publication.public_languages import (
    ENGLISH,
    PUBLIC_LANGUAGES,
    public_language_links,
)
from pcref.web.publication.public_page import public_page_context
from pcref.web.publication.published_figures import published_figures_zip


def _report(request: HttpRequest) -> BoardReport | None:
    """The board report for the chosen run and period under the person's policy; None when
    no run is loaded. An unknown period falls back to the run's latest."""
    run = run_for(request)
    if run is None:
        return None
    period = request.GET.get("period")
    try:
        return build_board_report(run, period, policy_rows_for(request.user))
    except ReportError:
        return build_board_report(run, None, policy_rows_for(request.user))


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def board_report(request: HttpRequest) -> HttpResponse:
    """The board report as a staff page, with a PDF download for those who may export."""
    report = _report(request)
    if report is None:
        return render(request, "dashboard/no_run.jinja", {"page_title": "PCREF board report"})
    run_parameter = request.GET.get(RUN_PARAMETER, "")
    query = f"?period={report.period}" + (f"&run={run_parameter}" if run_parameter else "")
    return render(request, "publication/board_report.jinja", {
        **run_context(request),
        "report": report,
        "policy_words": rendering.policy_words(report.policy),
        "run_parameter": run_parameter,
        "pdf_href": reverse("publication:board_report_pdf") + query
        if request.user.has_perm(EXPORT_RESULTS) else None,
    })


@permission_required(VIEW_RESULTS, raise_exception=True)
@permission_required(EXPORT_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def board_report_pdf(request: HttpRequest) -> HttpResponse:
    """The board report as a PDF. Recorded in the audit log."""
    report = _report(request)
    if report is None:
        return render(request, "dashboard/no_run.jinja", {"page_title": "PCREF board report"},
                      status=404)
    response = HttpResponse(rendering.board_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="pcref-board-report-{report.period}.pdf"'
    )
    audit.record_export(request, report.run, file_format="pdf",
                        disclosure_policy=report.policy, report="board",
                        period=report.period)
    return response


@login_not_required
@require_http_methods(["GET"])
def public_page(request: HttpRequest, language: Flow | None = None) -> HttpResponse:
    """The public PCREF page: public figures only, whoever is asking, in English
    (``/pcref/``) or one of the feedback form's other languages (``/pcref/pl/``)."""
    language = language or PUBLIC_LANGUAGES[ENGLISH]
    with translation.override(language.language):
        response = render(request, "publication/public.jinja", {
            **public_page_context(),
            "language": language,
            "language_links": public_language_links(language),
        })
    response["Content-Language"] = language.html_lang
    return response


@login_not_required
@require_http_methods(["GET"])
def published_figures(request: HttpRequest) -> HttpResponse:
    """Every published figure of the current run, its metadata and SQL, as a zip."""
    run = current_run()
    if run is None:
        return HttpResponse("No figures have been published yet.", status=404,
                            content_type="text/plain; charset=utf-8")
    key = cache_key(run, PUBLIC_POLICY, "published-figures.zip")
    data = cache.get(key)
    if data is None:
        data = published_figures_zip(run)
        cache.set(key, data, PAGE_CACHE_SECONDS)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="pcref-published-figures-{run.run_id}.zip"'
    )
    return response
