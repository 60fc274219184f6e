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
# results in the app: About the data with no run loaded; the landing page and About the data
# with a run loaded in test_results_pages.py.
VISITS += [("about-no-run", "/dashboard/about/", "viewer", 200)]
VISITED_URL_NAMES |= {"dashboard:about"}


def test_every_url_is_visited(all_url_names):
    assert set(all_url_names) == VISITED_URL_NAMES | IN_JOURNEYS | NOT_HTML


@pytest.mark.parametrize(
    ("path", "principal", "status"), [v[1:] for v in VISITS], ids=[v[0] for v in VISITS]
)
def test_page_is_accessible(
    path, principal, status, page, users, sign_in_as, check_accessibility
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

    page.set_viewport_size({"width": 320, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px wide"
