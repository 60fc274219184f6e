"""Integration with the synthetic-data generator: a small synthetic extract ingests, and every
defect the generator injects is reported by `pcref validate --json` with the generator's own
count of the rows it changed (an independent tally, kept by pcref.synth)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pcref.cli import app
from pcref.contract import load_contract
from pcref.ingest import demo_key, ingest
from pcref.synth.generate import generate

runner = CliRunner()

#: The generator's fatal defect classes and the rule that must report each.
FATAL_CLASS_RULES = {
    "invalid_code": "unknown_code",
    "end_before_start": "dates_out_of_order",
    "duplicate_key": "duplicate_key",
    "orphan_row": "orphan_reference",
    "missing_required": "required_value_missing",
}


@pytest.fixture(scope="module")
def clean_extract(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("synth") / "clean"
    result = generate(out, scale="trust", seed=1, people=300, defects="realistic")
    return out, result.rows


@pytest.fixture(scope="module")
def defective_extract(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "defective"
    result = generate(out, scale="trust", seed=2, people=400, defects="all", file_format="csv")
    return out, result.defects.to_dict()


def test_synthetic_extract_ingests(clean_extract, tmp_path):
    directory, rows = clean_extract
    target = tmp_path / "warehouse.duckdb"
    result = ingest(directory, target, demo_key())
    assert not result.report.fatal
    assert result.run.row_counts == rows
    with duckdb.connect(str(target), read_only=True) as connection:
        for table in load_contract().tables:
            (count,) = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            assert count == rows[table], table
        # Every contact's person is a pseudonymised person of the master patient index.
        (unmatched,) = connection.execute(
            'SELECT count(*) FROM "MHS201CareContact" c ANTI JOIN "MHS001MPI" m '
            "USING (Person_ID)").fetchone()
    assert unmatched == 0


def test_cli_ingests_synthetic_extract_with_the_demo_key_unasked(clean_extract, tmp_path,
                                                                  monkeypatch):
    # pcref synth ... && pcref ingest X --warehouse W.duckdb: no key is needed for synthetic
    # data, which the generator's truth.json identifies; the demo key is announced.
    monkeypatch.delenv("PCREF_PSEUDONYMISATION_KEY", raising=False)
    directory, rows = clean_extract
    target = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["ingest", str(directory), "--warehouse", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Loaded {sum(rows.values()):,} rows" in result.stdout
    assert "DEMO KEY" in result.stderr and "truth.json" in result.stderr
    with duckdb.connect(str(target), read_only=True) as connection:
        assert connection.execute("SELECT demo_key FROM ingest_run").fetchall() == [(True,)]


def test_every_injected_defect_is_reported_with_its_count(defective_extract):
    directory, injected = defective_extract
    result = runner.invoke(app, ["validate", "--json", str(directory)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    found: dict[tuple[str, str, str], int] = {}
    for finding in report["findings"]:
        where = (finding["rule"], finding["table"], (finding["column"] or "").replace(" ", ""))
        found[where] = found.get(where, 0) + finding["count"]

    expected_fatal = {}
    for defect, places in injected.items():
        if defect in FATAL_CLASS_RULES:
            for place, count in places.items():
                table, column = place.split(".", 1)
                expected_fatal[(FATAL_CLASS_RULES[defect], table, column)] = count
    assert expected_fatal, "the generator injected no fatal defects"
    fatal_found = {k: v for k, v in found.items()
                   if k[0] in set(FATAL_CLASS_RULES.values())}
    assert fatal_found == expected_fatal

    # Recording gaps are warnings. The generator may also produce such values itself, so the
    # validator must find at least the injected ones.
    gaps: dict[tuple[str, str, str], int] = {}
    for defect, rule in (("blank", "optional_value_missing"),
                         ("not_stated", "code_not_stated_or_known"),
                         ("not_known", "code_not_stated_or_known")):
        for place, count in injected.get(defect, {}).items():
            table, column = place.split(".", 1)
            gaps[(rule, table, column)] = gaps.get((rule, table, column), 0) + count
    assert gaps
    for where, count in gaps.items():
        assert found.get(where, 0) >= count, where
