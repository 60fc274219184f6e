"""Pages as served (no browser): the NHS layout on every page, what each page says, the
error pages, the health check, and the helpers that turn forms and dates into NHS style."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.db import DatabaseError
from django.test import RequestFactory
from django.urls import reverse

from pcref.web.core import views
from pcref.web.core.formatting import nhs_date, nhs_datetime, nhs_time
from pcref.web.core.nhsuk_forms import error_summary_params, field_params

#: One signed-in person able to see each HTML page (the authorisation matrix checks the rest).
PAGE_VIEWER = {
    "core:start": "anonymous",
    "core:accessibility": "anonymous",
    "core:audit_log": "administrator",
    "accounts:sign_in": "anonymous",
    "accounts:sign_out": "viewer",
    "accounts:account": "viewer",
    "accounts:two_factor_set_up": "viewer",
    "dashboard:index": "analyst",
}
#: Pages that are not HTML, or that only show inside a journey (tested in their own files).
NOT_PAGES = {
    "core:healthcheck": "plain text",
    "accounts:sign_in_code": "needs a password step first (test_two_factor.py)",
    "accounts:two_factor_turn_off": "needs a device (test_two_factor.py)",
}
# moderation: pages without arguments are checked like every other; pages about one
# submission or entry need data (tests/web/moderation/).
PAGE_VIEWER.update(
    {
        "moderation:queue": "moderator",
        "moderation:submissions": "moderator",
        "moderation:entries": "pcref_lead",
        "moderation:entry_new": "pcref_lead",
        "you_said_we_did:index": "anonymous",
        "you_said_we_did:comments": "anonymous",
    }
)
NOT_PAGES.update(
    {
        name: "needs a submission or entry (tests/web/moderation/)"
        for name in (
            "moderation:review", "moderation:contact_details", "moderation:moderate",
            "moderation:respond", "moderation:entry_edit", "you_said_we_did:entry",
        )
    }
)

# team profiles and data quality: the list and data-quality pages here (no run loaded); a
# team's page needs a run with that team (tests/web/test_team_pages.py).
PAGE_VIEWER.update({"dashboard:teams": "viewer", "dashboard:data_quality": "analyst"})
NOT_PAGES.update({"dashboard:team": "needs a results run with the team (test_team_pages.py)"})

# results in the app: About the data here (no run loaded); with a run, tests/web/runs/.
PAGE_VIEWER.update({"dashboard:about": "viewer"})

# feedback: the public form's pages take a language (or form) and a page name, and most
# need the earlier pages answered; they are checked in tests/web/feedback/ and walked with
# axe in tests/web/system/test_feedback_form.py.
NOT_PAGES.update(
    {
        "feedback:index": "redirects to the English start page (tests/web/feedback/)",
        "feedback:start": "one per language (tests/web/feedback/test_languages.py)",
        "feedback:step": "needs the earlier pages answered (tests/web/feedback/)",
        "feedback:thank_you": "needs feedback sent (tests/web/feedback/test_form.py)",
    }
)


# engagement: pages without arguments here; pages about one member (signed link), topic,
# contribution, group, meeting or assessment need data (tests/web/engagement/, and with axe
# in tests/web/system/test_engagement_pages.py). Downloads are not pages.
PAGE_VIEWER.update(
    {
        "engagement:network_join": "anonymous",
        "engagement:network_joined": "anonymous",
        "engagement:request_link": "anonymous",
        "engagement:link_sent": "anonymous",
        "engagement:member_erased": "anonymous",
        "engagement:hub": "anonymous",
        "engagement:hub_suggest_topic": "anonymous",
        "engagement:hub_thanks": "anonymous",
        "engagement:network_members": "pcref_lead",
        "engagement:consent_wording": "pcref_lead",
        "engagement:hub_moderation": "moderator",
        "engagement:hub_new_topic": "moderator",
        "engagement:hub_blocks": "moderator",
        "engagement:groups": "pcref_lead",
        "engagement:toc_assessments": "pcref_lead",
        "engagement:toc_new": "pcref_lead",
    }
)
NOT_PAGES.update(
    {
        "engagement:member_download": "a JSON or CSV download (test_self_service.py)",
        "engagement:network_export": "a CSV download (test_staff_network.py)",
        **{
            name: "needs a member, post, group, meeting or assessment (tests/web/engagement/)"
            for name in (
                "engagement:member_details", "engagement:member_consent",
                "engagement:member_erase", "engagement:hub_topic", "engagement:hub_contribute",
                "engagement:hub_report", "engagement:moderate_contribution",
                "engagement:moderate_topic", "engagement:group", "engagement:group_add_member",
                "engagement:new_meeting", "engagement:meeting", "engagement:toc_assessment",
            )
        },
    }
)
# governance: the plan and self-assessment lists and forms here; pages about one action or
# assessment need one (tests/web/governance/, and with axe in test_governance_pages.py).
PAGE_VIEWER.update({
    "governance:actions": "viewer", "governance:action_new": "pcref_lead",
    "governance:assessments": "viewer", "governance:assessment_new": "pcref_lead",
})  # fmt: skip
NOT_PAGES.update({
    "governance:evidence_file": "a download (tests/web/governance/test_evidence.py)",
    **{name: "needs an action or assessment (tests/web/governance/)" for name in (
        "governance:action", "governance:action_edit", "governance:add_update",
        "governance:add_evidence", "governance:did_it_work", "governance:assessment",
    )},
})  # fmt: skip


# dashboard gaps and metric pages; publication: the board report and the public PCREF page.
PAGE_VIEWER.update({
    "dashboard:gaps": "viewer", "publication:board_report": "viewer",
    "pcref_public:index": "anonymous",
})  # fmt: skip
NOT_PAGES.update({
    "dashboard:metric": "needs a metric of a loaded run (tests/web/dashboard/test_pages.py)",
    "dashboard:metric_csv": "a CSV download (tests/web/dashboard/)",
    "publication:board_report_pdf": "a PDF download (tests/web/publication/)",
    "pcref_public:published_figures": "a zip download (tests/web/publication/)",
    "pcref_public:index_in": "the public page in a language (test_public_page_languages.py)",
})  # fmt: skip


def test_every_url_is_either_a_checked_page_or_explained(all_url_names):
    assert set(all_url_names) == set(PAGE_VIEWER) | set(NOT_PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(PAGE_VIEWER))
def test_every_page_uses_the_nhs_layout(url_name, client_for):
    response = client_for(PAGE_VIEWER[url_name]).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB"' in html
    assert html.count("<h1") == 1
    assert '<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">' in html
    assert html.index("nhsuk-skip-link") < html.index('<header class="nhsuk-header"')
    assert '<main class="nhsuk-main-wrapper" id="maincontent">' in html
    assert '<footer class="nhsuk-footer"' in html and "Accessibility statement" in html
    assert "This is a demonstration with synthetic data." in html
    assert '<link rel="stylesheet" href="/static/pcref/css/main.css">' in html
    assert '<script type="module" src="/static/pcref/js/main.js"></script>' in html
    assert "– Patient and Carer Race Equality Framework – NHS</title>" in html


@pytest.mark.django_db
def test_the_header_shows_only_what_the_role_may_use(client_for):
    def nav(principal):
        html = client_for(principal).get("/").content.decode()
        menu = re.search(r'<nav class="nhsuk-header__navigation".*?</nav>', html, re.S)
        if menu is None:
            return []
        return re.findall(r'class="nhsuk-header__navigation-link" href="[^"]+"[^>]*>'
                          r"(?:<strong[^>]*>)?([^<]+)<", menu.group(0))

    assert nav("viewer") == ["Home", "Dashboard", "Team profiles", "Data quality",
                             "PCREF plan", "Board report", "Your account"]
    assert nav("administrator") == ["Home", "Audit log", "Your account"]
    assert nav("moderator") == ["Home", "Hub moderation", "Feedback moderation", "Your account"]
    assert nav("anonymous") == []
    anonymous = client_for("anonymous").get("/").content.decode()
    assert '<a class="nhsuk-header__account-link" href="/sign-in/">' in anonymous
    signed_in = client_for("viewer").get("/").content.decode()
    assert 'action="/sign-out/"' in signed_in and "csrfmiddlewaretoken" in signed_in


@pytest.mark.django_db
def test_the_current_page_is_marked_in_the_header(client_for):
    html = client_for("analyst").get("/dashboard/").content.decode()
    link = '<a class="nhsuk-header__navigation-link" href="/dashboard/" aria-current="page">'
    assert link in html


@pytest.mark.django_db
def test_the_start_page_lists_what_each_role_can_do(client_for):
    anonymous = client_for("anonymous").get("/").content.decode()
    assert "This service is for staff of the trust" in anonymous
    analyst = client_for("analyst").get("/").content.decode()
    assert "Your role is Analyst." in analyst
    assert 'href="/dashboard/">Dashboard</a>' in analyst and "/audit-log/" not in analyst
    no_role = client_for("no_role").get("/").content.decode()
    assert "Your account has no role yet" in no_role


@pytest.mark.django_db
def test_the_dashboard_says_plainly_that_no_results_are_loaded(client_for):
    html = client_for("analyst").get("/dashboard/").content.decode()
    assert "No results run is loaded yet" in html
    assert "pcref compute" in html
    assert "nhse disclosure policy" in html
    viewer = client_for("viewer").get("/dashboard/").content.decode()
    assert "public disclosure policy" in viewer


@pytest.mark.django_db
def test_the_account_page_shows_role_policy_and_two_factor(client_for):
    html = client_for("pcref_lead").get("/account/").content.decode()
    assert "PCREF lead" in html
    assert "(nhse policy)" in html
    assert "Off" in html and 'href="/account/two-factor/set-up/"' in html


@pytest.mark.django_db
def test_accessibility_statement_uses_configured_contact(client_for, settings):
    html = client_for("anonymous").get("/accessibility/").content.decode()
    assert "has no support team" in html
    settings.PCREF_ACCESSIBILITY_CONTACT = "access@example.nhs.uk"
    settings.PCREF_ORGANISATION_NAME = "Example NHS Foundation Trust"
    html = client_for("anonymous").get("/accessibility/").content.decode()
    assert 'href="mailto:access@example.nhs.uk"' in html
    assert "run by Example NHS Foundation Trust" in html
    assert "© Example NHS Foundation Trust" in html


@pytest.mark.django_db
def test_page_not_found_is_an_nhs_page(client_for):
    response = client_for("anonymous").get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and "nhsuk-header" in html


@pytest.mark.django_db
def test_permission_denied_names_the_role(client_for):
    response = client_for("moderator").get("/dashboard/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have permission to see this page" in html
    assert "Your role is Moderator" in html


@pytest.mark.django_db
def test_server_error_page_renders_without_the_database(monkeypatch):
    request = RequestFactory().get("/")

    def broken(*args, **kwargs):
        raise AssertionError("the 500 page must not touch the database")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken)
    response = views.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "Sign in" in html  # the anonymous header, with no user looked up


@pytest.mark.django_db
def test_bad_request_page(client_for):
    response = views.bad_request(RequestFactory().get("/"))
    assert response.status_code == 400


@pytest.mark.django_db
def test_healthcheck(client_for, monkeypatch):
    client = client_for("anonymous")
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]

    def unavailable(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", unavailable)
    response = client.get("/healthz/")
    assert response.status_code == 503 and response.content == b"database unavailable\n"


# --- NHS style helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(9, 0), "9am"),
        (time(14, 30), "2:30pm"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(0, 5), "12:05am"),
        (time(12, 1), "12:01pm"),
        (time(23, 59), "11:59pm"),
    ],
)
def test_times_in_nhs_style(value, expected):
    assert nhs_time(value) == expected


def test_dates_in_nhs_style():
    assert nhs_date(date(2025, 11, 6)) == "6 November 2025"
    # Aware datetimes are shown in UK time: 23:30 UTC on 30 June is 00:30 BST on 1 July.
    late = datetime(2025, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert nhs_datetime(late) == "1 July 2025 at 12:30am"
    winter = datetime(2025, 12, 1, 15, 0, tzinfo=ZoneInfo("UTC"))
    assert nhs_datetime(winter) == "1 December 2025 at 3pm"


class _ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As on your staff card")
    secret = forms.CharField(widget=forms.PasswordInput, label="Password")

    def clean(self):
        if self.cleaned_data.get("name") == "Sam":
            raise forms.ValidationError("These details do not match")


def test_field_params_map_a_field_to_an_nhs_input():
    form = _ExampleForm(data={"name": "Sam", "secret": "hunter2"})
    form.is_valid()
    params = field_params(form["name"], autocomplete="name")
    assert params == {
        "id": "id_name",
        "name": "name",
        "label": {"text": "Full name"},
        "hint": {"text": "As on your staff card"},
        "value": "Sam",
        "autocomplete": "name",
    }
    assert "value" not in field_params(form["secret"])  # passwords are never shown again


def test_error_summary_lists_form_errors_first_then_fields_in_page_order():
    form = _ExampleForm(data={"name": "", "secret": ""})
    assert not form.is_valid()
    summary = error_summary_params(form)
    assert summary["heading"] == "There is a problem"
    assert [(item["text"], item["href"]) for item in summary["errorList"]] == [
        ("This field is required.", "#id_name"),
        ("This field is required.", "#id_secret"),
    ]
    form = _ExampleForm(data={"name": "Sam", "secret": ""})
    form.is_valid()
    assert error_summary_params(form)["errorList"] == [
        {"text": "These details do not match", "href": "#id_name"},
        {"text": "This field is required.", "href": "#id_secret"},
    ]
    assert error_summary_params(_ExampleForm()) is None
    assert error_summary_params(None) is None
