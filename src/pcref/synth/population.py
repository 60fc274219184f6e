"""The population table: usual residents by area × Census 2021 ethnic group × sex × age.

Expected counts are the area total × the area's ethnic mix × the group's age profile × the
sex share at that age, then rounded stochastically to whole people (so small groups are
neither lost nor inflated on average). The area ethnic mixes are raked (iterative
proportional fitting) so that the whole geography has the configured mix exactly in
expectation while areas differ realistically.

Age profile of group g in area a: England's Census 2021 age structure × exp(tilt × (40 −
age) / 20) with tilt = group tilt + area tilt (``population.age_tilt``), so minority
ethnic groups are younger than White British, as in the census.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcref.synth.config import SynthConfig
from pcref.synth.geography import Geography
from pcref.synth.groups import N_GROUPS, WHITE_BRITISH, group_vector

N_AGES = 91  # 0 … 89 single years, 90 = 90 and over
AGES = np.arange(N_AGES)


@dataclass(frozen=True)
class Population:
    """Residents as an array ``count[area, group, sex, age]`` (sex 0 = male, 1 = female)."""

    count: np.ndarray

    @property
    def cells(self) -> int:
        return self.count.size

    def flat(self) -> np.ndarray:
        return self.count.reshape(-1)

    @staticmethod
    def cell_index(area, group, sex, age):
        return ((np.asarray(area) * N_GROUPS + group) * 2 + sex) * N_AGES + age

    @staticmethod
    def unravel(cell):
        cell = np.asarray(cell)
        age = cell % N_AGES
        rest = cell // N_AGES
        sex = rest % 2
        rest //= 2
        return rest // N_GROUPS, rest % N_GROUPS, sex, age

    def table(self, geography: Geography) -> dict[str, np.ndarray]:
        """Columns of the contract's ``population`` table (every cell, zeros included)."""
        a, g, s, age = np.meshgrid(np.arange(geography.n_areas), np.arange(N_GROUPS),
                                   np.arange(2), AGES, indexing="ij")
        return {
            "AreaCode": geography.area_code[a.reshape(-1)],
            "Census2021EthnicGroup": (g.reshape(-1) + 1).astype(str).astype(object),
            "Sex": (s.reshape(-1) + 1).astype(str).astype(object),
            "Age": age.reshape(-1).astype(np.int32),
            "Population": self.flat().astype(np.int64),
        }


def interpolate_knots(knots: list, ages: np.ndarray = AGES, column: int = 1) -> np.ndarray:
    """Linear interpolation of ``[[age, value, …], …]`` knots, flat beyond the ends."""
    xs = np.array([k[0] for k in knots], dtype=float)
    ys = np.array([k[column] for k in knots], dtype=float)
    return np.interp(ages, xs, ys)


def age_structure(config: SynthConfig) -> np.ndarray:
    """England's share of residents at each single year of age 0 … 90+ (sums to 1)."""
    shares = np.asarray(config.get("population.age_band_shares"), dtype=float)
    per_year = np.concatenate([np.repeat(shares[:18] / 5.0, 5), shares[18:]])
    return per_year / per_year.sum()


def male_share(config: SynthConfig) -> np.ndarray:
    return interpolate_knots(config.get("population.male_share"))


def rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 200):
    """Iterative proportional fitting of a non-negative matrix to row and column totals."""
    m = seed.astype(float).copy()
    cols = cols * rows.sum() / cols.sum()
    for _ in range(iterations):
        m *= (rows / np.maximum(m.sum(axis=1), 1e-300))[:, None]
        m *= (cols / np.maximum(m.sum(axis=0), 1e-300))[None, :]
    return m


def ethnic_mix(config: SynthConfig, geography: Geography) -> np.ndarray:
    """Expected residents by area × group (floats), raked to the configured mixes."""
    geo_name = "england_like" if geography.national else None
    pop = geography.area_population.astype(float)
    if geography.national:
        spec = config.get(f"geography.{geo_name}")
        (mix_name,) = spec["ethnic_mix"]
        mix = group_vector(spec["ethnic_mix"][mix_name], 0.0)
        mix /= mix.sum()
        sens = group_vector(spec["diversity_sensitivity"], 0.0)
        seed = pop[:, None] * mix[None, :] * np.exp(np.outer(geography.area_diversity, sens))
        return rake(seed, pop, pop.sum() * mix)
    spec = _trust_spec(config)
    out = np.zeros((geography.n_areas, N_GROUPS))
    for mix_name in np.unique(geography.area_mix_key):
        members = np.flatnonzero(geography.area_mix_key == mix_name)
        mix = group_vector(spec["ethnic_mix"][mix_name], 0.0)
        mix /= mix.sum()
        factor = np.ones((len(members), N_GROUPS))
        for row, a in enumerate(members):
            factor[row] = geography.area_diversity[a]
            factor[row, WHITE_BRITISH] = 1.0
            factor[row] *= group_vector(geography.area_boosts[a], 1.0)
        seed = pop[members, None] * mix[None, :] * factor
        out[members] = rake(seed, pop[members], pop[members].sum() * mix)
    return out


def _trust_spec(config: SynthConfig) -> dict:
    return config.get(f"geography.{config.get('scales.trust.geography')}")


def build_population(config: SynthConfig, geography: Geography,
                     rng: np.random.Generator) -> Population:
    """Whole-person counts by area × group × sex × age, stochastically rounded."""
    base = age_structure(config)
    male = male_share(config)
    tilt = group_vector({k: v for k, v in config.get("population.age_tilt").items()}, 0.0)
    mix = ethnic_mix(config, geography)  # [area, group]
    expected = np.empty((geography.n_areas, N_GROUPS, 2, N_AGES))
    shape = (40.0 - AGES) / 20.0
    for a in range(geography.n_areas):
        profile = base[None, :] * np.exp(np.outer(tilt + geography.area_age_tilt[a], shape))
        profile /= profile.sum(axis=1, keepdims=True)
        expected[a, :, 0, :] = mix[a][:, None] * profile * male[None, :]
        expected[a, :, 1, :] = mix[a][:, None] * profile * (1.0 - male[None, :])
    floor = np.floor(expected)
    count = floor + (rng.random(expected.shape) < (expected - floor))
    return Population(count.astype(np.int64))


