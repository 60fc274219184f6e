"""Hand-worked tables for each disclosure rule, under both built-in policies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pcref import disclosure
from pcref.disclosure import NHSE, PUBLIC, Policy, resolve_policy, round_to_base


def one_way(counts: dict[str, int], **extra: list) -> pd.DataFrame:
    """A one-way breakdown with its Total row (total = sum of the groups)."""
    groups = [*counts, "Total"]
    numerators = [*counts.values(), sum(counts.values())]
    return pd.DataFrame({"group": groups, "numerator": numerators, **extra})


def displayed(out: pd.DataFrame) -> dict[str, str]:
    return dict(zip(out["group"], out["display_value"], strict=True))


# -- policies ------------------------------------------------------------------------------


def test_builtin_policies_hold_the_documented_parameters():
    assert PUBLIC.suppress_below == 8 and not PUBLIC.suppress_zero
    assert PUBLIC.rounding_base == 5 and PUBLIC.secondary_suppression
    assert PUBLIC.min_bed_days == 100 and PUBLIC.suppress_derived
    assert NHSE.suppress_below == 5 and NHSE.suppress_zero
    assert NHSE.rounding_base == 5 and not NHSE.secondary_suppression
    assert NHSE.min_bed_days == 100
    assert PUBLIC.describe().startswith("Counts 1–7 are shown as *")
    assert NHSE.describe().startswith("Counts 0–4 are shown as *")


def test_primary_range_public_is_one_to_seven_and_nhse_is_below_five():
    counts = np.array([0, 1, 4, 5, 7, 8, 100])
    assert PUBLIC.is_primary(counts).tolist() == [False, True, True, True, True, False, False]
    assert NHSE.is_primary(counts).tolist() == [True, True, True, False, False, False, False]


def test_policy_is_resolved_by_name_object_or_mapping():
    assert resolve_policy("PUBLIC") is PUBLIC
    assert resolve_policy(NHSE) is NHSE
    custom = resolve_policy({**PUBLIC.to_dict(), "name": "board", "suppress_below": 10})
    assert custom.name == "board" and custom.suppress_below == 10


@pytest.mark.parametrize("bad", ["strict", "", None, 5])
def test_unknown_policy_is_a_value_error(bad):
    with pytest.raises(ValueError, match="policy"):
        disclosure.apply(one_way({"A": 10}), bad, ["numerator"], dimensions=["group"])


def test_invalid_policy_parameters_are_rejected():
    with pytest.raises(ValueError, match="rounding_base"):
        dataclasses.replace(PUBLIC, rounding_base=0)
    with pytest.raises(ValueError, match="suppress_below"):
        dataclasses.replace(PUBLIC, suppress_below=-1)
    with pytest.raises(ValueError, match="unknown"):
        Policy.from_dict({**PUBLIC.to_dict(), "threshold": 5})


# -- rounding ------------------------------------------------------------------------------


def test_rounding_is_to_nearest_five_with_halves_up():
    values = [0, 1, 2, 2.5, 3, 7, 7.5, 8, 12, 12.5, 13, 17.4999, 17.5, 1234]
    expected = [0, 0, 0, 5, 5, 5, 10, 10, 10, 15, 15, 15, 20, 1235]
    assert round_to_base(values, 5).tolist() == expected


def test_rounding_matches_nhs_england_suppress_for_whole_counts():
    """NHS England's suppress(): base * round(x / base) (Python's round, ties to even).

    For whole counts x / 5 is never a tie, so it agrees with round-half-up everywhere.
    """
    counts = np.arange(0, 2001)
    nhse = np.array([5 * round(float(x) / 5) for x in counts])
    assert np.array_equal(round_to_base(counts, 5), nhse)


def test_rounding_keeps_nan_and_rejects_bad_base():
    assert np.isnan(round_to_base([np.nan], 5)[0])
    with pytest.raises(ValueError, match="base"):
        round_to_base([1], 0)


# -- primary suppression, zeros, rounding through apply ------------------------------------


def test_nhse_policy_reproduces_nhs_england_suppress_function():
    """Counts < 5 (zero included) → '*', others 5 * round(x / 5); no secondary step."""
    counts = {"A": 0, "B": 4, "C": 5, "D": 7, "E": 12, "F": 13, "G": 100}
    out = disclosure.apply(one_way(counts), "nhse", ["numerator"], dimensions=["group"])

    def suppress(x: int) -> str:  # NHSDigital/mental-health-act-annual-statistics
        return "*" if x < 5 else str(int(5 * round(float(x) / 5)))

    expected = {g: suppress(x) for g, x in {**counts, "Total": 141}.items()}
    assert displayed(out) == expected
    assert out["numerator"].tolist() == [pd.NA, pd.NA, 5, 5, 10, 15, 100, 140]
    assert out["status"].tolist() == ["suppressed_small_count"] * 2 + ["rounded"] * 6


def test_public_zero_is_shown_as_exact_zero_and_one_to_seven_suppressed():
    counts = {"A": 0, "B": 1, "C": 7, "D": 8, "E": 30}
    out = disclosure.apply(one_way(counts), "public", ["numerator"], dimensions=["group"])
    shown = displayed(out)
    assert shown["A"] == "0"
    assert shown["B"] == "*" and shown["C"] == "*"
    assert shown["D"] == "10"
    status = dict(zip(out["group"], out["status"], strict=True))
    assert status["A"] == "shown"  # a published 0 is exact: 1 and 2 would be '*'
    assert status["B"] == status["C"] == "suppressed_small_count"
    assert status["D"] == "rounded"


# -- secondary suppression, one-way ------------------------------------------------------


def test_one_suppressed_cell_in_a_line_takes_the_next_smallest_with_it():
    """A=3 alone would be Total - B - C - D. The next-smallest positive cell (B=12) goes too;
    D=0 is published as 0 and is never a complement."""
    out = disclosure.apply(
        one_way({"A": 3, "B": 12, "C": 40, "D": 0}), "public", ["numerator"], dimensions=["group"]
    )
    assert displayed(out) == {"A": "*", "B": "*", "C": "40", "D": "0", "Total": "55"}
    assert out["status"].tolist() == [
        "suppressed_small_count",
        "suppressed_secondary",
        "rounded",
        "shown",
        "rounded",
    ]
    assert out.attrs["disclosure"]["cells_suppressed_secondary"] == 1


def test_two_hidden_ones_are_protected_by_a_third_cell():
    """A=1 and B=1 both primary: the line leaves 2 for two '*' that are each at least 1, so
    both would be known to be 1. A third cell (C=30) is hidden too."""
    out = disclosure.apply(
        one_way({"A": 1, "B": 1, "C": 30, "D": 40}), "public", ["numerator"], dimensions=["group"]
    )
    assert displayed(out) == {"A": "*", "B": "*", "C": "*", "D": "40", "Total": "70"}
    assert out["status"].tolist()[:3] == ["suppressed_small_count"] * 2 + ["suppressed_secondary"]


def test_zeros_are_never_complements_so_a_lone_small_cell_hides_with_its_total():
    """A=5 is the only non-zero group, so the Total (5) equals it and is small itself."""
    out = disclosure.apply(
        one_way({"A": 5, "B": 0, "C": 0}), "public", ["numerator"], dimensions=["group"]
    )
    assert displayed(out) == {"A": "*", "B": "0", "C": "0", "Total": "*"}
    assert out["status"].iloc[-1] == "suppressed_small_count"


def test_secondary_suppression_runs_within_each_table():
    first = one_way({"A": 3, "B": 12, "C": 40}, period=["Q1"] * 4)
    second = one_way({"A": 30, "B": 12, "C": 40}, period=["Q2"] * 4)
    df = pd.concat([first, second], ignore_index=True)
    out = disclosure.apply(df, "public", ["numerator"], table_keys=["period"], dimensions=["group"])
    assert out["display_value"].tolist() == ["*", "*", "40", "55", "30", "10", "40", "80"]


def test_nhse_policy_has_no_secondary_suppression():
    out = disclosure.apply(
        one_way({"A": 3, "B": 12, "C": 40}), "nhse", ["numerator"], dimensions=["group"]
    )
    assert displayed(out) == {"A": "*", "B": "10", "C": "40", "Total": "55"}


def test_public_policy_requires_the_table_structure():
    with pytest.raises(ValueError, match="dimensions"):
        disclosure.apply(one_way({"A": 3}), "public", ["numerator"])


def test_hierarchy_protects_subgroups_against_their_parent():
    """16→5 style nesting: Black = African + Caribbean + Other Black. With Other Black
    suppressed, the next-smallest sibling goes too; the 5-group rows stay published."""
    df = pd.DataFrame(
        {
            "group": ["African", "Caribbean", "Other Black", "Black", "White", "Total"],
            "numerator": [20, 15, 4, 39, 100, 139],
        }
    )
    hierarchy = {"group": {"African": "Black", "Caribbean": "Black", "Other Black": "Black"}}
    out = disclosure.apply(
        df, "public", ["numerator"], dimensions=["group"], hierarchy=hierarchy
    )
    assert displayed(out) == {
        "African": "20",
        "Caribbean": "*",
        "Other Black": "*",
        "Black": "40",
        "White": "100",
        "Total": "140",
    }


# -- secondary suppression, two-way ------------------------------------------------------


def two_way(rows: dict[str, list[int]], columns: list[str]) -> pd.DataFrame:
    """A two-way table (ethnicity × team) with row, column and grand totals as rows."""
    inner = np.array(list(rows.values()))
    records = []
    for i, eth in enumerate([*rows, "Total"]):
        for j, team in enumerate([*columns, "Total"]):
            r = inner[i] if i < len(rows) else inner.sum(axis=0)
            value = r[j] if j < len(columns) else r.sum()
            records.append({"ethnicity": eth, "team": team, "numerator": int(value)})
    return pd.DataFrame(records)


def test_two_way_table_hides_a_rectangle_around_a_small_cell():
    """Worked by hand: A×X = 3 is primary. Column X then has one '*' → its next smallest
    B×X = 15; row A has one → A×Y = 20; row B has one → B×Y = 30 (it closes the pattern).
    The rectangle A,B × X,Y cannot be solved from the margins."""
    df = two_way({"A": [3, 20, 25], "B": [15, 30, 40], "C": [22, 35, 50]}, ["X", "Y", "Z"])
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["ethnicity", "team"])
    grid = out.pivot(index="ethnicity", columns="team", values="display_value")
    assert grid.loc["A"].tolist() == ["50", "*", "*", "25"]  # columns sorted: Total, X, Y, Z
    assert grid.loc["B"].tolist() == ["85", "*", "*", "40"]
    assert grid.loc["C"].tolist() == ["105", "20", "35", "50"]
    assert grid.loc["Total"].tolist() == ["240", "40", "85", "115"]
    status = out.set_index(["ethnicity", "team"])["status"]
    assert status[("A", "X")] == "suppressed_small_count"
    assert {status[c] for c in [("A", "Y"), ("B", "X"), ("B", "Y")]} == {"suppressed_secondary"}


# -- derived figures, bed days, comparisons ----------------------------------------------


def rates_table(numerators: dict[str, int], denominators: dict[str, int]) -> pd.DataFrame:
    df = one_way(numerators)
    df["denominator"] = [*denominators.values(), sum(denominators.values())]
    df["value"] = df["numerator"] / df["denominator"] * 100_000
    df["lower"] = df["value"] * 0.8
    df["upper"] = df["value"] * 1.2
    return df


def test_derived_figures_are_hidden_with_their_numerator():
    df = rates_table({"A": 3, "B": 12, "C": 40}, {"A": 1000, "B": 2000, "C": 5000})
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    for column in ["value", "lower", "upper"]:
        assert out[column].isna().tolist() == [True, True, False, False]
    # Population denominators are not counts: published as they are.
    assert out["denominator"].tolist() == df["denominator"].tolist()
    # The display shows the headline rate, to one decimal place.
    assert out["display_value"].tolist() == ["*", "*", "800.0", "687.5"]


def test_derived_figures_are_hidden_when_a_counted_denominator_is_suppressed():
    """% of inpatients restrained: the denominator counts people too. Ward B's 6 inpatients
    are primary suppressed, Ward A's 40 secondary (the pair against the Total), and both
    percentages go with them although their numerators are publishable."""
    df = pd.DataFrame(
        {
            "group": ["Ward A", "Ward B", "Total"],
            "numerator": [10, 0, 10],
            "denominator": [40, 6, 46],
        }
    )
    df["value"] = df["numerator"] / df["denominator"] * 100
    out = disclosure.apply(df, "public", ["numerator", "denominator"], dimensions=["group"])
    assert out["value"].isna().tolist() == [True, True, False]
    assert out["numerator"].tolist() == [10, 0, 10]
    assert out["status"].tolist() == [
        "suppressed_secondary",
        "suppressed_small_count",
        "rounded",
    ]


@pytest.mark.parametrize(("bed_days", "hidden"), [(99, True), (100, False)])
@pytest.mark.parametrize("policy", ["public", "nhse"])
def test_bed_day_rates_are_hidden_below_100_bed_days(policy, bed_days, hidden):
    df = pd.DataFrame(
        {"group": ["Ward 1", "Ward 2", "Total"], "numerator": [20, 30, 50]}
    )
    df["bed_days"] = [bed_days, 500, bed_days + 500]
    df["value"] = df["numerator"] / df["bed_days"] * 1000
    out = disclosure.apply(
        df, policy, ["numerator"], dimensions=["group"], bed_days_column="bed_days"
    )
    assert bool(pd.isna(out["value"].iloc[0])) is hidden
    assert out["numerator"].iloc[0] == 20  # the count itself is still published
    expected = "suppressed_bed_days_below_100" if hidden else "rounded"
    assert out["status"].iloc[0] == expected
    assert bool(out["suppressed"].iloc[0]) is hidden


def test_bed_day_rule_applies_only_to_flagged_rows():
    df = pd.DataFrame(
        {
            "metric": ["restraint_per_1000_bed_days", "people_restrained_pct"],
            "group": ["Total", "Total"],
            "numerator": [20, 20],
            "denominator": [50, 50],
            "per_bed_day": [True, False],
        }
    )
    df["value"] = [400.0, 40.0]
    out = disclosure.apply(
        df,
        "public",
        ["numerator"],
        table_keys=["metric"],
        dimensions=["group"],
        bed_days_column="denominator",
        bed_day_rows="per_bed_day",
    )
    assert out["value"].isna().tolist() == [True, False]


def test_comparisons_are_hidden_when_the_reference_group_is_suppressed():
    """Black's rate ratio against White would give away White's rate (Black's rate / ratio),
    hence White's count, so it is withheld too; Black's own rate is still published."""
    df = rates_table(
        {"White": 3, "Black": 40, "Asian": 30}, {"White": 1000, "Black": 2000, "Asian": 3000}
    )
    white = df.loc[0, "value"]
    df["ratio"] = [1.0, df.loc[1, "value"] / white, df.loc[2, "value"] / white, np.nan]
    out = disclosure.apply(
        df, "public", ["numerator"], dimensions=["group"], reference_group="White"
    )
    by_group = out.set_index("group")
    assert pd.isna(by_group.loc["Black", "ratio"])
    assert by_group.loc["Black", "value"] == pytest.approx(2000.0)
    assert by_group.loc["Black", "status"] == "suppressed_reference_suppressed"
    assert bool(by_group.loc["Black", "suppressed"])
    assert by_group.loc["Black", "display_value"] == "2000.0"


def test_comparisons_need_the_reference_group():
    df = rates_table({"White": 3, "Black": 40}, {"White": 1000, "Black": 2000})
    df["ratio"] = [1.0, 6.7, np.nan]
    with pytest.raises(ValueError, match="reference_group"):
        disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    with pytest.raises(ValueError, match="'Mixed' has no row"):
        disclosure.apply(
            df, "public", ["numerator"], dimensions=["group"], reference_group="Mixed"
        )


# -- what is recorded, views, immutability ------------------------------------------------


def test_policy_is_recorded_in_a_column_and_in_attrs():
    df = one_way({"A": 3, "B": 12})
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    assert set(out["disclosure_policy"]) == {"public"}
    assert out.attrs["disclosure_policy"] == PUBLIC.to_dict()
    record = out.attrs["disclosure"]
    assert record["view"] == "public"
    assert record["count_columns"] == ["numerator"]
    assert record["dimensions"] == ["group"]
    assert record["statement"] == PUBLIC.describe()


def test_custom_policy_is_applied_and_recorded():
    board = dataclasses.replace(PUBLIC, name="board", suppress_below=10, rounding_base=None)
    out = disclosure.apply(
        one_way({"A": 9, "B": 12, "C": 40}), board, ["numerator"], dimensions=["group"]
    )
    assert displayed(out) == {"A": "*", "B": "*", "C": "40", "Total": "61"}
    assert out["status"].tolist()[2:] == ["shown", "shown"]  # nothing rounded
    assert out.attrs["disclosure_policy"]["name"] == "board"


def test_public_view_carries_no_unrounded_count_and_internal_view_does():
    df = rates_table({"A": 3, "B": 12, "C": 43}, {"A": 1000, "B": 2000, "C": 5000})
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    assert out["numerator"].tolist() == [pd.NA, pd.NA, 45, 60]
    assert not [c for c in out.columns if c.endswith("_original")]
    assert str(out["numerator"].dtype) == "Int64"

    internal = disclosure.apply(
        df, "nhse", ["numerator"], dimensions=["group"], keep_original=True
    )
    assert internal["numerator_original"].tolist() == [3, 12, 43, 58]
    assert internal["value_original"].tolist() == df["value"].tolist()
    assert internal.attrs["disclosure"]["view"] == "internal"


def test_input_is_not_mutated_and_index_is_kept():
    df = rates_table({"A": 3, "B": 12, "C": 40}, {"A": 1000, "B": 2000, "C": 5000})
    df.index = [10, 20, 30, 40]
    before = df.copy()
    out = disclosure.apply(df, "public", ["numerator"], dimensions=["group"])
    pd.testing.assert_frame_equal(df, before)
    assert out.index.tolist() == [10, 20, 30, 40]


# -- bad input ---------------------------------------------------------------------------


def test_missing_count_column_is_named():
    with pytest.raises(ValueError, match="'people'"):
        disclosure.apply(one_way({"A": 3}), "public", ["people"], dimensions=["group"])


def test_negative_count_names_column_and_row():
    df = one_way({"A": 3, "B": -2})
    with pytest.raises(ValueError, match=r"column 'numerator', row 1 .*>= 0"):
        disclosure.apply(df, "public", ["numerator"], dimensions=["group"])


def test_fractional_count_names_column_and_row():
    df = one_way({"A": 3, "B": 12})
    df["numerator"] = df["numerator"].astype(float)
    df.loc[1, "numerator"] = 12.5
    with pytest.raises(ValueError, match=r"column 'numerator', row 1 .*whole-number"):
        disclosure.apply(df, "public", ["numerator"], dimensions=["group"])


def test_non_numeric_count_names_column_and_row():
    df = one_way({"A": 3, "B": 12}).astype({"numerator": object})
    df.loc[2, "numerator"] = "lots"
    with pytest.raises(ValueError, match=r"column 'numerator', row 2 .*number"):
        disclosure.apply(df, "public", ["numerator"], dimensions=["group"])


def test_duplicated_cell_names_the_row():
    df = pd.concat([one_way({"A": 3, "B": 12}), one_way({"A": 9})], ignore_index=True)
    with pytest.raises(ValueError, match=r"row 3: duplicated table cell"):
        disclosure.apply(df, "public", ["numerator"], dimensions=["group"])


def test_already_controlled_table_is_rejected():
    out = disclosure.apply(one_way({"A": 3, "B": 12}), "nhse", ["numerator"])
    with pytest.raises(ValueError, match="already"):
        disclosure.apply(out, "nhse", ["numerator"])
