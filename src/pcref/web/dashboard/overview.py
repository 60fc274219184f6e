"""The dashboard landing page and *About the data* (people whose role includes
``view_results``). Both say which results run they show and offer the others."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from pcref.web.accounts.roles import VIEW_RESULTS, disclosure_policy_for
from pcref.web.dashboard import about as about_data
from pcref.web.dashboard.figures import policy_rows_for, run_context
from pcref.web.dashboard.models import INTERNAL_POLICY, Metric


def _metric_href(metric_id: str, run_query: str) -> str | None:
    """The metric's page, once the metric pages exist (None until then)."""
    try:
        return reverse("dashboard:metric", kwargs={"metric_id": metric_id}) + run_query
    except NoReverseMatch:
        return None


def _page_href(name: str, run_query: str) -> str | None:
    try:
        return reverse(name) + run_query
    except NoReverseMatch:
        return None


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """The run's metrics by family, each linking to its page; how to load a run when
    none is loaded."""
    context = run_context(request)
    run = context["run"]
    families: list[dict] = []
    if run is not None:
        internal = policy_rows_for(request.user) == INTERNAL_POLICY
        statuses = {s.metric_id: s for s in
                    about_data.metric_statuses(run.metadata, internal=internal)}
        for metric in Metric.objects.filter(run=run).order_by("family", "title"):
            status = statuses.get(metric.metric_id)
            computed = status is None or status.computed
            entry = {
                "title": metric.title,
                "href": _metric_href(metric.metric_id, context["run_query"]) if computed
                else None,
                "status": None if computed else status,
            }
            if not families or families[-1]["name"] != metric.family:
                families.append({"name": metric.family, "metrics": []})
            families[-1]["metrics"].append(entry)
    return render(request, "dashboard/index.jinja", {
        **context,
        "families": families,
        "gaps_href": _page_href("dashboard:gaps", context["run_query"]),
        "about_href": reverse("dashboard:about") + context["run_query"],
        "disclosure_policy": disclosure_policy_for(request.user),
    })


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def about(request: HttpRequest) -> HttpResponse:
    """About the data: the run's record, its sources, methods and disclosure policies."""
    context = run_context(request)
    run = context["run"]
    page: dict = {}
    if run is not None:
        record = run.metadata
        internal = policy_rows_for(request.user) == INTERNAL_POLICY
        metrics = {m.metric_id: m for m in Metric.objects.filter(run=run)}
        statuses = about_data.metric_statuses(record, internal=internal)
        mhsds_tables, other_tables = about_data.contract_tables()
        page = {
            "facts": about_data.run_facts(record),
            "warnings": record.get("warnings", []),
            "statuses": statuses,
            "not_computed": [s for s in statuses if not s.computed],
            "metric_hrefs": {m: _metric_href(m, context["run_query"]) for m in metrics},
            "methods": about_data.methods_used(
                record, {m: metric.method for m, metric in metrics.items()},
                {m: metric.title for m, metric in metrics.items()}),
            "your_policy": about_data.applied_policy(record, "internal" if internal
                                                      else "public"),
            "public_policy": about_data.applied_policy(record, "public"),
            "sees_internal": internal,
            "mhsds_tables": mhsds_tables,
            "other_tables": other_tables,
            "code_lists": about_data.code_lists(),
        }
    return render(request, "dashboard/about.jinja", {**context, **page})
