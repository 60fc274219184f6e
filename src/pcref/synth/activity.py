"""Referrals, team referrals, care contacts, onward referrals and diagnoses, chunk by chunk.

Everything here is per person, so it runs on one chunk of people at a time (national scale
never holds all contacts at once). Per referral: wait to first contact (lognormal by
service, with the neurodevelopmental and memory waits multiplied by the group's
disparity ratio), time open (lognormal), contacts as a Poisson number spread over the open
period, attendance drawn per contact (did-not-attend probability = service base × age
factor × interpreter factor), source of referral (justice-system sources multiplied by the
group's ``police_referral`` ratio) and primary reason.

Special pathways: memory assessment (referral → dementia diagnosis, ICD-10 F00-F03/G30 in
MHS604), neurodevelopmental assessment (reason 25 suspected autism, 24 ADHD/other), and
children's → adult services transitions (MHS105 onward referral at 17½-18, first adult
appointment attended or not, engagement 9-12 months later).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pcref.synth.config import PATHWAYS, SynthConfig
from pcref.synth.geography import Geography
from pcref.synth.groups import N_GROUPS
from pcref.synth.mha import CAT_P, NO_DAY, Rows, Spells
from pcref.synth.people import People
from pcref.synth.population import interpolate_knots
from pcref.synth.sampling import (
    categorical_rows,
    choice_from,
    clock_times,
    lognormal_days,
)
from pcref.synth.span import Span

_ATTENDANCE = np.array(["5", "6", "2", "4", "3", "7"], dtype=object)  # index 4, 5 = DNA
_EVENING_SERVICES = ("crisis", "liaison", "liaison_diversion", "place_of_safety")
_NO_RE_REFERRAL = ("memory", "neurodevelopmental", "adult_neurodevelopmental", "spa",
                   "place_of_safety", "liaison", "liaison_diversion")
_EVENT_SOURCES = {
    "A": {"A1": 0.15, "H1": 0.30, "P1": 0.25, "E1": 0.10, "B2": 0.10, "M9": 0.10},
    "B": {"P1": 0.50, "H1": 0.15, "A1": 0.20, "B2": 0.15},
    "C": {"E1": 1.0},
    "D": {"P1": 1.0},
    "P": {"E2": 0.5, "E4": 0.3, "E5": 0.2},
    "H": {"I2": 1.0},
}


@dataclass
class ReferralExpectation:
    """Expected counts by census group (for truth.json): justice-system referral sources and
    did-not-attend, the latter also by interpreter need."""

    referrals: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    justice: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    police: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    referrals_18_64: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    justice_18_64: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    contacts: np.ndarray = field(default_factory=lambda: np.zeros((2, N_GROUPS)))
    dna: np.ndarray = field(default_factory=lambda: np.zeros((2, N_GROUPS)))


class Activity:
    """Per-run state for generating activity chunk by chunk (IDs run on across chunks)."""

    def __init__(self, config: SynthConfig, span: Span, geography: Geography, people: People):
        self.c = config
        self.span = span
        self.geo = geography
        self.people = people
        self.services = geography.services
        self.svc = {name: i for i, name in enumerate(self.services)}
        spec = config["services"]
        self.interval = np.array([spec[s]["interval_days"] for s in self.services], dtype=float)
        self.rejection = np.array([spec[s]["rejection"] for s in self.services], dtype=float)
        self.dna = np.array([spec[s]["dna"] for s in self.services], dtype=float)
        self.evening = np.isin(np.array(self.services, dtype=object), _EVENING_SERVICES)
        self.police_ratio = config.group_values("police_referral")
        self.memory_ratio = config.group_values("memory_wait")
        self.neuro_ratio = config.group_values("neurodevelopmental_wait")
        self.attend_p = config.group_values("transition_first_appointment")
        self.engage_p = config.group_values("transition_engaged")
        self.interp_factor = float(config.disparity("interpreter_dna")["factor"])
        self.team_id = geography.teams["UniqCareProfTeamID"].to_numpy(dtype=object)
        self.team_type = geography.teams["ServTeamTypeRefToMH"].to_numpy(dtype=object)
        self.next_referral = 0
        self.next_contact = 0
        self.next_diagnosis = 0
        self.next_onward = 0
        self.expect = ReferralExpectation()
        self.diagnoses_pending: list[tuple] = []
        justice = {"E1", "E2", "E3", "E4", "E5", "E6"}
        self.source_tables = []
        for s in self.services:
            codes = np.array([str(k) for k in spec[s]["sources"]], dtype=object)
            w = np.array(list(spec[s]["sources"].values()), dtype=float)
            self.source_tables.append((codes, w / w.sum(), np.isin(codes, list(justice))))

    # --- per chunk -------------------------------------------------------------------------

    def chunk(self, people_idx: np.ndarray, spells: Spells, place_of_safety: Rows,
              rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
        """MHS101, MHS102, MHS105, MHS201 and MHS604 columns for the chunk's people."""
        refs = _ReferralBuffer()
        onward = Rows()
        self._pathway_referrals(people_idx, refs, onward, rng)
        spell_referral = self._event_referrals(spells, place_of_safety, refs, rng)
        return self._materialise(refs, onward, spell_referral, rng)

    # --- referral plans -------------------------------------------------------------------

    def _wait(self, service: str, n: int, rng, multiplier=1.0) -> np.ndarray:
        spec = self.c["services"][service]["wait"]
        return np.floor(lognormal_days(spec, n, rng, multiplier)).astype(np.int64)

    def _duration(self, service: str, n: int, rng) -> np.ndarray:
        spec = self.c["services"][service]["duration"]
        return np.maximum(1, np.rint(lognormal_days(spec, n, rng))).astype(np.int64)

    def _pathway_referrals(self, idx, refs, onward, rng) -> None:
        c, people, span = self.c, self.people, self.span
        sel = idx[people.origin[idx] == 0]
        age = (people.entry[sel] - people.birth[sel]) / 365.25
        female = people.sex[sel] == 1
        service = np.empty(len(sel), dtype=object)
        for p, name in enumerate(PATHWAYS):
            m = people.pathway[sel] == p
            ix, vocab = choice_from(c["pathway_services"][name], int(m.sum()), rng)
            service[m] = vocab[ix]
        service[(service == "eip") & (age > 35)] = "cmht"
        service[(service == "perinatal") & ~(female & (age >= 18) & (age <= 45))] = "cmht"
        service[(service == "liaison_diversion") & (age < 18)] = "crisis"
        service[(service == "neurodevelopmental") & (age >= 18)] = "adult_neurodevelopmental"
        received = people.entry[sel].astype(np.int64)
        carried = people.carried_in[sel]

        # triage by the single point of access before adult community services
        spa = (people.pathway[sel] == PATHWAYS.index("adult_community")) & ~carried & (
            rng.random(len(sel)) < c["referrals"]["spa_first"])
        k = np.flatnonzero(spa)
        spa_contact = received[k] + self._wait("spa", len(k), rng)
        spa_end = spa_contact + rng.integers(1, 8, len(k))
        spa_ref = refs.add(self, sel[k], "spa", received[k], first=spa_contact, end=spa_end,
                           rng=rng)
        received[k] = np.minimum(spa_end + rng.integers(0, 11, len(k)), span.end)
        onward.add(person=sel[k], referral=spa_ref, day=spa_end,
                   team_type=np.array([c["services"][s]["type"] for s in service[k]],
                                      dtype=object))
        source_override = np.full(len(sel), None, dtype=object)
        source_override[k] = "M7"

        main_end = np.zeros(len(sel), dtype=np.int64)
        for name in np.unique(service):
            m = np.flatnonzero(service == name)
            main_end[m] = self._service_referrals(name, sel[m], received[m], carried[m],
                                                  source_override[m], refs, onward, rng)

        # crisis-team referrals at a yearly rate while in service (and six months after)
        adults = np.isin(people.pathway[sel], [PATHWAYS.index("adult_community"),
                                               PATHWAYS.index("older_adult")])
        low = np.maximum(received, span.start)
        high = np.minimum(main_end + 182, span.end + 1)
        years = np.where(adults, np.maximum(high - low, 0) / 365.25, 0.0)
        n_crisis = rng.poisson(c["referrals"]["crisis_episodes_per_year"] * years)
        k = np.repeat(np.arange(len(sel)), n_crisis)
        day = low[k] + np.floor(rng.random(len(k)) * (high[k] - low[k])).astype(np.int64)
        self._service_referrals("crisis", sel[k], day, np.zeros(len(k), bool),
                                np.full(len(k), None, dtype=object), refs, onward, rng,
                                allow_re_referral=False)

    def _service_referrals(self, name, person, received, carried, source_override, refs,
                           onward, rng, allow_re_referral=True) -> np.ndarray:
        """Referrals of ``person`` to service ``name``; returns each one's planned end day."""
        c, span, people = self.c, self.span, self.people
        n = len(person)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        group = people.group[person].astype(np.int64)
        rejected = rng.random(n) < c["services"][name]["rejection"]
        reason = None
        forced = []  # (mask over these referrals, day, code, p_dna)
        first_code = np.full(n, None, dtype=object)
        first_p = np.full(n, np.nan)
        if name == "memory":
            wait = np.floor(lognormal_days(c["memory_assessment"]["wait_to_diagnosis"], n, rng,
                                           self.memory_ratio[group])).astype(np.int64)
            diagnosis_day = received + wait
            first = np.minimum(received + self._wait(name, n, rng), diagnosis_day)
            end = diagnosis_day + self._duration(name, n, rng)
            forced.append((np.ones(n, bool), diagnosis_day, "5", 0.0))
            outcome_keys = ("dementia", "mild_cognitive_impairment", "no_diagnosis")
            w = np.array([c["memory_assessment"]["outcome"][k] for k in outcome_keys], float)
            outcome = rng.choice(3, n, p=w / w.sum())
        elif name in ("neurodevelopmental", "adult_neurodevelopmental"):
            ix, vocab = choice_from(c["services"][name]["reasons"], n, rng)
            reason = vocab[ix]
            spec = np.where((name == "neurodevelopmental") & (reason == "24"), 1, 0)
            wait = self._wait(name, n, rng, self.neuro_ratio[group])
            alt = np.floor(lognormal_days(c["referrals"]["neurodevelopmental_wait_24"], n, rng,
                                          self.neuro_ratio[group])).astype(np.int64)
            first = received + np.where(spec == 1, alt, wait)
            end = first + self._duration(name, n, rng)
            first_code[:] = "5"
            first_p[:] = 0.0
        else:
            first = received + self._wait(name, n, rng)
            end = first + self._duration(name, n, rng)
        # the caseload open at the span start: a referral past its first contact (or, for
        # memory assessment, past its diagnosis) has the remaining time of a length-biased
        # duration (what an open case in a steady state has left), so activity is flat
        started = (diagnosis_day if name == "memory" else first) < span.start
        open_ = carried & started
        spec = c["services"][name]["duration"]
        biased = lognormal_days((float(spec[0]) * np.exp(float(spec[1]) ** 2), spec[1]), n, rng)
        remaining = np.maximum(1, np.floor(rng.random(n) * biased)).astype(np.int64)
        end = np.where(open_, span.start + remaining, end)

        transition = None
        if name == "cyp":
            transition = self._transition(person, first, end, rejected, rng)
            end = np.where(transition["moved"], transition["cyp_end"], end)

        ref = refs.add(self, person, name, received, first=first, end=end, rng=rng,
                       rejected=rejected, reason=reason, source=source_override,
                       first_code=first_code, first_p=first_p)
        for mask, day, code, p in forced:
            k = np.flatnonzero(mask & ~rejected)
            refs.force(ref[k], day[k], code, p)
        if name == "memory":
            self._memory_diagnoses(ref, person, outcome, received + wait, rejected, rng)
        elif name in ("neurodevelopmental", "adult_neurodevelopmental"):
            self._neuro_diagnoses(ref, person, reason, first, end, rejected, rng)
        else:
            self._other_diagnoses(ref, person, name, first, end, rejected, rng)
        if transition is not None and transition["moved"].any():
            self._adult_after_transition(ref, person, transition, refs, onward, rng)
        if allow_re_referral and name not in _NO_RE_REFERRAL:
            again = (~rejected & (end <= span.end)
                     & (rng.random(n) < c["referrals"]["re_referral"]))
            day = end + rng.integers(30, 400, n)
            k = np.flatnonzero(again & (day <= span.end))
            self._service_referrals(name, person[k], day[k], np.zeros(len(k), bool),
                                    np.full(len(k), None, dtype=object), refs, onward, rng,
                                    allow_re_referral=False)
        return np.where(rejected, received, end)

    def _transition(self, person, first, end, rejected, rng) -> dict:
        """Young people moving on to adult services at 17½-18 (NICE QS140)."""
        c, span = self.c, self.span
        n = len(person)
        birth = self.people.birth[person].astype(np.int64)
        t = birth + 6392 + np.floor(rng.random(n) * 182).astype(np.int64)  # 17½ + up to ½ year
        moved = (~rejected & (first <= t) & (t <= end) & (t >= span.start) & (t <= span.end - 14)
                 & (rng.random(n) < c["transitions"]["transfer_probability"]))
        return {"moved": moved, "day": t, "cyp_end": t + rng.integers(30, 91, n)}

    def _adult_after_transition(self, cyp_ref, person, tr, refs, onward, rng) -> None:
        c = self.c
        k = np.flatnonzero(tr["moved"])
        who = person[k]
        t = tr["day"][k]
        m = len(k)
        group = self.people.group[who].astype(np.int64)
        ix, vocab = choice_from(c["transitions"]["adult_services"], m, rng)
        service = vocab[ix]
        onward.add(person=who, referral=cyp_ref[k], day=t,
                   team_type=np.array([c["services"][s]["type"] for s in service], dtype=object))
        appointment = t + np.minimum(np.rint(lognormal_days(
            c["transitions"]["first_appointment_days"], m, rng)).astype(np.int64), 200)
        appointment = np.maximum(appointment, t + 1)
        p_attend = self.attend_p[group]
        attended = rng.random(m) < p_attend
        relative = float(c["transitions"]["engagement_if_first_missed"])
        q = np.minimum(1.0, self.engage_p[group] / (p_attend + relative * (1 - p_attend)))
        engaged = rng.random(m) < np.where(attended, q, q * relative)
        duration = np.zeros(m, dtype=np.int64)
        for name in np.unique(service):
            s = service == name
            duration[s] = self._duration(name, int(s.sum()), rng)
        stay = t + 380 + rng.integers(0, 200, m)
        leave = t + rng.integers(60, 251, m)
        end = np.where(engaged, np.maximum(appointment + duration, stay),
                       np.minimum(appointment + duration, leave))
        end = np.maximum(end, appointment + 1)
        end = np.where(engaged, end, np.minimum(end, t + 272))
        received = t + np.minimum(rng.integers(0, 15, m), appointment - t)
        for name in np.unique(service):
            s = np.flatnonzero(service == name)
            code = np.where(attended[s], "5", "3").astype(object)
            ref = refs.add(self, who[s], name, received[s], first=appointment[s], end=end[s],
                           rng=rng, source=np.full(len(s), "P1", dtype=object),
                           first_code=code, first_p=1.0 - p_attend[s], no_rejection=True)
            e = np.flatnonzero(engaged[s])
            window = t[s][e] + 273 + np.floor(rng.random(len(e)) * 93).astype(np.int64)
            refs.force(ref[e], window, "5", 0.0)

    def _event_referrals(self, spells: Spells, pos: Rows, refs, rng) -> np.ndarray:
        """A crisis-team (or liaison and diversion) referral for each spell and place of
        safety; returns each spell's referral number (-1 for CTO recall spells)."""
        span = self.span
        spell_ref = np.full(len(spells.adm), -1, dtype=np.int64)
        k = np.flatnonzero(spells.kind != 3)
        cat = spells.category[k]
        letter = np.where(spells.kind[k] == 2, "H", np.where(spells.kind[k] == 1, "I", np.array(
            list("ABCDP"))[np.maximum(cat, 0)])).astype(object)
        service = np.where(cat == CAT_P, "liaison_diversion", "crisis").astype(object)
        received = spells.first_day[k]
        follow = spells.dis[k] + rng.integers(1, 4, len(k))
        # open spells: the referral stays open (its planned end lies after the span)
        end = np.where(spells.dis[k] > span.end, span.end + 30,
                       spells.dis[k] + rng.integers(7, 29, len(k)))
        source = np.full(len(k), None, dtype=object)  # informal admissions: service sources
        for key, mapping in _EVENT_SOURCES.items():
            m = np.flatnonzero(letter == key)
            ix, vocab = choice_from(mapping, len(m), rng)
            source[m] = vocab[ix]
        reason = np.where(rng.random(len(k)) < 0.7, "18", "02").astype(object)
        for name in ("crisis", "liaison_diversion"):
            s = np.flatnonzero(service == name)
            ref = refs.add(self, spells.person[k][s], name, received[s], first=received[s],
                           end=end[s], rng=rng, source=source[s], reason=reason[s],
                           first_code=np.full(len(s), "5", dtype=object),
                           first_p=np.zeros(len(s)), no_rejection=True, interval=4.0,
                           after=follow[s])
            attended = rng.random(len(s)) < 0.85
            refs.force_each(ref, follow[s], np.where(attended, "5", "3"), 0.15)
            spell_ref[k[s]] = ref
            inpatient = rng.random(len(s)) < self.c["diagnoses"]["probability"]["inpatient"]
            j = np.flatnonzero(inpatient & (letter[s] != "I"))
            ia, va = choice_from(self.c["diagnoses"]["codes"]["psychosis"], len(j), rng)
            self.diagnoses_pending.append((ref[j], spells.person[k][s][j], va[ia].astype(object),
                                           received[s][j] + rng.integers(0, 8, len(j))))
        person = pos.columns.get("person", np.zeros(0, np.int64))
        if len(person):
            day = pos.columns["day"]
            refs.add(self, person, "place_of_safety", day, first=day, end=day + 1, rng=rng,
                     source=np.full(len(person), "E1", dtype=object),
                     reason=np.full(len(person), "18", dtype=object),
                     first_code=np.full(len(person), "5", dtype=object),
                     first_p=np.zeros(len(person)), no_rejection=True, interval=1e9)
        return spell_ref

    # --- diagnoses ---------------------------------------------------------------------

    def _memory_diagnoses(self, ref, person, outcome, day, rejected, rng) -> None:
        c = self.c["memory_assessment"]
        k = np.flatnonzero(~rejected & (outcome < 2))
        ix, vocab = choice_from(c["dementia_codes"], len(k), rng)
        code = np.where(outcome[k] == 0, vocab[ix], c["mild_cognitive_impairment_code"])
        self.diagnoses_pending.append((ref[k], person[k], code.astype(object), day[k]))

    def _neuro_diagnoses(self, ref, person, reason, first, end, rejected, rng) -> None:
        c = self.c["diagnoses"]
        k = np.flatnonzero(~rejected & (rng.random(len(ref)) < c["neurodevelopmental_probability"]))
        codes = c["neurodevelopmental"]
        autism = {k2: v for k2, v in codes.items() if k2.startswith("F84")}
        adhd = {k2: v for k2, v in codes.items() if not k2.startswith("F84")}
        ia, va = choice_from(autism, len(k), rng)
        ib, vb = choice_from(adhd, len(k), rng)
        code = np.where(reason[k] == "25", va[ia], vb[ib]).astype(object)
        day = np.minimum(first[k] + rng.integers(14, 61, len(k)), end[k])
        self.diagnoses_pending.append((ref[k], person[k], code, day))

    def _other_diagnoses(self, ref, person, name, first, end, rejected, rng) -> None:
        c = self.c["diagnoses"]
        p = float(c["probability"].get(name, 0.0))
        if p <= 0:
            return
        k = np.flatnonzero(~rejected & (rng.random(len(ref)) < p))
        psychosis_share = {"eip": 1.0, "cmht": 0.3, "crisis": 0.2}.get(name, 0.0)
        ia, va = choice_from(c["codes"]["psychosis"], len(k), rng)
        ib, vb = choice_from(c["codes"]["common"], len(k), rng)
        code = np.where(rng.random(len(k)) < psychosis_share, va[ia], vb[ib]).astype(object)
        if name == "personality_disorder":
            code[:] = "F603"
        day = np.minimum(first[k] + rng.integers(0, 61, len(k)), end[k])
        self.diagnoses_pending.append((ref[k], person[k], code, day))

    # --- materialise --------------------------------------------------------------------

    def _materialise(self, refs, onward, spell_ref, rng):
        c, span, people = self.c, self.span, self.people
        r = refs.arrays()
        n = len(r["person"])
        ids = self.next_referral + np.arange(n, dtype=np.int64)
        self.next_referral += n
        group = people.group[r["person"]].astype(np.int64)
        age = (r["received"] - people.birth[r["person"]]) / 365.25

        # source of referral: justice-system sources × the group's ratio
        source = r["source"].copy()
        p_justice = np.where(np.isin(source, ["E1", "E2", "E3", "E4", "E5", "E6"]), 1.0, 0.0)
        p_police = np.where(source == "E1", 1.0, 0.0)
        todo = np.flatnonzero(source == None)  # noqa: E711
        for s in np.unique(r["service"][todo]):
            k = todo[r["service"][todo] == s]
            codes, w, justice = self.source_tables[s]
            ratio = self.police_ratio[group[k]]
            base_j = w[justice].sum()
            denominator = np.maximum(1.0, base_j * ratio)  # justice sources cannot exceed 1
            scale_other = np.maximum(1 - base_j * ratio, 0) / max(1 - base_j, 1e-12)
            probs = np.where(justice[None, :], w[None, :] * (ratio / denominator)[:, None],
                             w[None, :] * scale_other[:, None])
            source[k] = codes[categorical_rows(probs, rng)]
            p_justice[k] = base_j * ratio / denominator
            p_police[k] = w[codes == "E1"].sum() * ratio / denominator
        e = self.expect
        np.add.at(e.referrals, group, 1)
        np.add.at(e.justice, group, p_justice)
        np.add.at(e.police, group, p_police)
        working = (age >= 18) & (age < 65)
        np.add.at(e.referrals_18_64, group[working], 1)
        np.add.at(e.justice_18_64, group[working], p_justice[working])

        reason = r["reason"].copy()
        todo = np.flatnonzero(reason == None)  # noqa: E711
        for s in np.unique(r["service"][todo]):
            k = todo[r["service"][todo] == s]
            ix, vocab = choice_from(c["services"][self.services[s]]["reasons"], len(k), rng)
            reason[k] = vocab[ix]

        rejected = r["rejected"]
        rejection_day = np.where(rejected, r["received"] + rng.integers(3, 22, n), NO_DAY)
        end = np.where(rejected, rejection_day, r["end"])
        end = np.maximum(end, r["received"])
        closed = np.where(end <= span.end, end, NO_DAY)
        team = self.geo.team_for(r["service"], people.area[r["person"]],
                                 people.locality[r["person"]])
        provider = people.provider[r["person"]]
        mhs101 = {
            "UniqServReqID": ids, "Person_ID": r["person"],
            "OrgIDProv": np.array(self.geo.provider_code, dtype=object)[provider],
            "ReferralRequestReceivedDate": r["received"], "SourceOfReferralMH": source,
            "PrimReasonReferralMH": reason, "ServDischDate": closed,
        }
        mhs102 = {
            "UniqServReqID": ids, "Person_ID": r["person"],
            "UniqCareProfTeamID": self.team_id[team], "ServTeamTypeRefToMH": self.team_type[team],
            "ReferClosureDate": np.where(rejected, NO_DAY, closed),
            "ReferRejectionDate": np.where(rejection_day <= span.end, rejection_day, NO_DAY),
        }
        contacts = self._contacts(r, ids, team, group, rejected, rng)
        out = {"MHS101Referral": mhs101, "MHS102ServiceTypeReferredTo": mhs102,
               "MHS201CareContact": contacts}
        # onward referrals
        o = onward.columns
        if o:
            keep = o["day"] <= span.end
            m = int(keep.sum())
            out["MHS105OnwardReferral"] = {
                "OnwardReferralID": self.next_onward + np.arange(m, dtype=np.int64),
                "UniqServReqID": ids[refs.position(o["referral"][keep])],
                "Person_ID": o["person"][keep], "OnwardReferDate": o["day"][keep],
                "ServTeamTypeRefToMH": o["team_type"][keep],
            }
            self.next_onward += m
        # diagnoses
        parts = self.diagnoses_pending
        self.diagnoses_pending = []
        if parts:
            ref = np.concatenate([p[0] for p in parts])
            who = np.concatenate([p[1] for p in parts])
            code = np.concatenate([p[2] for p in parts])
            day = np.concatenate([p[3] for p in parts])
            pos = refs.position(ref)
            keep = (day <= span.end) & (day >= r["received"][pos])
            m = int(keep.sum())
            out["MHS604PrimDiag"] = {
                "DiagnosisID": self.next_diagnosis + np.arange(m, dtype=np.int64),
                "UniqServReqID": ids[pos[keep]], "Person_ID": who[keep],
                "DiagSchemeInUse": np.full(m, "02", dtype=object), "PrimDiag": code[keep],
                "CodedDiagDate": day[keep],
            }
            self.next_diagnosis += m
        out["_spell_referral"] = {"id": np.where(spell_ref >= 0,
                                                 ids[refs.position(np.maximum(spell_ref, 0))],
                                                 -1)}
        return out

    def _contacts(self, r, ids, team, group, rejected, rng):
        span, people = self.span, self.people
        n = len(ids)
        interval = np.where(np.isnan(r["interval"]), self.interval[r["service"]], r["interval"])
        open_from = np.where(np.isnan(r["after_f"]), r["first"], r["after"])
        length = np.maximum(r["end"] - open_from, 0)
        extra = np.where(rejected, 0, rng.poisson(length / interval))
        has_first = ~rejected
        # generated contacts: the first contact, then extras spread over the open period
        row = np.concatenate([np.flatnonzero(has_first), np.repeat(np.arange(n), extra)])
        day = np.concatenate([r["first"][has_first],
                              open_from[np.repeat(np.arange(n), extra)]
                              + np.floor(rng.random(int(extra.sum()))
                                         * np.maximum(length, 1)[np.repeat(np.arange(n), extra)]
                                         ).astype(np.int64) + 1])
        is_first = np.zeros(len(row), dtype=bool)
        is_first[: int(has_first.sum())] = True
        code = np.full(len(row), None, dtype=object)
        p_dna = np.full(len(row), np.nan)
        code[is_first] = r["first_code"][has_first]
        p_dna[is_first] = r["first_p"][has_first]
        f_ref, f_day, f_code, f_p = r["forced"]
        row = np.concatenate([row, f_ref])
        day = np.concatenate([day, f_day])
        code = np.concatenate([code, f_code])
        p_dna = np.concatenate([p_dna, f_p])
        keep = (day >= span.start) & (day <= span.end) & ~rejected[row]
        row, day, code, p_dna = row[keep], day[keep], code[keep], p_dna[keep]
        order = np.lexsort((day, row))
        row, day, code, p_dna = row[order], day[order], code[order], p_dna[order]
        m = len(row)
        person = r["person"][row]
        # attendance for contacts without a fixed outcome
        todo = np.flatnonzero(code == None)  # noqa: E711
        a = self.c["referrals"]["attendance"]
        age = (day[todo] - people.birth[person[todo]]) / 365.25
        interp = people.interpreter[person[todo]]
        p3 = (self.dna[r["service"][row[todo]]] * interpolate_knots(
            self.c["referrals"]["dna_age_factor"], age)
              * np.where(interp, self.interp_factor, 1.0))
        p3 = np.minimum(p3, 0.8)
        p7 = np.full(len(todo), a["late_not_seen"])
        p2 = np.full(len(todo), a["cancelled_by_patient"])
        p4 = np.full(len(todo), a["cancelled_by_provider"])
        p6 = np.full(len(todo), a["late_seen"])
        p5 = np.maximum(1 - p2 - p3 - p4 - p6 - p7, 0)
        probs = np.stack([p5, p6, p2, p4, p3, p7], axis=1)
        code[todo] = _ATTENDANCE[categorical_rows(probs, rng)]
        p_dna[todo] = p3 + p7
        interp_all = people.interpreter[person].astype(np.int64)
        np.add.at(self.expect.contacts, (interp_all, group[row]), 1)
        np.add.at(self.expect.dna, (interp_all, group[row]), p_dna)
        evening = self.evening[r["service"][row]]
        time = np.where(evening, clock_times(m, rng, "evening"), clock_times(m, rng, "office"))
        out = {
            "UniqCareContID": self.next_contact + np.arange(m, dtype=np.int64),
            "UniqServReqID": ids[row], "Person_ID": person,
            "UniqCareProfTeamID": self.team_id[team[row]], "CareContDate": day,
            "CareContTime": time.astype(np.int64), "AttendOrDNACode": code,
        }
        self.next_contact += m
        return out


class _ReferralBuffer:
    """Referrals of one chunk, collected before IDs and contacts are made."""

    def __init__(self) -> None:
        self.parts: list[dict] = []
        self.count = 0
        self.forced: list[tuple] = []

    def add(self, act: Activity, person, service: str, received, *, first, end, rng,
            rejected=None, reason=None, source=None, first_code=None, first_p=None,
            no_rejection=False, interval=None, after=None) -> np.ndarray:
        n = len(person)
        if rejected is None:
            rejected = (np.zeros(n, bool) if no_rejection else
                        rng.random(n) < act.rejection[act.svc[service]])

        def obj(value):
            return (np.full(n, None, dtype=object) if value is None
                    else np.asarray(value, dtype=object))

        part = {
            "person": np.asarray(person, np.int64), "service": np.full(n, act.svc[service]),
            "received": np.asarray(received, np.int64), "first": np.asarray(first, np.int64),
            "end": np.asarray(end, np.int64), "rejected": np.asarray(rejected, bool),
            "reason": obj(reason), "source": obj(source), "first_code": obj(first_code),
            "first_p": (np.full(n, np.nan) if first_p is None
                        else np.broadcast_to(np.asarray(first_p, float), (n,)).copy()),
            "interval": np.full(n, np.nan if interval is None else float(interval)),
            "after": (np.zeros(n, np.int64) if after is None else np.asarray(after, np.int64)),
            "after_f": np.full(n, np.nan if after is None else 1.0),
        }
        part["first_p"] = np.where(np.isnan(part["first_p"]) & (part["first_code"] != None),  # noqa: E711
                                   0.0, part["first_p"])
        self.parts.append(part)
        out = self.count + np.arange(n, dtype=np.int64)
        self.count += n
        return out

    def force(self, ref, day, code: str, p_dna: float) -> None:
        self.force_each(ref, day, np.full(len(ref), code, dtype=object), p_dna)

    def force_each(self, ref, day, code, p_dna) -> None:
        self.forced.append((np.asarray(ref, np.int64), np.asarray(day, np.int64),
                            np.asarray(code, dtype=object),
                            np.broadcast_to(np.asarray(p_dna, float), (len(ref),)).copy()))

    def position(self, ref: np.ndarray) -> np.ndarray:
        return np.asarray(ref, np.int64)

    def arrays(self) -> dict:
        keys = self.parts[0].keys()
        out = {k: np.concatenate([p[k] for p in self.parts]) for k in keys}
        if self.forced:
            out["forced"] = tuple(np.concatenate([f[i] for f in self.forced]) for i in range(4))
        else:
            out["forced"] = (np.zeros(0, np.int64), np.zeros(0, np.int64),
                             np.zeros(0, dtype=object), np.zeros(0))
        return out


__all__ = ["Activity", "ReferralExpectation"]
