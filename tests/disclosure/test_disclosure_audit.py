"""The secondary-suppression audit and repair against an exact whole-number attacker.

``test_disclosure_properties.py`` checks published tables with a linear-programme attacker
and a ±1 brute force, which are exact for one-way, hierarchical and two-way tables (their
margin equations are totally unimodular). The metric engine declares bigger tables: every
breakdown of a metric and its ethnicity crosses in one table, the one-way ethnicity rows
being the margins of three or more crosses at once. Such a system need not be totally
unimodular, so here the attacker solves whole-number programmes (mixed-integer, exact for any
structure): for each hidden cell, the least and greatest whole number it can be in a table
that agrees with everything published. Its equations are written from the table's
definition, not from the engine's lines.

The audit itself (:func:`pcref.disclosure.exposed_cells`) is checked cell for cell against
the same attacker on arbitrary patterns of hidden cells, not only on the engine's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.linalg import null_space
from scipy.optimize import Bounds, LinearConstraint, milp

from pcref import disclosure
from pcref.disclosure import HiddenBounds, Line, build_lines
from pcref.disclosure.secondary import TableLayout, _fixed_by_equations

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PUBLIC_BOUNDS = HiddenBounds.from_policy(disclosure.PUBLIC)
TOTAL = "Total"


# -- the attacker -------------------------------------------------------------------------


def integer_attack(
    true: np.ndarray, low: np.ndarray, high: np.ndarray, equations: np.ndarray
) -> list[int]:
    """Hidden cells (``low != high``) with one possible whole-number value."""
    bounds = Bounds(low, np.where(np.isinf(high), np.inf, high))
    constraint = LinearConstraint(equations, 0.0, 0.0)
    whole = np.ones(len(true))
    recovered = []
    for k in np.flatnonzero(low != high):
        objective = np.zeros(len(true))
        objective[k] = 1.0
        least = milp(objective, constraints=constraint, bounds=bounds, integrality=whole)
        assert least.status == 0, "the true table must be consistent with the output"
        most = milp(-objective, constraints=constraint, bounds=bounds, integrality=whole)
        if most.status == 0 and round(-most.fun) == round(least.fun):
            recovered.append(int(k))
    return recovered


def knowledge(
    true: np.ndarray, hidden: np.ndarray, primary: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The reader's bounds: exact where published, 1-7 for a primary '*', >= 8 otherwise."""
    low = np.where(hidden, np.where(primary, 1.0, 8.0), true)
    high = np.where(hidden, np.where(primary, 7.0, np.inf), true)
    return low, high


# -- tables -------------------------------------------------------------------------------


def two_way(inner: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """R x C with every margin; rows of the frame and the margin equations."""
    r, c = inner.shape
    full = np.zeros((r + 1, c + 1))
    full[:r, :c] = inner
    full[:r, c] = inner.sum(axis=1)
    full[r, :c] = inner.sum(axis=0)
    full[r, c] = inner.sum()
    df = pd.DataFrame(
        [
            {"eth": f"E{i}" if i < r else TOTAL, "team": f"T{j}" if j < c else TOTAL,
             "numerator": full[i, j]}
            for i in range(r + 1)
            for j in range(c + 1)
        ]
    )
    equations = []
    for i in range(r + 1):
        eq = np.zeros(len(df))
        eq[[i * (c + 1) + j for j in range(c)]] = 1
        eq[i * (c + 1) + c] = -1
        equations.append(eq)
    for j in range(c + 1):
        eq = np.zeros(len(df))
        eq[[i * (c + 1) + j for i in range(r)]] = 1
        eq[r * (c + 1) + j] = -1
        equations.append(eq)
    return df, np.array(equations)


CROSSES = {"sex": ["Male", "Female"], "age": ["Young", "Middle", "Old"], "team": ["A", "B"]}


def linked(people: list[tuple[int, int, int, int]], groups: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One metric as the engine lays it out: the Total, one-way breakdowns by ethnicity, sex,
    age and team, and ethnicity crossed with each of the three, in one table.

    ``people`` are (ethnic group, sex, age, team) codes. Only cells with at least one person
    have a row (absent cells are zero, as in the engine). Equations, from the definition:
    each cross's cells for one ethnic group add up to that group's one-way row, its cells
    for one sex (age, team) to that one-way row, and each one-way breakdown to the Total.
    """
    frame = pd.DataFrame(people, columns=["eth", "sex", "age", "team"])
    frame["eth"] = "E" + frame["eth"].astype(str)
    for name, labels in CROSSES.items():
        frame[name] = frame[name].map(dict(enumerate(labels)))
    dims = ["eth", *CROSSES]
    rows = [{**dict.fromkeys(dims, TOTAL), "numerator": len(frame)}]
    for by in [["eth"], *[[d] for d in CROSSES], *[["eth", d] for d in CROSSES]]:
        for key, count in frame.groupby(by).size().items():
            key = key if isinstance(key, tuple) else (key,)
            rows.append({**dict.fromkeys(dims, TOTAL), **dict(zip(by, key, strict=True)),
                         "numerator": count})
    df = pd.DataFrame(rows)
    df["numerator"] = df["numerator"].astype(float)
    index = {tuple(r): i for i, r in enumerate(df[dims].itertuples(index=False))}

    def at(**labels: str) -> int | None:
        return index.get(tuple(labels.get(d, TOTAL) for d in dims))

    equations = []

    def equation(parts: list[int | None], total: int | None) -> None:
        if total is None:
            return
        eq = np.zeros(len(df))
        eq[[p for p in parts if p is not None]] = 1
        eq[total] = -1
        equations.append(eq)

    eths = [f"E{g}" for g in range(groups)]
    equation([at(eth=e) for e in eths], at())
    for d, labels in CROSSES.items():
        equation([at(**{d: y}) for y in labels], at())
        for e in eths:
            equation([at(eth=e, **{d: y}) for y in labels], at(eth=e))
        for y in labels:
            equation([at(eth=e, **{d: y}) for e in eths], at(**{d: y}))
    return df, np.array(equations)


people_strategy = st.integers(2, 4).flatmap(
    lambda groups: st.tuples(
        st.just(groups),
        st.lists(
            st.tuples(st.integers(0, groups - 1), st.integers(0, 1), st.integers(0, 2),
                      st.integers(0, 1)),
            min_size=1,
            max_size=45,
        ),
    )
)


def random_hidden(data: st.DataObject, true: np.ndarray, primary: np.ndarray) -> np.ndarray:
    """The primary cells plus any publishable (positive) cells, as a repair might hide."""
    extra = data.draw(st.lists(st.booleans(), min_size=len(true), max_size=len(true)))
    return primary | (np.array(extra) & (true > 0))


# -- the audit is exact -------------------------------------------------------------------


@SETTINGS
@given(
    st.integers(2, 3).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.lists(st.integers(0, 12), min_size=r * c, max_size=r * c).map(
                lambda xs: np.array(xs).reshape(r, c)
            )
        )
    ),
    st.data(),
)
def test_audit_flags_exactly_the_recoverable_cells_of_a_two_way_table(inner, data):
    df, equations = two_way(inner)
    true = df["numerator"].to_numpy()
    primary = disclosure.PUBLIC.is_primary(true)
    hidden = random_hidden(data, true, primary)
    lines = build_lines(df[["eth", "team"]], ["eth", "team"], {"eth": TOTAL, "team": TOTAL})
    flagged = disclosure.exposed_cells(true, hidden, lines, PUBLIC_BOUNDS, primary=primary)
    recovered = integer_attack(true, *knowledge(true, hidden, primary), equations)
    assert np.flatnonzero(flagged).tolist() == recovered


@SETTINGS
@given(people_strategy, st.data())
def test_audit_flags_exactly_the_recoverable_cells_of_linked_crosses(drawn, data):
    """Three crosses sharing the one-way ethnicity rows: not a totally unimodular system in
    general, yet the audit (a linear programme) must still flag exactly the cells a
    whole-number attacker recovers; never fewer, or a recoverable cell could be published."""
    groups, people = drawn
    df, equations = linked(people, groups)
    true = df["numerator"].to_numpy()
    primary = disclosure.PUBLIC.is_primary(true)
    hidden = random_hidden(data, true, primary)
    dims = ["eth", *CROSSES]
    lines = build_lines(df[dims], dims, dict.fromkeys(dims, TOTAL))
    flagged = disclosure.exposed_cells(true, hidden, lines, PUBLIC_BOUNDS, primary=primary)
    recovered = integer_attack(true, *knowledge(true, hidden, primary), equations)
    assert np.flatnonzero(flagged).tolist() == recovered


# -- the published output leaks nothing ---------------------------------------------------


@SETTINGS
@given(people_strategy)
def test_linked_crosses_leak_no_suppressed_count_to_a_whole_number_attacker(drawn):
    groups, people = drawn
    df, equations = linked(people, groups)
    dims = ["eth", *CROSSES]
    true = df["numerator"].to_numpy()
    out = disclosure.apply(df, "public", ["numerator"], dimensions=dims)
    whole = (out["status"] == disclosure.SUPPRESSED_WHOLE_TABLE).to_numpy()
    if whole.any():
        # Withholding the whole table is right only if hiding every positive cell, with
        # the statuses saying which are 1-7, still gives a count away; then every count,
        # zeros too, is withheld and the reader knows only that each is at least 0.
        everything = true > 0
        primary = disclosure.PUBLIC.is_primary(true)
        assert integer_attack(true, *knowledge(true, everything, primary), equations) != []
        assert whole.all() and out["numerator"].isna().all()
        low, high = np.zeros(len(true)), np.full(len(true), np.inf)
        assert integer_attack(true, low, high, equations) == []
        return
    hidden = out["numerator"].isna().to_numpy()
    primary = (out["status"] == "suppressed_small_count").to_numpy()
    assert (primary == df["numerator"].between(1, 7)).all()
    recovered = integer_attack(true, *knowledge(true, hidden, primary), equations)
    assert recovered == [], f"recovered: {df.iloc[recovered]}"
    shown = out["numerator"].dropna().astype(int)
    assert (shown % 5 == 0).all() and not shown.between(1, 7).any()


@SETTINGS
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(3, 6).flatmap(
            lambda c: st.lists(st.integers(0, 40), min_size=r * c, max_size=r * c).map(
                lambda xs: np.array(xs).reshape(r, c)
            )
        )
    )
)
def test_two_way_tables_leak_nothing_to_a_whole_number_attacker(inner):
    """Larger two-way tables than the linear-programme test in test_disclosure_properties:
    no hidden cell (primary or secondary) has a single whole-number value, and nothing is
    hidden in a table without a small count."""
    df, equations = two_way(inner)
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["eth", "team"])
    true = df["numerator"].to_numpy()
    hidden = out["numerator"].isna().to_numpy()
    primary = (out["status"] == "suppressed_small_count").to_numpy()
    assert integer_attack(true, *knowledge(true, hidden, primary), equations) == []
    if not primary.any():
        assert not hidden.any()


# -- the equations part of the audit ------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 7), st.integers(1, 10), st.data())
def test_cells_fixed_by_the_equations_match_the_null_space(rows, columns, data):
    """Graph-shaped systems are settled by bridges, others by a rank-revealing QR; both must
    agree with an SVD null space. Columns have 0-3 entries of ±1, so both kinds occur."""
    matrix = np.zeros((rows, columns))
    for j in range(columns):
        k = data.draw(st.integers(0, min(3, rows)))
        chosen = data.draw(st.lists(st.integers(0, rows - 1), min_size=k, max_size=k,
                                    unique=True))
        signs = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=k, max_size=k))
        matrix[chosen, j] = signs
    basis = null_space(matrix)
    expected = (
        np.ones(columns, dtype=bool) if basis.size == 0 else np.linalg.norm(basis, axis=1) < 1e-9
    )
    assert _fixed_by_equations(sparse.csr_array(matrix)).tolist() == expected.tolist()


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 14), st.integers(1, 30), st.data())
def test_cells_in_many_equations_beside_a_graph_match_the_null_space(rows, columns, data):
    """Mostly graph-shaped systems with a few unknowns in three to six equations (a team's
    row, the margin of every cross of the team; the Total): those are settled beside the
    graph rather than by a QR of the whole group, and must agree with an SVD null space."""
    matrix = np.zeros((rows, columns))
    for j in range(columns):
        heavy = data.draw(st.integers(0, 5)) == 0
        k = data.draw(st.integers(3, min(6, rows)) if heavy and rows >= 3 else st.integers(1, 2))
        chosen = data.draw(st.lists(st.integers(0, rows - 1), min_size=k, max_size=k,
                                    unique=True))
        matrix[chosen, j] = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=k,
                                               max_size=k))
    basis = null_space(matrix)
    expected = (
        np.ones(columns, dtype=bool) if basis.size == 0 else np.linalg.norm(basis, axis=1) < 1e-9
    )
    assert _fixed_by_equations(sparse.csr_array(matrix)).tolist() == expected.tolist()


@SETTINGS
@given(people_strategy, st.data())
def test_equations_of_linked_crosses_fix_what_the_null_space_fixes(drawn, data):
    """Any hidden pattern of the engine's layout (the one-way rows are margins of three
    crosses at once), the whole table included: the cells the equations alone fix are those
    with no change in the null space of the hidden columns."""
    groups, people = drawn
    df, equations = linked(people, groups)
    hidden = np.array(data.draw(st.lists(st.booleans(), min_size=len(df), max_size=len(df))))
    if data.draw(st.booleans()):
        hidden[:] = True
    matrix = equations[:, hidden]
    matrix = matrix[np.abs(matrix).sum(axis=1) > 0]
    basis = null_space(matrix) if matrix.size else np.eye(int(hidden.sum()))
    expected = (
        np.ones(int(hidden.sum()), dtype=bool)
        if basis.size == 0
        else np.linalg.norm(basis, axis=1) < 1e-9
    )
    assert _fixed_by_equations(sparse.csr_array(matrix)).tolist() == expected.tolist()


def test_a_cell_on_no_cycle_of_a_two_way_table_is_fixed_by_the_margins():
    """Hidden cells (0,0), (0,1), (1,0) of a table with margins: (0,0) and (0,1) share row 0,
    (0,0) and (1,0) share column 0, but (0,1) is alone in column 1 and (1,0) alone in row 1,
    so both are pinned, and then (0,0) too: the equations fix all three."""
    df, _ = two_way(np.array([[10, 10, 10], [10, 10, 10]]))
    true = df["numerator"].to_numpy()
    hidden = np.zeros(len(df), dtype=bool)
    hidden[[0, 1, 4]] = True
    lines = build_lines(df[["eth", "team"]], ["eth", "team"], {"eth": TOTAL, "team": TOTAL})
    flagged = disclosure.exposed_cells(true, hidden, lines)
    assert flagged.tolist() == hidden.tolist()
    hidden[5] = True  # (1,1) closes the rectangle: now every hidden cell can move
    assert not disclosure.exposed_cells(true, hidden, lines).any()


# -- lines --------------------------------------------------------------------------------


def test_lines_follow_the_nearest_present_ancestor_in_a_stated_order():
    """Worked by hand. African and Caribbean add up to Black; Black is absent from the team
    column T1, so there they add up to the column's Total; White has no parent given, so
    adds up to the Total. Lines come dimension by dimension, group by group in order of
    first appearance, and within a group in order of each line's first member."""
    df = pd.DataFrame(
        {
            "eth": ["African", "Caribbean", "Black", "White", "Total",
                    "African", "Caribbean", "White", "Total"],
            "team": ["Total"] * 5 + ["T1"] * 4,
        }
    )
    parents = {"eth": {"African": "Black", "Caribbean": "Black"}}
    lines = build_lines(df, ["eth", "team"], {"eth": "Total", "team": "Total"}, parents)
    assert lines == [
        Line(2, (0, 1)),  # team Total: African + Caribbean = Black
        Line(4, (2, 3)),  #             Black + White = Total
        Line(8, (5, 6, 7)),  # team T1: no Black row, so all three add up to T1's Total
        Line(0, (5,)),  # African: T1 = African (the only team)
        Line(1, (6,)),
        Line(3, (7,)),
        Line(4, (8,)),
    ]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_lines_of_one_table_in_a_larger_frame_match_the_table_alone(data):
    labels = ["a1", "a2", "A", "b1", "B", "c", TOTAL]
    parents = {"a1": "A", "a2": "A", "b1": "B", "A": "AB", "B": "AB"}
    rows = []
    for table in ("first", "second"):
        for g in labels:
            for m in ["m1", "m2", TOTAL]:
                if data.draw(st.booleans()):
                    rows.append({"table": table, "g": g, "m": m})
    df = pd.DataFrame(rows or [{"table": "first", "g": TOTAL, "m": TOTAL}])
    totals = {"g": TOTAL, "m": TOTAL}
    layout = TableLayout(df, ["g", "m"], totals, {"g": parents})
    for table in ("first", "second"):
        positions = np.flatnonzero(df["table"] == table)
        alone = df.iloc[positions].reset_index(drop=True)
        expected = build_lines(alone, ["g", "m"], totals, {"g": parents})
        assert layout.lines(positions) == expected


def test_a_hierarchy_with_a_cycle_is_rejected():
    df = pd.DataFrame({"g": ["a", "b", "Total"]})
    with pytest.raises(ValueError, match="its own ancestor"):
        build_lines(df, ["g"], {"g": "Total"}, {"g": {"a": "b", "b": "a"}})


# -- repair -------------------------------------------------------------------------------


def test_inconsistent_lines_raise_rather_than_publish():
    """The declared line says Total = A, but the counts are A = 0 and Total = 3: no table
    consistent with the output lets the hidden Total move, and nothing can be hidden to
    change that (a published 0 is never a complement). Withholding every count is the way out
    of a table that is merely small, not of lines that contradict each other: Total = A and
    Total = A + B force B to 0 whatever is hidden, so B's 5 is given away."""
    with pytest.raises(disclosure.TableCannotBeProtected, match="could not protect hidden cell 1"):
        disclosure.protect([0.0, 3.0], [False, True], [Line(1, (0,))], PUBLIC_BOUNDS)
    with pytest.raises(disclosure.TableCannotBeProtected, match=r"hidden cell 2 \(count 5\)"):
        disclosure.withhold_whole_table([5.0, 0.0, 5.0], [Line(0, (1,)), Line(0, (1, 2))])


def test_a_table_too_small_to_protect_cell_by_cell_is_withheld_whole():
    """Worked by hand. Seven people, one in each of seven groups: seven '*' of at least 1
    and a '*' Total of at most 7 leave one table (every group 1, Total 7), whatever else is
    hidden, and a second count column (3 of the 7, in groups A and B) is only one more line
    of the same kind. With every count hidden alike, zeros included, a reader knows only
    that each is at least 0: the Total could be 8 with any group 2."""
    groups = list("ABCDEFG")
    values = [7.0] + [1.0] * 7
    lines = [Line(0, tuple(range(1, 8)))]
    with pytest.raises(disclosure.TableCannotBeProtected):
        disclosure.protect(values, [True] * 8, lines, PUBLIC_BOUNDS)
    assert disclosure.withhold_whole_table(values, lines).all()
    df = pd.DataFrame({"table": "t", "group": [TOTAL, *groups], "numerator": values,
                       "value": [v / 100 for v in values]})
    # A second table (another statistic) with room to protect its one small count.
    other = pd.DataFrame({"table": "u", "group": [TOTAL, "A", "B", "C"],
                          "numerator": [30.0, 3.0, 12.0, 15.0], "value": 0.1})
    out = disclosure.apply(pd.concat([df, other], ignore_index=True), "public", ["numerator"],
                           table_keys=["table"], dimensions=["group"], decimals=1)
    tiny, protected = out[out["table"] == "t"], out[out["table"] == "u"]
    assert tiny["numerator"].isna().all() and tiny["value"].isna().all()
    assert set(tiny["status"]) == {disclosure.SUPPRESSED_WHOLE_TABLE}
    assert tiny["suppressed"].all() and set(tiny["display_value"]) == {"*"}
    assert protected["status"].tolist() == ["rounded", "suppressed_small_count",
                                            "suppressed_secondary", "rounded"]
    assert out.attrs["disclosure"]["cells_suppressed_whole_table"] == 8
    assert out.attrs["disclosure"]["cells_suppressed_secondary"] == 1
    whole_table = np.array([[-1.0, 1, 1, 1, 1, 1, 1, 1]])
    assert integer_attack(np.array(values), np.zeros(8), np.full(8, np.inf), whole_table) == []


def test_repair_frees_a_cell_the_line_rule_leaves_pinned():
    """Worked by hand. Black (17) = African (8) + Caribbean (9); Total (18) = Black + Other
    (1). Other = 1 is primary. The line rule hides Black with it (the only other member of
    the Total's line), then African (the smallest) with Black. Every line now hides two or
    more cells, yet Other is recoverable: Total is published, so Other going up means Black
    going down, hence African going down (Caribbean is published) — but a secondary '*' is
    at least 8 and African is 8, so it cannot: Other is 1, Black 17 and African 8 for anyone
    who reads the statuses. The repair hides Caribbean
    (9, room to go down to 8): the tables (Other, Black, African, Caribbean) = (1, 17, 8, 9)
    and (2, 16, 8, 8) both fit what is published."""
    df = pd.DataFrame(
        {"group": ["African", "Caribbean", "Black", "Other", TOTAL],
         "numerator": [8, 9, 17, 1, 18]}
    )
    parents = {"group": {"African": "Black", "Caribbean": "Black"}}
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"],
                           hierarchy=parents)
    assert out["display_value"].tolist() == ["*", "*", "*", "*", "20"]
    assert out["status"].tolist() == ["suppressed_secondary"] * 3 + [
        "suppressed_small_count", "rounded"]
    true = df["numerator"].to_numpy(dtype=float)
    hidden = out["numerator"].isna().to_numpy()
    primary = (out["status"] == "suppressed_small_count").to_numpy()
    equations = np.array([[1, 1, -1, 0, 0], [0, 0, 1, 1, -1]], dtype=float)
    assert integer_attack(true, *knowledge(true, hidden, primary), equations) == []
    # Without Caribbean, Other would be recovered, and with it Black and African.
    line_rule_only = hidden & (df["group"] != "Caribbean").to_numpy()
    assert integer_attack(true, *knowledge(true, line_rule_only, primary), equations) == [0, 2, 3]


def test_a_certificate_through_hidden_cells_alone_hides_only_what_it_moves():
    """Regression: with every publishable cell already hidden or zero, the certificate
    used to come back as (cost, change) instead of the change, and every cell, zeros
    included, was then hidden as secondary. Black 0 + Black 1 = Black; Asian 0 + Asian 1 =
    Asian; Black + Asian + White = Total."""
    labels = ["Black 0", "Black 1", "Asian 0", "Asian 1"]
    df = pd.DataFrame({
        "group": [*labels, "Black", "Asian", "White", "Total"],
        "numerator": [0, 1, 1, 8, 1, 9, 0, 10],
    })
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"],
                           hierarchy={"group": {label: label.split()[0] for label in labels}})
    zeros = df["numerator"] == 0
    assert out.loc[zeros, "numerator"].eq(0).all()  # zeros are published, never hidden
    assert not out.loc[zeros, "suppressed"].any()
