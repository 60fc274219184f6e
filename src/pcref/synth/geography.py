"""Areas, LSOAs with deprivation, localities, providers, teams and wards.

Trust scale uses the real Kent and Medway local authority districts (public ONS codes and
names) with synthetic LSOAs; national scale uses synthetic areas (``E99000001`` …) grouped
into synthetic localities, one synthetic provider each. LSOA codes are ``E019xxxxx``, a
range that no real 2021 LSOA uses, so synthetic geography can never be mistaken for real.

Deprivation: each LSOA gets a latent score z (area mean + normal noise); IMD deciles come
from z (1 = most deprived), by national rank at national scale and against an England-like
reference distribution at trust scale. Ethnic groups are spread unevenly across LSOAs by
``population.deprivation_affinity`` (see :mod:`pcref.synth.people`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from pcref.synth.config import WARD_KINDS, SynthConfig

#: Spread of area mean deprivation across England (sd units), used for trust-scale deciles.
_AREA_SPREAD = 0.45
_WARD_NAMES = (
    "Alder", "Ash", "Aspen", "Beech", "Birch", "Blackthorn", "Bramble", "Cedar", "Cherry",
    "Chestnut", "Cypress", "Elder", "Elm", "Fern", "Hawthorn", "Hazel", "Heather", "Holly",
    "Hornbeam", "Juniper", "Larch", "Laurel", "Lime", "Linden", "Maple", "Medlar", "Oak",
    "Olive", "Osier", "Pine", "Poplar", "Rowan", "Sage", "Sorrel", "Spruce", "Sycamore",
    "Tamarisk", "Teasel", "Thyme", "Walnut", "Whitebeam", "Willow", "Yarrow", "Yew",
)


@dataclass(frozen=True)
class Geography:
    """Everything spatial and organisational the generator needs."""

    area_code: np.ndarray
    area_name: np.ndarray
    area_locality: np.ndarray  # locality index of the area (before LSOA splits)
    area_population: np.ndarray  # usual residents (scaled for small runs)
    area_deprivation: np.ndarray
    area_age_tilt: np.ndarray
    area_mix_key: np.ndarray  # ethnic-mix name (trust) or "" (national)
    area_diversity: np.ndarray  # trust: multiplier; national: standard-normal score
    area_boosts: list[dict[str, float]]
    locality_name: list[str]
    locality_provider: np.ndarray
    provider_code: list[str]
    provider_name: list[str]
    lsoa_code: np.ndarray
    lsoa_area: np.ndarray
    lsoa_locality: np.ndarray
    lsoa_deprivation: np.ndarray
    lsoa_imd_decile: np.ndarray
    teams: pd.DataFrame
    wards: pd.DataFrame
    services: tuple[str, ...]
    team_lookup: np.ndarray  # [service, area, locality] -> team row
    national: bool

    @property
    def n_areas(self) -> int:
        return len(self.area_code)

    def team_for(self, service: np.ndarray, area: np.ndarray, locality: np.ndarray) -> np.ndarray:
        """Team row serving people of these areas/localities for these services."""
        return self.team_lookup[service, area, locality]

    def lsoa_table(self) -> dict[str, object]:
        return {
            "LSOA2021": self.lsoa_code,
            "AreaCode": self.area_code[self.lsoa_area],
            "AreaName": self.area_name[self.lsoa_area],
            "Locality": np.array(self.locality_name, dtype=object)[self.lsoa_locality],
            "IMDDecile": self.lsoa_imd_decile.astype(np.int32),
        }


def build_geography(config: SynthConfig, scale: str, population_factor: float,
                    rng: np.random.Generator) -> Geography:
    """Areas, LSOAs, localities, providers, teams and wards for ``scale``."""
    geo_name = config.get(f"scales.{scale}.geography")
    spec = config.get(f"geography.{geo_name}")
    if isinstance(spec.get("areas"), list):
        parts = _listed_areas(spec)
        national = False
    else:
        parts = _synthetic_areas(spec, rng)
        national = True
    (code, name, locality, population, deprivation, tilt, mix_key, diversity, boosts,
     locality_names, locality_provider, provider_code, provider_name, splits) = parts
    population = np.maximum(1, np.rint(population * population_factor)).astype(np.int64)

    lsoa_size = float(spec["lsoa_population"]) * population_factor
    n_lsoa = np.maximum(1, np.rint(population / max(lsoa_size, 1.0))).astype(np.int64)
    lsoa_area = np.repeat(np.arange(len(code)), n_lsoa)
    total = int(n_lsoa.sum())
    if total > 99_999:
        raise ValueError(f"{total} LSOAs do not fit the synthetic code range E01900001-E01999999")
    lsoa_code = np.array([f"E01{900001 + i:06d}" for i in range(total)], dtype=object)
    sd = float(spec["lsoa_deprivation_sd"])
    z = deprivation[lsoa_area] + rng.normal(0.0, sd, total)
    if national:
        order = np.argsort(-z, kind="stable")  # most deprived first
        decile = np.empty(total, dtype=np.int8)
        decile[order] = (np.arange(total) * 10 // total + 1).astype(np.int8)
    else:
        cuts = ndtri(np.arange(1, 10) / 10.0) * np.hypot(sd, _AREA_SPREAD)
        decile = (10 - np.searchsorted(cuts, z)).astype(np.int8)
    lsoa_locality = locality[lsoa_area].copy()
    locality_index = {n: i for i, n in enumerate(locality_names)}
    for area_i, split in splits.items():
        members = np.flatnonzero(lsoa_area == area_i)
        for target, share in split.items():
            k = round(share * len(members))
            chosen = rng.choice(members, size=k, replace=False) if k else members[:0]
            lsoa_locality[chosen] = locality_index[target]

    services = tuple(config["services"])
    teams, lookup = _teams(config, services, name, locality, lsoa_locality, lsoa_area,
                           locality_names, locality_provider, provider_code, national)
    area_pop_by_loc = np.bincount(lsoa_locality, weights=population[lsoa_area] / n_lsoa[lsoa_area],
                                  minlength=len(locality_names))
    wards = _wards(config, locality_names, locality_provider, provider_code, area_pop_by_loc,
                   national)
    return Geography(
        area_code=code, area_name=name, area_locality=locality, area_population=population,
        area_deprivation=deprivation, area_age_tilt=tilt, area_mix_key=mix_key,
        area_diversity=diversity, area_boosts=boosts, locality_name=locality_names,
        locality_provider=locality_provider, provider_code=provider_code,
        provider_name=provider_name, lsoa_code=lsoa_code, lsoa_area=lsoa_area.astype(np.int32),
        lsoa_locality=lsoa_locality.astype(np.int32), lsoa_deprivation=z,
        lsoa_imd_decile=decile, teams=teams, wards=wards, services=services,
        team_lookup=lookup, national=national,
    )


def _listed_areas(spec: dict):
    areas = spec["areas"]
    locality_names: list[str] = []
    for area in areas:
        for loc in [area["locality"], *(area.get("lsoa_locality_split") or {})]:
            if loc not in locality_names:
                locality_names.append(loc)
    index = {n: i for i, n in enumerate(locality_names)}
    provider = spec["provider"]
    splits = {i: dict(a["lsoa_locality_split"]) for i, a in enumerate(areas)
              if a.get("lsoa_locality_split")}
    return (
        np.array([a["code"] for a in areas], dtype=object),
        np.array([a["name"] for a in areas], dtype=object),
        np.array([index[a["locality"]] for a in areas], dtype=np.int32),
        np.array([a["population"] for a in areas], dtype=float),
        np.array([a.get("deprivation", 0.0) for a in areas], dtype=float),
        np.array([a.get("age_tilt", 0.0) for a in areas], dtype=float),
        np.array([a["mix"] for a in areas], dtype=object),
        np.array([a.get("diversity", 1.0) for a in areas], dtype=float),
        [dict(a.get("boosts") or {}) for a in areas],
        locality_names,
        np.zeros(len(locality_names), dtype=np.int32),
        [provider["code"]],
        [provider["name"]],
        splits,
    )


def _synthetic_areas(spec: dict, rng: np.random.Generator):
    n = int(spec["areas"])
    n_loc = int(spec["localities"])
    sizes = rng.lognormal(0.0, float(spec["area_size_sigma"]), n)
    population = sizes / sizes.sum() * float(spec["population"])
    score = rng.normal(0.0, 1.0, n)  # diversity score
    deprivation = float(spec["deprivation_from_diversity"]) * score + rng.normal(0.0, 0.35, n)
    tilt = 0.1 * score
    locality = (np.arange(n) * n_loc // n).astype(np.int32)
    return (
        np.array([f"E99{i + 1:06d}" for i in range(n)], dtype=object),
        np.array([f"Synthetic area {i + 1:03d}" for i in range(n)], dtype=object),
        locality,
        population,
        deprivation,
        tilt,
        np.array([""] * n, dtype=object),
        score,
        [{} for _ in range(n)],
        [f"Synthetic locality {i + 1:02d}" for i in range(n_loc)],
        np.arange(n_loc, dtype=np.int32),
        [f"SYN{i + 1:02d}" for i in range(n_loc)],
        [f"Synthetic mental health trust {i + 1:02d}" for i in range(n_loc)],
        {},
    )


def _teams(config, services, area_name, area_locality, lsoa_locality, lsoa_area,
           locality_names, locality_provider, provider_code, national):
    n_areas, n_loc = len(area_name), len(locality_names)
    rows = []
    lookup = np.full((len(services), n_areas, n_loc), -1, dtype=np.int32)
    pairs = np.unique(np.stack([lsoa_area, lsoa_locality], axis=1), axis=0)
    for s, service in enumerate(services):
        spec = config["services"][service]
        per = spec["per"]
        if per == "area":
            for a in range(n_areas):
                loc = int(area_locality[a])
                rows.append((spec["name"].format(place=area_name[a]), spec["type"],
                             locality_names[loc], service, int(locality_provider[loc])))
                mask = pairs[:, 0] == a
                lookup[s, pairs[mask, 0], pairs[mask, 1]] = len(rows) - 1
        elif per == "locality":
            for loc in range(n_loc):
                rows.append((spec["name"].format(place=locality_names[loc]), spec["type"],
                             locality_names[loc], service, int(locality_provider[loc])))
                mask = pairs[:, 1] == loc
                lookup[s, pairs[mask, 0], pairs[mask, 1]] = len(rows) - 1
        else:
            for p, code in enumerate(provider_code):
                label = f"{spec['name']} ({code})" if national else spec["name"]
                served = np.flatnonzero(locality_provider == p)
                place = locality_names[served[0]] if national else "Trust-wide"
                rows.append((label, spec["type"], place, service, p))
                mask = np.isin(pairs[:, 1], served)
                lookup[s, pairs[mask, 0], pairs[mask, 1]] = len(rows) - 1
    width = max(4, len(str(len(rows))))
    teams = pd.DataFrame(rows, columns=["TeamName", "ServTeamTypeRefToMH", "Locality",
                                        "service", "provider"])
    teams.insert(0, "UniqCareProfTeamID", [f"T{i + 1:0{width}d}" for i in range(len(rows))])
    return teams, lookup


def _wards(config, locality_names, locality_provider, provider_code, locality_population,
           national):
    counts = config.get("inpatient.wards")
    bed_types = config.get("inpatient.bed_types")
    rows = []
    name_i = 0
    for p, code in enumerate(provider_code):
        served = np.flatnonzero(locality_provider == p)
        shares = locality_population[served] / locality_population[served].sum()
        for kind in WARD_KINDS:
            k = int(counts[kind])
            exact = shares * k
            alloc = np.floor(exact).astype(int)
            for j in np.argsort(-(exact - alloc), kind="stable")[: k - alloc.sum()]:
                alloc[j] += 1
            for j, n in zip(served, alloc, strict=True):
                for _ in range(int(n)):
                    base = _WARD_NAMES[name_i % len(_WARD_NAMES)]
                    label = f"{base} Ward ({code})" if national else f"{base} Ward"
                    name_i += 1
                    rows.append((label, str(bed_types[kind]), locality_names[j], kind, p, j))
    width = max(3, len(str(len(rows))))
    wards = pd.DataFrame(rows, columns=["WardName", "HospitalBedTypeMH", "Locality", "kind",
                                        "provider", "locality"])
    wards.insert(0, "WardCode", [f"W{i + 1:0{width}d}" for i in range(len(rows))])
    return wards
