"""Experience metrics: feedback as results rows beside the inequality figures (issue 6, item 6).

Two metrics, computed exactly as the engine computes any proportion metric — the same
counts layout, :func:`pcref.metrics.indicators.period_rows` (Wilson score intervals;
ratio of proportions to the reference group, with its interval and plain-words
significance), the engine's row finishing, and :func:`pcref.results.disclosure.disclose_metric`
for disclosure control — so the dashboard, exports and reports read them like any other:

``experience_fft_positive``
    Friends and Family Test: the percentage of people answering "very good" or "good"
    among those who answered 1-5 ("don't know", answer 6, is left out, as NHS England's FFT
    guidance does).
``experience_theme_share``
    For each theme, the percentage of themed comments that carry it (a comment can carry
    several, so shares do not add up to 100%). Only comments a moderator has themed count;
    one statistic per theme.

Both are broken down by the respondent's ethnic group (five groups, Not stated, Not known;
compared with White), by who gave the feedback (patient, carer, staff, advocate) and by
service (the team). The input is one row per response — never the comment text — with:

==================  =======================================================================
column              meaning
==================  =======================================================================
``fft_answer``      1 very good … 5 very poor, 6 don't know
``respondent_type`` ``patient``, ``carer``, ``staff``, ``advocate``, or blank (not given)
``service``         the team's name as the results show it, or blank (not given)
``ethnic_category`` NHS Data Dictionary ETHNIC CATEGORY code (``A`` … ``S``), ``Z`` (prefer
                    not to say) or ``99``; blank when the optional "about you" page was not
                    answered, which counts as Not stated (the person chose not to say)
``themes``          the moderator's themes (a list of theme names), or ``None`` when the
                    comment has not been themed or there is no comment
==================  =======================================================================
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pcref.disclosure import Policy, resolve_policy
from pcref.listening.themes import NO_USABLE_TEXT, THEME_NAMES
from pcref.metrics import engine
from pcref.metrics.aggregate import NO_STATISTIC
from pcref.metrics.attributes import NOT_KNOWN, NOT_STATED, ethnic_category_map
from pcref.metrics.catalogue import Metric
from pcref.metrics.indicators import period_rows
from pcref.metrics.periods import Period, parse_period

FFT_POSITIVE = "experience_fft_positive"
THEME_SHARE = "experience_theme_share"
INPUT_COLUMNS = ("fft_answer", "respondent_type", "service", "ethnic_category", "themes")
BREAKDOWNS = ("ethnicity_5", "respondent_type", "team")
REFERENCE_GROUP = {"ethnicity_5": "White"}
#: Who gave feedback, as the results show it.
RESPONDENT_TYPES = {
    "patient": "Patient",
    "carer": "Carer, friend or family member",
    "staff": "Staff",
    "advocate": "Advocate or community organisation",
}
#: Themes reported by ``experience_theme_share`` (a themed comment always has usable text).
REPORTED_THEMES = tuple(t for t in THEME_NAMES if t != NO_USABLE_TEXT)


def _percentage_metric(metric_id: str, title: str, description: str, *, improvement: str,
                       counted: str, **extra) -> Metric:
    """An experience metric: a percentage of responses by ethnic group, computed here from
    feedback submissions (``counted`` says what the numerator and denominator are)."""
    return Metric(
        id=metric_id,
        title=title,
        description=description,
        family="experience",
        unit="%",
        method="proportion",
        denominator="rows",
        breakdowns=BREAKDOWNS,
        cross_breakdowns=(),
        reference_group=REFERENCE_GROUP,
        improvement_direction=improvement,
        suppression="counts",
        sql=f"-- computed from feedback submissions by pcref.listening.experience ({counted})",
        multiplier=100.0,
        **extra,
    )


METRICS = {
    FFT_POSITIVE: _percentage_metric(
        FFT_POSITIVE,
        "Friends and Family Test: positive experience",
        "Percentage of people answering 'very good' or 'good' to 'Overall, how was your "
        "experience of our service?', among those answering very good to very poor (don't "
        "know left out).",
        improvement="increase",
        counted="numerator: FFT answer 1 or 2; denominator: FFT answer 1 to 5",
    ),
    THEME_SHARE: _percentage_metric(
        THEME_SHARE,
        "Feedback themes: share of comments",
        "For each theme, the percentage of moderated comments that carry it; a comment can "
        "carry several themes.",
        improvement="neutral",
        counted="numerator: themed comments carrying the theme; denominator: themed comments",
        statistics=REPORTED_THEMES,
    ),
}


class ExperienceDataError(ValueError):
    """Responses that cannot be counted; the message names the row, column and expectation."""


def _ethnicity_5() -> dict[str, str]:
    table = ethnic_category_map()
    return dict(zip(table["code"], table["ethnicity_5"], strict=True))


def _bad(responses: pd.DataFrame, mask: np.ndarray, column: str, expected: str) -> None:
    if mask.any():
        position = int(np.flatnonzero(mask)[0])
        value = responses[column].iloc[position]
        raise ExperienceDataError(
            f"responses row {responses.index[position]!r}, column {column!r}: expected "
            f"{expected}, found {value!r}"
        )


def _blank(values: pd.Series) -> np.ndarray:
    return values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()


def _attributes(responses: pd.DataFrame) -> pd.DataFrame:
    """Each response's group in every breakdown, checking every value on the way."""
    missing = [c for c in INPUT_COLUMNS if c not in responses.columns]
    if missing:
        raise ExperienceDataError(f"responses: missing column(s) {', '.join(missing)}; "
                                  f"expected {', '.join(INPUT_COLUMNS)}")
    fft = pd.to_numeric(responses["fft_answer"], errors="coerce")
    _bad(responses, ~fft.isin(range(1, 7)).to_numpy(), "fft_answer",
         "1 (very good) to 5 (very poor) or 6 (don't know)")
    kind = responses["respondent_type"].astype(object).where(~_blank(
        responses["respondent_type"]), "")
    _bad(responses, ~kind.isin([*RESPONDENT_TYPES, ""]).to_numpy(), "respondent_type",
         f"one of {', '.join(RESPONDENT_TYPES)} or blank")
    codes = responses["ethnic_category"].astype(object).where(
        ~_blank(responses["ethnic_category"]), "Z").astype(str).str.strip()
    five = _ethnicity_5()
    _bad(responses, ~codes.isin(list(five)).to_numpy(), "ethnic_category",
         "an NHS Data Dictionary ETHNIC CATEGORY code (A to S, Z or 99) or blank")
    # pandas may hold "not themed" as NaN instead of None in an object column
    themes = [None if isinstance(t, float) and np.isnan(t) else t for t in responses["themes"]]
    shape_ok = np.array([t is None or isinstance(t, (list, tuple)) for t in themes], dtype=bool)
    _bad(responses, ~shape_ok, "themes", "a list of theme names, or None when not themed")
    known = np.array([t is None or all(x in REPORTED_THEMES for x in t) for t in themes])
    _bad(responses, ~known, "themes", "theme names from pcref.listening.themes (docs/listening.md)")
    service = responses["service"].astype(object).where(~_blank(responses["service"]), NOT_KNOWN)
    return pd.DataFrame({
        "fft_answer": fft.to_numpy(dtype="int64"),
        "ethnicity_5": codes.map(five).to_numpy(dtype=object),
        "respondent_type": kind.map({**RESPONDENT_TYPES, "": NOT_STATED}).to_numpy(dtype=object),
        "team": service.astype(str).str.strip().to_numpy(dtype=object),
        "themes": themes,
    })


def _counts(units: pd.DataFrame, splits: Sequence[tuple[str, ...]]) -> pd.DataFrame:
    """The engine's counts layout: one row per (grouping set, groups, statistic)."""
    frames = []
    for columns in splits:
        keys = [*columns, "stat_label"]
        grouped = units.groupby(keys, sort=False, dropna=False).agg(
            numerator=("numerator", "sum"), denominator=("denominator", "sum"),
            unit_rows=("numerator", "size"),
        ).reset_index()
        for column in BREAKDOWNS:
            if column not in columns:
                grouped[column] = None
            grouped[f"grouped_{column}"] = 0 if column in columns else 1
        frames.append(grouped)
    counts = pd.concat(frames, ignore_index=True)
    counts["stat_label"] = counts["stat_label"].astype(object)
    counts["numerator"] = counts["numerator"].astype("float64")
    counts["denominator"] = counts["denominator"].astype("float64")
    counts["unit_rows"] = counts["unit_rows"].astype("int64")
    return counts


def _fft_units(people: pd.DataFrame) -> pd.DataFrame:
    answered = people[people["fft_answer"] <= 5]
    return answered[list(BREAKDOWNS)].assign(
        stat_label=NO_STATISTIC,
        numerator=(answered["fft_answer"] <= 2).astype("int64").to_numpy(),
        denominator=1,
    )


def _theme_units(people: pd.DataFrame) -> pd.DataFrame:
    themed = people[[t is not None for t in people["themes"]]]
    frames = [
        themed[list(BREAKDOWNS)].assign(
            stat_label=theme,
            numerator=[int(theme in t) for t in themed["themes"]],
            denominator=1,
        )
        for theme in REPORTED_THEMES
    ]
    return pd.concat(frames, ignore_index=True)


def metric_rows(
    metric: Metric, units: pd.DataFrame, period: Period, run_id: str, policy: Policy
) -> pd.DataFrame:
    """One metric's results rows under ``policy``, by the engine's own steps."""
    plan = engine.plan_metric(metric)
    splits = [split.columns for split in plan.splits]
    rows = period_rows(plan, period, _counts(units, splits), list(BREAKDOWNS), None)
    context = engine._Context(backend=None, periods=(period,), run_id=run_id,
                              warehouse_tables={}, not_supplied=frozenset())
    rows = engine._finish_rows(plan, rows, context)
    return engine._publishable(rows, metric, policy, context, public=policy.name == "public")


def experience_results(
    responses: pd.DataFrame, *, period: Period | str, run_id: str, policy: Policy | str
) -> pd.DataFrame:
    """``experience_fft_positive`` and ``experience_theme_share`` rows in the results schema,
    through disclosure control under ``policy``."""
    period = parse_period(period) if isinstance(period, str) else period
    rule = resolve_policy(policy)
    people = _attributes(responses)
    return pd.concat(
        [
            metric_rows(METRICS[FFT_POSITIVE], _fft_units(people), period, run_id, rule),
            metric_rows(METRICS[THEME_SHARE], _theme_units(people), period, run_id, rule),
        ],
        ignore_index=True,
    )


def experience_run(
    responses: pd.DataFrame, *, period: Period | str, source: str
) -> engine.ComputedRun:
    """A results run of the experience metrics, like ``pcref compute`` makes: internal rows
    under NHS England's rule, public rows under the strict public rule, and the run record.

    The run id is derived, as the engine derives it, from a fingerprint of the responses
    (a hash only: no response reaches ``run.json``), the code version, the metric
    definitions and the parameters. ``source`` says where the responses came from.
    """
    from pcref.ingest.pipeline import code_version
    from pcref.results.run import canonical_json, derive_run_id

    period = parse_period(period) if isinstance(period, str) else period
    people = _attributes(responses)  # checked before anything is hashed or counted
    fingerprint = hashlib.sha256(canonical_json(
        people.assign(themes=[None if t is None else sorted(t) for t in people["themes"]])
        .to_dict(orient="records")
    ).encode("utf-8")).hexdigest()
    version = code_version()
    metrics = list(METRICS.values())
    definitions = engine.definitions(metrics)
    parameters = {
        "periods": [period.as_dict()],
        "metrics": [m.id for m in metrics],
        "engine": "pcref.listening.experience",
        "confidence": engine.CONFIDENCE,
        "disclosure": {"internal": engine.INTERNAL_POLICY.to_dict(),
                       "public": engine.PUBLIC_POLICY.to_dict()},
    }
    run_id = derive_run_id(fingerprint, version, definitions, parameters)
    internal = experience_results(responses, period=period, run_id=run_id,
                                  policy=engine.INTERNAL_POLICY)
    public = experience_results(responses, period=period, run_id=run_id,
                                policy=engine.PUBLIC_POLICY)
    records = {
        metric.id: {
            "title": metric.title, "method": metric.method, **definitions[metric.id],
            "status": engine.COMPUTED,
            "rows": int((internal["metric_id"] == metric.id).sum()),
            "rows_suppressed_internal": int(internal.loc[internal["metric_id"] == metric.id,
                                                         "suppressed"].sum()),
            "rows_suppressed_public": int(public.loc[public["metric_id"] == metric.id,
                                                     "suppressed"].sum()),
        }
        for metric in metrics
    }
    themed = sum(t is not None for t in people["themes"])
    record = {
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "input": {"fingerprint": fingerprint, "source": source, "responses": len(people),
                  "fft_answered_1_to_5": int((people["fft_answer"] <= 5).sum()),
                  "themed_comments": int(themed)},
        "code_version": version,
        "engine": parameters["engine"],
        "periods": [period.as_dict()],
        "parameters": parameters,
        "methods": engine.methods_record(),
        "disclosure": {
            "internal": {"file": "results.parquet",
                         "statement": engine.INTERNAL_POLICY.describe(),
                         **engine.INTERNAL_POLICY.to_dict()},
            "public": {"file": "public/results.parquet",
                       "statement": engine.PUBLIC_POLICY.describe(),
                       **engine.PUBLIC_POLICY.to_dict()},
        },
        "metrics": records,
        "warnings": [],
        "rows": {"internal": len(internal), "public": len(public)},
    }
    return engine.ComputedRun(run_id=run_id, internal=internal, public=public, record=record)
