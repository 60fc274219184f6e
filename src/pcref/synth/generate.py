"""Generate a synthetic MHSDS-shaped extract: the stages in order, then chunked writing.

Stages: geography and population → people entering pathways → Mental Health Act events
(may add people) → person details → ward stays and restrictive interventions → per chunk
of people: person tables, referrals, contacts, onward referrals, diagnoses and the chunk's
slice of the event tables → defects → files → truth.json.

Each stage (and each chunk) draws from its own random stream derived from the seed, so a
run is reproducible byte for byte. People, referrals and contacts are written chunk by
chunk, so memory stays within a few GB at national scale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from pcref.contract import load_contract
from pcref.synth.activity import Activity
from pcref.synth.config import SynthConfig, load_config
from pcref.synth.defects import LEVELS, DefectCounts, inject_defects, team_recording_quality
from pcref.synth.geography import build_geography
from pcref.synth.groups import CENSUS_CODES, GROUP_KEYS, recorded_categories
from pcref.synth.inpatient import (
    RestraintExpectation,
    build_restrictive_interventions,
    build_ward_stays,
)
from pcref.synth.mha import NO_DAY, NO_TIME, MhaResult, Rows, Spells, build_mha
from pcref.synth.people import draw_entrants, finalise
from pcref.synth.person_records import PersonRecords, test_range_nhs_numbers
from pcref.synth.population import build_population
from pcref.synth.sampling import date_of, rng_for
from pcref.synth.span import Span
from pcref.synth.truth import GroupMaps, disparities
from pcref.synth.writer import FORMATS, ExtractWriter, to_table

SCALES = ("trust", "national")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SynthResult:
    """What a run wrote: the folder, rows per table, truth.json's content, defect counts."""

    directory: Path
    rows: dict[str, int]
    truth: dict[str, Any]
    defects: DefectCounts


def generate(out_dir: str | Path, *, scale: str = "trust", seed: int = 1,
             config: str | Path | SynthConfig = "default", file_format: str = "parquet",
             defects: str = "realistic", people: int | None = None,
             progress: Progress | None = None) -> SynthResult:
    """Write one file per contract table and ``truth.json`` into ``out_dir``.

    ``people`` overrides the scale's target number of people in contact and scales the
    population to match (for tests and quick trials); everything per resident stays the same.
    """
    if scale not in SCALES:
        raise ValueError(f"scale: expected one of {SCALES}, got {scale!r}")
    if defects not in LEVELS:
        raise ValueError(f"defects: expected one of {LEVELS}, got {defects!r}")
    if file_format not in FORMATS:
        raise ValueError(f"format: expected one of {FORMATS}, got {file_format!r}")
    cfg = config if isinstance(config, SynthConfig) else load_config(config)
    contract = load_contract()
    span = Span.from_config(cfg)
    target = float(cfg.get(f"scales.{scale}.people"))
    factor = 1.0
    if people is not None:
        if people < 100:
            raise ValueError(f"people: expected at least 100, got {people}")
        factor = people / target
        target = float(people)
    chunk_people = int(cfg.get(f"scales.{scale}.chunk_people"))
    notify = progress or (lambda step, done, total: None)

    notify("population", 0, 1)
    geography = build_geography(cfg, scale, factor, rng_for(seed, 1))
    population = build_population(cfg, geography, rng_for(seed, 2))
    notify("people", 0, 1)
    persons, entrants = draw_entrants(cfg, population, target, span, rng_for(seed, 3))
    notify("Mental Health Act events", 0, 1)
    mha = build_mha(cfg, span, population, persons, lambda i: rng_for(seed, 10 + i))
    finalise(persons, cfg, geography, span, rng_for(seed, 4))

    # shuffle people so identifiers say nothing about how they were generated
    order = rng_for(seed, 5).permutation(persons.n)
    new_index = np.empty(persons.n, dtype=np.int64)
    new_index[order] = np.arange(persons.n)
    persons = persons.take(order)
    events = _renumber(mha, new_index)

    notify("ward stays and restrictive interventions", 0, 1)
    stays = build_ward_stays(events["spells"], persons, geography, cfg, span, rng_for(seed, 20))
    restraint = RestraintExpectation()
    incidents, interventions = build_restrictive_interventions(stays, persons, cfg, span,
                                                               rng_for(seed, 21), restraint)
    event_tables = _event_tables(events, stays, incidents, interventions, geography, persons,
                                 span)

    nhs = test_range_nhs_numbers(persons.n, rng_for(seed, 6))
    recorded = recorded_categories(cfg["recorded_ethnic_category"])
    records = PersonRecords(cfg, span, geography, persons, recorded, nhs)
    activity = Activity(cfg, span, geography, persons)
    out = Path(out_dir)
    lookups = _lookup_tables(cfg, geography, population, contract)
    team_quality = team_recording_quality(lookups["team"], cfg, seed)
    counts = DefectCounts()
    n_chunks = max(1, -(-persons.n // chunk_people))
    with ExtractWriter(out, contract, file_format) as writer:
        for name, table in lookups.items():
            writer.write(name, table)
        for chunk in range(n_chunks):
            notify("people, referrals and contacts", chunk, n_chunks)
            lo, hi = chunk * chunk_people, min(persons.n, (chunk + 1) * chunk_people)
            idx = np.arange(lo, hi, dtype=np.int64)
            columns = records.chunk(idx, rng_for(seed, 30, chunk))
            spells = _slice_spells(events["spells"], lo, hi)
            pos = _slice_rows(events["place_of_safety"], lo, hi)
            columns.update(activity.chunk(idx, spells, pos, rng_for(seed, 31, chunk)))
            spell_referral = columns.pop("_spell_referral")["id"]
            for name, rows in event_tables.items():
                part = _slice_rows(rows, lo, hi).columns
                columns[name] = {k: v for k, v in part.items() if k != "person"}
            columns["MHS501HospProvSpell"]["UniqServReqID"] = spell_referral
            tables = {name: to_table(contract[name], cols) for name, cols in columns.items()}
            tables, found = inject_defects(tables, defects, seed=rng_for(seed, 32, chunk),
                                           config=cfg, team_quality=team_quality)
            counts.merge(found)
            for name, table in tables.items():
                writer.write(name, table)
        notify("people, referrals and contacts", n_chunks, n_chunks)
        rows = dict(writer.rows)

    notify("truth.json", 0, 1)
    maps = GroupMaps(recorded)
    truth = {
        "generator": {
            "package": "pcref.synth", "seed": seed, "scale": scale,
            "people_target": target, "population_factor": factor,
            "config_name": cfg.name, "config_source": cfg.source,
            "defects": defects, "format": file_format, "contract_version": contract.version,
        },
        "span": {"financial_years": [span.label(y) for y in range(span.years)],
                 "start": date_of(span.start).isoformat(), "end": date_of(span.end).isoformat()},
        "identifiers": {
            "people": "P + 8 digits; referrals R, contacts C, episodes M, spells S, ward "
                      "stays WS, CTOs CTO, recalls RC, incidents RI, interventions RT, "
                      "diagnoses D, onward referrals O; teams T, wards W. All synthetic.",
            "nhs_numbers": ("999 test range with valid check digits (never a real patient)"
                            if nhs is not None else
                            "not written: more people than valid numbers in the 999 test range"),
            "lsoa": "E01900001 upwards: not real 2021 LSOA codes",
            "areas": ("real ONS district codes and names (public), synthetic populations"
                      if not geography.national else "synthetic E99 codes"),
        },
        "population": _population_summary(population, geography),
        "people": {
            "in_contact": int(persons.n), "entry_calibration_factor": entrants.calibration,
            "entrants_trimmed_to_cell_population": entrants.trimmed,
            "events_without_room_in_their_cell": mha.dropped_events,
        },
        "realised": {"rows": rows, "detentions_by_category": mha.detention_counts,
                     "ctos": len(mha.ctos), "cto_recalls": len(mha.recalls),
                     "place_of_safety_without_detention": len(mha.place_of_safety)},
        "disparities": disparities(cfg, population, maps, entrants=entrants, mha=mha,
                                   restraint=restraint, referral=activity.expect, span=span),
        "defects": counts.to_dict(),
        "config": cfg.data,
    }
    text = json.dumps(truth, indent=2, ensure_ascii=False, default=_json_default)
    (out / "truth.json").write_text(text + "\n", encoding="utf-8")
    notify("done", 1, 1)
    return SynthResult(directory=out, rows=rows, truth=truth, defects=counts)


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return str(value)


def _renumber(mha: MhaResult, new_index: np.ndarray) -> dict[str, Any]:
    """Move event rows to the shuffled person numbers and sort them by person."""
    s = mha.spells
    person = new_index[s.person]
    order = np.lexsort((s.tmp, s.adm, person))
    spells = Spells(person=person[order], adm=s.adm[order], adm_time=s.adm_time[order],
                    dis=s.dis[order], dis_time=s.dis_time[order], method=s.method[order],
                    dest=s.dest[order], kind=s.kind[order], category=s.category[order],
                    section=s.section[order], first_day=s.first_day[order], tmp=s.tmp[order])
    out = {"spells": spells}
    for name in ("episodes", "ctos", "recalls", "place_of_safety"):
        rows: Rows = getattr(mha, name)
        if not len(rows):
            out[name] = rows
            continue
        cols = dict(rows.columns)
        cols["person"] = new_index[cols["person"]]
        key = cols.get("start", cols.get("day"))
        order = np.lexsort((np.arange(len(key)), key, cols["person"]))
        out[name] = Rows({k: v[order] for k, v in cols.items()})
    return out


def _event_tables(events, stays: Rows, incidents: Rows, interventions: Rows, geography,
                  persons, span: Span) -> dict[str, Rows]:
    """Final identifiers and contract columns of the event tables (sorted by person)."""
    provider = np.array(geography.provider_code, dtype=object)
    end = span.end

    def org(person):
        return provider[persons.provider[person]]

    def until_end(days):
        return np.where((days == NO_DAY) | (days > end), NO_DAY, days)

    ep = events["episodes"].columns
    keep = ep["start"] <= end
    ep = {k: v[keep] for k, v in ep.items()}
    episode_id = np.full(int(events["episodes"].columns["tmp"].max()) + 1 if len(
        events["episodes"]) else 0, -1, dtype=np.int64)
    episode_id[ep["tmp"]] = np.arange(len(ep["tmp"]))
    ep_end = until_end(ep["end"])
    tables: dict[str, Rows] = {}
    tables["MHS401MHActPeriod"] = Rows({
        "person": ep["person"], "UniqMHActEpisodeID": np.arange(len(ep["tmp"])),
        "Person_ID": ep["person"], "OrgIDProv": org(ep["person"]),
        "LegalStatusCode": ep["code"], "StartDateMHActLegalStatusClass": ep["start"],
        "StartTimeMHActLegalStatusClass": ep["start_time"],
        "ExpiryDateMHActLegalStatusClass": ep["expiry"],
        "EndDateMHActLegalStatusClass": ep_end,
        "EndTimeMHActLegalStatusClass": np.where(ep_end == NO_DAY, NO_TIME, ep["end_time"]),
    })
    c = events["ctos"].columns
    if c:
        tables["MHS404CommTreatOrder"] = Rows({
            "person": c["person"], "MHS404UniqID": np.arange(len(c["person"])),
            "Person_ID": c["person"], "OrgIDProv": org(c["person"]),
            "UniqMHActEpisodeID": episode_id[c["episode_tmp"]],
            "StartDateCommTreatOrd": c["start"], "ExpiryDateCommTreatOrd": c["expiry"],
            "EndDateCommTreatOrd": until_end(c["end"]),
            "CommTreatOrdEndReason": np.where(until_end(c["end"]) == NO_DAY, None,
                                              c["reason"]).astype(object),
        })
    r = events["recalls"].columns
    if r:
        tables["MHS405CommTreatOrderRecall"] = Rows({
            "person": r["person"], "MHS405UniqID": np.arange(len(r["person"])),
            "Person_ID": r["person"], "UniqMHActEpisodeID": episode_id[r["episode_tmp"]],
            "StartDateCommTreatOrdRecall": r["start"],
            "EndDateCommTreatOrdRecall": until_end(r["end"]),
        })
    s: Spells = events["spells"]
    spell_id = np.full(int(s.tmp.max()) + 1, -1, dtype=np.int64)
    spell_id[s.tmp] = np.arange(len(s.tmp))
    discharged = s.dis <= end
    tables["MHS501HospProvSpell"] = Rows({
        "person": s.person, "UniqHospProvSpellID": np.arange(len(s.tmp)),
        "Person_ID": s.person, "OrgIDProv": org(s.person),
        "StartDateHospProvSpell": s.adm, "StartTimeHospProvSpell": s.adm_time,
        "DischDateHospProvSpell": np.where(discharged, s.dis, NO_DAY),
        "DischTimeHospProvSpell": np.where(discharged, s.dis_time, NO_TIME),
        "MethAdmMHHospProvSpell": s.method,
        "DestOfDischHospProvSpell": np.where(discharged, s.dest, None).astype(object),
    })
    w = stays.columns
    stay_key = spell_id[w["spell_tmp"]]
    order = np.lexsort((w["start"], stay_key))
    w = {k: v[order] for k, v in w.items()}
    stay_id = np.empty(len(w["tmp"]), dtype=np.int64)
    stay_id[w["tmp"]] = np.arange(len(w["tmp"]))
    ward_code = geography.wards["WardCode"].to_numpy(dtype=object)
    bed_type = geography.wards["HospitalBedTypeMH"].to_numpy(dtype=object)
    tables["MHS502WardStay"] = _by_person(Rows({
        "person": w["person"], "UniqWardStayID": np.arange(len(w["tmp"])),
        "UniqHospProvSpellID": spell_id[w["spell_tmp"]], "Person_ID": w["person"],
        "WardCode": ward_code[w["ward"]], "HospitalBedTypeMH": bed_type[w["ward"]],
        "StartDateWardStay": w["start"], "EndDateWardStay": w["end"],
    }))
    i = incidents.columns
    inc_order = np.lexsort((i["start"] * 1440 + i["start_time"] // 60, stay_id[i["stay_tmp"]]))
    i = {k: v[inc_order] for k, v in i.items()}
    incident_id = np.empty(len(i["tmp"]), dtype=np.int64)
    incident_id[i["tmp"]] = np.arange(len(i["tmp"]))
    tables["MHS505RestrictiveInterventInc"] = _by_person(Rows({
        "person": i["person"], "UniqRestrictiveIntIncID": np.arange(len(i["tmp"])),
        "Person_ID": i["person"], "UniqWardStayID": stay_id[i["stay_tmp"]],
        "StartDateRestrictiveIntInc": i["start"], "StartTimeRestrictiveIntInc": i["start_time"],
        "EndDateRestrictiveIntInc": until_end(i["end"]),
        "EndTimeRestrictiveIntInc": np.where(until_end(i["end"]) == NO_DAY, NO_TIME,
                                             i["end_time"]),
        "RestrictiveIntReason": i["reason"],
    }))
    t = interventions.columns
    t_order = np.lexsort((t["start"], incident_id[t["incident_tmp"]]))
    t = {k: v[t_order] for k, v in t.items()}
    tables["MHS515RestrictiveInterventType"] = _by_person(Rows({
        "person": t["person"], "UniqRestrictiveIntTypeID": np.arange(len(t["person"])),
        "UniqRestrictiveIntIncID": incident_id[t["incident_tmp"]], "Person_ID": t["person"],
        "RestrictiveIntType": t["code"], "StartDateRestrictiveIntType": t["start"],
        "StartTimeRestrictiveIntType": t["start_time"],
        "EndDateRestrictiveIntType": until_end(t["end"]),
        "EndTimeRestrictiveIntType": np.where(until_end(t["end"]) == NO_DAY, NO_TIME,
                                              t["end_time"]),
        "RestraintInjuryPatient": t["injury"],
    }))
    return tables


def _by_person(rows: Rows) -> Rows:
    order = np.argsort(rows.columns["person"], kind="stable")
    return rows.take(order)


def _slice_rows(rows: Rows, lo: int, hi: int) -> Rows:
    if not len(rows):
        return Rows({})
    person = rows.columns["person"]
    a, b = np.searchsorted(person, [lo, hi])
    return Rows({k: v[a:b] for k, v in rows.columns.items()})


def _slice_spells(s: Spells, lo: int, hi: int) -> Spells:
    a, b = np.searchsorted(s.person, [lo, hi])
    return Spells(**{f: getattr(s, f)[a:b] for f in Spells.__dataclass_fields__})


def _lookup_tables(cfg: SynthConfig, geography, population, contract) -> dict[str, pa.Table]:
    teams = geography.teams
    wards = geography.wards
    prevalence = cfg["dementia_prevalence"]
    bands = list(prevalence["male"])
    return {
        "team": to_table(contract["team"], {
            "UniqCareProfTeamID": teams["UniqCareProfTeamID"].to_numpy(dtype=object),
            "TeamName": teams["TeamName"].to_numpy(dtype=object),
            "ServTeamTypeRefToMH": teams["ServTeamTypeRefToMH"].to_numpy(dtype=object),
            "Locality": teams["Locality"].to_numpy(dtype=object)}),
        "ward": to_table(contract["ward"], {
            "WardCode": wards["WardCode"].to_numpy(dtype=object),
            "WardName": wards["WardName"].to_numpy(dtype=object),
            "HospitalBedTypeMH": wards["HospitalBedTypeMH"].to_numpy(dtype=object),
            "Locality": wards["Locality"].to_numpy(dtype=object)}),
        "lsoa_lookup": to_table(contract["lsoa_lookup"], geography.lsoa_table()),
        "population": to_table(contract["population"], population.table(geography)),
        "dementia_prevalence": to_table(contract["dementia_prevalence"], {
            "Sex": np.array(["1"] * len(bands) + ["2"] * len(bands), dtype=object),
            "AgeBand": np.array(bands * 2, dtype=object),
            "Prevalence": np.array([prevalence["male"][b] for b in bands]
                                   + [prevalence["female"][b] for b in bands], dtype=float),
            "Source": np.array([prevalence["source"]] * (2 * len(bands)), dtype=object)}),
    }


def _population_summary(population, geography) -> dict[str, Any]:
    count = population.count
    return {
        "total": int(count.sum()),
        "by_area": {str(code): {"name": str(name), "population": int(count[i].sum())}
                    for i, (code, name) in enumerate(zip(geography.area_code,
                                                         geography.area_name, strict=True))},
        "by_census_group": {f"{code} {key}": int(count[:, g].sum())
                            for g, (code, key) in enumerate(zip(CENSUS_CODES, GROUP_KEYS,
                                                                strict=True))},
    }
