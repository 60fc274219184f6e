"""Team profiles and the data-quality page in a real browser with a results run loaded
(``team_results_run``: two hand-made teams): zero axe violations, no Content-Security-Policy
violations or script errors (the page fixture fails on any), no sideways scrolling at 320 CSS
pixels, and the filters working without JavaScript's help."""

import pytest

#: (test id, path, who looks).
TEAM_VISITS = [
    ("teams", "/dashboard/teams/", "viewer"),
    ("team-public", "/dashboard/teams/beta-team/", "viewer"),
    ("team-internal", "/dashboard/teams/alpha-team/?period=2024-25", "analyst"),
    ("team-bad-period", "/dashboard/teams/beta-team/?period=1999-00", "pcref_lead"),
    ("data-quality", "/dashboard/data-quality/", "viewer"),
    ("data-quality-team-months",
     "/dashboard/data-quality/?metric=dq_religion_recorded&team=alpha-team&time=month",
     "analyst"),
]


@pytest.mark.parametrize(("path", "principal"), [v[1:] for v in TEAM_VISITS],
                         ids=[v[0] for v in TEAM_VISITS])
def test_team_page_is_accessible(
    path, principal, page, users, team_results_run, sign_in_as, check_accessibility, check_reflow
):
    sign_in_as(users[principal])
    response = page.goto(path)
    assert response.status == 200
    check_accessibility(page)

    check_reflow(page)


def test_choosing_a_team_over_time_on_the_data_quality_page(
    page, users, team_results_run, sign_in_as
):
    sign_in_as(users["viewer"])
    page.goto("/dashboard/data-quality/")
    page.get_by_label("Over time: team").select_option("beta-team")
    page.get_by_role("button", name="Show figures").click()
    assert "team=beta-team" in page.url
    caption = page.get_by_text("Coverage by quarter, the trust and Beta team")
    assert caption.count() == 1
    page.get_by_role("link", name="Beta team's profile").click()
    assert page.url.split("?")[0].endswith("/dashboard/teams/beta-team/")
