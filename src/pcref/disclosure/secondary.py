"""Secondary suppression: hide further cells so no suppressed count can be worked out.

A published table is a set of *cells* (one count each) tied together by *lines*: a line is
a margin cell and the member cells that add up to it (a row of a two-way table and its row
total, a column and its column total, the children of a hierarchy node and the node).
Whoever reads the table knows every line equation. Primary suppression alone is not
enough: if a line hides one cell, the cell is its total minus the rest.

Attacker model (the one the algorithm guarantees against, see docs/methods/disclosure.md):

* knows the table structure (every line) and the *exact* value of every published cell —
  rounding is ignored, because exact counts can often be recovered from published rates
  and denominators (rate × population), so rounding cannot be relied on;
* knows every hidden count is a whole number, and knows which hidden cells are primary
  and which secondary (the published ``status`` says so), hence the bounds in
  :class:`HiddenBounds`: under the public policy a primary ``*`` is 1–7 and a secondary
  ``*`` is at least 8 (zeros are published as ``0`` and never chosen as complements);
* has no other upper bound on a secondary count than what the line equations imply.

A hidden cell is *exposed* when the line equations and bounds leave it only one possible
value. Writing every hidden cell as its true value plus an unknown change ``d``, the
attacker's possible tables are ``M d = 0`` (each line's changes cancel) with
``low_j - value_j <= d_j <= high_j - value_j``; the cell is exposed when ``d_x`` is 0 in
all of them.

Algorithm (:func:`protect`):

1. Start from the primary cells.
2. *Line rule*, repeated to a fixed point: in any line with exactly one hidden cell (the
   total counts as a cell of its line), hide the next-smallest publishable member
   (positive, not hidden; smallest value first, preferring a cell whose other lines
   already hide something, so patterns close up; the line's total only when no member
   is available). Also, when a line's total is published and every hidden member is at
   its lower bound (e.g. two ``*`` that must both be 1 because the line leaves 2), hide
   one more member.
3. *Audit*: find exposed cells exactly — a null-space test of ``M`` for cells fixed by the
   equations alone, and, for cells sharing equations with a cell within 1 of one of its
   bounds, a pair of linear programmes (max and min of ``d_x``). When every hidden cell
   has room to move by 1 both ways, any direction left free by the equations gives a
   whole-number change of ±1 steps. For one-way tables, hierarchies, and two-way tables
   with margins the constraint matrix is totally unimodular, so the linear programme's
   answer is the whole-number answer.
4. *Repair*: for the first exposed cell, try each publishable cell sharing a line with it
   (cheapest first), re-run the line rule, and keep the trial that protects it at the
   least total hidden count. Go back to 3. Hiding only grows, so this ends; in a well-formed
   table, hiding every positive cell leaves nothing exposed (each cell can move with its
   margins), and if not the function raises rather than publish an exposed cell.

The result is a heuristic: protected, but not guaranteed to hide the fewest counts
(minimum cell suppression is NP-hard).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import linprog

from pcref.disclosure.policies import Policy

#: How many candidate complementary cells are tried when repairing one exposed cell.
MAX_REPAIR_TRIALS = 12


@dataclass(frozen=True)
class HiddenBounds:
    """What a reader of the output knows about the value behind each ``*``.

    Attributes:
        primary_low: Smallest value of a primary-suppressed count (1 when zeros are shown).
        primary_high: Largest value of a primary-suppressed count (7 under "1–7"), or
            ``None`` if the reader is not assumed to know which cells are primary.
        secondary_low: Smallest value of a secondary-suppressed count (8 under "1–7":
            had it been smaller it would have been primary, and zeros are never hidden).
    """

    primary_low: int = 1
    primary_high: int | None = None
    secondary_low: int = 1

    @classmethod
    def from_policy(cls, policy: Policy) -> HiddenBounds:
        """The bounds implied by publishing ``policy``'s statuses."""
        low = policy.lower_bound_of_hidden
        above = math.ceil(policy.suppress_below)
        return cls(primary_low=low, primary_high=above - 1, secondary_low=max(above, 1))


@dataclass(frozen=True)
class Line:
    """A margin cell and the member cells that add up to it (positions in the table)."""

    total: int
    members: tuple[int, ...]

    @property
    def cells(self) -> tuple[int, ...]:
        return (*self.members, self.total)


def build_lines(
    cells: pd.DataFrame,
    dimensions: Sequence[str],
    total_labels: Mapping[str, Hashable],
    hierarchy: Mapping[str, Mapping[Hashable, Hashable]] | None = None,
) -> list[Line]:
    """The lines of one table whose cells are the rows of ``cells``.

    ``cells`` holds one row per cell with a column per dimension (labels unique per
    combination). Along each dimension, cells that agree on every other dimension form a
    group; within a group, each label adds up to its parent — the dimension's total label
    unless ``hierarchy[dimension]`` gives another parent (e.g. ``{"Black African":
    "Black", "Black": "Total"}``). When a parent is absent from the group, its children
    count towards the nearest present ancestor; when no ancestor is present the group has
    no line (nothing published to difference against).
    """
    hierarchy = hierarchy or {}
    lines: list[Line] = []
    positions = np.arange(len(cells))
    for dim in dimensions:
        total = total_labels[dim]
        parents = dict(hierarchy.get(dim, {}))
        others = [d for d in dimensions if d != dim]
        if others:
            groups = cells.groupby(others, sort=False, dropna=False).indices.values()
        else:
            groups = [positions]
        labels = cells[dim].to_numpy()
        for group in groups:
            index = {labels[p]: int(p) for p in group}
            children: dict[int, list[int]] = {}
            for label, pos in index.items():
                if label == total:
                    continue
                ancestor = _present_ancestor(label, parents, total, index, dim)
                if ancestor is not None:
                    children.setdefault(index[ancestor], []).append(pos)
            lines.extend(Line(parent, tuple(sorted(kids))) for parent, kids in children.items())
    return lines


def _present_ancestor(
    label: Hashable,
    parents: Mapping[Hashable, Hashable],
    total: Hashable,
    present: Mapping[Hashable, int],
    dim: str,
) -> Hashable | None:
    seen = {label}
    current = label
    while True:
        parent = parents.get(current, total)
        if parent in seen:
            raise ValueError(
                f"hierarchy for dimension {dim!r}: label {parent!r} is its own ancestor; "
                "expected a tree ending at the total label"
            )
        if parent in present:
            return parent
        if parent == total:
            return None
        seen.add(parent)
        current = parent


class _Table:
    """One table's counts, lines and lookup structures for the algorithm."""

    def __init__(
        self,
        values: np.ndarray,
        primary: np.ndarray,
        lines: Sequence[Line],
        bounds: HiddenBounds,
    ) -> None:
        self.values = np.asarray(values, dtype="float64")
        self.n = len(self.values)
        self.primary = np.asarray(primary, dtype=bool)
        if self.primary.shape != (self.n,):
            raise ValueError(f"primary mask has shape {self.primary.shape}; expected ({self.n},)")
        self.lines = list(lines)
        # Bounds a reader knows for each cell were it hidden (inf: no upper bound).
        self.low = np.where(self.primary, bounds.primary_low, bounds.secondary_low).astype(float)
        high = np.inf if bounds.primary_high is None else bounds.primary_high
        self.high = np.where(self.primary, high, np.inf)
        self.cell_lines: list[list[int]] = [[] for _ in range(self.n)]
        for k, line in enumerate(self.lines):
            for c in line.cells:
                self.cell_lines[c].append(k)
        # Only positive, known counts are ever chosen as complements: a zero is published
        # as 0 (hiding it would tell nothing yet break "every * is at least 1"), and a
        # missing count is not ours to publish.
        self.eligible = ~np.isnan(self.values) & (self.values > 0)

    # -- step 2: line rule ------------------------------------------------------------
    def line_rule(self, hidden: np.ndarray) -> None:
        """Apply the line rule to ``hidden`` in place until nothing changes."""
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                cells = np.fromiter(line.cells, dtype=int)
                n_hidden = int(hidden[cells].sum())
                if n_hidden == 0:
                    continue
                needs_more = n_hidden == 1
                if not needs_more and not hidden[line.total]:
                    hidden_members = [m for m in line.members if hidden[m]]
                    needs_more = all(self.values[m] - self.low[m] < 1 for m in hidden_members)
                if needs_more:
                    pick = self._cheapest_in_line(line, hidden)
                    if pick is not None:
                        hidden[pick] = True
                        changed = True

    def _cheapest_in_line(self, line: Line, hidden: np.ndarray) -> int | None:
        members = [m for m in line.members if self.eligible[m] and not hidden[m]]
        if members:
            return min(members, key=lambda c: self._cost_key(c, hidden))
        if self.eligible[line.total] and not hidden[line.total]:
            return line.total
        return None

    def _cost_key(self, cell: int, hidden: np.ndarray) -> tuple[float, int, int]:
        hidden_neighbours = sum(
            int(hidden[np.fromiter(self.lines[k].cells, dtype=int)].any())
            for k in self.cell_lines[cell]
        )
        return (float(self.values[cell]), -hidden_neighbours, cell)

    # -- step 3: audit ----------------------------------------------------------------
    def exposed(self, hidden: np.ndarray) -> np.ndarray:
        """Mask of hidden cells whose value the attacker can work out exactly."""
        out = np.zeros(self.n, dtype=bool)
        hidden_pos = np.flatnonzero(hidden)
        if hidden_pos.size == 0:
            return out
        system = self._system(hidden_pos)
        if system is None:
            return out
        matrix, components = system
        fixed_linear = _fixed_by_equations(matrix)
        values = self.values[hidden_pos]
        tight = (values - self.low[hidden_pos] < 1) | (self.high[hidden_pos] - values < 1)
        pinned_components = set(components[tight].tolist())
        for j, cell in enumerate(hidden_pos):
            needs_programme = components[j] in pinned_components
            out[cell] = bool(fixed_linear[j]) or (
                needs_programme and not self._can_move(matrix, hidden_pos, j)
            )
        return out

    def is_exposed(self, hidden: np.ndarray, cell: int) -> bool:
        """Whether the single hidden ``cell`` is exposed (same test as :meth:`exposed`)."""
        hidden_pos = np.flatnonzero(hidden)
        j = int(np.searchsorted(hidden_pos, cell))
        system = self._system(hidden_pos)
        if system is None:
            return False
        matrix, _ = system
        if _fixed_by_equations(matrix)[j]:
            return True
        return not self._can_move(matrix, hidden_pos, j)

    def _system(self, hidden_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Line equations restricted to the hidden cells, and their connected components."""
        column = {int(c): j for j, c in enumerate(hidden_pos)}
        rows = []
        for line in self.lines:
            row = np.zeros(hidden_pos.size)
            for m in line.members:
                if m in column:
                    row[column[m]] = 1.0
            if line.total in column:
                row[column[line.total]] = -1.0
            if row.any():
                rows.append(row)
        if not rows:
            return None
        matrix = np.vstack(rows)
        return matrix, _components(matrix)

    def _can_move(self, matrix: np.ndarray, hidden_pos: np.ndarray, j: int) -> bool:
        """Whether some table consistent with the output changes hidden cell ``j``."""
        bounds = [
            (
                self.low[c] - self.values[c],
                None if np.isinf(self.high[c]) else self.high[c] - self.values[c],
            )
            for c in hidden_pos
        ]
        zeros = np.zeros(matrix.shape[0])
        for sign in (-1.0, 1.0):  # maximise, then minimise, d_j
            objective = np.zeros(hidden_pos.size)
            objective[j] = sign
            result = linprog(objective, A_eq=matrix, b_eq=zeros, bounds=bounds, method="highs")
            if result.status == 3:  # unbounded: d_j can grow (or shrink) without limit
                return True
            if result.status != 0:
                raise RuntimeError(f"secondary suppression audit failed: {result.message}")
            if abs(result.fun) >= 0.5:
                return True
        return False

    # -- step 4: repair ---------------------------------------------------------------
    def repair(self, hidden: np.ndarray, cell: int) -> np.ndarray:
        """Hide more cells so that the exposed ``cell`` is protected (or progress is made)."""
        neighbours = sorted(
            {
                c
                for k in self.cell_lines[cell]
                for c in self.lines[k].cells
                if self.eligible[c] and not hidden[c]
            },
            key=lambda c: self._cost_key(c, hidden),
        )
        best: tuple[tuple[float, int], np.ndarray] | None = None
        for candidate in neighbours[:MAX_REPAIR_TRIALS]:
            trial = hidden.copy()
            trial[candidate] = True
            self.line_rule(trial)
            if self.is_exposed(trial, cell):
                continue
            added = trial & ~hidden
            cost = (float(self.values[added].sum()), int(added.sum()))
            if best is None or cost < best[0]:
                best = (cost, trial)
        if best is not None:
            return best[1]
        # No single neighbour protects the cell: hide the cheapest neighbour (or, failing
        # that, the cheapest publishable cell anywhere in the table) and audit again.
        pool = neighbours or sorted(
            np.flatnonzero(self.eligible & ~hidden).tolist(),
            key=lambda c: self._cost_key(c, hidden),
        )
        if not pool:
            raise RuntimeError(
                "secondary suppression could not protect a hidden cell: every publishable "
                "cell is already hidden; check the declared lines are consistent"
            )
        trial = hidden.copy()
        trial[pool[0]] = True
        self.line_rule(trial)
        return trial


def _fixed_by_equations(matrix: np.ndarray) -> np.ndarray:
    """For each unknown, whether the homogeneous equations force its change to zero."""
    basis = null_space(matrix)
    if basis.size == 0:
        return np.ones(matrix.shape[1], dtype=bool)
    return np.linalg.norm(basis, axis=1) < 1e-9


def _components(matrix: np.ndarray) -> np.ndarray:
    """Connected components of unknowns that share an equation (union-find labels)."""
    parent = list(range(matrix.shape[1]))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for row in matrix:
        cols = np.flatnonzero(row)
        for c in cols[1:]:
            ra, rb = find(int(cols[0])), find(int(c))
            if ra != rb:
                parent[rb] = ra
    return np.array([find(j) for j in range(matrix.shape[1])])


def protect(
    values: Sequence[float] | np.ndarray,
    primary: Sequence[bool] | np.ndarray,
    lines: Sequence[Line],
    bounds: HiddenBounds | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Secondary suppression for one table.

    Args:
        values: The true counts of the table's cells (NaN for a cell with no count; it is
            treated as known to the attacker and never hidden by this function).
        primary: Which cells are primary suppressed.
        lines: The table's lines (see :func:`build_lines`), by cell position.
        bounds: What a reader knows about hidden values (default: only that each is at
            least 1). :func:`pcref.disclosure.apply` passes
            ``HiddenBounds.from_policy(policy)``.

    Returns:
        ``(hidden, secondary)``: all cells to hide, and those hidden by this step only.
    """
    start = np.asarray(primary, dtype=bool)
    table = _Table(np.asarray(values, dtype="float64"), start, lines, bounds or HiddenBounds())
    hidden = start.copy()
    if not hidden.any():
        return hidden, np.zeros_like(hidden)
    table.line_rule(hidden)
    while True:
        exposed = table.exposed(hidden)
        if not exposed.any():
            return hidden, hidden & ~start
        hidden = table.repair(hidden, int(np.flatnonzero(exposed)[0]))


def exposed_cells(
    values: Sequence[float] | np.ndarray,
    hidden: Sequence[bool] | np.ndarray,
    lines: Sequence[Line],
    bounds: HiddenBounds | None = None,
    primary: Sequence[bool] | np.ndarray | None = None,
) -> np.ndarray:
    """Mask of hidden cells that the attacker model can recover exactly (the audit).

    ``primary`` marks which hidden cells the reader knows to be primary; when omitted,
    every hidden cell gets the primary bounds with no upper bound (the reader cannot tell
    them apart).
    """
    mask = np.asarray(hidden, dtype=bool)
    bounds = bounds or HiddenBounds()
    if primary is None:
        bounds = HiddenBounds(bounds.primary_low, None, bounds.primary_low)
        primary = mask
    table = _Table(np.asarray(values, dtype="float64"), np.asarray(primary), lines, bounds)
    return table.exposed(mask)
