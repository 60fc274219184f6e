"""Experience metrics: hand-worked FFT percentages, Wilson intervals, ratios to White, theme
shares, and disclosure control under the public policy."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pcref.disclosure import PUBLIC, Policy
from pcref.listening.experience import (
    FFT_POSITIVE,
    THEME_SHARE,
    ExperienceDataError,
    experience_results,
    experience_run,
)
from pcref.results import RESULTS_COLUMNS

#: Shows every count as it is, so the hand-worked figures can be checked exactly.
EXACT = Policy(name="exact_for_tests", suppress_below=0, suppress_zero=False, rounding_base=None,
               secondary_suppression=False, min_bed_days=None)
PARKING = "Parking"
STAFF = "Staff manner & personal attributes"


def response(fft: int, ethnic: str = "A", kind: str = "patient", service: str = "Ward 1",
             themes: list[str] | None = None) -> dict:
    return {"fft_answer": fft, "respondent_type": kind, "service": service,
            "ethnic_category": ethnic, "themes": themes}


def hand_worked() -> pd.DataFrame:
    """White British (A): 20 answers, 15 very good or good, plus 2 don't know.
    Black African (N): 10 answers, 4 positive. Blank ethnicity: 5 answers, 5 positive."""
    rows = [response(1) for _ in range(10)] + [response(2) for _ in range(5)]
    rows += [response(4) for _ in range(3)] + [response(5) for _ in range(2)]
    rows += [response(6), response(6)]
    rows += [response(2, "N", "carer") for _ in range(4)]
    rows += [response(3, "N", "carer") for _ in range(6)]
    rows += [response(1, "", "staff", "") for _ in range(5)]
    return pd.DataFrame(rows)


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out from its formula (Wilson 1927)."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def row(results: pd.DataFrame, metric: str, breakdown: str, group: str,
        statistic: str = "proportion") -> pd.Series:
    chosen = results[(results["metric_id"] == metric) & (results["breakdown"] == breakdown)
                     & (results["group"] == group) & (results["statistic"] == statistic)]
    assert len(chosen) == 1, (metric, breakdown, group, statistic)
    return chosen.iloc[0]


@pytest.fixture(scope="module")
def exact() -> pd.DataFrame:
    return experience_results(hand_worked(), period="2025-26", run_id="run-1", policy=EXACT)


def test_rows_are_in_the_results_schema(exact: pd.DataFrame) -> None:
    assert list(exact.columns) == list(RESULTS_COLUMNS)
    assert set(exact["metric_id"]) == {FFT_POSITIVE, THEME_SHARE}
    assert set(exact["period"]) == {"2025-26"} and set(exact["run_id"]) == {"run-1"}
    assert set(exact["unit"]) == {"%"}


def test_fft_positive_total_leaves_out_dont_know(exact: pd.DataFrame) -> None:
    total = row(exact, FFT_POSITIVE, "total", "Total")
    assert (total["numerator"], total["denominator"]) == (24, 35)  # 15 + 4 + 5 of 20 + 10 + 5
    assert total["value"] == pytest.approx(100 * 24 / 35)


def test_fft_positive_by_ethnic_group_with_wilson_interval_and_ratio(exact) -> None:
    white = row(exact, FFT_POSITIVE, "ethnicity_5", "White")
    black = row(exact, FFT_POSITIVE, "ethnicity_5", "Black or Black British")
    assert (white["numerator"], white["denominator"], white["value"]) == (15, 20, 75.0)
    assert (white["lower"], white["upper"]) == pytest.approx(wilson(15, 20))
    assert white["method"] == "Wilson"
    assert white["significance"] == "reference group" and white["ratio"] == 1.0
    assert (black["numerator"], black["denominator"]) == (4, 10)
    assert (black["lower"], black["upper"]) == pytest.approx(wilson(4, 10))
    assert black["ratio"] == pytest.approx(0.40 / 0.75)
    assert black["comparator"] == "White"
    assert black["ratio_lower"] < black["ratio"] < black["ratio_upper"]
    assert black["significance"] in ("lower than White", "no clear difference from White")
    assert black["significance"] == (
        "lower than White" if black["ratio_upper"] < 1 else "no clear difference from White"
    )


def test_blank_ethnicity_is_not_stated_and_not_compared(exact: pd.DataFrame) -> None:
    not_stated = row(exact, FFT_POSITIVE, "ethnicity_5", "Not stated")
    assert (not_stated["numerator"], not_stated["denominator"]) == (5, 5)
    assert math.isnan(not_stated["ratio"]) and not_stated["significance"] is None


def test_respondent_type_and_service_breakdowns(exact: pd.DataFrame) -> None:
    carer = row(exact, FFT_POSITIVE, "respondent_type", "Carer, friend or family member")
    assert (carer["numerator"], carer["denominator"]) == (4, 10)
    staff = row(exact, FFT_POSITIVE, "respondent_type", "Staff")
    assert (staff["numerator"], staff["denominator"]) == (5, 5)
    unknown_service = row(exact, FFT_POSITIVE, "team", "Not known")
    assert (unknown_service["numerator"], unknown_service["denominator"]) == (5, 5)
    ward = row(exact, FFT_POSITIVE, "team", "Ward 1")
    assert (ward["numerator"], ward["denominator"]) == (19, 30)


def test_theme_share_counts_only_themed_comments() -> None:
    rows = [response(1, themes=[PARKING]), response(2, themes=[PARKING, STAFF]),
            response(4, themes=[STAFF]), response(5, themes=[]), response(1, themes=None)]
    results = experience_results(pd.DataFrame(rows), period="2025-26", run_id="r",
                                 policy=EXACT)
    parking = row(results, THEME_SHARE, "total", "Total", PARKING)
    assert (parking["numerator"], parking["denominator"]) == (2, 4)
    assert parking["value"] == pytest.approx(50.0)
    staff = row(results, THEME_SHARE, "total", "Total", STAFF)
    assert staff["numerator"] == 2
    food = row(results, THEME_SHARE, "total", "Total", "Food & drink provision & facilities")
    assert (food["numerator"], food["value"]) == (0, 0.0)
    assert "Labelling not possible" not in set(results["statistic"])


def test_public_policy_suppresses_small_counts_and_rounds(exact) -> None:
    public = experience_results(hand_worked(), period="2025-26", run_id="run-1", policy=PUBLIC)
    assert set(public["disclosure_policy"]) == {"public"}
    shown = public["numerator"].dropna().astype(int)
    assert (shown % 5 == 0).all()
    black = row(public, FFT_POSITIVE, "ethnicity_5", "Black or Black British")
    assert black["suppressed"] and pd.isna(black["numerator"]) and black["display_value"] == "*"
    assert math.isnan(black["value"]) and math.isnan(black["ratio"])
    # Every count below 8 is hidden somewhere it appears.
    merged = public.merge(exact, on=["metric_id", "breakdown", "group", "statistic"],
                          suffixes=("", "_exact"))
    small = merged[(merged["numerator_exact"] > 0) & (merged["numerator_exact"] < 8)]
    assert len(small) and small["numerator"].isna().all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fft_answer": 7}, r"row 2, column 'fft_answer': expected 1 \(very good\) to 5"),
        ({"respondent_type": "visitor"}, r"row 2, column 'respondent_type': expected one of"),
        ({"ethnic_category": "Q"}, r"row 2, column 'ethnic_category': expected an NHS Data"),
        ({"themes": ["Not a theme"]}, r"row 2, column 'themes': expected theme names"),
        ({"themes": "Parking"}, r"row 2, column 'themes': expected a list of theme names"),
    ],
)
def test_bad_responses_name_row_and_column(change: dict, message: str) -> None:
    rows = [response(1), response(2), response(3)]
    rows[2] = {**rows[2], **change}
    with pytest.raises(ExperienceDataError, match=message):
        experience_results(pd.DataFrame(rows), period="2025-26", run_id="r", policy=EXACT)


def test_missing_column_is_named() -> None:
    frame = pd.DataFrame([response(1)]).drop(columns="service")
    with pytest.raises(ExperienceDataError, match=r"missing column.*service"):
        experience_results(frame, period="2025-26", run_id="r", policy=EXACT)


def test_experience_run_is_a_results_run_with_a_derived_id(tmp_path) -> None:
    from pcref.metrics.engine import write
    from pcref.results import read_results, read_run

    first = experience_run(hand_worked(), period="2025-26", source="test")
    again = experience_run(hand_worked(), period="2025-26", source="test")
    assert first.run_id == again.run_id
    changed = hand_worked()
    changed.loc[0, "fft_answer"] = 5
    assert experience_run(changed, period="2025-26", source="test").run_id != first.run_id
    write(first, tmp_path)
    record = read_run(tmp_path)
    assert record["metrics"][FFT_POSITIVE]["status"] == "computed"
    assert record["input"]["responses"] == 37 and record["input"]["themed_comments"] == 0
    assert set(read_results(tmp_path)["disclosure_policy"]) == {"nhse"}
    assert set(read_results(tmp_path, public=True)["disclosure_policy"]) == {"public"}
