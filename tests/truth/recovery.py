"""Truth recovery: what the metric catalogue should find in a synthetic extract, and whether
it does.

``pcref synth`` injects ethnic disparities into an extract and records each one in
``truth.json`` (``pcref.synth.truth``): its definition and the value the metrics should find.
This module turns those records into *expectations* — one per catalogue metric, statistic,
ethnicity breakdown and group, in the metric's own terms — runs the whole pipeline
(synthesise → ingest → compute), finds the result row each expectation is about, and says
whether the result's 95% interval covers the true value. The tests in this folder and
``benchmarks/truth_recovery.py`` share it (both load it by path; pytest's importlib mode
gives test folders no package). See ``docs/truth-recovery.md``.

How close each truth is to what its metric measures is recorded in ``basis``:

``exact``
    the truth is the expected value of the metric's statistic (detentions standardised by sex
    and age band, up to the small differences in each note; memory-service wait distributions;
    the share of ADHD referrals seen within 13 weeks);
``derived``
    the metric counts something slightly different from the truth entry, but its expected
    value follows exactly from truth.json (uses of section 136 = section 136 without detention
    + the section 136 before every category C detention; restrictive interventions per 1,000
    occupied bed days over the whole span, which truth.json gives, are the three financial
    years' results pooled);
``approximate``
    the truth measures nearly, not exactly, what the metric does (each expectation's ``note``
    says how), so a national-scale interval may miss it by the size of the difference;
``direction``
    no truth is given in the metric's terms; only the side of "no difference" is known.

Expectations are built for every group whose true value is known: at the 16-group level from
truth.json's NHS-category entries, at the 5-group level from its 5-group entries or, for
parameters given per NHS category, when every category in the 5-group has the same value (a
5-group mixing different values has a true value that depends on the mix).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.stats import norm

from pcref import codelists, stats
from pcref.ingest import demo_key, ingest
from pcref.metrics import engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import ETHNICITY_BREAKDOWNS, TOTAL_BREAKDOWN, Metric, load_catalogue
from pcref.metrics.periods import parse_periods
from pcref.stats.wording import significance_label
from pcref.synth.generate import generate
from pcref.synth.groups import GROUP_KEYS, recorded_categories

#: The financial year the results are read from: the span's last, so that outcomes measured a
#: year after an event (engagement 12 months after transfer) are inside the span, and the
#: caseload open when the span starts has worked through.
PERIOD = "2024-25"
#: The span's financial years, for the truths defined over the whole span.
SPAN = "2022-23,2023-24,2024-25"
#: Metrics whose truth is defined over the whole span: their three years are pooled.
POOLED_METRICS = ("ri_per_1000_bed_days",)
CONFIDENCE = 0.95
_Z = float(norm.ppf(0.5 + CONFIDENCE / 2))

EXACT, DERIVED, APPROXIMATE, DIRECTION = "exact", "derived", "approximate", "direction"
RATIO, VALUE = "ratio", "value"
WHITE_BRITISH, WHITE = "A", "White"

#: Injected disparities that no catalogue metric measures, and why (kept here so that a new
#: disparity in truth.json is either checked or explained — a test enforces it).
UNMEASURED = {
    "access_camhs": "no catalogue metric counts new people entering children's services per "
    "resident (access_people_in_contact counts everyone seen, all services together)",
    "access_neurodevelopmental": "no catalogue metric counts new neurodevelopmental referrals "
    "per resident",
    "access_adult_community": "no catalogue metric counts new people entering adult community "
    "services per resident",
    "access_crisis": "no catalogue metric counts new people entering crisis, liaison or liaison "
    "and diversion services per resident",
    "access_older_adult": "no catalogue metric counts new people entering older adults' services "
    "per resident",
    "did_not_attend_by_interpreter_need": "no catalogue metric compares did-not-attend rates by "
    "interpreter need (dq_interpreter_need_recorded measures only whether need is recorded)",
}


@dataclass(frozen=True)
class Expectation:
    """What one result row should show: the true value of one metric for one ethnic group."""

    disparity: str  #: the truth.json disparity id
    metric: str  #: the catalogue metric id
    statistic: str  #: the results ``statistic``
    breakdown: str  #: ``ethnicity_16`` or ``ethnicity_5``
    group: str  #: the results ``group`` label
    measure: str  #: RATIO (to the metric's reference group) or VALUE (the statistic itself)
    truth_low: float  #: the true value, or the lower end of the values it can take
    truth_high: float  #: equal to ``truth_low`` unless the metric rounds (whole days)
    truth_ratio: float  #: the true ratio to the reference group (gives the direction)
    basis: str  #: EXACT, DERIVED, APPROXIMATE or DIRECTION (module docstring)
    note: str = ""
    pooled: bool = False  #: compare the span's three financial years pooled
    #: Variance of the counts relative to what the metric's interval assumes (1: as assumed).
    #: Restrictive interventions come several to an incident, so their counts vary more than
    #: the Poisson counts the rate interval assumes; the pooled interval is widened to match.
    overdispersion: float = 1.0

    @property
    def truth(self) -> float:
        return (self.truth_low + self.truth_high) / 2

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.metric, self.statistic, self.breakdown, self.group)


@dataclass(frozen=True)
class Assessment:
    """An expectation beside the result that should meet it."""

    expectation: Expectation
    estimate: float  #: the ratio or value found
    lower: float
    upper: float
    significance: str  #: the results' words ("higher than White British", …)
    count: float  #: the group's numerator (events, people or observations)
    ratio: float  #: the ratio to the reference group found (for a VALUE, the results' ratio)

    @property
    def calculated(self) -> bool:
        return math.isfinite(self.lower) and math.isfinite(self.upper)

    @property
    def covers(self) -> bool:
        """The 95% interval reaches the true value (or the range of values it can take)."""
        e = self.expectation
        return self.calculated and self.lower <= e.truth_high and self.upper >= e.truth_low

    def interval_at(self, confidence: float) -> tuple[float, float]:
        """The 95% interval rescaled to ``confidence`` on the log scale, each side by
        z(confidence)/z(95%): exact for log-normal intervals (Katz, DSR ratios), close for the
        others (Wilson-based, order statistics)."""
        scale = float(norm.ppf(0.5 + confidence / 2)) / _Z
        if not (self.calculated and self.estimate > 0):
            return self.lower, self.upper
        lower = (self.estimate * (self.lower / self.estimate) ** scale if self.lower > 0
                 else self.lower)
        upper = self.estimate * (self.upper / self.estimate) ** scale
        return lower, upper

    def covers_at(self, confidence: float) -> bool:
        """The interval at ``confidence`` reaches the true value (see ``interval_at``)."""
        e = self.expectation
        lower, upper = self.interval_at(confidence)
        return self.calculated and lower <= e.truth_high and upper >= e.truth_low

    @property
    def expected_significance(self) -> str:
        """The start of the words a significant result on the true side would have."""
        return "higher than" if self.expectation.truth_ratio > 1 else "lower than"

    @property
    def right_direction(self) -> bool:
        """The estimate lies on the same side of the reference group as the truth."""
        ratio = self.ratio
        truth = self.expectation.truth_ratio
        return math.isfinite(ratio) and (ratio - 1) * (truth - 1) > 0

    @property
    def power(self) -> float:
        """Chance that an interval as wide as this one excludes "no difference" when the true
        ratio is ``truth_ratio`` (two-sided test at the 95% level, log scale). Zero when the
        interval is missing or the truth is no difference."""
        if not self.calculated or self.lower <= 0 or self.expectation.truth_ratio == 1:
            return 0.0
        se = (math.log(self.upper) - math.log(self.lower)) / (2 * _Z)
        if se <= 0:
            return 0.0
        return float(norm.cdf(abs(math.log(self.expectation.truth_ratio)) / se - _Z))

    def describe(self) -> str:
        e = self.expectation
        truth = (f"{e.truth_low:.4g}" if e.truth_low == e.truth_high
                 else f"{e.truth_low:.4g}-{e.truth_high:.4g}")
        return (f"{e.metric} [{e.statistic}] {e.breakdown} {e.group}: {e.measure} "
                f"{self.estimate:.4g} ({self.lower:.4g} to {self.upper:.4g}), true {truth} "
                f"({e.basis}), {self.significance}, n={self.count:.0f}")


@dataclass
class PipelineRun:
    """One synthetic extract, ingested and computed: its truth and its exact results."""

    folder: Path
    truth: dict[str, Any]
    #: Exact rows (before disclosure control) of every metric for ``PERIOD``.
    results: pd.DataFrame
    #: Exact rows of the pooled metrics for each financial year of the span.
    span_results: pd.DataFrame
    seconds: dict[str, float]
    record: dict[str, Any]


# -------------------------------------------------------------------------------------------
# The pipeline
# -------------------------------------------------------------------------------------------


def ethnicity_only(metric: Metric) -> Metric:
    """The catalogue metric with only its total and ethnicity breakdowns and no crosses.

    The ethnicity rows — their counts, intervals and comparisons — do not depend on which
    other breakdowns are computed beside them (the standard population for standardised
    rates is the whole population table), and leaving the others out saves most of the
    disclosure-control work.
    """
    keep = (TOTAL_BREAKDOWN, *ETHNICITY_BREAKDOWNS)
    return dataclasses.replace(
        metric, breakdowns=tuple(b for b in metric.breakdowns if b in keep), cross_breakdowns=()
    )


def run_pipeline(
    folder: Path,
    *,
    config: str = "default",
    people: int | None = None,
    seed: int = 1,
    scale: str = "national",
    defects: str = "none",
    reuse: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PipelineRun:
    """Synthesise an extract into ``folder/extract``, ingest it into ``folder/warehouse.duckdb``
    with the public demo key, and compute every catalogue metric (ethnicity breakdowns) for
    ``PERIOD``, and the pooled metrics for every year of the span.

    ``defects="none"``: truth.json's values are exact for clean data (with realistic defects,
    people of unknown ethnicity leave the numerators but not the population denominators).
    ``reuse`` keeps an extract and warehouse already in ``folder`` (for the benchmark).
    """
    say = progress or (lambda message: None)
    folder.mkdir(parents=True, exist_ok=True)
    extract, warehouse = folder / "extract", folder / "warehouse.duckdb"
    seconds: dict[str, float] = {}
    if not (reuse and (extract / "truth.json").exists()):
        say(f"synthesising ({scale}, {people or 'default'} people, config {config})")
        started = time.perf_counter()
        generate(extract, scale=scale, seed=seed, config=config, people=people,
                 defects=defects)
        seconds["synthesise"] = time.perf_counter() - started
    if not (reuse and warehouse.exists()):
        say("ingesting")
        started = time.perf_counter()
        ingest(extract, warehouse, demo_key())
        seconds["ingest"] = time.perf_counter() - started
    truth = json.loads((extract / "truth.json").read_text(encoding="utf-8"))
    catalogue = {m.id: ethnicity_only(m) for m in load_catalogue().values()}
    say("computing")
    started = time.perf_counter()
    backend = DuckDBBackend.open(warehouse)
    try:
        run = engine.compute(backend, parse_periods(PERIOD), catalogue=catalogue)
        pooled = {m: catalogue[m] for m in POOLED_METRICS}
        span_run = engine.compute(backend, parse_periods(SPAN), catalogue=pooled)
    finally:
        backend.close()
    seconds["compute"] = time.perf_counter() - started
    for record in (run.record, span_run.record):
        failed = {m: r.get("reason") for m, r in record["metrics"].items()
                  if r["status"] != engine.COMPUTED}
        if failed:
            raise RuntimeError(f"metrics not computed: {failed}")
    return PipelineRun(folder=folder, truth=truth, results=run.exact,
                       span_results=span_run.exact, seconds=seconds, record=run.record)


# -------------------------------------------------------------------------------------------
# Expectations from truth.json
# -------------------------------------------------------------------------------------------


class _Groups:
    """NHS ethnic categories: results labels, 5-group membership, census groups recorded."""

    def __init__(self, truth: dict[str, Any]):
        ethnic = codelists.load("ethnic_category")
        ethnic = ethnic[ethnic["ethnic_group_5"].notna() & (ethnic["ethnic_group_5"] != "")]
        self.label = dict(zip(ethnic["code"], ethnic["label_short"], strict=True))
        self.group5 = dict(zip(ethnic["code"], ethnic["ethnic_group_5"], strict=True))
        self.codes = list(self.label)
        self.groups5 = list(dict.fromkeys(self.group5.values()))
        recorded = recorded_categories(truth["config"].get("recorded_ethnic_category") or {})
        self.census_of: dict[str, list[str]] = {c: [] for c in self.codes}
        for key, code in zip(GROUP_KEYS, recorded, strict=True):
            self.census_of[str(code)].append(key)
        # The census groups in each category's population denominator (the code list's map,
        # which gives Gypsy or Irish Traveller, Roma and Arab no category of their own).
        census = codelists.load("census2021_ethnic_group").set_index("code")
        in_population: dict[str, list[str]] = {c: [] for c in self.codes}
        for number, key in enumerate(GROUP_KEYS, start=1):
            code = census.loc[str(number), "nhs_ethnic_category"]
            if isinstance(code, str) and code in in_population:
                in_population[code].append(key)
        #: Categories whose recorded people are exactly their population's (not Any other White
        #: background or Any other ethnic group, whose recorded people include census groups
        #: left out of their population).
        self.whole = {c for c in self.codes
                      if sorted(self.census_of[c]) == sorted(in_population[c])}

    def uniform_5(self, by_code: dict[str, float | None]) -> dict[str, float]:
        """5-group values where every NHS category in the 5-group has the same value."""
        out = {}
        for name in self.groups5:
            values = {by_code.get(c) for c in self.codes if self.group5[c] == name}
            if len(values) == 1 and None not in values:
                out[name] = float(values.pop())
        return out

    def uniform_16(self, by_census: dict[str, float]) -> dict[str, float]:
        """Per-resident rate ratios by NHS category from ratios by census group: where the
        category's recorded people are its population's and all have the same ratio (else the
        category's ratio depends on how many people are recorded in it from outside)."""
        out = {}
        for code, keys in self.census_of.items():
            if code not in self.whole:
                continue
            values = {by_census[k] for k in keys}
            if len(values) == 1:
                out[code] = float(values.pop())
        return out


def expectations(truth: dict[str, Any]) -> list[Expectation]:
    """Every expectation truth.json supports, for every injected disparity a metric measures."""
    groups = _Groups(truth)
    entries = {d["id"]: d for d in truth["disparities"]}
    out: list[Expectation] = []
    for builder in _BUILDERS:
        out.extend(builder(entries, truth, groups))
    return out


def measured_disparities() -> dict[str, tuple[str, ...]]:
    """truth.json disparity id → the metrics whose expectations it gives."""
    return dict(_MEASURED)


def _ratios(disparity, metric, statistic, ratios16, ratios5, basis, note="", pooled=False,
            groups=None, overdispersion=1.0) -> Iterable[Expectation]:
    """RATIO expectations from true ratios by NHS category code and by 5-group name."""
    for code, ratio in ratios16.items():
        if code != WHITE_BRITISH and ratio is not None:
            yield Expectation(disparity, metric, statistic, "ethnicity_16", groups.label[code],
                              RATIO, ratio, ratio, ratio, basis, note, pooled, overdispersion)
    for name, ratio in ratios5.items():
        if name != WHITE and ratio is not None:
            yield Expectation(disparity, metric, statistic, "ethnicity_5", name, RATIO, ratio,
                              ratio, ratio, basis, note, pooled, overdispersion)


def intervention_overdispersion(config: dict[str, Any]) -> float:
    """E[k²]/E[k] for k, the number of restrictive interventions in one incident, from the
    generator's per-incident probabilities (truth.json's configuration): each other type is
    used independently with its probability, physical restraint with its own or whenever no
    other type is. Incidents are Poisson, so interventions are compound Poisson with variance
    E[k²]/E[k] times their mean. Seclusion's probability depends on the ward; the largest
    value over ward types is returned (the widest interval)."""
    others = [float(config["rapid_tranquillisation"]), float(config["segregation"]),
              float(config["mechanical"]), *(float(v) for v in config["other_chemical"].values())]
    physical = float(config["physical_restraint"])
    worst = 1.0
    for seclusion in config["seclusion"].values():
        probabilities = [*others, float(seclusion)]
        mean = square = 0.0
        for used in itertools.product((0, 1), repeat=len(probabilities)):
            p = math.prod(q if u else 1 - q for q, u in zip(probabilities, used, strict=True))
            n_other = sum(used)
            for restrained, q in ((1, physical), (0, 1 - physical)):
                k = n_other + (1 if restrained or n_other == 0 else 0)
                mean += p * q * k
                square += p * q * k * k
        worst = max(worst, square / mean)
    return worst


def _relative(values: dict[str, float], reference: str) -> dict[str, float]:
    base = values.get(reference)
    if not base:
        return {}
    return {k: v / base for k, v in values.items() if v is not None}


def _standardised(entry, level):
    column = "ratio_to_white_british" if level == 16 else "ratio_to_white"
    return {k: v[column] for k, v in entry["expected"][f"groups_{level}"].items()}


def _detentions(entries, truth, groups):
    entry = entries["detention_rate"]
    yield from _ratios(
        "detention_rate", "mha_detentions", "standardised rate", _standardised(entry, 16),
        _standardised(entry, 5), EXACT,
        "the generator's rates are by age at the end of the financial year, the metric's "
        "bands by age on the day of detention, which lowers the ratios of young groups by "
        "1-3%; category D detentions (CTO revocations, under 1%) arise outside the rates",
        groups=groups)


def _section_136(entries, truth, groups):
    """Uses of section 136 (metric) = section 136 without detention + the section 136 before
    each category C detention. Directly standardised rates are linear in the cell rates, so
    the metric's expected standardised rate is s136 + share(C) × detentions."""
    s136, det = entries["section_136_without_detention"], entries["detention_rate"]
    categories = truth["config"]["mental_health_act"]["categories"]
    share_c = categories["after_place_of_safety"] / sum(categories.values())
    ratios = {}
    for level, reference in ((16, WHITE_BRITISH), (5, WHITE)):
        rates = {
            k: v["standardised_rate"]
            + share_c * det["expected"][f"groups_{level}"][k]["standardised_rate"]
            for k, v in s136["expected"][f"groups_{level}"].items()
        }
        ratios[level] = _relative(rates, reference)
    yield from _ratios(
        "section_136_without_detention", "mha_s136", "standardised rate", ratios[16], ratios[5],
        DERIVED, f"section 136 without detention + {share_c:.3f} × detentions (the category C "
        "share), standardised", groups=groups)


def _ctos(entries, truth, groups):
    implied = entries["community_treatment_orders"]["expected"][
        "implied_rate_ratio_by_census_group"]
    yield from _ratios(
        "community_treatment_orders", "mha_cto", "standardised rate", groups.uniform_16(implied),
        {}, APPROXIMATE,
        "truth.json's implied rate ratio (detention ratio × ratio of P(CTO | discharged on "
        "section 3)); recalls that end in revocation and a new section 3 add CTOs in "
        "proportion to the CTO probability, so groups given more CTOs have a few per cent more",
        groups=groups)


def _restrictive(entries, truth, groups):
    expected = entries["restrictive_interventions"]["expected"]
    yield from _ratios(
        "restrictive_interventions", "ri_per_1000_bed_days", "crude rate",
        {k: v["ratio_to_white_british"]
         for k, v in expected["interventions_per_1000_bed_days"]["groups_16"].items()},
        {k: v["ratio_to_white"]
         for k, v in expected["interventions_per_1000_bed_days"]["groups_5"].items()},
        DERIVED,
        "truth is over the whole span (given the ward stays generated): the three financial "
        "years' interventions and occupied bed days are pooled; interventions come several to "
        "an incident, so the interval is widened by the root of their overdispersion",
        pooled=True, groups=groups,
        overdispersion=intervention_overdispersion(truth["config"]["restrictive_interventions"]))
    prone = expected["prone_restraints_per_1000_bed_days"]
    yield from _ratios(
        "restrictive_interventions", "ri_prone_restraint", "proportion",
        {k: v["ratio_to_white_british"] for k, v in prone["groups_16"].items()},
        {k: v["ratio_to_white"] for k, v in prone["groups_5"].items()}, DIRECTION,
        "truth.json gives prone restraints per 1,000 occupied bed days; the metric is the % "
        "of inpatients restrained prone at least once, for which truth.json has no value",
        groups=groups)
    share = expected["share_of_inpatients_restrained"]
    yield from _ratios(
        "restrictive_interventions", "ri_people_pct", "proportion",
        {k: v["ratio_to_white_british"] for k, v in share["groups_16"].items()},
        {k: v["ratio_to_white"] for k, v in share["groups_5"].items()}, DIRECTION,
        "truth.json's share of inpatients restrained is over the whole span (at least one "
        "night); the metric is per financial year (at least one day)",
        groups=groups)


def _referral_sources(entries, truth, groups):
    expected = entries["referral_via_justice_system"]["expected"]
    note = ("truth.json's share is over every referral generated, including those received "
            "before the span and still open at its start; the metric counts referrals received "
            "in the year")
    for metric, key in (("access_referral_via_police", "police_all_ages"),
                        ("access_referral_via_justice_system", "justice_system_all_ages")):
        yield from _ratios(
            "referral_via_justice_system", metric, "proportion",
            {k: v["ratio_to_white_british"] for k, v in expected[key]["groups_16"].items()},
            {k: v["ratio_to_white"] for k, v in expected[key]["groups_5"].items()},
            APPROXIMATE, note, groups=groups)


def _memory_wait(entries, truth, groups):
    expected = entries["memory_assessment_wait"]["expected"]
    median = expected["median_days"]
    for level, values, reference in ((16, median, WHITE_BRITISH),
                                     (5, groups.uniform_5(median), WHITE)):
        for key, days in values.items():
            if days is None:
                continue
            # Waits are whole days (floor): P(floor(W) <= m - 1) = P(W < m) = 1/2, so the
            # median whole-day wait lies between m - 1 and m.
            out = Expectation(
                "memory_assessment_wait", "dementia_wait_median_days", "median",
                f"ethnicity_{level}", groups.label[key] if level == 16 else key, VALUE,
                days - 1, days, days / values[reference], EXACT,
                "median whole-day wait: between the lognormal median - 1 and the median")
            yield out
    share = expected["share_within_42_days"]
    yield from _ratios(
        "memory_assessment_wait", "dementia_diagnosed_within_6_weeks", "proportion",
        _relative(share, WHITE_BRITISH), _relative(groups.uniform_5(share), WHITE), EXACT,
        "P(whole-day wait <= 42 days), the same for dementia and mild cognitive impairment",
        groups=groups)


def _memory_referrals(entries, truth, groups):
    entry = entries["memory_assessment_referrals"]
    yield from _ratios(
        "memory_assessment_referrals", "dementia_referral_rate_65plus", "standardised rate",
        _standardised(entry, 16), _standardised(entry, 5), APPROXIMATE,
        "truth.json standardises new people entering the memory pathway by sex and five-year "
        "age band from 65 to the population's own total; the metric counts people referred in "
        "the year, standardised by sex and the same five-year bands on the European Standard "
        "Population 2013 (the same ratio when, as configured, a group's ratio is the same at "
        "every age)",
        groups=groups)


def _neurodevelopmental(entries, truth, groups):
    """Reason 24 (the metrics' "adhd_and_other"): children's and adults' waits have the same
    distribution in the configuration, so their mix does not matter and the truth is the
    metric's. Reason 25 ("autism"): children wait less than adults, and the groups' mixes of
    children and adults differ, so only the direction is known."""
    expected = entries["neurodevelopmental_wait"]["expected"]
    children, adults = expected["children_reason_25"], expected["adults"]
    adhd = expected["children_reason_24"]
    mixed = "truth.json gives children's and adults' waits separately; the metric mixes them"
    same = adhd == adults
    basis = EXACT if same else DIRECTION
    share = adhd["share_within_13_weeks"]
    yield from _ratios(
        "neurodevelopmental_wait", "neurodev_assessed_within_13_weeks", "adhd_and_other",
        _relative(share, WHITE_BRITISH), _relative(groups.uniform_5(share), WHITE), basis,
        "P(whole-day wait <= 91 days); children's (reason 24) and adults' waits are the same "
        "distribution" if same else mixed, groups=groups)
    median = adhd["median_days"]
    for level, values, reference in ((16, median, WHITE_BRITISH),
                                     (5, groups.uniform_5(median), WHITE)):
        for key, days in values.items():
            if days is None or not same:
                continue
            yield Expectation(
                "neurodevelopmental_wait", "neurodev_wait_median_weeks", "adhd_and_other",
                f"ethnicity_{level}", groups.label[key] if level == 16 else key, VALUE,
                (days - 1) / 7, days / 7, days / values[reference], APPROXIMATE,
                "median completed wait in weeks; waits longer than the synthetic history "
                "(referrals from two years before the span) cannot complete, which shortens "
                "the longest waits, more so in groups that wait longer")
    autism_median = _relative(children["median_days"], WHITE_BRITISH)
    autism_within = _relative(children["share_within_13_weeks"], WHITE_BRITISH)
    yield from _ratios("neurodevelopmental_wait", "neurodev_wait_median_weeks", "autism",
                       autism_median, groups.uniform_5(autism_median), DIRECTION,
                       mixed + " (children's median 210 days, adults' 300)", groups=groups)
    yield from _ratios("neurodevelopmental_wait", "neurodev_assessed_within_13_weeks", "autism",
                       autism_within, groups.uniform_5(autism_within), DIRECTION, mixed,
                       groups=groups)


def _transitions(entries, truth, groups):
    for disparity, metric, basis, note in (
        ("transition_first_adult_appointment", "transition_first_adult_appointment",
         EXACT, "truth.json's probability that the first contact on the adult referral after "
         "a children's to adult onward referral is attended; the metric counts those young "
         "people only (17-year-olds triaged by the single point of access are not transfers)"),
        ("transition_engaged_12_months", "transition_engaged_12_months", APPROXIMATE,
         "the metric counts attended contacts on any adult referral since the onward referral "
         "(crisis and place-of-safety referrals after Mental Health Act events among them, "
         "which are more common in groups detained more); truth.json only those on the "
         "referral the young person moved to"),
    ):
        p = entries[disparity]["expected"]["probability"]
        yield from _ratios(disparity, metric, "proportion", _relative(p, WHITE_BRITISH),
                           _relative(groups.uniform_5(p), WHITE), basis, note, groups=groups)


_BUILDERS = (_detentions, _section_136, _ctos, _restrictive, _referral_sources, _memory_wait,
             _memory_referrals, _neurodevelopmental, _transitions)
_MEASURED = {
    "detention_rate": ("mha_detentions",),
    "section_136_without_detention": ("mha_s136",),
    "community_treatment_orders": ("mha_cto",),
    "restrictive_interventions": ("ri_per_1000_bed_days", "ri_prone_restraint", "ri_people_pct"),
    "referral_via_justice_system": ("access_referral_via_police",
                                    "access_referral_via_justice_system"),
    "memory_assessment_wait": ("dementia_wait_median_days", "dementia_diagnosed_within_6_weeks"),
    "memory_assessment_referrals": ("dementia_referral_rate_65plus",),
    "neurodevelopmental_wait": ("neurodev_wait_median_weeks", "neurodev_assessed_within_13_weeks"),
    "transition_first_adult_appointment": ("transition_first_adult_appointment",),
    "transition_engaged_12_months": ("transition_engaged_12_months",),
}


#: The comparison each injected disparity is best known by (the tests check each one, the
#: benchmark prints them): (truth.json id, metric, statistic, breakdown, group).
HEADLINES = [
    ("detention_rate", "mha_detentions", "standardised rate", "ethnicity_5",
     "Black or Black British"),
    ("detention_rate", "mha_detentions", "standardised rate", "ethnicity_16", "Black Caribbean"),
    ("detention_rate", "mha_detentions", "standardised rate", "ethnicity_16", "Black African"),
    ("detention_rate", "mha_detentions", "standardised rate", "ethnicity_16",
     "White and Black Caribbean"),
    ("section_136_without_detention", "mha_s136", "standardised rate", "ethnicity_5",
     "Black or Black British"),
    ("community_treatment_orders", "mha_cto", "standardised rate", "ethnicity_16",
     "Black African"),
    ("community_treatment_orders", "mha_cto", "standardised rate", "ethnicity_16",
     "Black Caribbean"),
    ("restrictive_interventions", "ri_per_1000_bed_days", "crude rate", "ethnicity_5",
     "Black or Black British"),
    ("restrictive_interventions", "ri_per_1000_bed_days", "crude rate", "ethnicity_5", "Mixed"),
    ("restrictive_interventions", "ri_prone_restraint", "proportion", "ethnicity_5",
     "Black or Black British"),
    ("referral_via_justice_system", "access_referral_via_police", "proportion", "ethnicity_5",
     "Black or Black British"),
    ("referral_via_justice_system", "access_referral_via_justice_system", "proportion",
     "ethnicity_5", "Black or Black British"),
    ("memory_assessment_wait", "dementia_wait_median_days", "median", "ethnicity_16",
     "White British"),
    ("memory_assessment_wait", "dementia_wait_median_days", "median", "ethnicity_16", "Indian"),
    ("memory_assessment_wait", "dementia_diagnosed_within_6_weeks", "proportion",
     "ethnicity_16", "Indian"),
    ("memory_assessment_referrals", "dementia_referral_rate_65plus", "standardised rate",
     "ethnicity_16", "Indian"),
    ("neurodevelopmental_wait", "neurodev_assessed_within_13_weeks", "adhd_and_other",
     "ethnicity_5", "Black or Black British"),
    ("neurodevelopmental_wait", "neurodev_wait_median_weeks", "autism", "ethnicity_5",
     "Black or Black British"),
    ("transition_first_adult_appointment", "transition_first_adult_appointment", "proportion",
     "ethnicity_5", "Black or Black British"),
    ("transition_engaged_12_months", "transition_engaged_12_months", "proportion",
     "ethnicity_5", "Black or Black British"),
]


# -------------------------------------------------------------------------------------------
# Finding the result rows
# -------------------------------------------------------------------------------------------


#: The significance recorded for an expectation whose group has no result row (a group with
#: no unit rows at all, e.g. no young person of that group transferred in the year).
NO_ROW = "no result row"


def result_row(results: pd.DataFrame, expectation: Expectation) -> pd.Series | None:
    """The results row an expectation is about, or None when its group has none; an error if
    there are several (the expectation would be ambiguous)."""
    e = expectation
    rows = results[(results["metric_id"] == e.metric) & (results["statistic"] == e.statistic)
                   & (results["breakdown"] == e.breakdown) & (results["group"] == e.group)
                   & results["subgroup"].isna()]
    if len(rows) > 1:
        raise LookupError(f"expected one result row for {e.key}, found {len(rows)}")
    return rows.iloc[0] if len(rows) else None


def assess(run: PipelineRun, expectation: Expectation) -> Assessment:
    """The result for ``expectation`` from ``run``: the engine's own row and interval, or, for
    pooled metrics, the span's years pooled and compared with ``pcref.stats``."""
    e = expectation
    if e.pooled:
        return _pooled(run.span_results, e)
    if not (run.results["metric_id"] == e.metric).any():
        raise LookupError(f"no results at all for metric {e.metric!r}")
    row = result_row(run.results, e)
    if row is None:
        return Assessment(e, math.nan, math.nan, math.nan, NO_ROW, 0.0, math.nan)
    if e.measure == RATIO and row["statistic"] in _MEDIAN_STATISTICS.get(e.metric, ()):
        # A median ratio has no interval (PHE): a group differs when the reference median lies
        # outside the group's own interval, so that interval over the reference median is the
        # interval the significance words come from.
        reference = _reference_value(run.results, row)
        estimate, lower, upper = (row["ratio"], row["lower"] / reference,
                                  row["upper"] / reference)
    elif e.measure == RATIO:
        estimate, lower, upper = row["ratio"], row["ratio_lower"], row["ratio_upper"]
    else:
        estimate, lower, upper = row["value"], row["lower"], row["upper"]
    return Assessment(e, _float(estimate), _float(lower), _float(upper),
                      str(row["significance"]), _float(row["numerator"]), _float(row["ratio"]))


def _median_statistics() -> dict[str, tuple[str, ...]]:
    """Median metrics → their statistics (``median`` unless the metric names its own)."""
    return {m.id: m.statistics or ("median",) for m in load_catalogue().values()
            if m.method == "median"}


_MEDIAN_STATISTICS = _median_statistics()


def _reference_value(results: pd.DataFrame, row: pd.Series) -> float:
    same = results[(results["metric_id"] == row["metric_id"])
                   & (results["statistic"] == row["statistic"])
                   & (results["breakdown"] == row["breakdown"])
                   & (results["group"] == row["comparator"]) & results["subgroup"].isna()]
    if len(same) != 1:
        raise LookupError(f"no single reference row {row['comparator']!r} for "
                          f"{row['metric_id']} {row['statistic']} {row['breakdown']}")
    return _float(same.iloc[0]["value"])


def assess_all(run: PipelineRun, items: Iterable[Expectation]) -> list[Assessment]:
    return [assess(run, e) for e in items]


def _pooled(span_results: pd.DataFrame, e: Expectation) -> Assessment:
    rows = span_results[(span_results["metric_id"] == e.metric)
                        & (span_results["statistic"] == e.statistic)
                        & (span_results["breakdown"] == e.breakdown)
                        & span_results["subgroup"].isna()]
    reference = rows["comparator"].dropna().unique()
    if len(reference) != 1:
        raise LookupError(f"expected one comparator for {e.key}, found {list(reference)}")
    sums = (rows[rows["group"].isin([e.group, reference[0]])]
            .groupby("group", as_index=False)[["numerator", "denominator"]].sum())
    if len(sums) != 2:
        raise LookupError(f"{e.key}: no pooled rows for the group or its reference")
    sums["numerator"] = sums["numerator"].astype(float)
    compare = stats.rate_ratio if e.statistic == "crude rate" else stats.proportion_ratio
    out = compare(sums, "numerator", "denominator", "group", reference[0])
    row = out[out["group"] == e.group].iloc[0]
    ratio, lower, upper = (_float(row["ratio"]), _float(row["ratio_lower"]),
                           _float(row["ratio_upper"]))
    words = str(row["significance"])
    if e.overdispersion != 1 and ratio > 0 and lower > 0:
        # quasi-Poisson: every count's variance × overdispersion, so the log SE × its root
        widen = math.sqrt(e.overdispersion)
        lower = ratio * (lower / ratio) ** widen
        upper = ratio * (upper / ratio) ** widen
        words = significance_label(lower, upper, reference[0])
    return Assessment(e, ratio, lower, upper, words, _float(row["numerator"]), ratio)


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# -------------------------------------------------------------------------------------------
# Significance flags
# -------------------------------------------------------------------------------------------

#: Statistics whose comparisons between ethnic groups have no true difference by construction
#: when no disparity is injected: rates standardised by the same sex × age bands the
#: generator's rates are constant within, and waits whose distribution the generator gives no
#: dependence on age, sex, area or service. Other comparisons differ between groups even then —
#: crude rates by age structure, restraint by ward type and legal status, referral sources by
#: service mix, autism waits by the mix of children and adults, and the transition outcomes by
#: the share of "transfers" that are single-point-of-access triage (docs/truth-recovery.md,
#: findings) — so they are not a test of the nominal 5%.
NULL_BY_CONSTRUCTION = frozenset({
    ("mha_detentions", "standardised rate"),
    ("mha_s136", "standardised rate"),
    ("mha_cto", "standardised rate"),
    ("dementia_wait_median_days", "median"),
    ("dementia_diagnosed_within_6_weeks", "proportion"),
    ("neurodev_assessed_within_13_weeks", "adhd_and_other"),
    ("neurodev_wait_median_weeks", "adhd_and_other"),
})


def comparisons(results: pd.DataFrame) -> pd.DataFrame:
    """Every calculated ethnic-group comparison (one-way ethnicity rows, not the reference
    group, with a significance other than "not calculated"), with ``flagged`` True when the
    95% interval excludes no difference."""
    words = results["significance"].astype("string")
    rows = results[results["breakdown"].isin(ETHNICITY_BREAKDOWNS) & results["subgroup"].isna()
                   & results["comparator"].notna() & words.notna()
                   & (words != "reference group") & (words != "not calculated")]
    flagged = rows["significance"].str.startswith(("higher than", "lower than"))
    return rows.assign(flagged=flagged.astype(bool))


#: How far from 1 a true ratio may be for its comparison to count as having no difference.
NULL_TOLERANCE = 0.02


def null_comparisons(run: PipelineRun) -> pd.DataFrame:
    """The calculated comparisons with no true difference: those of ``NULL_BY_CONSTRUCTION``
    statistics whose true ratio in truth.json is within ``NULL_TOLERANCE`` of 1. (Two groups
    have a ratio away from 1 even with nothing injected, because people recorded in them are
    not in their population: Gypsy or Irish Traveller and Roma people recorded as Any other
    White background, Arab people as Any other ethnic group.)"""
    truth = {e.key: e.truth_ratio for e in expectations(run.truth)
             if (e.metric, e.statistic) in NULL_BY_CONSTRUCTION}
    rows = comparisons(run.results)
    keep = [abs(truth.get((m, s, b, g), math.inf) - 1) <= NULL_TOLERANCE for m, s, b, g in
            zip(rows["metric_id"], rows["statistic"], rows["breakdown"], rows["group"],
                strict=True)]
    return rows[keep]


def flag_rates(results: pd.DataFrame) -> pd.DataFrame:
    """Comparisons and the share flagged, by metric and statistic, with ``null_by_construction``."""
    rows = comparisons(results)
    table = (rows.groupby(["metric_id", "statistic"], as_index=False)
             .agg(comparisons=("flagged", "size"), flagged=("flagged", "sum")))
    table["share"] = table["flagged"] / table["comparisons"]
    table["null_by_construction"] = [
        (m, s) in NULL_BY_CONSTRUCTION for m, s in zip(table["metric_id"], table["statistic"],
                                                       strict=True)]
    return table


__all__ = [
    "APPROXIMATE",
    "CONFIDENCE",
    "DERIVED",
    "DIRECTION",
    "EXACT",
    "HEADLINES",
    "NO_ROW",
    "NULL_BY_CONSTRUCTION",
    "NULL_TOLERANCE",
    "PERIOD",
    "POOLED_METRICS",
    "SPAN",
    "UNMEASURED",
    "Assessment",
    "Expectation",
    "PipelineRun",
    "assess",
    "assess_all",
    "comparisons",
    "ethnicity_only",
    "expectations",
    "flag_rates",
    "intervention_overdispersion",
    "measured_disparities",
    "null_comparisons",
    "result_row",
    "run_pipeline",
]
