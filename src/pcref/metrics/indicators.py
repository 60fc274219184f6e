"""From aggregated counts to indicator rows: values, intervals and comparisons by breakdown.

This is the statistical half of the engine. It receives one period's counts for one metric
(every grouping set of :mod:`pcref.metrics.aggregate` in one frame) and the population cells
(:mod:`pcref.metrics.population`), lays them out as one long table — a row per (breakdown,
group, subgroup, statistic) — and computes, with :mod:`pcref.stats` and one call per method
rather than one per breakdown:

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
share                  count / its margin's count, Wilson score            ratio of proportions
=====================  ==================================================  ====================

A share's margin is the Total for a one-way breakdown and the first breakdown's group for a
cross: ``team x ethnicity_16`` gives each ethnic group's share of the team's caseload, so the
shares of one team add up to 100%.

Groups without a denominator (Not stated and Not known ethnicity, sex or age for population
rates) keep their numerator, get no value, and say why in ``method_status``. Not stated and
Not known are never compared with the reference group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pcref import stats
from pcref.metrics.aggregate import NO_STATISTIC
from pcref.metrics.attributes import NOT_KNOWN, NOT_STATED
from pcref.metrics.breakdowns import (
    CROSS_SEPARATOR,
    TIME,
    TOTAL,
    TOTAL_GROUP,
    Split,
    group_order,
)
from pcref.metrics.catalogue import ESP2013_STANDARD, Metric
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
    "share": "share",
}
STANDARDISED = "standardised rate"
#: The denominator each method needs.
DENOMINATOR_OF_METHOD = {
    "rate": "population",
    "rate_per_denominator": "rows",
    "proportion": "rows",
    "median": "none",
    "ratio_to_expected": "expected",
    "share": "margin",
}
UNKNOWN_ETHNICITY = (NOT_STATED, NOT_KNOWN)
CONFIDENCE = 0.95

# Method statuses (the ``status`` column explains values that are missing or qualified).
NO_POPULATION = "no_population_denominator"
ZERO_DENOMINATOR = "zero_denominator"
NO_OBSERVATIONS = "no_observations"
NOT_STANDARDISED_EMPTY_STRATUM = "not_standardised_no_population_in_a_stratum"
NOT_STANDARDISED_EXCESS = "not_standardised_more_events_than_population_in_a_stratum"
TOO_FEW_FOR_INTERVAL = "too_few_observations_for_an_interval"
NO_REFERENCE_FIGURES = "comparison_reference_group_has_no_figures"

KEY = ["breakdown", "group", "subgroup_key", "stat_label"]
COMPARISON_COLUMNS = ("ratio", "ratio_lower", "ratio_upper", "difference", "difference_lower",
                      "difference_upper")


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
    def stratum_age(self) -> str:
        """The age attribute of the standardisation strata: NHS England's six bands, or the
        European Standard Population 2013's five-year bands (``standardise: esp2013``)."""
        return "esp_band" if self.metric.standard_population == ESP2013_STANDARD else "age_band"

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


# -- laying the counts out by breakdown ------------------------------------------------------


def _code(columns: tuple[str, ...], all_columns: list[str]) -> int:
    return sum(1 << all_columns.index(c) for c in columns)


def long_counts(plan: Plan, counts: pd.DataFrame, all_columns: list[str]) -> pd.DataFrame:
    """One row per (grouping set, group[, subgroup][, stratum]) of the counts, labelled.

    Columns: ``kind`` ("crude" for a breakdown's groups, "strata" for the sex × age-band
    strata of a standardised breakdown), ``breakdown``, ``group``, ``subgroup`` (None for
    one-way), ``subgroup_key`` ("" for one-way), ``stat_label``, ``sex`` and ``age_band`` (for
    strata), ``numerator``, ``denominator`` (if counted), ``unit_rows``, ``observation`` (for
    medians).
    """
    n = len(counts)
    if all_columns:
        grouped = np.column_stack(
            [counts[f"grouped_{c}"].to_numpy() == 0 for c in all_columns]
        )
        code = grouped @ (1 << np.arange(len(all_columns)))
        values = counts[all_columns].to_numpy(dtype=object)
    else:
        code = np.zeros(n, dtype=int)
        values = np.empty((n, 0), dtype=object)
    sets: dict[int, tuple[str, str, tuple[str, ...]]] = {}
    for split in plan.splits:
        sets[_code(split.columns, all_columns)] = ("crude", split.name, split.columns)
    for split in plan.standardised:
        columns = (*split.columns, "sex", plan.stratum_age)
        sets[_code(columns, all_columns)] = ("strata", split.name, split.columns)
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("kind", "breakdown", "group", "subgroup", "sex", "age_band", "row")
    }
    for set_code, (kind, name, columns) in sets.items():
        rows = np.flatnonzero(code == set_code)
        if not len(rows):
            continue

        def column(name: str, rows: np.ndarray = rows) -> np.ndarray:
            return values[rows, all_columns.index(name)]

        count = len(rows)
        parts["kind"].append(np.full(count, kind, dtype=object))
        parts["breakdown"].append(np.full(count, name, dtype=object))
        parts["group"].append(column(columns[0]) if columns
                              else np.full(count, TOTAL_GROUP, dtype=object))
        parts["subgroup"].append(column(columns[1]) if len(columns) > 1
                                 else np.full(count, None, dtype=object))
        strata = kind == "strata"
        parts["sex"].append(column("sex") if strata else np.full(count, None, dtype=object))
        parts["age_band"].append(column(plan.stratum_age) if strata
                                 else np.full(count, None, dtype=object))
        parts["row"].append(rows)
    if not parts["row"]:
        out = pd.DataFrame({k: pd.Series(dtype=object) for k in parts if k != "row"})
        rows = np.array([], dtype=int)
    else:
        out = pd.DataFrame({k: np.concatenate(v) for k, v in parts.items() if k != "row"})
        rows = np.concatenate(parts["row"])
    out["subgroup"] = out["subgroup"].astype(object).where(out["subgroup"].notna(), None)
    out["subgroup_key"] = [("" if s is None else str(s)) for s in out["subgroup"]]
    out["stat_label"] = counts["stat_label"].to_numpy(dtype=object)[rows]
    for name in ("numerator", "denominator", "unit_rows", "observation"):
        if name in counts:
            out[name] = counts[name].to_numpy()[rows]
    return out


def population_groups(
    plan: Plan, period: Period, populations: Populations, splits: tuple[Split, ...]
) -> pd.DataFrame:
    """Every group of ``splits`` that has a denominator, with it (``denominator``); time
    columns are expanded to the period's months or quarters (yearly populations)."""
    expected = plan.metric.denominator == "expected"
    frames = []
    for split in splits:
        totals = populations.totals(split.population_columns, expected=expected)
        for column in split.columns:
            if column in TIME:
                levels = period.months if column == "month" else period.quarters
                totals = totals.merge(pd.DataFrame({column: list(levels)}), how="cross")
        frame = pd.DataFrame({"breakdown": split.name}, index=totals.index)
        if split.columns:
            frame["group"] = totals[split.columns[0]].astype(object)
        else:
            frame["group"] = TOTAL_GROUP
        frame["subgroup"] = totals[split.columns[1]].astype(object) if split.second else None
        frame["denominator"] = totals["denominator"].to_numpy(dtype="float64")
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["subgroup_key"] = out["subgroup"].fillna("").astype(str)
    return out


# -- values ----------------------------------------------------------------------------------


def crude_rows(
    plan: Plan, period: Period, long: pd.DataFrame, populations: Populations | None
) -> pd.DataFrame:
    """The breakdowns' rows with numerator, denominator, value, interval and method."""
    crude = long[long["kind"] == "crude"].drop(columns=["kind", "sex", "age_band"])
    if plan.median:
        rows = _median_rows(crude)
    else:
        keep = [*KEY, "subgroup", "numerator", "unit_rows"]
        if plan.metric.denominator == "rows":
            keep.append("denominator")
        rows = crude[keep]
        if plan.metric.denominator == "margin":
            rows = rows.assign(denominator=margins(rows, "numerator", ["stat_label"]))
        if plan.population_based:
            assert populations is not None
            groups = population_groups(plan, period, populations, plan.splits)
            labels = pd.DataFrame({"stat_label": list(plan.statistics)})
            groups = groups.merge(labels, how="cross")
            rows = rows.drop(columns="subgroup").merge(
                groups.drop(columns="subgroup"), on=KEY, how="outer", sort=False)
            rows["subgroup"] = [None if k == "" else k for k in rows["subgroup_key"]]
            rows["numerator"] = rows["numerator"].fillna(0.0)
            rows["unit_rows"] = rows["unit_rows"].fillna(0).astype("int64")
        rows = _values(plan, rows)
    return _with_total(plan, rows)


def margins(rows: pd.DataFrame, column: str, within: list[str]) -> np.ndarray:
    """Each row's margin's ``column``, the denominator of a share: the Total row's for the
    total and one-way breakdowns, the one-way row of the cross's first breakdown and group
    for a cross (``team x religion`` cell (T, Muslim) → the ``team`` row T), within the same
    table (``within``: the statistic label; the period too once periods are combined)."""
    first = rows["breakdown"].str.split(CROSS_SEPARATOR).str[0]
    is_cross = rows["subgroup"].notna().to_numpy()
    one_way = rows[~is_cross]
    tables = list(zip(*(rows[c] for c in within), strict=True))
    one_way_tables = [t for t, cross in zip(tables, is_cross, strict=True) if not cross]
    value = dict(zip(zip(one_way["breakdown"], one_way["group"], one_way_tables, strict=True),
                     pd.to_numeric(one_way[column]).to_numpy(dtype="float64"), strict=True))
    keys = [
        (b, g, t) if cross else (TOTAL, TOTAL_GROUP, t)
        for b, g, t, cross in zip(first, rows["group"], tables, is_cross, strict=True)
    ]
    return np.array([value.get(key, np.nan) for key in keys], dtype="float64")


def _with_total(plan: Plan, rows: pd.DataFrame) -> pd.DataFrame:
    """Every statistic has a Total row, with zeros when no unit row counted towards it."""
    present = set(rows.loc[rows["breakdown"] == TOTAL, "stat_label"])
    missing = [s for s in plan.statistics if s not in present]
    if not missing:
        return rows
    extra = pd.DataFrame({
        "breakdown": TOTAL, "group": TOTAL_GROUP, "subgroup": None, "subgroup_key": "",
        "stat_label": missing, "numerator": 0.0, "unit_rows": 0,
        "denominator": 0.0 if plan.metric.denominator in ("rows", "margin") else np.nan,
        "value": np.nan, "lower": np.nan, "upper": np.nan, "method": None,
        "method_status": NO_OBSERVATIONS if plan.median else ZERO_DENOMINATOR,
    })
    return pd.concat([rows, extra], ignore_index=True)


def _median_rows(crude: pd.DataFrame) -> pd.DataFrame:
    columns = [*KEY, "subgroup", "numerator", "unit_rows", "denominator", "value", "lower",
               "upper", "method", "method_status"]
    if crude.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    result = stats.median(crude, "observation", by=KEY, frequency="unit_rows",
                          confidence=CONFIDENCE)
    rows = result[KEY].copy()
    rows["subgroup"] = [None if k == "" else k for k in rows["subgroup_key"]]
    rows["numerator"] = result["count"].astype("float64")
    rows["unit_rows"] = result["count"].astype("int64")
    rows["denominator"] = np.nan
    for column in ("value", "lower", "upper"):
        rows[column] = result[column]
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
    value = np.full(len(out), np.nan)
    lower, upper = value.copy(), value.copy()
    method = np.full(len(out), None, dtype=object)
    if valid.any():
        subset = out.loc[valid, ["numerator", "denominator"]]
        try:
            if plan.method in ("proportion", "share"):
                result = stats.proportion(subset, "numerator", "denominator",
                                          multiplier=plan.metric.multiplier,
                                          confidence=CONFIDENCE)
            else:
                result = stats.rate(subset, "numerator", "denominator",
                                    multiplier=plan.metric.multiplier, confidence=CONFIDENCE)
        except ValueError as error:
            raise IndicatorError(f"metric {plan.metric.id}: {error}") from None
        value[valid] = result["value"].to_numpy()
        lower[valid] = result["lower"].to_numpy()
        upper[valid] = result["upper"].to_numpy()
        method[valid] = result["method"].to_numpy(dtype=object)
    out["value"], out["lower"], out["upper"], out["method"] = value, lower, upper, method
    out["method_status"] = status
    return out


def standardised_rows(
    plan: Plan, period: Period, long: pd.DataFrame, populations: Populations
) -> pd.DataFrame:
    """NHS England's directly standardised rate per group of each standardised breakdown.

    Strata are sex × the six age bands with people in the standard (the warehouse's total
    population), or, with ``standardise: esp2013``, sex × the European Standard Population
    2013's five-year bands at or above the metric's minimum age, weighted as that standard
    (the same variance and limits: only the strata and weights differ). Unit rows of unknown
    sex or age (or outside the standard's ages) cannot be placed in a stratum and are left out
    of the standardised numerator only. A group with no population in a stratum, or more
    events than people in one, is not standardised.
    """
    standard = populations.standard(plan.metric.standard_population)
    groups = population_groups(plan, period, populations, plan.standardised)
    groups = groups.drop(columns="denominator").merge(
        pd.DataFrame({"stat_label": list(plan.statistics)}), how="cross")
    frame = groups.merge(standard[["sex", "ageband"]], how="cross")
    first = {s.name: s.first for s in plan.standardised}
    frame["ethnicity"] = frame["breakdown"].map(first)
    lookups = []
    for breakdown in sorted(set(first.values())):
        pop = populations.totals((breakdown, "sex", plan.stratum_age))
        lookups.append(pd.DataFrame({
            "ethnicity": breakdown, "group": pop[breakdown].astype(object),
            "sex": pop["sex"].astype(object), "ageband": pop[plan.stratum_age].astype(object),
            "n": pop["denominator"].to_numpy(dtype="float64"),
        }))
    frame = frame.merge(pd.concat(lookups, ignore_index=True),
                        on=["ethnicity", "group", "sex", "ageband"], how="left")
    strata = long[long["kind"] == "strata"].rename(columns={"age_band": "ageband",
                                                            "numerator": "x"})
    frame = frame.merge(strata[[*KEY, "sex", "ageband", "x"]], on=[*KEY, "sex", "ageband"],
                        how="left")
    frame["x"] = frame["x"].fillna(0.0)
    frame["n"] = frame["n"].fillna(0.0)
    frame["empty"] = frame["n"] <= 0
    frame["excess"] = frame["x"] > frame["n"]
    flags = frame.groupby(KEY, sort=False)[["empty", "excess", "x", "n"]].agg(
        {"empty": "any", "excess": "any", "x": "sum", "n": "sum"}).reset_index()
    bad = frame[KEY].merge(flags[[*KEY, "empty", "excess"]], on=KEY, how="left")
    ok = ~(bad["empty"].to_numpy(dtype=bool) | bad["excess"].to_numpy(dtype=bool))
    rows = groups[[*KEY, "subgroup"]].merge(flags, on=KEY, how="left")
    result_columns = ["value", "lower", "upper", "variance", "method"]
    if ok.any():
        result = stats.dsr(
            frame[ok], "x", "n", by=KEY, ageband="ageband", sex="sex",
            standard=standard[["sex", "ageband", "population"]], method="nhse",
            multiplier=plan.metric.multiplier, confidence=CONFIDENCE,
        )
        rows = rows.merge(result[[*KEY, *result_columns]], on=KEY, how="left")
    else:
        for column in result_columns:
            rows[column] = np.nan if column != "method" else None
    rows["numerator"] = rows.pop("x")
    rows["denominator"] = rows.pop("n")
    rows["method_status"] = np.where(
        rows["empty"], NOT_STANDARDISED_EMPTY_STRATUM,
        np.where(rows["excess"], NOT_STANDARDISED_EXCESS, ""))
    rows["unit_rows"] = 0
    return rows.drop(columns=["empty", "excess"])


# -- comparison with the reference group ----------------------------------------------------


def compare_all(plan: Plan, rows: pd.DataFrame, standardised: bool) -> pd.DataFrame:
    """Add comparison columns to every row; ethnicity breakdowns are compared with their
    reference group (each statistic, breakdown and subgroup on its own)."""
    out = rows.reset_index(drop=True)
    for column in COMPARISON_COLUMNS:
        out[column] = np.nan
    for column in ("ratio_method", "significance", "comparator"):
        out[column] = None
    out["comparison_status"] = ""
    first = out["breakdown"].str.split(" x ").str[0]
    for breakdown, reference in plan.metric.reference_group.items():
        chosen = np.flatnonzero((first == breakdown).to_numpy())
        if len(chosen):
            result = _compare(plan, out.loc[chosen], reference, standardised)
            for column in (*COMPARISON_COLUMNS, "ratio_method", "significance", "comparator",
                           "comparison_status"):
                out.loc[chosen, column] = result[column].to_numpy()
    return out


def _compare(plan: Plan, rows: pd.DataFrame, reference: str, standardised: bool) -> pd.DataFrame:
    """Compare the rows of one ethnicity breakdown (and its crosses) with ``reference``.

    Not stated and Not known are not compared. A partition (breakdown, statistic, subgroup)
    whose reference group has no figures (absent, or no value) gets no comparison and says so.
    """
    out = rows.reset_index(drop=True).copy()
    by = ["breakdown", "stat_label", "subgroup_key"]
    comparable = ~out["group"].isin(UNKNOWN_ETHNICITY).to_numpy()
    if standardised:
        usable = out["value"].notna() & out["variance"].notna()
    else:
        usable = out["value"].notna()
    is_reference = (out["group"] == reference).to_numpy()
    good = out.loc[is_reference & usable.to_numpy(), by].drop_duplicates()
    has_reference = out[by].merge(good.assign(_has=True), on=by, how="left")["_has"]
    has_reference = has_reference.fillna(False).to_numpy(dtype=bool)
    lacking = comparable & ~has_reference
    out.loc[lacking, "comparator"] = reference
    out.loc[lacking, "comparison_status"] = NO_REFERENCE_FIGURES
    chosen = np.flatnonzero(comparable & has_reference)
    if not len(chosen):
        return out
    frame = out.loc[chosen].copy()
    multiplier = plan.metric.multiplier
    if standardised:
        result = stats.dsr_ratio(frame, "value", "variance", "group", reference, "numerator",
                                 confidence=CONFIDENCE, multiplier=multiplier, by=by)
    elif plan.median:
        result = _median_comparison(frame, reference, by)
    else:
        frame["denominator"] = frame["denominator"].where(frame["denominator"] > 0)
        function = (stats.proportion_ratio if plan.method in ("proportion", "share")
                    else stats.rate_ratio)
        result = function(frame, "numerator", "denominator", "group", reference,
                          multiplier=multiplier, confidence=CONFIDENCE, by=by)
    for column in (*COMPARISON_COLUMNS, "ratio_method", "significance", "comparison_status"):
        out.loc[chosen, column] = result[column].to_numpy()
    out.loc[chosen, "comparator"] = reference
    return out


def _median_comparison(frame: pd.DataFrame, reference: str, by: list[str]) -> pd.DataFrame:
    """PHE/Fingertips' convention for medians: a group differs from the reference when the
    reference median lies outside the group's interval; ratio = median / reference median,
    difference = median − reference median, neither with an interval."""
    out = frame.reset_index(drop=True)
    ref = out.loc[out["group"] == reference, [*by, "value"]].rename(columns={"value": "_ref"})
    ref_value = out[by].merge(ref, on=by, how="left")["_ref"].to_numpy(dtype="float64")
    value = out["value"].to_numpy(dtype="float64")
    lower = out["lower"].to_numpy(dtype="float64")
    upper = out["upper"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = np.where(ref_value > 0, value / ref_value, np.nan)
    out["difference"] = value - ref_value
    for column in ("ratio_lower", "ratio_upper", "difference_lower", "difference_upper"):
        out[column] = np.nan
    out["ratio_method"] = None
    is_reference = (out["group"] == reference).to_numpy()
    missing = np.isnan(lower) | np.isnan(upper) | np.isnan(ref_value)
    out["significance"] = np.select(
        [is_reference, missing, ref_value < lower, ref_value > upper],
        [wording.REFERENCE_GROUP, wording.NOT_CALCULATED, wording.higher_than(reference),
         wording.lower_than(reference)],
        default=wording.no_clear_difference(reference),
    )
    out["comparison_status"] = np.where(
        is_reference, "reference_group", np.where(missing, "missing_input", "compared"))
    return out


# -- one period ------------------------------------------------------------------------------


def period_rows(
    plan: Plan,
    period: Period,
    counts: pd.DataFrame,
    all_columns: list[str],
    populations: Populations | None,
) -> pd.DataFrame:
    """Every row of one metric for one period: crude (and standardised) values, compared."""
    long = long_counts(plan, counts, all_columns)
    crude = compare_all(plan, crude_rows(plan, period, long, populations), standardised=False)
    crude["is_standardised"] = False
    crude["statistic"] = crude["stat_label"].map(plan.statistic_label)
    crude["base_statistic"] = crude["statistic"]
    frames = [crude]
    if plan.standardised:
        assert populations is not None
        std = compare_all(plan, standardised_rows(plan, period, long, populations),
                          standardised=True)
        std["is_standardised"] = True
        std["base_statistic"] = std["stat_label"].map(plan.statistic_label)
        std["statistic"] = std["base_statistic"].map(standardised_label)
        frames.append(std)
    out = pd.concat(frames, ignore_index=True)
    out["period"] = period.label
    return out.drop(columns=["stat_label", "subgroup_key"])


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
        groups = out.loc[mask, "group"].astype(str)
        order = group_order(split.first, sorted(set(groups)), periods)
        out.loc[mask, "group_order"] = groups.map({g: i for i, g in enumerate(order)}).to_numpy()
        if split.second:
            subgroups = out.loc[mask, "subgroup"].astype(str)
            order = group_order(split.second, sorted(set(subgroups)), periods)
            out.loc[mask, "subgroup_order"] = subgroups.map(
                {g: i for i, g in enumerate(order)}).to_numpy()
    return out
