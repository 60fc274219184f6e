"""Statistical disclosure control for every published PCREF output (DESIGN §7).

Public API:

* :func:`apply` — apply a policy to a tidy results table: primary suppression of small
  counts, rounding, secondary suppression along declared table lines, derived figures
  withheld with their counts, bed-day rates withheld below the minimum; returns a new
  table with ``suppressed``, ``status``, ``display_value`` and ``disclosure_policy``.
* :class:`Policy`, :data:`PUBLIC`, :data:`NHSE`, :data:`POLICIES`,
  :func:`resolve_policy` — policies as data.
* :func:`round_to_base` — rounding to the nearest 5, halves up.
* :func:`build_lines`, :func:`protect`, :func:`exposed_cells`, :class:`Line`,
  :class:`HiddenBounds` — the secondary-suppression engine for one table, its audit, and
  what a reader knows about a hidden value; :func:`withhold_whole_table` for a table too
  small to protect cell by cell (:class:`TableCannotBeProtected`).

Method, sources and the attacker model: ``docs/methods/disclosure.md``.
"""

from pcref.disclosure.control import (
    COMPARISON_PREFIXES,
    DERIVED_PREFIXES,
    OUTPUT_COLUMNS,
    ROUNDED,
    SHOWN,
    STATUSES,
    SUPPRESSED_BED_DAYS_PREFIX,
    SUPPRESSED_REFERENCE,
    SUPPRESSED_SECONDARY,
    SUPPRESSED_SMALL_COUNT,
    SUPPRESSED_WHOLE_TABLE,
    apply,
)
from pcref.disclosure.policies import NHSE, POLICIES, PUBLIC, Policy, resolve_policy
from pcref.disclosure.rounding import round_to_base
from pcref.disclosure.secondary import (
    HiddenBounds,
    Line,
    TableCannotBeProtected,
    build_lines,
    exposed_cells,
    protect,
    withhold_whole_table,
)

__all__ = [
    "COMPARISON_PREFIXES",
    "DERIVED_PREFIXES",
    "NHSE",
    "OUTPUT_COLUMNS",
    "POLICIES",
    "PUBLIC",
    "ROUNDED",
    "SHOWN",
    "STATUSES",
    "SUPPRESSED_BED_DAYS_PREFIX",
    "SUPPRESSED_REFERENCE",
    "SUPPRESSED_SECONDARY",
    "SUPPRESSED_SMALL_COUNT",
    "SUPPRESSED_WHOLE_TABLE",
    "HiddenBounds",
    "Line",
    "Policy",
    "TableCannotBeProtected",
    "apply",
    "build_lines",
    "exposed_cells",
    "protect",
    "resolve_policy",
    "round_to_base",
    "withhold_whole_table",
]
