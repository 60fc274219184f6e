"""The queries pages use to read a loaded results run, so that no page can pick the wrong
disclosure policy: staff views go through :func:`figures_for`, anything public through
:func:`public_figures`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import pandas as pd
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest

from pcref.web.accounts.roles import disclosure_policy_for
from pcref.web.dashboard.models import (
    INTERNAL_POLICY,
    PUBLIC_POLICY,
    Figure,
    ResultsRun,
)

#: The query-string parameter naming the run a page shows (``?run=<run_id>``).
RUN_PARAMETER = "run"
#: Figure fields read into the pages' frames (the results schema's columns).
FIGURE_FIELDS = (
    "period", "breakdown", "group", "subgroup", "statistic", "numerator", "denominator",
    "value", "lower", "upper", "unit", "comparator", "ratio", "ratio_lower", "ratio_upper",
    "significance", "suppressed", "status", "display_value", "method",
)
#: Seconds a page's figures and charts are kept: a loaded run never changes.
PAGE_CACHE_SECONDS = 600
T = TypeVar("T")


def current_run() -> ResultsRun | None:
    """The run pages show unless someone chooses another; None when nothing is loaded."""
    return ResultsRun.objects.filter(is_current=True).first()


def run_for(request: HttpRequest) -> ResultsRun | None:
    """The run chosen with ``?run=<run_id>``, else the current one. An unknown run id falls
    back to the current run (pages say which run they show, so this is never hidden)."""
    chosen = request.GET.get(RUN_PARAMETER)
    if chosen:
        run = ResultsRun.objects.filter(run_id=chosen).first()
        if run is not None:
            return run
    return current_run()


def policy_rows_for(user: Any) -> str:
    """Which loaded rows ``user`` may see: the internal (``nhse``) rows when their
    disclosure policy is NHS England's rule, otherwise the public rows (the only other
    policy loaded, and the strictest)."""
    return INTERNAL_POLICY if disclosure_policy_for(user).name == INTERNAL_POLICY else PUBLIC_POLICY


def figures_for(user: Any, run: ResultsRun, **filters: Any) -> QuerySet[Figure]:
    """``run``'s figures under ``user``'s disclosure policy, narrowed by ``filters``
    (Django field lookups, e.g. ``metric__metric_id="mha_s136", period="2024-25"``)."""
    return Figure.objects.filter(run=run, disclosure_policy=policy_rows_for(user), **filters)


def public_figures(run: ResultsRun, **filters: Any) -> QuerySet[Figure]:
    """``run``'s figures under the public policy, whoever is asking: for anything
    published or shown outside the trust."""
    return Figure.objects.filter(run=run, disclosure_policy=PUBLIC_POLICY, **filters)


def run_context(request: HttpRequest) -> dict[str, Any]:
    """What ``dashboard/_run.jinja`` needs to say which run a page's figures are from and to
    offer the others: ``run`` (None when nothing is loaded), ``runs`` (every loaded run,
    newest first), ``run_query`` (``?run=<id>`` to keep an earlier run on links, else ``""``)
    and ``unknown_run`` (a ``?run=`` that names no loaded run, so the page can say so)."""
    run = run_for(request)
    chosen = request.GET.get(RUN_PARAMETER, "")
    return {
        "run": run,
        "runs": list(ResultsRun.objects.only("run_id", "created_at", "periods", "is_current")),
        "run_query": f"?{RUN_PARAMETER}={run.run_id}" if run and not run.is_current else "",
        "unknown_run": chosen if chosen and (run is None or run.run_id != chosen) else "",
    }


def figure_frame(figures: QuerySet[Figure], fields: Sequence[str] = FIGURE_FIELDS) -> pd.DataFrame:
    """Results rows as a pandas frame with the results schema's column names (``fields``
    and ``metric_id``), for the page logic that works on frames."""
    rows = list(figures.values(*fields, "metric__metric_id"))
    frame = pd.DataFrame.from_records(rows, columns=[*fields, "metric__metric_id"])
    return frame.rename(columns={"metric__metric_id": "metric_id"})


def cached_for(request: HttpRequest, run: ResultsRun, *parts: str, build: Callable[[], T]) -> T:
    """``build()``, kept for :data:`PAGE_CACHE_SECONDS` per run, the rows the person may
    see (their disclosure policy) and ``parts`` (the page and its filters): a loaded run
    never changes (its id, load time and primary key name it exactly), and turning rows
    into shown figures is most of a page's work."""
    names = [run.run_id, run.loaded_at.isoformat(), str(run.pk), policy_rows_for(request.user),
             *parts]
    key = "dashboard:" + hashlib.sha256("\x1f".join(names).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, PAGE_CACHE_SECONDS)
    return found


def query_string(**parameters: str) -> str:
    """``?a=1&b=2`` for a link, leaving out parameters with no value."""
    return "?" + urlencode({k: v for k, v in parameters.items() if v})
