"""NHS Data Dictionary code lists, versioned and shipped inside the package.

Each list is a CSV file in ``data/`` (columns ``code,label`` and then mapping columns) and
an entry in ``data/index.yaml`` saying which Data Dictionary / MHSDS version it follows,
where it was checked, which codes mean "not stated / not known", which mapping values
are allowed, and what is uncertain. ``docs/code-lists.md`` is rendered from the same files
(``python -m pcref.codelists docs/code-lists.md``).

Codes are always strings and keep their leading zeros (``"01"``, not ``1``): read MHSDS
extracts with ``dtype=str``. The functions here refuse numeric input rather than guess,
because ``1`` could be legal status ``"01"`` or attendance ``"1"``.

Public API::

    names()                        -> list of list names
    info(name)                     -> the index entry (a dict)
    load(name)                     -> DataFrame: code, label, mapping columns (string dtype)
    codes(name)                    -> frozenset of valid codes
    label(name, code)              -> the code's label
    map_codes(name, values, to=..) -> Series mapping codes to a column; unknown code -> NA
    matches_prefix(name, values)   -> Series[bool] for prefix lists (ICD-10 dementia)

Files are read with :mod:`importlib.resources`, so the lists work from an installed wheel;
each file is parsed and checked once, then cached.

Sources: ``notes/pcref-requirements.md`` §2 and §7, ``notes/mha-detention-categories.md``,
``notes/feedback-ui.md`` §4.4, and the sources named in each index entry.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

__all__ = [
    "CodelistError",
    "codes",
    "info",
    "label",
    "load",
    "map_codes",
    "matches_prefix",
    "names",
]

_DATA = "data"
_INDEX = "index.yaml"
_REQUIRED_KEYS = (
    "name",
    "title",
    "version",
    "source",
    "description",
    "unknown_codes",
    "verified",
    "complete",
    "local",
    "columns",
)


class CodelistError(ValueError):
    """A shipped code list file is malformed (a packaging or editing error, not user input)."""


def _data_text(filename: str) -> str:
    return resources.files(__package__).joinpath(_DATA, filename).read_text(encoding="utf-8")


@cache
def _index() -> dict[str, dict[str, Any]]:
    """The index entries by name, in file order, checked for the required keys."""
    raw = yaml.safe_load(_data_text(_INDEX))
    entries: dict[str, dict[str, Any]] = {}
    for position, entry in enumerate(raw.get("lists", [])):
        missing = [k for k in _REQUIRED_KEYS if k not in entry]
        if missing:
            raise CodelistError(f"index.yaml entry {position} lacks key(s) {missing}")
        name = entry["name"]
        if name in entries:
            raise CodelistError(f"index.yaml lists {name!r} twice")
        if entry.get("match", "exact") not in ("exact", "prefix"):
            raise CodelistError(f"index.yaml {name!r}: match must be 'exact' or 'prefix'")
        entries[name] = entry
    return entries


def names() -> list[str]:
    """All list names, in index order."""
    return list(_index())


def _entry(name: str) -> dict[str, Any]:
    try:
        return _index()[name]
    except KeyError:
        raise KeyError(f"no code list named {name!r}; available lists: {names()}") from None


def info(name: str) -> dict[str, Any]:
    """The index entry for ``name``: version, source, unknown codes, columns, notes.

    A deep copy, so callers may change it freely.
    """
    return copy.deepcopy(_entry(name))


@cache
def _frame(name: str) -> pd.DataFrame:
    """Parse and check ``data/<name>.csv`` once; callers get copies."""
    entry = _entry(name)
    filename = f"{name}.csv"
    df = pd.read_csv(
        io.StringIO(_data_text(filename)), dtype=str, keep_default_na=False, na_filter=False
    )
    columns = list(df.columns)
    if columns[:2] != ["code", "label"]:
        raise CodelistError(f"{filename}: columns must start with 'code,label', got {columns}")
    declared = list(entry["columns"] or {})
    if columns[2:] != declared:
        raise CodelistError(
            f"{filename}: mapping columns {columns[2:]} differ from index.yaml {declared}"
        )
    for column in ("code", "label"):
        blank = df[column].str.strip() == ""
        if blank.any():
            row = int(blank.to_numpy().nonzero()[0][0]) + 2  # 1-based, after the header
            raise CodelistError(f"{filename}: blank {column} on line {row}")
    stripped = df["code"] != df["code"].str.strip()
    if stripped.any():
        bad = df.loc[stripped, "code"].iloc[0]
        raise CodelistError(f"{filename}: code {bad!r} has surrounding spaces")
    duplicated = df["code"].duplicated()
    if duplicated.any():
        raise CodelistError(f"{filename}: duplicated code {df.loc[duplicated, 'code'].iloc[0]!r}")
    for column, spec in (entry["columns"] or {}).items():
        allowed = (spec or {}).get("values")
        if allowed is None:
            continue
        present = df[column][df[column] != ""]
        bad = present[~present.isin([str(v) for v in allowed])]
        if len(bad):
            code = df.loc[bad.index[0], "code"]
            raise CodelistError(
                f"{filename}: column {column!r}, code {code!r} has value {bad.iloc[0]!r}; "
                f"index.yaml allows {allowed}"
            )
    unknown = [str(c) for c in entry["unknown_codes"]]
    absent = sorted(set(unknown) - set(df["code"]))
    if absent:
        raise CodelistError(f"{filename}: unknown_codes {absent} are not codes of the list")
    df = df.astype("string")
    mapping = columns[2:]
    df[mapping] = df[mapping].replace("", pd.NA)
    return df


def load(name: str) -> pd.DataFrame:
    """The code list as a DataFrame with string columns ``code``, ``label``, mappings...

    Empty mapping cells are ``<NA>`` (e.g. the 5-group of ethnic codes Z and 99).
    """
    return _frame(name).copy()


@cache
def codes(name: str) -> frozenset[str]:
    """The set of valid codes of ``name`` (strings, leading zeros kept)."""
    return frozenset(_frame(name)["code"].tolist())


@cache
def _lookup(name: str, column: str) -> dict[str, Any]:
    df = _frame(name)
    return dict(zip(df["code"].tolist(), df[column].tolist(), strict=True))


def label(name: str, code: str) -> str:
    """The label of ``code`` in list ``name``; KeyError naming both if it is not a code."""
    table = _lookup(name, "label")
    try:
        return table[code]
    except (KeyError, TypeError):
        raise KeyError(
            f"{code!r} is not a code of list {name!r} ({info(name)['title']}); "
            f"valid codes: {sorted(table)}"
        ) from None


def _as_code_series(values: pd.Series | Iterable[Any], name: str) -> pd.Series:
    """``values`` as a string Series (missing -> NA); refuse non-text codes with a clear error."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if isinstance(series.dtype, pd.StringDtype):
        return series.astype("string")
    if not pd.api.types.is_object_dtype(series.dtype):
        raise TypeError(
            f"codes for list {name!r} must be strings, got a {series.dtype} Series; "
            "read the data with dtype=str so codes keep leading zeros (e.g. '01')"
        )
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        is_text = series.map(lambda v: isinstance(v, str)).astype(bool)
        offending = ~is_text & series.notna()
        position = int(offending.to_numpy().nonzero()[0][0])
        bad = series.iloc[position]
        raise TypeError(
            f"codes for list {name!r} must be strings; row {series.index[position]!r} holds "
            f"{bad!r} ({type(bad).__name__}). Read the data with dtype=str so codes keep "
            "leading zeros (e.g. '01')"
        )
    return series.astype("string")


def map_codes(name: str, values: pd.Series | Iterable[Any], to: str = "label") -> pd.Series:
    """Map each code in ``values`` to column ``to`` of list ``name`` (vectorised).

    Returns a string Series with the index of ``values``. A missing value, a code that is
    not in the list, or a code whose mapping cell is empty gives ``<NA>``. Matching is
    exact: no trimming or case folding, so validation can report what was really sent.
    """
    df = _frame(name)
    if to == "code" or to not in df.columns:
        choices = [c for c in df.columns if c != "code"]
        raise KeyError(f"list {name!r} has no column {to!r} to map to; choose one of {choices}")
    series = _as_code_series(values, name)
    mapped = series.map(_lookup(name, to))
    return mapped.astype("string").rename(to)


def matches_prefix(name: str, values: pd.Series | Iterable[Any]) -> pd.Series:
    """True where a recorded code starts with one of the list's codes (prefix lists only).

    Dots and surrounding spaces are removed and the code upper-cased first, so ICD-10
    ``"F00.1"``, ``"f001"`` and ``"F03X"`` match the dementia list. Missing values give
    False. Only lists with ``match: prefix`` in the index (e.g. ``diagnosis_dementia``)
    may be used: exact lists must be matched exactly.
    """
    if _entry(name).get("match", "exact") != "prefix":
        raise ValueError(f"list {name!r} is matched exactly, not by prefix; use map_codes/codes")
    series = _as_code_series(values, name)
    prefixes = tuple(sorted(codes(name)))
    cleaned = series.str.replace(".", "", regex=False).str.strip().str.upper()
    return cleaned.str.startswith(prefixes, na=False).astype(bool).rename(name)
