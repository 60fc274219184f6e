"""Authorisation matrix: every URL × everyone (anonymous, each role, no role) × GET and POST.

The expected access below is written out by hand from the role definitions in DESIGN §10
and docs/web.md; it is the specification the code must meet. The URL list is generated
from the URL configuration, so a new URL fails ``test_every_url_has_an_access_rule``
until someone decides who may use it.

Outcomes: someone allowed must not get 403 or be sent to sign in (405 for a method the
page does not take is fine); anyone else signed in gets 403; anonymous people are
redirected to the sign-in page with ``next`` set to where they were going.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

EVERYONE = frozenset(
    {"anonymous", "viewer", "analyst", "moderator", "pcref_lead", "administrator", "no_role"}
)
SIGNED_IN = EVERYONE - {"anonymous"}
RESULTS_READERS = frozenset({"viewer", "analyst", "pcref_lead"})

EXPECTED_ACCESS: dict[str, frozenset[str]] = {
    "core:start": EVERYONE,
    "core:accessibility": EVERYONE,
    "core:healthcheck": EVERYONE,
    "core:audit_log": frozenset({"administrator"}),
    "accounts:sign_in": EVERYONE,
    "accounts:sign_in_code": EVERYONE,
    "accounts:sign_out": SIGNED_IN,
    "accounts:account": SIGNED_IN,
    "accounts:two_factor_set_up": SIGNED_IN,
    "accounts:two_factor_turn_off": SIGNED_IN,
    "dashboard:index": RESULTS_READERS,
    # dashboard gaps and metric pages: results readers; the CSV only for those who export
    "dashboard:gaps": RESULTS_READERS,
    "dashboard:metric": RESULTS_READERS,
    "dashboard:metric_csv": frozenset({"analyst", "pcref_lead"}),
    # team profiles and data quality: results readers
    "dashboard:teams": RESULTS_READERS,
    "dashboard:team": RESULTS_READERS,
    "dashboard:data_quality": RESULTS_READERS,
    # engagement: public network and hub pages; staff pages by permission
    "engagement:network_join": EVERYONE,
    "engagement:network_joined": EVERYONE,
    "engagement:request_link": EVERYONE,
    "engagement:link_sent": EVERYONE,
    "engagement:member_details": EVERYONE,
    "engagement:member_download": EVERYONE,
    "engagement:member_consent": EVERYONE,
    "engagement:member_erase": EVERYONE,
    "engagement:member_erased": EVERYONE,
    "engagement:hub": EVERYONE,
    "engagement:hub_topic": EVERYONE,
    "engagement:hub_contribute": EVERYONE,
    "engagement:hub_suggest_topic": EVERYONE,
    "engagement:hub_thanks": EVERYONE,
    "engagement:hub_report": EVERYONE,
    "engagement:network_members": frozenset({"pcref_lead"}),
    "engagement:network_export": frozenset({"pcref_lead"}),
    "engagement:consent_wording": frozenset({"pcref_lead"}),
    "engagement:hub_moderation": frozenset({"moderator"}),
    "engagement:moderate_contribution": frozenset({"moderator"}),
    "engagement:moderate_topic": frozenset({"moderator"}),
    "engagement:hub_new_topic": frozenset({"moderator", "pcref_lead"}),
    "engagement:hub_blocks": frozenset({"moderator"}),
    "engagement:groups": frozenset({"pcref_lead"}),
    "engagement:group": frozenset({"pcref_lead"}),
    "engagement:group_add_member": frozenset({"pcref_lead"}),
    "engagement:new_meeting": frozenset({"pcref_lead"}),
    "engagement:meeting": frozenset({"pcref_lead"}),
    "engagement:toc_assessments": frozenset({"pcref_lead"}),
    "engagement:toc_new": frozenset({"pcref_lead"}),
    "engagement:toc_assessment": frozenset({"pcref_lead"}),
    # results in the app: About the data
    "dashboard:about": RESULTS_READERS,
    # feedback: the public feedback form needs no sign-in
    "feedback:index": EVERYONE,
    "feedback:start": EVERYONE,
    "feedback:step": EVERYONE,
    "feedback:thank_you": EVERYONE,
    # moderation: the Moderator moderates feedback; the PCREF lead, who manages the plan and
    # what is published, writes "you said, we did" entries; the public read them.
    "moderation:queue": frozenset({"moderator"}),
    "moderation:review": frozenset({"moderator"}),
    "moderation:contact_details": frozenset({"moderator"}),
    "moderation:submissions": frozenset({"moderator"}),
    "moderation:moderate": frozenset({"moderator"}),
    "moderation:respond": frozenset({"moderator"}),
    "moderation:entries": frozenset({"pcref_lead"}),
    "moderation:entry_new": frozenset({"pcref_lead"}),
    "moderation:entry_edit": frozenset({"pcref_lead"}),
    "you_said_we_did:index": EVERYONE,
    "you_said_we_did:comments": EVERYONE,
    "you_said_we_did:entry": EVERYONE,
    # governance: results readers read the plan, self-assessments and evidence; the PCREF
    # lead (manages the plan) changes them
    "governance:actions": RESULTS_READERS,
    "governance:action": RESULTS_READERS,
    "governance:did_it_work": RESULTS_READERS,
    "governance:evidence_file": RESULTS_READERS,
    "governance:assessments": RESULTS_READERS,
    "governance:assessment": RESULTS_READERS,
    "governance:action_new": frozenset({"pcref_lead"}),
    "governance:action_edit": frozenset({"pcref_lead"}),
    "governance:add_update": frozenset({"pcref_lead"}),
    "governance:add_evidence": frozenset({"pcref_lead"}),
    "governance:assessment_new": frozenset({"pcref_lead"}),
    # publication: results readers read the board report, those who export download its
    # PDF; the public PCREF page and its download of published figures need no sign-in
    "publication:board_report": RESULTS_READERS,
    "publication:board_report_pdf": frozenset({"analyst", "pcref_lead"}),
    "pcref_public:index": EVERYONE,
    "pcref_public:published_figures": EVERYONE,
    "pcref_public:index_in": EVERYONE,  # the public page in Polish or Punjabi
}

#: Arguments for URLs that take them (none yet); a URL with parameters and no entry here
#: fails the matrix with a message saying so.
URL_ARGUMENTS: dict[str, dict[str, object]] = {
    # engagement
    "engagement:member_details": {"token": "not-a-valid-link"},
    "engagement:member_download": {"token": "not-a-valid-link", "file_format": "json"},
    "engagement:member_consent": {"token": "not-a-valid-link"},
    "engagement:member_erase": {"token": "not-a-valid-link"},
    "engagement:hub_topic": {"pk": 1},
    "engagement:hub_contribute": {"pk": 1},
    "engagement:hub_report": {"pk": 1},
    "engagement:moderate_contribution": {"pk": 1},
    "engagement:moderate_topic": {"pk": 1},
    "engagement:group": {"kind": "equity-for-all"},
    "engagement:group_add_member": {"kind": "equity-for-all"},
    "engagement:new_meeting": {"kind": "equity-for-all"},
    "engagement:meeting": {"pk": 1},
    "engagement:toc_assessment": {"pk": 1},
}

# feedback: each page of the English form
URL_ARGUMENTS.update(
    {
        "feedback:start": {"flow": "en"},
        "feedback:step": {"flow": "en", "slug": "experience"},
        "feedback:thank_you": {"flow": "en"},
    }
)

# publication: the public PCREF page in Polish
URL_ARGUMENTS.update({"pcref_public:index_in": {"language": "pl"}})
# team profiles: a team (no run is loaded here, so allowed people get 404, not 403)
URL_ARGUMENTS.update({"dashboard:team": {"team": "beta-team"}})
# dashboard: a metric id (no run is loaded here, so allowed people get 404, not 403)
URL_ARGUMENTS.update(
    {
        "dashboard:metric": {"metric_id": "mha_s136"},
        "dashboard:metric_csv": {"metric_id": "mha_s136"},
    }
)

# moderation: references and entries that do not exist (allowed people get 404, not 403)
URL_ARGUMENTS.update(
    {
        "moderation:review": {"reference": "KT7W-C3RX-MH9A"},
        "moderation:contact_details": {"reference": "KT7W-C3RX-MH9A"},
        "moderation:moderate": {"reference": "KT7W-C3RX-MH9A"},
        "moderation:respond": {"reference": "KT7W-C3RX-MH9A"},
        "moderation:entry_edit": {"pk": 1},
        "you_said_we_did:entry": {"pk": 1},
    }
)
# governance: actions, evidence and assessments that do not exist (allowed people get 404)
URL_ARGUMENTS.update({name: {"pk": 1} for name in (
    "governance:action", "governance:action_edit", "governance:add_update",
    "governance:add_evidence", "governance:did_it_work", "governance:evidence_file",
    "governance:assessment",
)})  # fmt: skip

def test_every_url_has_an_access_rule(all_url_names):
    missing = sorted(set(all_url_names) - set(EXPECTED_ACCESS))
    stale = sorted(set(EXPECTED_ACCESS) - set(all_url_names))
    assert not missing, f"URLs with no expected access (add them to EXPECTED_ACCESS): {missing}"
    assert not stale, f"EXPECTED_ACCESS names URLs that no longer exist: {stale}"


def test_the_matrix_covers_every_role(principals):
    assert set(principals) == EVERYONE


def _url(url_name: str) -> str:
    kwargs = URL_ARGUMENTS.get(url_name)
    try:
        return reverse(url_name, kwargs=kwargs)
    except Exception as error:  # NoReverseMatch: the URL needs arguments
        pytest.fail(f"{url_name}: add sample arguments to URL_ARGUMENTS ({error})")


def _outcome(response, url: str) -> str:
    if response.status_code == 403:
        return "forbidden"
    location = response.get("Location", "")
    sign_in = reverse("accounts:sign_in")
    if response.status_code in (301, 302) and location.startswith(f"{sign_in}?next="):
        expected = f"{sign_in}?next={quote(url)}"
        return "sign-in redirect" if location == expected else f"bad sign-in redirect {location}"
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    return "allowed"


@pytest.mark.django_db
def test_access_matches_the_matrix(url_name, principals, client_for):
    assert url_name in EXPECTED_ACCESS, f"{url_name} has no row in EXPECTED_ACCESS"
    url = _url(url_name)
    problems = []
    for principal in principals:
        allowed = principal in EXPECTED_ACCESS[url_name]
        if allowed:
            expected = "allowed"
        elif principal == "anonymous":
            expected = "sign-in redirect"
        else:
            expected = "forbidden"
        for method in ("get", "post"):
            client = client_for(principal)
            response = getattr(client, method)(url)
            outcome = _outcome(response, url)
            if outcome != expected:
                problems.append(
                    f"{method.upper()} {url} as {principal}: {outcome} "
                    f"(HTTP {response.status_code}), expected {expected}"
                )
    assert not problems, "\n".join(problems)
