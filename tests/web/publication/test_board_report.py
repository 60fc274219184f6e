"""The board report: contents worked out by hand from the sample run (tests/web/conftest.py),
the HTML file and the PDF made from the same template, the staff page and its PDF download."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zlib

import pytest

from pcref.web.core.models import AuditEvent
from pcref.web.governance.choices import ActionStatus, PriorityArea
from pcref.web.governance.models import Action, AssessmentScore, SelfAssessment
from pcref.web.publication.board_report import ReportError, build_board_report
from pcref.web.publication.rendering import board_report_html, board_report_pdf

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = (
    "Summary",
    "1. Core measures by ethnic group",
    "2. The biggest gaps",
    "3. What people told us, by community",
    "4. The PCREF action plan",
    "5. Self-assessment progress",
    "About these figures",
)


@pytest.fixture
def plan(db):
    """Two actions (one overdue, so red) and two self-assessments a year apart."""
    Action.objects.create(
        title="Reduce section 136 detentions of Black people",
        priority_area=PriorityArea.MHA_DETENTIONS,
        competencies=["partnership_working"], metric_id="mha_s136",
        ethnic_group="Black or Black British", owner="Director of Nursing",
        start_date=dt.date(2024, 4, 1), due_date=dt.date(2099, 3, 31),
        status=ActionStatus.ON_TRACK,
    )
    Action.objects.create(
        title="Record ethnicity for every referral", priority_area=PriorityArea.DATA,
        owner="Head of Information", start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31), status=ActionStatus.AT_RISK,
    )
    earlier = SelfAssessment.objects.create(assessed_on=dt.date(2024, 3, 1), assessed_by="lead")
    later = SelfAssessment.objects.create(assessed_on=dt.date(2025, 3, 1), assessed_by="lead")
    AssessmentScore.objects.create(assessment=earlier, item="co_production", score=1)
    AssessmentScore.objects.create(assessment=later, item="co_production", score=3)


def test_contents_worked_out_by_hand(sample_results_run, plan):
    report = build_board_report(sample_results_run, "2024-25", "public")
    [s136] = [m for m in report.core if m.metric_id == "mha_s136"]
    values = {row["group"]: row["value"] for row in s136.rows}
    # Mixed is withheld under the public policy (66.2 under nhse); Not known has no rate.
    assert values == {"White": "30.1", "Black or Black British": "90.3",
                      "Asian or Asian British": "36.1", "Other Ethnic Groups": "15.0",
                      "Mixed": "*", "Not known": "No figure"}
    # Gaps: Black 3.0 (log 1.10) ranks above Other 0.5 (log 0.69) and police referrals
    # 1.5 (log 0.41); Asian (interval spans 1) and the withheld Mixed row are not gaps.
    assert [(g.metric_id, g.group) for g in report.gaps] == [
        ("mha_s136", "Black or Black British"), ("mha_s136", "Other Ethnic Groups"),
        ("access_referral_via_police", "Black or Black British")]
    assert [g.direction for g in report.gaps] == ["worse", "better", "worse"]
    assert dict(report.action_counts)["On track"] == 1
    assert dict(report.action_counts)["At risk"] == 1
    assert {value: n for value, _, n in report.rag_counts} == {"red": 1, "amber": 0, "green": 1}
    rows = {row["item"]: row for _, rows in report.assessment_parts for row in rows}
    assert rows["co_production"]["change"] == "Up 2 (from Not started)"
    assert report.feedback_run is None


def test_internal_policy_shows_what_public_withholds(sample_results_run):
    report = build_board_report(sample_results_run, "2024-25", "nhse")
    [s136] = [m for m in report.core if m.metric_id == "mha_s136"]
    assert {r["group"]: r["value"] for r in s136.rows}["Mixed"] == "66.2"


def test_period_must_be_in_the_run(sample_results_run):
    with pytest.raises(ReportError, match="has no period '2019-20'; it has 2023-24, 2024-25"):
        build_board_report(sample_results_run, "2019-20", "public")
    with pytest.raises(ReportError, match="No results run is loaded"):
        build_board_report(None, None, "public")


def test_html_has_every_section_and_no_withheld_value(sample_results_run, plan):
    html = board_report_html(build_board_report(sample_results_run, "2024-25", "public"))
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    assert headings == list(SECTION_HEADINGS)
    assert "66.2" not in html
    assert "Reduce section 136 detentions of Black people" in html
    assert "<script" not in html


def pdf_bookmarks(pdf: bytes) -> list[str]:
    """The PDF's outline (bookmark) titles, which WeasyPrint makes from the headings: read
    from its Flate-compressed object streams, so no PDF library is needed."""
    titles = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        found = re.findall(rb"/Title ?(?:\(((?:[^)\\]|\\.)*)\)|<([0-9a-fA-F]+)>)", data)
        for literal, hexadecimal in found:
            if hexadecimal:
                titles.append(bytes.fromhex(hexadecimal.decode()).decode("utf-16"))
            else:
                titles.append(re.sub(rb"\\(.)", rb"\1", literal).decode("latin-1"))
    return titles


def test_pdf_is_a_pdf_with_the_headings(sample_results_run, plan, tmp_path):
    pdf = board_report_pdf(build_board_report(sample_results_run, "2024-25", "public"))
    assert pdf.startswith(b"%PDF-")
    bookmarks = pdf_bookmarks(pdf)
    assert bookmarks[0] == "PCREF board report, 2024-25"
    assert [b for b in bookmarks if b in SECTION_HEADINGS] == list(SECTION_HEADINGS)
    assert "Uses of section 136 of the Mental Health Act" in bookmarks
    if shutil.which("pdftotext"):  # the page text as well, where poppler is installed
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert all(heading in text for heading in SECTION_HEADINGS)


def test_staff_page_and_pdf_download(sample_results_run, plan, client_for):
    page = client_for("viewer").get("/publication/board-report/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "PCREF board report, 2024-25" in body
    assert "Download this report as a PDF" not in body  # viewers cannot export
    lead = client_for("pcref_lead")
    body = lead.get("/publication/board-report/?period=2023-24").content.decode()
    assert "PCREF board report, 2023-24" in body and "Download this report as a PDF" in body
    response = lead.get("/publication/board-report/pdf/?period=2024-25")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.latest("pk")
    assert event.detail["format"] == "pdf" and event.detail["disclosure_policy"] == "nhse"
    assert event.detail["period"] == "2024-25"


def test_trends_and_icons_worked_out_by_hand(sample_results_run_by_month):
    internal = build_board_report(sample_results_run_by_month, "2024-25", "nhse")
    [s136] = [m for m in internal.core if m.metric_id == "mha_s136"]
    trends = {t.group: t for t in s136.trends}
    white, black = trends["White"], trends["Black or Black British"]
    assert white.time == "month" and white.icon == "special_cause_concern_high"
    assert white.icon_words == "Special cause: concern, higher values"
    assert "13 months from Apr 2023 to Apr 2024" in white.summary
    assert white.chart.count('<polygon') == 1  # one diamond: the one special cause
    assert black.icon == "common_cause" and black.chart is not None
    # Groups without monthly figures say why there is no chart.
    assert trends["Asian or Asian British"].unavailable.startswith("Not drawn")
    public = build_board_report(sample_results_run_by_month, "2024-25", "public")
    [s136] = [m for m in public.core if m.metric_id == "mha_s136"]
    black = {t.group: t for t in s136.trends}["Black or Black British"]
    assert black.chart is None and "1 of 13 months withheld" in black.unavailable
    # Only months up to the report's period: 2023-24 has the first 12 (no special cause).
    earlier = build_board_report(sample_results_run_by_month, "2023-24", "nhse")
    [s136] = [m for m in earlier.core if m.metric_id == "mha_s136"]
    assert {t.group: t.icon for t in s136.trends}["White"] == "common_cause"


def test_feedback_by_community_from_the_experience_run(sample_results_run):
    """A loaded experience run (pcref feedback results) for the period: FFT % positive and
    the three largest theme shares of each group, withheld shares left out."""
    from pcref.web.dashboard.models import Figure, Metric, ResultsRun

    run = ResultsRun.objects.create(
        run_id="feedback-run", created_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        periods=["2024-25"], code_version="test", input_fingerprint="f", metadata={},
        source_path="/tmp/f")
    fft = Metric.objects.create(run=run, metric_id="experience_fft_positive", title="FFT",
                                description="", family="Experience", unit="%",
                                method="proportion", improvement_direction="increase",
                                sql="")
    share = Metric.objects.create(run=run, metric_id="experience_theme_share",
                                  title="Themes", description="", family="Experience",
                                  unit="%", method="proportion",
                                  improvement_direction="neither", sql="")
    rows = []
    for policy in ("nhse", "public"):
        def figure(metric, group, statistic, value, display=None, policy=policy):
            return Figure(run=run, metric=metric, disclosure_policy=policy, period="2024-25",
                          breakdown="ethnicity_5", group=group, statistic=statistic,
                          value=value, lower=None if value is None else value - 5,
                          upper=None if value is None else value + 5, unit="%",
                          suppressed=value is None, status="rounded",
                          display_value=display or f"{value:.1f}")
        rows += [
            figure(fft, "White", "proportion", 82.0),
            figure(fft, "Black or Black British", "proportion", 61.5),
            figure(share, "White", "Staff attitude", 20.0),
            figure(share, "White", "Waiting times", 35.0),
            figure(share, "White", "Communication", 12.5),
            figure(share, "White", "Equality and racism", 5.0),
            figure(share, "Black or Black British", "Equality and racism", 40.0),
            figure(share, "Black or Black British", "Interpreters", None, "*"),
        ]
    Figure.objects.bulk_create(rows)
    report = build_board_report(sample_results_run, "2024-25", "public")
    assert report.feedback_run == run
    communities = {c.group: c for c in report.communities}
    assert communities["White"].fft_positive == "82.0"
    assert communities["White"].fft_interval == "77.0 to 87.0"
    assert communities["White"].themes == [("Waiting times", "35.0"), ("Staff attitude", "20.0"),
                                           ("Communication", "12.5")]
    assert communities["Black or Black British"].themes == [("Equality and racism", "40.0")]
    # No experience run for 2023-24.
    assert build_board_report(sample_results_run, "2023-24", "public").feedback_run is None
