"""People in contact, sampled from the population table.

Each person enters through one pathway (children's services, neurodevelopmental
assessment, adult community, crisis, older adults, memory assessment) in one financial year
of the span, their *index year*. For every population cell (area × group × sex × age) and
year, the number entering a pathway is Binomial(residents, rate(age, sex) × access ratio
(group) × k), where k calibrates the expected total to the scale's people target. A
person's *index cell* is their area, group, sex and age at the end of the index year; the
number of people with a given index cell never exceeds its residents (tiny cells are
trimmed, and people created later for Mental Health Act events respect the same cap).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from pcref.synth.config import PATHWAYS, SynthConfig
from pcref.synth.geography import Geography
from pcref.synth.groups import N_GROUPS, group_vector
from pcref.synth.population import AGES, N_AGES, Population, interpolate_knots
from pcref.synth.sampling import grouped_choice, lognormal_days

#: Pathway index of people who first appear through a Mental Health Act event.
EVENT_PATHWAY = len(PATHWAYS)
ORIGIN_PATHWAY, ORIGIN_DETENTION, ORIGIN_SECTION_136 = 0, 1, 2
#: Trimming order when a cell has more entrants than residents (first trimmed first).
_TRIM_ORDER = ("adult_community", "crisis", "camhs", "neurodevelopmental", "older_adult", "memory")


@dataclass
class People:
    """Person-level arrays (one element per person)."""

    area: np.ndarray
    group: np.ndarray
    sex: np.ndarray  # 0 male, 1 female
    index_age: np.ndarray  # age at the end of the index financial year (90 = 90+)
    index_fy: np.ndarray  # 0-based financial year of the span
    pathway: np.ndarray
    frailty: np.ndarray  # proneness to crisis and detention (mean 1)
    origin: np.ndarray
    carried_in: np.ndarray  # first referral before the span, still open at its start
    entry: np.ndarray = field(default=None)  # day of the first referral
    birth: np.ndarray = field(default=None)
    lsoa: np.ndarray = field(default=None)
    locality: np.ndarray = field(default=None)
    provider: np.ndarray = field(default=None)
    language: np.ndarray = field(default=None)  # preferred language code
    interpreter: np.ndarray = field(default=None)  # bool: needs an interpreter

    @property
    def n(self) -> int:
        return len(self.area)

    def index_cell(self) -> np.ndarray:
        return Population.cell_index(self.area, self.group, self.sex, self.index_age)

    def cell_in_year(self, fy: int) -> np.ndarray:
        """Population cell of each person at the end of year ``fy`` (-1 before their index year)."""
        age = np.minimum(self.index_age + (fy - self.index_fy), N_AGES - 1)
        cell = Population.cell_index(self.area, self.group, self.sex, age)
        return np.where(self.index_fy <= fy, cell, -1)

    def append(self, other: People) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if mine is not None and theirs is not None:
                setattr(self, f.name, np.concatenate([mine, theirs]))

    def take(self, order: np.ndarray) -> People:
        values = {f.name: (getattr(self, f.name)[order] if getattr(self, f.name) is not None
                           else None) for f in fields(self)}
        return People(**values)


@dataclass(frozen=True)
class EntrantModel:
    """The entry model, kept for truth.json: per-pathway probabilities before calibration."""

    rate: np.ndarray  # [pathway, sex, age] per resident per year, before k
    access: np.ndarray  # [pathway, group]
    calibration: float  # k
    trimmed: int


def pathway_rates(config: SynthConfig) -> np.ndarray:
    rate = np.zeros((len(PATHWAYS), 2, N_AGES))
    for p, name in enumerate(PATHWAYS):
        spec = config.get(f"pathways.{name}")
        inside = (spec["min_age"] <= AGES) & (spec["max_age"] >= AGES)
        for s in (0, 1):
            rate[p, s] = np.where(inside, interpolate_knots(spec["rate_per_year"], AGES, s + 1), 0)
    return rate


def access_ratios(config: SynthConfig) -> np.ndarray:
    return np.stack([config.group_values(f"access_{name}") for name in PATHWAYS])


def new_people(area, group, sex, age, fy, pathway, origin, rng, shape) -> People:
    n = len(area)
    return People(
        area=np.asarray(area, dtype=np.int32), group=np.asarray(group, dtype=np.int8),
        sex=np.asarray(sex, dtype=np.int8), index_age=np.asarray(age, dtype=np.int16),
        index_fy=np.asarray(fy, dtype=np.int8), pathway=np.asarray(pathway, dtype=np.int8),
        frailty=rng.gamma(shape, 1.0 / shape, n).astype(np.float32),
        origin=np.full(n, origin, dtype=np.int8), carried_in=np.zeros(n, dtype=bool),
    )


def _lognormal_mean(spec) -> float:
    return float(spec[0]) * float(np.exp(float(spec[1]) ** 2 / 2))


def mean_open_years(config: SynthConfig) -> np.ndarray:
    """Mean years a pathway's first referral stays open (wait + time open), per pathway.

    In a steady state the caseload open on any day is the yearly number of new entrants ×
    this; it sizes the people already in contact when the span starts.
    """
    services = config["services"]
    out = []
    for name in PATHWAYS:
        weights = config.get(f"pathway_services.{name}")
        total = sum(float(w) for w in weights.values())
        years = 0.0
        for service, w in weights.items():
            spec = services[service]
            wait = _lognormal_mean(spec["wait"])
            if name == "memory":
                wait = _lognormal_mean(config.get("memory_assessment.wait_to_diagnosis"))
            elif service == "neurodevelopmental":
                wait = 0.6 * wait + 0.4 * _lognormal_mean(
                    config.get("referrals.neurodevelopmental_wait_24"))
            years += float(w) / total * (wait + _lognormal_mean(spec["duration"])) / 365.25
        out.append(years)
    return np.array(out)


def draw_entrants(config: SynthConfig, population: Population, target: float, span,
                  rng: np.random.Generator) -> tuple[People, EntrantModel]:
    """People entering each pathway in each year of the span, plus the caseload already open
    at its start, calibrated to ``target`` people, each with the day of their first referral
    (in the index year, or before the span for the open caseload)."""
    years = int(config.get("span.financial_years"))
    rate = pathway_rates(config)
    access = access_ratios(config)
    open_years = mean_open_years(config)
    flat = population.flat()
    cells = np.flatnonzero(flat > 0)
    residents = flat[cells]
    area, group, sex, age = Population.unravel(cells)
    base = rate[:, sex, age] * access[:, group]  # [pathway, cell]
    expected = float(((years + open_years)[:, None] * base * residents[None, :]).sum())
    k = target / expected if expected > 0 else 0.0
    prob = np.minimum(1.0, k * base)
    # slot 0: open caseload at the span start (index year 0); slots 1..years: new entrants
    counts = np.stack([rng.binomial(residents[None, :], np.minimum(1.0, prob * open_years[:,
                                                                                        None]))]
                      + [rng.binomial(residents[None, :], prob) for _ in range(years)], axis=1)
    # counts[pathway, slot, cell]; trim cells with more people than residents
    excess = np.maximum(counts.sum(axis=(0, 1)) - residents, 0)
    trimmed = int(excess.sum())
    for name in _TRIM_ORDER:
        p = PATHWAYS.index(name)
        for slot in [0, *reversed(range(1, years + 1))]:
            take = np.minimum(counts[p, slot], excess)
            counts[p, slot] -= take
            excess -= take
    parts = []
    for p in range(len(PATHWAYS)):
        for slot in range(years + 1):
            idx = np.repeat(np.arange(len(cells)), counts[p, slot])
            parts.append((idx, p, slot))
    idx = np.concatenate([i for i, _, _ in parts])
    pathway = np.concatenate([np.full(len(i), p) for i, p, _ in parts])
    slot = np.concatenate([np.full(len(i), s) for i, _, s in parts])
    fy = np.maximum(slot - 1, 0)
    shape = float(config.get("mental_health_act.frailty_shape"))
    people = new_people(area[idx], group[idx], sex[idx], age[idx], fy, pathway, ORIGIN_PATHWAY,
                        rng, shape)
    people.carried_in = slot == 0
    start = span.fy_start[people.index_fy]
    length = span.fy_start[people.index_fy + 1] - start
    entry = start + np.floor(rng.random(people.n) * length).astype(np.int64)
    history = np.minimum(2 * open_years[pathway], span.history_years) * 365.25
    before = span.start - 1 - np.floor(rng.random(people.n) * history).astype(np.int64)
    people.entry = np.where(people.carried_in, before, entry).astype(np.int64)
    return people, EntrantModel(rate=rate, access=access, calibration=k, trimmed=trimmed)


def finalise(people: People, config: SynthConfig, geography: Geography, span,
             rng: np.random.Generator) -> None:
    """Birth dates, LSOA of residence, locality, provider, language and interpreter need."""
    n = people.n
    # birth date: age at 31 March ending the index year = index_age (90 = 90 and over)
    fy_end_year = span.first_year + people.index_fy.astype(np.int64) + 1
    extra = np.where(people.index_age >= N_AGES - 1,
                     np.minimum(rng.geometric(0.22, n) - 1, 14), 0)
    age = people.index_age.astype(np.int64) + extra
    first = _april_first(fy_end_year - age - 1)
    last = _april_first(fy_end_year - age) - 1
    people.birth = (first + np.floor(rng.random(n) * (last - first + 1))).astype(np.int32)

    affinity = group_vector(config.get("population.deprivation_affinity"), 0.0)
    order = np.argsort(geography.lsoa_area, kind="stable")
    lsoa_key = geography.lsoa_area[order].astype(np.int64) * N_GROUPS
    keys = []
    weights = []
    for g in range(N_GROUPS):
        keys.append(lsoa_key + g)
        weights.append(np.exp(affinity[g] * geography.lsoa_deprivation[order]))
    cand_key = np.concatenate(keys)
    cand_w = np.concatenate(weights)
    cand_lsoa = np.tile(order, N_GROUPS)
    sort = np.argsort(cand_key, kind="stable")
    pick = grouped_choice(cand_key[sort], cand_w[sort],
                          people.area.astype(np.int64) * N_GROUPS + people.group, rng)
    people.lsoa = cand_lsoa[sort][pick].astype(np.int32)
    people.locality = geography.lsoa_locality[people.lsoa]
    people.provider = geography.locality_provider[people.locality].astype(np.int16)

    _language(people, config, rng)


def _april_first(years: np.ndarray) -> np.ndarray:
    """Day number of 1 April of each year."""
    jan = (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]")
    return (jan.astype("datetime64[M]") + 3).astype("datetime64[D]").astype(np.int64)


def _language(people: People, config: SynthConfig, rng: np.random.Generator) -> None:
    demo = config["demographics"]
    n = people.n
    non_english = group_vector(demo["non_english"], 0.0)[people.group]
    is_other = rng.random(n) < non_english
    language = np.full(n, "en", dtype=object)
    for key, mapping in demo["languages"].items():
        members = group_vector({key: 1.0}, 0.0)[people.group] > 0
        chosen = np.flatnonzero(members & is_other)
        if len(chosen):
            codes = np.array(list(mapping), dtype=object)
            p = np.array(list(mapping.values()), dtype=float)
            language[chosen] = codes[rng.choice(len(codes), len(chosen), p=p / p.sum())]
    bsl = rng.random(n) < float(demo["british_sign_language"])
    language[bsl] = "q4"
    age = people.index_age.astype(float)
    p_interp = np.where(language == "en", float(demo["interpreter_if_english"]),
                        interpolate_knots(demo["interpreter_if_not_english"], age))
    people.language = language
    people.interpreter = bsl | (rng.random(n) < p_interp)


def lognormal_wait(spec, ratio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole days of a lognormal wait whose median is ``spec[0] × ratio``."""
    return np.floor(lognormal_days(spec, len(ratio), rng, ratio)).astype(np.int64)
