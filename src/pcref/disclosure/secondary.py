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
3. *Audit*, for all hidden cells at once: near the true table (``d = 0``) only the bounds
   a cell already sits on matter, so a cell can change in some consistent table exactly
   when it can change in the cone ``{M d = 0; d_j >= 0 for cells with no room below;
   d_j <= 0 for cells with no room above}``. One linear programme finds the cells with
   room on one side only that this cone pins; with those pinned, a cell with room on both
   sides is pinned exactly when the equations alone fix it — a bridge of the graph the
   equations form (one-way tables, hierarchies, two-way tables with margins), with the
   few cells in three or more lines (a margin of several crosses) settled beside that
   graph, or, for any other system, a unit vector in the row space (a rank-revealing QR
   decomposition). For
   totally unimodular line equations (one-way tables, hierarchies, two-way tables with
   margins) a cell that can change at all can change by a whole number, so the audit is
   exact for whole-number counts.
4. *Repair*, for each exposed cell: one linear programme finds the cheapest
   *certificate* — a change of -1, 0 or +1 per cell that keeps every line's sum, moves the
   exposed cell, and keeps each moved cell within what a reader knows of it were it
   hidden — where moving a hidden cell is free and moving a publishable cell costs its
   count. Hiding the cells it moves makes ``value + d`` a second table consistent with
   the output, so the exposed cell and every other moved cell are protected, now and
   after any further hiding (hiding only adds possible tables). The certificate is checked
   in whole numbers against every line before it is used (and found again over whole
   numbers should the programme's answer not be one). Then back to 3; cells already
   certified are not repaired again. If no certificate exists even with every
   publishable cell hidden, the function raises rather than publish an exposed cell.

The result is a heuristic: protected, but not guaranteed to hide the fewest counts
(minimum cell suppression is NP-hard).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import qr
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from pcref.disclosure.policies import Policy


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


class TableCannotBeProtected(RuntimeError):
    """No pattern of hidden cells protects a hidden count: the table's lines and the ranges a
    reader knows from the statuses fix it whatever else is hidden (a very small table, or
    lines that do not match the counts). :func:`withhold_whole_table` is the way out."""


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

    Lines come dimension by dimension; within a dimension, group by group in the order the
    groups first appear, and within a group in the order of each line's first member.
    """
    return TableLayout(cells, dimensions, total_labels, hierarchy).lines(np.arange(len(cells)))


class TableLayout:
    """Where each row sits along each dimension, for listing the lines of its tables.

    The labels of each dimension are coded once for the whole frame (which may hold many
    tables); :meth:`lines` then works on whole-number codes, so that listing the lines of
    each table costs a few array operations per dimension rather than a group-by.
    """

    def __init__(
        self,
        cells: pd.DataFrame,
        dimensions: Sequence[str],
        total_labels: Mapping[str, Hashable],
        hierarchy: Mapping[str, Mapping[Hashable, Hashable]] | None = None,
    ) -> None:
        hierarchy = hierarchy or {}
        self.dimensions = list(dimensions)
        self.codes: list[np.ndarray] = []
        self.ancestors: list[np.ndarray] = []
        self.is_total: list[np.ndarray] = []
        for dim in self.dimensions:
            codes, uniques = pd.factorize(cells[dim], use_na_sentinel=False)
            labels = list(uniques)
            total = total_labels[dim]
            self.codes.append(np.asarray(codes, dtype=np.int64))
            self.ancestors.append(_ancestor_codes(labels, hierarchy.get(dim, {}), total, dim))
            self.is_total.append(
                np.array([_same_label(label, total) for label in labels], dtype=bool)
            )

    def lines(self, positions: np.ndarray) -> list[Line]:
        """The lines of the table made of the rows at ``positions`` (cells are numbered by
        their place in ``positions``), in the order :func:`build_lines` gives."""
        positions = np.asarray(positions, dtype=np.intp)
        n = positions.size
        out: list[Line] = []
        for d in range(len(self.dimensions)):
            code = self.codes[d][positions]
            ancestors = self.ancestors[d]
            n_labels = ancestors.shape[1]
            group, first_row = self._groups(positions, d)
            # Where each (group, label) sits; the last row wins should a label repeat.
            key = group * n_labels + code
            order = np.argsort(key, kind="stable")
            sorted_key = key[order]
            parent = np.full(n, -1, dtype=np.intp)
            todo = np.flatnonzero(~self.is_total[d][code])
            for depth in range(ancestors.shape[0]):
                if todo.size == 0:
                    break
                ancestor = ancestors[depth, code[todo]]
                ended = ancestor == _NO_MORE_ANCESTORS
                look = np.flatnonzero(ancestor >= 0)
                wanted = group[todo[look]] * n_labels + ancestor[look]
                at = np.searchsorted(sorted_key, wanted, side="right") - 1
                found = (at >= 0) & (sorted_key[np.maximum(at, 0)] == wanted)
                parent[todo[look[found]]] = order[at[found]]
                resolved = ended
                resolved[look[found]] = True
                todo = todo[~resolved]
            rows = np.flatnonzero(parent >= 0)
            if rows.size == 0:
                continue
            parents = parent[rows]
            by_parent = np.lexsort((rows, parents))
            rows, parents = rows[by_parent], parents[by_parent]
            starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
            members = np.split(rows, starts[1:])
            totals = parents[starts]
            for i in np.lexsort((rows[starts], first_row[group[totals]])):
                out.append(Line(int(totals[i]), tuple(members[i].tolist())))
        return out

    def _groups(self, positions: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
        """Each row's group along dimension ``d`` (rows agreeing on every other dimension)
        and the first row of each group."""
        n = positions.size
        group = np.zeros(n, dtype=np.int64)
        for other in range(len(self.dimensions)):
            if other == d:
                continue
            code = self.codes[other][positions]
            _, group = np.unique(group * (int(code.max(initial=0)) + 1) + code,
                                 return_inverse=True)
            group = group.reshape(-1).astype(np.int64)
        first_row = np.full(int(group.max(initial=-1)) + 1, n, dtype=np.intp)
        np.minimum.at(first_row, group, np.arange(n))
        return group, first_row


#: Marks the end of a label's chain of ancestors in :func:`_ancestor_codes`.
_NO_MORE_ANCESTORS = -2
#: An ancestor whose label appears nowhere in the frame (so it is never present).
_ABSENT = -1


def _ancestor_codes(
    labels: Sequence[Hashable],
    parents: Mapping[Hashable, Hashable],
    total: Hashable,
    dim: str,
) -> np.ndarray:
    """For each label, the codes of its ancestors from its parent up to the total label
    (``_ABSENT`` for one no row carries), padded with ``_NO_MORE_ANCESTORS``."""
    code_of = {}
    for i, label in enumerate(labels):
        code_of.setdefault(label, i)
    chains = []
    for label in labels:
        chain: list[int] = []
        if not _same_label(label, total):
            seen = {label}
            current = label
            while True:
                parent = parents.get(current, total)
                if parent in seen:
                    raise ValueError(
                        f"hierarchy for dimension {dim!r}: label {parent!r} is its own "
                        "ancestor; expected a tree ending at the total label"
                    )
                chain.append(code_of.get(parent, _ABSENT))
                if _same_label(parent, total):
                    break
                seen.add(parent)
                current = parent
        chains.append(chain)
    depth = max((len(c) for c in chains), default=0)
    out = np.full((depth, len(labels)), _NO_MORE_ANCESTORS, dtype=np.int64)
    for i, chain in enumerate(chains):
        out[: len(chain), i] = chain
    return out


def _same_label(a: Hashable, b: Hashable) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class _Table:
    """One table's counts, bounds and lines, indexed for the algorithm.

    The lines are kept twice: as a sparse incidence matrix (one row per line, +1 for each
    member, -1 for the total), which the audit and the repair hand to the solver, and as
    arrays of cell positions per line and lines per cell, which the line rule walks.
    """

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
        if np.any(self.primary & np.isnan(self.values)):
            raise ValueError("a primary-suppressed cell has no count (NaN); expected a count")
        self.lines = list(lines)
        # Bounds a reader knows for each cell were it hidden (inf: no upper bound).
        self.low = np.where(self.primary, bounds.primary_low, bounds.secondary_low).astype(float)
        high = np.inf if bounds.primary_high is None else bounds.primary_high
        self.high = np.where(self.primary, high, np.inf)
        # Whether the cell, were it hidden, could be one lower / one higher for all the reader
        # knows. A cell with no room below (a primary 1, a secondary 8) can only be larger.
        with np.errstate(invalid="ignore"):
            self.room_down = self.values - self.low >= 1
            self.room_up = self.high - self.values >= 1
        # Only positive, known counts are ever chosen as complements: a zero is published
        # as 0 (hiding it would tell nothing yet break "every * is at least 1"), and a
        # missing count is not ours to publish.
        self.eligible = ~np.isnan(self.values) & (self.values > 0)

        self.members = [np.asarray(line.members, dtype=np.intp) for line in self.lines]
        self.totals = np.asarray([line.total for line in self.lines], dtype=np.intp)
        sizes = np.asarray([m.size for m in self.members], dtype=np.intp)
        rows = np.repeat(np.arange(len(self.lines)), sizes + 1)
        cols = np.concatenate([np.append(m, t) for m, t in zip(self.members, self.totals,
                                                                 strict=True)] or [[]])
        cols = cols.astype(np.intp)
        if cols.size and (cols.min() < 0 or cols.max() >= self.n):
            raise ValueError(f"a line refers to a cell outside the table of {self.n} cells")
        coefficients = np.concatenate([np.append(np.ones(s), -1.0) for s in sizes] or [[]])
        self.incidence = sparse.csc_array(
            (coefficients, (rows, cols)), shape=(len(self.lines), self.n)
        )
        order = np.argsort(cols, kind="stable")
        starts = np.searchsorted(cols[order], np.arange(self.n + 1))
        self.cell_lines = [rows[order[starts[c] : starts[c + 1]]] for c in range(self.n)]

    # -- step 2: line rule ------------------------------------------------------------
    def line_rule(self, hidden: np.ndarray) -> None:
        """Apply the line rule to ``hidden`` in place until nothing changes.

        Lines are visited in order and a cell hidden for one line counts for the lines
        after it, exactly as described in the module docstring; the number of hidden cells
        in each line is kept up to date rather than recounted.
        """
        hidden_in_line = np.zeros(len(self.lines), dtype=np.intp)
        for c in np.flatnonzero(hidden):
            hidden_in_line[self.cell_lines[c]] += 1
        changed = True
        while changed:
            changed = False
            for k in range(len(self.lines)):
                count = hidden_in_line[k]
                if count == 0:
                    continue
                needs_more = count == 1
                if not needs_more and not hidden[self.totals[k]]:
                    members = self.members[k]
                    needs_more = not self.room_down[members[hidden[members]]].any()
                if needs_more:
                    pick = self._cheapest_in_line(k, hidden, hidden_in_line)
                    if pick is not None:
                        hidden[pick] = True
                        hidden_in_line[self.cell_lines[pick]] += 1
                        changed = True

    def _cheapest_in_line(
        self, k: int, hidden: np.ndarray, hidden_in_line: np.ndarray
    ) -> int | None:
        """The publishable member of line ``k`` to hide: smallest count, then the one with
        most lines already hiding something, then the first; the total if no member is."""
        members = self.members[k]
        members = members[self.eligible[members] & ~hidden[members]]
        if members.size:
            neighbours = np.array(
                [np.count_nonzero(hidden_in_line[self.cell_lines[c]]) for c in members]
            )
            return int(members[np.lexsort((members, -neighbours, self.values[members]))[0]])
        total = self.totals[k]
        if self.eligible[total] and not hidden[total]:
            return int(total)
        return None

    # -- step 3: audit ----------------------------------------------------------------
    def exposed(self, hidden: np.ndarray) -> np.ndarray:
        """Mask of hidden cells whose value the attacker can work out exactly.

        With ``d`` the change to each hidden cell, the tables the reader cannot rule out
        are ``M d = 0`` with ``low - value <= d <= high - value``; ``d = 0`` (the truth) is
        one of them. Near it, only the bounds a cell already sits on matter, so a cell can
        change in some consistent table exactly when it can change in the cone
        ``{M d = 0, d_j >= 0 for cells with no room below, d_j <= 0 for cells with no room
        above}``. One linear programme finds every bound-limited cell that cone pins to 0;
        with those pinned, a cell free to move both ways is pinned exactly when the
        remaining equations fix it (:func:`_fixed_by_equations`).
        """
        out = np.zeros(self.n, dtype=bool)
        positions = np.flatnonzero(hidden)
        if positions.size == 0:
            return out
        matrix = self.incidence[:, positions].tocsr()
        matrix = matrix[np.diff(matrix.indptr) > 0]
        down, up = self.room_down[positions], self.room_up[positions]
        pinned = ~down & ~up
        if matrix.shape[0]:
            one_way = down ^ up
            if one_way.any():
                pinned |= _pinned_one_way(matrix, down, up)
            free = ~pinned
            both_ways = free & ~one_way
            if both_ways.any():
                fixed = _fixed_by_equations(matrix[:, np.flatnonzero(free)])
                pinned[np.flatnonzero(free)[fixed & both_ways[free]]] = True
        out[positions[pinned]] = True
        return out

    # -- step 4: repair ---------------------------------------------------------------
    def certificate(self, hidden: np.ndarray, cell: int) -> np.ndarray | None:
        """The cheapest whole-number change that moves ``cell`` by one, or ``None``.

        A certificate is a vector ``d`` of -1, 0 or +1 per cell with ``M d = 0`` over every
        line, ``d[cell] != 0``, and each moved cell having room for its step (as a hidden
        cell: primary or, for a cell not hidden yet, secondary bounds). Hiding every moved
        cell makes the table with ``value + d`` consistent with the output, so ``cell``
        (and every other moved cell) is not exposed, and stays so however many more cells
        are hidden later. Hidden cells move for free; a published cell costs its count,
        plus a small amount per cell so that, of two equally costly patterns, the one
        hiding fewer cells wins. The linear programme is solved for a step up and a step
        down (where the cell has room), and the cheaper kept.
        """
        if not hidden[cell]:
            raise ValueError(f"cell {cell} is not hidden; only hidden cells need protecting")
        candidates = self.eligible & ~hidden
        if not candidates.any():
            best = self._cheapest_certificate(hidden, cell, candidates)
            return None if best is None else best[1]
        # Only publishable cells up to a ceiling are offered; if the best change then costs
        # no more than the ceiling, no change through a dearer cell can beat it. Otherwise
        # the ceiling rises until every publishable cell is offered.
        ceiling = 4.0 * max(float(self.low[~self.primary].min(initial=1.0)), 1.0)
        largest = float(self.values[candidates].max())
        while True:
            offered = candidates & (self.values <= ceiling)
            best = self._cheapest_certificate(hidden, cell, offered)
            if ceiling >= largest or (best is not None and best[0][0] <= ceiling):
                return None if best is None else best[1]
            ceiling *= 4.0

    def _cheapest_certificate(
        self, hidden: np.ndarray, cell: int, offered: np.ndarray
    ) -> tuple[tuple[float, int], np.ndarray] | None:
        """The cheapest certificate for ``cell`` hiding only ``offered`` cells, with its cost
        (total count newly hidden, number of cells newly hidden)."""
        movable = np.flatnonzero(hidden | offered)
        inside, outside = movable[hidden[movable]], movable[~hidden[movable]]
        keep = np.diff(self.incidence[:, movable].tocsr().indptr) > 0
        a_hidden = self.incidence[:, inside].tocsr()[keep]
        a_published = self.incidence[:, outside].tocsr()[keep]
        # Variables: the change of each hidden cell, then the rise p and fall q of each
        # publishable cell (its change is p - q, its cost its count times p + q).
        equations = sparse.hstack([a_hidden, a_published, -a_published], format="csc")
        h, m = inside.size, outside.size
        per_cell = 1.0 / (2.0 * (self.n + 1))
        weight = self.values[outside] + per_cell
        cost = np.concatenate([np.zeros(h), weight, weight])
        lower = np.concatenate([np.where(self.room_down[inside], -1.0, 0.0), np.zeros(2 * m)])
        upper = np.concatenate([np.where(self.room_up[inside], 1.0, 0.0), np.ones(m),
                                np.where(self.room_down[outside], 1.0, 0.0)])
        k = int(np.searchsorted(inside, cell))
        best: tuple[tuple[float, int], np.ndarray] | None = None
        for step in (1.0, -1.0):
            if not (self.room_up[cell] if step > 0 else self.room_down[cell]):
                continue
            lo, hi = lower.copy(), upper.copy()
            lo[k] = hi[k] = step
            change = self._solve_certificate(equations, cost, lo, hi, inside, outside, cell)
            if change is None:
                continue
            added = (change != 0) & ~hidden
            price = (float(self.values[added].sum()), int(np.count_nonzero(added)))
            if best is None or price < best[0]:
                best = (price, change)
            if price[1] == 0:  # moves hidden cells only: nothing can be cheaper
                break
        return best

    def _solve_certificate(
        self,
        equations: sparse.csc_array,
        cost: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        inside: np.ndarray,
        outside: np.ndarray,
        cell: int,
    ) -> np.ndarray | None:
        """Solve the repair programme; its answer as a change per cell, checked exactly."""
        constraints = LinearConstraint(equations, 0.0, 0.0)
        bounds = Bounds(lower, upper)
        h, m = inside.size, outside.size
        # The line equations of one-way tables, hierarchies and two-way tables with margins
        # are totally unimodular, so the optimal vertex is whole; should a table's not be,
        # the same programme is solved again over whole numbers.
        for integral in (False, True):
            result = milp(
                cost, constraints=constraints, bounds=bounds,
                integrality=np.ones(cost.size) if integral else None,
            )
            if result.status == 2:  # infeasible: no change can move the cell
                return None
            if result.status != 0 or result.x is None:
                raise RuntimeError(f"secondary suppression repair failed: {result.message}")
            x = np.round(result.x)
            change = np.zeros(self.n)
            change[inside] = x[:h]
            change[outside] = x[h : h + m] - x[h + m :]
            if self.is_certificate(change, cell):
                return change
        raise RuntimeError(
            "secondary suppression repair found no whole-number change; check the lines"
        )

    def is_certificate(self, change: np.ndarray, cell: int) -> bool:
        """Whether ``change`` is a whole-number table change consistent with every line that
        moves ``cell`` and keeps each moved cell within the bounds a reader knows."""
        if change[cell] == 0 or np.any(change != np.round(change)):
            return False
        if np.any(self.incidence @ change != 0):
            return False
        moved = np.flatnonzero(change)
        new = self.values[moved] + change[moved]
        return bool(np.all((new >= self.low[moved]) & (new <= self.high[moved])))


def _pinned_one_way(matrix: sparse.csr_array, down: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Cells that can move only one way (no room on one side) yet cannot move at all.

    One linear programme over the cone of consistent changes: maximise the number of such
    cells that move, each counted up to 1 (``t_j <= s_j d_j``, ``0 <= t_j <= 1``, with
    ``s_j`` the sign the cell can move in). Changes in a cone add up, and every cone change
    moves a one-way cell in its own direction, so some change moves all the movable ones
    together: at the optimum ``t_j`` is 1 for each of them and 0 for the pinned.
    """
    h = matrix.shape[1]
    one_way = np.flatnonzero(down ^ up)
    k = one_way.size
    sign = np.where(up[one_way], 1.0, -1.0)
    lower = np.full(h, -np.inf)
    upper = np.full(h, np.inf)
    lower[~down] = 0.0
    upper[~up] = 0.0
    at_most = sparse.hstack(
        [sparse.csr_array((-sign, (np.arange(k), one_way)), shape=(k, h)),
         sparse.eye_array(k, format="csr")],
        format="csr",
    )
    equations = sparse.hstack([matrix, sparse.csr_array((matrix.shape[0], k))], format="csr")
    result = milp(
        np.concatenate([np.zeros(h), -np.ones(k)]),
        constraints=[LinearConstraint(equations, 0.0, 0.0),
                     LinearConstraint(at_most, -np.inf, 0.0)],
        bounds=Bounds(np.concatenate([lower, np.zeros(k)]),
                      np.concatenate([upper, np.ones(k)])),
    )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"secondary suppression audit failed: {result.message}")
    pinned = np.zeros(h, dtype=bool)
    pinned[one_way[result.x[h:] < 0.5]] = True
    return pinned


def _fixed_by_equations(matrix: sparse.csr_array) -> np.ndarray:
    """For each unknown, whether the homogeneous equations ``matrix @ d = 0`` force its
    change to zero (whatever the bounds).

    The equations split into connected groups (unknowns sharing an equation). In a group
    whose unknowns in at most two equations have signs that a choice of sign per equation
    turns into one +1 and one -1 (or a single entry), those unknowns are the arcs of a
    directed graph whose nodes are the equations (and a ground node for single entries).
    The few unknowns in three or more equations — in an engine table the Total and each
    team's row, the margin of several crosses at once — are settled beside that graph by
    :func:`_fixed_in_network`, in time linear in the graph and cubic only in their number.
    One-way tables, two-way tables with margins and hierarchies have no such unknowns: there
    an unknown is forced to zero exactly when its arc is a bridge. Any other group (signs no
    choice per equation reconciles) is settled by linear algebra: ``d_j`` is forced to zero
    exactly when the unit vector ``e_j`` lies in the row space of the equations, i.e. when
    its projection onto an orthonormal basis of that space (from a column-pivoted QR
    decomposition, which reveals the rank) has length 1.
    """
    m, p = matrix.shape
    fixed = np.zeros(p, dtype=bool)
    if m == 0 or p == 0:
        return fixed
    by_column = matrix.tocsc()
    by_column.sort_indices()
    pattern = abs(matrix)
    links = sparse.block_array([[None, pattern], [pattern.T, None]], format="csr")
    _, label = connected_components(links, directed=False)
    row_group, column_group = label[:m], label[m:]
    graph = _signed_graph(by_column, row_group)
    if graph is not None:
        ends, equation_sign, irregular = graph
        network = ~np.isin(column_group, irregular)
        fixed[network] = _fixed_in_network(by_column, ends, equation_sign)[network]
    else:
        network = np.zeros(p, dtype=bool)
    for group in np.unique(column_group[~network]):
        columns = np.flatnonzero(column_group == group)
        rows = np.flatnonzero(row_group == group)
        if rows.size:
            fixed[columns] = _fixed_by_rank(matrix[rows][:, columns].toarray())
    return fixed


def _signed_graph(
    by_column: sparse.csc_array, row_group: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Each unknown in at most two equations as an arc between them (or between an equation
    and a ground node, numbered ``m``), a sign per equation that gives each such arc one +1
    and one -1, and the groups whose signs no choice per equation reconciles; ``None`` when a
    coefficient is other than ±1. Unknowns in three or more equations keep ground at both
    ends here: :func:`_fixed_in_network` takes them from the matrix."""
    m = by_column.shape[0]
    counts = np.diff(by_column.indptr)
    irregular: set[int] = set()
    if np.any(np.abs(by_column.data) != 1):
        return None
    ends = np.full((by_column.shape[1], 2), m, dtype=np.intp)
    signs = np.ones((by_column.shape[1], 2))
    light = np.flatnonzero(counts <= 2)
    for j in light[counts[light] > 0]:
        start = by_column.indptr[j]
        k = counts[j]
        ends[j, :k] = by_column.indices[start : start + k]
        signs[j, :k] = by_column.data[start : start + k]
    # Choose a sign per equation so that each two-ended unknown gets +1 and -1:
    # sign[a] * s_a = -(sign[b] * s_b), i.e. sign[a] = -sign[b] * s_a * s_b.
    pairs = np.flatnonzero(counts == 2)
    want = -signs[pairs, 0] * signs[pairs, 1]
    adjacency: list[list[tuple[int, float]]] = [[] for _ in range(m)]
    for j, w in zip(pairs.tolist(), want.tolist(), strict=True):
        a, b = int(ends[j, 0]), int(ends[j, 1])
        adjacency[a].append((b, w))
        adjacency[b].append((a, w))
    sign = np.zeros(m)
    for start in range(m):
        if sign[start]:
            continue
        sign[start] = 1.0
        stack = [start]
        while stack:
            a = stack.pop()
            for b, w in adjacency[a]:
                expected = sign[a] * w
                if not sign[b]:
                    sign[b] = expected
                    stack.append(b)
                elif sign[b] != expected:
                    irregular.add(int(row_group[a]))
    return ends, sign, np.fromiter(irregular, dtype=np.int64, count=len(irregular))


def _fixed_in_network(
    by_column: sparse.csc_array, ends: np.ndarray, equation_sign: np.ndarray
) -> np.ndarray:
    """:func:`_fixed_by_equations` where the unknowns in at most two equations form a graph
    (``ends``, with the equations signed by ``equation_sign``) and the rest are few.

    Write the signed equations as ``A x + B y = 0``: ``x`` the arcs of the graph, ``y`` the
    unknowns in three or more equations. For a given ``y`` the arcs can balance the nodes of
    a connected piece of the graph exactly when the piece's rows of ``B y`` add up to zero
    (or the piece holds the ground node, which balances anything): so the ``y`` that occur
    are the null space of ``K``, one row per piece without ground, the sum of its rows of
    ``B``. ``y_i`` is forced to zero exactly when ``e_i`` is in the row space of ``K``. An
    arc on a cycle can move round it and is never forced. A bridge carries between the two
    sides exactly what the side away from the root must send, ``x_j = -a_j S y`` with ``S``
    the sum of that side's rows of ``B`` and ``a_j`` the arc's sign at the side's node, so
    it is forced exactly when ``S`` is in the row space of ``K`` (always, when there are no
    such unknowns: a bridge of a plain graph is fixed).
    """
    m, p = by_column.shape
    counts = np.diff(by_column.indptr)
    heavy = np.flatnonzero(counts > 2)
    signed = sparse.diags_array(equation_sign) @ by_column[:, heavy]
    # One row per node, ground last (no equation, so no row of B).
    heavy_rows = np.zeros((m + 1, heavy.size))
    heavy_rows[:m] = signed.toarray()
    bridge, child, parent, order = _bridges(ends, m)
    # Each node's subtree sum of B, children before parents.
    subtree = heavy_rows
    for node in order:
        if parent[node] >= 0:
            subtree[parent[node]] += subtree[node]
    roots = np.flatnonzero(parent < 0)
    basis = _row_space_basis(subtree[roots[roots != m]])
    fixed = np.zeros(p, dtype=bool)
    fixed[heavy] = np.einsum("ij,ij->i", basis, basis) > 1.0 - 1e-6
    arcs = np.flatnonzero(bridge)
    carried = subtree[child[arcs]]
    outside = carried - (carried @ basis) @ basis.T
    scale = np.maximum(np.abs(carried).max(axis=1, initial=0.0), 1.0)
    fixed[arcs] = np.abs(outside).max(axis=1, initial=0.0) <= 1e-9 * scale * max(heavy.size, 1)
    return fixed


def _bridges(
    ends: np.ndarray, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bridges of the undirected multigraph whose arcs join ``ends`` (node ``m`` the ground;
    parallel arcs kept apart), by Tarjan's low-link search, iterative, from the ground first.

    Returns whether each arc is a bridge, each arc's end further from the root of its search
    tree (-1 for an arc off the tree), each node's parent in the tree (-1 for a root), and
    the nodes in the order the search leaves them (every node after its children)."""
    n_nodes = m + 1
    incident: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for arc, (a, b) in enumerate(ends.tolist()):
        if a == b:
            continue  # a loop is a cycle of its own
        incident[a].append((b, arc))
        incident[b].append((a, arc))
    order = [-1] * n_nodes
    low = [0] * n_nodes
    bridge = np.zeros(len(ends), dtype=bool)
    child = np.full(len(ends), -1, dtype=np.intp)
    parent = np.full(n_nodes, -1, dtype=np.intp)
    finished: list[int] = []
    counter = 0
    for root in [m, *range(m)]:
        if order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, 0)]
        while stack:
            node, via, i = stack[-1]
            if i < len(incident[node]):
                stack[-1] = (node, via, i + 1)
                other, arc = incident[node][i]
                if arc == via:
                    continue
                if order[other] < 0:
                    order[other] = low[other] = counter
                    counter += 1
                    parent[other] = node
                    child[arc] = other
                    stack.append((other, arc, 0))
                else:
                    low[node] = min(low[node], order[other])
            else:
                stack.pop()
                finished.append(node)
                if stack:
                    up = stack[-1][0]
                    low[up] = min(low[up], low[node])
                    if low[node] > order[up]:
                        bridge[via] = True
    return bridge, child, parent, np.asarray(finished, dtype=np.intp)


def _row_space_basis(dense: np.ndarray) -> np.ndarray:
    """An orthonormal basis (as columns) of the row space of ``dense``, by a rank-revealing
    QR decomposition."""
    if dense.shape[0] == 0:
        return np.zeros((dense.shape[1], 0))
    q, r, _ = qr(dense.T, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    if diagonal.size == 0 or diagonal[0] == 0:
        return np.zeros((dense.shape[1], 0))
    rank = int(np.count_nonzero(diagonal > diagonal[0] * 1e-9 * max(dense.shape)))
    return q[:, :rank]


def _fixed_by_rank(dense: np.ndarray) -> np.ndarray:
    """``_fixed_by_equations`` for one group of equations, by a rank-revealing QR."""
    basis = _row_space_basis(dense)
    return np.einsum("ij,ij->i", basis, basis) > 1.0 - 1e-6


def protect(
    values: Sequence[float] | np.ndarray,
    primary: Sequence[bool] | np.ndarray,
    lines: Sequence[Line],
    bounds: HiddenBounds | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Secondary suppression for one table.

    Args:
        values: The true counts of the table's cells, whole numbers (NaN for a cell with no
            count; it is treated as known to the attacker and never hidden by this
            function).
        primary: Which cells are primary suppressed.
        lines: The table's lines (see :func:`build_lines`), by cell position.
        bounds: What a reader knows about hidden values (default: only that each is at
            least 1). :func:`pcref.disclosure.apply` passes
            ``HiddenBounds.from_policy(policy)``.

    Returns:
        ``(hidden, secondary)``: all cells to hide, and those hidden by this step only.

    Raises:
        TableCannotBeProtected: if some hidden cell could not be protected even by hiding
            every publishable cell: the declared lines are inconsistent with the counts, or
            the table is so small that the lines and the status ranges alone fix a cell (for
            example a Total of 7 split into seven months of 1: seven ``*`` of at least 1
            and a ``*`` Total of at most 7 leave one possible table).
    """
    start = np.asarray(primary, dtype=bool)
    table = _Table(np.asarray(values, dtype="float64"), start, lines, bounds or HiddenBounds())
    hidden = start.copy()
    if not hidden.any():
        return hidden, np.zeros_like(hidden)
    table.line_rule(hidden)
    # Cells moved by a checked whole-number certificate: safe now and after any further
    # hiding, whatever the audit's arithmetic says.
    certified = np.zeros(table.n, dtype=bool)
    while True:
        exposed = table.exposed(hidden) & ~certified
        if not exposed.any():
            return hidden, hidden & ~start
        for cell in np.flatnonzero(exposed):
            if certified[cell]:
                continue
            change = table.certificate(hidden, int(cell))
            if change is None:
                raise TableCannotBeProtected(
                    f"secondary suppression could not protect hidden cell {int(cell)} (count "
                    f"{table.values[cell]:g}): even with every publishable cell hidden, the "
                    "lines and the ranges a reader knows from the statuses leave it one "
                    "possible value; check the declared lines are consistent with the counts, "
                    "or publish this table at a coarser level"
                )
            moved = change != 0
            hidden |= moved
            certified |= moved


def withhold_whole_table(
    values: Sequence[float] | np.ndarray, lines: Sequence[Line]
) -> np.ndarray:
    """Every count of a table that :func:`protect` cannot protect, zeros included, to be
    withheld under one status that says nothing about the value behind it.

    Cell by cell protection fails in tiny tables because the statuses themselves inform: a
    ``*`` is 1-7 and a published 0 says which cells are empty. With every count hidden
    alike a reader knows only that each is a whole number of at least 0, which no longer
    pins any cell of a table whose lines come from counting (adding one more person to a
    cell and to each of its margins is always possible). That is checked, not assumed: the
    audit runs on the result with those bounds, and lines that still fix a cell (lines
    inconsistent with the counts) raise :class:`TableCannotBeProtected`.
    """
    counts = np.asarray(values, dtype="float64")
    hidden = ~np.isnan(counts)
    knows_only_whole = HiddenBounds(primary_low=0, primary_high=None, secondary_low=0)
    exposed = exposed_cells(counts, hidden, lines, knows_only_whole, primary=hidden)
    if exposed.any():
        cell = int(np.flatnonzero(exposed)[0])
        raise TableCannotBeProtected(
            f"even with every count of the table withheld, hidden cell {cell} (count "
            f"{counts[cell]:g}) has one possible value: the declared lines are inconsistent "
            "with the counts"
        )
    return hidden


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
