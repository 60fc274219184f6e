"""Every page in a real browser: zero axe violations (WCAG 2.0/2.1/2.2 A and AA), no
Content-Security-Policy violations or script errors, and no sideways scrolling at 320 CSS
pixels (WCAG 1.4.10 Reflow). The URL list comes from the URL configuration, so a new
page fails ``test_every_url_is_visited`` until it is added here."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from pcref.web.core.audit import AuditAction, record

#: (test id, path, who looks, HTTP status) for each page state worth checking.
VISITS = [
    ("start-signed-out", "/", "anonymous", 200),
    ("start-signed-in", "/", "analyst", 200),
    ("start-no-role", "/", "no_role", 200),
    ("accessibility", "/accessibility/", "anonymous", 200),
    ("audit-log", "/audit-log/", "administrator", 200),
    ("sign-in", "/sign-in/", "anonymous", 200),
    ("sign-out", "/sign-out/", "viewer", 200),
    ("account", "/account/", "pcref_lead", 200),
    ("two-factor-set-up", "/account/two-factor/set-up/", "viewer", 200),
    ("two-factor-turn-off", "/account/two-factor/turn-off/", "moderator", 200),
    ("dashboard", "/dashboard/", "analyst", 200),
    ("page-not-found", "/no-such-page/", "anonymous", 404),
    ("permission-denied", "/dashboard/", "moderator", 403),
]
VISITED_URL_NAMES = {
    "core:start", "core:accessibility", "core:audit_log", "accounts:sign_in",
    "accounts:sign_out", "accounts:account", "accounts:two_factor_set_up",
    "accounts:two_factor_turn_off", "dashboard:index",
}  # fmt: skip
#: Pages reached only inside a journey, checked in test_journeys.py.
IN_JOURNEYS = {"accounts:sign_in_code"}
NOT_HTML = {"core:healthcheck"}
# dashboard gaps and metric pages: here with no results run loaded; with one loaded, in
# test_dashboard_pages.py (charts drawn, axe, no CSP violations). The CSV is not a page.
VISITS += [
    ("gaps-no-run", "/dashboard/gaps/", "viewer", 200),
    ("metric-no-run", "/dashboard/metrics/mha_s136/", "analyst", 404),
]
IN_JOURNEYS |= {"dashboard:gaps", "dashboard:metric"}
NOT_HTML |= {"dashboard:metric_csv"}
# results in the app: About the data with no run loaded; the landing page and About the data
# with a run loaded in test_results_pages.py.
VISITS += [("about-no-run", "/dashboard/about/", "viewer", 200)]
VISITED_URL_NAMES |= {"dashboard:about"}

# engagement: pages without arguments here; pages about one member, topic, contribution,
# group, meeting or assessment are visited with data in test_engagement_pages.py, which
# also walks sign-up and self-service erasure. Downloads are not pages.
VISITS += [
    ("network-join", "/co-creation-network/join/", "anonymous", 200),
    ("network-joined", "/co-creation-network/joined/", "anonymous", 200),
    ("network-request-link", "/co-creation-network/your-details/", "anonymous", 200),
    ("network-link-sent", "/co-creation-network/link-sent/", "anonymous", 200),
    ("network-erased", "/co-creation-network/deleted/", "anonymous", 200),
    ("hub", "/co-creation-hub/", "anonymous", 200),
    ("hub-suggest-topic", "/co-creation-hub/suggest-a-topic/", "anonymous", 200),
    ("hub-thanks", "/co-creation-hub/thank-you/", "anonymous", 200),
    ("network-members", "/engagement/network/", "pcref_lead", 200),
    ("consent-wording", "/engagement/consent-wording/", "pcref_lead", 200),
    ("hub-moderation-empty", "/engagement/hub/", "moderator", 200),
    ("hub-new-topic", "/engagement/hub/topics/new/", "moderator", 200),
    ("hub-blocks-empty", "/engagement/hub/blocked/", "moderator", 200),
    ("groups", "/engagement/groups/", "pcref_lead", 200),
    ("toc-assessments-empty", "/engagement/triangle-of-care/", "pcref_lead", 200),
    ("toc-new", "/engagement/triangle-of-care/new/", "pcref_lead", 200),
]
VISITED_URL_NAMES |= {
    "engagement:network_join", "engagement:network_joined", "engagement:request_link",
    "engagement:link_sent", "engagement:member_erased", "engagement:hub",
    "engagement:hub_suggest_topic", "engagement:hub_thanks", "engagement:network_members",
    "engagement:consent_wording", "engagement:hub_moderation", "engagement:hub_new_topic",
    "engagement:hub_blocks", "engagement:groups", "engagement:toc_assessments",
    "engagement:toc_new",
}  # fmt: skip
IN_JOURNEYS |= {
    "engagement:member_details", "engagement:member_consent", "engagement:member_erase",
    "engagement:hub_topic", "engagement:hub_contribute", "engagement:hub_report",
    "engagement:moderate_contribution", "engagement:moderate_topic", "engagement:group",
    "engagement:group_add_member", "engagement:new_meeting", "engagement:meeting",
    "engagement:toc_assessment",
}  # fmt: skip
NOT_HTML |= {"engagement:member_download", "engagement:network_export"}

# feedback: the public form's start pages and first question here (English, Punjabi, easy
# read); every page of the form, and the thank-you page, in the walks in
# test_feedback_form.py (English, Polish, without JavaScript, easy read).
VISITS += [
    ("feedback-index", "/feedback/", "anonymous", 200),
    ("feedback-start-punjabi", "/feedback/pa/", "anonymous", 200),
    ("feedback-start-easy-read", "/feedback/easy-read/", "anonymous", 200),
    ("feedback-first-question-polish", "/feedback/pl/experience/", "anonymous", 200),
]
VISITED_URL_NAMES |= {"feedback:index", "feedback:start", "feedback:step"}
IN_JOURNEYS |= {"feedback:thank_you"}

# moderation: pages without arguments here, mostly empty; pages about one submission or
# entry are visited with data in test_moderation_pages.py, which also walks the urgent
# queue, an outcome and publishing a "you said, we did" entry.
VISITS += [
    ("moderation-queue-empty", "/moderation/", "moderator", 200),
    ("moderation-feedback-empty", "/moderation/feedback/", "moderator", 200),
    ("you-said-we-did-staff-empty", "/moderation/you-said-we-did/", "pcref_lead", 200),
    ("you-said-we-did-new", "/moderation/you-said-we-did/new/", "pcref_lead", 200),
    ("you-said-we-did-public-empty", "/you-said-we-did/", "anonymous", 200),
    ("published-comments-empty", "/you-said-we-did/comments/", "anonymous", 200),
]
VISITED_URL_NAMES |= {
    "moderation:queue", "moderation:submissions", "moderation:entries",
    "moderation:entry_new", "you_said_we_did:index", "you_said_we_did:comments",
}  # fmt: skip
IN_JOURNEYS |= {
    "moderation:review", "moderation:contact_details", "moderation:moderate",
    "moderation:respond", "moderation:entry_edit", "you_said_we_did:entry",
}  # fmt: skip
# team profiles and data quality: here with no results run loaded; with one loaded, in
# test_team_pages.py.
VISITS += [
    ("teams-no-run", "/dashboard/teams/", "viewer", 200),
    ("data-quality-no-run", "/dashboard/data-quality/", "analyst", 200),
]
VISITED_URL_NAMES |= {"dashboard:teams", "dashboard:data_quality"}
IN_JOURNEYS |= {"dashboard:team"}
# governance: the plan and self-assessments with nothing in them here; pages about one
# action or assessment, with data and the did-it-work chart, in test_governance_pages.py
# (with the keyboard journey of adding a progress update). Evidence files are downloads.
VISITS += [
    ("actions-empty", "/governance/actions/", "viewer", 200),
    ("action-new", "/governance/actions/new/", "pcref_lead", 200),
    ("assessments-empty", "/governance/self-assessments/", "viewer", 200),
    ("assessment-new-first", "/governance/self-assessments/new/", "pcref_lead", 200),
]
VISITED_URL_NAMES |= {
    "governance:actions", "governance:action_new", "governance:assessments",
    "governance:assessment_new",
}  # fmt: skip
IN_JOURNEYS |= {
    "governance:action", "governance:action_edit", "governance:add_update",
    "governance:add_evidence", "governance:did_it_work", "governance:assessment",
}  # fmt: skip
NOT_HTML |= {"governance:evidence_file"}
# publication: the board report and the public PCREF page with no results run loaded here;
# with a run loaded (charts, tables, icons) in test_publication_pages.py. The PDF and the
# published-figures zip are downloads.
VISITS += [
    ("board-report-no-run", "/publication/board-report/", "viewer", 200),
    ("pcref-public-no-run", "/pcref/", "anonymous", 200),
]
VISITED_URL_NAMES |= {"publication:board_report", "pcref_public:index"}
# publication: the public PCREF page in the feedback form's other languages (with a run
# loaded in test_publication_pages.py)
VISITS += [
    ("pcref-public-polish-no-run", "/pcref/pl/", "anonymous", 200),
    ("pcref-public-punjabi-no-run", "/pcref/pa/", "anonymous", 200),
]
VISITED_URL_NAMES |= {"pcref_public:index_in"}
NOT_HTML |= {"publication:board_report_pdf", "pcref_public:published_figures"}

def test_every_url_is_visited(all_url_names):
    assert set(all_url_names) == VISITED_URL_NAMES | IN_JOURNEYS | NOT_HTML


@pytest.mark.parametrize(
    ("path", "principal", "status"), [v[1:] for v in VISITS], ids=[v[0] for v in VISITS]
)
def test_page_is_accessible(
    path, principal, status, page, users, sign_in_as, check_accessibility, check_reflow
):
    if principal != "anonymous":
        sign_in_as(users[principal])
    # Give pages with state something to show: a device to turn off, a paginated log.
    if path == "/account/two-factor/turn-off/":
        TOTPDevice.objects.create(user=users[principal], name="Authenticator app", confirmed=True)
    if path == "/audit-log/":
        for _ in range(55):
            record(AuditAction.SIGNED_IN, actor=users["viewer"], detail={"two_factor": False})

    response = page.goto(path)
    assert response.status == status
    assert "js-enabled" in page.evaluate("document.body.className")  # the nonce'd script ran
    check_accessibility(page)

    check_reflow(page)
