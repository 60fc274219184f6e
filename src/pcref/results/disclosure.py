"""Disclosure control of a metric's results, laid out as tables so totals cannot betray a cell.

:func:`pcref.disclosure.apply` protects suppressed counts along the *lines* of the tables it is
told about. A metric's results for one period and statistic are one such table:

* every breakdown's groups add up to the Total row (unknowns are groups of their own), so the
  ``total`` breakdown is the margin of each one-way breakdown;
* each cross (``ethnicity_5 x sex``) has the one-way breakdowns as its margins: its cells for
  one ethnic group add up to that group's one-way row, and its cells for one sex to that sex's
  one-way row;
* the 16 ethnic groups nest in the five (each five-group row is the sum of its 16-group rows;
  Not stated and Not known are the same count in both), and months nest in quarters.

All of this is declared in one call per metric: each row is placed by one label per
*dimension* (ethnicity, time, sex, age band, …), ``Total`` where the row does not split by it,
with the 16 → 5 and month → quarter hierarchies. Labels carry their breakdown
(``ethnicity_5: White``) so the two ethnicity levels never clash.

Shares (``method: share``) add nothing to the table: a share's denominator is its margin's
count — a team's caseload, the Total — which is a row of the same table. It is published as
that row publishes it, and the share is withheld where the margin is.

Standardised rates are derived from the same events as the crude rates of the same groups, so
they are withheld whenever their crude row's counts are (or their own event count is in the
small range), their comparisons whenever the reference group's are; and in the public file
their numerator is not shown at all — the count is on the crude-rate row, and showing both
would let a reader take one from the other and find the events of unknown sex or age.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pcref import disclosure
from pcref.disclosure import Policy, resolve_policy, round_to_base
from pcref.metrics import attributes
from pcref.metrics.breakdowns import BREAKDOWNS, CROSS_SEPARATOR, TOTAL, TOTAL_GROUP
from pcref.metrics.catalogue import Metric
from pcref.metrics.indicators import margins
from pcref.metrics.periods import Period

VALUE_COLUMNS = ("value", "lower", "upper")
COMPARISON_COLUMNS = (
    "ratio", "ratio_lower", "ratio_upper", "difference", "difference_lower", "difference_upper",
    "significance",
)
TABLE_KEYS = ("metric_id", "period", "statistic")
_HIDDEN_COUNTS = (disclosure.SUPPRESSED_SMALL_COUNT, disclosure.SUPPRESSED_SECONDARY,
                  disclosure.SUPPRESSED_WHOLE_TABLE)
#: A share withheld because its margin (the denominator) is, though its own count is shown.
SUPPRESSED_MARGIN = "suppressed_margin_suppressed"


def _dimension_label(breakdown: str, group: str) -> str:
    return f"{breakdown}: {group}"


def dimensions_of(breakdowns: list[str]) -> list[str]:
    """The dimensions a metric's breakdown names (one-way and crosses) use, in a fixed order."""
    used: dict[str, None] = {}
    for name in breakdowns:
        for part in name.split(CROSS_SEPARATOR):
            if part != TOTAL:
                used[BREAKDOWNS[part].dimension] = None
    order = [b.dimension for b in BREAKDOWNS.values()]
    # A metric reported only in total still forms a (one-cell) table.
    return sorted(used, key=order.index) or [BREAKDOWNS[TOTAL].dimension]


def dimension_frame(rows: pd.DataFrame, dimensions: list[str]) -> pd.DataFrame:
    """One column per dimension: the row's label in it, or Total."""
    frame = pd.DataFrame(index=rows.index)
    for dim in dimensions:
        frame[f"dim_{dim}"] = TOTAL_GROUP
    for breakdown, index in rows.groupby("breakdown", sort=False).groups.items():
        parts = breakdown.split(CROSS_SEPARATOR)
        if parts == [TOTAL]:
            continue
        levels = ["group", "subgroup"][: len(parts)]
        for part, level in zip(parts, levels, strict=True):
            dim = BREAKDOWNS[part].dimension
            frame.loc[index, f"dim_{dim}"] = [
                _dimension_label(part, str(g)) for g in rows.loc[index, level]
            ]
    return frame


def hierarchy(periods: tuple[Period, ...]) -> dict[str, dict[str, str]]:
    """16 ethnic groups within the five, months within quarters (by dimension column)."""
    ethnicity = {
        _dimension_label("ethnicity_16", child): _dimension_label("ethnicity_5", parent)
        for child, parent in attributes.ethnicity_16_parents().items()
    }
    time = {
        _dimension_label("month", month): _dimension_label(
            "quarter", period.quarter_of_month(month)
        )
        for period in periods
        for month in period.months
    }
    return {"dim_ethnicity": ethnicity, "dim_time": time}


def disclose_metric(
    rows: pd.DataFrame,
    metric: Metric,
    policy: str | Policy | Mapping,
    periods: tuple[Period, ...],
    *,
    public: bool,
) -> pd.DataFrame:
    """Apply ``policy`` to one metric's rows (all periods); returns the publishable rows.

    ``rows`` carry ``is_standardised`` and ``base_statistic`` (the crude statistic a
    standardised row derives from). The output adds ``suppressed``, ``status`` (disclosure
    status), ``display_value`` and ``disclosure_policy``.
    """
    pol = resolve_policy(policy)
    standardised = rows["is_standardised"].to_numpy(dtype=bool)
    crude = rows[~standardised]
    dims = dimensions_of(list(rows["breakdown"].unique()))
    crude_out = _disclose_crude(crude, metric, pol, dims, periods)
    out = [crude_out]
    if standardised.any():
        out.append(_disclose_standardised(rows[standardised], crude_out, pol, dims, public))
    return pd.concat(out).loc[rows.index]


def _reference_labels(rows: pd.DataFrame) -> pd.Series:
    first = rows["breakdown"].str.split(CROSS_SEPARATOR).str[0]
    labels = [
        _dimension_label(b, c) if isinstance(c, str) else None
        for b, c in zip(first, rows["comparator"], strict=True)
    ]
    return pd.Series(labels, index=rows.index, dtype=object)


def _disclose_crude(
    rows: pd.DataFrame, metric: Metric, pol: Policy, dims: list[str], periods: tuple[Period, ...]
) -> pd.DataFrame:
    counts = ["numerator"]
    if metric.method == "proportion" and metric.denominator == "rows":
        counts.append("denominator")
    frame = rows.copy()
    dim_frame = dimension_frame(frame, dims)
    frame = pd.concat([frame, dim_frame], axis=1)
    frame["reference_dimension_label"] = _reference_labels(frame)
    dim_columns = list(dim_frame.columns)
    used_hierarchy = {k: v for k, v in hierarchy(periods).items() if k in dim_columns}
    bed_days = metric.suppression == "bed_days"
    result = disclosure.apply(
        frame,
        pol,
        count_columns=counts,
        derived_columns=list(VALUE_COLUMNS),
        comparison_columns=list(COMPARISON_COLUMNS),
        table_keys=list(TABLE_KEYS),
        dimensions=dim_columns,
        total_label=TOTAL_GROUP,
        hierarchy=used_hierarchy,
        bed_days_column="denominator" if bed_days else None,
        reference_group_column="reference_dimension_label",
        reference_dimension="dim_ethnicity" if "dim_ethnicity" in dim_columns else None,
        display_column="value",
        decimals=1,
    )
    result = result.drop(columns=[*dim_columns, "reference_dimension_label"])
    if metric.denominator == "margin":
        result = _publish_margins(result, pol)
    return result


def _publish_margins(rows: pd.DataFrame, pol: Policy) -> pd.DataFrame:
    """A share's denominator is its margin's count (the team's caseload): publish it as that
    row publishes its numerator, and withhold the share wherever the margin is withheld,
    since a shown count divided by its share would give the margin back."""
    out = rows.copy()
    within = list(TABLE_KEYS)
    published = pd.Series(margins(out, "numerator", within), index=out.index)
    hidden = (published.isna() & out["denominator"].notna()).to_numpy()
    newly = hidden & ~out["suppressed"].to_numpy(dtype=bool)
    out["denominator"] = published.to_numpy(dtype="float64")
    mask = pd.Series(hidden, index=out.index)
    for column in (*VALUE_COLUMNS, *COMPARISON_COLUMNS):
        if column in out:
            out[column] = out[column].mask(mask)
    out.loc[newly, "suppressed"] = True
    out.loc[newly, "status"] = SUPPRESSED_MARGIN
    out.loc[hidden, "display_value"] = pol.symbol
    return out


def _disclose_standardised(
    rows: pd.DataFrame, crude: pd.DataFrame, pol: Policy, dims: list[str], public: bool
) -> pd.DataFrame:
    key = ["metric_id", "period", "breakdown", "group", "subgroup"]
    crude_key = crude[[*key, "statistic", "status"]].rename(
        columns={"statistic": "base_statistic", "status": "crude_status"}
    )
    frame = rows.copy()
    frame["_subgroup"] = frame["subgroup"].fillna("")
    crude_key = crude_key.assign(_subgroup=crude_key["subgroup"].fillna(""))
    merged = frame[["metric_id", "period", "breakdown", "group", "_subgroup",
                    "base_statistic"]].merge(
        crude_key.drop(columns="subgroup"),
        on=["metric_id", "period", "breakdown", "group", "_subgroup", "base_statistic"],
        how="left",
    )
    crude_status = merged["crude_status"].fillna("").to_numpy(dtype=object)
    crude_hidden = np.isin(crude_status, _HIDDEN_COUNTS)
    numerator = frame["numerator"].to_numpy(dtype="float64")
    primary = pol.is_primary(numerator)
    hidden = crude_hidden | primary
    # A comparison is withheld with the row, or when the reference group's row is withheld.
    label = list(zip(frame["metric_id"], frame["period"], frame["breakdown"], frame["_subgroup"],
                     frame["statistic"], frame["group"], strict=True))
    hidden_by_label = dict(zip(label, hidden, strict=True))
    reference_hidden = np.array([
        bool(isinstance(c, str) and hidden_by_label.get((*lab[:5], c), False))
        for lab, c in zip(label, frame["comparator"], strict=True)
    ])
    comparison_hidden = hidden | reference_hidden

    out = frame.drop(columns="_subgroup")
    for column in VALUE_COLUMNS:
        out[column] = out[column].mask(pd.Series(hidden, index=out.index))
    for column in COMPARISON_COLUMNS:
        out[column] = out[column].mask(pd.Series(comparison_hidden, index=out.index))
    if public:
        shown = np.full(len(out), np.nan)
    else:
        shown = round_to_base(numerator, pol.rounding_base) if pol.rounds else numerator.copy()
        shown[hidden] = np.nan
    out["numerator"] = pd.array(shown, dtype="Float64").astype("Int64")
    rounded = ~np.isnan(shown) & (numerator != 0) & pol.rounds
    status = np.select(
        [crude_hidden, primary, reference_hidden, rounded],
        [crude_status, disclosure.SUPPRESSED_SMALL_COUNT, disclosure.SUPPRESSED_REFERENCE,
         disclosure.ROUNDED],
        default=disclosure.SHOWN,
    )
    out["suppressed"] = hidden | reference_hidden
    out["status"] = status.astype(object)
    out["display_value"] = [
        pol.symbol if h else ("" if np.isnan(v) else f"{v:.1f}")
        for h, v in zip(hidden, frame["value"].to_numpy(dtype="float64"), strict=True)
    ]
    out["disclosure_policy"] = pol.name
    return out
