"""Mental Health Act events: detentions, place-of-safety orders, CTOs and hospital spells.

**Detentions.** For every population cell (area × group × sex × age at the end of the
year) and financial year, the number of detention events is
Binomial(residents, base(age, sex) × trend(year) × ratio(group)), so the expected
age-sex-standardised detention rate ratio between two groups is exactly the ratio of their
configured ``disparities.detention`` values, whatever the standard population. Each event is
then given to a person in contact in that cell (∝ pathway weight × frailty, so some people
are detained repeatedly), or to a new person when the cell has nobody suitable.

**Sequences.** Every detention event is written as the MHS401/MHS501 pattern that NHS
England's classification (``notes/mha-detention-categories.md`` §4) puts in the intended
category, counted once:

* A — section 2 or 3 starting on the admission day (at or before the admission time, or
  with no time) with no earlier episode in the spell, or section 2 within five days of an
  admission via another provider's emergency department (method 2A; rule A2);
* B — informal admission (recorded as legal status 01 ending the day before, or not
  recorded), section 5(2) ending the day section 2/3 starts, or section 4 → section 2;
* C — section 136 ending on the day section 2/3 starts, on the admission day;
* D — recall of a person on a CTO (whose section 3 stays open during the CTO), revocation
  one to three days after the recall admission and a new section 3 from that day;
* P — court or prison order (35, 36, 37, 37/41, 38, 47, 47/49, 48, 48/49) starting on the
  admission day with admission method 11, 12 or 13.

Successions that are *not* new detentions are written so the rules see them as such:
section 2 → 3 on the same day (L), renewals starting the day the previous section ended
(G), 35 → 37 (K), section 136 without admission (E), section 5(2) that lapses in an
informal admission (F), admissions of people transferred on section 3 from another
provider (H). Quirk patterns that would make a real detention "N" or count twice (§9 of
the notes) are avoided, so the number of A/B/C/D/P episodes equals the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pcref.synth.config import PATHWAYS, SynthConfig
from pcref.synth.people import (
    EVENT_PATHWAY,
    ORIGIN_DETENTION,
    ORIGIN_SECTION_136,
    People,
    new_people,
)
from pcref.synth.population import N_AGES, Population
from pcref.synth.sampling import (
    choice_from,
    clock_times,
    grouped_choice,
    lognormal_days,
    rank_within,
    seasonal_offsets,
)
from pcref.synth.span import Span

CAT_A, CAT_B, CAT_C, CAT_D, CAT_P = range(5)
CATEGORY_LETTERS = "ABCDP"
NO_DAY = np.iinfo(np.int64).min // 4
NO_TIME = -1
_GAP = 14  # minimum days between a person's detention events
_SPELL_GAP = 10  # a spell ends at least this many days before the person's next event
_LEAD_MAX = 7
_FAR = np.iinfo(np.int64).max // 4

# Admission methods (MethAdmMHHospProvSpell) by situation.
_EMERGENCY = {"21": 0.35, "22": 0.10, "23": 0.04, "24": 0.04, "25": 0.32, "2D": 0.15}
_AFTER_PLACE_OF_SAFETY = {"21": 0.45, "25": 0.35, "2D": 0.20}
_COURT = {"11": 0.2, "12": 0.3, "13": 0.5}
_INFORMAL = {"21": 0.25, "22": 0.12, "24": 0.05, "25": 0.35, "2D": 0.13, "12": 0.05, "13": 0.05}


@dataclass
class Rows:
    """Columns of one output table under construction, plus the owning person of each row."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, **columns: np.ndarray) -> None:
        for key, value in columns.items():
            value = np.asarray(value)
            if key in self.columns:
                self.columns[key] = np.concatenate([self.columns[key], value])
            else:
                self.columns[key] = value

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def take(self, order: np.ndarray) -> Rows:
        return Rows({k: v[order] for k, v in self.columns.items()})


@dataclass
class Spells:
    """Hospital spells of every kind (for ward stays, restrictive interventions, referrals)."""

    person: np.ndarray
    adm: np.ndarray
    adm_time: np.ndarray
    dis: np.ndarray  # planned discharge day (may be after the span: then open)
    dis_time: np.ndarray
    method: np.ndarray
    dest: np.ndarray
    kind: np.ndarray  # 0 detention event, 1 informal, 2 transfer in on section, 3 CTO recall
    category: np.ndarray  # detention category (or -1)
    section: np.ndarray  # detention section code ("" if none)
    first_day: np.ndarray  # first day of the event (place-of-safety start for C)
    tmp: np.ndarray  # provisional spell number


@dataclass
class MhaResult:
    episodes: Rows
    ctos: Rows
    recalls: Rows
    spells: Spells
    place_of_safety: Rows  # section 136 events not followed by detention: person, day, admitted
    detention_counts: dict  # realised counts by financial year and category
    expected_cell_rates: dict  # for truth.json
    dropped_events: int


class _Ids:
    def __init__(self) -> None:
        self.next = 0

    def take(self, n: int) -> np.ndarray:
        out = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        return out


#: NHS England's six age bands for Mental Health Act rates (first and last age).
NHSE_BANDS = ((0, 15), (16, 17), (18, 34), (35, 49), (50, 64), (65, 90))


def band_rates(spec: dict) -> np.ndarray:
    """Per-100,000 rate by sex × single year of age from six band rates (zero below min_age)."""
    ages = np.arange(N_AGES)
    out = np.zeros((2, N_AGES))
    for s, sex in enumerate(("male", "female")):
        for (lo, hi), rate in zip(NHSE_BANDS, spec[sex], strict=True):
            out[s, lo: hi + 1] = float(rate)
    out[:, ages < int(spec["min_age"])] = 0.0
    return out


def cell_event_rates(config: SynthConfig, key: str, disparity: str) -> tuple:
    """Per-100,000 base rate by sex × age, and the ratio by group, for an event kind."""
    return band_rates(config.get(key)), config.group_values(disparity)


def _draw_cell_events(population: Population, base: np.ndarray, ratio: np.ndarray,
                      trend: np.ndarray, rng: np.random.Generator):
    flat = population.flat()
    cells = np.flatnonzero(flat > 0)
    _, group, sex, age = Population.unravel(cells)
    lam = base[sex, age] / 1e5 * ratio[group]
    ys, cs = [], []
    for y, factor in enumerate(trend):
        n = rng.binomial(flat[cells], np.minimum(lam * factor, 1.0))
        cs.append(np.repeat(cells, n))
        ys.append(np.full(int(n.sum()), y, dtype=np.int64))
    return np.concatenate(ys), np.concatenate(cs)


def build_mha(config: SynthConfig, span: Span, population: Population, people: People,
              seed_rng) -> MhaResult:
    """All Mental Health Act events and hospital spells; may append people to ``people``."""
    m = config["mental_health_act"]
    rng = seed_rng(1)
    trend = np.asarray(m["trend_by_year"], dtype=float)
    fy_start = span.fy_start
    capacity = population.flat() - np.bincount(people.index_cell(), minlength=population.cells)
    pathway_weight = np.array([config.get(f"pathways.{p}.detention_weight") for p in PATHWAYS]
                              + [6.0])

    # --- detention events: counts per cell and year, categories, leads, tentative days ---
    det_base, det_ratio = cell_event_rates(config, "mental_health_act.detention_rate_per_100k",
                                           "detention")
    ev_fy, ev_cell = _draw_cell_events(population, det_base, det_ratio, trend, rng)
    n_ev = len(ev_fy)
    _, _, _, ev_age = Population.unravel(ev_cell)
    cat_keys = ("on_admission", "subsequent_to_admission", "after_place_of_safety", "court_order")
    cat_p = np.array([m["categories"][k] for k in cat_keys], dtype=float)
    category = np.array([CAT_A, CAT_B, CAT_C, CAT_P])[rng.choice(4, n_ev, p=cat_p / cat_p.sum())]
    category = np.where((category == CAT_P) & (ev_age < 16), CAT_A, category)
    variant = np.zeros(n_ev, dtype=np.int64)
    sub = m["subsequent_to_admission"]
    b_keys = ("informal_recorded", "no_informal_record", "via_section_5_2", "via_section_4")
    b_p = np.array([sub[k] for k in b_keys], dtype=float)
    is_b = category == CAT_B
    variant[is_b] = rng.choice(4, int(is_b.sum()), p=b_p / b_p.sum())
    section = np.where(rng.random(n_ev) < m["on_admission"]["section_3"], "03", "02").astype(object)
    is_c = category == CAT_C
    section[is_c] = np.where(rng.random(int(is_c.sum())) < m["after_place_of_safety"]["section_3"],
                             "03", "02")
    section[is_b & (variant == 3)] = "02"  # section 4 is followed by section 2
    is_a2 = (category == CAT_A) & (section == "02") & (
        rng.random(n_ev) < m["on_admission"]["via_other_provider_emergency_department"])
    variant[is_a2] = 1
    is_p = category == CAT_P
    idx, vocab = choice_from(m["court_order_codes"], int(is_p.sum()), rng)
    section[is_p] = vocab[idx]
    lead = np.zeros(n_ev, dtype=np.int64)
    lead[is_a2] = rng.integers(1, 6, int(is_a2.sum()))
    b_lead = np.minimum(rng.geometric(0.35, n_ev), _LEAD_MAX)
    lead[is_b] = b_lead[is_b]
    via_s4 = is_b & (variant == 3)
    lead[via_s4] = rng.integers(1, 3, int(via_s4.sum()))
    overnight = is_c & (rng.random(n_ev) < m["after_place_of_safety"]["place_of_safety_overnight"])
    lead[overnight] = 1
    year_days = fy_start[ev_fy + 1] - fy_start[ev_fy]
    t = fy_start[ev_fy] + seasonal_offsets(rng.random(n_ev), m["month_weights"], year_days)
    needs_lead = is_b
    # an event may begin in the previous year (then only people known that year can have it),
    # except in the first year of the span and for babies, who did not exist the year before
    t, lead, variant = _clip_leads(t, lead, variant, needs_lead, is_a2, fy_start[ev_fy],
                                   allow=(ev_fy > 0) & (ev_age > 0))
    crossing = t - lead < fy_start[ev_fy]

    # --- section 136 events not followed by detention ---
    s136_base, s136_ratio = cell_event_rates(
        config, "mental_health_act.section_136_rate_per_100k", "section_136")
    pos_fy, pos_cell = _draw_cell_events(population, s136_base, s136_ratio, trend, rng)
    pos_t = fy_start[pos_fy] + seasonal_offsets(rng.random(len(pos_fy)), m["month_weights"],
                                                fy_start[pos_fy + 1] - fy_start[pos_fy])

    # --- attach events to people (new people where a cell has nobody suitable) ---
    shape = float(m["frailty_shape"])
    ev_person, det_dropped = _attach(ev_fy, ev_cell, crossing, t - lead, people, capacity,
                                     pathway_weight, None, ORIGIN_DETENTION, shape, span, rng)
    detained = np.zeros(people.n, dtype=bool)
    detained[ev_person[ev_person >= 0]] = True
    pos_person, pos_dropped = _attach(pos_fy, pos_cell, np.zeros(len(pos_fy), bool), pos_t,
                                      people, capacity, pathway_weight, ~detained,
                                      ORIGIN_SECTION_136, shape, span, rng)
    keep = ev_person >= 0
    ev = {"person": ev_person[keep], "fy": ev_fy[keep], "cell": ev_cell[keep],
          "category": category[keep], "variant": variant[keep], "section": section[keep],
          "lead": lead[keep], "t": t[keep]}
    ev["t"] = _space(ev["person"], ev["fy"], ev["t"], fy_start, rng)
    own_year = people.index_fy[ev["person"]] == ev["fy"]
    ev["t"], ev["lead"], ev["variant"] = _clip_leads(
        ev["t"], ev["lead"], ev["variant"], ev["category"] == CAT_B,
        (ev["category"] == CAT_A) & (ev["variant"] == 1), fy_start[ev["fy"]], allow=~own_year)
    pos_keep = pos_person >= 0
    pos = {"person": pos_person[pos_keep], "fy": pos_fy[pos_keep]}
    pos["t"] = _space(pos["person"], pos["fy"], pos_t[pos_keep], fy_start, rng)

    builder = _Builder(config, span, people, rng)
    builder.detentions(ev)
    builder.place_of_safety(pos)
    busy = np.zeros(people.n, dtype=bool)
    busy[ev["person"]] = True
    busy[pos["person"]] = True
    builder.informal_admissions(busy)
    builder.transfers_in(round(len(ev["t"]) * m["transfers_in_on_section_per_detention"]))
    result = builder.finish()
    result.dropped_events = det_dropped + pos_dropped
    result.expected_cell_rates = {
        "detention_base_per_100k": det_base, "detention_ratio": det_ratio,
        "section_136_base_per_100k": s136_base, "section_136_ratio": s136_ratio,
        "trend": trend,
    }
    return result


def _clip_leads(t, lead, variant, needs_lead, is_a2, floor, allow):
    """Keep an event's first day inside its year where the person must start in that year."""
    t = t.copy()
    lead = lead.copy()
    variant = variant.copy()
    clip = ~np.asarray(allow) & (t - lead < floor)
    lead = np.where(clip, t - floor, lead)
    bump = needs_lead & (lead < 1)
    t = np.where(bump, t + 1, t)
    lead = np.where(bump, 1, lead)
    variant = np.where(is_a2 & (lead < 1), 0, variant)
    return t, lead, variant


def _attach(fy, cell, crossing, first_day, people: People, capacity, pathway_weight,
            eligible, origin, shape, span: Span, rng):
    """Give each event a person in its cell that year (new people when needed)."""
    person = np.full(len(fy), -1, dtype=np.int64)
    dropped = 0
    for y in range(span.years):
        for cross in (False, True):
            sel = np.flatnonzero((fy == y) & (crossing == cross))
            if not len(sel):
                continue
            key = people.cell_in_year(y)
            ok = key >= 0
            if cross:
                ok &= people.index_fy < y
            if eligible is not None:
                ok &= np.r_[eligible, np.ones(people.n - len(eligible), bool)]
            cand = np.flatnonzero(ok)
            w = pathway_weight[people.pathway[cand]] * people.frailty[cand]
            order = np.argsort(key[cand], kind="stable")
            cand = cand[order]
            pick = grouped_choice(key[cand], w[order], cell[sel], rng)
            person[sel[pick >= 0]] = cand[pick[pick >= 0]]
            need = sel[pick < 0]
            if not len(need):
                continue
            # new people, index year y (or y - 1 when the event starts in the previous year)
            area, group, sex, age = Population.unravel(cell[need])
            index_fy = np.full(len(need), y - int(cross))
            index_age = np.where(cross & (age < N_AGES - 1), age - 1, age)
            index_cell = Population.cell_index(area, group, sex, index_age)
            order = np.argsort(index_cell, kind="stable")
            rank = rank_within(index_cell[order])
            fits = np.zeros(len(need), dtype=bool)
            fits[order] = rank < capacity[index_cell[order]]
            dropped += int((~fits).sum())
            made = need[fits]
            newcomers = new_people(area[fits], group[fits], sex[fits], index_age[fits],
                                   index_fy[fits], np.full(len(made), EVENT_PATHWAY),
                                   origin, rng, shape)
            newcomers.entry = first_day[made].astype(np.int64)
            np.subtract.at(capacity, index_cell[fits], 1)
            start = people.n
            people.append(newcomers)
            person[made] = np.arange(start, start + len(made))
    return person, dropped


def _space(person, fy, t, fy_start, rng):
    """Spread one person's events in a year at least two weeks apart (and across years)."""
    if not len(t):
        return t
    order = np.lexsort((t, fy, person))
    p, y, d = person[order], fy[order], t[order]
    group = p * 64 + y
    j = rank_within(group)
    _, inverse, sizes = np.unique(group, return_inverse=True, return_counts=True)
    k = sizes[inverse]
    has_prev = np.isin(group - 1, group)
    has_next = np.isin(group + 1, group)
    low = fy_start[y] + 7 * has_prev
    high = fy_start[y + 1] - 1 - 7 * has_next
    width = high - low + 1
    gap = np.where(k > 1, np.minimum(_GAP, (width - 1) // np.maximum(k - 1, 1)), 0)
    avail = width - gap * (k - 1)
    length = fy_start[y + 1] - fy_start[y]
    spaced = low + np.floor((d - fy_start[y]) / length * avail).astype(np.int64) + gap * j
    out = np.empty_like(t)
    out[order] = spaced
    return out


class _Builder:
    """Lays events out as MHS401 episodes, MHS404 CTOs, MHS405 recalls and MHS501 spells."""

    def __init__(self, config: SynthConfig, span: Span, people: People, rng):
        self.c = config
        self.m = config["mental_health_act"]
        self.span = span
        self.people = people
        self.rng = rng
        self.end = span.end
        self.episodes = Rows()
        self.ctos = Rows()
        self.recalls = Rows()
        self.spells: list[dict] = []
        self.pos = Rows()
        self.ep_ids = _Ids()
        self.spell_ids = _Ids()
        self.counts = np.zeros((span.years, 5), dtype=np.int64)
        self.cto_p = config.group_values("cto")
        self.cto_updates: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    # --- helpers ------------------------------------------------------------------------

    def _los(self, key: str, n: int) -> np.ndarray:
        return np.maximum(1, np.rint(lognormal_days(self.m["length_of_stay"][key], n, self.rng)
                                     )).astype(np.int64)

    def _episode(self, person, code, start, start_time, end, end_time, expiry) -> np.ndarray:
        """Append MHS401 rows (scalars broadcast); returns their provisional ids."""
        n = len(person)
        ids = self.ep_ids.take(n)

        def full(value, dtype):
            return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()

        self.episodes.add(person=full(person, np.int64), tmp=ids, code=full(code, object),
                          start=full(start, np.int64), start_time=full(start_time, np.int64),
                          end=full(end, np.int64), end_time=full(end_time, np.int64),
                          expiry=full(expiry, np.int64))
        return ids

    def _spell(self, **fields) -> np.ndarray:
        n = len(fields["person"])
        fields["tmp"] = self.spell_ids.take(n)
        self.spells.append(fields)
        return fields["tmp"]

    def _method(self, mapping: dict, n: int) -> np.ndarray:
        idx, vocab = choice_from(mapping, n, self.rng)
        return vocab[idx]

    def _destination(self, person, section) -> np.ndarray:
        n = len(person)
        age = self.people.index_age[person]
        r = self.rng.random(n)
        dest = np.full(n, "19", dtype=object)
        dest[r < 0.04] = "29"
        older = age >= 75
        dest[older & (r > 0.90)] = self.rng.choice(["54", "65", "85"], int((older & (r > 0.90))
                                                                        .sum()))
        dest[older & (r > 0.975)] = "79"
        court = np.isin(section, ["07", "08", "12"])
        dest[court] = "37"
        prison = np.isin(section, ["15", "17", "18"]) & (r < 0.5)
        dest[prison] = "38"
        return dest

    def _sections(self, person, code, start, start_time, end, end_time, renew: bool):
        """A section from ``start`` to ``end`` as episodes; with ``renew``, a new episode every
        182 days starting on the day the previous one ended (category G, not a detention).

        Returns the provisional id of each section's last episode.
        """
        n = len(person)
        length = np.maximum(end - start, 0)
        pieces = 1 + (np.maximum(length - 1, 0) // 182 if renew else np.zeros(n, np.int64))
        row = np.repeat(np.arange(n), pieces)
        j = np.arange(len(row)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        s = start[row] + 182 * j
        e = np.minimum(s + 182, end[row])
        last = j == pieces[row] - 1
        renewal_time = clock_times(len(row), self.rng, "office")
        st = np.where(j == 0, start_time[row], renewal_time)
        et = np.where(last, end_time[row], np.r_[st[1:], NO_TIME])
        code = code[row]
        expiry = np.where(code == "02", s + 28, s + 182)
        expiry = np.where(np.isin(code, ["09", "15", "17"]), NO_DAY, expiry)
        ids = self._episode(person[row], code, s, st, e, et, expiry)
        return ids[last]


    # --- detention events -------------------------------------------------------------

    def detentions(self, ev: dict) -> None:
        """Spells, episodes, CTOs and recalls for detention events, person by person in time.

        Events are handled by their rank within the person (first, second, …) so that a CTO
        made at one discharge can be revoked at the next event: when the person is still on
        the CTO on the day before the next event begins, that event becomes a revocation (D).
        """
        rng = self.rng
        order = np.lexsort((ev["t"], ev["person"]))
        ev = {k: v[order].copy() for k, v in ev.items()}
        n = len(ev["t"])
        person = ev["person"]
        rank = rank_within(person)
        same_next = np.r_[person[1:] == person[:-1], False]
        cap = np.where(same_next, np.r_[ev["t"][1:], 0] - _SPELL_GAP, _FAR)
        self.final_s3 = np.full(n, -1, dtype=np.int64)
        self.cto_start = np.full(n, NO_DAY)
        self.cto_planned = np.full(n, NO_DAY)
        self.people_of_event = person
        group = self.people.group[person]
        for r in range(int(rank.max()) + 1 if n else 0):
            sel = np.flatnonzero(rank == r)
            if r > 0:
                prev = sel - 1
                first_day = ev["t"][sel] - ev["lead"][sel]
                has_cto = self.cto_planned[prev] != NO_DAY
                on_cto = has_cto & (self.cto_planned[prev] >= first_day - 1)
                d, p = sel[on_cto], prev[on_cto]
                ev["category"][d] = CAT_D
                ev["section"][d] = "03"
                ev["variant"][d] = 0
                ev["lead"][d] = rng.integers(1, 4, len(d))
                recall_day = ev["t"][d] - ev["lead"][d]
                self._cto(p, end=ev["t"][d], reason="02", next_first=recall_day)
                self.recalls.add(person=person[d], episode_tmp=self.final_s3[p], start=recall_day,
                                 end=ev["t"][d])
                q = has_cto & ~on_cto
                self._cto(prev[q], end=self.cto_planned[prev[q]], reason="01",
                          next_first=first_day[q])
                self.cto_planned[prev] = NO_DAY
            final, dis, dest = self._detention_spells(sel, ev, cap)
            self.final_s3[sel] = final
            cto = (final >= 0) & (dis <= self.end) & ~np.isin(dest, ["79", "37", "38"])
            cto &= rng.random(len(sel)) < self.cto_p[group[sel]]
            months = lognormal_days(self.m["cto"]["duration_months"], len(sel), rng)
            self.cto_start[sel] = np.where(cto, dis, NO_DAY)
            self.cto_planned[sel] = np.where(cto, dis + np.rint(months * 30.44).astype(np.int64),
                                             NO_DAY)
        last = np.flatnonzero(self.cto_planned != NO_DAY)
        self._cto(last, end=self.cto_planned[last], reason="01",
                  next_first=np.full(len(last), _FAR))
        fy = self.span.fy_of(ev["t"])
        np.add.at(self.counts, (fy, ev["category"]), 1)
        self.detention_events = ev

    def _cto(self, prev, end, reason, next_first) -> None:
        """MHS404 rows for CTOs made at the discharge of events ``prev``, ending on ``end``.

        The section 3 the CTO belongs to stays open while the CTO lasts and expires with it,
        so a recall admission links to it (as NHS England's rule D expects).
        """
        if not len(prev):
            return
        rng = self.rng
        start = self.cto_start[prev]
        open_ = end > self.end
        end_day = np.where(open_, NO_DAY, end)
        limit = np.where(open_, self.end, end)
        expiry = start + 182
        for step in (182, 365, 365, 365, 365, 365, 365, 365, 365):
            expiry = np.where(expiry < limit, expiry + step, expiry)
        episode = self.final_s3[prev]
        person = self.people_of_event[prev]
        self.ctos.add(person=person, episode_tmp=episode, start=start, expiry=expiry, end=end_day,
                      reason=np.where(open_, None, reason).astype(object))
        self.cto_updates.append((episode, end_day, expiry))
        # a recall to hospital that ends without revocation, some way into the CTO
        latest = np.minimum(limit, next_first) - 5
        earliest = start + 14
        ok = (rng.random(len(prev)) < self.m["cto"]["recall_without_revocation"]) & (
            latest > earliest)
        k = np.flatnonzero(ok)
        day = earliest[k] + np.floor(rng.random(len(k)) * (latest[k] - earliest[k])).astype(
            np.int64)
        stay = np.minimum(self._los("recall", len(k)), 3)
        who = person[k]
        self.recalls.add(person=who, episode_tmp=episode[k], start=day, end=day + stay)
        self._spell(person=who, adm=day, adm_time=clock_times(len(k), rng, "evening"),
                    dis=day + stay, dis_time=clock_times(len(k), rng, "office"),
                    method=np.full(len(k), "2D", dtype=object),
                    dest=np.full(len(k), "19", dtype=object), kind=np.full(len(k), 3),
                    category=np.full(len(k), -1), section=np.full(len(k), "", dtype=object),
                    first_day=day)

    def _detention_spells(self, sel, ev, cap):
        """Spell and episodes for detention events ``sel``.

        Returns, per event, the provisional id of the section 3 episode in force at discharge
        (-1 if none), the discharge day and the discharge destination.
        """
        rng, m = self.rng, self.m
        n = len(sel)
        person = ev["person"][sel]
        cat = ev["category"][sel]
        var = ev["variant"][sel]
        sec = ev["section"][sel]
        t = ev["t"][sel]
        lead = ev["lead"][sel]
        adm = np.where(cat == CAT_C, t, t - lead)
        adm_time = clock_times(n, rng, "evening")
        adm_time = np.where(cat == CAT_P, clock_times(n, rng, "office"), adm_time)
        # place of safety before a C detention: starts the previous day (lead 1) or earlier
        # the same day; section 2/3 starts on the admission day after it ends
        is_c = cat == CAT_C
        adm_time = np.where(is_c, np.maximum(adm_time, 4 * 3600), adm_time)
        pos_start_time = np.where(lead > 0, clock_times(n, rng, "evening"),
                                  np.floor(rng.random(n) * (adm_time - 3600)).astype(np.int64))
        pos_end_time = np.where(lead > 0, np.minimum(adm_time, rng.integers(0, 12, n) * 3600),
                                np.maximum(pos_start_time + 1800, adm_time - 1800))
        if is_c.any():
            c = np.flatnonzero(is_c)
            self._episode(person[c], "20", t[c] - lead[c], pos_start_time[c], t[c],
                          pos_end_time[c], t[c] - lead[c] + 1)
        # section start time: A at or before admission (or unrecorded); C at admission
        sec_time = np.where(rng.random(n) < 0.5, adm_time,
                            np.maximum(adm_time - rng.integers(5, 60, n) * 60, 0))
        sec_time = np.where((cat == CAT_A) & (rng.random(n) < 0.08), NO_TIME, sec_time)
        sec_time = np.where(is_c, adm_time, sec_time)
        later = np.isin(cat, [CAT_B, CAT_D]) | ((cat == CAT_A) & (var == 1))
        sec_time = np.where(later, clock_times(n, rng, "office"), sec_time)
        # episodes before the section for B (and informal before A via method 2A)
        informal_before = ((cat == CAT_B) & np.isin(var, [0, 2])) | ((cat == CAT_A) & (var == 1))
        via_52 = (cat == CAT_B) & (var == 2)
        d52 = np.where(lead > 1, rng.integers(0, 2, n), 0)
        informal_end = np.where(via_52, t - d52, t - 1)
        i = np.flatnonzero(informal_before)
        informal_end_time = np.where(via_52, rng.integers(8, 12, n) * 3600,
                                     clock_times(n, rng, "office"))
        self._episode(person[i], "01", adm[i], adm_time[i], informal_end[i],
                      informal_end_time[i], NO_DAY)
        j = np.flatnonzero(via_52)
        s52_time = informal_end_time[j]
        sec_time[j] = np.minimum(s52_time + rng.integers(1, 6, len(j)) * 3600, 23 * 3600)
        self._episode(person[j], "05", t[j] - d52[j], s52_time, t[j], sec_time[j],
                      t[j] - d52[j] + 3)
        k = np.flatnonzero((cat == CAT_B) & (var == 3))
        self._episode(person[k], "04", adm[k], adm_time[k], t[k], sec_time[k], adm[k] + 3)

        # length of stay and how the section ends
        los = np.where(sec == "03", self._los("section_3", n), self._los("section_2", n))
        outcome = np.full(n, 2)  # 0 to section 3, 1 regraded informal, 2 discharged
        s2 = sec == "02"
        o = m["section_2_outcome"]
        p = np.array([o["to_section_3"], o["regraded_informal"], o["discharged"]], dtype=float)
        outcome[s2] = rng.choice(3, int(s2.sum()), p=p / p.sum())
        x = np.where(outcome == 0, t + rng.integers(7, 28, n), t + rng.integers(3, 28, n))
        x = np.where(outcome == 2, t + np.minimum(los, 27), x)
        dis = np.where(outcome == 0, x + self._los("section_3", n),
                       np.where(outcome == 1, x + self._los("after_section_2_regraded", n), x))
        dis = np.where(s2, dis, t + los)
        part3 = ~np.isin(sec, ["02", "03"])
        dis = np.where(part3, t + self._part3_los(sec), dis)
        dis = np.maximum(np.minimum(dis, cap[sel]), t)
        shortened = s2 & (x >= dis)
        outcome = np.where(shortened, 2, outcome)
        x = np.where(s2, np.minimum(x, dis), x)
        dis_time = clock_times(n, rng, "office")
        method = self._method(_EMERGENCY, n)
        method[(cat == CAT_A) & (var == 1)] = "2A"
        method[is_c] = self._method(_AFTER_PLACE_OF_SAFETY, int(is_c.sum()))
        method[cat == CAT_P] = self._method(_COURT, int((cat == CAT_P).sum()))
        method[cat == CAT_D] = "2D"
        dest = self._destination(person, sec)
        self._spell(person=person, adm=adm, adm_time=adm_time, dis=dis, dis_time=dis_time,
                    method=method, dest=dest, kind=np.zeros(n, np.int64), category=cat,
                    section=sec, first_day=t - lead)

        final = np.full(n, -1, dtype=np.int64)
        # section 2 (A, B, C): then section 3 (L), informal (regraded) or discharge
        a = np.flatnonzero(s2)
        end_time = np.where(outcome == 2, dis_time, clock_times(n, rng, "office"))
        self._sections(person[a], sec[a], t[a], sec_time[a], x[a], end_time[a], renew=False)
        b = np.flatnonzero(s2 & (outcome == 0))
        final[b] = self._sections(person[b], np.full(len(b), "03", dtype=object), x[b],
                                  end_time[b], dis[b], dis_time[b], renew=True)
        c = np.flatnonzero(s2 & (outcome == 1))
        self._episode(person[c], "01", x[c], end_time[c], dis[c], dis_time[c], NO_DAY)
        # section 3 (A, B, C, D)
        d = np.flatnonzero(sec == "03")
        final[d] = self._sections(person[d], sec[d], t[d], sec_time[d], dis[d], dis_time[d],
                                  renew=True)
        # court and prison orders (P)
        e = np.flatnonzero(part3)
        self._part3_episodes(person[e], sec[e], t[e], sec_time[e], dis[e], dis_time[e])
        return final, dis, dest

    def _part3_los(self, sec):
        n = len(sec)
        los = self._los("part_3", n)
        los = np.where(np.isin(sec, ["09", "15", "17"]), self._los("restricted", n), los)
        los = np.where(sec == "12", self._los("section_38", n), los)
        los = np.where(sec == "18", self._los("informal", n) + 30, los)
        s35 = sec == "07"
        to_37 = self.rng.random(n) < self.m["section_35_to_37"]
        los = np.where(s35, np.where(to_37, 27 + self._los("part_3", n),
                                     np.minimum(self._los("section_35", n), 27)), los)
        return los

    def _part3_episodes(self, person, sec, t, sec_time, dis, dis_time):
        s35 = (sec == "07") & (dis > t + 27)
        first_end = np.where(s35, t + 27, dis)
        first_end_time = np.where(s35, clock_times(len(sec), self.rng, "office"), dis_time)
        renew = np.isin(sec, ["10", "16"])
        r = np.flatnonzero(renew)
        self._sections(person[r], sec[r], t[r], sec_time[r], first_end[r], first_end_time[r],
                       renew=True)
        o = np.flatnonzero(~renew)
        expiry = np.where(np.isin(sec[o], ["09", "15", "17", "18"]), NO_DAY,
                          t[o] + np.where(sec[o] == "12", 84, 28))
        self._episode(person[o], sec[o], t[o], sec_time[o], first_end[o], first_end_time[o],
                      expiry)
        k = np.flatnonzero(s35)  # section 35 → 37 on the day 35 ends (K)
        self._sections(person[k], np.full(len(k), "10", dtype=object), first_end[k],
                       first_end_time[k], dis[k], dis_time[k], renew=True)

    # --- other events -------------------------------------------------------------------

    def place_of_safety(self, pos: dict) -> None:
        """Section 136 not followed by detention: released, or admitted informally (E)."""
        rng, m = self.rng, self.m
        order = np.lexsort((pos["t"], pos["person"]))
        person, t = pos["person"][order], pos["t"][order]
        n = len(t)
        overnight = rng.random(n) < m["section_136_overnight"]
        end = t + overnight
        start_time = clock_times(n, rng, "evening")
        end_time = np.where(overnight, rng.integers(1, 14, n) * 3600,
                            np.minimum(start_time + rng.integers(3, 10, n) * 3600, 86340))
        end_time = np.where(~overnight & (end_time <= start_time), 86340, end_time)
        self._episode(person, "20", t, start_time, end, end_time, t + 1)
        admitted = rng.random(n) < m["section_136_admitted_informally"]
        nxt = np.r_[t[1:], 0]
        same = np.r_[person[1:] == person[:-1], False]
        cap = np.where(same, nxt - 3, np.iinfo(np.int64).max // 4)
        a = np.flatnonzero(admitted & (end < cap))
        adm = end[a]
        dis = np.maximum(np.minimum(adm + self._los("informal", len(a)), cap[a]), adm)
        adm_time = np.minimum(end_time[a] + 1800, 86340)
        dis_time = clock_times(len(a), rng, "office")
        rec = rng.random(len(a)) < 0.5
        r = np.flatnonzero(rec)
        self._episode(person[a][r], "01", adm[r], adm_time[r], dis[r], dis_time[r], NO_DAY)
        self._spell(person=person[a], adm=adm, adm_time=adm_time, dis=dis, dis_time=dis_time,
                    method=self._method(_AFTER_PLACE_OF_SAFETY, len(a)),
                    dest=self._destination(person[a], np.full(len(a), "", dtype=object)),
                    kind=np.ones(len(a), np.int64), category=np.full(len(a), -1),
                    section=np.full(len(a), "", dtype=object), first_day=adm)
        self.pos.add(person=person, day=t, admitted=admitted & np.isin(np.arange(n), a))

    def informal_admissions(self, excluded: np.ndarray) -> None:
        """Informal admissions of people with no detention or place-of-safety event."""
        rng, m, people = self.rng, self.m, self.people
        n_people = people.n
        excluded = np.r_[excluded, np.zeros(n_people - len(excluded), bool)]
        acute = np.isin(people.pathway, [PATHWAYS.index(p) for p in
                                         ("adult_community", "crisis", "older_adult")])
        eligible = acute & ~excluded & (people.index_age >= 16)
        start = np.maximum(people.entry, self.span.start)
        weight = np.where(eligible, np.array(
            [self.c.get(f"pathways.{p}.detention_weight") for p in PATHWAYS] + [6.0]
        )[people.pathway] * people.frailty, 0.0)
        # each year: informal admissions = ratio × that year's detentions, shared among the
        # people in contact that year in proportion to weight × days in contact
        persons, days = [], []
        fy_start = self.span.fy_start
        for y in range(self.span.years):
            lo, hi = fy_start[y], fy_start[y + 1]
            first = np.maximum(start, lo)
            active = np.clip(hi - first, 0, hi - lo)
            w = weight * active
            target = m["informal_admissions_per_detention"] * int(self.counts[y].sum())
            k = rng.poisson(target * w / max(w.sum(), 1e-12))
            who = np.repeat(np.arange(n_people), k)
            persons.append(who)
            days.append(first[who] + np.floor(rng.random(len(who)) * active[who]).astype(
                np.int64))
        person = np.concatenate(persons)
        day = np.concatenate(days)
        order = np.lexsort((day, person))
        person, day = person[order], day[order]
        j = rank_within(person)
        segment = np.cumsum(np.r_[True, person[1:] != person[:-1]]) - 1
        day = _segment_cummax(day - 30 * j, segment) + 30 * j  # at least 30 days apart
        keep = day <= self.end
        person, day = person[keep], day[keep]
        n = len(day)
        nxt = np.r_[day[1:], 0]
        same = np.r_[person[1:] == person[:-1], False]
        cap = np.where(same, nxt - 3, np.iinfo(np.int64).max // 4)
        dis = np.maximum(np.minimum(day + self._los("informal", n), cap), day)
        adm_time = clock_times(n, rng, "evening")
        dis_time = clock_times(n, rng, "office")
        rec = rng.random(n) < 0.5
        lapse = rng.random(n) < m["section_5_2_in_informal_spell"]
        lapse &= dis - day >= 3
        plain = np.flatnonzero(rec & ~lapse)
        self._episode(person[plain], "01", day[plain], adm_time[plain], dis[plain],
                      dis_time[plain], NO_DAY)
        li = np.flatnonzero(lapse)
        x = day[li] + 1 + np.floor(rng.random(len(li)) * (dis[li] - day[li] - 2)).astype(np.int64)
        x_end = np.minimum(x + rng.integers(0, 3, len(li)), dis[li])
        t1 = clock_times(len(li), rng, "office")
        t2 = np.minimum(t1 + 4 * 3600, 86000)
        self._episode(person[li], "01", day[li], adm_time[li], x, t1, NO_DAY)
        self._episode(person[li], "05", x, t1, x_end, t2, x + 3)
        self._episode(person[li], "01", x_end, t2, dis[li], dis_time[li], NO_DAY)
        self._spell(person=person, adm=day, adm_time=adm_time, dis=dis, dis_time=dis_time,
                    method=self._method(_INFORMAL, n),
                    dest=self._destination(person, np.full(n, "", dtype=object)),
                    kind=np.ones(n, np.int64), category=np.full(n, -1),
                    section=np.full(n, "", dtype=object), first_day=day)
        self.informal_people = np.unique(person)

    def transfers_in(self, count: int) -> None:
        """People admitted on a section 3 made at another provider (method 81; category H)."""
        rng, people = self.rng, self.people
        busy = np.zeros(people.n, dtype=bool)
        for s in self.spells:
            busy[s["person"]] = True
        for key in ("person",):
            busy[self.pos.columns.get(key, np.zeros(0, np.int64))] = True
        adults = (people.index_age >= 18) & ~busy & np.isin(
            people.pathway, [PATHWAYS.index("adult_community"), PATHWAYS.index("crisis")])
        cand = np.flatnonzero(adults)
        count = min(count, len(cand))
        if count == 0:
            return
        person = np.sort(rng.choice(cand, count, replace=False))
        start = np.maximum(people.entry[person], self.span.start)
        adm = start + np.floor(rng.random(count) * np.maximum(self.end - start, 1)).astype(
            np.int64)
        sec_start = adm - rng.integers(10, 90, count)
        dis = np.minimum(adm + self._los("section_3", count), sec_start + 181)
        dis = np.maximum(dis, adm + 1)
        adm_time = clock_times(count, rng, "office")
        dis_time = clock_times(count, rng, "office")
        self._episode(person, "03", sec_start, clock_times(count, rng, "office"), dis, dis_time,
                      sec_start + 182)
        self._spell(person=person, adm=adm, adm_time=adm_time, dis=dis, dis_time=dis_time,
                    method=np.where(rng.random(count) < 0.85, "81", "2B").astype(object),
                    dest=np.full(count, "19", dtype=object), kind=np.full(count, 2),
                    category=np.full(count, -1), section=np.full(count, "03", dtype=object),
                    first_day=adm)

    # --- assembly -----------------------------------------------------------------------

    def finish(self) -> MhaResult:
        ep = self.episodes.columns
        for tmp, end, expiry in self.cto_updates:
            ep["end"][tmp] = end
            ep["end_time"][tmp] = np.where(end == NO_DAY, NO_TIME, 12 * 3600)
            ep["expiry"][tmp] = expiry
        cols = {k: np.concatenate([s[k] for s in self.spells]) for k in self.spells[0]}
        spells = Spells(person=cols["person"], adm=cols["adm"], adm_time=cols["adm_time"],
                        dis=cols["dis"], dis_time=cols["dis_time"], method=cols["method"],
                        dest=cols["dest"], kind=cols["kind"], category=cols["category"],
                        section=cols["section"], first_day=cols["first_day"], tmp=cols["tmp"])
        counts = {
            self.span.label(y): {CATEGORY_LETTERS[c]: int(self.counts[y, c]) for c in range(5)}
            for y in range(self.span.years)
        }
        return MhaResult(episodes=self.episodes, ctos=self.ctos, recalls=self.recalls,
                         spells=spells, place_of_safety=self.pos, detention_counts=counts,
                         expected_cell_rates={}, dropped_events=0)


def _segment_cummax(values: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` restarting at each new ``segment`` (segments sorted)."""
    if not len(values):
        return values
    low = values.min()
    offset = segment.astype(np.int64) * (int(values.max() - low) + 1)
    return np.maximum.accumulate(values - low + offset) - offset + low
