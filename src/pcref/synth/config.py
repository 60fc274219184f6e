"""Load and check a generator configuration (``configs/default.yaml`` and friends).

A configuration is a YAML file; ``extends: <name>`` starts from another shipped
configuration and deep-merges this one over it (mappings merge key by key, except
``by_group`` mappings, which replace the parent's so that ``by_group: {}`` means "no
disparity"). Every code a configuration names is checked against the shipped code lists,
and every error names the file and the key path, so a hand-edited configuration fails with
a message saying exactly what to fix.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pcref.synth.groups import AGGREGATES, GROUP_INDEX, group_vector

SHIPPED = ("default", "no_disparity")
DISPARITY_KINDS = ("ratio", "probability", "factor")
_SECTIONS = (
    "span",
    "scales",
    "recorded_ethnic_category",
    "geography",
    "population",
    "pathways",
    "services",
    "pathway_services",
    "referrals",
    "transitions",
    "memory_assessment",
    "diagnoses",
    "mental_health_act",
    "inpatient",
    "restrictive_interventions",
    "demographics",
    "disparities",
    "defects",
    "dementia_prevalence",
)
PATHWAYS = ("camhs", "neurodevelopmental", "adult_community", "crisis", "older_adult", "memory")
WARD_KINDS = ("adult_acute", "older_adult", "picu", "low_secure", "medium_secure", "young_people")
_ICD10 = re.compile(r"[A-Z][0-9]{2}[0-9X]?")


class ConfigError(ValueError):
    """A configuration file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class SynthConfig:
    """A loaded, checked configuration: its name, where it came from and its content."""

    name: str
    source: str
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, path: str) -> Any:
        """The value at a dotted key path, e.g. ``"mental_health_act.cto.duration_months"``."""
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ConfigError(f"{self.source}: missing key {path!r}")
            node = node[part]
        return node

    def disparity(self, name: str) -> dict[str, Any]:
        return self.data["disparities"][name]

    def group_values(self, name: str):
        """Per census group value of a ratio or probability disparity (numpy array of 19)."""
        spec = self.disparity(name)
        default = spec.get("reference", 1.0) if spec["kind"] == "probability" else 1.0
        return group_vector(spec.get("by_group"), default, where=f"disparities.{name}")


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    return data


@cache
def _shipped_text(name: str) -> str:
    return resources.files(__package__).joinpath("configs", f"{name}.yaml").read_text("utf-8")


def _merge(base: Any, override: Any, key: str = "") -> Any:
    if isinstance(base, dict) and isinstance(override, dict) and key != "by_group":
        merged = dict(base)
        for k, v in override.items():
            merged[k] = _merge(base[k], v, k) if k in base else copy.deepcopy(v)
        return merged
    return copy.deepcopy(override)


def _resolve(data: dict[str, Any], source: str, seen: tuple[str, ...]) -> dict[str, Any]:
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if parent not in SHIPPED:
        raise ConfigError(f"{source}: extends: expected one of {list(SHIPPED)}, got {parent!r}")
    if parent in seen:
        raise ConfigError(f"{source}: extends cycle through {parent!r}")
    base = _resolve(_read_yaml(_shipped_text(parent), parent), parent, (*seen, parent))
    return _merge(base, data)


def load_config(spec: str | Path = "default") -> SynthConfig:
    """Load a shipped configuration by name (``default``, ``no_disparity``) or a YAML path."""
    text_spec = str(spec)
    if text_spec in SHIPPED:
        source = f"configs/{text_spec}.yaml"
        raw = _read_yaml(_shipped_text(text_spec), source)
        data = _resolve(raw, source, (text_spec,))
    else:
        path = Path(spec)
        if not path.is_file():
            raise ConfigError(
                f"configuration {text_spec!r}: expected {' or '.join(SHIPPED)} or a YAML file path"
            )
        source = str(path)
        data = _resolve(_read_yaml(path.read_text("utf-8"), source), source, ())
    check_config(data, source)
    return SynthConfig(name=str(data.get("name", Path(text_spec).stem)), source=source, data=data)


# --- checks ---------------------------------------------------------------------------------


class _Checker:
    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    def fail(self, path: str, expected: str, got: Any) -> None:
        raise ConfigError(f"{self.source}: {path}: expected {expected}, got {got!r}")

    def node(self, path: str) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ConfigError(f"{self.source}: missing key {path!r}")
            node = node[part]
        return node

    def number(self, path: str, low: float | None = None, high: float | None = None) -> float:
        value = self.node(path)
        return self.value(path, value, low, high)

    def value(self, path: str, value: Any, low: float | None = None, high: float | None = None):
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, "a number", value)
        if low is not None and value < low:
            self.fail(path, f"a number >= {low}", value)
        if high is not None and value > high:
            self.fail(path, f"a number <= {high}", value)
        return float(value)

    def probability(self, path: str) -> float:
        return self.number(path, 0.0, 1.0)

    def weights(self, path: str, codelist: str | None = None, keys: tuple[str, ...] = ()) -> None:
        mapping = self.node(path)
        if not isinstance(mapping, Mapping) or not mapping:
            self.fail(path, "a non-empty mapping of weights", mapping)
        for key, value in mapping.items():
            self.value(f"{path}.{key}", value, 0.0)
        if sum(float(v) for v in mapping.values()) <= 0:
            self.fail(path, "weights with a positive sum", mapping)
        if codelist is not None:
            self.codes(path, [str(k) for k in mapping], codelist)
        if keys:
            unknown = [k for k in mapping if k not in keys]
            if unknown:
                self.fail(path, f"keys from {list(keys)}", unknown)

    def codes(self, path: str, values: list[str], codelist: str) -> None:
        from pcref import codelists

        valid = codelists.codes(codelist)
        bad = [v for v in values if v not in valid]
        if bad:
            self.fail(path, f"codes from the code list {codelist!r}", bad)

    def lognormal(self, path: str) -> None:
        value = self.node(path)
        if not (isinstance(value, list) and len(value) == 2):
            self.fail(path, "[median, sigma]", value)
        self.value(f"{path}[0]", value[0], 0.0)
        self.value(f"{path}[1]", value[1], 0.0)

    def knots(self, path: str, width: int) -> None:
        value = self.node(path)
        if not isinstance(value, list) or not value:
            self.fail(path, f"a list of [age, {'value' if width == 2 else 'male, female'}]", value)
        last = -1.0
        for i, row in enumerate(value):
            if not (isinstance(row, list) and len(row) == width):
                self.fail(f"{path}[{i}]", f"a list of {width} numbers", row)
            age = self.value(f"{path}[{i}][0]", row[0], 0.0, 120.0)
            if age <= last:
                self.fail(f"{path}[{i}][0]", "ages in increasing order", row[0])
            last = age
            for j in range(1, width):
                self.value(f"{path}[{i}][{j}]", row[j], 0.0)

    def groups(self, path: str, mapping: Any, low: float = 0.0, high: float | None = None):
        if mapping is None:
            return
        if not isinstance(mapping, Mapping):
            self.fail(path, "a mapping of ethnic groups to numbers", mapping)
        for key, value in mapping.items():
            if key not in GROUP_INDEX and key not in AGGREGATES:
                self.fail(path, f"ethnic group keys {list(GROUP_INDEX)} or {list(AGGREGATES)}",
                          key)
            self.value(f"{path}.{key}", value, low, high)


def check_config(data: dict[str, Any], source: str) -> None:
    """Raise :class:`ConfigError` naming the first problem found in ``data``."""
    c = _Checker(data, source)
    for section in _SECTIONS:
        c.node(section)
    c.number("span.first_financial_year", 2000, 2100)
    c.number("span.financial_years", 1, 10)
    c.number("span.history_years", 0, 10)
    for scale in ("trust", "national"):
        geography = c.node(f"scales.{scale}.geography")
        if geography not in c.node("geography"):
            c.fail(f"scales.{scale}.geography", f"one of {list(c.node('geography'))}", geography)
        c.number(f"scales.{scale}.people", 1)
        c.number(f"scales.{scale}.chunk_people", 1000)
    c.codes("recorded_ethnic_category", [str(v) for v in c.node("recorded_ethnic_category")
                                         .values()], "ethnic_category")
    _check_geography(c)
    c.node("population.age_band_shares")
    if len(c.node("population.age_band_shares")) != 19:
        c.fail("population.age_band_shares", "19 five-year shares (0-4 … 85-89, 90+)",
               c.node("population.age_band_shares"))
    c.knots("population.male_share", 2)
    c.groups("population.age_tilt", c.node("population.age_tilt"), -5, 5)
    c.groups("population.deprivation_affinity", c.node("population.deprivation_affinity"), -5, 5)
    for pathway in PATHWAYS:
        base = f"pathways.{pathway}"
        c.knots(f"{base}.rate_per_year", 3)
        c.number(f"{base}.min_age", 0, 90)
        c.number(f"{base}.max_age", 0, 90)
        c.number(f"{base}.detention_weight", 0)
        c.weights(f"pathway_services.{pathway}", keys=tuple(c.node("services")))
    for name in c.node("services"):
        base = f"services.{name}"
        c.codes(f"{base}.type", [str(c.node(f"{base}.type"))], "team_type")
        if c.node(f"{base}.per") not in ("area", "locality", "provider"):
            c.fail(f"{base}.per", "area, locality or provider", c.node(f"{base}.per"))
        c.number(f"{base}.interval_days", 0.1)
        c.lognormal(f"{base}.duration")
        c.lognormal(f"{base}.wait")
        c.probability(f"{base}.rejection")
        c.probability(f"{base}.dna")
        c.weights(f"{base}.reasons", "referral_reason")
        c.weights(f"{base}.sources", "source_of_referral")
    c.number("referrals.crisis_episodes_per_year", 0, 10)
    for key in ("spa_first", "re_referral"):
        c.probability(f"referrals.{key}")
    c.lognormal("referrals.neurodevelopmental_wait_24")
    for key in ("cancelled_by_patient", "cancelled_by_provider", "late_not_seen", "late_seen"):
        c.probability(f"referrals.attendance.{key}")
    c.knots("referrals.dna_age_factor", 2)
    c.probability("transitions.transfer_probability")
    c.weights("transitions.adult_services", keys=tuple(c.node("services")))
    c.lognormal("transitions.first_appointment_days")
    c.probability("transitions.engagement_if_first_missed")
    c.lognormal("memory_assessment.wait_to_diagnosis")
    c.weights("memory_assessment.outcome",
              keys=("dementia", "mild_cognitive_impairment", "no_diagnosis"))
    _check_icd(c, "memory_assessment.dementia_codes", dementia=True)
    _check_icd(c, "diagnoses.codes.psychosis")
    _check_icd(c, "diagnoses.codes.common")
    _check_icd(c, "diagnoses.neurodevelopmental")
    _check_mha(c)
    _check_inpatient(c)
    _check_demographics(c)
    _check_disparities(c)
    _check_defects(c)
    for sex in ("male", "female"):
        values = c.node(f"dementia_prevalence.{sex}")
        expected = ("65-69", "70-74", "75-79", "80-84", "85-89", "90+")
        if not isinstance(values, Mapping) or tuple(values) != expected:
            c.fail(f"dementia_prevalence.{sex}", f"the bands {list(expected)} in order", values)
        for band in expected:
            c.probability(f"dementia_prevalence.{sex}.{band}")


def _check_icd(c: _Checker, path: str, dementia: bool = False) -> None:
    c.weights(path)
    for code in c.node(path):
        if not _ICD10.fullmatch(str(code)):
            c.fail(f"{path}.{code}", "an ICD-10 code without the dot, e.g. F001 or F03X", code)
        if dementia and not str(code).startswith(("F00", "F01", "F02", "F03", "G30")):
            c.fail(f"{path}.{code}", "a dementia code (F00-F03, G30)", code)


def _check_geography(c: _Checker) -> None:
    for name, geo in c.node("geography").items():
        base = f"geography.{name}"
        c.number(f"{base}.lsoa_population", 100)
        c.number(f"{base}.lsoa_deprivation_sd", 0)
        if "areas" in geo and isinstance(geo["areas"], list):
            provider = c.node(f"{base}.provider.code")
            if not re.fullmatch(r"[A-Z0-9]{3,5}", str(provider)):
                c.fail(f"{base}.provider.code", "3-5 capital letters or digits", provider)
            mixes = c.node(f"{base}.ethnic_mix")
            for i, area in enumerate(geo["areas"]):
                path = f"{base}.areas[{i}]"
                if not re.fullmatch(r"[EW][0-9]{8}", str(area.get("code", ""))):
                    c.fail(f"{path}.code", "an ONS area code like E07000105", area.get("code"))
                for key in ("name", "locality"):
                    if not isinstance(area.get(key), str):
                        c.fail(f"{path}.{key}", "a name", area.get(key))
                c.value(f"{path}.population", area.get("population"), 1)
                if area.get("mix") not in mixes:
                    c.fail(f"{path}.mix", f"one of {list(mixes)}", area.get("mix"))
                for key in ("deprivation", "age_tilt"):
                    c.value(f"{path}.{key}", area.get(key, 0.0), -5, 5)
                c.value(f"{path}.diversity", area.get("diversity", 1.0), 0)
                c.groups(f"{path}.boosts", area.get("boosts"), 0)
                for locality, share in (area.get("lsoa_locality_split") or {}).items():
                    c.value(f"{path}.lsoa_locality_split.{locality}", share, 0, 1)
        else:
            c.number(f"{base}.population", 1000)
            c.number(f"{base}.areas", 1, 99999)
            c.number(f"{base}.localities", 1, 99)
            c.number(f"{base}.area_size_sigma", 0, 3)
            c.number(f"{base}.deprivation_from_diversity", -3, 3)
            c.groups(f"{base}.diversity_sensitivity", c.node(f"{base}.diversity_sensitivity"),
                     -5, 5)
        for mix_name, mix in c.node(f"{base}.ethnic_mix").items():
            c.groups(f"{base}.ethnic_mix.{mix_name}", mix, 0)
            missing = [k for k in GROUP_INDEX if k not in mix]
            if missing:
                c.fail(f"{base}.ethnic_mix.{mix_name}", "a share for every one of the 19 groups",
                       f"missing {missing}")


def _check_mha(c: _Checker) -> None:
    m = "mental_health_act"
    for key in ("detention_rate_per_100k", "section_136_rate_per_100k"):
        c.number(f"{m}.{key}.min_age", 0, 90)
        for sex in ("male", "female"):
            rates = c.node(f"{m}.{key}.{sex}")
            if not isinstance(rates, list) or len(rates) != 6:
                c.fail(f"{m}.{key}.{sex}", "six rates (0-15, 16-17, 18-34, 35-49, 50-64, 65+)",
                       rates)
            for i, value in enumerate(rates):
                c.value(f"{m}.{key}.{sex}[{i}]", value, 0)
    years = int(c.node("span.financial_years"))
    trend = c.node(f"{m}.trend_by_year")
    if not isinstance(trend, list) or len(trend) != years:
        c.fail(f"{m}.trend_by_year", f"{years} multipliers, one per financial year", trend)
    for i, value in enumerate(trend):
        c.value(f"{m}.trend_by_year[{i}]", value, 0)
    months = c.node(f"{m}.month_weights")
    if not isinstance(months, list) or len(months) != 12:
        c.fail(f"{m}.month_weights", "12 weights, April to March", months)
    for i, value in enumerate(months):
        c.value(f"{m}.month_weights[{i}]", value, 0.01)
    c.weights(f"{m}.categories", keys=("on_admission", "subsequent_to_admission",
                                       "after_place_of_safety", "court_order"))
    c.probability(f"{m}.on_admission.section_3")
    c.probability(f"{m}.on_admission.via_other_provider_emergency_department")
    c.weights(f"{m}.subsequent_to_admission", keys=("informal_recorded", "no_informal_record",
                                                    "via_section_5_2", "via_section_4"))
    c.probability(f"{m}.after_place_of_safety.section_3")
    c.probability(f"{m}.after_place_of_safety.place_of_safety_overnight")
    c.weights(f"{m}.court_order_codes", "mha_legal_status")
    allowed = {"07", "08", "09", "10", "12", "13", "14", "15", "16", "17", "18", "31"}
    bad = [k for k in c.node(f"{m}.court_order_codes") if str(k) not in allowed]
    if bad:
        c.fail(f"{m}.court_order_codes", f"court or prison order codes {sorted(allowed)}", bad)
    c.probability(f"{m}.section_35_to_37")
    c.weights(f"{m}.section_2_outcome", keys=("to_section_3", "regraded_informal", "discharged"))
    for key in ("section_2", "section_3", "informal", "after_section_2_regraded", "part_3",
                "restricted", "section_35", "section_38", "recall"):
        c.lognormal(f"{m}.length_of_stay.{key}")
    c.lognormal(f"{m}.cto.duration_months")
    c.probability(f"{m}.cto.recall_without_revocation")
    for key in ("section_136_admitted_informally", "section_136_overnight",
                "section_5_2_in_informal_spell"):
        c.probability(f"{m}.{key}")
    c.number(f"{m}.informal_admissions_per_detention", 0, 20)
    c.number(f"{m}.transfers_in_on_section_per_detention", 0, 1)
    c.number(f"{m}.frailty_shape", 0.05, 100)


def _check_inpatient(c: _Checker) -> None:
    c.weights("inpatient.wards", keys=WARD_KINDS)
    for kind in WARD_KINDS:
        if int(c.node(f"inpatient.wards.{kind}")) < 1:
            c.fail(f"inpatient.wards.{kind}", "at least one ward of each kind",
                   c.node(f"inpatient.wards.{kind}"))
    bed_types = c.node("inpatient.bed_types")
    c.codes("inpatient.bed_types", [str(bed_types.get(k)) for k in WARD_KINDS],
            "hospital_bed_type")
    c.number("inpatient.older_adult_ward_from_age", 18, 90)
    c.probability("inpatient.out_of_locality")
    c.probability("inpatient.picu_transfer")
    c.lognormal("inpatient.picu_days")
    r = "restrictive_interventions"
    c.weights(f"{r}.incident_rate_per_bed_day", keys=WARD_KINDS)
    c.weights(f"{r}.seclusion", keys=WARD_KINDS)
    c.number(f"{r}.detained_factor", 0)
    c.number(f"{r}.informal_factor", 0)
    for key in ("physical_restraint", "prone_share", "rapid_tranquillisation", "segregation",
                "mechanical", "injury"):
        c.probability(f"{r}.{key}")
    c.weights(f"{r}.other_positions", "restrictive_intervention_type")
    c.weights(f"{r}.other_chemical", "restrictive_intervention_type")
    c.weights(f"{r}.reasons", "restrictive_intervention_reason")
    for key in ("restraint_minutes", "prone_minutes", "seclusion_hours", "segregation_days",
                "mechanical_minutes"):
        c.lognormal(f"{r}.{key}")
    start = c.node(f"{r}.prone_reduction_programme.from")
    try:
        dt.date.fromisoformat(str(start))
    except ValueError:
        c.fail(f"{r}.prone_reduction_programme.from", "a date YYYY-MM-DD", start)
    c.number(f"{r}.prone_reduction_programme.factor", 0)


def _check_demographics(c: _Checker) -> None:
    d = "demographics"
    c.groups(f"{d}.non_english", c.node(f"{d}.non_english"), 0, 1)
    languages = c.node(f"{d}.languages")
    for key in languages:
        c.groups(f"{d}.languages", {key: 1.0})
        c.weights(f"{d}.languages.{key}", "preferred_language")
    religion = c.node(f"{d}.religion")
    for key in religion:
        c.groups(f"{d}.religion", {key: 1.0})
        c.weights(f"{d}.religion.{key}", "religion_group")
    c.probability(f"{d}.british_sign_language")
    c.knots(f"{d}.interpreter_if_not_english", 2)
    c.probability(f"{d}.interpreter_if_english")
    c.probability(f"{d}.religion_declined")
    c.knots(f"{d}.disability.any_by_age", 2)
    c.probability(f"{d}.disability.declined")
    c.probability(f"{d}.disability.second_code")
    for band in ("young", "adult", "older"):
        c.weights(f"{d}.disability.codes_by_age.{band}", "disability")
    c.knots(f"{d}.gender_identity.non_binary_by_age", 2)
    c.probability(f"{d}.gender_identity.other")
    c.probability(f"{d}.gender_identity.trans")


def _check_disparities(c: _Checker) -> None:
    disparities = c.node("disparities")
    required = (
        "detention", "section_136", "cto", "restrictive_intervention", "prone_restraint",
        "police_referral", "memory_wait", "neurodevelopmental_wait",
        "transition_first_appointment", "transition_engaged", "interpreter_dna",
        *(f"access_{p}" for p in PATHWAYS),
    )
    for name in required:
        if name not in disparities:
            c.fail("disparities", f"an entry for {name!r}", sorted(disparities))
    for name, spec in disparities.items():
        path = f"disparities.{name}"
        kind = c.node(f"{path}.kind")
        if kind not in DISPARITY_KINDS:
            c.fail(f"{path}.kind", f"one of {list(DISPARITY_KINDS)}", kind)
        if not isinstance(c.node(f"{path}.mechanism"), str):
            c.fail(f"{path}.mechanism", "a sentence saying what the value multiplies", None)
        if kind == "ratio":
            c.groups(f"{path}.by_group", spec.get("by_group"), 0.0)
        elif kind == "probability":
            c.probability(f"{path}.reference")
            c.groups(f"{path}.by_group", spec.get("by_group"), 0.0, 1.0)
        else:
            c.number(f"{path}.factor", 0.0)


def _check_defects(c: _Checker) -> None:
    r = "defects.realistic"
    for key in ("not_stated", "not_known", "blank"):
        c.probability(f"{r}.ethnicity.{key}")
    c.number(f"{r}.team_concentration", 0.1)
    c.codes(f"{r}.team_type_factor", [str(k) for k in c.node(f"{r}.team_type_factor")],
            "team_type")
    c.number(f"{r}.improvement_per_year", 0, 2)
    for key in ("language_blank", "disability_no_record", "gender_same_at_birth_blank",
                "gender_not_known", "birth_date_only_age", "lsoa_blank", "nhs_number_blank",
                "referral_reason_blank", "referral_source_blank", "attendance_blank",
                "contact_time_blank"):
        c.probability(f"{r}.{key}")
    for key in ("blank", "not_stated"):
        c.probability(f"{r}.interpreter.{key}")
    for key in ("no_record", "unknown"):
        c.probability(f"{r}.religion.{key}")
    for key in ("blank", "not_known", "not_stated"):
        c.probability(f"{r}.gender_identity.{key}")
    for key in ("invalid_code", "end_before_start", "duplicate_key", "orphan_row",
                "missing_required"):
        c.probability(f"defects.fatal.{key}")
