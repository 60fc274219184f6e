"""The board report's contents, read from the app database for one results run, period and
disclosure policy: the core measures by ethnic group with Making Data Count charts and
icons, the biggest gaps in words, feedback themes and experience by community, the action
plan's status and self-assessment progress.

The same :class:`BoardReport` feeds the staff page, the PDF and ``pcref report board``
(one template, ``publication/_board_report.jinja``). Figures come only from the loaded
rows of the policy asked for: the web passes the person's (``policy_rows_for``), the
command the public policy unless told otherwise, since board papers are usually published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from pcref.listening.experience import FFT_POSITIVE, THEME_SHARE
from pcref.web.dashboard.figures import PAGE_CACHE_SECONDS, figure_frame
from pcref.web.dashboard.gaps import Gap, MetricFacts, biggest_gaps
from pcref.web.dashboard.models import Figure, Metric, ResultsRun
from pcref.web.dashboard.shown import shown_frame
from pcref.web.governance.choices import ActionStatus, Rag
from pcref.web.governance.models import Action, SelfAssessment
from pcref.web.governance.progress import assessment_rows
from pcref.web.publication.core_measures import (
    CORE_MEASURES,
    ETHNICITY,
    TREND_BREAKDOWNS,
    CoreMeasure,
    core_measure,
)

#: How many of the biggest gaps the report lists (the dashboard page lists them all).
GAPS_SHOWN = 10
#: How many themes are listed for each community.
THEMES_SHOWN = 3


@dataclass
class Community:
    """Feedback from one ethnic group: FFT % positive and the themes most often raised."""

    group: str
    fft_positive: str
    fft_interval: str
    themes: list[tuple[str, str]]  # (theme, share as shown)


@dataclass
class BoardReport:
    run: ResultsRun
    period: str
    policy: str
    generated_at: dt.datetime
    core: list[CoreMeasure]
    gaps: list[Gap]
    gaps_total: int
    feedback_run: ResultsRun | None = None
    communities: list[Community] = field(default_factory=list)
    action_counts: list[tuple[str, int]] = field(default_factory=list)
    rag_counts: list[tuple[str, str, int]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    assessment: SelfAssessment | None = None
    previous_assessment: SelfAssessment | None = None
    assessment_parts: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)


class ReportError(ValueError):
    """The report cannot be made as asked (no run, or a period the run does not have)."""


def _metric_facts(run: ResultsRun, policy: str) -> dict[str, MetricFacts]:
    statistics: dict[str, list[str]] = {}
    for metric_id, statistic in (
        Figure.objects.filter(run=run, disclosure_policy=policy).order_by()
        .values_list("metric__metric_id", "statistic").distinct()
    ):
        statistics.setdefault(metric_id, []).append(statistic)
    return {
        m.metric_id: MetricFacts(
            metric_id=m.metric_id, title=m.title, family=m.family, method=m.method,
            improvement_direction=m.improvement_direction, sentence=m.sentence,
            statistics=tuple(statistics.get(m.metric_id, ())),
        )
        for m in Metric.objects.filter(run=run)
    }


def report_gaps(run: ResultsRun, period: str, policy: str) -> list[Gap]:
    """Every clear difference on the five ethnic groups, largest first (the dashboard's
    ranking, :func:`pcref.web.dashboard.gaps.biggest_gaps`)."""
    rows = Figure.objects.filter(run=run, disclosure_policy=policy, period=period,
                                 breakdown=ETHNICITY, subgroup__isnull=True)
    return biggest_gaps(figure_frame(rows), _metric_facts(run, policy))


def core_measures(run: ResultsRun, period: str, policy: str, *,
                  with_trends: bool = True) -> list[CoreMeasure]:
    """The core measures the run has, each by ethnic group (and trend) for ``period``."""
    breakdowns = [ETHNICITY] + ([b for _, b in TREND_BREAKDOWNS] if with_trends else [])
    metrics = {m.metric_id: m for m in Metric.objects.filter(run=run,
                                                             metric_id__in=CORE_MEASURES)}
    measures = []
    for metric_id in CORE_MEASURES:
        metric = metrics.get(metric_id)
        if metric is None:
            continue
        rows = figure_frame(Figure.objects.filter(
            run=run, disclosure_policy=policy, metric=metric, breakdown__in=breakdowns))
        rows["subgroup"] = rows["subgroup"].where(rows["subgroup"].notna(), None)
        measure = core_measure(metric, rows, period, with_trends=with_trends)
        if measure is not None:
            measures.append(measure)
    return measures


def cache_key(run: ResultsRun, *parts: str) -> str:
    """A cache key for figures of ``run`` (its id, load time and primary key name it
    exactly, as the dashboard's keys do) and ``parts``."""
    names = [run.run_id, run.loaded_at.isoformat(), str(run.pk), *parts]
    return "publication:" + hashlib.sha256("\x1f".join(names).encode()).hexdigest()


def figure_sections(run: ResultsRun, period: str, policy: str, *, with_trends: bool = True
                    ) -> tuple[list[CoreMeasure], list[Gap]]:
    """The core measures and every gap, kept in the cache as the dashboard keeps its pages'
    figures (a loaded run never changes; the plan and assessments are always read afresh)."""
    key = cache_key(run, policy, "publication", period, str(with_trends))
    found = cache.get(key)
    if found is None:
        found = (core_measures(run, period, policy, with_trends=with_trends),
                 report_gaps(run, period, policy))
        cache.set(key, found, PAGE_CACHE_SECONDS)
    return found


def feedback_run_for(period: str) -> ResultsRun | None:
    """The newest loaded run with experience metrics (``pcref feedback results``) for
    ``period``; None when there is none."""
    for run in ResultsRun.objects.filter(metrics__metric_id=THEME_SHARE).distinct():
        if period in run.periods:
            return run
    return None


def communities(run: ResultsRun, period: str, policy: str) -> list[Community]:
    """FFT % positive and the most common themes for each ethnic group, as published
    under ``policy`` (withheld shares are left out; a withheld FFT figure shows ``*``)."""
    rows = figure_frame(Figure.objects.filter(
        run=run, disclosure_policy=policy, period=period, breakdown=ETHNICITY,
        subgroup__isnull=True, metric__metric_id__in=(FFT_POSITIVE, THEME_SHARE)))
    if rows.empty:
        return []
    shown = shown_frame(rows)
    shown["metric_id"] = rows["metric_id"].to_numpy()
    out = []
    for group in dict.fromkeys(shown["group"]):
        mine = shown.loc[shown["group"] == group]
        fft = mine.loc[mine["metric_id"] == FFT_POSITIVE]
        themes = mine.loc[(mine["metric_id"] == THEME_SHARE) & mine["value"].notna()
                          & (mine["value"] > 0)]
        themes = themes.sort_values(["value", "statistic"], ascending=[False, True])
        fft_row = fft.iloc[0] if len(fft) else None
        out.append(Community(
            group=group,
            fft_positive="" if fft_row is None else (
                "*" if fft_row["withheld"] else fft_row["value_text"]),
            fft_interval="" if fft_row is None else fft_row["interval_text"],
            themes=[(t["statistic"], t["value_text"])
                    for t in themes.head(THEMES_SHOWN).to_dict("records")],
        ))
    return out


def build_board_report(run: ResultsRun | None, period: str | None, policy: str) -> BoardReport:
    """The board report for ``period`` (default: the run's latest) under ``policy``."""
    if run is None:
        raise ReportError("No results run is loaded: load one with `pcref load` first.")
    period = period or run.periods[-1]
    if period not in run.periods:
        raise ReportError(f"Results run {run.run_id} has no period {period!r}; it has "
                          f"{', '.join(run.periods)}.")
    core, gaps = figure_sections(run, period, policy)
    report = BoardReport(
        run=run, period=period, policy=policy, generated_at=timezone.now(),
        core=core, gaps=gaps[:GAPS_SHOWN], gaps_total=len(gaps),
    )
    report.feedback_run = feedback_run_for(period)
    if report.feedback_run is not None:
        report.communities = communities(report.feedback_run, period, policy)
    actions = list(Action.objects.prefetch_related("updates"))
    statuses = Counter(a.status for a in actions)
    rags = Counter(a.rag for a in actions)
    report.actions = actions
    report.action_counts = [(label, statuses[value]) for value, label in ActionStatus.choices]
    report.rag_counts = [(value, label, rags[value]) for value, label in Rag.choices]
    kept = list(SelfAssessment.objects.prefetch_related("scores")[:2])
    if kept:
        report.assessment = kept[0]
        report.previous_assessment = kept[1] if len(kept) > 1 else None
        report.assessment_parts = assessment_rows(kept[0], report.previous_assessment)
    return report

