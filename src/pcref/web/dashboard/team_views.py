"""Team profiles and data quality (issue 5, part 3): the list of teams, each team's caseload
profile with its recording completeness against the trust, and the data-quality page.

Figures come only through :func:`~pcref.web.dashboard.figures.figures_for` (the person's
disclosure policy); what the pages show is built in ``team_profile.py`` and
``data_quality.py`` from pandas frames of results rows.
"""

from __future__ import annotations

import pandas as pd
from django.contrib.auth.decorators import permission_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from pcref.web.accounts.roles import VIEW_RESULTS, disclosure_policy_for
from pcref.web.dashboard import data_quality
from pcref.web.dashboard.figures import (
    cached_for,
    figure_frame,
    figures_for,
    query_string,
    run_context,
)
from pcref.web.dashboard.forms import DataQualityForm, PeriodForm
from pcref.web.dashboard.models import Figure, Metric, ResultsRun
from pcref.web.dashboard.team_profile import (
    CASELOAD_METRIC,
    COVERAGE,
    RECORDING_METRICS,
    TEAM,
    TeamEntry,
    TeamProfile,
    team_profile,
    teams,
)

#: Figure fields the team pages read (no comparison columns: shown as counts and shares).
TEAM_FIGURE_FIELDS = (
    "period", "breakdown", "group", "subgroup", "statistic", "numerator", "denominator",
    "value", "lower", "upper", "significance", "suppressed", "status", "display_value",
)
#: Value of the data-quality page's team filter meaning the trust only.
NO_TEAM = ""


def _frame(figures: QuerySet[Figure]) -> pd.DataFrame:
    return figure_frame(figures, TEAM_FIGURE_FIELDS)


def _no_run(request: HttpRequest, page_title: str, context: dict) -> HttpResponse:
    return render(request, "dashboard/no_run.jinja", {**context, "page_title": page_title})


def _not_in_run(request: HttpRequest, page_title: str, context: dict, what: str) -> HttpResponse:
    """The run has no figures for this page (an older run, or the metric failed)."""
    return render(request, "dashboard/team_unavailable.jinja", {
        **context, "page_title": page_title, "what": what,
    })


def _caseload_metric(run: ResultsRun) -> Metric | None:
    return Metric.objects.filter(run=run, metric_id=CASELOAD_METRIC).first()


def _team_entries(request: HttpRequest, run: ResultsRun, metric: Metric,
                  period: str) -> list[TeamEntry]:
    def build() -> list[TeamEntry]:
        rows = figures_for(request.user, run, metric=metric, period=period, breakdown=TEAM)
        return teams(_frame(rows))

    return cached_for(request, run, "teams", period, build=build)


def _period_form(request: HttpRequest, run: ResultsRun) -> PeriodForm:
    return PeriodForm(request.GET, choices={"period": [(p, p) for p in run.periods]},
                      defaults={"period": run.periods[-1]})


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def team_list(request: HttpRequest) -> HttpResponse:
    """Every team with people in its caseload in the period, linking to its profile."""
    context = run_context(request)
    run = context["run"]
    title = "Team profiles"
    if run is None:
        return _no_run(request, title, context)
    metric = _caseload_metric(run)
    if metric is None:
        return _not_in_run(request, title, context, "team caseloads")
    form = _period_form(request, run)
    chosen = form.chosen()
    entries = _team_entries(request, run, metric, chosen["period"])
    run_parameter = request.GET.get("run", "")
    links = [
        {"entry": e, "link": format_html(
            '<a href="{}">{}</a>',
            reverse("dashboard:team", kwargs={"team": e.slug})
            + query_string(period=chosen["period"], run=run_parameter),
            e.name,
        )}
        for e in entries
    ]
    return render(request, "dashboard/teams.jinja", {
        **context,
        "page_title": title,
        "form": form if form.errors else None,
        "filters": form,
        "chosen": chosen,
        "teams": links,
        "run_parameter": run_parameter,
        "data_quality_href": reverse("dashboard:data_quality") + context["run_query"],
        "disclosure_policy": disclosure_policy_for(request.user),
    })


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def team(request: HttpRequest, team: str) -> HttpResponse:
    """One team's caseload profile beside the trust's, and its recording completeness."""
    context = run_context(request)
    run = context["run"]
    if run is None:
        raise Http404("No results run is loaded.")
    metric = _caseload_metric(run)
    if metric is None:
        raise Http404("This results run has no team caseloads.")
    form = _period_form(request, run)
    chosen = form.chosen()
    period = chosen["period"]
    named = {e.slug: e.name for e in _team_entries(request, run, metric, period)}
    if team not in named:
        raise Http404("No team of that name has a caseload in this period.")
    name = named[team]

    def build() -> TeamProfile:
        # The trust's one-way rows and this team's cells only: a few hundred rows, not every
        # team's crosses.
        caseload = _frame(figures_for(request.user, run, metric=metric, period=period).filter(
            Q(subgroup__isnull=True) | Q(breakdown__startswith=f"{TEAM} x ", group=name)))
        dq_metrics = {m.metric_id: m.title for m in
                      Metric.objects.filter(run=run, metric_id__in=list(RECORDING_METRICS))}
        dq_rows = _frame(figures_for(
            request.user, run, metric__metric_id__in=list(dq_metrics), period=period,
            statistic=COVERAGE, breakdown__in=["total", TEAM],
        ))
        return team_profile(name, period, caseload, dq_rows, dq_metrics)

    profile = cached_for(request, run, "profile", name, period, build=build)
    run_parameter = request.GET.get("run", "")
    return render(request, "dashboard/team.jinja", {
        **context,
        "page_title": name,
        "team_slug": team,
        "metric": metric,
        "profile": profile,
        "sections": [{"section": s, "spec": ""} for s in profile.sections],
        "form": form if form.errors else None,
        "filters": form,
        "run_parameter": run_parameter,
        "teams_href": reverse("dashboard:teams") + query_string(period=period, run=run_parameter),
        "data_quality_href": reverse("dashboard:data_quality") + query_string(
            period=period, team=team, run=run_parameter),
        "disclosure_policy": disclosure_policy_for(request.user),
    })


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def data_quality_page(request: HttpRequest) -> HttpResponse:
    """Each recording-quality metric by team (worst coverage first) and over time."""
    context = run_context(request)
    run = context["run"]
    title = "Data quality"
    if run is None:
        return _no_run(request, title, context)
    metrics = {m.metric_id: m for m in
               Metric.objects.filter(run=run, metric_id__in=list(RECORDING_METRICS))}
    ids = data_quality.recording_metric_ids(list(metrics))
    if not ids:
        return _not_in_run(request, title, context, "recording-quality figures")
    caseload = _caseload_metric(run)
    entries = (_team_entries(request, run, caseload, run.periods[-1])
               if caseload is not None else [])
    team_names = {e.slug: e.name for e in entries}
    if not team_names:
        named = figures_for(request.user, run, metric=metrics[ids[0]], breakdown=TEAM)
        team_names = {e.slug: e.name for e in teams(_frame(named))}
    form = DataQualityForm(
        request.GET,
        choices={
            "metric": [(i, metrics[i].title) for i in ids],
            "period": [(p, p) for p in run.periods],
            "statistic": [(s, s.capitalize()) for s in data_quality.STATISTICS],
            "time": list(data_quality.TIME_BREAKDOWNS.items()),
            "team": [(NO_TEAM, "The trust only"), *team_names.items()],
        },
        defaults={"metric": ids[0], "period": run.periods[-1], "statistic": COVERAGE,
                  "time": data_quality.TEAM_TIME, "team": NO_TEAM},
    )
    chosen = form.chosen()
    metric = metrics[chosen["metric"]]
    team_name = team_names.get(chosen["team"]) if chosen["team"] else None

    def build() -> list:
        # The ranking's period, and the chosen statistic over time for the trust and team.
        rows = _frame(figures_for(request.user, run, metric=metric).filter(
            Q(period=chosen["period"], breakdown__in=["total", TEAM])
            | Q(statistic=chosen["statistic"], breakdown=chosen["time"])
            | Q(statistic=chosen["statistic"], breakdown=f"{TEAM} x {data_quality.TEAM_TIME}",
                group=team_name or "")
        ))
        return [
            data_quality.by_team(rows, metric.title, chosen["period"]),
            data_quality.over_time(rows, chosen["statistic"], chosen["time"], team_name),
        ]

    sections = cached_for(request, run, "data-quality", metric.metric_id, chosen["period"],
                       chosen["statistic"], chosen["time"], team_name or "", build=build)
    return render(request, "dashboard/data_quality.jinja", {
        **context,
        "page_title": title,
        "metric": metric,
        "definitions": data_quality.definitions(metric.description),
        "sections": [{"section": s, "spec": ""} for s in sections],
        "form": form if form.errors else None,
        "filters": form,
        "chosen": chosen,
        "run_parameter": request.GET.get("run", ""),
        "team_href": (reverse("dashboard:team", kwargs={"team": chosen["team"]})
                      + query_string(period=chosen["period"], run=request.GET.get("run", "")))
        if team_name else "",
        "team_name": team_name,
        "teams_href": reverse("dashboard:teams") + context["run_query"],
        "disclosure_policy": disclosure_policy_for(request.user),
    })
