"""``pcref feedback results``: submissions in the app database become a results run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from pcref.listening.experience import FFT_POSITIVE, THEME_SHARE
from pcref.results import read_results
from pcref.web.feedback.models import AboutYou, Submission, Team
from pcref.web.feedback_results import run_feedback_results, submission_responses
from pcref.web.moderation.models import Moderation

IN_PERIOD = timezone.make_aware(dt.datetime(2025, 6, 1, 12, 0))
BEFORE_PERIOD = timezone.make_aware(dt.datetime(2025, 3, 31, 23, 0))


def submit(fft: int, *, ethnic: str | None = None, themes: list[str] | None = None,
           service: str = "T1", received: dt.datetime = IN_PERIOD) -> Submission:
    submission = Submission.objects.create(
        language="en", form_version="standard", fft_answer=fft, respondent_type="patient",
        service=service, received_at=received, what_was_good="Kind staff",
    )
    if ethnic is not None:
        AboutYou.objects.create(submission=submission, ethnic_category=ethnic)
    if themes is not None:
        Moderation.objects.create(submission=submission, themes=themes,
                                  moderated_at=timezone.now())
    return submission


@pytest.mark.django_db
def test_submissions_become_one_row_each_without_text() -> None:
    Team.objects.create(code="T1", name="Ashford Community Team")
    submit(1, ethnic="N", themes=["Parking"])
    submit(4)
    submit(2, received=BEFORE_PERIOD)
    Moderation.objects.create(submission=submit(3, service="X9"), themes=["Parking"])
    frame = submission_responses(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert list(frame.columns) == ["fft_answer", "respondent_type", "service",
                                   "ethnic_category", "themes"]
    rows = sorted(frame.to_dict(orient="records"), key=lambda r: r["fft_answer"])
    assert [r["fft_answer"] for r in rows] == [1, 3, 4]
    assert rows[0]["service"] == "Ashford Community Team" and rows[1]["service"] == "X9"
    assert rows[0]["ethnic_category"] == "N" and rows[2]["ethnic_category"] == ""
    assert rows[0]["themes"] == ["Parking"]
    assert rows[1]["themes"] is None  # a moderation record not yet saved by a moderator


@pytest.mark.django_db
def test_results_folder_is_written_like_a_compute_run(tmp_path: Path) -> None:
    for _ in range(12):
        submit(1, ethnic="A", themes=["Parking"])
    for _ in range(8):
        submit(5, ethnic="A")
    out = tmp_path / "experience"
    messages: list[str] = []
    code = run_feedback_results(out, "2025-26", lambda m, err=False: messages.append(m))
    assert code == 0, messages
    record = json.loads((out / "run.json").read_text())
    assert set(record["metrics"]) == {FFT_POSITIVE, THEME_SHARE}
    assert record["input"]["responses"] == 20 and record["input"]["themed_comments"] == 12
    internal = read_results(out)
    public = read_results(out, public=True)
    total = internal[(internal["metric_id"] == FFT_POSITIVE) & (internal["breakdown"] == "total")]
    assert total["numerator"].tolist() == [10] and total["denominator"].tolist() == [20.0]
    assert total["value"].tolist() == [pytest.approx(60.0)]  # 12 of 20, from the exact counts
    assert set(public["disclosure_policy"]) == {"public"}
    assert set(internal["run_id"]) == {record["run_id"]}
    assert "Kind staff" not in (out / "run.json").read_text()


def test_a_bad_period_is_a_clear_error(tmp_path: Path) -> None:
    messages: list[str] = []
    code = run_feedback_results(tmp_path, "2025", lambda m, err=False: messages.append(m))
    assert code == 2 and "expected a financial year written YYYY-YY" in messages[0]


@pytest.mark.django_db
def test_the_run_passes_the_dashboard_loaders_checks(tmp_path: Path) -> None:
    """The loader re-checks every public count against the public rule; it knows the
    experience metrics beside the shipped catalogue (they are not catalogue SQL)."""
    from pcref.listening.experience import METRICS
    from pcref.web.dashboard.loading import load_run

    for i in range(30):
        submit(1 + i % 5, ethnic="ANHZ"[i % 4], themes=["Parking"] if i % 3 else None)
    run_feedback_results(tmp_path / "run", "2025-26", lambda m, err=False: None)
    outcome = load_run(tmp_path / "run")
    assert outcome.loaded
    assert set(outcome.run.metrics.values_list("metric_id", flat=True)) == set(METRICS)
