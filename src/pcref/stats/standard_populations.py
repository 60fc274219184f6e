"""Standard populations and age bands for direct standardisation.

* ``esp2013``: the European Standard Population 2013 in 19 bands (0-4, 5-9, …, 85-89, 90+),
  bundled from Eurostat's 2013 revision (see ``data/README.md``). Used by PHE/OHID
  Fingertips indicators.
* ``england2021_sex_age6``: England Census 2021 usual residents by sex × NHS England's six
  age bands (0-15, 16-17, 18-34, 35-49, 50-64, 65+), the standard NHS England uses for
  Mental Health Act rates by ethnicity. **Not bundled**: the exact ONS figures could not be
  sourced while writing this module, so asking for it raises an error explaining how to
  build it from ONS table TS009 with :func:`aggregate_standard_population`.

Age bands are always matched by label, never by position.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from pcref.stats._checks import (
    _plain,
    check_non_negative,
    check_not_missing,
    check_unique,
    numeric_column,
    require_columns,
)

#: ESP2013 band labels, youngest first.
ESP2013_AGE_BANDS: tuple[str, ...] = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90+",
)

#: NHS England's six age bands for Mental Health Act rates (``mental-health-act-annual-
#: statistics``, ``Ethnicity - Detentions Standardisation.sql``), labelled in this package's
#: style. NHS England's own labels are in :data:`NHSE_PUBLISHED_AGE_BAND_LABELS`.
NHSE_AGE_BANDS: tuple[str, ...] = ("0-15", "16-17", "18-34", "35-49", "50-64", "65+")

#: The same bands as NHS England's published code and tables label them.
NHSE_PUBLISHED_AGE_BAND_LABELS: dict[str, str] = {
    "0-15": "15 and under",
    "16-17": "16 to 17",
    "18-34": "18 to 34",
    "35-49": "35 to 49",
    "50-64": "50 to 64",
    "65+": "65 and over",
}

#: Youngest age of each band, per banding scheme.
_LOWER_BOUNDS: dict[str, tuple[int, ...]] = {
    "esp2013": tuple(range(0, 91, 5)),
    "nhse6": (0, 16, 18, 35, 50, 65),
}
_LABELS: dict[str, tuple[str, ...]] = {"esp2013": ESP2013_AGE_BANDS, "nhse6": NHSE_AGE_BANDS}

#: Names accepted by :func:`standard_population`.
STANDARD_POPULATIONS: tuple[str, ...] = ("esp2013", "england2021_sex_age6")

_NOT_BUNDLED = (
    "the England Census 2021 sex x age (NHS England 6 bands) standard population is not "
    "bundled with pcref: its exact ONS figures could not be sourced and are never typed in "
    "from memory. Download ONS Census 2021 table TS009 'Sex by single year of age' for "
    "England (E92000001), reshape it to columns sex, age, population, build the standard with "
    "pcref.stats.standard_populations.aggregate_standard_population(table, scheme='nhse6') "
    "and pass that DataFrame as standard="
)


def _check_scheme(scheme: str) -> None:
    if scheme not in _LOWER_BOUNDS:
        raise ValueError(f"age band scheme {scheme!r}: expected one of {sorted(_LOWER_BOUNDS)}")


def age_band_labels(scheme: str) -> tuple[str, ...]:
    """Band labels of a scheme ("esp2013" or "nhse6"), youngest first."""
    _check_scheme(scheme)
    return _LABELS[scheme]


def age_band(ages: npt.ArrayLike | pd.Series | float, scheme: str = "esp2013"):
    """Map age in completed years to its band label ("esp2013": 19 bands; "nhse6": 6 bands).

    Accepts a scalar, an array-like or a Series (the index is kept). Missing ages give
    ``None``; a negative or fractional age raises ValueError naming the first offending row.
    """
    _check_scheme(scheme)
    if np.isscalar(ages) or ages is None:
        return age_band(pd.Series([ages], dtype="float64"), scheme).iloc[0]
    series = ages if isinstance(ages, pd.Series) else pd.Series(np.asarray(ages))
    values = numeric_column(series.to_frame("age"), "age").to_numpy()
    bad = ~np.isnan(values) & ((values < 0) | (values != np.floor(values)))
    if bad.any():
        label = series.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"age, row {_plain(label)!r} (value {_plain(series.loc[label])!r}): expected a "
            "whole number of "
            "years >= 0"
        )
    labels = np.asarray(_LABELS[scheme], dtype=object)
    position = np.searchsorted(_LOWER_BOUNDS[scheme], np.nan_to_num(values), side="right") - 1
    banded = np.where(np.isnan(values), None, labels[position])
    result = pd.Series(banded, index=series.index, dtype=object, name=series.name)
    if isinstance(ages, pd.Series):
        return result
    return result.to_numpy()


def standard_population(name: str) -> pd.DataFrame:
    """A bundled standard population as a DataFrame with columns ``ageband``, ``population``.

    ``"esp2013"`` returns the 19-band European Standard Population 2013 (sum 100,000).
    ``"england2021_sex_age6"`` (sex × NHS England bands) is not bundled and raises ValueError
    explaining how to build it from ONS table TS009.
    """
    if name == "esp2013":
        text = resources.files("pcref.stats").joinpath("data/esp2013.csv")
        with text.open("r", encoding="utf-8") as handle:
            table = pd.read_csv(handle, comment="#", dtype={"ageband": str})
        table["population"] = table["population"].astype("float64")
        return table
    if name == "england2021_sex_age6":
        raise ValueError(_NOT_BUNDLED)
    raise ValueError(
        f"standard population {name!r}: expected one of {list(STANDARD_POPULATIONS)} "
        "or a DataFrame"
    )


def aggregate_standard_population(
    table: pd.DataFrame,
    scheme: str = "nhse6",
    age: str = "age",
    population: str = "population",
    sex: str | None = "sex",
) -> pd.DataFrame:
    """Build a standard population in a band scheme from single-year-of-age counts.

    For example, ONS Census 2021 TS009 for England, reshaped to one row per sex × age, gives
    NHS England's 12-stratum MHA standard with ``scheme="nhse6"``. Ages must be whole years;
    a top-coded age such as "90+" must be given as its lower bound (90).

    Returns:
        Columns ``sex`` (if ``sex`` is given), ``ageband`` and ``population``, bands in order.
    """
    keys = [c for c in (sex, age) if c is not None]
    require_columns(table, [*keys, population])
    check_not_missing(table, age)
    check_non_negative(table, population)
    check_not_missing(table, population)
    check_unique(table, keys, what="age")
    labels = age_band(table[age], scheme)
    frame = pd.DataFrame(
        {"ageband": labels.to_numpy(), "population": numeric_column(table, population)}
    )
    if sex is not None:
        frame.insert(0, "sex", table[sex].to_numpy())
    group_cols = ["sex", "ageband"] if sex is not None else ["ageband"]
    frame["ageband"] = pd.Categorical(frame["ageband"], categories=age_band_labels(scheme))
    out = frame.groupby(group_cols, observed=True, sort=True)["population"].sum().reset_index()
    out["ageband"] = out["ageband"].astype(str)
    expected = set(age_band_labels(scheme))
    strata = out.groupby("sex")["ageband"] if sex is not None else [(None, out["ageband"])]
    for sex_value, bands in strata:
        missing = [b for b in age_band_labels(scheme) if b not in set(bands) & expected]
        if missing:
            where = f" for {sex} {sex_value!r}" if sex is not None else ""
            raise ValueError(
                f"column {age!r}: no ages fall in band(s) {missing}{where}; expected single "
                f"years covering every {scheme} band"
            )
    return out
