"""Population denominators, expected cases and the standard population, from the warehouse.

The ``population`` table holds usual residents by area, Census 2021 ethnic group (19 groups),
sex and single year of age. One SQL query per minimum age brings it into the engine grouped
to the finest cells any breakdown needs — 16-group and 5-group ethnicity, sex, NHS England age
band, dementia-prevalence band and locality — and every breakdown's denominators are sums of
those cells (a few thousand rows, so the sums are exact and cheap in pandas).

* Ethnicity: the census groups map to the NHS groups through the code list
  ``census2021_ethnic_group``; Gypsy or Irish Traveller and Roma count only in the five-group
  White, and Arab only in Other Ethnic Groups (as NHS England's population code does), so
  they have no 16-group denominator but are in the five-group and total denominators.
* Locality: each area's locality comes from ``lsoa_lookup``. An area whose LSOAs lie in more
  than one locality cannot be split without LSOA populations, so the localities sharing it
  get no denominator (a warning names them); the others keep theirs. Areas not in the
  lookup count in the total only.
* Expected cases (``denominator: expected``): Σ prevalence(sex, five-year band 65-69 … 90+)
  × population, over the group's cells, with the rates of ``dementia_prevalence``.
* The standard population for direct standardisation is the table's own total (all ethnic
  groups, every area) by sex × NHS England's six age bands, as NHS England uses England's own
  total: the area standardised to itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pcref.metrics import attributes
from pcref.metrics.backend import Backend
from pcref.metrics.catalogue import ESP2013_STANDARD, TRUST_STANDARD
from pcref.stats import ESP2013_AGE_BANDS, standard_population

#: Columns of the finest population cells (``locality`` and ``ethnicity_16`` may be missing).
CELL_COLUMNS = ("ethnicity_16", "ethnicity_5", "sex", "age_band", "prevalence_band", "esp_band",
                "locality")


class PopulationError(ValueError):
    """The population or prevalence tables cannot give the denominators a metric needs."""


@dataclass
class Populations:
    """The population cells for one minimum age, and what could not be attributed."""

    cells: pd.DataFrame
    min_age: int | None
    warnings: list[str] = field(default_factory=list)
    _expected: pd.Series | None = None
    _totals: dict[tuple[tuple[str, ...], bool], pd.DataFrame] = field(default_factory=dict)

    def totals(self, columns: tuple[str, ...], expected: bool = False) -> pd.DataFrame:
        """Population (or expected cases) summed by ``columns``; groups with a missing label
        (e.g. no 16-group for Arab) are left out. Columns: ``columns`` + ``denominator``."""
        key = (tuple(columns), expected)
        if key not in self._totals:
            self._totals[key] = self._sum(tuple(columns), expected)
        return self._totals[key].copy()

    def _sum(self, columns: tuple[str, ...], expected: bool) -> pd.DataFrame:
        measure = self.expected_cases() if expected else self.cells["population"]
        frame = self.cells[list(columns)].copy()
        frame["denominator"] = measure.to_numpy(dtype="float64")
        if not columns:
            return pd.DataFrame({"denominator": [float(frame["denominator"].sum())]})
        frame = frame.dropna(subset=list(columns))
        return frame.groupby(list(columns), sort=True, as_index=False)["denominator"].sum()

    def standard(self, name: str = TRUST_STANDARD) -> pd.DataFrame:
        """The standard population: ``sex``, ``ageband``, ``population``.

        "trust": the table's own total by sex × NHS England's six age bands (strata with
        people). "esp2013": the European Standard Population 2013's weight for each
        five-year band at or above the minimum age, the same for each sex (bands are labelled
        as the ``esp_band`` strata).
        """
        sexes = list(attributes.POPULATION_SEX.values())
        if name == ESP2013_STANDARD:
            esp = standard_population("esp2013")
            # Band i covers ages 5i to 5i + 4 (the last, 90+); the catalogue keeps the minimum
            # age at the start of a band.
            first = min((self.min_age or 0) // 5, len(ESP2013_AGE_BANDS) - 1)
            bands = esp[esp["ageband"].isin(ESP2013_AGE_BANDS[first:])]
            table = pd.DataFrame({"sex": sexes}).merge(bands, how="cross")
            return table[["sex", "ageband", "population"]].reset_index(drop=True)
        cells = self.cells[self.cells["sex"].isin(sexes)]
        table = cells.groupby(["sex", "age_band"], sort=True, as_index=False)["population"].sum()
        table = table[table["population"] > 0].rename(columns={"age_band": "ageband"})
        return table.reset_index(drop=True)

    def expected_cases(self) -> pd.Series:
        if self._expected is None:
            raise PopulationError("expected cases were not computed (no prevalence table read)")
        return self._expected


def population_cells_sql(min_age: int | None) -> str:
    """The finest population cells, summed in the engine."""
    where = f"WHERE p.Age >= {int(min_age)}" if min_age is not None else ""
    sexes = " ".join(f"WHEN '{code}' THEN '{label}'"
                     for code, label in attributes.POPULATION_SEX.items())
    return f"""
SELECT
    c.ethnicity_16,
    c.ethnicity_5,
    CASE TRIM(p.Sex) {sexes} END AS sex,
    {attributes.age_band_sql("p.Age")} AS age_band,
    {attributes.prevalence_band_sql("p.Age")} AS prevalence_band,
    {attributes.esp_band_sql("p.Age")} AS esp_band,
    area.Locality AS locality,
    SUM(CAST(p.Population AS BIGINT)) AS population
FROM population AS p
LEFT JOIN {attributes.CENSUS_ETHNIC_GROUP_TABLE} AS c
    ON c.code = TRIM(p.Census2021EthnicGroup)
LEFT JOIN (
    SELECT AreaCode, MIN(Locality) AS Locality
    FROM lsoa_lookup
    GROUP BY AreaCode
    HAVING COUNT(DISTINCT Locality) = 1
) AS area
    ON area.AreaCode = p.AreaCode
{where}
GROUP BY 1, 2, 3, 4, 5, 6, 7
""".strip()


#: Areas whose LSOAs lie in more than one locality, with each of those localities.
SPLIT_AREAS_SQL = """
SELECT DISTINCT l.AreaCode, l.Locality
FROM lsoa_lookup AS l
INNER JOIN (
    SELECT AreaCode
    FROM lsoa_lookup
    GROUP BY AreaCode
    HAVING COUNT(DISTINCT Locality) > 1
) AS split
    ON split.AreaCode = l.AreaCode
ORDER BY l.AreaCode, l.Locality
""".strip()

PREVALENCE_SQL = (
    "SELECT TRIM(Sex) AS Sex, TRIM(AgeBand) AS AgeBand, Prevalence FROM dementia_prevalence"
)


def load_populations(backend: Backend, min_age: int | None, *, expected: bool) -> Populations:
    """Read the population cells (and, with ``expected``, the prevalence) for ``min_age``."""
    cells = backend.query(population_cells_sql(min_age))
    for column in CELL_COLUMNS:
        cells[column] = cells[column].astype(object).where(cells[column].notna(), None)
    cells["population"] = cells["population"].astype("float64")
    cells = cells.sort_values(list(CELL_COLUMNS), na_position="last", kind="mergesort")
    cells = cells.reset_index(drop=True)
    warnings: list[str] = []
    split = backend.query(SPLIT_AREAS_SQL)
    if len(split):
        # The population is by area, so a locality holding part of an area has no exact
        # population: such localities get none (their rows keep their counts, no rate).
        partial = sorted(set(split["Locality"].astype(str)))
        areas = sorted(set(split["AreaCode"].astype(str)))
        warnings.append(
            f"lsoa_lookup splits area(s) {', '.join(areas)} between localities "
            f"({', '.join(partial)}); the population table is by area, so these localities "
            "have no exact population and no locality rate is given for them"
        )
        cells.loc[cells["locality"].isin(partial), "locality"] = None
    unmapped = cells["ethnicity_5"].isna() & (cells["population"] > 0)
    if unmapped.any():
        warnings.append(
            "population rows with a Census2021EthnicGroup code outside the code list count in "
            "the total only"
        )
    populations = Populations(cells=cells, min_age=min_age, warnings=warnings)
    if expected:
        populations._expected = _expected_cases(cells, backend.query(PREVALENCE_SQL))
    return populations


def _expected_cases(cells: pd.DataFrame, prevalence: pd.DataFrame) -> pd.Series:
    """Expected cases per population cell: population × prevalence(sex, five-year band)."""
    if prevalence.empty:
        raise PopulationError(
            "table dementia_prevalence is empty; expected cases need a prevalence for each sex "
            f"and five-year band {', '.join(attributes.PREVALENCE_BANDS)}"
        )
    sexes = {code: label for code, label in attributes.POPULATION_SEX.items()}
    rates: dict[tuple[str, str], float] = {}
    for row in prevalence.itertuples(index=False):
        sex = sexes.get(str(row.Sex))
        if sex is None:
            continue
        key = (sex, str(row.AgeBand))
        if key in rates:
            raise PopulationError(f"dementia_prevalence has two rates for Sex {row.Sex}, "
                                  f"AgeBand {row.AgeBand}; expected one")
        rates[key] = float(row.Prevalence)
    needed = cells[(cells["population"] > 0) & cells["prevalence_band"].notna()
                   & cells["sex"].notna()]
    missing = sorted({(s, b) for s, b in zip(needed["sex"], needed["prevalence_band"],
                                             strict=True)} - set(rates))
    if missing:
        sex, band = missing[0]
        raise PopulationError(
            f"dementia_prevalence has no rate for {sex} {band}; expected one for each sex and "
            f"band {', '.join(attributes.PREVALENCE_BANDS)} where people live"
        )
    keys = list(zip(cells["sex"], cells["prevalence_band"], strict=True))
    rate = np.array([rates.get(k, 0.0) if k[1] is not None else 0.0 for k in keys])
    return pd.Series(cells["population"].to_numpy() * rate, index=cells.index)
