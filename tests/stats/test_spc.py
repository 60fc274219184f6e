"""XmR / Making Data Count SPC against NHSRplotthedots' published values and hand-worked cases.

Reference data (../shared/reference/spc, see its README): limits printed in the package's
snapshots and vignette (``*_published``, compared at half a unit in the last printed place),
full-precision values of an independent re-implementation (``*_helper``, compared tightly),
point types, the package's rule unit tests and its assurance cases. Every hand-built series
below has its expectations worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcref.stats.spc import (
    LIMIT_FACTOR,
    MOVING_RANGE_SCREEN_FACTOR,
    TWO_SIGMA_FACTOR,
    assurance_type,
    part_of_run,
    part_of_two_in_three,
    shift_run_end,
    spc,
    spc_summary,
    trend_run_end,
    two_in_three_window,
    variation_icon,
    xmr_limits,
)


@pytest.fixture(scope="module")
def spc_dir(reference_dir):
    return reference_dir / "spc"


def series(values, start="2024-01-01", freq="MS", **extra):
    """A monthly chart input from a list of values."""
    frame = pd.DataFrame(
        {"month": pd.date_range(start, periods=len(values), freq=freq), "y": values}
    )
    for name, column in extra.items():
        frame[name] = column
    return frame


def special(result):
    """Positions (0-based, in date order) of the special-cause points."""
    return list(np.flatnonzero(result["special_cause_flag"].to_numpy()))


# --------------------------------------------------------------------------------------
# Constants (note §12.2)
# --------------------------------------------------------------------------------------


def test_constants_are_the_making_data_count_factors():
    assert LIMIT_FACTOR == 2.66
    assert abs(TWO_SIGMA_FACTOR - 1.7733) < 5e-5
    assert MOVING_RANGE_SCREEN_FACTOR == 3.267


# --------------------------------------------------------------------------------------
# Reference: published limits
# --------------------------------------------------------------------------------------


def _limit_cases(spc_dir):
    table = pd.read_csv(spc_dir / "xmr_limits_expected.csv", dtype=str, keep_default_na=False)
    return table.to_dict("records")


def _published_tolerance(text: str, precision: str) -> float:
    """Half a unit in the last place of a value printed at ``precision``.

    R drops trailing zeros (-3.011380 prints as -3.01138), so the place is taken from the
    stated precision rather than from the digits shown.
    """
    count, unit = precision.split(" ", 1)
    if unit.startswith("significant"):
        decimals = int(count) - 1 - math.floor(math.log10(abs(float(text))))
    else:
        assert unit.startswith("decimal")
        decimals = int(count)
    return 0.5 * 10.0**-decimals


def _limits_for(row, spc_dir):
    data = pd.read_csv(spc_dir / row["input_file"])
    assert row["improvement_direction"] == "1"
    direction = "increase"
    screen = {"TRUE": True, "FALSE": False}[row["screen_outliers"]]
    if row["subset"] == "all":
        result = spc(data, row["value_column"], "date", direction, screen_outliers=screen)
    else:
        # facet subsets run through the facet option, so each facet gets its own limits
        column, wanted = row["subset"].split("==")
        result = spc(
            data, row["value_column"], "date", direction, facet=column, screen_outliers=screen
        )
        result = result[result["facet"] == int(wanted)]
    return result


@pytest.mark.parametrize("case", range(8))
def test_limits_match_published_and_helper_values(case, spc_dir):
    rows = _limit_cases(spc_dir)
    assert len(rows) == 8
    row = rows[case]
    result = _limits_for(row, spc_dir)
    for column in ("mean", "lpl", "upl"):
        got = result[column].to_numpy()
        assert np.all(got == got[0]), f"{row['scenario']}: {column} is not constant"
        helper = float(row[f"{column}_helper"])
        assert got[0] == pytest.approx(helper, rel=1e-12, abs=1e-12), (row["scenario"], column)
        published = row[f"{column}_published"]
        if published:
            tol = _published_tolerance(published, row["published_precision"])
            assert abs(got[0] - float(published)) <= tol, (row["scenario"], column, got[0])


def test_every_published_limit_row_is_exercised(spc_dir):
    rows = _limit_cases(spc_dir)
    assert len(rows) == 8  # one test above per row
    assert sum(bool(r["mean_published"]) for r in rows) == 7


# --------------------------------------------------------------------------------------
# Reference: point types of the input files
# --------------------------------------------------------------------------------------


def test_rnorm20_point_types_and_relative_to_mean(spc_dir):
    data = pd.read_csv(spc_dir / "xmr_rnorm20_input.csv")
    assert len(data) == 20
    plain = spc(data, "y", "date")
    assert plain["point_type"].tolist() == data["point_type_y_screened"].tolist()
    assert plain["relative_to_mean"].tolist() == data["relative_to_mean_y"].tolist()
    screened = spc(data, "y_outlier", "date")
    assert screened["point_type"].tolist() == data["point_type_y_outlier_screened"].tolist()
    assert screened["relative_to_mean"].tolist() == data["relative_to_mean_y_outlier"].tolist()
    unscreened = spc(data, "y_outlier", "date", screen_outliers=False)
    assert unscreened["point_type"].tolist() == data["point_type_y_outlier_unscreened"].tolist()
    # point 15 (= 10) is beyond the upper limit in both
    assert screened["special_cause_rule"].iloc[14] == "above_upl"
    assert unscreened["special_cause_rule"].iloc[14] == "above_upl"


def test_rnorm20_summary_matches_the_package_snapshot(spc_dir):
    # ptd_spc snapshot summary: 20 points, 20 common cause, no improvement or concern
    data = pd.read_csv(spc_dir / "xmr_rnorm20_input.csv")
    summary = spc_summary(spc(data, "y", "date"))
    assert len(summary) == 1
    row = summary.iloc[0]
    assert (row["n_points"], row["common_cause"]) == (20, 20)
    assert (row["special_cause_improvement"], row["special_cause_concern"]) == (0, 0)
    assert row["variation_icon"] == "common_cause"
    assert pd.isna(row["assurance_icon"])


def test_outlier_vignette_point_types(spc_dir):
    data = pd.read_csv(spc_dir / "xmr_outlier_vignette_input.csv")
    assert len(data) == 18
    for screen, column in ((True, "point_type_screened"), (False, "point_type_unscreened")):
        result = spc(data, "value", "date", screen_outliers=screen)
        assert result["point_type"].tolist() == data[column].tolist()


def test_outlier_vignette_screening_drops_the_two_big_moving_ranges(spc_dir):
    # 1,2,1,2,10,1,2,...: ranges 2→10 and 10→1 (8 and 9) are ≥ 3.267 × mean range
    data = pd.read_csv(spc_dir / "xmr_outlier_vignette_input.csv")
    result = spc(data, "value", "date")
    used = result["moving_range_used"].to_numpy()
    assert not used[0] and not used[4] and not used[5]
    assert used[1:4].all() and used[6:].all()
    assert result["mean_moving_range"].iloc[0] == pytest.approx(1.0)


def test_two_in_three_does_not_fire_across_the_mean(spc_dir):
    data = pd.read_csv(spc_dir / "xmr_two_in_three_opposite_sides_input.csv")
    assert len(data) == 16
    result = spc(data, "value", "date")
    assert result["point_type"].tolist() == data["point_type"].tolist()
    # both last points are between 2σ and 3σ, on opposite sides
    assert result["beyond_2sigma"].iloc[-2:].all()
    assert not result["outside_limits"].iloc[-2:].any()


# --------------------------------------------------------------------------------------
# Reference: the package's rule unit tests, through our rule helpers
# --------------------------------------------------------------------------------------


def _vector(text: str) -> list[int]:
    return [int(v) for v in text.split()]


@pytest.fixture(scope="module")
def rule_cases(spc_dir):
    table = pd.read_csv(spc_dir / "rule_unit_cases.csv", dtype=str, keep_default_na=False)
    return table.to_dict("records")


def _run_rule(case):
    given_ = _vector(case["input"])
    function = case["function"]
    if function == "seven_point_one_side_mean":
        return shift_run_end(given_, 7)
    if function == "part_of_seven_trend":
        return part_of_run(given_, 7)
    if function == "seven_point_trend":
        return trend_run_end(given_, 7)
    if function == "two_in_three":
        return two_in_three_window(given_, _vector(case["relative_to_mean"]))
    if function == "part_of_two_in_three(two_in_three(close,rtm),close)":
        window = two_in_three_window(given_, _vector(case["relative_to_mean"]))
        return part_of_two_in_three(window, given_)
    raise AssertionError(f"unknown function {function}")


def test_all_rule_unit_cases_are_present(rule_cases):
    assert len(rule_cases) == 35  # one test below per row


@pytest.mark.parametrize("number", range(35))
def test_rule_helpers_match_package_unit_tests(number, rule_cases):
    case = rule_cases[number]
    got = _run_rule(case)
    assert list(got) == _vector(case["expected"])


# --------------------------------------------------------------------------------------
# Reference: assurance
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assurance_cases(spc_dir):
    return pd.read_csv(spc_dir / "assurance_cases.csv").to_dict("records")


def test_all_assurance_cases_are_present(assurance_cases):
    assert len(assurance_cases) == 10  # one test below per row


@pytest.mark.parametrize("number", range(10))
def test_assurance_type_matches_package_cases(number, assurance_cases):
    case = assurance_cases[number]
    expected = case["expected_assurance_type"]
    target = None if pd.isna(case["target"]) else case["target"]
    got = assurance_type(case["lpl"], case["upl"], target, case["improvement_direction"])
    if pd.isna(expected):
        assert got is None
    else:
        assert got == expected


# --------------------------------------------------------------------------------------
# Hand-built: trend
# --------------------------------------------------------------------------------------

# 10,12 alternating (8 points), then 9, 9.5, …, 12: seven strictly rising points.
# Sum 161.5 over 15 → mean 10.7667. Moving ranges 7×2 + 3 + 6×0.5 = 20 → 1.4286 (none ≥
# 3.267×). 2σ band 10.7667 ± 2.533 = 8.23 … 13.30 holds every value, so neither the limits
# nor two-in-three fire. The longest run on one side is 4 (9, 9.5, 10, 10.5), so no shift.
TREND = [10, 12, 10, 12, 10, 12, 10, 12, 9, 9.5, 10, 10.5, 11, 11.5, 12]


def test_trend_of_seven_is_improvement_when_higher_is_better():
    result = spc(series(TREND), "y", "month")
    assert result["mean"].iloc[0] == pytest.approx(161.5 / 15)
    assert result["mean_moving_range"].iloc[0] == pytest.approx(20 / 14)
    assert special(result) == list(range(8, 15))
    assert result["rule_trend"].tolist() == [False] * 8 + [True] * 7
    assert not result["rule_shift"].any() and not result["rule_two_in_three"].any()
    assert set(result["special_cause_rule"].iloc[8:]) == {"trend_increasing"}
    assert set(result["point_type"].iloc[8:]) == {"special_cause_improvement"}
    assert set(result["point_type"].iloc[:8]) == {"common_cause"}
    assert spc_summary(result)["variation_icon"].iloc[0] == "special_cause_improvement_high"


def test_trend_of_seven_is_concern_when_lower_is_better():
    result = spc(series(TREND), "y", "month", improvement_direction="decrease")
    assert set(result["point_type"].iloc[8:]) == {"special_cause_concern"}
    assert spc_summary(result)["variation_icon"].iloc[0] == "special_cause_concern_high"


def test_trend_of_six_needs_run_length_six():
    six = TREND[:8] + TREND[9:]  # drop the 9: the rise 9.5 … 12 has six points
    assert special(spc(series(six), "y", "month")) == []
    result = spc(series(six), "y", "month", run_length=6)
    assert special(result) == list(range(8, 14))
    assert set(result["special_cause_rule"].iloc[8:]) == {"trend_increasing"}


def test_a_tie_breaks_a_trend():
    tied = [*TREND[:11], 10, *TREND[11:]]  # 9, 9.5, 10, 10, 10.5, …: no 7 strict rises
    assert not spc(series(tied), "y", "month")["rule_trend"].any()


# --------------------------------------------------------------------------------------
# Hand-built: shift, run length 6 vs 7
# --------------------------------------------------------------------------------------

# 12,10 alternating (8 points), six points above the mean (12, 11.5, …), then 10.
# Sum 168.5 over 15 → mean 11.2333, so 11.5 and 12 are above and 10 below. Moving ranges
# 7×2 + 2 + 5×0.5 + 1.5 = 20 → 1.4286; 2σ band 8.70 … 13.77 holds every value; no trend.
SHIFT6 = [12, 10, 12, 10, 12, 10, 12, 10, 12, 11.5, 12, 11.5, 12, 11.5, 10]


def test_shift_of_six_fires_only_with_run_length_six():
    seven = spc(series(SHIFT6), "y", "month")
    assert seven["mean"].iloc[0] == pytest.approx(168.5 / 15)
    assert special(seven) == []
    six = spc(series(SHIFT6), "y", "month", run_length=6)
    assert special(six) == list(range(8, 14))
    assert set(six["special_cause_rule"].iloc[8:14]) == {"shift_above"}
    assert set(six["point_type"].iloc[8:14]) == {"special_cause_improvement"}
    assert six["point_type"].iloc[14] == "common_cause"


def test_run_length_is_validated():
    with pytest.raises(ValueError, match="run_length"):
        spc(series(SHIFT6), "y", "month", run_length=2)
    with pytest.raises(ValueError, match="run_length"):
        spc(series(SHIFT6), "y", "month", run_length=6.0)


# --------------------------------------------------------------------------------------
# Hand-built: a point exactly on the mean
# --------------------------------------------------------------------------------------

# Integers summing to 170 over 17 points: the mean is exactly 10, and the 10 in the middle
# of the seven high points sits on it. Moving ranges sum to 50 → 3.125; the 2σ band
# 10 ± 5.54 holds every value; the longest rise is 7 → 12 → 13.
ON_MEAN = [7, 11, 7, 11, 7, 11, 7, 12, 13, 12, 10, 12, 13, 12, 7, 11, 7]


def test_a_point_on_the_mean_breaks_a_shift():
    result = spc(series(ON_MEAN), "y", "month")
    assert result["mean"].iloc[0] == 10.0
    assert result["relative_to_mean"].iloc[10] == 0
    assert special(result) == []


def test_the_same_run_without_the_point_on_the_mean_is_a_shift():
    above = [*ON_MEAN[:10], 11, *ON_MEAN[11:]]  # mean 171/17 = 10.06; 11 is above it
    result = spc(series(above), "y", "month")
    assert result["relative_to_mean"].iloc[10] == 1
    assert special(result) == list(range(7, 14))
    assert set(result["special_cause_rule"].iloc[7:14]) == {"shift_above"}


# --------------------------------------------------------------------------------------
# Hand-built: rebasing
# --------------------------------------------------------------------------------------

# 9,11 alternating for a year, then 19,21 for a year. One set of limits: mean 15; the range
# 11 → 19 (8) is screened out (≥ 3.267 × 52/23), leaving mean range 2 and limits 9.68 …
# 20.32, so the 9s and 21s are beyond them and every point is in a 12-point shift.
# Rebased at month 13: each year has mean 10 or 20, mean range 2, limits ± 5.32.
STEP = [9, 11] * 6 + [19, 21] * 6


def test_without_rebase_the_step_is_special_cause_everywhere():
    result = spc(series(STEP), "y", "month")
    assert result["mean"].iloc[0] == 15
    assert result["mean_moving_range"].iloc[0] == pytest.approx(2.0)
    assert set(result["point_type"].iloc[:12]) == {"special_cause_concern"}
    assert set(result["point_type"].iloc[12:]) == {"special_cause_improvement"}
    assert result["rule_shift"].all()


def test_rebase_at_a_date_gives_each_segment_its_own_limits():
    data = series(STEP)
    result = spc(data, "y", "month", rebase="2025-01-01")
    assert result["rebase_group"].tolist() == [1] * 12 + [2] * 12
    assert result["mean"].tolist() == [10.0] * 12 + [20.0] * 12
    assert result["lpl"].to_numpy() == pytest.approx([10 - 5.32] * 12 + [20 - 5.32] * 12)
    assert result["upl"].to_numpy() == pytest.approx([10 + 5.32] * 12 + [20 + 5.32] * 12)
    assert math.isnan(result["moving_range"].iloc[12])  # no range across the rebase
    assert not result["moving_range_used"].iloc[12]
    assert special(result) == []
    summary = spc_summary(result)
    assert summary["rebase_group"].tolist() == [1, 2]
    assert summary["latest"].tolist() == [False, True]
    assert summary["n_points"].tolist() == [12, 12]


def test_rebase_per_facet_only_rebases_that_facet():
    data = pd.concat([series(STEP, group="a"), series(STEP, group="b")], ignore_index=True)
    result = spc(data, "y", "month", facet="group", rebase={"a": ["2025-01-01"]})
    a, b = result[result["facet"] == "a"], result[result["facet"] == "b"]
    assert a["mean"].tolist() == [10.0] * 12 + [20.0] * 12
    assert set(b["mean"]) == {15.0}
    assert special(a) == [] and len(special(b)) == 24


def test_rebase_date_not_in_the_data_is_an_error():
    with pytest.raises(ValueError, match=r"rebase date 2025-01-15.*'month'"):
        spc(series(STEP), "y", "month", rebase="2025-01-15")
    with pytest.raises(ValueError, match="facet 'c'"):
        data = series(STEP, group="a")
        spc(data, "y", "month", facet="group", rebase={"c": "2025-01-01"})


# --------------------------------------------------------------------------------------
# Hand-built: fixed baseline
# --------------------------------------------------------------------------------------

# Baseline 9,11 × 6: mean 10, mean range 2, limits 4.68 … 15.32 held for six later 16s.
# The 16s are beyond the upper limit; with the last baseline point (11, above the mean)
# they make seven points above the mean, so that 11 is a shift point too.
BASELINE = [9, 11] * 6 + [16] * 6


def test_fixed_baseline_holds_the_limits_of_the_first_points():
    result = spc(series(BASELINE), "y", "month", fix_after_n_points=12)
    assert set(result["mean"]) == {10.0}
    assert result["lpl"].to_numpy() == pytest.approx([4.68] * 18)
    assert result["upl"].to_numpy() == pytest.approx([15.32] * 18)
    assert result["moving_range_used"].tolist() == [False] + [True] * 11 + [False] * 6
    assert special(result) == list(range(11, 18))
    assert result["special_cause_rule"].iloc[11] == "shift_above"
    assert set(result["special_cause_rule"].iloc[12:]) == {"above_upl"}
    assert set(result["point_type"].iloc[11:]) == {"special_cause_improvement"}


def test_without_a_fixed_baseline_the_later_points_move_the_mean():
    result = spc(series(BASELINE), "y", "month")
    assert result["mean"].iloc[0] == pytest.approx(216 / 18)


def test_fixed_baseline_needs_twelve_points():
    with pytest.raises(ValueError, match="fix_after_n_points"):
        spc(series(BASELINE), "y", "month", fix_after_n_points=11)


# --------------------------------------------------------------------------------------
# Hand-built: short series and hidden limits
# --------------------------------------------------------------------------------------

# 17 points 1,2,1,2,…,1 then 10. Ranges: 16 of 1 and one of 9; 9 ≥ 3.267 × 25/17 is
# screened, mean range 1; mean 35/18 = 1.944, upper limit 4.60: the 10 is beyond it.
SPIKE_LAST = [1, 2] * 8 + [1, 10]


def test_short_series_keeps_trial_limits_by_default():
    result = spc(series(SPIKE_LAST[:12]), "y", "month")
    assert result["short_group"].all() and not result["limits_hidden"].any()
    assert result["mean"].notna().all()
    assert result["point_type"].notna().all()


def test_limits_and_icons_hidden_below_thirteen_points():
    twelve = spc(
        series([1, 2] * 6), "y", "month", hide_limits_below=13, target=3.0
    )
    assert twelve["limits_hidden"].all()
    for column in ("mean", "lpl", "upl", "upper_2sigma", "mean_moving_range"):
        assert twelve[column].isna().all(), column
    assert twelve["point_type"].isna().all()
    assert twelve["relative_to_mean"].isna().all()
    assert not twelve["special_cause_flag"].any()
    assert twelve["moving_range"].iloc[1:].tolist() == [1.0] * 11  # data, not limits
    summary = spc_summary(twelve)
    assert pd.isna(summary["variation_icon"].iloc[0])
    assert pd.isna(summary["assurance_icon"].iloc[0])

    thirteen = spc(series([1, 2] * 6 + [1]), "y", "month", hide_limits_below=13)
    assert not thirteen["limits_hidden"].any()
    assert not thirteen["short_group"].any()
    assert thirteen["mean"].iloc[0] == pytest.approx(19 / 13)


# --------------------------------------------------------------------------------------
# Hand-built: improvement direction and icons
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "point_type", "icon"),
    [
        ("increase", "special_cause_improvement", "special_cause_improvement_high"),
        ("decrease", "special_cause_concern", "special_cause_concern_high"),
        ("neutral", "special_cause_neutral", "special_cause_neutral_high"),
    ],
)
def test_improvement_direction_decides_the_point_type(direction, point_type, icon):
    result = spc(series(SPIKE_LAST), "y", "month", improvement_direction=direction)
    assert result["mean"].iloc[0] == pytest.approx(35 / 18)
    assert result["upl"].iloc[0] == pytest.approx(35 / 18 + 2.66)
    assert special(result) == [17]
    assert result["point_type"].iloc[17] == point_type
    assert result["special_cause_side"].iloc[17] == "high"
    assert spc_summary(result)["variation_icon"].iloc[0] == icon


def test_a_low_spike_when_lower_is_better_is_improvement_low():
    low = [-v for v in SPIKE_LAST]
    result = spc(series(low), "y", "month", improvement_direction="decrease")
    assert result["point_type"].iloc[17] == "special_cause_improvement"
    assert result["special_cause_rule"].iloc[17] == "below_lpl"
    assert spc_summary(result)["variation_icon"].iloc[0] == "special_cause_improvement_low"


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (5.0, "increase", "consistent_fail"),  # above the upper limit 4.60
        (5.0, "decrease", "consistent_pass"),
        (-1.0, "increase", "consistent_pass"),  # below the lower limit -0.72
        (2.0, "increase", "inconsistent"),
        (2.0, "neutral", None),
        (None, "increase", None),
    ],
)
def test_assurance_icon_uses_the_latest_limits(target, direction, expected):
    data = series(SPIKE_LAST)
    result = spc(data, "y", "month", improvement_direction=direction, target=target)
    icon = spc_summary(result)["assurance_icon"].iloc[0]
    assert (pd.isna(icon) if expected is None else icon == expected), icon


def test_targets_per_facet_and_assurance_only_on_the_latest_segment():
    data = pd.concat([series(STEP, group="a"), series(STEP, group="b")], ignore_index=True)
    result = spc(
        data,
        "y",
        "month",
        facet="group",
        rebase={"a": "2025-01-01"},
        target={"a": 12.0, "b": 30.0},
    )
    summary = spc_summary(result)
    assert summary[["facet", "rebase_group"]].values.tolist() == [["a", 1], ["a", 2], ["b", 1]]
    # a's latest limits are 14.68 … 25.32, so 12 is always met; b's are 9.68 … 20.32
    assert pd.isna(summary["assurance_icon"].iloc[0])
    assert summary["assurance_icon"].iloc[1:].tolist() == ["consistent_pass", "consistent_fail"]
    with pytest.raises(ValueError, match="target names facet 'z'"):
        spc(data, "y", "month", facet="group", target={"z": 1.0})


def test_variation_icon_names():
    assert variation_icon("common_cause", None) == "common_cause"
    assert variation_icon("special_cause_concern", "low") == "special_cause_concern_low"
    assert variation_icon(None, None) is None
    with pytest.raises(ValueError, match="point_type"):
        variation_icon("special_cause", "low")


# --------------------------------------------------------------------------------------
# Hand-built: the documented options
# --------------------------------------------------------------------------------------

# 0,1 alternating (16 points), then 3.5, 6, 1.5. Sum 19 → mean exactly 1. Ranges 15×1 +
# 2.5 + 2.5 + 4.5 = 24.5 → 1.3611; 4.5 ≥ 3.267 × that is screened, mean range 20/17.
# 2σ line 1 + 1.7733 × 1.1765 = 3.086, upper limit 4.129: 3.5 is between them, 6 beyond.
# The window (3.5, 6, 1.5) is all above the mean with one point in the 2σ–3σ band and one
# beyond 3σ: two-in-three only under the MDC 2023 rule.
TWO_IN_THREE = [0, 1] * 8 + [3.5, 6, 1.5]


def test_two_in_three_counts_points_beyond_three_sigma_only_on_request():
    package = spc(series(TWO_IN_THREE), "y", "month")
    assert package["mean"].iloc[0] == 1.0
    assert package["mean_moving_range"].iloc[0] == pytest.approx(20 / 17)
    assert special(package) == [17]
    assert package["special_cause_rule"].iloc[17] == "above_upl"

    mdc = spc(series(TWO_IN_THREE), "y", "month", two_in_three_includes_beyond_3sigma=True)
    assert special(mdc) == [16, 17]
    assert mdc["special_cause_rule"].iloc[16] == "two_in_three_above"
    assert mdc["rule_two_in_three"].iloc[16:18].tolist() == [True, True]
    assert mdc["special_cause_rule"].iloc[17] == "above_upl"  # precedence
    assert mdc["point_type"].iloc[18] == "common_cause"  # the third point is not flagged


def test_screening_option_changes_the_limits():
    screened = spc(series(TWO_IN_THREE), "y", "month")
    unscreened = spc(series(TWO_IN_THREE), "y", "month", screen_outliers=False)
    assert unscreened["mean_moving_range"].iloc[0] == pytest.approx(24.5 / 18)
    assert unscreened["upl"].iloc[0] == pytest.approx(1 + 2.66 * 24.5 / 18)
    assert screened["upl"].iloc[0] == pytest.approx(1 + 2.66 * 20 / 17)


# 0,1 alternating (14 points), then 2.0, 1.9, …, 1.4: seven falling points, all above the
# mean 18.9/21 = 0.9, as is the 1 before them: an eight-point shift above. Ranges 13 + 1 +
# 0.6 = 14.6 → 0.73, 2σ line 2.19: no point is near the limits. The falling points are both
# a concern (trend down) and an improvement (shift up) when higher is better.
CONFLICT = [0, 1] * 7 + [2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4]


def test_conflicting_signals_follow_rule_order_by_default():
    result = spc(series(CONFLICT), "y", "month")
    assert special(result) == list(range(13, 21))
    assert result["rule_shift"].iloc[13:].all() and result["rule_trend"].iloc[14:].all()
    assert result["point_type"].iloc[13] == "special_cause_improvement"
    assert set(result["special_cause_rule"].iloc[14:]) == {"trend_decreasing"}
    assert set(result["point_type"].iloc[14:]) == {"special_cause_concern"}
    assert spc_summary(result)["variation_icon"].iloc[0] == "special_cause_concern_low"


def test_conflicting_signals_can_show_improvement_as_the_mdc_tool_does():
    result = spc(series(CONFLICT), "y", "month", conflict_precedence="improvement")
    assert set(result["point_type"].iloc[13:]) == {"special_cause_improvement"}
    assert set(result["special_cause_rule"].iloc[14:]) == {"shift_above"}
    assert spc_summary(result)["variation_icon"].iloc[0] == "special_cause_improvement_high"
    concern = spc(series(CONFLICT), "y", "month", conflict_precedence="concern")
    assert concern["point_type"].tolist() == result["point_type"].tolist()[:14] + [
        "special_cause_concern"
    ] * 7


# --------------------------------------------------------------------------------------
# Facets, ordering, output
# --------------------------------------------------------------------------------------


def test_rows_are_sorted_by_date_and_keep_their_index_labels():
    data = series(TREND).iloc[::-1]
    data.index = [f"r{i}" for i in range(len(data))]
    result = spc(data, "y", "month")
    assert result["date"].is_monotonic_increasing
    assert result.index[0] == "r14"
    assert special(result) == list(range(8, 15))


def test_facets_are_separate_charts_and_may_share_dates():
    data = pd.concat(
        [series(SPIKE_LAST, group="spike"), series(TREND, group="trend")], ignore_index=True
    )
    result = spc(data, "y", "month", facet="group")
    spike = spc(series(SPIKE_LAST), "y", "month")
    trend = spc(series(TREND), "y", "month")
    got = result[result["facet"] == "spike"]
    assert got["point_type"].tolist() == spike["point_type"].tolist()
    assert got["upl"].tolist() == spike["upl"].tolist()
    assert result[result["facet"] == "trend"]["point_type"].tolist() == (
        trend["point_type"].tolist()
    )
    summary = spc_summary(result)
    assert summary["facet"].tolist() == ["spike", "trend"]
    assert summary["variation_icon"].tolist() == [
        "special_cause_improvement_high",
        "special_cause_improvement_high",
    ]


def test_sigma_lines_and_moving_range_limit():
    result = spc(series(SPIKE_LAST), "y", "month")
    row = result.iloc[0]
    amr = row["mean_moving_range"]
    assert row["upper_2sigma"] - row["mean"] == pytest.approx(2 / 3 * 2.66 * amr)
    assert row["mean"] - row["lower_1sigma"] == pytest.approx(2.66 / 3 * amr)
    assert row["moving_range_upl"] == pytest.approx(3.267 * amr)


def test_flat_series_has_limits_on_the_mean():
    limits = xmr_limits([5.0] * 15)
    assert (limits.mean, limits.lpl, limits.upl) == (5.0, 5.0, 5.0)
    result = spc(series([5.0] * 15), "y", "month")
    assert special(result) == []


def test_date_text_and_periods_are_accepted():
    data = series(TREND)
    as_text = data.assign(month=data["month"].dt.strftime("%Y-%m-%d"))
    as_period = data.assign(month=data["month"].dt.to_period("M"))
    for frame in (as_text, as_period):
        assert spc(frame, "y", "month")["point_type"].tolist() == (
            spc(data, "y", "month")["point_type"].tolist()
        )


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="'rate'"):
        spc(series(TREND), "rate", "month")
    with pytest.raises(ValueError, match="'ethnicity'"):
        spc(series(TREND), "y", "month", facet="ethnicity")


def test_non_numeric_value_names_column_and_row():
    data = series(TREND)
    data["y"] = data["y"].astype(object)
    data.loc[3, "y"] = "n/a"
    with pytest.raises(ValueError, match=r"column 'y', row 3 .*'n/a'.*number"):
        spc(data, "y", "month")


def test_missing_or_infinite_value_names_column_and_row():
    data = series([*TREND[:5], np.nan, *TREND[6:]])
    with pytest.raises(ValueError, match=r"column 'y', row 5"):
        spc(data, "y", "month")
    data = series([*TREND[:5], np.inf, *TREND[6:]])
    with pytest.raises(ValueError, match=r"column 'y', row 5 .*finite"):
        spc(data, "y", "month")


def test_duplicated_date_within_a_facet_names_column_and_row():
    data = series(TREND)
    data.loc[7, "month"] = data.loc[6, "month"]
    with pytest.raises(ValueError, match=r"row 7.*duplicated.*'month'"):
        spc(data, "y", "month")
    faceted = pd.concat([series(TREND, g="a"), series(TREND, g="b")], ignore_index=True)
    spc(faceted, "y", "month", facet="g")  # the same dates in two facets are fine
    faceted.loc[20, "month"] = faceted.loc[19, "month"]
    with pytest.raises(ValueError, match=r"row 20.*duplicated.*'month'"):
        spc(faceted, "y", "month", facet="g")


def test_bad_dates_name_column_and_row():
    data = series(TREND).astype({"month": object})
    data.loc[2, "month"] = "not a date"
    with pytest.raises(ValueError, match=r"column 'month', row 2 .*date"):
        spc(data, "y", "month")
    numbers = series(TREND).assign(month=range(15))
    with pytest.raises(ValueError, match="column 'month' must hold dates"):
        spc(numbers, "y", "month")


def test_missing_facet_names_column_and_row():
    data = series(TREND, g=["a"] * 14 + [None])
    with pytest.raises(ValueError, match=r"column 'g', row 14"):
        spc(data, "y", "month", facet="g")


def test_unknown_improvement_direction():
    with pytest.raises(ValueError, match="improvement_direction 'up'"):
        spc(series(TREND), "y", "month", improvement_direction="up")
    with pytest.raises(ValueError, match="improvement_direction"):
        assurance_type(1, 3, 2, "higher")


def test_other_bad_options():
    with pytest.raises(ValueError, match="conflict_precedence"):
        spc(series(TREND), "y", "month", conflict_precedence="first")
    with pytest.raises(ValueError, match="hide_limits_below"):
        spc(series(TREND), "y", "month", hide_limits_below=0)
    with pytest.raises(ValueError, match="screen_outliers"):
        spc(series(TREND), "y", "month", screen_outliers="yes")
    with pytest.raises(ValueError, match="target"):
        spc(series(TREND), "y", "month", target="high")
    with pytest.raises(ValueError, match="no facet column"):
        spc(series(TREND), "y", "month", rebase={"a": "2024-02-01"})


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

values_strategy = st.lists(
    st.integers(min_value=-50, max_value=50).map(float), min_size=1, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(values_strategy)
def test_mirroring_the_series_and_the_direction_keeps_the_point_types(values):
    # Negation is exact in floating point, so every comparison mirrors exactly.
    up = spc(series(values), "y", "month", improvement_direction="increase")
    down = spc(series([-v for v in values]), "y", "month", improvement_direction="decrease")
    assert up["point_type"].tolist() == down["point_type"].tolist()
    assert up["special_cause_flag"].tolist() == down["special_cause_flag"].tolist()


@settings(max_examples=60, deadline=None)
@given(values_strategy)
def test_doubling_the_series_keeps_the_point_types(values):
    # Scaling by a power of two is exact, so limits scale and types stay.
    once = spc(series(values), "y", "month")
    twice = spc(series([2 * v for v in values]), "y", "month")
    assert once["point_type"].tolist() == twice["point_type"].tolist()
    np.testing.assert_array_equal(2 * once["upl"].to_numpy(), twice["upl"].to_numpy())


def _naive_shift_end(side, run):
    out = []
    for i in range(len(side)):
        window = side[max(0, i - run + 1) : i + 1]
        out.append(int(len(window) == run and side[i] != 0 and len(set(window)) == 1))
    return out


def _naive_trend_end(y, run):
    out = []
    for i in range(len(y)):
        if i < run - 1:
            out.append(0)
            continue
        steps = [y[j] - y[j - 1] for j in range(i - run + 2, i + 1)]
        out.append(1 if all(s > 0 for s in steps) else -1 if all(s < 0 for s in steps) else 0)
    return out


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([-1, 0, 1]), max_size=30),
    st.lists(st.integers(min_value=0, max_value=4), max_size=30),
    st.sampled_from([6, 7]),
)
def test_run_helpers_agree_with_a_direct_reading_of_the_rules(side, y, run):
    assert list(shift_run_end(side, run)) == _naive_shift_end(side, run)
    assert list(trend_run_end(y, run)) == _naive_trend_end(y, run)


# 0,8 alternating (8 points), then 1 … 7 and back down to 1: a rising and a falling trend
# share the peak. Mean 81/21 = 3.857, mean range 75/20 = 3.75, limits ± 9.98 and 2σ ± 6.65
# hold every value. As in NHSRplotthedots, the peak takes the direction of the step to its
# right neighbour, which is in a trend too: decreasing.
PEAK = [0, 8] * 4 + [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]


def test_a_peak_shared_by_two_trends_takes_the_direction_to_its_right():
    result = spc(series(PEAK), "y", "month")
    assert special(result) == list(range(8, 21))
    assert set(result["special_cause_rule"].iloc[8:14]) == {"trend_increasing"}
    assert set(result["special_cause_rule"].iloc[14:]) == {"trend_decreasing"}
    assert result["point_type"].iloc[14] == "special_cause_concern"
