"""Loading: typed tables named as in the contract, pseudonyms that are HMAC-SHA256 of the raw
identifiers (checked with the standard library, not the code under test), no raw identifiers
or NHS numbers anywhere, the run record, and atomic replacement of the warehouse."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pcref.cli import app
from pcref.contract import load_contract
from pcref.ingest import (
    ExtractRejected,
    PseudonymisationKey,
    WarehouseError,
    demo_key,
    ingest,
)
from pcref.ingest import warehouse as warehouse_module

KEY = PseudonymisationKey(b"k" * 32, source="test")
OTHER_KEY = PseudonymisationKey(b"z" * 32, source="test")
runner = CliRunner()

EXPECTED_TYPES = {"identifier": "VARCHAR", "person_id": "VARCHAR", "code": "VARCHAR",
                  "string": "VARCHAR", "date": "DATE", "time": "TIME", "integer": "INTEGER",
                  "decimal": "DOUBLE"}


def tables_and_columns(path: Path) -> dict[str, dict[str, str]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY table_name, column_index"
        ).fetchall()
    result: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        result.setdefault(table, {})[column] = kind
    return result


def all_text(path: Path) -> set[str]:
    """Every value of every text column in the warehouse."""
    values: set[str] = set()
    with duckdb.connect(str(path), read_only=True) as connection:
        for table, columns in tables_and_columns(path).items():
            for column, kind in columns.items():
                if kind in ("VARCHAR", "JSON"):
                    values.update(
                        str(v) for (v,) in connection.execute(
                            f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
                        if v is not None)
    return values


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_warehouse_has_contract_tables_with_proper_types(valid_dir, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    result = ingest(valid_dir, target, KEY)
    assert not result.report.fatal
    found = tables_and_columns(target)
    contract = load_contract()
    assert set(found) == set(contract.tables) | {"ingest_run"}
    for table in contract.tables.values():
        expected = {f.name: EXPECTED_TYPES[f.type] for f in table.fields.values()
                    if f.type != "nhs_number"}
        assert found[table.name] == expected == table.warehouse_columns, table.name


def test_values_are_typed_and_blanks_are_null(extract, tmp_path):
    extract.tables["MHS201CareContact"][0]["AttendOrDNACode"] = ""
    target = tmp_path / "w.duckdb"
    ingest(extract.write(tmp_path / "x"), target, KEY)
    with duckdb.connect(str(target), read_only=True) as connection:
        row = connection.execute(
            'SELECT CareContDate, CareContTime, AttendOrDNACode FROM "MHS201CareContact"'
        ).fetchone()
        prevalence = connection.execute('SELECT Prevalence FROM dementia_prevalence').fetchone()
    assert str(row[0]) == "2024-01-10" and str(row[1]) == "10:30:00" and row[2] is None
    assert prevalence == (0.25,)


def test_no_nhs_number_and_no_raw_person_id_anywhere(valid_dir, extract, tmp_path):
    target = tmp_path / "w.duckdb"
    ingest(valid_dir, target, KEY)
    columns = tables_and_columns(target)
    assert not any("NHSNumber" in c for c in columns.values())
    raw_ids = {row["Person_ID"] for row in extract.tables["MHS001MPI"]}
    nhs_numbers = {row["NHSNumber"] for row in extract.tables["MHS001MPI"]}
    text = all_text(target)
    assert not any(raw in value for value in text for raw in raw_ids | nhs_numbers)


def test_pseudonyms_are_hmac_sha256_of_the_identifier_in_every_table(valid_dir, tmp_path):
    target = tmp_path / "w.duckdb"
    ingest(valid_dir, target, KEY)
    expected = {hmac.new(KEY.secret, raw.encode(), hashlib.sha256).hexdigest()[:32]
                for raw in ("PERSON-001", "PERSON-002")}
    contract = load_contract()
    with duckdb.connect(str(target), read_only=True) as connection:
        people = {p for (p,) in connection.execute('SELECT Person_ID FROM "MHS001MPI"')
                  .fetchall()}
        assert people == expected
        for table in contract.tables.values():
            if "Person_ID" in table.fields and table.name != "MHS001MPI":
                found = {p for (p,) in connection.execute(
                    f'SELECT Person_ID FROM "{table.name}"').fetchall()}
                assert found and found <= people, table.name


def test_pseudonyms_deterministic_per_key_and_different_across_keys(valid_dir, tmp_path):
    def people(key: PseudonymisationKey, name: str) -> list[str]:
        target = tmp_path / name
        ingest(valid_dir, target, key)
        with duckdb.connect(str(target), read_only=True) as connection:
            return sorted(p for (p,) in connection.execute(
                'SELECT Person_ID FROM "MHS001MPI"').fetchall())

    first, again, other = people(KEY, "a.duckdb"), people(KEY, "b.duckdb"), \
        people(OTHER_KEY, "c.duckdb")
    assert first == again
    assert set(first).isdisjoint(other)


def test_ingest_run_recorded_with_fingerprint_and_history(valid_dir, tmp_path):
    target = tmp_path / "w.duckdb"
    first = ingest(valid_dir, target, KEY).run
    second = ingest(valid_dir, target, demo_key()).run
    # The fingerprint as docs/ingest.md defines it, computed here with hashlib.
    lines = "".join(
        f"{p.name} {hashlib.sha256(p.read_bytes()).hexdigest()}\n"
        for p in sorted(valid_dir.iterdir(), key=lambda p: p.name))
    assert first.input_fingerprint == hashlib.sha256(lines.encode()).hexdigest()
    with duckdb.connect(str(target), read_only=True) as connection:
        runs = connection.execute(
            "SELECT run_id, input_fingerprint, row_counts, issue_counts, key_id, demo_key, "
            "contract_version, code_version FROM ingest_run ORDER BY started_at").fetchall()
    assert [r[0] for r in runs] == [first.run_id, second.run_id]
    assert runs[0][1] == runs[1][1] == first.input_fingerprint
    assert json.loads(runs[0][2])["MHS001MPI"] == 2
    assert json.loads(runs[0][3]) == {}
    assert (runs[0][4], runs[0][5]) == (KEY.key_id, False)
    assert (runs[1][4], runs[1][5]) == (demo_key().key_id, True)
    assert runs[0][6] == load_contract().version
    assert runs[0][7].startswith("pcref ")


def test_fingerprint_ignores_folder_and_follows_bytes(extract, tmp_path):
    one = ingest(extract.write(tmp_path / "one"), tmp_path / "1.duckdb", KEY).run
    two = ingest(extract.write(tmp_path / "two"), tmp_path / "2.duckdb", KEY).run
    extract.tables["team"][0]["TeamName"] = "Renamed team"
    three = ingest(extract.write(tmp_path / "three"), tmp_path / "3.duckdb", KEY).run
    assert one.input_fingerprint == two.input_fingerprint != three.input_fingerprint


def test_warnings_recorded_in_the_run(extract, tmp_path):
    extract.tables["MHS001MPI"][0]["EthnicCategory"] = "Z"
    target = tmp_path / "w.duckdb"
    run = ingest(extract.write(tmp_path / "x"), target, KEY).run
    assert run.issue_counts == {"code_not_stated_or_known": 1}
    with duckdb.connect(str(target), read_only=True) as connection:
        (issues,) = connection.execute("SELECT issues FROM ingest_run").fetchone()
    assert json.loads(issues) == [{"rule": "code_not_stated_or_known", "severity": "warning",
                                   "table": "MHS001MPI", "column": "EthnicCategory",
                                   "count": 1}]


def test_rejected_extract_leaves_warehouse_byte_for_byte(valid_dir, extract, tmp_path):
    target = tmp_path / "w.duckdb"
    ingest(valid_dir, target, KEY)
    extract.tables["MHS001MPI"][0]["EthnicCategory"] = "Q"
    bad = extract.write(tmp_path / "bad")
    before, listing = target.read_bytes(), files_in(tmp_path)
    with pytest.raises(ExtractRejected, match="rejected: 1 fatal problem") as raised:
        ingest(bad, target, KEY)
    assert raised.value.report.counts_by_rule() == {"unknown_code": 1}
    assert target.read_bytes() == before
    assert files_in(tmp_path) == listing


def test_failure_while_writing_leaves_warehouse_and_no_temporary_file(
    valid_dir, tmp_path, monkeypatch
):
    target = tmp_path / "w.duckdb"
    ingest(valid_dir, target, KEY)
    before, listing = target.read_bytes(), files_in(tmp_path)

    def fail(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(warehouse_module, "_write_runs", fail)
    with pytest.raises(OSError, match="simulated"):
        ingest(valid_dir, target, KEY)
    assert target.read_bytes() == before
    assert files_in(tmp_path) == listing


def test_failure_on_first_ingest_leaves_nothing(valid_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse_module, "_write_runs",
                        lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        ingest(valid_dir, tmp_path / "w.duckdb", KEY)
    assert files_in(tmp_path) == ["extract"]


@pytest.mark.parametrize("content", [b"not a database\n", None])
def test_refuses_to_replace_a_file_that_is_not_a_warehouse(valid_dir, tmp_path, content):
    target = tmp_path / "precious.duckdb"
    if content is None:
        with duckdb.connect(str(target)) as connection:
            connection.execute("CREATE TABLE patients (id INTEGER)")
    else:
        target.write_bytes(content)
    before = target.read_bytes()
    with pytest.raises(WarehouseError, match="refusing to replace"):
        ingest(valid_dir, target, KEY)
    assert target.read_bytes() == before
    result = runner.invoke(app, ["ingest", str(valid_dir), "--warehouse", str(target),
                                 "--demo"])
    assert result.exit_code == 2
    assert "refusing to replace" in result.stderr
    assert target.read_bytes() == before


def test_csv_and_parquet_load_the_same_warehouse(extract, tmp_path):
    from_csv = tmp_path / "csv.duckdb"
    from_parquet = tmp_path / "parquet.duckdb"
    ingest(extract.write(tmp_path / "csv"), from_csv, KEY)
    ingest(extract.write(tmp_path / "parquet", file_format="parquet"), from_parquet, KEY)
    assert tables_and_columns(from_csv) == tables_and_columns(from_parquet)
    with duckdb.connect(str(from_csv), read_only=True) as a, \
            duckdb.connect(str(from_parquet), read_only=True) as b:
        for table in load_contract().tables:
            query = f'SELECT * FROM "{table}" ORDER BY ALL'
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table


def test_parquet_with_typed_columns(extract, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = extract.write(tmp_path / "x", file_format="parquet")
    rows = extract.tables["population"]
    pq.write_table(pa.table({
        "AreaCode": [r["AreaCode"] for r in rows],
        "Census2021EthnicGroup": [r["Census2021EthnicGroup"] for r in rows],
        "Sex": [r["Sex"] for r in rows],
        "Age": pa.array([int(r["Age"]) for r in rows], type=pa.int16()),
        "Population": pa.array([int(r["Population"]) for r in rows], type=pa.int64()),
    }), directory / "population.parquet")
    target = tmp_path / "w.duckdb"
    result = ingest(directory, target, KEY)
    assert result.report.findings == []


# --- command line ------------------------------------------------------------------------------


def test_cli_ingest_refuses_without_a_key(valid_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("PCREF_PSEUDONYMISATION_KEY", raising=False)
    result = runner.invoke(app, ["ingest", str(valid_dir), "--warehouse",
                                 str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "no pseudonymisation key" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_cli_ingest_refuses_without_a_key_even_with_another_truth_json(valid_dir, tmp_path,
                                                                       monkeypatch):
    monkeypatch.delenv("PCREF_PSEUDONYMISATION_KEY", raising=False)
    (valid_dir / "truth.json").write_text('{"generator": {"package": "someone.else"}}')
    result = runner.invoke(app, ["ingest", str(valid_dir), "--warehouse",
                                 str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "no pseudonymisation key" in result.stderr


def test_cli_ingest_with_key_file_and_environment(valid_dir, tmp_path, monkeypatch):
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY.secret + b"\n")
    monkeypatch.delenv("PCREF_PSEUDONYMISATION_KEY", raising=False)
    result = runner.invoke(app, ["ingest", str(valid_dir), "--warehouse",
                                 str(tmp_path / "a.duckdb"), "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    assert f"key id {KEY.key_id}" in result.stdout
    assert "DEMO" not in result.output
    monkeypatch.setenv("PCREF_PSEUDONYMISATION_KEY", KEY.secret.decode())
    result = runner.invoke(app, ["ingest", str(valid_dir), "--warehouse",
                                 str(tmp_path / "b.duckdb"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["loaded"] is True and summary["run"]["key_id"] == KEY.key_id
    assert summary["run"]["row_counts"]["MHS001MPI"] == 2


def test_cli_demo_key_is_announced(valid_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("PCREF_PSEUDONYMISATION_KEY", raising=False)
    result = runner.invoke(app, ["ingest", str(valid_dir), "--warehouse",
                                 str(tmp_path / "w.duckdb"), "--demo"])
    assert result.exit_code == 0, result.output
    assert "DEMO KEY" in result.stderr and "DEMO key" in result.stdout


def test_cli_rejected_ingest_exits_1_and_keeps_warehouse(valid_dir, extract, tmp_path,
                                                         monkeypatch):
    monkeypatch.delenv("PCREF_PSEUDONYMISATION_KEY", raising=False)
    target = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["ingest", str(valid_dir), "--warehouse", str(target),
                               "--demo"]).exit_code == 0
    before = target.read_bytes()
    extract.tables["MHS502WardStay"][0]["StartDateWardStay"] = "01/02/2024"
    bad = extract.write(tmp_path / "bad")
    result = runner.invoke(app, ["ingest", str(bad), "--warehouse", str(target), "--demo"])
    assert result.exit_code == 1
    assert "MHS502WardStay.csv row 2, column StartDateWardStay: '01/02/2024'" in result.stdout
    assert "is unchanged" in result.stderr
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["bad", "extract", "w.duckdb"]
