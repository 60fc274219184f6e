"""From aggregated counts to indicator rows: values, intervals and comparisons by breakdown.

This is the statistical half of the engine. It receives one period's counts for one metric
(from :mod:`pcref.metrics.aggregate`) and the population cells (from
:mod:`pcref.metrics.population`) and returns one row per (breakdown, group, subgroup,
statistic) with the value, its interval and the comparison with the reference group, using
:mod:`pcref.stats` for every formula:

=====================  ==================================================  ====================
method                 value and interval                                  comparison
=====================  ==================================================  ====================
rate                   crude rate, exact (< 10) or Byar's limits;          rate ratio (log or
                       with ``standardise`` also NHS England's DSR         exact conditional);
                                                                           DSR ratio
rate_per_denominator   rate per the rows' denominator, exact or Byar's     rate ratio
proportion             Wilson score                                        ratio of proportions
median                 order-statistic (binomial) interval                 reference median
                                                                           outside the interval
ratio_to_expected      observed / expected, exact or Byar's on observed    rate ratio (O/E)
=====================  ==================================================  ====================

Groups without a denominator (Not stated and Not known ethnicity, sex or age for population
rates) keep their numerator, get no value, and say why in ``method_status``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pcref import stats
from pcref.metrics.aggregate import NO_STATISTIC
from pcref.metrics.attributes import NOT_KNOWN, NOT_STATED
from pcref.metrics.breakdowns import TIME, TOTAL_GROUP, Split, group_order
from pcref.metrics.catalogue import Metric
from pcref.metrics.periods import Period
from pcref.metrics.population import Populations
from pcref.stats import wording
from pcref.stats.median import METHOD as MEDIAN_METHOD

#: What ``value`` is, per method, when the unit rows carry no statistic labels.
STATISTIC_OF_METHOD = {
    "rate": "crude rate",
    "rate_per_denominator": "crude rate",
    "proportion": "proportion",
    "median": "median",
    "ratio_to_expected": "observed/expected",
}
STANDARDISED = "standardised rate"
#: The denominator each method needs.
DENOMINATOR_OF_METHOD = {
    "rate": "population",
    "rate_per_denominator": "rows",
    "proportion": "rows",
    "median": "none",
    "ratio_to_expected": "expected",
}
UNKNOWN_ETHNICITY = (NOT_STATED, NOT_KNOWN)
CONFIDENCE = 0.95

# Method statuses (the ``status`` column explains values that are missing or qualified).
NO_POPULATION = "no_population_denominator"
ZERO_DENOMINATOR = "zero_denominator"
NOT_STANDARDISED_EMPTY_STRATUM = "not_standardised_no_population_in_a_stratum"
NOT_STANDARDISED_EXCESS = "not_standardised_more_events_than_population_in_a_stratum"
TOO_FEW_FOR_INTERVAL = "too_few_observations_for_an_interval"
NO_REFERENCE_FIGURES = "comparison_reference_group_has_no_figures"

#: Columns of the indicator rows (before disclosure control).
ROW_COLUMNS = (
    "period", "breakdown", "group", "subgroup", "statistic", "numerator", "denominator",
    "value", "lower", "upper", "comparator", "ratio", "ratio_lower", "ratio_upper",
    "ratio_method", "difference", "difference_lower", "difference_upper", "significance",
    "method", "method_status", "variance", "unit_rows",
)
ORDER_COLUMNS = ("split_order", "statistic_order", "group_order", "subgroup_order")


class IndicatorError(ValueError):
    """The counts cannot give the metric's statistic (e.g. a proportion above 100%)."""


@dataclass(frozen=True)
class Plan:
    """How one metric is computed: its splits, standardised splits and statistic labels."""

    metric: Metric
    splits: tuple[Split, ...]
    standardised: tuple[Split, ...]
    statistics: tuple[str, ...]

    @property
    def method(self) -> str:
        return self.metric.method

    @property
    def median(self) -> bool:
        return self.metric.method == "median"

    @property
    def population_based(self) -> bool:
        return self.metric.denominator in ("population", "expected")

    def statistic_label(self, raw: str) -> str:
        return STATISTIC_OF_METHOD[self.method] if raw == NO_STATISTIC else raw

    def statistic_order(self) -> list[str]:
        labels = [self.statistic_label(s) for s in self.statistics]
        if self.standardised:
            labels += [standardised_label(self.statistic_label(s)) for s in self.statistics]
        return labels


def standardised_label(label: str) -> str:
    return STANDARDISED if label == STATISTIC_OF_METHOD["rate"] else f"{label} ({STANDARDISED})"


def _select_set(counts: pd.DataFrame, columns: tuple[str, ...], all_columns: list[str]):
    mask = np.ones(len(counts), dtype=bool)
    for column in all_columns:
        flag = counts[f"grouped_{column}"].to_numpy()
        mask &= (flag == 0) if column in columns else (flag == 1)
    return counts[mask]


def _labelled(frame: pd.DataFrame, split: Split) -> pd.DataFrame:
    """Rename a split's columns to ``group``/``subgroup`` (Total for the total)."""
    out = frame.copy()
    if not split.columns:
        out["group"] = TOTAL_GROUP
    else:
        out["group"] = out[split.columns[0]].astype(object)
    out["subgroup"] = out[split.columns[1]].astype(object) if split.second else None
    return out


def _population_groups(
    plan: Plan, split: Split, period: Period, populations: Populations
) -> pd.DataFrame:
    """Every group with a denominator: the population totals for the split's columns, with
    time columns expanded to the period's months or quarters."""
    expected = plan.metric.denominator == "expected"
    totals = populations.totals(split.population_columns, expected=expected)
    for column in split.columns:
        if column in TIME:
            levels = period.months if column == "month" else period.quarters
            totals = totals.merge(pd.DataFrame({column: list(levels)}), how="cross")
    return totals


def split_rows(
    plan: Plan,
    split: Split,
    period: Period,
    counts: pd.DataFrame,
    all_columns: list[str],
    populations: Populations | None,
) -> pd.DataFrame:
    """The rows of one split for one period: numerator, denominator, value and interval."""
    columns = list(split.columns)
    selected = _select_set(counts, split.columns, all_columns)
    key = ["stat_label", *columns]
    if plan.median:
        rows = _median_rows(selected, key)
    else:
        keep = [*key, "numerator", "unit_rows"]
        if plan.metric.denominator == "rows":
            keep.append("denominator")
        rows = selected[keep].copy()
        if plan.population_based:
            assert populations is not None
            groups = _population_groups(plan, split, period, populations)
            labels = pd.DataFrame({"stat_label": list(plan.statistics)})
            groups = labels.merge(groups, how="cross")
            rows = rows.merge(groups, on=key, how="outer", sort=False)
            rows["numerator"] = rows["numerator"].fillna(0.0)
            rows["unit_rows"] = rows["unit_rows"].fillna(0).astype("int64")
        rows = _values(plan, rows)
    rows = _labelled(rows, split)
    rows["period"] = period.label
    rows["breakdown"] = split.name
    rows["statistic"] = rows.pop("stat_label").map(plan.statistic_label)
    return rows


def _median_rows(selected: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    if selected.empty:
        return pd.DataFrame(columns=[*key, "numerator", "unit_rows", "value", "lower", "upper",
                                     "method", "method_status"])
    result = stats.median(selected, "observation", by=key, frequency="unit_rows",
                          confidence=CONFIDENCE)
    rows = result[key].copy()
    rows["numerator"] = result["count"].astype("float64")
    rows["unit_rows"] = result["count"].astype("int64")
    rows["denominator"] = np.nan
    rows["value"] = result["value"]
    rows["lower"] = result["lower"]
    rows["upper"] = result["upper"]
    rows["method"] = MEDIAN_METHOD
    rows["method_status"] = np.where(result["lower"].isna(), TOO_FEW_FOR_INTERVAL, "")
    return rows


def _values(plan: Plan, rows: pd.DataFrame) -> pd.DataFrame:
    """Add value, lower, upper, method and method_status for a count-based metric."""
    out = rows.reset_index(drop=True)
    if "denominator" not in out:
        out["denominator"] = np.nan
    denominator = out["denominator"].to_numpy(dtype="float64")
    valid = denominator > 0
    status = np.full(len(out), "", dtype=object)
    status[np.isnan(denominator)] = NO_POPULATION if plan.population_based else ZERO_DENOMINATOR
    status[denominator == 0] = ZERO_DENOMINATOR
    for column in ("value", "lower", "upper"):
        out[column] = np.nan
    out["method"] = None
    if valid.any():
        subset = out.loc[valid, ["numerator", "denominator"]]
        multiplier = plan.metric.multiplier
        try:
            if plan.method == "proportion":
                result = stats.proportion(subset, "numerator", "denominator",
                                          multiplier=multiplier, confidence=CONFIDENCE)
            else:
                result = stats.rate(subset, "numerator", "denominator", multiplier=multiplier,
                                    confidence=CONFIDENCE)
        except ValueError as error:
            raise IndicatorError(f"metric {plan.metric.id}: {error}") from None
        for column in ("value", "lower", "upper", "method"):
            out.loc[valid, column] = result[column].to_numpy()
    out["method_status"] = status
    return out


def standardised_rows(
    plan: Plan,
    split: Split,
    period: Period,
    counts: pd.DataFrame,
    all_columns: list[str],
    populations: Populations,
) -> pd.DataFrame:
    """NHS England's directly standardised rate per group of an ethnicity split.

    Strata are sex × the six age bands with people in the standard (the warehouse's total
    population). Unit rows of unknown sex or age (or outside the standard's ages) cannot be
    placed in a stratum and are left out of the standardised numerator only. A group with no
    population in a stratum, or more events than people in one, is not standardised.
    """
    standard = populations.standard()
    strata_columns = (*split.columns, "sex", "age_band")
    strata = _select_set(counts, strata_columns, all_columns)
    groups = _population_groups(plan, split, period, populations)
    groups = groups.drop(columns="denominator")
    labels = pd.DataFrame({"stat_label": list(plan.statistics)})
    groups = labels.merge(groups, how="cross")
    frame = groups.merge(standard[["sex", "ageband"]], how="cross")
    pop = populations.totals((*split.population_columns, "sex", "age_band"))
    pop = pop.rename(columns={"age_band": "ageband", "denominator": "n"})
    frame = frame.merge(pop, on=[*split.population_columns, "sex", "ageband"], how="left")
    events = strata.rename(columns={"age_band": "ageband", "numerator": "x"})
    key = ["stat_label", *split.columns]
    frame = frame.merge(events[[*key, "sex", "ageband", "x"]], on=[*key, "sex", "ageband"],
                        how="left")
    frame["x"] = frame["x"].fillna(0.0)
    frame["n"] = frame["n"].fillna(0.0)
    per_group = frame.groupby(key, sort=False, dropna=False)
    empty = per_group["n"].transform(lambda n: (n <= 0).any()).to_numpy(dtype=bool)
    excess = per_group.apply(lambda g: bool((g["x"] > g["n"]).any()), include_groups=False)
    excess_rows = frame[key].merge(
        excess.rename("excess").reset_index(), on=key, how="left"
    )["excess"].to_numpy(dtype=bool)
    ok = ~empty & ~excess_rows
    out_groups = groups[key].drop_duplicates().reset_index(drop=True)
    results = pd.DataFrame(columns=[*key, "total_count", "total_pop", "value", "lower", "upper",
                                    "variance", "method"])
    if ok.any():
        results = stats.dsr(
            frame[ok], "x", "n", by=key, ageband="ageband", sex="sex",
            standard=standard[["sex", "ageband", "population"]], method="nhse",
            multiplier=plan.metric.multiplier, confidence=CONFIDENCE,
        )
    rows = out_groups.merge(results[[*key, "total_count", "total_pop", "value", "lower",
                                     "upper", "variance", "method"]], on=key, how="left")
    status_frame = frame[key].assign(empty=empty, excess=excess_rows)
    flags = status_frame.groupby(key, sort=False, dropna=False)[["empty", "excess"]].any()
    rows = rows.merge(flags.reset_index(), on=key, how="left")
    status = np.where(rows["empty"], NOT_STANDARDISED_EMPTY_STRATUM,
                      np.where(rows["excess"], NOT_STANDARDISED_EXCESS, ""))
    totals = frame.groupby(key, sort=False, dropna=False)[["x", "n"]].sum().reset_index()
    rows = rows.drop(columns=["total_count", "total_pop"]).merge(totals, on=key, how="left")
    rows["numerator"] = rows["x"]
    rows["denominator"] = rows["n"]
    rows["method_status"] = status
    rows["unit_rows"] = 0
    rows = rows.drop(columns=["x", "n", "empty", "excess"])
    rows = _labelled(rows, split)
    rows["period"] = period.label
    rows["breakdown"] = split.name
    rows["statistic"] = rows.pop("stat_label").map(
        lambda s: standardised_label(plan.statistic_label(s))
    )
    return rows


# -- comparison with the reference group ----------------------------------------------------


def compare(plan: Plan, rows: pd.DataFrame, reference: str, standardised: bool) -> pd.DataFrame:
    """Add the comparison with ``reference`` to the rows of one ethnicity split (one period).

    Each group is compared with the reference group of the same statistic and subgroup. Not
    stated and Not known are not compared. A partition whose reference group has no figures
    (absent, or no value) gets no comparison and says so.
    """
    out = rows.reset_index(drop=True).copy()
    for column in ("ratio", "ratio_lower", "ratio_upper", "difference", "difference_lower",
                   "difference_upper"):
        out[column] = np.nan
    out["ratio_method"] = None
    out["significance"] = None
    out["comparator"] = None
    out["comparison_status"] = ""
    comparable = ~out["group"].isin(UNKNOWN_ETHNICITY).to_numpy()
    if not comparable.any():
        return out
    out["subgroup_key"] = out["subgroup"].fillna("").astype(str)
    out["statistic_key"] = out["statistic"].astype(str)
    by = ["statistic_key", "subgroup_key"]
    candidates = out[comparable]
    is_reference = candidates["group"] == reference
    if standardised:
        usable = candidates["value"].notna() & candidates["variance"].notna()
    else:
        usable = candidates["value"].notna()
    good = candidates.loc[is_reference & usable, by].drop_duplicates()
    with_reference = candidates.merge(good.assign(_has=True), on=by, how="left")["_has"]
    with_reference = with_reference.fillna(False).to_numpy(dtype=bool)
    positions = np.flatnonzero(comparable)
    lacking = positions[~with_reference]
    out.loc[lacking, "comparator"] = reference
    out.loc[lacking, "significance"] = wording.NOT_CALCULATED
    out.loc[lacking, "comparison_status"] = NO_REFERENCE_FIGURES
    chosen = positions[with_reference]
    if len(chosen) == 0:
        return out.drop(columns=["subgroup_key", "statistic_key"])
    frame = out.loc[chosen].copy()
    result = _comparison(plan, frame, reference, by, standardised)
    for column in ("ratio", "ratio_lower", "ratio_upper", "ratio_method", "difference",
                   "difference_lower", "difference_upper", "significance"):
        out.loc[chosen, column] = result[column].to_numpy()
    out.loc[chosen, "comparator"] = reference
    out.loc[chosen, "comparison_status"] = result["comparison_status"].to_numpy()
    return out.drop(columns=["subgroup_key", "statistic_key"])


def _comparison(
    plan: Plan, frame: pd.DataFrame, reference: str, by: list[str], standardised: bool
) -> pd.DataFrame:
    multiplier = plan.metric.multiplier
    if standardised:
        return stats.dsr_ratio(frame, "value", "variance", "group", reference, "numerator",
                               confidence=CONFIDENCE, multiplier=multiplier, by=by)
    if plan.median:
        return _median_comparison(frame, reference, by)
    inputs = frame.copy()
    inputs["denominator"] = inputs["denominator"].where(inputs["denominator"] > 0)
    if plan.method == "proportion":
        return stats.proportion_ratio(inputs, "numerator", "denominator", "group", reference,
                                      multiplier=multiplier, confidence=CONFIDENCE, by=by)
    return stats.rate_ratio(inputs, "numerator", "denominator", "group", reference,
                            multiplier=multiplier, confidence=CONFIDENCE, by=by)


def _median_comparison(frame: pd.DataFrame, reference: str, by: list[str]) -> pd.DataFrame:
    """PHE/Fingertips' convention for medians: a group differs from the reference when the
    reference median lies outside the group's interval; ratio = median / reference median,
    difference = median − reference median, neither with an interval."""
    out = frame.copy()
    ref = out.loc[out["group"] == reference, [*by, "value"]].rename(columns={"value": "_ref"})
    out = out.merge(ref, on=by, how="left")
    value, ref_value = out["value"].to_numpy(float), out["_ref"].to_numpy(float)
    lower, upper = out["lower"].to_numpy(float), out["upper"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = np.where(ref_value > 0, value / ref_value, np.nan)
    out["difference"] = value - ref_value
    for column in ("ratio_lower", "ratio_upper", "difference_lower", "difference_upper"):
        out[column] = np.nan
    out["ratio_method"] = None
    is_reference = (out["group"] == reference).to_numpy()
    missing = np.isnan(lower) | np.isnan(upper) | np.isnan(ref_value)
    significance = np.select(
        [is_reference, missing, ref_value < lower, ref_value > upper],
        [wording.REFERENCE_GROUP, wording.NOT_CALCULATED, wording.higher_than(reference),
         wording.lower_than(reference)],
        default=wording.no_clear_difference(reference),
    )
    out["significance"] = significance
    out["comparison_status"] = np.where(
        is_reference, "reference_group", np.where(missing, "missing_input", "compared")
    )
    return out.drop(columns="_ref")


def add_order(plan: Plan, rows: pd.DataFrame, periods: tuple[Period, ...]) -> pd.DataFrame:
    """Integer sort keys so that results sort stably in report order."""
    out = rows.copy()
    split_index = {s.name: i for i, s in enumerate(plan.splits)}
    out["split_order"] = out["breakdown"].map(split_index).astype("int64")
    statistic_index = {label: i for i, label in enumerate(plan.statistic_order())}
    out["statistic_order"] = out["statistic"].map(statistic_index).astype("int64")
    out["group_order"] = 0
    out["subgroup_order"] = 0
    for split in plan.splits:
        mask = (out["breakdown"] == split.name).to_numpy()
        if not mask.any():
            continue
        first = split.first
        groups = out.loc[mask, "group"].astype(str).tolist()
        order = {g: i for i, g in enumerate(group_order(first, sorted(set(groups)), periods))}
        out.loc[mask, "group_order"] = [order[g] for g in groups]
        if split.second:
            subgroups = out.loc[mask, "subgroup"].astype(str).tolist()
            sub_order = group_order(split.second, sorted(set(subgroups)), periods)
            index = {g: i for i, g in enumerate(sub_order)}
            out.loc[mask, "subgroup_order"] = [index[g] for g in subgroups]
    return out
