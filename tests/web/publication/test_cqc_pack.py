"""The CQC evidence pack and the `pcref report` commands: files, manifest, the feedback →
action → outcome trail, and which disclosure policy each file follows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile

from pcref.web.core.models import AuditEvent
from pcref.web.governance.choices import ActionStatus, PriorityArea
from pcref.web.governance.models import (
    Action,
    AssessmentScore,
    Evidence,
    ProgressUpdate,
    SelfAssessment,
)
from pcref.web.moderation.models import YouSaidWeDid
from pcref.web.publication.commands import run_board_report, run_cqc_pack
from pcref.web.publication.cqc_pack import cqc_pack_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    entry = YouSaidWeDid.objects.create(
        title="Police detentions", themes=["Equality and racism"],
        what_people_said="Black young men are detained by police more often.",
        what_we_did="Street triage with community workers.", published=True)
    linked = Action.objects.create(
        title="Street triage", priority_area=PriorityArea.MHA_DETENTIONS,
        metric_id="mha_s136", ethnic_group="Black or Black British", owner="Lead",
        feedback_themes=["Access to services"], start_date=dt.date(2024, 4, 1),
        due_date=dt.date(2099, 1, 1), status=ActionStatus.ON_TRACK)
    linked.you_said_we_did.add(entry)
    Action.objects.create(title="Better recording", priority_area=PriorityArea.DATA,
                          owner="Head of Information", start_date=dt.date(2024, 4, 1),
                          due_date=dt.date(2099, 1, 1))
    ProgressUpdate.objects.create(action=linked, on=dt.date(2024, 6, 1), text="Started.",
                                  written_by="lead")
    evidence = Evidence(action=linked, title="Launch minutes", original_name="minutes.txt",
                        added_by="lead")
    evidence.file.save("minutes.txt", ContentFile(b"minutes of the launch"), save=True)
    first = SelfAssessment.objects.create(assessed_on=dt.date(2024, 3, 1), assessed_by="lead")
    second = SelfAssessment.objects.create(assessed_on=dt.date(2025, 3, 1), assessed_by="lead")
    AssessmentScore.objects.create(assessment=first, item="board_lead", score=2)
    AssessmentScore.objects.create(assessment=second, item="board_lead", score=4,
                                   evidence="Board minutes, March 2025")
    return linked


def read(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_pack_files_and_manifest(sample_results_run, plan):
    archive = zipfile.ZipFile(io.BytesIO(cqc_pack_zip(sample_results_run)))
    names = set(archive.namelist())
    assert {"README.txt", "MANIFEST.csv", "plan/actions.csv", "plan/progress_updates.csv",
            "plan/evidence.csv", "plan/history.csv", "self_assessments.csv", "trail.csv",
            "metrics/figures_public.csv", "metrics/metrics.csv", "metrics/sql/mha_s136.sql",
            "board_report.html"} <= names
    assert "metrics/figures_internal.csv" not in names
    manifest = read(archive, "MANIFEST.csv")
    # The manifest lists every other file once, with its true size and hash.
    assert {m["file"] for m in manifest} == names - {"MANIFEST.csv"}
    for m in manifest:
        data = archive.read(m["file"])
        assert int(m["bytes"]) == len(data)
        assert m["sha256"] == hashlib.sha256(data).hexdigest()
    [evidence] = read(archive, "plan/evidence.csv")
    assert archive.read(evidence["file"]) == b"minutes of the launch"
    assert {r["title"] for r in read(archive, "plan/actions.csv")} == {"Street triage",
                                                                     "Better recording"}
    board = [r for r in read(archive, "self_assessments.csv") if r["item"] == "board_lead"]
    assert [(r["score"], r["change_since_previous"]) for r in board] == [
        ("Developing", "First scored"), ("Embedded", "Up 2 (from Developing)")]
    assert "66.2" not in archive.read("metrics/figures_public.csv").decode()
    assert "66.2" not in archive.read("board_report.html").decode()


def test_trail_from_feedback_to_outcome(sample_results_run, plan):
    archive = zipfile.ZipFile(io.BytesIO(cqc_pack_zip(sample_results_run)))
    trail = {r["action"]: r for r in read(archive, "trail.csv")}
    street = trail["Street triage"]
    assert street["you_said_we_did"] == "Police detentions"
    assert street["feedback_themes"] == "Access to services; Equality and racism"
    assert street["we_did"] == "Street triage with community workers."
    # The sample run has no ethnicity-by-month figures, so "did it work" says why not.
    assert street["outcome"] and street["outcome_run_id"] == "sample-run-1"
    assert trail["Better recording"]["outcome"] == "Not linked to a metric."


def test_internal_figures_only_when_asked(sample_results_run, plan):
    archive = zipfile.ZipFile(io.BytesIO(cqc_pack_zip(sample_results_run,
                                                      include_internal=True)))
    internal = read(archive, "metrics/figures_internal.csv")
    assert {r["disclosure_policy"] for r in internal} == {"nhse"}
    assert "66.2" in {r["value"] for r in internal}
    assert "figures_internal.csv follows NHS England's MHSDS rule" in archive.read(
        "README.txt").decode()


def test_commands_write_files_and_audit(sample_results_run, plan, tmp_path):
    said = []

    def echo(message, err=False):
        said.append((message, err))

    assert run_board_report(tmp_path / "board.html", "2023-24", "public", echo) == 0
    assert "PCREF board report, 2023-24" in (tmp_path / "board.html").read_text()
    assert run_board_report(tmp_path / "board.pdf", None, "nhse", echo) == 0
    assert (tmp_path / "board.pdf").read_bytes().startswith(b"%PDF-")
    assert run_cqc_pack(tmp_path / "pack.zip", None, False, echo) == 0
    assert zipfile.is_zipfile(tmp_path / "pack.zip")
    exports = list(AuditEvent.objects.filter(action="exported").order_by("pk"))
    assert [(e.detail["report"], e.detail["format"], e.detail["disclosure_policy"])
            for e in exports] == [("board", "html", "public"), ("board", "pdf", "nhse"),
                                  ("cqc", "zip", "public")]
    said.clear()
    assert run_board_report(tmp_path / "board.docx", None, "public", echo) == 2
    assert run_board_report(tmp_path / "b.html", "1999-00", "public", echo) == 2
    assert run_board_report(tmp_path / "b.html", None, "secret", echo) == 2
    assert run_cqc_pack(tmp_path / "pack.tar", None, False, echo) == 2
    assert [m for m, _ in said] == [
        f"Error: --out {tmp_path / 'board.docx'}: expected a file ending .html or .pdf.",
        "Error: Results run sample-run-1 has no period '1999-00'; it has 2023-24, 2024-25.",
        "Error: --policy 'secret': expected public or nhse.",
        f"Error: --out {tmp_path / 'pack.tar'}: expected a file ending .zip.",
    ]
    assert all(err for _, err in said)
