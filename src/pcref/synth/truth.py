"""truth.json: the configuration's true values and what the metrics should find.

For every injected disparity this records its exact definition, the configured parameter
and the *expected* value of the measure as the metric catalogue computes it, by NHS
ethnic category (16 groups) and NHS England's 5 groups, with the ratio to White British
(and to White). Expected values are exact expectations of the generating process:

* per-resident measures (detentions, place-of-safety orders, new referrals) come from the
  cell rates × the population table, directly standardised to the whole synthetic
  population's sex × age-band structure (NHS England's six bands: 0-15, 16-17, 18-34,
  35-49, 50-64, 65+);
* within-patient measures (police referral share, did-not-attend share, restrictive
  interventions per occupied bed day) come from summing the per-record probabilities the
  generator used, so they are expectations given the records generated;
* waits and transition outcomes come from the distributions' closed forms.

Numerators follow the ethnic category a person is *recorded* with (Gypsy or Irish
Traveller and Roma as C, Arab as S); denominators follow the code list's census → NHS map
(which gives those three census groups no 16-group code), as a metric using Census 2021
denominators would. Measured values in data with realistic defects (unknown ethnicity)
will differ from these; compare with ``--defects none`` for exactness.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import ndtr

from pcref.synth.config import PATHWAYS, SynthConfig
from pcref.synth.groups import CENSUS_CODES, GROUP_KEYS, N_GROUPS, WHITE_BRITISH
from pcref.synth.population import N_AGES, Population

NHSE_BANDS = ((0, 15, "0-15"), (16, 17, "16-17"), (18, 34, "18-34"), (35, 49, "35-49"),
              (50, 64, "50-64"), (65, 90, "65+"))
OLDER_BANDS = ((65, 69, "65-69"), (70, 74, "70-74"), (75, 79, "75-79"), (80, 84, "80-84"),
               (85, 89, "85-89"), (90, 90, "90+"))


class GroupMaps:
    """Census group → NHS 16-group code (recorded and denominator) and 5-group names."""

    def __init__(self, recorded: np.ndarray):
        from pcref import codelists

        census = codelists.load("census2021_ethnic_group").set_index("code")
        ethnic = codelists.load("ethnic_category").set_index("code")
        self.recorded = list(recorded)
        self.denominator = [_text(census.loc[c, "nhs_ethnic_category"]) for c in CENSUS_CODES]
        self.codes = [c for c in ethnic.index if _text(ethnic.loc[c, "ethnic_group_5"])]
        self.group5_of_code = {c: _text(ethnic.loc[c, "ethnic_group_5"]) for c in self.codes}
        self.group5_of_census = [_text(census.loc[c, "ethnic_group_5"]) for c in CENSUS_CODES]
        self.labels = {c: _text(ethnic.loc[c, "label_short"]) for c in self.codes}
        self.groups5 = list(dict.fromkeys(self.group5_of_code.values()))

    def numerator_matrix(self, level: int) -> tuple[list[str], np.ndarray]:
        names = self.codes if level == 16 else self.groups5
        m = np.zeros((len(names), N_GROUPS))
        for g in range(N_GROUPS):
            code = self.recorded[g]
            key = code if level == 16 else self.group5_of_code[code]
            m[names.index(key), g] = 1
        return names, m

    def denominator_matrix(self, level: int) -> tuple[list[str], np.ndarray]:
        names = self.codes if level == 16 else self.groups5
        m = np.zeros((len(names), N_GROUPS))
        for g in range(N_GROUPS):
            key = self.denominator[g] if level == 16 else self.group5_of_census[g]
            if key in names:
                m[names.index(key), g] = 1
        return names, m


def _text(value) -> str:
    """A code-list cell as text; empty cells (read as missing) become ""."""
    import pandas as pd

    return "" if pd.isna(value) else str(value)


def _band_matrix(bands) -> np.ndarray:
    m = np.zeros((len(bands), N_AGES))
    for i, (lo, hi, _) in enumerate(bands):
        m[i, lo: hi + 1] = 1
    return m


def standardised(expected: np.ndarray, population: np.ndarray, maps: GroupMaps,
                 bands=NHSE_BANDS, scale: float = 1e5) -> dict[str, Any]:
    """Crude and directly standardised rates of expected counts ``expected[group, sex, age]``
    over residents ``population[group, sex, age]``, by NHS 16 and 5 groups.

    The standard population is the total of ``population`` by sex × band, so a constant
    ratio between two groups' cell rates is recovered exactly.
    """
    bm = _band_matrix(bands)
    num = np.einsum("gsa,ba->gsb", expected, bm)
    den = np.einsum("gsa,ba->gsb", population, bm)
    weight = den.sum(axis=0)
    weight = weight / weight.sum()
    out: dict[str, Any] = {}
    for level in (16, 5):
        names, nm = maps.numerator_matrix(level)
        _, dm = maps.denominator_matrix(level)
        n = np.einsum("kg,gsb->ksb", nm, num)
        d = np.einsum("kg,gsb->ksb", dm, den)
        crude = n.sum(axis=(1, 2)) / np.maximum(d.sum(axis=(1, 2)), 1e-300) * scale
        rates = np.divide(n, d, out=np.zeros_like(n), where=d > 0)
        dsr = (rates * weight[None]).sum(axis=(1, 2)) * scale
        table = {}
        for i, name in enumerate(names):
            table[name] = {"expected_count": _r(n[i].sum()), "population": int(d[i].sum()),
                           "crude_rate": _r(crude[i]), "standardised_rate": _r(dsr[i])}
        out[f"groups_{level}"] = table
    a = out["groups_16"]["A"]
    white = out["groups_5"]["White"]
    for level in (16, 5):
        for row in out[f"groups_{level}"].values():
            row["ratio_to_white_british"] = _ratio(row["standardised_rate"],
                                                   a["standardised_rate"])
            row["ratio_to_white"] = _ratio(row["standardised_rate"],
                                           white["standardised_rate"])
            row["crude_ratio_to_white_british"] = _ratio(row["crude_rate"], a["crude_rate"])
    return out


def proportion_by_group(numerator: np.ndarray, denominator: np.ndarray, maps: GroupMaps,
                        scale: float = 1.0) -> dict[str, Any]:
    """Expected numerator ÷ denominator by NHS 16 and 5 groups (within-patient measures)."""
    out: dict[str, Any] = {}
    for level in (16, 5):
        names, nm = maps.numerator_matrix(level)
        n = nm @ numerator
        d = nm @ denominator
        out[f"groups_{level}"] = {
            name: {"expected_numerator": _r(n[i]), "denominator": _r(d[i]),
                   "value": _r(n[i] / d[i] * scale) if d[i] > 0 else None}
            for i, name in enumerate(names)
        }
    ref = out["groups_16"]["A"]["value"]
    white = out["groups_5"]["White"]["value"]
    for level in (16, 5):
        for row in out[f"groups_{level}"].values():
            row["ratio_to_white_british"] = _ratio(row["value"], ref)
            row["ratio_to_white"] = _ratio(row["value"], white)
    return out


def per_group_values(values: np.ndarray, maps: GroupMaps, weights: np.ndarray | None = None
                     ) -> dict[str, Any]:
    """A per-census-group parameter shown by NHS 16 group (weighted mean where groups merge)."""
    weights = np.ones(N_GROUPS) if weights is None else weights
    names, nm = maps.numerator_matrix(16)
    out = {}
    for i, name in enumerate(names):
        w = nm[i] * weights
        out[name] = _r((w * values).sum() / w.sum()) if w.sum() > 0 else None
    return out


def _r(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.6g}")


def _ratio(a, b) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return _r(a / b)


def lognormal_share_within(days: float, median: np.ndarray, sigma: float) -> np.ndarray:
    """P(floor(W) ≤ days) for W lognormal with the given median and sigma."""
    return ndtr((np.log(days + 1) - np.log(median)) / sigma)


def disparities(config: SynthConfig, population: Population, maps: GroupMaps, *, entrants,
                mha, restraint, referral, span) -> list[dict[str, Any]]:
    """The truth entry of every injected disparity."""
    pop_gsa = population.count.sum(axis=0).astype(float)  # [group, sex, age]
    out = []

    def params(name):
        spec = config.disparity(name)
        values = config.group_values(name) if spec["kind"] != "factor" else None
        entry = {"kind": spec["kind"], "mechanism": spec["mechanism"]}
        if values is not None:
            entry["by_census_group"] = {k: _r(v) for k, v in zip(GROUP_KEYS, values,
                                                                  strict=True)}
        else:
            entry["factor"] = _r(spec["factor"])
        return entry

    # detentions
    rates = mha.expected_cell_rates
    base, ratio = rates["detention_base_per_100k"], rates["detention_ratio"]
    expected = pop_gsa * base[None] / 1e5 * ratio[:, None, None]
    trend = [float(t) for t in rates["trend"]]
    out.append({
        "id": "detention_rate",
        "definition": (
            "Detentions under the Mental Health Act (NHS England categories A, B, C, D, P: "
            "distinct legal-status episodes starting in the financial year, first linked "
            "spell) per 100,000 residents per financial year, by recorded ethnic category, "
            "age at the end of the financial year in NHS England's six bands × sex 1/2, "
            "directly standardised to the population table's total sex × age structure. "
            "Values are for a year with trend factor 1; year y is × trend[y]."),
        "parameter": params("detention"), "trend_by_year": trend,
        "expected": standardised(expected, pop_gsa, maps),
        "headline": "Black or Black British vs White British standardised rate ratio",
    })
    base136, ratio136 = rates["section_136_base_per_100k"], rates["section_136_ratio"]
    out.append({
        "id": "section_136_without_detention",
        "definition": (
            "Section 136 episodes (category E) that are not followed by a detention, per "
            "100,000 residents per year, standardised as for detentions. All section 136 "
            "episodes = these + the place-of-safety episodes before category C detentions."),
        "parameter": params("section_136"), "trend_by_year": trend,
        "expected": standardised(pop_gsa * base136[None] / 1e5 * ratio136[:, None, None],
                                 pop_gsa, maps),
    })
    cto = config.group_values("cto")
    out.append({
        "id": "community_treatment_orders",
        "definition": (
            "P(a CTO is made at discharge | discharged alive, to the community, on section 3, "
            "inside the span). The per-resident CTO rate ratio is therefore about the "
            "detention ratio × the ratio of these probabilities (section 3 share and "
            "timing do not depend on ethnic group), i.e. approximately `implied_rate_ratio`."),
        "parameter": params("cto"),
        "expected": {"probability_by_group_16": per_group_values(cto, maps, pop_gsa.sum((1, 2))),
                     "implied_rate_ratio_by_census_group": {
                         k: _r(ratio[g] * cto[g] / (ratio[WHITE_BRITISH] * cto[WHITE_BRITISH]))
                         for g, k in enumerate(GROUP_KEYS)}},
    })
    # access: new people per resident, by pathway
    k = entrants.calibration
    for p, name in enumerate(PATHWAYS):
        exp = pop_gsa * np.minimum(1.0, k * entrants.rate[p][None] * entrants.access[p][:, None,
                                                                                        None])
        bands = OLDER_BANDS if name == "memory" else NHSE_BANDS
        out.append({
            "id": f"access_{name}" if name != "memory" else "memory_assessment_referrals",
            "definition": (
                f"New people entering the {name} pathway (a first referral received in the "
                "financial year; people already in contact at the span start are not new) "
                "per 100,000 residents per financial year, standardised by sex × "
                + ("five-year age band 65-69 … 90+ (residents aged 65+)" if name == "memory"
                   else "NHS England's six age bands")
                + ". Age is at the end of the financial year."),
            "parameter": params(f"access_{name}"),
            "expected": standardised(exp, pop_gsa, maps, bands=bands),
        })
    # memory waits
    spec = config.get("memory_assessment.wait_to_diagnosis")
    mw = config.group_values("memory_wait")
    median = spec[0] * mw
    out.append({
        "id": "memory_assessment_wait",
        "definition": (
            "Days from memory-assessment referral (team type A17) to the coded diagnosis "
            "(MHS604, dementia F00-F03/G30 or mild cognitive impairment F067) for referrals "
            "not rejected: lognormal, median = reference median × ratio, sigma "
            f"{spec[1]}; whole days (floor). share_within_42_days = P(wait ≤ 42 days). Waits "
            "are censored at the span end: measure on referrals received at least a year "
            "before it."),
        "parameter": params("memory_wait"),
        "expected": {"median_days": per_group_values(median, maps, pop_gsa.sum((1, 2))),
                     "share_within_42_days": per_group_values(
                         lognormal_share_within(42, median, spec[1]), maps, pop_gsa.sum((1, 2))),
                     "median_ratio_south_asian_to_white_british": _r(
                         mw[GROUP_KEYS.index("indian")] / mw[WHITE_BRITISH])},
    })
    nw = config.group_values("neurodevelopmental_wait")
    kids25 = config.get("services.neurodevelopmental.wait")
    kids24 = config.get("referrals.neurodevelopmental_wait_24")
    adults = config.get("services.adult_neurodevelopmental.wait")
    out.append({
        "id": "neurodevelopmental_wait",
        "definition": (
            "Days from a neurodevelopmental referral (reason 25 suspected autism or 24 ADHD/"
            "other; children's team C04, adults' team C01) to the first care contact (always "
            "attended), for referrals not rejected: lognormal with median = reference median "
            "× ratio; share_within_13_weeks = P(wait ≤ 91 days) (NICE QS51), measurable on "
            "referrals received at least 13 weeks before the span end."),
        "parameter": params("neurodevelopmental_wait"),
        "expected": {
            label: {"median_days": per_group_values(s[0] * nw, maps, pop_gsa.sum((1, 2))),
                    "share_within_13_weeks": per_group_values(
                        lognormal_share_within(91, s[0] * nw, s[1]), maps, pop_gsa.sum((1, 2)))}
            for label, s in (("children_reason_25", kids25), ("children_reason_24", kids24),
                             ("adults", adults))},
    })
    att = config.group_values("transition_first_appointment")
    eng = config.group_values("transition_engaged")
    rel = float(config.get("transitions.engagement_if_first_missed"))
    q = np.minimum(1.0, eng / (att + rel * (1 - att)))
    engaged = q * (att + rel * (1 - att))
    out.append({
        "id": "transition_first_adult_appointment",
        "definition": (
            "Young people with an onward referral (MHS105) from a children's referral at age "
            "17½-18 to adult services: P(the first care contact on the new adult referral is "
            "attended, code 5 or 6; otherwise it is a did-not-attend, code 3)."),
        "parameter": params("transition_first_appointment"),
        "expected": {"probability": per_group_values(att, maps, pop_gsa.sum((1, 2)))},
    })
    out.append({
        "id": "transition_engaged_12_months",
        "definition": (
            "Same young people: P(at least one attended care contact on the adult referral "
            "273-365 days after the onward referral date). Measurable for onward referrals "
            "at least 365 days before the span end."),
        "parameter": params("transition_engaged"),
        "expected": {"probability": per_group_values(engaged, maps, pop_gsa.sum((1, 2)))},
    })
    out.append({
        "id": "referral_via_justice_system",
        "definition": (
            "Share of referrals (MHS101, received in or before the span) whose "
            "SourceOfReferralMH is a justice-system source (E1-E6), and whose source is the "
            "police (E1); expected values given the referrals generated. Within each "
            "service the justice-system probability is the service's base × the group's "
            "ratio; events (section 136, place-of-safety detentions, court orders) carry "
            "their own sources, so the overall ratio differs from the parameter."),
        "parameter": params("police_referral"),
        "expected": {
            "justice_system_all_ages": proportion_by_group(referral.justice, referral.referrals,
                                                           maps),
            "justice_system_aged_18_64": proportion_by_group(referral.justice_18_64,
                                                             referral.referrals_18_64, maps),
            "police_all_ages": proportion_by_group(referral.police, referral.referrals, maps),
        },
    })
    out.append({
        "id": "restrictive_interventions",
        "definition": (
            "Per 1,000 occupied bed days inside the span (nights on a ward from admission to "
            "the night before discharge, open stays to the span end): restrictive "
            "intervention incidents (MHS505), interventions of any type (MHS515 rows), and "
            "prone restraints (MHS515 type 01); and the share of inpatients (people with at "
            "least one night in the span) with at least one incident. Expected values given "
            "the ward stays generated; rates depend on ward type and detention, which differ "
            "by group, so these differ from the parameters."),
        "parameter": {"incident_rate": params("restrictive_intervention"),
                      "prone_given_physical": params("prone_restraint")},
        "expected": {
            "incidents_per_1000_bed_days": proportion_by_group(restraint.incidents,
                                                               restraint.bed_days, maps, 1000),
            "interventions_per_1000_bed_days": proportion_by_group(
                restraint.interventions, restraint.bed_days, maps, 1000),
            "prone_restraints_per_1000_bed_days": proportion_by_group(
                restraint.prone, restraint.bed_days, maps, 1000),
            "share_of_inpatients_restrained": proportion_by_group(
                restraint.inpatients_restricted, restraint.inpatients, maps),
        },
    })
    dna_yes = referral.dna[1].sum() / max(referral.contacts[1].sum(), 1)
    dna_no = referral.dna[0].sum() / max(referral.contacts[0].sum(), 1)
    out.append({
        "id": "did_not_attend_by_interpreter_need",
        "definition": (
            "Share of care contacts (MHS201) with AttendOrDNACode 3 or 7 (did not attend), "
            "for people whose InterpreterRequired is Y vs N; expected given the contacts "
            "generated (within a service and age the probability for people needing an "
            "interpreter is × the factor)."),
        "parameter": params("interpreter_dna"),
        "expected": {"interpreter_required": _r(dna_yes), "interpreter_not_required": _r(dna_no),
                     "ratio": _ratio(dna_yes, dna_no),
                     "by_group_interpreter_required": proportion_by_group(
                         referral.dna[1], referral.contacts[1], maps),
                     "by_group_interpreter_not_required": proportion_by_group(
                         referral.dna[0], referral.contacts[0], maps)},
    })
    return out


__all__ = ["GroupMaps", "disparities", "proportion_by_group", "standardised"]
