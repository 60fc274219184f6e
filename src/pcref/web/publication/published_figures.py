"""The annual publication's download: every figure of a results run published under the
public disclosure policy, with each metric's metadata and the SQL that computed it, as one
zip file anyone can download from the public PCREF page.

``figures.csv``: one row per public results row, numbers exactly as published
(:mod:`pcref.web.dashboard.shown`: rounded as displayed, withheld as ``*`` with no interval
or ratio), the run and policy on every row. ``metrics.csv``: one row per metric (title,
description, family, unit, method, reference groups, improvement direction, source, and the
SQL file's name). ``sql/<metric_id>.sql``: the catalogue SQL as it ran. ``README.txt``:
what the files are, the run and the disclosure rule. Nothing from the internal (``nhse``)
rows is read.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from pcref.web.core.csv_export import spreadsheet_safe
from pcref.web.dashboard.figures import figure_frame, public_figures
from pcref.web.dashboard.models import PUBLIC_POLICY, Figure, Metric, ResultsRun
from pcref.web.dashboard.shown import shown_frame
from pcref.web.publication.rendering import policy_words

FIGURE_COLUMNS = (
    "run_id", "disclosure_policy", "metric_id", "metric_title", "unit", "period", "breakdown",
    "group", "subgroup", "statistic", "numerator", "denominator", "value", "lower", "upper",
    "comparator", "ratio", "ratio_lower", "ratio_upper", "significance", "status",
)
METRIC_COLUMNS = (
    "metric_id", "title", "description", "family", "unit", "method", "breakdowns",
    "reference_group", "improvement_direction", "sentence", "source", "sql_file",
)
#: Columns holding words from the catalogue or the trust's data, quoted for spreadsheets.
TEXT_COLUMNS = ("metric_title", "unit", "group", "subgroup", "statistic", "comparator",
                "significance", "status", "title", "description", "family", "sentence",
                "source")


def _count(value: float) -> str:
    return "" if value != value else f"{value:.0f}"  # NaN is not equal to itself


def _plain(text: str) -> str:
    return text.replace(",", "")


def _limits(text: str) -> tuple[str, str]:
    if not text:
        return "", ""
    lower, upper = _plain(text).split(" to ")
    return lower, upper


def figure_rows(run: ResultsRun, policy: str = PUBLIC_POLICY) -> list[dict[str, str]]:
    """Every figure of ``run`` loaded under ``policy`` (public unless asked; the CQC
    evidence pack may add the internal rows) as published, in a stable order."""
    figures = public_figures(run) if policy == PUBLIC_POLICY else Figure.objects.filter(
        run=run, disclosure_policy=policy)
    frame = figure_frame(figures.order_by("metric__metric_id", "period", "breakdown", "id"))
    if frame.empty:
        return []
    titles = dict(Metric.objects.filter(run=run).values_list("metric_id", "title"))
    shown = shown_frame(frame)
    rows = []
    for source, row in zip(frame.to_dict("records"), shown.to_dict("records"), strict=True):
        lower, upper = _limits(row["interval_text"])
        ratio_lower, ratio_upper = _limits(row["ratio_interval_text"])
        rows.append({
            "run_id": run.run_id,
            "disclosure_policy": policy,
            "metric_id": source["metric_id"],
            "metric_title": titles.get(source["metric_id"], ""),
            "unit": source["unit"],
            "period": source["period"],
            "breakdown": source["breakdown"],
            "group": row["group"],
            "subgroup": row["subgroup"] or "",
            "statistic": row["statistic"],
            "numerator": "*" if row["withheld"] and row["numerator"] != row["numerator"]
            else _count(row["numerator"]),
            "denominator": _count(row["denominator"]),
            "value": "*" if row["withheld"] else _plain(row["value_text"]),
            "lower": lower,
            "upper": upper,
            "comparator": row["comparator"],
            "ratio": row["ratio_text"],
            "ratio_lower": ratio_lower,
            "ratio_upper": ratio_upper,
            "significance": row["significance"],
            "status": row["status"],
        })
    return rows


def metric_rows(run: ResultsRun) -> list[tuple[dict[str, str], str]]:
    """(metadata row, SQL text) for every metric of ``run``."""
    out = []
    for metric in Metric.objects.filter(run=run).order_by("metric_id"):
        out.append(({
            "metric_id": metric.metric_id,
            "title": metric.title,
            "description": metric.description,
            "family": metric.family,
            "unit": metric.unit,
            "method": metric.method,
            "breakdowns": "; ".join(metric.breakdowns),
            "reference_group": json.dumps(metric.reference_group, sort_keys=True),
            "improvement_direction": metric.improvement_direction,
            "sentence": metric.sentence,
            "source": metric.source,
            "sql_file": f"sql/{metric.metric_id}.sql",
        }, metric.sql))
    return out


def as_csv(columns: tuple[str, ...], rows: list[dict[str, str]],
           text_columns: tuple[str, ...] = TEXT_COLUMNS) -> str:
    """CSV text of ``rows``, the ``text_columns`` quoted where a spreadsheet would run
    them as a formula (``spreadsheet_safe``); numbers are left as they are."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) if k in text_columns else v
                         for k, v in row.items()})
    return out.getvalue()


def readme(run: ResultsRun, figures: int, metrics: int) -> str:
    """README.txt of the download."""
    return "\n".join([
        "Published PCREF figures",
        "",
        f"Results run {run.run_id}, made {run.created_at:%Y-%m-%d %H:%M} UTC by "
        f"{run.code_version}; periods {', '.join(run.periods)}.",
        f"Disclosure policy: {PUBLIC_POLICY} ({policy_words(PUBLIC_POLICY)})",
        "",
        f"figures.csv  {figures} figures, numbers as published: '*' is withheld (a small "
        "count, or a figure worked out from one); values, intervals and ratios are rounded "
        "as shown on the public page.",
        f"metrics.csv  {metrics} metrics: what each measures, its unit, method, reference "
        "groups, which way is better, its source, and its SQL file.",
        "sql/         the SQL each metric was computed with, as it ran.",
        "",
        "All figures are about groups of people, never individuals.",
        "",
    ])


def published_figures_zip(run: ResultsRun) -> bytes:
    """The zip file described at the top of this module."""
    figures = figure_rows(run)
    metrics = metric_rows(run)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(run, len(figures), len(metrics)))
        archive.writestr("figures.csv", as_csv(FIGURE_COLUMNS, figures))
        archive.writestr("metrics.csv", as_csv(METRIC_COLUMNS, [row for row, _ in metrics]))
        for row, sql in metrics:
            archive.writestr(row["sql_file"], sql)
    return buffer.getvalue()
