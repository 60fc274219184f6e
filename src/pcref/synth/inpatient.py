"""Ward stays (occupied bed days) and restrictive interventions during them.

Each hospital spell gets one ward stay on a ward of the right kind (young people's under
18, secure for court and prison orders, older adults' from 65 for most, otherwise adult
acute) in the person's locality where there is one; some detained adults move to the PICU
and back. Restrictive intervention incidents occur as a Poisson process over each stay's
occupied nights inside the span, at a rate per bed day that depends on the ward kind, on
whether the person is detained and on the ethnic group (``disparities.restrictive_
intervention``); within an incident a physical restraint is prone with probability
``prone_share`` × the group's ``disparities.prone_restraint`` ratio × the reduction
programme factor after its start date. The expected numbers (by group) are accumulated so
truth.json can state the true values in the metrics' own terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pcref.synth.config import WARD_KINDS, SynthConfig
from pcref.synth.geography import Geography
from pcref.synth.groups import N_GROUPS
from pcref.synth.mha import NO_DAY, Rows, Spells
from pcref.synth.people import People
from pcref.synth.sampling import choice_from, clock_times, day, lognormal_days
from pcref.synth.span import Span

ADULT, OLDER, PICU, LOW, MEDIUM, YOUNG = (WARD_KINDS.index(k) for k in WARD_KINDS)
_RESTRICTED = ("09", "15", "17")
_PART3 = ("07", "08", "10", "12", "13", "14", "16", "18", "31", *_RESTRICTED)


@dataclass
class RestraintExpectation:
    """Expected restrictive-intervention counts by census group (for truth.json)."""

    bed_days: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    incidents: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    prone: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    interventions: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    inpatients: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    inpatients_restricted: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))


def build_ward_stays(spells: Spells, people: People, geography: Geography, config: SynthConfig,
                     span: Span, rng: np.random.Generator) -> Rows:
    """MHS502 rows (with the ward's kind and the spell's detained flag for later stages)."""
    ip = config["inpatient"]
    n = len(spells.adm)
    person = spells.person
    age = (spells.adm - people.birth[person]) / 365.25
    kind = np.full(n, ADULT)
    older = (age >= ip["older_adult_ward_from_age"]) & (rng.random(n) < 0.8)
    kind[older] = OLDER
    secure = np.isin(spells.section, _PART3) & (spells.kind == 0)
    kind[secure] = LOW
    kind[np.isin(spells.section, _RESTRICTED) & (spells.kind == 0)] = MEDIUM
    kind[(spells.kind == 2) & (rng.random(n) < 0.3)] = LOW
    kind[age < 18] = YOUNG
    detained = (spells.kind != 1)
    locality = people.locality[person]
    provider = people.provider[person]
    ward = _choose_ward(geography, provider, kind, locality, ip["out_of_locality"], rng)

    los = spells.dis - spells.adm
    picu = (detained & (kind == ADULT) & (spells.kind == 0) & (los >= 7)
            & (rng.random(n) < ip["picu_transfer"]))
    p0 = spells.adm + 1 + np.floor(rng.random(n) * np.maximum(los // 3, 1)).astype(np.int64)
    p1 = np.minimum(p0 + np.maximum(1, np.rint(lognormal_days(ip["picu_days"], n, rng))
                                    ).astype(np.int64), spells.dis - 1)
    picu &= p1 > p0
    back = np.where(rng.random(n) < 0.5, ward,
                    _choose_ward(geography, provider, kind, locality, 0.0, rng))
    picu_ward = _choose_ward(geography, provider, np.full(n, PICU), locality, 0.0, rng)
    # stays: [adm, p0) ward, [p0, p1) PICU, [p1, dis] back — or one stay [adm, dis]
    one = np.flatnonzero(~picu)
    three = np.flatnonzero(picu)
    spell_i = np.concatenate([one, three, three, three])
    start = np.concatenate([spells.adm[one], spells.adm[three], p0[three], p1[three]])
    end = np.concatenate([spells.dis[one], p0[three], p1[three], spells.dis[three]])
    wards = np.concatenate([ward[one], ward[three], picu_ward[three], back[three]])
    seq = np.concatenate([np.zeros(len(one)), np.zeros(len(three)), np.ones(len(three)),
                          np.full(len(three), 2)])
    order = np.lexsort((seq, spell_i))
    spell_i, start, end, wards = spell_i[order], start[order], end[order], wards[order]
    keep = start <= span.end
    spell_i, start, end, wards = spell_i[keep], start[keep], end[keep], wards[keep]
    return Rows({
        "person": person[spell_i], "spell_tmp": spells.tmp[spell_i], "ward": wards,
        "start": start, "end": np.where(end > span.end, NO_DAY, end), "planned_end": end,
        "kind": geography.wards["kind"].map(WARD_KINDS.index).to_numpy()[wards],
        "detained": detained[spell_i], "tmp": np.arange(len(start), dtype=np.int64),
    })


def _choose_ward(geography: Geography, provider, kind, locality, out_of_locality, rng):
    wards = geography.wards
    w_kind = wards["kind"].map(WARD_KINDS.index).to_numpy()
    w_prov = wards["provider"].to_numpy()
    w_loc = wards["locality"].to_numpy()
    n = len(kind)
    out = np.full(n, -1, dtype=np.int64)
    key_all = w_prov.astype(np.int64) * len(WARD_KINDS) + w_kind
    key = provider.astype(np.int64) * len(WARD_KINDS) + kind
    local_key = (key_all * 10_000 + w_loc)
    want_local = key * 10_000 + locality
    order = np.argsort(local_key, kind="stable")
    u = rng.random(n)
    lo = np.searchsorted(local_key[order], want_local, "left")
    hi = np.searchsorted(local_key[order], want_local, "right")
    has_local = (hi > lo) & (rng.random(n) >= out_of_locality)
    pick = lo + np.floor(u * np.maximum(hi - lo, 1)).astype(np.int64)
    out[has_local] = order[np.minimum(pick, len(order) - 1)][has_local]
    order2 = np.argsort(key_all, kind="stable")
    lo2 = np.searchsorted(key_all[order2], key, "left")
    hi2 = np.searchsorted(key_all[order2], key, "right")
    pick2 = lo2 + np.floor(rng.random(n) * np.maximum(hi2 - lo2, 1)).astype(np.int64)
    rest = ~has_local
    out[rest] = order2[np.minimum(pick2, len(order2) - 1)][rest]
    return out


def build_restrictive_interventions(stays: Rows, people: People, config: SynthConfig,
                                    span: Span, rng: np.random.Generator,
                                    expect: RestraintExpectation) -> tuple[Rows, Rows]:
    """MHS505 incidents and MHS515 interventions; fills ``expect`` with expected counts."""
    r = config["restrictive_interventions"]
    s = stays.columns
    group = people.group[s["person"]].astype(np.int64)
    first = np.maximum(s["start"], span.start)
    last = np.minimum(s["planned_end"], span.end + 1)  # exclusive: nights up to discharge
    nights = np.maximum(last - first, 0)
    rate = np.array([r["incident_rate_per_bed_day"][k] for k in WARD_KINDS])[s["kind"]]
    rate = rate * np.where(s["detained"], r["detained_factor"], r["informal_factor"])
    rate = rate * config.group_values("restrictive_intervention")[group]
    lam = rate * nights

    # probabilities of each intervention type within an incident
    p_phys_draw = float(r["physical_restraint"])
    seclusion = np.array([r["seclusion"][k] for k in WARD_KINDS])[s["kind"]]
    others = {"14": float(r["rapid_tranquillisation"]), "05": None,
              "06": float(r["segregation"]), "04": float(r["mechanical"]),
              **{k: float(v) for k, v in r["other_chemical"].items()}}
    p_none_other = np.prod([1 - v for v in others.values() if v is not None]) * (1 - seclusion)
    p_phys = 1 - (1 - p_phys_draw) * (1 - p_none_other)
    prone_ratio = config.group_values("prone_restraint")[group]
    programme = day(str(r["prone_reduction_programme"]["from"]))
    factor = float(r["prone_reduction_programme"]["factor"])
    before = np.clip(np.minimum(last, programme) - first, 0, None)
    after = nights - before
    prone_expect = rate * p_phys * np.minimum(1.0, r["prone_share"] * prone_ratio) * before + (
        rate * p_phys * np.minimum(1.0, r["prone_share"] * prone_ratio * factor) * after)
    per_incident = p_phys + sum(v for v in others.values() if v is not None) + seclusion
    np.add.at(expect.bed_days, group, nights)
    np.add.at(expect.incidents, group, lam)
    np.add.at(expect.prone, group, prone_expect)
    np.add.at(expect.interventions, group, lam * per_incident)
    person_lam = np.bincount(s["person"], weights=lam, minlength=people.n)
    person_nights = np.bincount(s["person"], weights=nights, minlength=people.n)
    inpatient = person_nights > 0
    np.add.at(expect.inpatients, people.group[inpatient].astype(np.int64), 1)
    np.add.at(expect.inpatients_restricted, people.group[inpatient].astype(np.int64),
              1 - np.exp(-person_lam[inpatient]))

    # incidents
    count = rng.poisson(lam)
    stay = np.repeat(np.arange(len(lam)), count)
    n = len(stay)
    inc_day = first[stay] + np.floor(rng.random(n) * nights[stay]).astype(np.int64)
    inc_start = inc_day * 1440 + clock_times(n, rng, "evening") // 60
    types: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # inc, code, start, end
    drawn = {}
    for code, p in others.items():
        prob = seclusion[stay] if code == "05" else np.full(n, p)
        drawn[code] = rng.random(n) < prob
    any_other = np.zeros(n, dtype=bool)
    for mask in drawn.values():
        any_other |= mask
    physical = (rng.random(n) < p_phys_draw) | ~any_other
    prone_p = r["prone_share"] * prone_ratio[stay] * np.where(inc_day >= programme, factor, 1.0)
    prone = physical & (rng.random(n) < np.minimum(prone_p, 1.0))
    pos_idx, pos_vocab = choice_from(r["other_positions"], n, rng)
    phys_code = np.where(prone, "01", pos_vocab[pos_idx]).astype(object)
    minutes = np.where(prone, lognormal_days(r["prone_minutes"], n, rng),
                       lognormal_days(r["restraint_minutes"], n, rng))
    minutes = np.clip(np.rint(minutes), 1, 240).astype(np.int64)
    i = np.flatnonzero(physical)
    types.append((i, phys_code[i], inc_start[i], inc_start[i] + minutes[i]))
    phys_end = np.where(physical, inc_start + minutes, inc_start)
    for code, mask in drawn.items():
        j = np.flatnonzero(mask)
        m = len(j)
        if code == "05":
            st = phys_end[j]
            dur = np.rint(lognormal_days(r["seclusion_hours"], m, rng) * 60)
        elif code == "06":
            st = inc_start[j]
            dur = np.rint(lognormal_days(r["segregation_days"], m, rng) * 1440)
        elif code == "04":
            st = inc_start[j] + 5
            dur = np.rint(lognormal_days(r["mechanical_minutes"], m, rng))
        elif code == "14":
            st = inc_start[j] + rng.integers(2, 16, m)
            dur = rng.integers(0, 3, m)
        else:
            st = inc_start[j] + rng.integers(0, 31, m)
            dur = np.zeros(m)
        types.append((j, np.full(m, code, dtype=object), st, st + dur.astype(np.int64)))
    inc_of = np.concatenate([t[0] for t in types])
    code = np.concatenate([t[1] for t in types])
    t_start = np.concatenate([t[2] for t in types])
    t_end = np.concatenate([t[3] for t in types])
    stay_end = s["end"][stay]
    limit = np.where(stay_end == NO_DAY, np.iinfo(np.int64).max // 4, stay_end * 1440 + 1439)
    t_end = np.minimum(t_end, limit[inc_of])
    t_start = np.minimum(t_start, t_end)
    order = np.lexsort((t_start, inc_of))
    inc_of, code, t_start, t_end = inc_of[order], code[order], t_start[order], t_end[order]
    inc_end = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(inc_end, inc_of, t_end)
    is_phys = np.isin(code, ["01", "07", "08", "09", "10", "11", "12", "13"])
    injury = np.where(is_phys, np.where(rng.random(len(code)) < r["injury"], "Y", "N"), None)
    reason_idx, reason_vocab = choice_from(r["reasons"], n, rng)
    incidents = Rows({
        "person": s["person"][stay], "stay_tmp": s["tmp"][stay], "tmp": np.arange(n),
        "start": inc_start // 1440, "start_time": (inc_start % 1440) * 60,
        "end": inc_end // 1440, "end_time": (inc_end % 1440) * 60,
        "reason": reason_vocab[reason_idx],
    })
    interventions = Rows({
        "person": s["person"][stay][inc_of], "incident_tmp": inc_of, "code": code,
        "start": t_start // 1440, "start_time": (t_start % 1440) * 60,
        "end": t_end // 1440, "end_time": (t_end % 1440) * 60,
        "injury": injury.astype(object),
    })
    return incidents, interventions


__all__ = ["RestraintExpectation", "build_restrictive_interventions", "build_ward_stays"]
