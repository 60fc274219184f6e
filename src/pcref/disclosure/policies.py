"""Disclosure-control policies as data.

A :class:`Policy` says which counts are too small to publish, how the others are rounded,
whether secondary suppression protects the small ones from differencing, when bed-day
rates are too unstable to show, and whether rates and other derived figures are hidden
with their numerator. Two policies are built in (see ``docs/methods/disclosure.md``):

``public``
    The platform's strict default for anything published outside the trust (DESIGN §7,
    requirements note §4 "Implication" and §7): counts 1–7 shown as ``*``, zero shown as
    ``0``, other counts rounded to the nearest 5, secondary suppression on, derived
    figures hidden with their numerator, bed-day rates hidden below 100 occupied bed days.
    The 1–7 band is NHS Digital's HES/ECDS sub-national standard (Sept 2018); Model
    Hospital also suppresses below 7.

``nhse``
    NHS England's MHSDS publication rule, for internal views by authorised staff: counts
    below 5 (zero included, as NHS England's ``suppress()`` does: ``if x < 5: '*'``) shown
    as ``*``, others rounded to the nearest 5, no secondary suppression, percentages and
    rates hidden when their numerator is (Mental Health Bulletin), restraint rates per
    1,000 occupied bed days hidden below 100 bed days (monthly restraint publication).
    Sources: GitHub NHSDigital/mental-health-act-annual-statistics ``mha_code/Functions.py``;
    NHSDigital/mental-health-monthly-statistics ``Restraints/Restraints_Suppression/
    Published_CSV_Suppression.py``; NHSDigital/mental-health-bulletin ``mhsds_functions.py``.

Custom policies are ordinary :class:`Policy` objects (``dataclasses.replace(PUBLIC, ...)``
or :meth:`Policy.from_dict` for one read from configuration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Policy:
    """One disclosure-control rule set, recorded with every output it is applied to.

    Attributes:
        name: Short identifier recorded in the ``disclosure_policy`` column.
        suppress_below: A count is *primary suppressed* when it is below this value (and
            above zero unless ``suppress_zero``). ``8`` means "1–7", ``5`` means "<5".
        suppress_zero: Whether a count of zero is suppressed too. When zero is shown, a
            published ``0`` is exact and an attacker knows every ``*`` is at least 1.
        rounding_base: Published counts are rounded to the nearest multiple of this,
            halves rounded up (12.5 → 15). ``None`` (or 1) publishes counts unrounded.
        secondary_suppression: Whether further cells are hidden so that no suppressed
            count can be recovered from published totals by differencing.
        min_bed_days: Rates whose denominator is occupied bed days are hidden when the
            bed days are below this. ``None`` switches the rule off.
        suppress_derived: Whether derived figures (rates, percentages, ratios and their
            limits) are hidden whenever a count on their row is hidden.
        symbol: What a suppressed figure is displayed as.
        description: One line saying what the policy is for.
        source: Where the rule comes from.
    """

    name: str
    suppress_below: float
    suppress_zero: bool
    rounding_base: int | None
    secondary_suppression: bool
    min_bed_days: float | None
    suppress_derived: bool = True
    symbol: str = "*"
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"policy name {self.name!r}: expected a non-empty string")
        if not _is_number(self.suppress_below) or self.suppress_below < 0:
            raise ValueError(
                f"policy {self.name!r}: suppress_below {self.suppress_below!r}: "
                "expected a number >= 0"
            )
        base = self.rounding_base
        if base is not None and (
            isinstance(base, bool) or not isinstance(base, int | np.integer) or base < 1
        ):
            raise ValueError(
                f"policy {self.name!r}: rounding_base {base!r}: expected a whole number >= 1 "
                "or None"
            )
        if self.min_bed_days is not None and (
            not _is_number(self.min_bed_days) or self.min_bed_days < 0
        ):
            raise ValueError(
                f"policy {self.name!r}: min_bed_days {self.min_bed_days!r}: "
                "expected a number >= 0 or None"
            )
        for flag in ("suppress_zero", "secondary_suppression", "suppress_derived"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(
                    f"policy {self.name!r}: {flag} {getattr(self, flag)!r}: expected True/False"
                )
        if self.suppress_below > 0:
            # Whole numbers a '*' can stand for; with only one, '*' would disclose it.
            choices = math.ceil(self.suppress_below) - (0 if self.suppress_zero else 1)
            if choices < 2:
                raise ValueError(
                    f"policy {self.name!r}: suppress_below {self.suppress_below!r} with "
                    f"suppress_zero={self.suppress_zero} leaves a single value behind '*'; "
                    "expected a range of at least two counts (or 0 for no suppression)"
                )
        if not isinstance(self.symbol, str) or not self.symbol:
            raise ValueError(f"policy {self.name!r}: symbol {self.symbol!r}: expected text")

    @property
    def rounds(self) -> bool:
        """Whether published counts are rounded."""
        return self.rounding_base is not None and self.rounding_base > 1

    @property
    def lower_bound_of_hidden(self) -> int:
        """The smallest value a hidden count can have, as anyone reading the output knows.

        When zero is published as ``0`` (and never chosen as a secondary cell), every
        ``*`` stands for at least 1; otherwise a ``*`` may be 0.
        """
        return 0 if self.suppress_zero else 1

    @property
    def zero_is_exact(self) -> bool:
        """Whether a published ``0`` can only be a true zero.

        True when rounding is off, or when every positive count that would round to 0
        (those below half the base) is suppressed instead.
        """
        if not self.rounds:
            return True
        return not self.suppress_zero and self.suppress_below * 2 >= self.rounding_base

    def is_primary(self, counts: np.ndarray) -> np.ndarray:
        """Boolean mask of counts this policy suppresses outright (NaN is never primary)."""
        values = np.asarray(counts, dtype="float64")
        small = values < self.suppress_below
        if not self.suppress_zero:
            small &= values > 0
        return small & ~np.isnan(values)

    def to_dict(self) -> dict[str, Any]:
        """The policy's full parameters, for recording with an output."""
        return asdict(self)

    @classmethod
    def from_dict(cls, params: Mapping[str, Any]) -> Policy:
        """Build a policy from a mapping (e.g. read from YAML), rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(
                f"policy parameters {unknown}: unknown; expected some of {sorted(known)}"
            )
        return cls(**dict(params))

    def describe(self) -> str:
        """A one-sentence, plain-English statement of the rule, for footnotes."""
        low = "0" if self.suppress_zero else "1"
        upper = self.suppress_below
        band = (
            f"{low}–{math.ceil(upper) - 1}"
            if float(upper).is_integer()
            else f"from {low} to below {upper}"
        )
        parts = [f"Counts {band} are shown as {self.symbol}"]
        if self.rounds:
            parts.append(f"other counts are rounded to the nearest {self.rounding_base}")
        if self.secondary_suppression:
            parts.append(
                "further figures are hidden so that suppressed counts cannot be worked out "
                "from totals"
            )
        if self.suppress_derived:
            parts.append("rates, percentages and ratios are hidden with their counts")
        if self.min_bed_days is not None:
            parts.append(
                f"rates per occupied bed day are hidden below {self.min_bed_days:g} bed days"
            )
        return "; ".join(parts) + "."


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


PUBLIC = Policy(
    name="public",
    suppress_below=8,
    suppress_zero=False,
    rounding_base=5,
    secondary_suppression=True,
    min_bed_days=100,
    suppress_derived=True,
    description="Strict default for anything published outside the trust.",
    source=(
        "PCREF platform DESIGN §7: strictest of the NHS rules in the requirements note §4 — "
        "1–7 suppressed (NHS Digital HES/ECDS disclosure control, Sept 2018), rounding to 5 "
        "and rates per bed day below 100 bed days hidden (NHS England MHSDS publications), "
        "plus secondary suppression."
    ),
)

NHSE = Policy(
    name="nhse",
    suppress_below=5,
    suppress_zero=True,
    rounding_base=5,
    secondary_suppression=False,
    min_bed_days=100,
    suppress_derived=True,
    description="NHS England's MHSDS rule, for internal views by authorised staff.",
    source=(
        "NHS England MHSDS publications: suppress() in NHSDigital/"
        "mental-health-act-annual-statistics mha_code/Functions.py (<5 -> '*', else nearest "
        "5); Mental Health Bulletin percentages hidden with their numerator; restraint rates "
        "per 1,000 bed days hidden below 100 bed days (mental-health-monthly-statistics)."
    ),
)

#: Built-in policies by name.
POLICIES: Mapping[str, Policy] = {PUBLIC.name: PUBLIC, NHSE.name: NHSE}


def resolve_policy(policy: str | Policy | Mapping[str, Any]) -> Policy:
    """Return the :class:`Policy` named by ``policy``, or ``policy`` itself.

    Accepts a built-in name (``"public"``, ``"nhse"``; case-insensitive), a
    :class:`Policy`, or a mapping of its parameters.
    """
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return Policy.from_dict(policy)
    if isinstance(policy, str):
        found = POLICIES.get(policy.strip().lower())
        if found is not None:
            return found
    raise ValueError(
        f"policy {policy!r}: unknown; expected one of {sorted(POLICIES)} or a Policy object"
    )
