"""The breakdowns every metric can be reported by, and the order of their groups.

A *breakdown* names one way of splitting a metric's unit rows into groups: ``ethnicity_5``
(five groups plus Not stated and Not known), ``ethnicity_16``, ``age_band``, ``sex``,
``imd_quintile``, ``locality``, ``team``, ``ward``, ``preferred_language``,
``interpreter_need``, ``religion``, ``disability``, ``month``, ``quarter``; ``total`` is the
one group "Total". A *cross* breakdown splits by two at once, with the team first if it is
one side (team profiles are read team by team), else the ethnicity breakdown first:
``ethnicity_5 x sex`` has a row per (ethnic group, sex), the ethnic group in ``group`` and the
sex in ``subgroup``; ``team x ethnicity_16`` has the team in ``group``. Every breakdown
partitions the unit rows (unknowns are groups of their own), so each breakdown's groups add
up to the Total: the disclosure step relies on it.

Each breakdown belongs to a *dimension* — ethnicity (5 and 16 groups nest), time (months nest
in quarters), or one of its own — which is how the results are laid out as tables for
secondary suppression (:mod:`pcref.results.disclosure`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pcref.metrics import attributes
from pcref.metrics.attributes import NOT_KNOWN, NOT_STATED
from pcref.metrics.periods import Period

TOTAL = "total"
TOTAL_GROUP = "Total"
CROSS_SEPARATOR = " x "


@dataclass(frozen=True)
class Breakdown:
    """One breakdown: its name, the column holding its group labels, and its dimension."""

    name: str
    dimension: str
    title: str
    #: Whether population denominators exist for it (the population table has the attribute).
    population: bool
    #: The unit-row column it needs beyond Person_ID and event_date, if any.
    needs: str | None = None


BREAKDOWNS: dict[str, Breakdown] = {
    b.name: b
    for b in (
        Breakdown(TOTAL, "total", "Total", True),
        Breakdown("ethnicity_5", "ethnicity", "Ethnic group (5 groups)", True),
        Breakdown("ethnicity_16", "ethnicity", "Ethnic group (16 groups)", True),
        Breakdown("age_band", "age_band", "Age band", True),
        Breakdown("sex", "sex", "Sex", True),
        Breakdown("imd_quintile", "imd_quintile", "Deprivation (IMD quintile)", False),
        Breakdown("locality", "locality", "Locality", True),
        Breakdown("team", "team", "Team", False, needs="team_id"),
        Breakdown("ward", "ward", "Ward", False, needs="ward_code"),
        Breakdown("preferred_language", "preferred_language", "Preferred language", False),
        Breakdown("interpreter_need", "interpreter_need", "Interpreter need", False),
        Breakdown("religion", "religion", "Religion or belief", False),
        Breakdown("disability", "disability", "Disability", False),
        Breakdown("month", "time", "Month", True),
        Breakdown("quarter", "time", "Quarter", True),
        # listening (issue 6): experience_* metrics from feedback, not from the warehouse
        Breakdown("respondent_type", "respondent_type", "Who gave feedback", False),
    )
}
ETHNICITY = ("ethnicity_5", "ethnicity_16")
TIME = ("month", "quarter")
#: Breakdowns whose population is the same whatever the time (time is not in the population).
POPULATION_COLUMNS = ("ethnicity_5", "ethnicity_16", "age_band", "sex", "locality")


@dataclass(frozen=True)
class Split:
    """A one-way breakdown, or a cross of two (``first`` holds ``group``, ``second`` the
    ``subgroup``)."""

    first: str
    second: str | None = None

    @property
    def name(self) -> str:
        if self.first == TOTAL:
            return TOTAL
        return self.first if self.second is None else f"{self.first}{CROSS_SEPARATOR}{self.second}"

    @property
    def columns(self) -> tuple[str, ...]:
        """Attribute columns the split groups by (none for the total)."""
        if self.first == TOTAL:
            return ()
        return (self.first,) if self.second is None else (self.first, self.second)

    @property
    def is_ethnicity(self) -> bool:
        return self.first in ETHNICITY

    @property
    def population_columns(self) -> tuple[str, ...]:
        """The columns its population is grouped by (time dropped: populations are yearly)."""
        return tuple(c for c in self.columns if c not in TIME)

    @property
    def has_population(self) -> bool:
        return all(BREAKDOWNS[c].population for c in self.columns)


def splits_of(breakdowns: tuple[str, ...], crosses: tuple[tuple[str, str], ...]) -> list[Split]:
    """The metric's splits in report order: total first, then its breakdowns, then crosses."""
    splits = [Split(TOTAL)]
    splits += [Split(b) for b in breakdowns if b != TOTAL]
    splits += [Split(a, b) for a, b in crosses]
    return splits


def group_order(breakdown: str, labels: list[str], periods: tuple[Period, ...]) -> list[str]:
    """``labels`` (the groups present) in the order results are sorted and shown.

    Ethnic groups, age bands, sexes and quintiles in their fixed order; months and quarters in
    time order; localities, teams and wards alphabetically; Not stated and Not known last.
    """
    fixed: tuple[str, ...]
    if breakdown == TOTAL:
        fixed = (TOTAL_GROUP,)
    elif breakdown == "ethnicity_5":
        fixed = attributes.ethnicity_5_labels()
    elif breakdown == "ethnicity_16":
        fixed = attributes.ethnicity_16_labels()
    elif breakdown == "age_band":
        fixed = attributes.AGE_BANDS
    elif breakdown == "sex":
        fixed = attributes.SEX_LABELS
    elif breakdown == "imd_quintile":
        fixed = (*attributes.IMD_QUINTILES, NOT_KNOWN)
    elif breakdown == "preferred_language":
        fixed = attributes.preferred_language_labels()
    elif breakdown == "interpreter_need":
        fixed = attributes.INTERPRETER_NEED_LABELS
    elif breakdown == "religion":
        fixed = attributes.religion_labels()
    elif breakdown == "disability":
        fixed = attributes.DISABILITY_LABELS
    elif breakdown == "month":
        fixed = tuple(m for p in periods for m in p.months)
    elif breakdown == "quarter":
        fixed = tuple(q for p in periods for q in p.quarters)
    else:
        unknown = (NOT_STATED, NOT_KNOWN)
        named = sorted((label for label in set(labels) if label not in unknown), key=str.casefold)
        fixed = (*named, *(u for u in unknown if u in labels))
    order = [label for label in fixed if label in set(labels)]
    unexpected = sorted(set(labels) - set(order))
    if unexpected:
        raise ValueError(f"breakdown {breakdown}: unexpected group label(s) {unexpected}")
    return order
