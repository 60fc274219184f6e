"""pcref export: the star schema of a results run, as CSV or Parquet for Power BI.

A tiny warehouse (61 people, their care contacts over two financial years, a population) is
computed by the real engine into a results run with five metrics: two from the shipped
catalogue (people in contact, a rate with standardisation; detentions, which reads
preparation relations), a proportion of contacts attended by team and by ethnic group × month,
one skipped (its optional table is absent) and one failed (rows outside the period). The
tests check the export against that run's own files: joined back together, the star gives the
results file row for row.
"""

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pcref.cli import app
from pcref.contract import load_contract
from pcref.export import TABLES, ExportError, build_star, export_run, render
from pcref.export.files import DICTIONARY_COLUMNS
from pcref.export.star import FAILED_REASON_WITHHELD, merge_orders
from pcref.export.tables import SORT_BY, relationships
from pcref.metrics import attributes, engine
from pcref.metrics.backend import DuckDBBackend
from pcref.metrics.catalogue import load_catalogue, parse_metric
from pcref.metrics.periods import parse_periods
from pcref.results import read_results
from pcref.results.run import sha256_file

PERIODS = parse_periods("2023-24,2024-25")
RESULT_KEY = ["metric_id", "period", "breakdown", "group", "subgroup", "statistic"]

# -- a tiny results run ----------------------------------------------------------------------


def _insert(con, table, rows):
    columns = load_contract()[table].warehouse_columns
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], dtype=object)
    con.register("rows_to_insert", frame)
    select = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
    con.execute(f'INSERT INTO "{table}" SELECT {select} FROM rows_to_insert')
    con.unregister("rows_to_insert")


#: Ethnic category -> number of people: White British, Black African, Indian, Not stated,
#: Not known.
ETHNIC_GROUPS = (("A", 40), ("N", 12), ("H", 4), ("Z", 3), ("99", 2))


def build_warehouse(con) -> None:
    """Every contract table but MHS505RestrictiveInterventInc (so a metric reading it is
    skipped); people with 1-3 contacts each in 2024-25, every fourth one also in 2023-24."""
    for table in load_contract().tables.values():
        if table.name != "MHS505RestrictiveInterventInc":
            columns = ", ".join(f'"{c}" {t}' for c, t in table.warehouse_columns.items())
            con.execute(f'CREATE TABLE "{table.name}" ({columns})')
    people, contacts = [], []
    i = 0
    for code, count in ETHNIC_GROUPS:
        for _ in range(count):
            person = f"p{i:03d}"
            people.append({"Person_ID": person, "OrgIDProv": "RXY", "EthnicCategory": code,
                           "Gender": "1" if i % 2 else "2", "LSOA2021": "E01000001",
                           "PersonBirthDate": dt.date(1950 + i % 50, 1 + i % 12, 1)})
            for j in range(i % 3 + 1):
                contacts.append({
                    "UniqCareContID": f"{person}-{j}", "UniqServReqID": f"R-{person}",
                    "Person_ID": person, "UniqCareProfTeamID": "T1" if i % 2 else "T2",
                    "CareContDate": dt.date(2024, 4, 1) + dt.timedelta(days=(i * 37 + j * 53)
                                                                      % 365),
                    "AttendOrDNACode": "5" if (i + j) % 3 else "7",
                })
            if i % 4 == 0:
                contacts.append({
                    "UniqCareContID": f"{person}-old", "UniqServReqID": f"R-{person}",
                    "Person_ID": person, "UniqCareProfTeamID": "T1", "AttendOrDNACode": "5",
                    "CareContDate": dt.date(2023, 6, 15) + dt.timedelta(days=i),
                })
            i += 1
    _insert(con, "MHS001MPI", people)
    _insert(con, "MHS201CareContact", contacts)
    _insert(con, "lsoa_lookup", [{"LSOA2021": "E01000001", "AreaCode": "E06000001",
                                  "AreaName": "Medway", "Locality": "Medway", "IMDDecile": 3}])
    _insert(con, "population", [
        {"AreaCode": "E06000001", "Census2021EthnicGroup": group, "Sex": sex, "Age": age,
         "Population": n}
        for group, n in (("13", 1000), ("6", 200), ("3", 100))
        for sex in ("1", "2") for age in (10, 16, 20, 40, 55, 70)
    ])
    _insert(con, "team", [
        {"UniqCareProfTeamID": "T1", "TeamName": "Crisis team", "ServTeamTypeRefToMH": "A02",
         "Locality": "Medway"},
        {"UniqCareProfTeamID": "T2", "TeamName": "Assessment team",
         "ServTeamTypeRefToMH": "A02", "Locality": "Medway"},
    ])


HEADER = """/*
id: {id}
title: {id} (export test)
description: A metric made for the export tests.
family: Test
unit: "%"
method: proportion
multiplier: 100
denominator: rows
improvement_direction: increase
suppression: counts
{extra}
*/
"""


def metric(metric_id: str, extra: str, sql: str):
    return parse_metric(HEADER.format(id=metric_id, extra=extra) + sql,
                        f"catalogue/{metric_id}.sql")


ATTENDED_SQL = """
SELECT Person_ID, CareContDate AS event_date, UniqCareProfTeamID AS team_id,
       CASE WHEN AttendOrDNACode IN ('5', '6') THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM MHS201CareContact
WHERE CareContDate BETWEEN $period_start AND $period_end
"""
ATTENDED = metric(
    "t_attended", "breakdowns: [total, ethnicity_5, team, month]\n"
    "cross_breakdowns: [month x ethnicity_5]\nreference_group: {ethnicity_5: White}",
    ATTENDED_SQL,
)
RESTRAINT = metric("t_restraint", "breakdowns: [total]", """
SELECT Person_ID, StartDateRestrictiveIntInc AS event_date, 1 AS numerator, 1 AS denominator
FROM MHS505RestrictiveInterventInc
WHERE StartDateRestrictiveIntInc BETWEEN $period_start AND $period_end
""")
BROKEN = metric("t_broken", "breakdowns: [total]", """
SELECT Person_ID, CareContDate AS event_date, 1 AS numerator, 1 AS denominator
FROM MHS201CareContact
""")
SHIPPED = load_catalogue()
CATALOGUE = {m.id: m for m in (SHIPPED["access_people_in_contact"], SHIPPED["mha_detentions"],
                               ATTENDED, RESTRAINT, BROKEN)}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    connection = duckdb.connect()
    build_warehouse(connection)
    computed = engine.compute(DuckDBBackend(connection), PERIODS, catalogue=CATALOGUE)
    connection.close()
    folder = tmp_path_factory.mktemp("run") / "R"
    engine.write(computed, folder)
    return folder


@pytest.fixture(scope="module")
def public(run_folder):
    return build_star(run_folder, catalogue=CATALOGUE)


@pytest.fixture(scope="module")
def internal(run_folder):
    return build_star(run_folder, "internal", catalogue=CATALOGUE)


def frames(star) -> dict[str, pd.DataFrame]:
    return {name: table.to_pandas() for name, table in star.tables.items()}


def rejoined(star) -> pd.DataFrame:
    """The fact table with its dimensions' natural keys, laid out like the results file."""
    t = frames(star)
    out = (t["fact_result"]
           .merge(t["dim_metric"][["metric_key", "metric_id", "unit"]], on="metric_key")
           .merge(t["dim_period"][["period_key", "financial_year"]], on="period_key")
           .merge(t["dim_breakdown"][["breakdown_key", "breakdown"]], on="breakdown_key")
           .merge(t["dim_group"][["group_key", "group", "subgroup"]], on="group_key")
           .merge(t["dim_run"][["run_id", "disclosure_policy"]], on="run_id"))
    return out.rename(columns={"financial_year": "period", "interval_method": "method"})


def same_values(left: pd.Series, right: pd.Series) -> bool:
    """Equal element by element, missing (None, NaN, NA) equal to missing and to ''."""
    def norm(series):
        return [None if (v is None or v is pd.NA or v == "" or (isinstance(v, float)
                                                                 and v != v)) else v
                for v in series.astype(object)]
    return norm(left) == norm(right)


# -- the star --------------------------------------------------------------------------------


def test_the_run_has_what_the_tests_need(run_folder):
    record = json.loads((run_folder / "run.json").read_text())
    status = {m: r["status"] for m, r in record["metrics"].items()}
    assert status == {"access_people_in_contact": "computed", "mha_detentions": "computed",
                      "t_attended": "computed", "t_restraint": "skipped", "t_broken": "failed"}
    results = read_results(run_folder, public=True)
    assert results["status"].str.startswith("suppressed_small_count").any()
    assert (results["status"] == "rounded").any()


def test_a_fact_row_per_result_row_and_every_key_resolves(public, run_folder):
    t = frames(public)
    fact = t["fact_result"]
    assert len(fact) == len(read_results(run_folder, public=True))
    for table, column, dim, key in relationships():
        assert table == "fact_result"
        keys = set(t[dim][key])
        assert len(keys) == len(t[dim]), f"{dim}.{key} is not unique"
        missing = set(fact[column]) - keys
        assert not missing, f"fact_result.{column} values {missing} not in {dim}"


def test_dimensions_have_surrogate_keys_1_to_n_and_unique_natural_keys(public):
    t = frames(public)
    natural = {"dim_metric": ["metric_id"], "dim_period": ["period_type", "period"],
               "dim_breakdown": ["breakdown"],
               "dim_group": ["group_breakdown", "group", "subgroup"]}
    for name, columns in natural.items():
        dim = t[name]
        key = TABLES[name].key.name
        assert dim[key].tolist() == list(range(1, len(dim) + 1))
        assert not dim[columns].astype(str).duplicated().any(), name
    assert len(t["dim_run"]) == 1
    for name in ("dim_period", "dim_group"):
        assert t[name]["period_label" if name == "dim_period" else "group_label"].is_unique


def test_joined_back_together_the_star_is_the_public_results_file(public, run_folder):
    results = read_results(run_folder, public=True)
    back = rejoined(public)
    assert len(back) == len(results)
    # the fact keeps the results' row order
    for column in [*RESULT_KEY, "numerator", "denominator", "value", "lower", "upper", "unit",
                   "comparator", "ratio", "ratio_lower", "ratio_upper", "ratio_method",
                   "difference", "difference_lower", "difference_upper", "significance",
                   "suppressed", "status", "display_value", "method", "disclosure_policy",
                   "run_id"]:
        assert same_values(back[column], results[column]), column


def test_public_export_never_shows_a_count_from_1_to_7_or_an_unrounded_count(public, internal,
                                                                             run_folder):
    back = rejoined(public)
    counts = [back["numerator"]]
    counts.append(back.loc[back["metric_id"] == "t_attended", "denominator"])
    for column in counts:
        shown = column.dropna().astype(float)
        assert len(shown) > 20
        assert not ((shown >= 1) & (shown <= 7)).any()
        assert (shown % 5 == 0).all()
    # ... and the figures are the public ones, not the internal ones, where the two differ
    internal_results = read_results(run_folder)
    public_results = read_results(run_folder, public=True)
    differ = (internal_results["numerator"].notna() & public_results["numerator"].isna())
    assert differ.any()
    assert back.loc[differ, "numerator"].isna().all()
    assert rejoined(internal).loc[differ, "numerator"].notna().all()


def test_period_key_is_the_time_a_figure_covers(public, run_folder):
    results = read_results(run_folder, public=True)
    periods = frames(public)["dim_period"]
    covered = frames(public)["fact_result"].merge(periods, on="period_key", how="left")
    assert (covered["financial_year"] == results["period"]).all()
    monthly = results["breakdown"].isin(["month", "ethnicity_5 x month"])
    assert monthly.any() and (results["breakdown"] == "ethnicity_5 x month").any()
    month_label = results["group"].where(results["breakdown"] == "month", results["subgroup"])
    assert (covered.loc[monthly, "period_type"] == "month").all()
    assert (covered.loc[monthly, "period"] == month_label[monthly]).all()
    quarterly = results["breakdown"].str.contains("quarter")
    assert quarterly.any()
    assert (covered.loc[quarterly, "period_type"] == "quarter").all()
    yearly = ~monthly & ~quarterly
    assert (covered.loc[yearly, "period_type"] == "year").all()
    assert (covered.loc[yearly, "period"] == results.loc[yearly, "period"]).all()


def test_dim_period_holds_each_year_its_quarters_and_months(public):
    periods = frames(public)["dim_period"]
    assert periods.groupby("period_type").size().to_dict() == {"year": 2, "quarter": 8,
                                                               "month": 24}
    row = periods.set_index(["period_type", "period"])
    assert row.loc[("year", "2023-24"), "start_date"] == dt.date(2023, 4, 1)
    assert row.loc[("year", "2023-24"), "end_date"] == dt.date(2024, 3, 31)
    assert row.loc[("quarter", "2024-25 Q4"), "start_date"] == dt.date(2025, 1, 1)
    assert row.loc[("quarter", "2024-25 Q4"), "end_date"] == dt.date(2025, 3, 31)
    assert row.loc[("month", "2024-02"), "end_date"] == dt.date(2024, 2, 29)  # a leap year
    assert row.loc[("month", "2024-02"), "period_label"] == "February 2024"
    assert row.loc[("month", "2024-02"), "financial_year"] == "2023-24"
    ordered = periods.sort_values("period_sort_order")
    assert ordered["start_date"].is_monotonic_increasing
    assert ordered["period"].iloc[:3].tolist() == ["2023-24", "2023-24 Q1", "2023-04"]


def test_ethnic_groups_in_nhs_order_with_not_stated_and_not_known_last(public):
    groups = frames(public)["dim_group"].sort_values("group_sort_order")
    five = groups[groups["group_breakdown"] == "ethnicity_5"]
    expected = [g for g in attributes.ethnicity_5_labels() if g in set(five["group"])]
    assert five["group"].tolist() == expected
    assert five["group"].tolist()[-2:] == ["Not stated", "Not known"]
    assert five["unknown_group"].tolist() == [False] * (len(five) - 2) + [True, True]
    cross = groups[groups["group_breakdown"] == "ethnicity_5 x month"]
    assert cross.iloc[0][["group", "subgroup"]].tolist() == ["White", "2023-04"]
    assert cross["subgroup"].iloc[1] == "2023-05"


def test_one_sort_number_per_label_that_sorts_every_breakdown(public):
    groups = frames(public)["dim_group"]
    for table, column, by in SORT_BY:
        dim = frames(public)[table].dropna(subset=[column])
        assert (dim.groupby(column)[by].nunique() == 1).all(), f"{table}.{column} by {by}"
    for _, rows in groups.groupby("group_breakdown"):
        in_report_order = rows.sort_values("group_sort_order")
        by_group_number = rows.sort_values(["group_order", "subgroup_order"])
        assert in_report_order["group_key"].tolist() == by_group_number["group_key"].tolist()


def test_merge_orders_keeps_every_sequences_order():
    sequences = [["White", "Mixed", "Not stated", "Not known"], ["Male", "Female", "Not known"],
                 ["Assessment team", "Crisis team"], ["Crisis team", "Zeta team"]]
    merged = merge_orders(sequences)
    assert sorted(merged) == sorted({x for s in sequences for x in s})
    for sequence in sequences:
        assert sorted(sequence, key=merged.index) == sequence
    # "first seen" alone would give b, c, a and put a after b
    assert merge_orders([["b", "c"], ["a", "b"]]) == ["a", "b", "c"]
    # two sequences that disagree still give every label once, earliest seen first
    assert merge_orders([["a", "b"], ["b", "a"]]) == ["a", "b"]


def test_only_the_keys_share_names_so_power_bi_autodetects_just_the_star(public):
    owners: dict[str, list[str]] = {}
    for name, spec in TABLES.items():
        for column in spec.column_names:
            owners.setdefault(column, []).append(name)
    shared = {c: t for c, t in owners.items() if len(t) > 1}
    assert shared == {column: [table, dim] for table, column, dim, _ in relationships()}
    for name, spec in TABLES.items():
        assert public.tables[name].column_names == list(spec.column_names)


def test_dim_metric_publishes_the_definition_and_sql_that_ran(public, internal, run_folder):
    record = json.loads((run_folder / "run.json").read_text())
    metrics = frames(public)["dim_metric"].set_index("metric_id")
    assert metrics.index.tolist() == list(record["metrics"])
    for metric_id, definition in CATALOGUE.items():
        row = metrics.loc[metric_id]
        assert row["metric_sql"] == definition.sql
        assert row["definition_sha256"] == record["metrics"][metric_id]["file_sha256"]
        assert row["run_status"] == record["metrics"][metric_id]["status"]
        assert row["unit"] == definition.unit
    detentions = metrics.loc["mha_detentions"]
    relations = list(record["metrics"]["mha_detentions"]["prep_sql_sha256"])
    assert detentions["preparation_relations"] == ", ".join(relations)
    for relation in relations:
        assert f"-- preparation relation: {relation}\n" in detentions["preparation_sql"]
    assert metrics.loc["access_people_in_contact", "reference_group_ethnicity_16"] == \
        "White British"
    assert bool(metrics.loc["access_people_in_contact", "standardised"])
    assert "MHS505RestrictiveInterventInc" in metrics.loc["t_restraint", "run_status_reason"]
    # a failure's details may hold row counts: internal only
    assert metrics.loc["t_broken", "run_status_reason"] == FAILED_REASON_WITHHELD
    inside = frames(internal)["dim_metric"].set_index("metric_id")
    assert "outside" in inside.loc["t_broken", "run_status_reason"]


def test_a_changed_definition_is_refused(run_folder):
    changed = metric(
        "t_attended", "breakdowns: [total, ethnicity_5, team, month]\n"
        "cross_breakdowns: [month x ethnicity_5]\nreference_group: {ethnicity_5: White}",
        ATTENDED_SQL.replace("('5', '6')", "('5')"),
    )
    with pytest.raises(ExportError, match=r"metric t_attended: its definition has changed"):
        build_star(run_folder, catalogue={**CATALOGUE, "t_attended": changed})
    without = {k: v for k, v in CATALOGUE.items() if k != "t_broken"}
    with pytest.raises(ExportError, match=r"metric t_broken .* is not in this catalogue"):
        build_star(run_folder, catalogue=without)


def test_dim_run_records_the_run_and_the_policy(public, internal, run_folder):
    record = json.loads((run_folder / "run.json").read_text())
    run = frames(public)["dim_run"].iloc[0]
    assert run["run_id"] == record["run_id"]
    assert run["input_fingerprint"] == record["input"]["fingerprint"]
    assert run["code_version"] == record["code_version"]
    assert run["financial_years"] == "2023-24, 2024-25"
    assert pd.Timestamp(run["run_created_at"]) == pd.Timestamp(record["created_at"])
    assert (run["export_policy"], run["disclosure_policy"]) == ("public", "public")
    assert run["disclosure_statement"] == record["disclosure"]["public"]["statement"]
    inside = frames(internal)["dim_run"].iloc[0]
    assert (inside["export_policy"], inside["disclosure_policy"]) == ("internal", "nhse")


# -- files -----------------------------------------------------------------------------------


def read_csv_as(path: Path, schema: pa.Schema) -> pa.Table:
    """Read an exported CSV back with the table's schema: empty fields are nulls."""
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=True,
            true_values=["true"], false_values=["false"], null_values=[""]),
    )


def test_csv_files_read_back_as_the_same_tables(public, run_folder, tmp_path):
    export_run(run_folder, tmp_path, "csv", catalogue=CATALOGUE)
    for name, spec in TABLES.items():
        path = tmp_path / f"{name}.csv"
        text = path.read_bytes().decode("utf-8")
        assert not text.startswith("\ufeff")
        assert text.splitlines()[0] == ",".join(spec.column_names)  # a header, no index
        back = read_csv_as(path, spec.schema)
        assert back.num_rows == public.tables[name].num_rows
        for column in spec.column_names:
            assert back.column(column).to_pylist() == \
                public.tables[name].column(column).to_pylist(), f"{name}.{column}"
    sql = next(csv.DictReader(io.StringIO((tmp_path / "dim_metric.csv").read_text())))
    assert "\n" in sql["metric_sql"]  # line breaks inside quoted fields survive
    period = (tmp_path / "dim_period.csv").read_text().splitlines()[1]
    assert period == "1,2023-24,year,2023-24,2023-24,2023-04-01,2024-03-31,1"


def test_csv_numbers_use_a_point_and_no_exponent(run_folder, tmp_path):
    export_run(run_folder, tmp_path, "csv", catalogue=CATALOGUE)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "fact_result.csv").read_text())))
    for column in ("value", "lower", "upper", "ratio", "denominator"):
        for row in rows:
            if row[column]:
                assert "e" not in row[column].lower() and "," not in row[column]
                float(row[column])
    assert {row["suppressed"] for row in rows} == {"true", "false"}


def test_parquet_files_are_the_tables_with_their_types(public, run_folder, tmp_path):
    export_run(run_folder, tmp_path, "powerbi", catalogue=CATALOGUE)
    for name, spec in TABLES.items():
        table = pq.read_table(tmp_path / f"{name}.parquet")
        assert table.schema.metadata is None
        assert table.schema.equals(spec.schema)
        assert table.equals(public.tables[name])
    query = (tmp_path / "power_query.pq").read_text()
    for name in TABLES:
        assert f"// query: {name}\n" in query
        assert f'Parquet.Document(File.Contents(ExportFolder & "{name}.parquet"))' in query
    assert [p.name for p in tmp_path.glob("*.csv")] == ["data_dictionary.csv"]


def test_the_same_run_gives_the_same_bytes(run_folder, tmp_path):
    for fmt in ("csv", "powerbi"):
        _, first = export_run(run_folder, tmp_path / f"{fmt}1", fmt, catalogue=CATALOGUE)
        _, second = export_run(run_folder, tmp_path / f"{fmt}2", fmt, catalogue=CATALOGUE)
        assert first == second
        for name, data in first.items():
            assert (tmp_path / f"{fmt}2" / name).read_bytes() == data
        manifest = json.loads(first["export.json"])
        assert set(manifest["files"]) == set(first) - {"export.json"}


def test_the_data_dictionary_describes_every_column_of_every_file(public, run_folder, tmp_path):
    _, files = export_run(run_folder, tmp_path, "csv", catalogue=CATALOGUE)
    rows = list(csv.DictReader(io.StringIO(files["data_dictionary.csv"].decode())))
    assert list(rows[0]) == list(DICTIONARY_COLUMNS)
    described: dict[str, list[str]] = {}
    for row in rows:
        described.setdefault(row["file"], []).append(row["column"])
        assert row["description"] and row["type"] and row["export_policy"] == "public"
    written = {name: (tmp_path / name).read_text().splitlines()[0].split(",")
               for name in files if name.endswith(".csv") and name != "data_dictionary.csv"}
    assert described == written
    by_column = {(r["table"], r["column"]): r for r in rows}
    assert by_column[("dim_period", "period_type")]["allowed_values"] == "year; quarter; month"
    assert by_column[("fact_result", "metric_key")]["key"] == \
        "references dim_metric.metric_key"
    assert "suppressed_small_count" in by_column[("fact_result", "status")]["allowed_values"]
    markdown = files["data_dictionary.md"].decode()
    for name, spec in TABLES.items():
        assert f"## {name} (" in markdown
        for column in spec.column_names:
            assert f"| {column} |" in markdown


# -- internal exports ------------------------------------------------------------------------


def test_internal_export_is_asked_for_by_name_and_marked_everywhere(internal, run_folder,
                                                                    tmp_path):
    _, files = export_run(run_folder, tmp_path, "csv", catalogue=CATALOGUE,
                          policy="internal")
    assert all(name.startswith("internal_") for name in files)
    assert files["internal_README.md"].decode().startswith(
        "# PCREF results export") and "NOT FOR PUBLICATION" in files[
        "internal_README.md"].decode()
    rows = list(csv.DictReader(io.StringIO(files["internal_data_dictionary.csv"].decode())))
    assert {r["export_policy"] for r in rows} == {"internal (not for publication)"}
    assert "NOT FOR PUBLICATION" in files["internal_data_dictionary.md"].decode()
    assert "// query: internal_fact_result" in files["internal_power_query.pq"].decode()
    results = read_results(run_folder)
    back = rejoined(internal)
    for column in ["numerator", "value", "status", "disclosure_policy"]:
        assert same_values(back[column], results[column]), column
    with pytest.raises(ExportError, match="policy 'nhse'"):
        build_star(run_folder, "nhse", catalogue=CATALOGUE)


def test_public_and_internal_exports_never_share_a_folder(run_folder, tmp_path):
    export_run(run_folder, tmp_path / "out", "csv", catalogue=CATALOGUE)
    with pytest.raises(ExportError, match="holds an export of the public policy"):
        export_run(run_folder, tmp_path / "out", "csv", catalogue=CATALOGUE, policy="internal")
    export_run(run_folder, tmp_path / "in", "csv", catalogue=CATALOGUE, policy="internal")
    with pytest.raises(ExportError, match="holds an export of the internal policy"):
        export_run(run_folder, tmp_path / "in", "powerbi", catalogue=CATALOGUE)


def test_an_earlier_export_is_replaced_and_other_folders_refused(run_folder, tmp_path):
    out = tmp_path / "out"
    export_run(run_folder, out, "csv", catalogue=CATALOGUE)
    _, files = export_run(run_folder, out, "powerbi", catalogue=CATALOGUE)
    assert sorted(p.name for p in out.iterdir()) == sorted(files)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty and holds no pcref export"):
        export_run(run_folder, tmp_path / "other", "csv", catalogue=CATALOGUE)
    (out / "extra.csv").write_text("x")
    with pytest.raises(ExportError, match=r"files that are not part of its export \(extra.csv"):
        export_run(run_folder, out, "csv", catalogue=CATALOGUE)


# -- errors ----------------------------------------------------------------------------------


def copy_run(run_folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "R"
    shutil.copytree(run_folder, copy)
    return copy


def test_a_folder_that_is_not_a_results_run_is_refused(run_folder, tmp_path):
    with pytest.raises(ExportError, match="is not a folder"):
        build_star(tmp_path / "nowhere")
    with pytest.raises(ExportError, match=r"is not a results run folder: it has no run\.json"):
        build_star(tmp_path)
    with pytest.raises(ExportError, match=r"give the run folder .*R\)"):
        build_star(run_folder / "public", catalogue=CATALOGUE)
    (tmp_path / "run.json").write_text('{"run_id": "x"}')
    with pytest.raises(ExportError, match="not a results run record: it lacks created_at"):
        build_star(tmp_path)


def test_a_missing_or_changed_results_file_is_refused(run_folder, tmp_path):
    copy = copy_run(run_folder, tmp_path)
    (copy / "results.parquet").unlink()
    build_star(copy, catalogue=CATALOGUE)  # the public export does not read it
    with pytest.raises(ExportError, match=r"results\.parquet is missing"):
        build_star(copy, "internal", catalogue=CATALOGUE)
    table = pq.read_table(copy / "public" / "results.parquet")
    pq.write_table(table.slice(1), copy / "public" / "results.parquet")
    with pytest.raises(ExportError, match=r"is not the file run .* wrote: its SHA-256"):
        build_star(copy, catalogue=CATALOGUE)


def tamper(run_folder: Path, tmp_path: Path, column: str, pick, value) -> int:
    """Copy the run, set ``column`` of the first public row ``pick`` accepts to ``value``, and
    record the changed file's hash in run.json (as if the run had written it). The row's
    number (1-based) is returned."""
    copy = copy_run(run_folder, tmp_path)
    path = copy / "public" / "results.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    row = next(i for i, r in enumerate(rows) if pick(r))
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    table = table.set_column(index, table.schema.field(index),
                             pa.array(values, table.schema.field(index).type))
    pq.write_table(table, path)
    record = json.loads((copy / "run.json").read_text())
    record["files"]["public/results.parquet"] = sha256_file(path)
    (copy / "run.json").write_text(json.dumps(record))
    return row + 1


@pytest.mark.parametrize(("column", "pick", "value", "message"), [
    ("numerator", lambda r: r["numerator"], 3, r"numerator 3 .* refusing to export"),
    ("numerator", lambda r: r["numerator"], 12, r"numerator 12 .* refusing to export"),
    ("denominator", lambda r: r["metric_id"] == "t_attended" and r["denominator"], 6.0,
     r"denominator 6 \(t_attended\) is not a count published under the public rule"),
    ("group", lambda r: r["breakdown"] == "month" and r["period"] == "2024-25", "2023-05",
     r"month '2023-05' is not a month of the row's period 2024-25"),
    ("breakdown", lambda r: r["breakdown"] == "sex", "gender",
     r"breakdown 'gender': expected total, one of"),
    ("subgroup", lambda r: r["breakdown"] == "sex", "Female",
     r"breakdown 'sex' with subgroup 'Female': a cross needs a subgroup"),
    ("run_id", lambda r: True, "another", r"run_id 'another', expected"),
    ("disclosure_policy", lambda r: True, "nhse", r"disclosure_policy 'nhse', expected 'public'"),
])
def test_a_results_file_breaking_its_promises_is_refused(run_folder, tmp_path, column, pick,
                                                         value, message):
    row = tamper(run_folder, tmp_path, column, pick, value)
    with pytest.raises(ExportError, match=rf"public/results\.parquet row {row}: {message}"):
        build_star(tmp_path / "R", catalogue=CATALOGUE)


def test_render_refuses_an_unknown_format(public):
    with pytest.raises(ExportError, match="format 'xlsx'"):
        render(public, "xlsx")


# -- the command line ------------------------------------------------------------------------


def test_cli_exports_end_to_end(run_folder, tmp_path, monkeypatch):
    monkeypatch.setattr("pcref.export.star.load_catalogue", lambda: CATALOGUE)
    runner = CliRunner()
    out = tmp_path / "pbi"
    result = runner.invoke(app, ["export", str(run_folder), "--format", "powerbi", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads((run_folder / "run.json").read_text())
    assert f"Exported run {record['run_id']} (public" in result.stdout
    assert "fact_result.parquet" in result.stdout
    assert pq.read_table(out / "fact_result.parquet").num_rows == record["rows"]["public"]

    internal = runner.invoke(app, ["export", str(run_folder), "--format", "csv", "--out",
                                   str(tmp_path / "int"), "--policy", "internal"])
    assert internal.exit_code == 0, internal.output
    assert "NOT FOR PUBLICATION" in internal.stderr
    assert (tmp_path / "int" / "internal_fact_result.csv").is_file()

    for arguments, message in [
        (["--format", "xlsx", "--out", str(tmp_path / "x")], "format 'xlsx'"),
        (["--format", "csv", "--out", str(out), "--policy", "internal"],
         "holds an export of the public"),
    ]:
        refused = runner.invoke(app, ["export", str(run_folder), *arguments])
        assert refused.exit_code == 2
        assert message in refused.stderr
    refused = runner.invoke(app, ["export", str(tmp_path / "nowhere"), "--format", "csv",
                                  "--out", str(tmp_path / "y")])
    assert refused.exit_code == 2 and "is not a folder" in refused.stderr


def test_cli_help_lists_export():
    result = CliRunner().invoke(app, ["--help"])
    assert "export" in result.stdout
