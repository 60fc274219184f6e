"""The gaps page, metric page and CSV download with a small results run loaded
(``sample_results_run`` in tests/web/conftest.py): figures follow the person's disclosure
policy, the ranking and words are the hand-worked ones, the CSV is what the page shows and
every download is in the audit log."""

import csv
import io
import re

import pytest
from django.test import override_settings

from pcref.web.core.audit import AuditAction
from pcref.web.core.models import AuditEvent
from pcref.web.dashboard.metric_page import DOWNLOAD_COLUMNS

#: The Mixed group's section 136 rate, shown under NHS England's rule (count 5) and
#: withheld under the public rule (counts 1-7).
WITHHELD_PUBLICLY = "66.2"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(empty_cache):
    """Pages keep their figures in the cache; every test starts without them."""


def _text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_gaps_are_listed_largest_first_with_links(sample_results_run, client_for):
    page = _text(client_for("analyst").get("/dashboard/gaps/"))
    order = [
        "Black or Black British people were detained by the police under section 136 at 3.0 "
        "times the rate of White people (95% CI 2.5 to 3.6).",
        "People from the Mixed ethnic group were detained by the police under section 136 at "
        "2.2 times the rate of White people (95% CI 1.1 to 4.4).",
        "People from the Other Ethnic Groups were detained",
        "7.5% of Black or Black British people were referred by the police, compared with "
        "5.0% of White people (1.5 times as high, 95% CI 1.2 to 1.9).",
    ]
    positions = [page.find(text) for text in order]
    assert -1 not in positions, positions
    assert positions == sorted(positions)
    assert "Asian or Asian British people were detained" not in page  # no clear difference
    assert ('href="/dashboard/metrics/mha_s136/?period=2024-25&amp;breakdown=ethnicity_5'
            '&amp;statistic=crude+rate"') in page
    assert "4 clear differences in 2024-25" in page


def test_a_viewer_never_sees_a_figure_the_public_policy_withholds(sample_results_run,
                                                                  client_for):
    viewer = client_for("viewer")
    gaps = _text(viewer.get("/dashboard/gaps/"))
    assert "Mixed ethnic group were detained" not in gaps
    assert "3 clear differences in 2024-25" in gaps
    page = _text(viewer.get("/dashboard/metrics/mha_s136/"))
    assert WITHHELD_PUBLICLY not in page
    assert "* Withheld" in page
    assert "public disclosure policy" in page
    analyst = _text(client_for("analyst").get("/dashboard/metrics/mha_s136/"))
    assert WITHHELD_PUBLICLY in analyst


def test_gaps_filters_by_family_and_period(sample_results_run, client_for):
    client = client_for("pcref_lead")
    access = _text(client.get("/dashboard/gaps/?family=Access"))
    assert "1 clear difference in 2024-25" in access
    assert "section 136" not in access.split("clear difference in")[1]
    earlier = _text(client.get("/dashboard/gaps/?period=2023-24"))
    assert "at 2.0 times the rate of White people (95% CI 1.5 to 2.6)" in earlier


def test_an_unknown_filter_value_is_an_error_and_the_default_is_used(sample_results_run,
                                                                    client_for):
    page = _text(client_for("analyst").get("/dashboard/metrics/mha_s136/?period=1999-00"))
    assert "<title>Error: " in page
    assert "Select a period from the list" in page
    assert "By ethnic group (5 groups), 2024-25" in page


def test_metric_page_shows_definition_sentences_charts_tables_and_sql(sample_results_run,
                                                                      client_for):
    page = _text(client_for("analyst").get("/dashboard/metrics/mha_s136/"))
    assert "<h1>Uses of section 136 of the Mental Health Act</h1>" in page
    assert "Lower is better" in page
    assert "docs/methods/crude-and-standardised.md" in page
    assert "SELECT 1 AS detention -- s136" in page
    assert ("People from the Other Ethnic Groups were detained by the police under section "
            "136 at 0.50 times the rate of White people (95% CI 0.30 to 0.80).") in page
    for key in ("groups", "ratios", "trend"):
        assert f'data-chart-spec="chart-spec-{key}"' in page
        assert f'<script id="chart-spec-{key}" type="application/json">' in page
    assert "Special cause: concern" in page  # April 2024, above the upper limit
    # 146/13 = 11.23 +/- 2.66 (hand-worked in tests/web/conftest.py)
    assert "Mean 11.2, process limits 8.6 to 13.9" in page
    # "Not known" has a count but no population: no figure, and no comparison.
    assert "No figure: there is no denominator for this group" in page
    assert "Not compared" in page
    assert "Download these figures (CSV)" in page


def test_metric_page_for_a_proportion_has_a_funnel_plot_by_team(sample_results_run,
                                                                client_for):
    page = _text(client_for("viewer").get("/dashboard/metrics/access_referral_via_police/"))
    assert "By team: funnel plot, 2024-25" in page
    assert "Above the 99.8% limit" in page  # the crisis team: 200 of 1,000 against 10%
    assert "Average 10.0 (%)" in page  # 300 of 3,000 referrals across the five teams
    assert "Download these figures (CSV)" not in page  # viewers cannot export


def test_csv_is_what_the_page_shows_with_the_metric_definition(sample_results_run,
                                                               client_for):
    client = client_for("analyst")
    response = client.get("/dashboard/metrics/mha_s136/?period=2024-25&breakdown=ethnicity_5")
    rows = _csv(client.get("/dashboard/metrics/mha_s136/download.csv"
                           "?period=2024-25&breakdown=ethnicity_5"))
    assert list(rows[0]) == list(DOWNLOAD_COLUMNS)
    by_group = [r for r in rows if r["table"] == "by group"]
    assert [(r["group"], r["value"], r["lower"], r["upper"], r["numerator"]) for r in by_group] == [
        ("White", "30.1", "24.1", "37.6", "500"),
        ("Black or Black British", "90.3", "72.2", "112.9", "90"),
        ("Asian or Asian British", "36.1", "28.9", "45.1", "36"),
        ("Other Ethnic Groups", "15.0", "12.0", "18.8", "15"),
        ("Mixed", "66.2", "53.0", "82.8", "5"),
        ("Not known", "", "", "", "40"),
    ]
    page = response.content.decode()
    for row in by_group[:-1]:
        assert f"{row['lower']} to {row['upper']}" in page
    assert not re.search(r"\bnan\b", page, re.IGNORECASE)
    assert not re.search(r"\bnan\b", "\n".join(",".join(r.values()) for r in rows),
                         re.IGNORECASE)
    assert {r["metric_id"] for r in rows} == {"mha_s136"}
    assert {r["unit"] for r in rows} == {"per 100,000 population"}
    assert {r["run_id"] for r in rows} == {"sample-run-1"}
    assert {r["disclosure_policy"] for r in rows} == {"nhse"}
    trend = [r for r in rows if r["table"] == "trend by month"]
    assert len(trend) == 13 and trend[-1]["spc_point"] == "Special cause: concern"
    assert sum(r["table"] == "ratio to reference" for r in rows) == 4


@override_settings(PCREF_INTERNAL_DISCLOSURE_POLICY="public")
def test_csv_under_the_public_policy_withholds_what_the_page_withholds(sample_results_run,
                                                                      client_for):
    rows = _csv(client_for("analyst").get("/dashboard/metrics/mha_s136/download.csv"))
    mixed = [r for r in rows if r["group"] == "Mixed"]
    assert mixed and all(r["value"] == "*" and r["lower"] == r["numerator"] == ""
                         for r in mixed)
    assert {r["disclosure_policy"] for r in rows} == {"public"}
    text = "\n".join(",".join(r.values()) for r in rows)
    assert WITHHELD_PUBLICLY not in text


def test_csv_download_is_audited_and_forbidden_without_export(sample_results_run, client_for,
                                                              users):
    assert client_for("viewer").get("/dashboard/metrics/mha_s136/download.csv").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()
    client_for("pcref_lead").get("/dashboard/metrics/mha_s136/download.csv?period=2023-24")
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == users["pcref_lead"]
    assert event.detail["format"] == "csv"
    assert event.detail["disclosure_policy"] == "nhse"
    assert event.detail["run_id"] == "sample-run-1"
    assert event.detail["period"] == "2023-24"
    assert event.object_repr == "mha_s136 (sample-run-1)"


def test_unknown_metric_is_not_found(sample_results_run, client_for):
    assert client_for("analyst").get("/dashboard/metrics/no_such_metric/").status_code == 404


def test_another_run_is_chosen_with_the_run_parameter(sample_results_run, client_for,
                                                      make_sample_results_run):
    make_sample_results_run("sample-run-0", current=False)
    client = client_for("analyst")
    assert "sample-run-1, made" in _text(client.get("/dashboard/metrics/mha_s136/"))
    chosen = _text(client.get("/dashboard/metrics/mha_s136/?run=sample-run-0"))
    assert "sample-run-0, made" in chosen
    assert '<input type="hidden" name="run" value="sample-run-0">' in chosen
    gaps = _text(client.get("/dashboard/gaps/?run=sample-run-0"))
    assert "Results run sample-run-0" in gaps
    assert "&amp;run=sample-run-0" in gaps


def test_pages_say_when_no_run_is_loaded(client_for, users):
    page = _text(client_for("viewer").get("/dashboard/gaps/"))
    assert "No results run is loaded yet" in page
    assert client_for("analyst").get("/dashboard/metrics/mha_s136/").status_code == 404
