"""Person-level tables: MHS001MPI, MHS007DisabilityType, MHS011SocPerCircumstances.

Identifiers are synthetic (``P00000001`` …). NHS numbers, where written (trust scale), come
only from the 999 range that NHS England reserves for testing — ``999 nnn nnn c`` with a
valid modulus-11 check digit — so no generated number can belong to a real patient. The
range holds about 900,000 valid numbers, so larger runs leave NHSNumber blank.
"""

from __future__ import annotations

import numpy as np

from pcref.synth.config import SynthConfig
from pcref.synth.geography import Geography
from pcref.synth.groups import AGGREGATES, GROUP_KEYS, N_GROUPS
from pcref.synth.mha import NO_DAY
from pcref.synth.people import People
from pcref.synth.population import interpolate_knots
from pcref.synth.sampling import choice_from
from pcref.synth.span import Span

NHS_TEST_PREFIX = 999
_WEIGHTS = np.arange(10, 1, -1)


def nhs_check_digit(nine_digits: np.ndarray) -> np.ndarray:
    """Modulus-11 check digit of 9-digit NHS number stems (10 means the stem is unusable)."""
    digits = (np.asarray(nine_digits, dtype=np.int64)[:, None]
              // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits * _WEIGHTS).sum(axis=1) % 11
    return np.where(check == 11, 0, check)


def test_range_nhs_numbers(n: int, rng: np.random.Generator) -> np.ndarray | None:
    """``n`` distinct valid NHS numbers from the 999 test range, or None if it is too small."""
    stems = NHS_TEST_PREFIX * 1_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = nhs_check_digit(stems)
    valid = stems[check != 10] * 10 + check[check != 10]
    if n > len(valid):
        return None
    return rng.choice(valid, size=n, replace=False)


def per_group(mapping: dict[str, dict]) -> list[dict]:
    """Resolve a mapping keyed by group or aggregate names to one entry per census group."""
    out: list[dict | None] = [None] * N_GROUPS
    for aggregate, members in AGGREGATES.items():
        if aggregate in mapping:
            for member in members:
                out[GROUP_KEYS.index(member)] = mapping[aggregate]
    for i, key in enumerate(GROUP_KEYS):
        if key in mapping:
            out[i] = mapping[key]
    missing = [GROUP_KEYS[i] for i, v in enumerate(out) if v is None]
    if missing:
        raise KeyError(f"no entry for ethnic group(s) {missing}")
    return out  # type: ignore[return-value]


class PersonRecords:
    """Builds the person-level tables for a chunk of people."""

    def __init__(self, config: SynthConfig, span: Span, geography: Geography, people: People,
                 recorded_category: np.ndarray, nhs_numbers: np.ndarray | None):
        self.c = config
        self.span = span
        self.geo = geography
        self.people = people
        self.recorded = recorded_category
        self.nhs = nhs_numbers
        demo = config["demographics"]
        self.religion = per_group(demo["religion"])

    def chunk(self, idx: np.ndarray, rng: np.random.Generator) -> dict[str, dict]:
        p, demo = self.people, self.c["demographics"]
        n = len(idx)
        sex = p.sex[idx]
        age = p.index_age[idx].astype(float)
        gi = demo["gender_identity"]
        r = rng.random(n)
        non_binary = r < interpolate_knots(gi["non_binary_by_age"], age)
        other = ~non_binary & (r < interpolate_knots(gi["non_binary_by_age"], age)
                               + float(gi["other"]))
        trans = ~non_binary & ~other & (rng.random(n) < float(gi["trans"]))
        sex_code = np.where(sex == 0, "1", "2").astype(object)
        identity = sex_code.copy()
        identity[non_binary] = "3"
        identity[other] = "4"
        same = np.where(non_binary | other | trans, "N", "Y").astype(object)
        nhs = (np.char.mod("%010d", self.nhs[idx]).astype(object) if self.nhs is not None
               else np.full(n, None, dtype=object))
        mpi = {
            "Person_ID": idx.astype(np.int64), "NHSNumber": nhs,
            "OrgIDProv": np.array(self.geo.provider_code, dtype=object)[p.provider[idx]],
            "PersonBirthDate": p.birth[idx].astype(np.int64),
            "AgeRepPeriodEnd": np.full(n, NO_DAY, dtype=np.int64),
            "Gender": sex_code, "GenderIDCode": identity, "GenderSameAtBirth": same,
            "EthnicCategory": self.recorded[p.group[idx]],
            "LanguageCodePreferred": p.language[idx],
            "InterpreterRequired": np.where(p.interpreter[idx], "Y", "N").astype(object),
            "LSOA2021": self.geo.lsoa_code[p.lsoa[idx]],
        }
        return {"MHS001MPI": mpi, "MHS007DisabilityType": self._disability(idx, rng),
                "MHS011SocPerCircumstances": self._religion(idx, rng)}

    def _disability(self, idx, rng) -> dict:
        d = self.c["demographics"]["disability"]
        p = self.people
        n = len(idx)
        age = p.index_age[idx].astype(float)
        declined = rng.random(n) < float(d["declined"])
        any_ = ~declined & (rng.random(n) < interpolate_knots(d["any_by_age"], age))
        band = np.where(age < 18, "young", np.where(age < 65, "adult", "older"))
        first = np.full(n, "NN", dtype=object)
        first[declined] = "ZZ"
        second = np.full(n, None, dtype=object)
        for name in ("young", "adult", "older"):
            k = np.flatnonzero(any_ & (band == name))
            ix, vocab = choice_from(d["codes_by_age"][name], len(k), rng)
            first[k] = vocab[ix]
            jx, _ = choice_from(d["codes_by_age"][name], len(k), rng)
            two = (rng.random(len(k)) < float(d["second_code"])) & (vocab[jx] != vocab[ix])
            second[k[two]] = vocab[jx][two]
        has2 = second != None  # noqa: E711
        person = np.concatenate([idx, idx[has2]])
        code = np.concatenate([first, second[has2]])
        day = np.concatenate([p.entry[idx], p.entry[idx][has2]]).astype(np.int64)
        order = np.lexsort((code, person))
        return {"Person_ID": person[order], "DisabCode": code[order],
                "DisabRecordedDate": day[order]}

    def _religion(self, idx, rng) -> dict:
        p, span = self.people, self.span
        n = len(idx)
        code = np.empty(n, dtype=object)
        group = p.group[idx]
        for g in range(N_GROUPS):
            k = np.flatnonzero(group == g)
            ix, vocab = choice_from(self.religion[g], len(k), rng)
            code[k] = vocab[ix]
        code[rng.random(n) < float(self.c["demographics"]["religion_declined"])] = "M"
        day = np.maximum(p.entry[idx].astype(np.int64), span.start - 3650)
        again = rng.random(n) < 0.08
        later = day + rng.integers(30, 700, n)
        k = np.flatnonzero(again & (later <= span.end))
        person = np.concatenate([idx, idx[k]])
        codes = np.concatenate([code, code[k]])
        days = np.concatenate([day, later[k]])
        order = np.lexsort((days, person))
        return {"Person_ID": person[order], "ReligiousAffiliationGroup": codes[order],
                "SocPerCircumstanceRecDate": days[order]}
