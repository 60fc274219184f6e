"""Property tests: an attacker who knows everything published recovers no suppressed count.

Attacker model (the strongest we defend against; see docs/methods/disclosure.md):

* knows the table's structure — which cells add up to which margins (rows, columns, the
  grand total, declared hierarchies);
* knows the *exact* value of every published cell, margins included. Rounding is given
  away on purpose: exact counts can usually be recovered from a published rate and its
  denominator, so the protection must not rest on rounding. An attacker who sees only the
  rounded counts (knowing each lies within ±2 of what is shown) knows strictly less, so
  everything proved here holds for them too; :func:`test_rounding_alone_only_stops_the_
  weaker_attacker` shows the difference with a worked example;
* knows that every ``*`` is a whole number, and reads the published ``status``: a
  ``suppressed_small_count`` cell is 1–7, a ``suppressed_secondary`` cell is at least 8
  (smaller would have been primary; zeros are published as ``0``). An attacker who cannot
  tell the two apart only knows each ``*`` is at least 1, which is less.

The attacker solves the margin equations for the hidden cells. Two independent solvers,
written here from the raw table rather than from the engine's own lines:

* ``lp_attack``: for each hidden cell, the minimum and maximum it can take over all
  tables consistent with the above (linear programmes over every cell; the margin
  equations of one-way, hierarchical and two-way tables are totally unimodular, so these
  bounds are attained by whole-number tables). Equal minimum and maximum = recovered.
* ``brute_force_attack`` (when at most 9 cells are hidden): tries every change of -1, 0
  or +1 to each hidden cell and looks for one that keeps all equations and bounds while
  changing the cell. Any such change proves the cell is not recovered, with no appeal to
  linear-programming theory.

A suppressed cell counts as recovered if either attacker pins it down.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from pcref import disclosure

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Mostly small counts, so that primary suppression and its knock-on effects are common.
count = st.one_of(st.integers(0, 9), st.integers(0, 60))


# -- tables -------------------------------------------------------------------------------


def one_way_table(counts: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """Groups G0.. plus Total; returns the table and its margin equations (rows: lines)."""
    n = len(counts)
    df = pd.DataFrame(
        {"group": [f"G{i}" for i in range(n)] + ["Total"], "numerator": [*counts, sum(counts)]}
    )
    equation = np.append(np.ones(n), -1.0)
    return df, equation[None, :]


def two_way_table(inner: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """An R×C table with row totals, column totals and grand total, as rows of a frame."""
    r, c = inner.shape
    full = np.zeros((r + 1, c + 1), dtype=int)
    full[:r, :c] = inner
    full[:r, c] = inner.sum(axis=1)
    full[r, :c] = inner.sum(axis=0)
    full[r, c] = inner.sum()
    eth = [f"E{i}" for i in range(r)] + ["Total"]
    team = [f"T{j}" for j in range(c)] + ["Total"]
    df = pd.DataFrame(
        [
            {"ethnicity": eth[i], "team": team[j], "numerator": int(full[i, j])}
            for i in range(r + 1)
            for j in range(c + 1)
        ]
    )

    def cell(i: int, j: int) -> int:
        return i * (c + 1) + j

    equations = []
    for i in range(r + 1):  # each row (the margin row too) adds up to its row total
        eq = np.zeros(len(df))
        eq[[cell(i, j) for j in range(c)]] = 1
        eq[cell(i, c)] = -1
        equations.append(eq)
    for j in range(c + 1):  # each column (the margin column too) adds up to its total
        eq = np.zeros(len(df))
        eq[[cell(i, j) for i in range(r)]] = 1
        eq[cell(r, j)] = -1
        equations.append(eq)
    return df, np.array(equations)


# -- attackers ----------------------------------------------------------------------------


def lp_attack(
    true: np.ndarray, low: np.ndarray, high: np.ndarray, equations: np.ndarray
) -> list[int]:
    """Positions of hidden cells whose value is the same in every consistent table.

    ``low``/``high`` are what the attacker knows of each cell: equal to the true value for
    a published cell, the status bounds for a hidden one (``inf``: no upper bound).
    """
    bounds = [(lo, None if np.isinf(hi) else hi) for lo, hi in zip(low, high, strict=True)]
    zeros = np.zeros(len(equations))
    recovered = []
    for k in np.flatnonzero(low != high):
        objective = np.zeros(len(true))
        objective[k] = 1.0
        least = linprog(objective, A_eq=equations, b_eq=zeros, bounds=bounds, method="highs")
        most = linprog(-objective, A_eq=equations, b_eq=zeros, bounds=bounds, method="highs")
        assert least.status == 0, "the true table must be consistent with the output"
        if most.status == 0 and round(-most.fun) == round(least.fun):
            recovered.append(int(k))
    return recovered


def brute_force_attack(
    true: np.ndarray, low: np.ndarray, high: np.ndarray, equations: np.ndarray
) -> list[int] | None:
    """Hidden cells that no ±1 change of the hidden cells can move (None: too many)."""
    positions = np.flatnonzero(low != high)
    if positions.size > 9:
        return None
    steps = np.array(list(itertools.product((-1, 0, 1), repeat=positions.size)))
    changes = np.zeros((len(steps), len(true)))
    changes[:, positions] = steps
    moved = true[positions] + steps
    consistent = np.all(changes @ equations.T == 0, axis=1)
    consistent &= np.all((moved >= low[positions]) & (moved <= high[positions]), axis=1)
    movable = np.any(steps[consistent] != 0, axis=0)
    return [int(p) for p, m in zip(positions, movable, strict=True) if not m]


def attacker_knowledge(df: pd.DataFrame, out: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """True counts, and the attacker's lower and upper bound for every cell."""
    true = df["numerator"].to_numpy(dtype=float)
    hidden = out["numerator"].isna().to_numpy()
    primary = (out["status"] == "suppressed_small_count").to_numpy()
    low = np.where(hidden, np.where(primary, 1.0, 8.0), true)
    high = np.where(hidden, np.where(primary, 7.0, np.inf), true)
    return true, low, high


def assert_nothing_recovered(df: pd.DataFrame, out: pd.DataFrame, equations: np.ndarray) -> None:
    true, low, high = attacker_knowledge(df, out)
    recovered = lp_attack(true, low, high, equations)
    assert recovered == [], f"recovered by solving the margins: {df.iloc[recovered]}"
    brute = brute_force_attack(true, low, high, equations)
    assert not brute, f"recovered by trying every ±1 change: {df.iloc[brute or []]}"


def assert_publishable(df: pd.DataFrame, out: pd.DataFrame) -> None:
    """Every published count is 0 or a multiple of 5 outside 1–7; primaries are hidden."""
    shown = out["numerator"].dropna().astype(int)
    assert (shown % 5 == 0).all()
    assert not shown.between(1, 7).any()
    display = out["display_value"]
    assert display[display != "*"].astype(int).mod(5).eq(0).all()
    small = df["numerator"].between(1, 7)
    assert out.loc[small, "suppressed"].all()
    assert (out.loc[small, "status"] == "suppressed_small_count").all()
    # Nothing is hidden without a small count in its table.
    if not small.any():
        assert not out["suppressed"].any()
    # No column of the public output carries an unrounded count.
    for column in out.columns:
        assert not column.endswith("_original")


# -- properties ---------------------------------------------------------------------------


@SETTINGS
@given(st.lists(count, min_size=1, max_size=8))
def test_one_way_tables_leak_no_suppressed_count(counts):
    df, equations = one_way_table(counts)
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    assert_publishable(df, out)
    assert_nothing_recovered(df, out, equations)


@SETTINGS
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.lists(count, min_size=r * c, max_size=r * c).map(
                lambda xs: np.array(xs).reshape(r, c)
            )
        )
    )
)
def test_two_way_tables_with_margins_leak_no_suppressed_count(inner):
    df, equations = two_way_table(inner)
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["ethnicity", "team"])
    assert_publishable(df, out)
    assert_nothing_recovered(df, out, equations)


@SETTINGS
@given(st.lists(count, min_size=2, max_size=3), st.lists(count, min_size=2, max_size=3), count)
def test_hierarchies_leak_no_suppressed_count(black, asian, white):
    """16→5→Total nesting: subgroups add up to their 5-group, 5-groups to the Total."""
    labels = [f"Black {i}" for i in range(len(black))] + [f"Asian {i}" for i in range(len(asian))]
    values = [*black, *asian, sum(black), sum(asian), white, sum(black) + sum(asian) + white]
    df = pd.DataFrame(
        {"group": [*labels, "Black", "Asian", "White", "Total"], "numerator": values}
    )
    parent = {label: label.split()[0] for label in labels}
    n = len(df)
    index = {g: i for i, g in enumerate(df["group"])}
    equations = []
    for node in ["Black", "Asian"]:
        eq = np.zeros(n)
        eq[[index[g] for g, p in parent.items() if p == node]] = 1
        eq[index[node]] = -1
        equations.append(eq)
    eq = np.zeros(n)
    eq[[index["Black"], index["Asian"], index["White"]]] = 1
    eq[index["Total"]] = -1
    equations.append(eq)

    out = disclosure.apply(
        df, "public", ["numerator"], dimensions=["group"], hierarchy={"group": parent}
    )
    assert_publishable(df, out)
    assert_nothing_recovered(df, out, np.array(equations))


@SETTINGS
@given(st.lists(count, min_size=1, max_size=6), st.lists(st.integers(1, 5000), min_size=6))
def test_derived_figures_are_hidden_exactly_when_their_count_is(counts, populations):
    df, _ = one_way_table(counts)
    df["denominator"] = [*populations[: len(counts)], sum(populations[: len(counts)])]
    df["value"] = df["numerator"] / df["denominator"] * 100_000
    df["lower"] = df["value"] * 0.9
    df["upper"] = df["value"] * 1.1
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    hidden = out["numerator"].isna()
    for column in ["value", "lower", "upper"]:
        assert out[column].isna().equals(hidden)
    assert (out["display_value"] == "*").equals(hidden)
    assert out["suppressed"].equals(hidden)


@SETTINGS
@given(st.lists(count, min_size=1, max_size=8))
def test_nhse_policy_shows_no_count_below_five(counts):
    df, _ = one_way_table(counts)
    out = disclosure.apply(df, "nhse", ["numerator"], dimensions=["group"])
    shown = out["numerator"].dropna().astype(int)
    assert (shown >= 5).all() and (shown % 5 == 0).all()
    assert out["numerator"].isna().equals(df["numerator"] < 5)


def test_rounding_alone_only_stops_the_weaker_attacker():
    """Why secondary suppression is on for public outputs.

    Under the NHS England rule (round to 5, no secondary suppression), A=3 is shown as '*',
    B=50 as 50 and the Total 53 as 55. Someone who sees only the rounded numbers knows
    Total is 53..57 and B is 48..52, so A is 1..4 (a '*' is 0..4) — not recovered. But if
    the exact counts can be had (for example from published rates × populations),
    A = 53 - 50 = 3.
    """
    df, equations = one_way_table([3, 50])
    out = disclosure.apply(df, "nhse", ["numerator"], dimensions=["group"])
    assert out["display_value"].tolist() == ["*", "50", "55"]
    true = df["numerator"].to_numpy(dtype=float)
    hidden = out["numerator"].isna().to_numpy()
    # The exact-knowledge attacker wins (under this rule a '*' is 0-4).
    hidden = out["numerator"].isna().to_numpy()
    true = df["numerator"].to_numpy(dtype=float)
    low = np.where(hidden, 0.0, true)
    high = np.where(hidden, 4.0, true)
    assert lp_attack(true, low, high, equations) == [0]

    # The rounding-only attacker: published cells are within ±2 of what is displayed.
    shown = out["numerator"].to_numpy(dtype=float, na_value=np.nan)
    bounds = [(0, 4) if h else (s - 2, s + 2) for s, h in zip(shown, hidden, strict=True)]
    objective = np.array([1.0, 0.0, 0.0])
    least = linprog(objective, A_eq=equations, b_eq=[0], bounds=bounds, method="highs")
    most = linprog(-objective, A_eq=equations, b_eq=[0], bounds=bounds, method="highs")
    assert (round(least.fun), round(-most.fun)) == (1, 4)

    protected = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    assert protected["numerator"].isna().tolist() == [True, True, False]
    assert lp_attack(*attacker_knowledge(df, protected), equations) == []


def test_the_engine_audit_agrees_with_the_attacker_on_an_unprotected_pattern():
    """Primary suppression alone in a 2×2 table with margins exposes the cell; the engine's
    own audit (exposed_cells) must say so, or it could not drive the repair."""
    df, equations = two_way_table(np.array([[3, 20], [15, 30]]))
    hidden = df["numerator"].between(1, 7).to_numpy()
    true = df["numerator"].to_numpy(dtype=float)
    low = np.where(hidden, 1.0, true)
    high = np.where(hidden, np.inf, true)
    assert lp_attack(true, low, high, equations) == [0]
    dims = ["ethnicity", "team"]
    lines = disclosure.build_lines(df[dims], dims, {"ethnicity": "Total", "team": "Total"})
    assert disclosure.exposed_cells(true, hidden, lines).tolist() == hidden.tolist()


def test_status_knowledge_is_part_of_the_attacker_model():
    """A=1 is primary (so 1-7); if B=8 were its complement, B's status says 'at least 8'
    and the line leaves A + B = 9, so A = 1 and B = 8 exactly. The engine must see that
    and hide more; B=8 alone would satisfy an attacker who only knows '* >= 1'."""
    df, equations = one_way_table([1, 8, 30])
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    assert out["numerator"].isna().tolist() == [True, True, True, False]
    assert lp_attack(*attacker_knowledge(df, out), equations) == []
