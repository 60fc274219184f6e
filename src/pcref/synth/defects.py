"""Data-quality defects injected into generated tables, with exact counts of what was done.

Levels:

* ``none`` — clean data.
* ``realistic`` (default) — recording gaps that a real extract has and that validation
  accepts (blank optional fields, "not stated"/"not known" codes, missing disability and
  religion records, age without date of birth). Ethnicity gaps vary by team: each person's
  risk follows the team of their first referral and improves for people first seen in
  later years, so the data-quality metrics have something real to find.
* ``all`` — realistic gaps plus fatal defects that validation must reject: invalid codes
  (plausible legacy values such as team type A03 or retired restraint type 02), an end
  date before its start date, duplicate keys, orphan rows (references to nothing) and
  blank required fields.

:func:`inject_defects` works on a mapping of Arrow tables (one chunk, or a whole small
extract) and returns the new tables and a :class:`DefectCounts` saying how many rows of
each class were changed, by ``Table.Column`` — so tests can check a validator finds exactly
those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pcref.synth.config import SynthConfig, load_config
from pcref.synth.sampling import day
from pcref.synth.writer import format_ids

LEVELS = ("none", "realistic", "all")
REALISTIC_CLASSES = ("not_stated", "not_known", "blank", "no_record", "age_without_birth_date")
FATAL_CLASSES = ("invalid_code", "end_before_start", "duplicate_key", "orphan_row",
                 "missing_required")

#: Fatal defects: (table, column, value) — each value checked against its code list.
INVALID_CODES = (
    ("MHS001MPI", "EthnicCategory", "X", "ethnic_category"),
    ("MHS102ServiceTypeReferredTo", "ServTeamTypeRefToMH", "A03", "team_type"),
    ("MHS201CareContact", "AttendOrDNACode", "8", "attendance"),
    ("MHS401MHActPeriod", "LegalStatusCode", "11", "mha_legal_status"),
    ("MHS515RestrictiveInterventType", "RestrictiveIntType", "02",
     "restrictive_intervention_type"),
)
END_BEFORE_START = (
    ("MHS101Referral", "ReferralRequestReceivedDate", "ServDischDate"),
    ("MHS401MHActPeriod", "StartDateMHActLegalStatusClass", "EndDateMHActLegalStatusClass"),
    ("MHS502WardStay", "StartDateWardStay", "EndDateWardStay"),
)
DUPLICATE_KEYS = ("MHS001MPI", "MHS201CareContact")
ORPHANS = (
    ("MHS201CareContact", "UniqServReqID", "RX"),
    ("MHS502WardStay", "UniqHospProvSpellID", "SX"),
    ("MHS102ServiceTypeReferredTo", "UniqCareProfTeamID", "TX"),
)
MISSING_REQUIRED = (
    ("MHS201CareContact", "CareContDate"),
    ("MHS502WardStay", "WardCode"),
    ("MHS101Referral", "ReferralRequestReceivedDate"),
)


@dataclass
class DefectCounts:
    """Rows changed by defect class and ``Table.Column`` (added rows for duplicate keys,
    removed rows for ``no_record``)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, defect: str, where: str, rows: int) -> None:
        if rows:
            bucket = self.counts.setdefault(defect, {})
            bucket[where] = bucket.get(where, 0) + int(rows)

    def merge(self, other: DefectCounts) -> None:
        for defect, places in other.counts.items():
            for where, rows in places.items():
                self.add(defect, where, rows)

    def get(self, defect: str, where: str) -> int:
        return self.counts.get(defect, {}).get(where, 0)

    def total(self, defect: str | None = None) -> int:
        classes = [defect] if defect else list(self.counts)
        return sum(sum(self.counts.get(c, {}).values()) for c in classes)

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {c: dict(sorted(self.counts[c].items())) for c in sorted(self.counts)}


def team_recording_quality(team: pa.Table, config: SynthConfig, seed: int) -> dict[str, float]:
    """Each team's multiplier of the base ethnicity-gap rates: its team type's factor times
    a gamma-distributed team effect with mean 1 (``defects.realistic.team_concentration``)."""
    real = config.get("defects.realistic")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 77]))
    ids = team.column("UniqCareProfTeamID").to_pylist()
    types = team.column("ServTeamTypeRefToMH").to_pylist()
    shape = float(real["team_concentration"])
    effect = rng.gamma(shape, 1.0 / shape, len(ids))
    factor = real["team_type_factor"]
    return {t: float(factor.get(k, 1.0)) * float(e) for t, k, e in zip(ids, types, effect,
                                                                       strict=True)}


def inject_defects(tables: Mapping[str, pa.Table], level: str = "realistic", *,
                   seed: int | np.random.Generator = 0, config: SynthConfig | None = None,
                   team_quality: Mapping[str, float] | None = None
                   ) -> tuple[dict[str, pa.Table], DefectCounts]:
    """Inject defects at ``level`` into copies of ``tables``; returns (tables, counts).

    ``tables`` maps contract table names to Arrow tables (absent tables are skipped).
    ``team_quality`` gives per-team multipliers of the ethnicity-gap rates; by default they
    are computed from a ``team`` table in ``tables`` (or 1 for every team).
    """
    if level not in LEVELS:
        raise ValueError(f"defects level: expected one of {LEVELS}, got {level!r}")
    config = config or load_config()
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = dict(tables)
    counts = DefectCounts()
    if level == "none":
        return out, counts
    touched: dict[str, np.ndarray] = {name: np.zeros(t.num_rows, dtype=bool)
                                      for name, t in out.items()}
    if team_quality is None and "team" in out:
        team_quality = team_recording_quality(out["team"], config, 0)
    _realistic(out, touched, counts, config, team_quality or {}, rng)
    if level == "all":
        _fatal(out, touched, counts, config, rng)
    return out, counts


# --- helpers --------------------------------------------------------------------------------


def _set(table: pa.Table, column: str, mask: np.ndarray, value) -> pa.Table:
    i = table.schema.get_field_index(column)
    col = table.column(i)
    kind = col.type
    if isinstance(value, pa.Array | pa.ChunkedArray | np.ndarray):
        replacement = value if isinstance(value, pa.Array | pa.ChunkedArray) else pa.array(
            value, type=kind)
    else:
        replacement = pa.scalar(value, type=kind)
    new = pc.if_else(pa.array(mask), replacement, col)
    return table.set_column(i, table.field(i), new)


def _strings(table: pa.Table, column: str) -> np.ndarray:
    return np.asarray(table.column(column).to_numpy(zero_copy_only=False), dtype=object)


def _days(table: pa.Table, column: str) -> np.ndarray:
    col = table.column(column).cast(pa.int32()).to_numpy(zero_copy_only=False)
    return np.asarray(col, dtype=float)


def _bernoulli(table: pa.Table, column: str, p: float, rng, only_present=True) -> np.ndarray:
    mask = rng.random(table.num_rows) < p
    if only_present:
        mask &= np.asarray(table.column(column).is_valid().to_numpy(zero_copy_only=False))
    return mask


def _realistic(out, touched, counts, config, team_quality, rng) -> None:
    real = config.get("defects.realistic")
    mpi_name = "MHS001MPI"
    if mpi_name in out:
        mpi = out[mpi_name]
        n = mpi.num_rows
        multiplier, years = _person_team_and_year(out, mpi, team_quality, config)
        scale = multiplier * float(real["improvement_per_year"]) ** years
        eth = real["ethnicity"]
        p = np.stack([eth["not_stated"] * scale, eth["not_known"] * scale, eth["blank"] * scale],
                     axis=1)
        total = p.sum(axis=1)
        p *= np.minimum(1.0, 0.9 / np.maximum(total, 1e-12))[:, None]
        u = rng.random(n)
        cum = np.cumsum(p, axis=1)
        z, nk, blank = u < cum[:, 0], (u >= cum[:, 0]) & (u < cum[:, 1]), (
            (u >= cum[:, 1]) & (u < cum[:, 2]))
        mpi = _set(mpi, "EthnicCategory", z, "Z")
        mpi = _set(mpi, "EthnicCategory", nk, "99")
        mpi = _set(mpi, "EthnicCategory", blank, None)
        counts.add("not_stated", f"{mpi_name}.EthnicCategory", z.sum())
        counts.add("not_known", f"{mpi_name}.EthnicCategory", nk.sum())
        counts.add("blank", f"{mpi_name}.EthnicCategory", blank.sum())
        touched[mpi_name] |= z | nk | blank
        for column, rate in (("LanguageCodePreferred", real["language_blank"]),
                             ("LSOA2021", real["lsoa_blank"]),
                             ("NHSNumber", real["nhs_number_blank"]),
                             ("GenderSameAtBirth", real["gender_same_at_birth_blank"])):
            mask = _bernoulli(mpi, column, rate, rng)
            mpi = _set(mpi, column, mask, None)
            counts.add("blank", f"{mpi_name}.{column}", mask.sum())
            touched[mpi_name] |= mask
        mpi = _coded_gaps(mpi, mpi_name, "InterpreterRequired", real["interpreter"]["blank"], None,
                          {"not_stated": (real["interpreter"]["not_stated"], "Z")}, counts, rng,
                          touched[mpi_name])
        gi = real["gender_identity"]
        mpi = _coded_gaps(mpi, mpi_name, "GenderIDCode", gi["blank"], None,
                          {"not_known": (gi["not_known"], "X"),
                           "not_stated": (gi["not_stated"], "Z")}, counts, rng, touched[mpi_name])
        mpi = _coded_gaps(mpi, mpi_name, "Gender", 0.0, None,
                          {"not_known": (real["gender_not_known"], "X")}, counts, rng,
                          touched[mpi_name])
        only_age = _bernoulli(mpi, "PersonBirthDate", real["birth_date_only_age"], rng)
        if only_age.any():
            birth = _days(mpi, "PersonBirthDate")
            end = day(f"{_span_end_year(config)}-03-31")
            age = _age_on(np.where(np.isnan(birth), 0, birth).astype(np.int64), end)
            mpi = _set(mpi, "AgeRepPeriodEnd", only_age, pa.array(age, type=pa.int64()))
            mpi = _set(mpi, "PersonBirthDate", only_age, None)
            counts.add("age_without_birth_date", f"{mpi_name}.PersonBirthDate", only_age.sum())
            touched[mpi_name] |= only_age
        out[mpi_name] = mpi
    for name, rate in (("MHS007DisabilityType", real["disability_no_record"]),
                       ("MHS011SocPerCircumstances", real["religion"]["no_record"])):
        if name in out:
            t = out[name]
            person = _strings(t, "Person_ID")
            unique, inverse = np.unique(person.astype(str), return_inverse=True)
            drop = (rng.random(len(unique)) < rate)[inverse]
            out[name] = t.filter(pa.array(~drop))
            touched[name] = touched[name][~drop]
            counts.add("no_record", f"{name}.*", drop.sum())
    if "MHS011SocPerCircumstances" in out:
        t = out["MHS011SocPerCircumstances"]
        mask = _bernoulli(t, "ReligiousAffiliationGroup", real["religion"]["unknown"], rng)
        mask &= _strings(t, "ReligiousAffiliationGroup") != "N"
        out["MHS011SocPerCircumstances"] = _set(t, "ReligiousAffiliationGroup", mask, "N")
        counts.add("not_known", "MHS011SocPerCircumstances.ReligiousAffiliationGroup", mask.sum())
        touched["MHS011SocPerCircumstances"] |= mask
    for name, column, rate in (
        ("MHS101Referral", "PrimReasonReferralMH", real["referral_reason_blank"]),
        ("MHS101Referral", "SourceOfReferralMH", real["referral_source_blank"]),
        ("MHS201CareContact", "AttendOrDNACode", real["attendance_blank"]),
        ("MHS201CareContact", "CareContTime", real["contact_time_blank"]),
    ):
        if name in out:
            mask = _bernoulli(out[name], column, rate, rng)
            out[name] = _set(out[name], column, mask, None)
            counts.add("blank", f"{name}.{column}", mask.sum())
            touched[name] |= mask


def _coded_gaps(table, name, column, blank_rate, _unused, coded, counts, rng, touched):
    """Blank some values and replace others with "not known"/"not stated" codes."""
    n = table.num_rows
    present = np.asarray(table.column(column).is_valid().to_numpy(zero_copy_only=False))
    u = rng.random(n)
    edge = float(blank_rate)
    mask = present & (u < edge)
    table = _set(table, column, mask, None)
    counts.add("blank", f"{name}.{column}", mask.sum())
    touched |= mask
    for defect, (rate, code) in coded.items():
        m = present & (u >= edge) & (u < edge + float(rate))
        edge += float(rate)
        table = _set(table, column, m, code)
        counts.add(defect, f"{name}.{column}", m.sum())
        touched |= m
    return table


def _span_end_year(config: SynthConfig) -> int:
    return int(config.get("span.first_financial_year")) + int(config.get("span.financial_years"))


def _age_on(birth_days: np.ndarray, on_day: int) -> np.ndarray:
    """Completed years of age on ``on_day`` for people born on ``birth_days``."""
    birth = birth_days.astype("datetime64[D]")
    on = np.datetime64(on_day, "D")
    by, oy = birth.astype("datetime64[Y]").astype(int), on.astype("datetime64[Y]").astype(int)
    birth_md = birth - birth.astype("datetime64[Y]").astype("datetime64[D]")
    on_md = on - on.astype("datetime64[Y]").astype("datetime64[D]")
    return (oy - by - (on_md.astype(int) < birth_md.astype(int))).astype(np.int64)


def _person_team_and_year(out, mpi, team_quality, config) -> tuple[np.ndarray, np.ndarray]:
    """Per MPI row: the ethnicity-gap multiplier of the team of the person's first referral,
    and whole years from the span start to that referral (0 if before the span)."""
    n = mpi.num_rows
    multiplier = np.ones(n)
    years = np.zeros(n)
    if "MHS101Referral" not in out or "MHS102ServiceTypeReferredTo" not in out:
        return multiplier, years
    r101, r102 = out["MHS101Referral"], out["MHS102ServiceTypeReferredTo"]
    if not r101.num_rows:
        return multiplier, years
    ref_person = _strings(r101, "Person_ID").astype(str)
    ref_id = _strings(r101, "UniqServReqID").astype(str)
    received = _days(r101, "ReferralRequestReceivedDate")
    order = np.lexsort((np.nan_to_num(received, nan=1e12), ref_person))
    first = order[np.r_[True, ref_person[order][1:] != ref_person[order][:-1]]]
    first_person = ref_person[first]  # sorted, one per person
    mpi_person = _strings(mpi, "Person_ID").astype(str)
    pos = np.minimum(np.searchsorted(first_person, mpi_person), len(first_person) - 1)
    found = first_person[pos] == mpi_person
    j = first[pos]
    team_ref = _strings(r102, "UniqServReqID").astype(str)
    team_id = _strings(r102, "UniqCareProfTeamID").astype(str)
    t_order = np.argsort(team_ref, kind="stable")
    t_pos = np.minimum(np.searchsorted(team_ref[t_order], ref_id[j]), max(len(t_order) - 1, 0))
    has_team = found & (len(t_order) > 0)
    if len(t_order):
        has_team &= team_ref[t_order][t_pos] == ref_id[j]
        team = team_id[t_order][t_pos]
        unique, inverse = np.unique(team, return_inverse=True)
        factor = np.array([team_quality.get(u, 1.0) for u in unique])[inverse]
        multiplier = np.where(has_team, factor, 1.0)
    start = day(f"{int(config.get('span.first_financial_year'))}-04-01")
    got = found & ~np.isnan(received[j])
    years = np.where(got, np.maximum(0.0, (received[j] - start) // 365.25), 0.0)
    return multiplier, years


def _fatal(out, touched, counts, config, rng) -> None:
    from pcref import codelists

    rate = config.get("defects.fatal")

    def pick(name: str, k_rate: float, exclude: np.ndarray | None = None) -> np.ndarray:
        t = out[name]
        free = np.flatnonzero(~touched[name] if exclude is None else ~(touched[name] | exclude))
        k = min(len(free), max(1, round(k_rate * t.num_rows))) if t.num_rows else 0
        rows = rng.choice(free, size=k, replace=False) if k else free[:0]
        mask = np.zeros(t.num_rows, dtype=bool)
        mask[rows] = True
        touched[name] |= mask
        return mask

    for name, column, value, codelist in INVALID_CODES:
        if name not in out or not out[name].num_rows:
            continue
        if value in codelists.codes(codelist):
            raise AssertionError(f"invalid-code defect {value!r} is valid in {codelist}")
        mask = pick(name, rate["invalid_code"])
        out[name] = _set(out[name], column, mask, value)
        counts.add("invalid_code", f"{name}.{column}", mask.sum())
    for name, start, end in END_BEFORE_START:
        if name not in out or not out[name].num_rows:
            continue
        t = out[name]
        start_days = _days(t, start)
        mask = pick(name, rate["end_before_start"], np.isnan(start_days))
        earlier = np.where(np.isnan(start_days), 0, start_days) - rng.integers(1, 30, t.num_rows)
        out[name] = _set(t, end, mask, pa.array(earlier.astype(np.int32), type=pa.date32()))
        counts.add("end_before_start", f"{name}.{end}", mask.sum())
    for name, column, prefix in ORPHANS:
        if name not in out or not out[name].num_rows:
            continue
        t = out[name]
        mask = pick(name, rate["orphan_row"])
        out[name] = _set(t, column, mask, format_ids(prefix, np.arange(t.num_rows), 9))
        counts.add("orphan_row", f"{name}.{column}", mask.sum())
    for name, column in MISSING_REQUIRED:
        if name not in out or not out[name].num_rows:
            continue
        mask = pick(name, rate["missing_required"])
        out[name] = _set(out[name], column, mask, None)
        counts.add("missing_required", f"{name}.{column}", mask.sum())
    for name in DUPLICATE_KEYS:
        if name not in out or not out[name].num_rows:
            continue
        mask = pick(name, rate["duplicate_key"])
        copies = out[name].filter(pa.array(mask))
        out[name] = pa.concat_tables([out[name], copies])
        touched[name] = np.r_[touched[name], np.ones(copies.num_rows, dtype=bool)]
        counts.add("duplicate_key", f"{name}.{_key(name)}", copies.num_rows)


def _key(name: str) -> str:
    from pcref.contract import load_contract

    return ",".join(load_contract()[name].key)
