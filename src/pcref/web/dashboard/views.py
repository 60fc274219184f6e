"""Dashboard pages (people whose role includes ``view_results``): the landing page, where
the biggest gaps are, and each metric's page with its charts and CSV download."""

import csv

from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import json_script
from django.views.decorators.http import require_http_methods

from pcref.web.accounts.roles import EXPORT_RESULTS, VIEW_RESULTS, disclosure_policy_for
from pcref.web.core import audit
from pcref.web.core.csv_export import spreadsheet_safe
from pcref.web.dashboard.figures import (
    RUN_PARAMETER,
    cached_for,
    figure_frame,
    figures_for,
    query_string,
    run_context,
    run_for,
)
from pcref.web.dashboard.forms import ALL_FAMILIES, GapsFilterForm, MetricFilterForm
from pcref.web.dashboard.gaps import (
    ETHNICITY_BREAKDOWNS,
    PREFERRED_OVER,
    Gap,
    MetricFacts,
    biggest_gaps,
)
from pcref.web.dashboard.metric_page import (
    DOWNLOAD_COLUMNS,
    DOWNLOAD_TEXT_COLUMNS,
    IMPROVEMENT_WORDS,
    METHOD_DOCS,
    TIME_BREAKDOWNS,
    breakdown_label,
    download_rows,
    metric_page,
)
from pcref.web.dashboard.models import Metric, ResultsRun

# --- Biggest gaps and metric pages (issue 5, part 2) ------------------------------------------
# Figures come only through figures_for (the person's disclosure policy); the page logic is in
# gaps.py and metric_page.py, which work on pandas frames of results rows.

def _no_run(request: HttpRequest, page_title: str) -> HttpResponse:
    return render(request, "dashboard/no_run.jinja", {"page_title": page_title})


def _gaps(request: HttpRequest, run: ResultsRun, metrics: list[Metric],
          chosen: dict[str, str]) -> list[Gap]:
    """The biggest gaps for the chosen filters under the person's policy."""
    filters = {"period": chosen["period"], "breakdown": chosen["breakdown"],
               "subgroup__isnull": True}
    if chosen["family"]:
        filters["metric__family"] = chosen["family"]
    rows = figures_for(request.user, run, **filters).filter(
        Q(significance__startswith="higher than") | Q(significance__startswith="lower than")
        | Q(significance="reference group")
    )
    statistics: dict[str, list[str]] = {}
    for metric_id, statistic in (
        figures_for(request.user, run).order_by()
        .values_list("metric__metric_id", "statistic").distinct()
    ):
        statistics.setdefault(metric_id, []).append(statistic)
    facts = {
        m.metric_id: MetricFacts(
            metric_id=m.metric_id, title=m.title, family=m.family, method=m.method,
            improvement_direction=m.improvement_direction, sentence=m.sentence,
            statistics=tuple(statistics.get(m.metric_id, ())),
        )
        for m in metrics
    }
    return biggest_gaps(figure_frame(rows), facts)


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def gaps(request: HttpRequest) -> HttpResponse:
    """Where are the biggest gaps: every clear difference from the reference group on
    the ethnicity breakdowns of one period, largest first, in words with the interval."""
    run = run_for(request)
    if run is None:
        return _no_run(request, "Where are the biggest gaps")
    metrics = list(Metric.objects.filter(run=run))
    families = sorted({m.family for m in metrics})
    form = GapsFilterForm(
        request.GET,
        choices={
            "period": [(p, p) for p in run.periods],
            "family": [(ALL_FAMILIES, "All families"), *((f, f) for f in families)],
            "breakdown": list(ETHNICITY_BREAKDOWNS.items()),
        },
        defaults={"period": run.periods[-1], "family": ALL_FAMILIES,
                  "breakdown": "ethnicity_5"},
    )
    chosen = form.chosen()
    found = cached_for(request, run, "gaps", *chosen.values(),
                       build=lambda: _gaps(request, run, metrics, chosen))
    run_parameter = request.GET.get(RUN_PARAMETER, "")
    items = [
        {
            "gap": gap,
            "href": reverse("dashboard:metric", kwargs={"metric_id": gap.metric_id}) + query_string(
                period=chosen["period"], breakdown=gap.breakdown, statistic=gap.statistic,
                run=run_parameter,
            ),
        }
        for gap in found
    ]
    return render(request, "dashboard/gaps.jinja", {
        **run_context(request),  # the run banner and selector (dashboard/_run.jinja)
        "page_title": "Where are the biggest gaps",
        "run": run,
        "form": form if form.errors else None,
        "filters": form,
        "chosen": chosen,
        "breakdown_words": ETHNICITY_BREAKDOWNS[chosen["breakdown"]],
        "items": items,
        "counts": {d: sum(1 for g in found if g.direction == d)
                   for d in ("worse", "better", "different")},
        "run_parameter": run_parameter,
        "disclosure_policy": disclosure_policy_for(request.user),
    })


def _metric_and_page(request: HttpRequest, metric_id: str):
    """The run, metric, filter form and built page for a metric request (404 when the
    run has no such metric)."""
    run = run_for(request)
    if run is None:
        raise Http404("No results run is loaded.")
    metric = get_object_or_404(Metric, run=run, metric_id=metric_id)
    rows = figures_for(request.user, run, metric=metric)
    order = {b: i for i, b in enumerate(metric.breakdowns)}
    one_way = rows.filter(subgroup__isnull=True).order_by().values_list("breakdown", flat=True)
    breakdowns = sorted(
        {b for b in one_way.distinct() if b != "total" and b not in TIME_BREAKDOWNS},
        key=lambda b: (order.get(b, len(order)), b),
    )
    statistics = list(dict.fromkeys(rows.values_list("statistic", flat=True)))
    if not breakdowns or not statistics:
        raise Http404("This metric has no figures in this run.")
    default_statistic = next(
        (PREFERRED_OVER[s] for s in statistics if PREFERRED_OVER.get(s) in statistics),
        statistics[0],
    )
    form = MetricFilterForm(
        request.GET,
        choices={
            "period": [(p, p) for p in run.periods],
            "breakdown": [(b, breakdown_label(b)) for b in breakdowns],
            "statistic": [(s, s[:1].upper() + s[1:].replace("_", " ")) for s in statistics],
        },
        defaults={"period": run.periods[-1],
                  "breakdown": "ethnicity_5" if "ethnicity_5" in breakdowns else breakdowns[0],
                  "statistic": default_statistic},
    )
    chosen = form.chosen()
    page = cached_for(request, run, "metric", metric_id, *chosen.values(),
                      build=lambda: metric_page(metric, figure_frame(rows), **chosen))
    return run, metric, form, chosen, page


@permission_required(VIEW_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def metric(request: HttpRequest, metric_id: str) -> HttpResponse:
    """One metric: definition, filters, charts each with its data table, the comparison
    with the reference group in words, and the SQL that made the figures."""
    run, metric, form, chosen, page = _metric_and_page(request, metric_id)
    run_parameter = request.GET.get(RUN_PARAMETER, "")
    sections = [
        {
            "section": section,
            "spec": json_script(section.chart, f"chart-spec-{section.key}")
            if section.chart else "",
        }
        for section in page.sections
    ]
    return render(request, "dashboard/metric.jinja", {
        **run_context(request),  # the run banner and selector (dashboard/_run.jinja)
        "page_title": metric.title,
        "run": run,
        "metric": metric,
        "form": form if form.errors else None,
        "filters": form,
        "chosen": chosen,
        "page": page,
        "sections": sections,
        "improvement": IMPROVEMENT_WORDS.get(metric.improvement_direction, ""),
        "method_docs": METHOD_DOCS.get(metric.method, "docs/methods.md"),
        "reference_group": (metric.reference_group or {}).get(chosen["breakdown"]),
        "can_export": request.user.has_perm(EXPORT_RESULTS),
        "csv_href": reverse("dashboard:metric_csv", kwargs={"metric_id": metric.metric_id})
        + query_string(**chosen, run=run_parameter),
        "gaps_href": reverse("dashboard:gaps") + query_string(period=chosen["period"],
                                                        run=run_parameter),
        "run_parameter": run_parameter,
        "disclosure_policy": disclosure_policy_for(request.user),
    })


def spreadsheet_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Download rows with their words quoted where a spreadsheet would run them as a
    formula (``spreadsheet_safe``); numbers are left as they are."""
    return [{**row, **{k: spreadsheet_safe(row[k]) for k in DOWNLOAD_TEXT_COLUMNS}}
            for row in rows]


@permission_required(VIEW_RESULTS, raise_exception=True)
@permission_required(EXPORT_RESULTS, raise_exception=True)
@require_http_methods(["GET"])
def metric_csv(request: HttpRequest, metric_id: str) -> HttpResponse:
    """The metric page's figures as CSV, exactly as the page shows them to this person,
    with the metric's definition on every row. Recorded in the audit log."""
    run, metric, _, chosen, page = _metric_and_page(request, metric_id)
    policy = disclosure_policy_for(request.user)
    rows = download_rows(metric, page, run_id=run.run_id, disclosure_policy=policy.name)
    filename = f"{metric.metric_id}-{chosen['period']}-{chosen['breakdown']}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.DictWriter(response, fieldnames=list(DOWNLOAD_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(spreadsheet_rows(rows))
    audit.record_export(request, metric, file_format="csv", disclosure_policy=policy.name,
                        run_id=run.run_id, rows=len(rows), **chosen)
    return response
