"""The results package: schema, reproducible files, run ids, disclosure layout of results."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pcref.metrics.catalogue import parse_metric
from pcref.metrics.periods import parse_periods
from pcref.results import (
    COLUMNS,
    RESULTS_COLUMNS,
    derive_run_id,
    read_results,
    read_run,
    write_json,
    write_parquet,
)
from pcref.results.disclosure import (
    dimension_frame,
    dimensions_of,
    disclose_metric,
    hierarchy,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "engine.md"
YEAR = parse_periods("2024-25")


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {c: None for c in RESULTS_COLUMNS}
    out = pd.DataFrame([{**base, **row} for row in rows])
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    return out


def test_every_column_is_documented_in_engine_md():
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("## 7. The results table"):text.index("## 8.")]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert set(RESULTS_COLUMNS) <= documented
    assert RESULTS_COLUMNS[:4] == ("metric_id", "period", "breakdown", "group")
    assert all(meaning for _, meaning in COLUMNS.values())


def test_parquet_is_written_byte_for_byte_the_same(tmp_path):
    rows = frame([
        {"metric_id": "m", "period": "2024-25", "breakdown": "total", "group": "Total",
         "statistic": "crude rate", "numerator": 15, "value": 1.5, "run_id": "r"},
        {"metric_id": "m", "period": "2024-25", "breakdown": "sex", "group": "Male",
         "statistic": "crude rate", "numerator": None, "value": np.nan, "run_id": "r"},
    ])
    rows["numerator"] = rows["numerator"].astype("Int64")
    write_parquet(rows, tmp_path / "a.parquet")
    write_parquet(rows.copy(), tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.schema.metadata is None
    assert table.column_names == list(RESULTS_COLUMNS)
    assert str(table.schema.field("numerator").type) == "int64"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_frame_without_every_column_is_refused(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        write_parquet(pd.DataFrame({"metric_id": ["m"]}), tmp_path / "x.parquet")


def test_reading_a_run_folder(tmp_path):
    rows = frame([{"metric_id": "m", "period": "2024-25", "breakdown": "total",
                   "group": "Total", "statistic": "median", "run_id": "r"}])
    write_parquet(rows, tmp_path / "results.parquet")
    write_parquet(rows, tmp_path / "public" / "results.parquet")
    write_json({"run_id": "r"}, tmp_path / "run.json")
    assert read_results(tmp_path)["metric_id"].tolist() == ["m"]
    assert read_results(tmp_path, public=True)["group"].tolist() == ["Total"]
    assert read_run(tmp_path) == {"run_id": "r"}
    with pytest.raises(FileNotFoundError, match=r"is .* a results run folder"):
        read_results(tmp_path / "nowhere")


def test_run_id_is_derived_from_what_determines_the_results():
    base = dict(input_fingerprint="abc", code_version="pcref 0.1.0",
                definitions={"m": {"sql_sha256": "1"}}, parameters={"periods": ["2024-25"]})
    run_id = derive_run_id(**base)
    assert run_id == derive_run_id(**base) and len(run_id) == 24
    for change in ({"input_fingerprint": "abd"}, {"code_version": "pcref 0.1.1"},
                   {"definitions": {"m": {"sql_sha256": "2"}}},
                   {"parameters": {"periods": ["2023-24"]}}):
        assert derive_run_id(**{**base, **change}) != run_id


def test_rows_are_placed_by_one_label_per_dimension():
    rows = pd.DataFrame({
        "breakdown": ["total", "ethnicity_5", "ethnicity_16", "ethnicity_5 x month", "month"],
        "group": ["Total", "White", "White British", "White", "2024-04"],
        "subgroup": [None, None, None, "2024-04", None],
    })
    dims = dimensions_of(list(rows["breakdown"]))
    assert dims == ["ethnicity", "time"]
    placed = dimension_frame(rows, dims)
    assert placed["dim_ethnicity"].tolist() == [
        "Total", "ethnicity_5: White", "ethnicity_16: White British", "ethnicity_5: White",
        "Total"]
    assert placed["dim_time"].tolist() == ["Total", "Total", "Total", "month: 2024-04",
                                           "month: 2024-04"]
    nesting = hierarchy(YEAR)
    assert nesting["dim_ethnicity"]["ethnicity_16: Black African"] == (
        "ethnicity_5: Black or Black British")
    assert nesting["dim_ethnicity"]["ethnicity_16: Not stated"] == "ethnicity_5: Not stated"
    assert nesting["dim_time"]["month: 2025-03"] == "quarter: 2024-25 Q4"
    assert dimensions_of(["total"]) == ["total"]


METRIC = parse_metric("""/*
id: m
title: m
description: m
family: Test
unit: per 100,000
method: rate
multiplier: 100000
denominator: population
breakdowns: [total, ethnicity_5, sex]
cross_breakdowns: [ethnicity_5 x sex]
reference_group: {ethnicity_5: White}
improvement_direction: neutral
suppression: counts
*/
SELECT Person_ID, event_date, 1 AS numerator FROM x
""", "catalogue/m.sql")


def metric_rows(cells: dict) -> pd.DataFrame:
    """Rows of metric m from {(breakdown, group, subgroup): count}; values are count / 1000."""
    rows = []
    for (breakdown, group, subgroup), count in cells.items():
        rows.append({
            "metric_id": "m", "period": "2024-25", "breakdown": breakdown, "group": group,
            "subgroup": subgroup, "statistic": "crude rate", "base_statistic": "crude rate",
            "is_standardised": False, "numerator": float(count), "denominator": 1000.0,
            "value": count / 10, "lower": 0.0, "upper": 1.0,
            "comparator": "White" if breakdown.startswith("ethnicity") else None,
            "ratio": 1.0 if breakdown.startswith("ethnicity") else np.nan,
            "ratio_lower": np.nan, "ratio_upper": np.nan, "difference": np.nan,
            "difference_lower": np.nan, "difference_upper": np.nan,
            "significance": "x" if breakdown.startswith("ethnicity") else None,
        })
    return pd.DataFrame(rows)


def test_a_cross_is_protected_against_its_one_way_margins():
    # Black women: 3 (primary). The rows of Black (3 + 20) and of Female (3 + 40) are shown,
    # so a second cell must be hidden in the Black row and in the Female column.
    cells = {
        ("total", "Total", None): 123,
        ("ethnicity_5", "White", None): 100, ("ethnicity_5", "Black or Black British", None): 23,
        ("sex", "Male", None): 80, ("sex", "Female", None): 43,
        ("ethnicity_5 x sex", "White", "Male"): 60, ("ethnicity_5 x sex", "White", "Female"): 40,
        ("ethnicity_5 x sex", "Black or Black British", "Male"): 20,
        ("ethnicity_5 x sex", "Black or Black British", "Female"): 3,
    }
    rows = metric_rows(cells)
    public = disclose_metric(rows, METRIC, "public", YEAR, public=True)
    hidden = {(b, g, s) for b, g, s, n in zip(public["breakdown"], public["group"],
                                              public["subgroup"], public["numerator"],
                                              strict=True) if pd.isna(n)}
    assert ("ethnicity_5 x sex", "Black or Black British", "Female") in hidden
    black_row = {k for k in hidden if k[0] == "ethnicity_5 x sex" and k[1].startswith("Black")}
    female_col = {k for k in hidden if k[0] == "ethnicity_5 x sex" and k[2] == "Female"}
    assert len(black_row) >= 2 and len(female_col) >= 2
    assert set(public["disclosure_policy"]) == {"public"}
    internal = disclose_metric(rows, METRIC, "nhse", YEAR, public=False)
    # NHS England's rule has no secondary suppression: only the 3 is hidden.
    assert internal["numerator"].isna().sum() == 1


def test_standardised_rows_follow_their_crude_rows():
    cells = {("total", "Total", None): 30, ("ethnicity_5", "White", None): 26,
             ("ethnicity_5", "Black or Black British", None): 4}
    crude = metric_rows(cells)
    std = crude[crude["breakdown"] == "ethnicity_5"].copy()
    std["statistic"] = "standardised rate"
    std["is_standardised"] = True
    std["numerator"] = [25.0, 4.0]
    rows = pd.concat([crude, std], ignore_index=True)
    public = disclose_metric(rows, METRIC, "public", YEAR, public=True)
    standardised = public[public["statistic"] == "standardised rate"].set_index("group")
    assert standardised["numerator"].isna().all()  # never shown in public
    black = standardised.loc["Black or Black British"]
    assert np.isnan(black["value"]) and black["display_value"] == "*"
    assert black["status"] == "suppressed_small_count"
    # White's crude count is hidden as the complement of Black's (30 - 26 would give 4), so
    # its standardised rate goes too, with the same status.
    white = standardised.loc["White"]
    assert np.isnan(white["value"]) and white["status"] == "suppressed_secondary"
    internal = disclose_metric(rows, METRIC, "nhse", YEAR, public=False)
    white_internal = internal[(internal["statistic"] == "standardised rate")
                              & (internal["group"] == "White")].iloc[0]
    assert white_internal["numerator"] == 25 and white_internal["status"] == "rounded"
    assert white_internal["value"] == pytest.approx(2.6)
    black_internal = internal[(internal["statistic"] == "standardised rate")
                              & (internal["group"] == "Black or Black British")].iloc[0]
    assert pd.isna(black_internal["numerator"]) and np.isnan(black_internal["ratio"])


def test_a_table_too_small_to_protect_is_withheld_whole_and_the_metric_goes_on():
    # Seven people, one in each ethnic group (Not stated and Not known too): seven '*' of at
    # least 1 in a '*' Total of at most 7 leave one possible table whatever else is hidden,
    # so the public file withholds every count of the table, and what derives from them.
    groups = ["White", "Mixed", "Asian or Asian British", "Black or Black British",
              "Other Ethnic Groups", "Not stated", "Not known"]
    cells = {("total", "Total", None): 7, ("sex", "Male", None): 4, ("sex", "Female", None): 3}
    cells.update({("ethnicity_5", g, None): 1 for g in groups})
    crude = metric_rows(cells)
    std = crude[crude["group"].isin(["White", "Black or Black British"])].copy()
    std["statistic"] = "standardised rate"
    std["is_standardised"] = True
    rows = pd.concat([crude, std], ignore_index=True)
    public = disclose_metric(rows, METRIC, "public", YEAR, public=True)
    assert len(public) == len(rows)
    assert set(public["status"]) == {"suppressed_whole_table"}
    assert public["suppressed"].all() and set(public["display_value"]) == {"*"}
    for column in ("numerator", "value", "lower", "upper", "ratio", "significance"):
        assert public[column].isna().all(), column
    # NHS England's rule has no secondary suppression: its small counts go one by one.
    internal = disclose_metric(rows, METRIC, "nhse", YEAR, public=False)
    total = internal[(internal["breakdown"] == "total")].iloc[0]
    assert total["numerator"] == 5 and total["status"] == "rounded"
    assert set(internal.loc[internal["breakdown"] != "total", "status"]) == {
        "suppressed_small_count"}
