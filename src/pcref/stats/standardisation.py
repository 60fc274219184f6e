"""Direct and indirect age (× sex) standardisation.

* :func:`dsr`: directly standardised rate. ``method="dobson"`` follows PHEindicatormethods
  ``calculate_dsr`` (Dobson et al. 1991 limits from Byar's limits of the total count,
  including the adjustment for non-independent events such as repeat detentions of one
  person; suppressed below 10 events). ``method="nhse"`` reproduces NHS England's Mental
  Health Act statistics (binomial variance, normal-approximation interval).
* :func:`isratio` and :func:`israte`: indirectly standardised ratio (observed / expected,
  the SMR family) and rate, as PHEindicatormethods ``calculate_ISRatio`` / ``calculate_ISRate``.

Age bands (and sex) are matched to the standard or reference **by label**; every group must
have every band of the standard exactly once. Formulas, sources and edge cases are set out in
``docs/methods/crude-and-standardised.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pcref.stats import intervals
from pcref.stats._checks import (
    _first_label,
    _plain,
    check_non_negative,
    check_not_greater,
    check_not_missing,
    check_positive,
    check_unique,
    normalise_confidence,
    numeric_column,
    require_columns,
)
from pcref.stats.crude import ConfidenceArg, format_multiplier
from pcref.stats.standard_populations import NHSE_AGE_BANDS, standard_population

#: Total events below which PHE suppresses a Dobson DSR (value and limits missing).
DSR_MINIMUM_COUNT: int = 10

#: ``status`` values in :func:`dsr` output.
STATUS_OK = "ok"
STATUS_DSR_TOTAL_LT_10 = "dsr_total_lt_10"

_SEP = "\x1f"


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _labels(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One string key per row from label columns (so 1 and "1" match)."""
    parts = [df[c].map(lambda v: str(_plain(v)).strip()) for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + _SEP + part
    return key


def _describe_key(key: str, columns: list[str]) -> str:
    return ", ".join(f"{c}={v!r}" for c, v in zip(columns, key.split(_SEP), strict=True))


def _group_keys(df: pd.DataFrame, by_cols: list[str]) -> pd.Series:
    if not by_cols:
        return pd.Series(0, index=df.index)
    return pd.Series(
        pd.MultiIndex.from_frame(df[by_cols]).to_flat_index(), index=df.index
    ).map(lambda k: k if len(by_cols) > 1 else k[0])


def _resolve_standard(standard: str | pd.DataFrame, sex: str | None) -> pd.DataFrame:
    """Validate a standard population and return columns [sex], ageband, population."""
    table = standard_population(standard) if isinstance(standard, str) else standard
    if not isinstance(table, pd.DataFrame):
        raise ValueError(
            f"standard {standard!r}: expected 'esp2013', 'england2021_sex_age6' or a DataFrame "
            "with columns ageband, population (and sex for a sex-specific standard)"
        )
    strata = ["sex", "ageband"] if sex is not None else ["ageband"]
    if sex is None and "sex" in table.columns:
        raise ValueError(
            "the standard population has a 'sex' column: give sex= (the data's sex column) "
            "so that strata are matched by sex and age band"
        )
    require_columns(table, [*strata, "population"])
    for column in strata:
        check_not_missing(table, column)
    check_not_missing(table, "population")
    check_non_negative(table, "population")
    check_unique(table, strata, what="standard population stratum")
    out = table[[*strata, "population"]].copy()
    out["population"] = numeric_column(out, "population")
    out["_key"] = _labels(out, strata).to_numpy()
    return out


def _match_strata(
    df: pd.DataFrame,
    keys: pd.Series,
    stratum_cols: list[str],
    reference_keys: pd.Series,
    what: str,
) -> None:
    """Raise if a row's stratum label is not in the standard/reference."""
    known = set(reference_keys)
    unknown = ~keys.isin(known)
    if unknown.any():
        label = _first_label(df, unknown)
        present = _describe_key(keys.loc[label], stratum_cols)
        raise ValueError(
            f"column(s) {stratum_cols}, row {_plain(label)!r} ({present}): this age band is not "
            f"in the {what}; expected one of {sorted(known)}"
        )


def _check_complete(
    keys: pd.Series,
    groups: pd.Series,
    stratum_cols: list[str],
    reference_keys: pd.Series,
    by_cols: list[str],
    what: str,
) -> None:
    """Raise if a group lacks a band of the standard (every band must be given, even if 0)."""
    expected = list(reference_keys)
    present = pd.DataFrame({"g": groups.to_numpy(), "k": keys.to_numpy()})
    for group, members in present.groupby("g", sort=False, dropna=False)["k"]:
        missing = [k for k in expected if k not in set(members)]
        if missing:
            where = f" for {dict(zip(by_cols, _as_tuple(group), strict=True))}" if by_cols else ""
            bands = "; ".join(_describe_key(k, stratum_cols) for k in missing)
            raise ValueError(
                f"column(s) {stratum_cols}{where}: missing age band(s) {bands} of the {what}; "
                "expected a row for every band (use a count of 0 where there were no events)"
            )


def _as_tuple(group: object) -> tuple:
    return group if isinstance(group, tuple) else (group,)


def _group_frame(by_cols: list[str], order: pd.Index) -> pd.DataFrame:
    if not by_cols:
        return pd.DataFrame(index=range(len(order)))
    return pd.DataFrame([_as_tuple(g) for g in order], columns=by_cols)


def dsr(
    df: pd.DataFrame,
    x: str,
    n: str,
    by: str | Sequence[str] | None,
    ageband: str,
    standard: str | pd.DataFrame = "esp2013",
    method: str = "dobson",
    multiplier: float = 100_000,
    confidence: ConfidenceArg = 0.95,
    sex: str | None = None,
    independent_events: bool = True,
    eventfreq: str | None = None,
    nhse_omit_16_17_from_variance: bool = False,
) -> pd.DataFrame:
    """Directly standardised rate per group, with confidence limits.

    ``DSR = Σ wᵢ·xᵢ/nᵢ / Σ wᵢ × multiplier`` over the strata i (age band, or sex × age band)
    of the standard population w. The point estimate is the same for both methods.

    Args:
        df: one row per group × stratum (× event frequency for non-independent events).
        x: events (missing counts are 0). With ``independent_events=False``, the number of
            people with exactly ``eventfreq`` events.
        n: population of the stratum (> 0, never missing).
        by: column(s) identifying the groups (e.g. ethnic group, period), or None.
        ageband: column of age band labels, matched by label to the standard.
        standard: "esp2013", "england2021_sex_age6" (not bundled, see
            :mod:`pcref.stats.standard_populations`) or a DataFrame with columns ``ageband``,
            ``population`` (and ``sex``).
        method: "dobson" (PHE; Dobson limits from Byar's limits of the total count; value
            and limits missing when the total count is below 10) or "nhse" (NHS England MHA:
            weights N_i/N, binomial variance Σ wᵢ² rᵢ(1−rᵢ)/nᵢ, normal-approximation limits,
            no suppression).
        multiplier: e.g. 100000 for "per 100,000".
        confidence: 0.95, 0.998, another level in [0.9, 1], or (0.95, 0.998).
        sex: column of sex labels when the standard is sex-specific.
        independent_events: False applies PHE's variance adjustment for people with repeat
            events (Dobson only); then ``eventfreq`` is required.
        eventfreq: column giving the number of events each person in the row had.
        nhse_omit_16_17_from_variance: with method "nhse", leave the 16-17 stratum out of the
            variance as NHS England's published SQL does (its CIs are slightly too narrow).
            Off by default; only for reproducing published figures.

    Returns:
        One row per group: the ``by`` columns, ``total_count``, ``total_pop``, ``value``,
        limits, ``variance`` (var(DSR) per person, before the multiplier, for DSR ratios),
        ``confidence``, ``statistic``, ``method`` and ``status`` ("ok" or
        "dsr_total_lt_10").
    """
    levels = normalise_confidence(confidence)
    if method not in ("dobson", "nhse"):
        raise ValueError(f"method {method!r}: expected 'dobson' or 'nhse'")
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier {multiplier!r}: expected a positive number")
    if not independent_events and eventfreq is None:
        raise ValueError("independent_events=False needs eventfreq= (column of events per person)")
    if not independent_events and method == "nhse":
        raise ValueError(
            "method 'nhse' has no adjustment for non-independent events; use method='dobson'"
        )
    if nhse_omit_16_17_from_variance and method != "nhse":
        raise ValueError("nhse_omit_16_17_from_variance applies only to method='nhse'")
    by_cols = _by_columns(by)
    stratum_cols = [sex, ageband] if sex is not None else [ageband]
    require_columns(df, [x, n, *stratum_cols, *by_cols, eventfreq])
    std = _resolve_standard(standard, sex)

    check_non_negative(df, x)
    check_not_missing(df, n)
    check_positive(df, n)
    for column in stratum_cols:
        check_not_missing(df, column)
    if method == "nhse":
        check_not_greater(df, x, n)
    if independent_events:
        check_unique(df, [*by_cols, *stratum_cols], what="age band")
    else:
        check_not_missing(df, eventfreq)
        check_positive(df, eventfreq)
        check_unique(df, [*by_cols, *stratum_cols, eventfreq], what="age band and eventfreq")

    keys = _labels(df, stratum_cols)
    _match_strata(df, keys, stratum_cols, std["_key"], "standard population")
    groups = _group_keys(df, by_cols)
    _check_complete(keys, groups, stratum_cols, std["_key"], by_cols, "standard population")

    count = numeric_column(df, x).fillna(0.0).to_numpy()
    population = numeric_column(df, n).to_numpy()
    frequency = numeric_column(df, eventfreq).to_numpy() if eventfreq is not None else 1.0
    rows = pd.DataFrame(
        {
            "group": groups.to_numpy(),
            "key": keys.to_numpy(),
            "events": count * frequency,
            "events_sq": count * frequency**2,
            "n": population,
        }
    )
    if not independent_events:
        distinct = (
            pd.Series(population, index=df.index)
            .groupby([groups.to_numpy(), keys.to_numpy()], dropna=False)
            .transform("nunique")
        )
        if (distinct > 1).any():
            label = _first_label(df, distinct > 1)
            raise ValueError(
                f"column {n!r}, row {_plain(label)!r}: rows with the same group and age band "
                "but different populations; expected one population per group and age band"
            )
    # One row per group × stratum.
    strata = rows.groupby(["group", "key"], sort=False, dropna=False).agg(
        events=("events", "sum"), events_sq=("events_sq", "sum"), n=("n", "first")
    )
    strata = strata.reset_index()
    weight = std.set_index("_key")["population"]
    strata["w"] = strata["key"].map(weight).to_numpy()
    w, d, d_sq, pop = (strata[c].to_numpy() for c in ("w", "events", "events_sq", "n"))
    strata["a"] = d * w / pop
    strata["b"] = d_sq * w**2 / pop**2
    if method == "nhse":
        r = d / pop
        strata["b"] = w**2 * r * (1 - r) / pop
        if nhse_omit_16_17_from_variance:
            band_of = std.set_index("_key")["ageband"].map(lambda v: str(v).strip())
            bands = strata["key"].map(band_of)
            if not (bands == NHSE_AGE_BANDS[1]).any():
                raise ValueError(
                    f"nhse_omit_16_17_from_variance: the standard has no {NHSE_AGE_BANDS[1]!r} "
                    "age band"
                )
            strata.loc[bands == NHSE_AGE_BANDS[1], "b"] = 0.0

    per_group = strata.groupby("group", sort=False, dropna=False).agg(
        total_count=("events", "sum"),
        total_pop=("n", "sum"),
        sum_a=("a", "sum"),
        sum_b=("b", "sum"),
        sum_w=("w", "sum"),
    )
    out = _group_frame(by_cols, per_group.index)
    total = per_group["total_count"].to_numpy()
    sum_w = per_group["sum_w"].to_numpy()
    # NHS England's weights are N_i / N with N the whole standard; Σw is the same total here
    # because every group has every stratum.
    value = per_group["sum_a"].to_numpy() / sum_w
    variance = per_group["sum_b"].to_numpy() / sum_w**2
    out["total_count"] = total
    out["total_pop"] = per_group["total_pop"].to_numpy()
    out["value"] = value * multiplier

    suppressed = np.zeros(len(out), dtype=bool)
    if method == "dobson":
        suppressed = total < DSR_MINIMUM_COUNT
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.sqrt(variance / total)
            for level, lower_name, upper_name in intervals.limit_column_names(levels):
                lower_count = intervals.byars_lower(total, level)
                upper_count = intervals.byars_upper(total, level)
                out[lower_name] = (value + scale * (lower_count - total)) * multiplier
                out[upper_name] = (value + scale * (upper_count - total)) * multiplier
        method_text = "Dobson"
        if not independent_events:
            method_text += ", with confidence adjusted for non-independent events"
    else:
        for level, lower_name, upper_name in intervals.limit_column_names(levels):
            half_width = intervals.z_value(level) * np.sqrt(variance)
            out[lower_name] = (value - half_width) * multiplier
            out[upper_name] = (value + half_width) * multiplier
        method_text = "NHS England normal approximation (binomial variance)"
        if nhse_omit_16_17_from_variance:
            method_text += ", 16-17 stratum omitted from variance as published"
    out["variance"] = variance
    limit_cols = [c for _, lo, up in intervals.limit_column_names(levels) for c in (lo, up)]
    out.loc[suppressed, ["value", *limit_cols, "variance"]] = np.nan
    out["confidence"] = intervals.confidence_label(levels)
    statistic = f"dsr per {format_multiplier(multiplier)}"
    out["statistic"] = np.where(suppressed, "dsr NA for total count < 10", statistic)
    out["method"] = method_text
    out["status"] = np.where(suppressed, STATUS_DSR_TOTAL_LT_10, STATUS_OK)
    return out


def _indirect(
    df: pd.DataFrame,
    x: str,
    n: str,
    x_ref: str,
    n_ref: str,
    by: str | Sequence[str] | None,
    ageband: str | None,
    reference: pd.DataFrame | None,
    confidence: ConfidenceArg,
    observed_totals: pd.DataFrame | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, tuple[float, ...]]:
    """Observed and expected counts per group (shared by isratio and israte)."""
    levels = normalise_confidence(confidence)
    by_cols = _by_columns(by)
    needs_x = observed_totals is None
    if reference is None:
        require_columns(df, [n, x_ref, n_ref, *by_cols, ageband, x if needs_x else None])
        table = df
    else:
        if ageband is None:
            raise ValueError("a reference table needs ageband= to match it by age band label")
        require_columns(df, [n, ageband, *by_cols, x if needs_x else None])
        require_columns(reference, [ageband, x_ref, n_ref])
        check_not_missing(reference, ageband)
        check_unique(reference, [ageband], what="reference age band")
        check_not_missing(df, ageband)
        ref_keys = _labels(reference, [ageband])
        keys = _labels(df, [ageband])
        _match_strata(df, keys, [ageband], ref_keys, "reference table")
        _check_complete(
            keys, _group_keys(df, by_cols), [ageband], ref_keys, by_cols, "reference table"
        )
        ref = reference[[x_ref, n_ref]].set_axis(ref_keys.to_numpy())
        table = df.copy()
        table[x_ref] = keys.map(ref[x_ref]).to_numpy()
        table[n_ref] = keys.map(ref[n_ref]).to_numpy()
    if needs_x:
        check_non_negative(table, x)
    check_non_negative(table, n)
    check_non_negative(table, x_ref)
    check_not_missing(table, n_ref)
    check_positive(table, n_ref)
    if ageband is not None:
        check_unique(table, [*by_cols, ageband], what="age band")

    groups = _group_keys(table, by_cols)
    ref_x = numeric_column(table, x_ref).fillna(0.0).to_numpy()
    ref_n = numeric_column(table, n_ref).to_numpy()
    local_n = numeric_column(table, n).fillna(0.0).to_numpy()
    rows = pd.DataFrame(
        {
            "group": groups.to_numpy(),
            "expected": ref_x / ref_n * local_n,
            "observed": numeric_column(table, x).fillna(0.0).to_numpy() if needs_x else 0.0,
            "ref_x": ref_x,
            "ref_n": ref_n,
        }
    )
    per_group = rows.groupby("group", sort=False, dropna=False).sum()
    out = _group_frame(by_cols, per_group.index)
    observed = per_group["observed"].to_numpy()
    if observed_totals is not None:
        observed = _observed_from_totals(observed_totals, x, by_cols, per_group.index)
    out["observed"] = observed
    out["expected"] = per_group["expected"].to_numpy()
    ref_rate = per_group["ref_x"].to_numpy() / per_group["ref_n"].to_numpy()
    return out, observed, out["expected"].to_numpy(), ref_rate, levels


def _observed_from_totals(
    totals: pd.DataFrame, x: str, by_cols: list[str], order: pd.Index
) -> np.ndarray:
    require_columns(totals, [*by_cols, x])
    check_not_missing(totals, x)
    check_non_negative(totals, x)
    if by_cols:
        check_unique(totals, by_cols, what="group")
        lookup = pd.Series(
            numeric_column(totals, x).to_numpy(), index=_group_keys(totals, by_cols).to_numpy()
        )
    else:
        if len(totals) != 1:
            raise ValueError(
                f"observed_totals has {len(totals)} rows: expected one row without by="
            )
        lookup = pd.Series(numeric_column(totals, x).to_numpy(), index=[0])
    missing = [g for g in order if g not in lookup.index]
    if missing:
        raise ValueError(
            f"observed_totals column {x!r}: no total for group "
            f"{dict(zip(by_cols, _as_tuple(missing[0]), strict=True))}; expected one per group"
        )
    return lookup.loc[list(order)].to_numpy(dtype="float64")


def _add_limits(
    out: pd.DataFrame, observed: np.ndarray, scale: np.ndarray, levels: tuple[float, ...]
) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        for level, lower_name, upper_name in intervals.limit_column_names(levels):
            lower, upper = intervals.poisson_limits(observed, level)
            out[lower_name] = lower * scale
            out[upper_name] = upper * scale
    out["confidence"] = intervals.confidence_label(levels)


def isratio(
    df: pd.DataFrame,
    x: str,
    n: str,
    x_ref: str,
    n_ref: str,
    by: str | Sequence[str] | None = None,
    ageband: str | None = None,
    reference: pd.DataFrame | None = None,
    refvalue: float = 1,
    confidence: ConfidenceArg = 0.95,
    observed_totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Indirectly standardised ratio ``O/E × refvalue`` (e.g. an SMR with refvalue 100).

    ``E = Σ (x_ref,i / n_ref,i) · n_i`` over the age bands i of each group; ``O = Σ x_i``.
    Limits are Poisson limits of O (exact below 10, Byar's from 10) divided by E.

    Args:
        df: one row per group × age band with local events ``x`` and population ``n``
            (missing values count as 0; a zero population is allowed).
        x_ref, n_ref: reference events and population per band: columns of ``df`` when
            ``reference`` is None, otherwise columns of ``reference``.
        by: group column(s), or None for one group.
        ageband: age band column; required with ``reference``, whose rows are matched to
            ``df`` by this label (every group must have every reference band).
        reference: optional table with one row per age band (``ageband``, ``x_ref``, ``n_ref``).
        refvalue: 1 for a ratio, 100 for a ratio × 100.
        observed_totals: optional table of observed totals per group (``by`` columns and a
            column named ``x``), used as O when events are not known by age band.

    Returns:
        One row per group: ``by`` columns, ``observed``, ``expected``, ``value``, limits,
        ``confidence``, ``statistic`` and ``method`` (Exact/Byars). E = 0 gives inf/NaN.
    """
    if not np.isfinite(refvalue) or refvalue <= 0:
        raise ValueError(f"refvalue {refvalue!r}: expected a positive number, e.g. 1 or 100")
    out, observed, expected, _, levels = _indirect(
        df, x, n, x_ref, n_ref, by, ageband, reference, confidence, observed_totals
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = refvalue / expected
        out["value"] = observed * scale
    _add_limits(out, observed, scale, levels)
    out["statistic"] = f"indirectly standardised ratio x {format_multiplier(refvalue)}"
    out["method"] = intervals.poisson_method(observed)
    return out


def israte(
    df: pd.DataFrame,
    x: str,
    n: str,
    x_ref: str,
    n_ref: str,
    by: str | Sequence[str] | None = None,
    ageband: str | None = None,
    reference: pd.DataFrame | None = None,
    multiplier: float = 100_000,
    confidence: ConfidenceArg = 0.95,
    observed_totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Indirectly standardised rate ``O/E × reference rate`` (PHE ``calculate_ISRate``).

    The reference rate is the crude reference rate ``Σx_ref / Σn_ref × multiplier`` over the
    group's bands. Arguments as :func:`isratio`; the output adds ``reference_rate``.
    """
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier {multiplier!r}: expected a positive number")
    out, observed, expected, ref_rate, levels = _indirect(
        df, x, n, x_ref, n_ref, by, ageband, reference, confidence, observed_totals
    )
    out["reference_rate"] = ref_rate * multiplier
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = ref_rate * multiplier / expected
        out["value"] = observed * scale
    _add_limits(out, observed, scale, levels)
    out["statistic"] = f"indirectly standardised rate per {format_multiplier(multiplier)}"
    out["method"] = intervals.poisson_method(observed)
    return out
