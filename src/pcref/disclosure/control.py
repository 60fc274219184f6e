"""Apply a disclosure-control policy to a tidy results table (:func:`apply`).

The input is a results table with one row per (metric, period, breakdown, group) and
columns such as ``numerator``, ``denominator``, ``value``, ``lower``, ``upper``, ``ratio``.
The output is a new table ready to publish under the policy: count columns rounded or
missing, derived figures missing where they would give a hidden count away, and four
columns saying what was done (``suppressed``, ``status``, ``display_value``,
``disclosure_policy``). The policy's full parameters are in ``attrs["disclosure_policy"]``
and the call's description of the table in ``attrs["disclosure"]``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pcref.disclosure.policies import Policy, resolve_policy
from pcref.disclosure.rounding import round_to_base
from pcref.disclosure.secondary import (
    HiddenBounds,
    TableCannotBeProtected,
    TableLayout,
    protect,
    withhold_whole_table,
)
from pcref.stats._checks import (
    check_non_negative,
    check_not_missing,
    check_unique,
    numeric_column,
    require_columns,
)

SHOWN = "shown"
ROUNDED = "rounded"
SUPPRESSED_SMALL_COUNT = "suppressed_small_count"
SUPPRESSED_SECONDARY = "suppressed_secondary"
SUPPRESSED_REFERENCE = "suppressed_reference_suppressed"
SUPPRESSED_WHOLE_TABLE = "suppressed_whole_table"
#: Prefix of the bed-day status; the policy's minimum follows ("..._below_100").
SUPPRESSED_BED_DAYS_PREFIX = "suppressed_bed_days_below_"

#: What each status means (the bed-day one is written with the policy's minimum).
STATUSES: Mapping[str, str] = {
    SHOWN: "Nothing on the row is withheld or rounded (zeros are exact under the policy).",
    ROUNDED: "Counts on the row are published rounded to the policy's base.",
    SUPPRESSED_SMALL_COUNT: (
        "A count on the row is in the policy's small-number range; it and the figures "
        "derived from it are withheld."
    ),
    SUPPRESSED_SECONDARY: (
        "A count on the row is withheld so that another withheld count cannot be worked "
        "out from totals; figures derived from it are withheld too."
    ),
    SUPPRESSED_BED_DAYS_PREFIX + "<minimum>": (
        "Rates on the row are withheld because the occupied bed days are below the "
        "policy's minimum; counts are still published."
    ),
    SUPPRESSED_WHOLE_TABLE: (
        "The table is so small that no choice of hidden cells could protect its small "
        "counts (its totals, the 1-7 range and the published zeros would give them away), "
        "so every count in it, zeros included, is withheld with the figures derived from it."
    ),
    SUPPRESSED_REFERENCE: (
        "Comparison figures (ratios, differences) on the row are withheld because the "
        "reference group's figures are withheld; the row's own figures are published."
    ),
}

#: Columns added to the output.
OUTPUT_COLUMNS = ("suppressed", "status", "display_value", "disclosure_policy")

#: Column-name prefixes taken as derived figures when ``derived_columns`` is not given.
DERIVED_PREFIXES = (
    "value",
    "lower",
    "upper",
    "ratio",
    "rate",
    "difference",
    "percent",
    "proportion",
    "dsr",
    "mean",
    "median",
    "significance",
)
#: Derived-column prefixes that compare a group with a reference group.
COMPARISON_PREFIXES = ("ratio", "rate_ratio", "difference", "rate_difference", "significance")


def apply(
    df: pd.DataFrame,
    policy: str | Policy | Mapping[str, Any] = "public",
    count_columns: Sequence[str] | None = None,
    *,
    derived_columns: Sequence[str] | None = None,
    comparison_columns: Sequence[str] | None = None,
    table_keys: Sequence[str] = (),
    dimensions: Sequence[str] = (),
    total_label: Hashable | Mapping[str, Hashable] = "Total",
    hierarchy: Mapping[str, Mapping[Hashable, Hashable]] | None = None,
    bed_days_column: str | None = None,
    bed_day_rows: str | Sequence[bool] | pd.Series | None = None,
    reference_group: Hashable | None = None,
    reference_group_column: str | None = None,
    reference_dimension: str | None = None,
    display_column: str | None = None,
    decimals: int | None = 1,
    keep_original: bool = False,
) -> pd.DataFrame:
    """Apply disclosure control to a results table and return the publishable table.

    Args:
        df: Results table, one row per cell (never modified).
        policy: ``"public"`` (default, strict), ``"nhse"`` (NHS England's MHSDS rule, for
            internal views), a :class:`~pcref.disclosure.Policy`, or a mapping of its
            parameters.
        count_columns: Columns holding counts of people or events (whole numbers >= 0),
            e.g. ``["numerator"]``, or ``["numerator", "denominator"]`` when the
            denominator also counts people (inpatients). Each is suppressed and rounded;
            population and bed-day denominators are not counts in this sense.
        derived_columns: Figures computed from the counts (rates, percentages, limits,
            ratios), withheld on any row where one of its counts is withheld. Default:
            every column whose name starts with one of :data:`DERIVED_PREFIXES`.
        comparison_columns: Derived columns that compare the row's group with a
            reference group (ratio, difference, their limits, significance); also
            withheld when the reference group's figures are. Default: derived columns
            starting with one of :data:`COMPARISON_PREFIXES`.
        table_keys: Columns identifying independent tables (e.g. metric, period).
            Secondary suppression works within each table. A table where no choice of
            hidden cells protects its small counts (a handful of people spread one or two
            to a cell) has every count withheld, zeros included, with status
            ``suppressed_whole_table``.
        dimensions: Columns whose labels place a row in its table: ``["group"]`` for a
            one-way breakdown, ``["ethnicity", "team"]`` for a two-way table. Each must
            contain the total label on its margin rows. Required when the policy has
            secondary suppression.
        total_label: Label of the margin in each dimension (one label, or a mapping
            dimension → label).
        hierarchy: For a dimension whose labels nest, ``{dimension: {child: parent}}``
            (e.g. 16 ethnic groups to 5 to the total); unlisted labels add up to the
            total.
        bed_days_column: Column of occupied bed days; rates on rows flagged by
            ``bed_day_rows`` (default: every row) are withheld below the policy's minimum
            (or when the bed days are missing).
        bed_day_rows: Name of a boolean column, or a boolean sequence aligned with
            ``df``, flagging rows whose rate is per occupied bed day.
        reference_group: Label of the reference group (e.g. ``"White"``) in
            ``reference_dimension`` that comparison columns are computed against.
        reference_group_column: Alternatively, a column holding each row's reference
            group label.
        reference_dimension: Dimension holding the reference group (default: the first).
        display_column: Column shown in ``display_value`` (default ``"value"`` if it is a
            derived column, else the first count column).
        decimals: Decimal places for a derived ``display_value`` (``None``: as stored).
        keep_original: Internal view only: also return each count and derived column's
            unrounded, unsuppressed values as ``<column>_original``. Never publish it.

    Returns:
        A new DataFrame with the input's rows, index and columns, where count columns are
        published values (nullable integers: rounded, or missing when withheld) and
        withheld derived figures are missing; plus ``suppressed`` (anything on the row
        withheld), ``status`` (why; see :data:`STATUSES`), ``display_value`` (the
        headline figure as displayed, the policy's symbol when withheld, ``""`` when
        missing in the input) and ``disclosure_policy`` (the policy's name).
        ``attrs["disclosure_policy"]`` holds the policy's full parameters and
        ``attrs["disclosure"]`` how the table was described and what was done.

    Raises:
        ValueError: unknown policy; missing, non-numeric, negative or fractional counts
            (naming the column and row); duplicated cells; no table structure for a
            policy with secondary suppression; unknown reference group.
        TableCannotBeProtected: declared lines inconsistent with the counts, so that even a
            wholly withheld table gives a count away.
    """
    pol = resolve_policy(policy)
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(df).__name__}")
    counts = _names(count_columns, "count_columns")
    if not counts:
        raise ValueError("count_columns: expected at least one column of counts")
    keys = _names(table_keys, "table_keys")
    dims = _names(dimensions, "dimensions")
    require_columns(df, [*counts, *keys, *dims, bed_days_column, reference_group_column])
    clash = [c for c in OUTPUT_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(
            f"column(s) {clash} already in the table; disclosure control adds them "
            "(has it been applied already?)"
        )
    _check_disjoint({"count_columns": counts, "table_keys": keys, "dimensions": dims})
    structural = {*keys, *dims, bed_days_column, reference_group_column}
    derived = _derived_columns(df, derived_columns, counts, structural)
    comparisons = _comparison_columns(df, comparison_columns, derived, counts, structural)
    derived = [c for c in derived if c not in comparisons]
    totals = _total_labels(total_label, dims)
    hierarchy = _hierarchy(hierarchy, dims)

    values = {c: _counts(df, c) for c in counts}
    for d in dims:
        check_not_missing(df, d)
    if dims:
        check_unique(df, [*keys, *dims], what="table cell")
    if pol.secondary_suppression and not dims:
        raise ValueError(
            f"policy {pol.name!r} has secondary suppression: pass dimensions=[...] (and "
            "table_keys, total_label) describing the table, so that totals cannot be used "
            "to work out suppressed counts"
        )

    n = len(df)
    primary_any = np.zeros(n, dtype=bool)
    secondary_any = np.zeros(n, dtype=bool)
    whole_table_any = np.zeros(n, dtype=bool)
    whole_by_column: dict[str, np.ndarray] = {}
    hidden_by_column: dict[str, np.ndarray] = {}
    tables = _table_positions(df, keys)
    bounds = HiddenBounds.from_policy(pol)
    layout: TableLayout | None = None
    lines_of: dict[int, list] = {}  # each table's lines, listed once for all count columns
    for col in counts:
        primary = pol.is_primary(values[col])
        secondary = np.zeros(n, dtype=bool)
        whole_table = np.zeros(n, dtype=bool)
        if pol.secondary_suppression:
            for t, pos in enumerate(tables):
                if not primary[pos].any():
                    continue
                if layout is None:
                    layout = TableLayout(df, dims, totals, hierarchy)
                if t not in lines_of:
                    lines_of[t] = layout.lines(pos)
                try:
                    _, extra = protect(values[col][pos], primary[pos], lines_of[t], bounds)
                except TableCannotBeProtected:
                    whole_table[pos] = withhold_whole_table(values[col][pos], lines_of[t])
                else:
                    secondary[pos] = extra
        hidden_by_column[col] = primary | secondary | whole_table
        primary_any |= primary
        secondary_any |= secondary
        whole_table_any |= whole_table
        whole_by_column[col] = whole_table
    count_hidden = primary_any | secondary_any | whole_table_any

    derived_hidden = count_hidden.copy() if pol.suppress_derived else np.zeros(n, dtype=bool)
    bed_fail = _bed_day_failures(df, pol, bed_days_column, bed_day_rows)
    if not (derived or comparisons):
        bed_fail[:] = False
    derived_hidden |= bed_fail
    comparison_hidden = derived_hidden.copy()
    reference_fail = np.zeros(n, dtype=bool)
    if comparisons and derived_hidden.any():
        has_comparison = df[comparisons].notna().any(axis=1).to_numpy()
        ref_pos = _reference_positions(
            df,
            keys,
            dims,
            has_comparison,
            reference_group,
            reference_group_column,
            reference_dimension,
        )
        found = ref_pos >= 0
        reference_fail[found] = derived_hidden[ref_pos[found]] & ~derived_hidden[found]
        comparison_hidden |= reference_fail

    out = df.copy()
    published: dict[str, pd.Series] = {}
    rounded_any = np.zeros(n, dtype=bool)
    for col in counts:
        raw = values[col]
        shown = round_to_base(raw, pol.rounding_base) if pol.rounds else raw.copy()
        shown[hidden_by_column[col]] = np.nan
        published[col] = pd.Series(shown, index=df.index).astype("Int64")
        if pol.rounds:
            visible = ~np.isnan(shown)
            exact_zero = (raw == 0) & pol.zero_is_exact
            rounded_any |= visible & ~exact_zero
    for col in counts:
        out[col] = published[col]
    for col in derived:
        out[col] = df[col].mask(pd.Series(derived_hidden, index=df.index))
    for col in comparisons:
        out[col] = df[col].mask(pd.Series(comparison_hidden, index=df.index))
    if keep_original:
        for col in [*counts, *derived, *comparisons]:
            out[f"{col}_original"] = df[col]

    bed_status = (
        f"{SUPPRESSED_BED_DAYS_PREFIX}{pol.min_bed_days:g}" if pol.min_bed_days is not None else ""
    )
    # A withheld whole table says nothing cell by cell, so its status comes first.
    status = np.select(
        [whole_table_any, primary_any, secondary_any, bed_fail, reference_fail, rounded_any],
        [SUPPRESSED_WHOLE_TABLE, SUPPRESSED_SMALL_COUNT, SUPPRESSED_SECONDARY, bed_status,
         SUPPRESSED_REFERENCE, ROUNDED],
        default=SHOWN,
    )
    headline = _display_column(display_column, derived, comparisons, counts, df)
    if headline in counts:
        display = _display_counts(published[headline], hidden_by_column[headline], pol.symbol)
    else:
        hidden = comparison_hidden if headline in comparisons else derived_hidden
        display = _display_derived(df[headline], hidden, pol.symbol, decimals)
    out["suppressed"] = pd.Series(status, index=df.index).str.startswith("suppressed")
    out["status"] = pd.Series(status, index=df.index, dtype="object")
    out["display_value"] = pd.Series(display, index=df.index, dtype="object")
    out["disclosure_policy"] = pol.name

    out.attrs = dict(df.attrs)
    out.attrs["disclosure_policy"] = pol.to_dict()
    out.attrs["disclosure"] = {
        "policy": pol.name,
        "statement": pol.describe(),
        "view": "internal" if keep_original else "public",
        "count_columns": counts,
        "derived_columns": derived,
        "comparison_columns": comparisons,
        "table_keys": keys,
        "dimensions": dims,
        "total_label": totals,
        "hierarchy": {d: dict(h) for d, h in hierarchy.items()},
        "bed_days_column": bed_days_column,
        "display_column": headline,
        "cells_suppressed_primary": int(
            sum(int(pol.is_primary(values[c]).sum()) for c in counts)
        ),
        "cells_suppressed_secondary": int(sum(
            int((hidden_by_column[c] & ~pol.is_primary(values[c]) & ~whole_by_column[c]).sum())
            for c in counts
        )),
        "cells_suppressed_whole_table": int(sum(int(whole_by_column[c].sum()) for c in counts)),
    }
    return out


# -- validation and set-up -------------------------------------------------------------


def _names(columns: Sequence[str] | str | None, what: str) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    names = list(columns)
    for c in names:
        if not isinstance(c, str):
            raise ValueError(f"{what}: expected column names, got {c!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"{what}: column names repeat in {names}")
    return names


def _check_disjoint(groups: Mapping[str, Sequence[str]]) -> None:
    seen: dict[str, str] = {}
    for role, cols in groups.items():
        for c in cols:
            if c in seen:
                raise ValueError(f"column {c!r} is given both in {seen[c]} and in {role}")
            seen[c] = role


def _counts(df: pd.DataFrame, column: str) -> np.ndarray:
    """A count column as float64 (NaN kept), checked numeric, >= 0 and whole."""
    values = numeric_column(df, column)
    check_non_negative(df, column)
    fractional = values.notna() & (values != np.floor(values))
    if fractional.any():
        label = fractional.index[np.flatnonzero(fractional.to_numpy())[0]]
        raise ValueError(
            f"column {column!r}, row {label!r} (value {values.loc[label]!r}): expected a "
            "whole-number count of people or events"
        )
    return values.to_numpy(dtype="float64", copy=True)


def _derived_columns(
    df: pd.DataFrame,
    given: Sequence[str] | None,
    counts: Sequence[str],
    structural: set[str | None],
) -> list[str]:
    if given is not None:
        names = _names(given, "derived_columns")
        require_columns(df, names)
        bad = [c for c in names if c in counts or c in structural]
        if bad:
            raise ValueError(f"derived_columns {bad}: also given as counts or table structure")
        return names
    return [
        str(c)
        for c in df.columns
        if isinstance(c, str)
        and c not in counts
        and c not in structural
        and c.lower().startswith(DERIVED_PREFIXES)
    ]


def _comparison_columns(
    df: pd.DataFrame,
    given: Sequence[str] | None,
    derived: Sequence[str],
    counts: Sequence[str],
    structural: set[str | None],
) -> list[str]:
    if given is not None:
        names = _names(given, "comparison_columns")
        require_columns(df, names)
        bad = [c for c in names if c in counts or c in structural]
        if bad:
            raise ValueError(
                f"comparison_columns {bad}: also given as counts or table structure"
            )
        return names
    return [c for c in derived if c.lower().startswith(COMPARISON_PREFIXES)]


def _total_labels(
    total_label: Hashable | Mapping[str, Hashable], dims: Sequence[str]
) -> dict[str, Hashable]:
    if isinstance(total_label, Mapping):
        missing = [d for d in dims if d not in total_label]
        if missing:
            raise ValueError(f"total_label: no total label given for dimension(s) {missing}")
        return {d: total_label[d] for d in dims}
    return dict.fromkeys(dims, total_label)


def _hierarchy(
    hierarchy: Mapping[str, Mapping[Hashable, Hashable]] | None, dims: Sequence[str]
) -> dict[str, Mapping[Hashable, Hashable]]:
    if not hierarchy:
        return {}
    unknown = [d for d in hierarchy if d not in dims]
    if unknown:
        raise ValueError(f"hierarchy: dimension(s) {unknown} are not in dimensions {list(dims)}")
    return dict(hierarchy)


def _table_positions(df: pd.DataFrame, keys: Sequence[str]) -> list[np.ndarray]:
    if not keys:
        return [np.arange(len(df))]
    groups = df.groupby(list(keys), sort=False, dropna=False).indices
    return [np.asarray(p) for p in groups.values()]


def _bed_day_failures(
    df: pd.DataFrame,
    pol: Policy,
    bed_days_column: str | None,
    bed_day_rows: str | Sequence[bool] | pd.Series | None,
) -> np.ndarray:
    n = len(df)
    if bed_days_column is None:
        if bed_day_rows is not None:
            raise ValueError("bed_day_rows given without bed_days_column")
        return np.zeros(n, dtype=bool)
    if bed_day_rows is None:
        flagged = np.ones(n, dtype=bool)
    elif isinstance(bed_day_rows, str):
        require_columns(df, [bed_day_rows])
        column = df[bed_day_rows]
        if not pd.api.types.is_bool_dtype(column):
            raise ValueError(f"column {bed_day_rows!r} (bed_day_rows): expected True/False")
        flagged = column.to_numpy(dtype=bool)
    else:
        flagged = np.asarray(bed_day_rows)
        if flagged.shape != (n,) or flagged.dtype != bool:
            raise ValueError(f"bed_day_rows: expected {n} True/False values, one per row")
    bed_days = numeric_column(df, bed_days_column)
    check_non_negative(df, bed_days_column)
    if pol.min_bed_days is None:
        return np.zeros(n, dtype=bool)
    below = bed_days.isna().to_numpy() | (bed_days.to_numpy() < pol.min_bed_days)
    return flagged & below


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _reference_positions(
    df: pd.DataFrame,
    keys: Sequence[str],
    dims: Sequence[str],
    needed: np.ndarray,
    reference_group: Hashable | None,
    reference_group_column: str | None,
    reference_dimension: str | None,
) -> np.ndarray:
    """Position of each row's reference-group row (-1 where no comparison on the row)."""
    positions = np.full(len(df), -1)
    if not needed.any():
        return positions
    first = df.index[np.flatnonzero(needed)[0]]
    if reference_group is None and reference_group_column is None:
        raise ValueError(
            f"row {first!r}: comparison columns have values, so the reference group must be "
            "known to withhold comparisons against a withheld group: pass reference_group= "
            "or reference_group_column= (or comparison_columns=[] if there are none)"
        )
    if not dims:
        raise ValueError("comparison columns need dimensions=[...] to find the reference row")
    ref_dim = reference_dimension or dims[0]
    if ref_dim not in dims:
        raise ValueError(f"reference_dimension {ref_dim!r}: expected one of {list(dims)}")
    cols = [*keys, *dims]
    if reference_group_column is not None:
        labels = df[reference_group_column].to_numpy(dtype=object)
    else:
        labels = np.full(len(df), reference_group, dtype=object)
    rows = np.flatnonzero(needed)
    # Each row's cell, and the cell each row's reference would be, as one whole-number key
    # (missing values all alike, as in the table's own grouping).
    source = np.zeros(len(df), dtype=np.int64)
    target = np.zeros(rows.size, dtype=np.int64)
    for col in cols:
        values = df[col].to_numpy(dtype=object)
        wanted = labels[rows] if col == ref_dim else values[rows]
        codes, uniques = pd.factorize(np.concatenate([values, wanted]))
        codes = codes.astype(np.int64) + 1
        combined = np.concatenate([source, target]) * (len(uniques) + 1) + codes
        _, combined = np.unique(combined, return_inverse=True)
        combined = combined.reshape(-1)
        source, target = combined[: len(df)], combined[len(df) :]
    order = np.argsort(source, kind="stable")
    at = np.minimum(np.searchsorted(source[order], target), len(df) - 1)
    found = source[order][at] == target
    if not found.all():
        i = rows[np.flatnonzero(~found)[0]]
        raise ValueError(
            f"row {df.index[i]!r}: reference group {labels[i]!r} has no row in the same "
            f"table ({dict(zip(cols, df[cols].iloc[i].tolist(), strict=True))}); expected one "
            "so that comparisons against it can be checked"
        )
    positions[rows] = order[at]
    return positions


def _display_column(
    given: str | None,
    derived: Sequence[str],
    comparisons: Sequence[str],
    counts: Sequence[str],
    df: pd.DataFrame,
) -> str:
    if given is None:
        return "value" if "value" in derived else counts[0]
    require_columns(df, [given])
    if given not in (*counts, *derived, *comparisons):
        raise ValueError(
            f"display_column {given!r}: expected a count, derived or comparison column, so "
            "that what is displayed is controlled"
        )
    return given


def _display_counts(published: pd.Series, hidden: np.ndarray, symbol: str) -> list[str]:
    out = []
    for value, is_hidden in zip(published.tolist(), hidden, strict=True):
        if is_hidden:
            out.append(symbol)
        elif value is None or value is pd.NA:
            out.append("")
        else:
            out.append(str(int(value)))
    return out


def _display_derived(
    column: pd.Series, hidden: np.ndarray, symbol: str, decimals: int | None
) -> list[str]:
    out = []
    for value, is_hidden in zip(column.tolist(), hidden, strict=True):
        if is_hidden:
            out.append(symbol)
        elif _isna(value):
            out.append("")
        elif decimals is not None and isinstance(value, int | float | np.number):
            out.append(f"{float(value):.{decimals}f}")
        else:
            out.append(str(value))
    return out
