"""The dashboard landing page and About the data, with and without a run loaded: they say
which run they show, offer the others, list the run's metrics, sources, methods and the
suppression policy that applies to the person looking."""

from __future__ import annotations

import html
import re

import pytest

from pcref import codelists
from pcref.contract import load_contract
from pcref.web.dashboard.loading import load_run


def _text(response) -> str:
    """The page's main content as plain text, whitespace collapsed (none before
    punctuation)."""
    body = response.content.decode()
    main = body[body.index("<main"):body.index("</main>")]
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))
    return re.sub(r" ([,.;:)])", r"\1", text)


def _fail_metric(run, metric_id: str, reason: str) -> None:
    """Record ``metric_id`` as failed in the run's stored run.json."""
    run.metadata["metrics"][metric_id].update(status="failed", reason=reason, rows=0)
    run.save(update_fields=["metadata"])


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/about/"])
def test_with_no_run_the_pages_say_how_to_load_one(client_for, path):
    response = client_for("viewer").get(path)
    assert response.status_code == 200
    text = _text(response)
    assert "No results run is loaded yet" in text
    assert "pcref load" in text


def test_the_landing_page_lists_the_runs_metrics_by_family(client_for, loaded_results_run):
    run = loaded_results_run
    response = client_for("viewer").get("/dashboard/")
    text = _text(response)
    assert f"Figures from results run {run.run_id}, made " in text
    assert "periods 2023-24, 2024-25 (the current run)" in text
    for family in ("Access", "Data quality", "Dementia"):
        assert f" {family} " in text
    for title in ("People in contact with mental health services", "Referrals from the police",
                  "Ethnicity recording (coverage, validity and accuracy)",
                  "Wait from memory-service referral to dementia diagnosis (median days)"):
        assert title in text
    assert 'href="/dashboard/about/"' in response.content.decode()


def test_a_failed_metric_has_no_link_and_points_to_the_reason(client_for, loaded_results_run):
    _fail_metric(loaded_results_run, "access_referral_via_police", "metric failed: 3 rows")
    page = client_for("analyst").get("/dashboard/").content.decode()
    assert "/dashboard/metrics/access_referral_via_police/" not in page
    assert "No figures in this run" in _text(client_for("analyst").get("/dashboard/"))
    assert 'href="/dashboard/about/#not-computed"' in page


def test_an_earlier_run_is_chosen_and_kept_on_links(
        client_for, db, results_run_folder, second_results_run_folder):
    first = load_run(results_run_folder).run
    second = load_run(second_results_run_folder).run
    client = client_for("analyst")

    current = client.get("/dashboard/").content.decode()
    assert f'<option value="{first.run_id}"' in current
    assert f'<option value="{second.run_id}" selected' in current

    earlier = client.get("/dashboard/", {"run": first.run_id})
    text = _text(earlier)
    assert f"Figures from results run {first.run_id}" in text
    assert "This is an earlier run, not the current one." in text
    assert f'href="/dashboard/about/?run={first.run_id}"' in earlier.content.decode()

    unknown = _text(client.get("/dashboard/about/", {"run": "no-such-run"}))
    assert "There is no results run no-such-run. This page shows the current run instead." \
        in unknown
    assert f"Figures from results run {second.run_id}" in unknown


def test_about_the_data_shows_the_run_record(client_for, loaded_results_run):
    record = loaded_results_run.metadata
    text = _text(client_for("viewer").get("/dashboard/about/"))
    for value in (record["run_id"], record["input"]["fingerprint"], record["code_version"],
                  record["input"]["ingest_run_id"], "2023-24 (2023-04-01 to 2024-03-31)",
                  "Confidence level 95%"):
        assert value in text
    for warning in record["warnings"]:
        assert warning in text
    for entry in record["metrics"].values():
        assert entry["title"] in text
    assert "Every metric asked for was computed." in text


def test_about_the_data_names_its_sources_from_the_contract_and_code_lists(
        client_for, loaded_results_run):
    text = _text(client_for("viewer").get("/dashboard/about/"))
    for table in load_contract().tables.values():
        assert table.name in text and table.title in text
    for name in codelists.names():
        assert codelists.info(name)["title"] in text


def test_about_the_data_describes_each_method_used_with_its_metrics(
        client_for, loaded_results_run):
    methods = loaded_results_run.metadata["methods"]
    text = _text(client_for("viewer").get("/dashboard/about/"))
    assert methods["proportion"] in text
    assert methods["median"] in text
    assert ("Used for: Wait from memory-service referral to dementia diagnosis (median days)."
            in text)
    # No metric of this run is a ratio to expected cases, so that method is not described.
    assert methods["ratio_to_expected"] not in text


def test_the_suppression_policy_is_the_one_that_applies_to_the_person(
        client_for, loaded_results_run):
    disclosure = loaded_results_run.metadata["disclosure"]
    internal, public = disclosure["internal"]["statement"], disclosure["public"]["statement"]

    viewer = _text(client_for("viewer").get("/dashboard/about/"))
    assert public in viewer and internal not in viewer
    assert "You see the same figures anyone outside the trust could be given" in viewer

    analyst = _text(client_for("analyst").get("/dashboard/about/"))
    assert internal in analyst and public in analyst
    assert "Your role lets you see internal figures" in analyst


def test_failed_metrics_are_listed_with_their_reason_for_internal_viewers_only(
        client_for, loaded_results_run):
    reason = "metric dementia_wait_median_days: 3 unit row(s) in 2024-25 are dated outside"
    _fail_metric(loaded_results_run, "dementia_wait_median_days", reason)

    analyst = _text(client_for("analyst").get("/dashboard/about/"))
    assert ("Wait from memory-service referral to dementia diagnosis (median days) Failed. "
            + reason) in analyst
    viewer = _text(client_for("viewer").get("/dashboard/about/"))
    assert reason not in viewer
    assert "The reason is shown only to staff who may see internal figures" in viewer


def test_pages_cope_with_a_run_record_holding_only_its_id(client_for, db):
    import datetime as dt

    from pcref.web.dashboard.models import ResultsRun

    ResultsRun.objects.create(
        run_id="bare", created_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC), periods=["2024-25"],
        code_version="test", input_fingerprint="test", metadata={"run_id": "bare"},
        is_current=True, source_path="/nowhere")
    for path in ("/dashboard/", "/dashboard/about/"):
        response = client_for("analyst").get(path)
        assert response.status_code == 200
        assert "Figures from results run bare, made 2 January 2026, period 2024-25" in \
            _text(response)
