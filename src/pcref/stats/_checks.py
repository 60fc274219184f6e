"""Input validation shared by ``pcref.stats`` and ``pcref.disclosure``.

Every helper raises :class:`ValueError` whose message names the column, the first
offending row (by index label) and what was expected, so an analyst can find the bad
cell in their aggregated table straight away. Missing values (NaN/NA) are not offending
values for the numeric checks: each statistical method decides how to treat them (PHE
methods return NA for the row, or count NA events as 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: The two confidence levels PHE allows together (95% and 99.8%), see note §2.
TWO_LEVELS: tuple[float, float] = (0.95, 0.998)


def _first_label(df: pd.DataFrame, mask: pd.Series) -> object:
    """Index label of the first row where ``mask`` is true."""
    return mask.index[np.flatnonzero(mask.to_numpy())[0]]


def _plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages read ``3`` not ``np.int64(3)``."""
    return value.item() if isinstance(value, np.generic) else value


def _cell(df: pd.DataFrame, label: object, column: str) -> object:
    value = df.loc[label, column]
    if isinstance(value, pd.Series):  # duplicated index labels
        value = value.iloc[0]
    return _plain(value)


def _describe(df: pd.DataFrame, column: str, label: object) -> str:
    return f"column {column!r}, row {_plain(label)!r} (value {_cell(df, label, column)!r})"


def require_columns(df: pd.DataFrame, columns: Iterable[str | None]) -> None:
    """Check that ``df`` is a DataFrame holding every named column (``None`` is skipped)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ValueError(
            f"missing column(s) {names}; the table has columns {list(map(str, df.columns))}"
        )


def numeric_column(df: pd.DataFrame, column: str) -> pd.Series:
    """Return ``df[column]`` as float64, raising if any non-missing value is not a number."""
    require_columns(df, [column])
    raw = df[column]
    if pd.api.types.is_bool_dtype(raw):
        raise ValueError(f"column {column!r} must be numeric, got booleans")
    converted = pd.to_numeric(raw, errors="coerce")
    bad = converted.isna() & raw.notna()
    if bad.any():
        label = _first_label(df, bad)
        raise ValueError(f"{_describe(df, column, label)}: expected a number")
    return converted.astype("float64")


def check_not_missing(df: pd.DataFrame, column: str) -> None:
    """Raise if ``column`` has a missing value."""
    require_columns(df, [column])
    bad = df[column].isna()
    if bad.any():
        label = _first_label(df, bad)
        raise ValueError(
            f"column {column!r}, row {_plain(label)!r}: expected a value, found it missing"
        )


def check_non_negative(df: pd.DataFrame, column: str) -> None:
    """Raise if a non-missing value of ``column`` is negative (counts, populations)."""
    values = numeric_column(df, column)
    bad = values < 0
    if bad.any():
        label = _first_label(df, bad)
        raise ValueError(f"{_describe(df, column, label)}: expected a value >= 0")


def check_positive(df: pd.DataFrame, column: str) -> None:
    """Raise if a non-missing value of ``column`` is zero or negative (denominators)."""
    values = numeric_column(df, column)
    bad = values <= 0
    if bad.any():
        label = _first_label(df, bad)
        raise ValueError(f"{_describe(df, column, label)}: expected a value > 0")


def check_not_greater(df: pd.DataFrame, x: str, n: str) -> None:
    """Raise if numerator ``x`` exceeds denominator ``n`` on a row (needed for a proportion)."""
    xv = numeric_column(df, x)
    nv = numeric_column(df, n)
    bad = xv > nv
    if bad.any():
        label = _first_label(df, bad)
        raise ValueError(
            f"{_describe(df, x, label)}: expected a numerator <= the denominator "
            f"in column {n!r} ({_cell(df, label, n)!r}) for a proportion"
        )


def check_unique(df: pd.DataFrame, columns: Sequence[str], what: str = "row") -> None:
    """Raise if the combination of ``columns`` repeats (e.g. an age band twice in a group)."""
    require_columns(df, columns)
    dup = df.duplicated(subset=list(columns), keep="first")
    if dup.any():
        label = _first_label(df, dup)
        key = {c: _cell(df, label, c) for c in columns}
        raise ValueError(
            f"row {_plain(label)!r}: duplicated {what} {key} in column(s) {list(columns)}; "
            "expected each combination once"
        )


def normalise_confidence(confidence: float | Sequence[float]) -> tuple[float, ...]:
    """Validate a confidence level and return it as a tuple of proportions.

    Accepts a single level in [0.9, 1] (or in [90, 100], read as a percentage), or exactly
    the pair (0.95, 0.998), as PHEindicatormethods does (note §2). Anything else raises.
    """
    if isinstance(confidence, str) or confidence is None:
        raise ValueError(
            f"confidence {confidence!r}: expected a number between 0.9 and 1 (or 90 and 100), "
            "or the pair (0.95, 0.998)"
        )
    if isinstance(confidence, Sequence | np.ndarray):
        levels = [float(c) for c in confidence]
        if len(levels) == 1:
            return normalise_confidence(levels[0])
        if len(levels) > 2:
            raise ValueError(
                f"confidence {tuple(confidence)!r}: a maximum of two confidence levels "
                "can be given, (0.95, 0.998)"
            )
        levels = [c / 100 if c >= 90 else c for c in levels]
        if tuple(levels) != TWO_LEVELS:
            raise ValueError(
                f"confidence {tuple(confidence)!r}: two confidence levels can only be "
                "(0.95, 0.998)"
            )
        return TWO_LEVELS
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(
            f"confidence {confidence!r}: expected a number between 0.9 and 1 (or 90 and 100)"
        ) from None
    if 90 <= level <= 100:
        level /= 100
    if not 0.9 <= level <= 1:
        raise ValueError(
            f"confidence {confidence!r}: expected a number between 0.9 and 1 (or 90 and 100)"
        )
    return (level,)
