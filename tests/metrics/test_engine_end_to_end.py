"""End to end: a small synthetic extract, ingested, then computed — checked against the
generator's own record of what it made (``truth.json``), which the engine never reads."""

import dataclasses
import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pcref import codelists
from pcref.cli import app
from pcref.metrics import engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import load_catalogue
from pcref.metrics.periods import parse_periods
from pcref.results import read_results, read_run

YEAR = parse_periods("2024-25")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    extract, warehouse = folder / "extract", folder / "warehouse.duckdb"
    runner = CliRunner()
    made = runner.invoke(app, ["synth", "--scale", "trust", "--seed", "3", "--people", "3000",
                               "--out", str(extract)])
    assert made.exit_code == 0, made.output
    loaded = runner.invoke(app, ["ingest", str(extract), "--warehouse", str(warehouse),
                                 "--demo"])
    assert loaded.exit_code == 0, loaded.output
    truth = json.loads((extract / "truth.json").read_text())
    return folder, warehouse, truth


@pytest.fixture(scope="module")
def detentions(synthetic):
    _, warehouse, _ = synthetic
    # The catalogue's own definition, without its crosses (they only add disclosure work).
    metric = dataclasses.replace(load_catalogue()["mha_detentions"], cross_breakdowns=())
    backend = DuckDBBackend.open(warehouse)
    try:
        return engine.compute(backend, YEAR, catalogue={metric.id: metric})
    finally:
        backend.close()


def test_detentions_are_those_the_generator_made(synthetic, detentions):
    _, _, truth = synthetic
    made = sum(truth["realised"]["detentions_by_category"]["2024-25"].values())
    exact = detentions.exact
    total = exact[(exact["breakdown"] == "total") & (exact["statistic"] == "crude rate")]
    assert total["numerator"].tolist() == [made]
    assert total["denominator"].tolist() == [truth["population"]["total"]]
    by_month = exact[(exact["breakdown"] == "month") & (exact["statistic"] == "crude rate")]
    assert by_month["numerator"].sum() == made and len(by_month) == 12


def test_ethnic_group_populations_are_the_generators(synthetic, detentions):
    _, _, truth = synthetic
    census = codelists.load("census2021_ethnic_group")
    labels = dict(zip(codelists.load("ethnic_category")["code"],
                      codelists.load("ethnic_category")["label_short"], strict=True))
    expected = {}
    for key, population in truth["population"]["by_census_group"].items():
        code = key.split(" ")[0]
        nhs = census.loc[census["code"] == code, "nhs_ethnic_category"].iloc[0]
        if isinstance(nhs, str):
            expected[labels[nhs]] = population
    exact = detentions.exact
    rows = exact[(exact["breakdown"] == "ethnicity_16") & (exact["statistic"] == "crude rate")]
    got = {g: d for g, d in zip(rows["group"], rows["denominator"], strict=True)
           if g not in ("Not stated", "Not known")}
    assert got == expected


def test_run_records_the_ingest_it_read(synthetic, detentions):
    _, warehouse, _ = synthetic
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        ((run_id, fingerprint, key_id),) = connection.execute(
            "SELECT run_id, input_fingerprint, key_id FROM ingest_run").fetchall()
    record = detentions.record
    assert record["input"]["source"] == "ingest_run"
    assert record["input"]["ingest_run_id"] == run_id
    assert record["input"]["fingerprint"] == f"{fingerprint}/{key_id}"
    assert record["metrics"]["mha_detentions"]["status"] == "computed"
    assert record["metrics"]["mha_detentions"]["prep_sql_sha256"]  # the MHA preparation SQL


def test_cli_compute_on_the_ingested_warehouse(synthetic):
    folder, warehouse, _ = synthetic
    out = folder / "results"
    result = CliRunner().invoke(app, ["compute", "--warehouse", str(warehouse), "--period",
                                      "2024-25", "--metrics", "dq_ethnicity_recorded",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert read_run(out)["metrics"]["dq_ethnicity_recorded"]["status"] == "computed"
    public = read_results(out, public=True)
    assert set(public["statistic"]) == {"coverage", "validity", "accuracy"}
    shown = public["numerator"].dropna().astype(int)
    assert not shown.between(1, 7).any()


@pytest.fixture(scope="module")
def two_years_and_each_alone(synthetic):
    """The whole catalogue (crosses left out: they only add disclosure work) for 2023-24 and
    2024-25 in one run, and for each year in a run of its own."""
    _, warehouse, _ = synthetic
    catalogue = {m.id: dataclasses.replace(m, cross_breakdowns=())
                 for m in load_catalogue().values()}
    runs = {}
    for periods in ("2023-24,2024-25", "2023-24", "2024-25"):
        backend = DuckDBBackend.open(warehouse)
        try:
            runs[periods] = engine.compute(backend, parse_periods(periods), catalogue=catalogue)
        finally:
            backend.close()
    return runs


@pytest.mark.slow
def test_a_two_year_run_is_the_two_one_year_runs(two_years_and_each_alone):
    # Preparation relations that read a period-dependent one (mha_detentions reads
    # mha_episodes_in_period) must be rebuilt for each year, not reused from the first.
    runs = two_years_and_each_alone
    both = runs["2023-24,2024-25"]
    for run in runs.values():
        assert not run.failed, {m: run.record["metrics"][m]["reason"] for m in run.failed}
    for metric_id, record in both.record["metrics"].items():
        assert record["unit_rows"] == {
            **runs["2023-24"].record["metrics"][metric_id]["unit_rows"],
            **runs["2024-25"].record["metrics"][metric_id]["unit_rows"],
        }, metric_id
    # Both years have detentions, so a year built from the other's relations would show.
    assert all(both.record["metrics"]["mha_repeat_detentions"]["unit_rows"].values())
    for view in ("exact", "internal", "public"):
        together = getattr(both, view).drop(columns="run_id")
        alone_by_year = [getattr(runs[year], view).drop(columns="run_id")
                         for year in ("2023-24", "2024-25")]
        for metric_id, rows in together.groupby("metric_id", sort=False):
            alone = pd.concat([year[year["metric_id"] == metric_id] for year in alone_by_year],
                              ignore_index=True)
            pd.testing.assert_frame_equal(rows.reset_index(drop=True), alone,
                                          obj=f"{view} rows of {metric_id}")
