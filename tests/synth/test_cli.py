"""`pcref synth` writes an extract that `pcref validate` accepts, and refuses bad options."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pcref.cli import app

runner = CliRunner()


def test_synth_writes_a_valid_extract(tmp_path):
    out = tmp_path / "extract"
    result = runner.invoke(app, ["synth", "--scale", "trust", "--seed", "2", "--out", str(out),
                                 "--people", "400", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "Black or Black British vs White British" in result.output
    assert (out / "MHS001MPI.csv").exists() and (out / "truth.json").exists()
    truth = json.loads((out / "truth.json").read_text())
    assert truth["generator"]["seed"] == 2 and truth["generator"]["defects"] == "realistic"
    check = runner.invoke(app, ["validate", str(out)])
    assert check.exit_code == 0, check.output


def test_synth_refuses_bad_options(tmp_path):
    result = runner.invoke(app, ["synth", "--out", str(tmp_path / "x"), "--defects", "lots"])
    assert result.exit_code == 2
    assert "defects: expected one of" in result.output
    result = runner.invoke(app, ["synth", "--out", str(tmp_path / "x"), "--config",
                                 str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "missing.yaml" in result.output
