"""The dashboard landing page and About the data in a real browser with a real results run
loaded: zero axe violations, no Content-Security-Policy violations or script errors (the page
fixture fails on any), no sideways scrolling at 320 CSS pixels, and the run selector working
without JavaScript."""

import pytest

from pcref.web.dashboard.loading import load_run

#: (test id, path, who looks).
RESULTS_VISITS = [
    ("index-run-loaded", "/dashboard/", "analyst"),
    ("about-internal", "/dashboard/about/", "analyst"),
    ("about-public", "/dashboard/about/", "viewer"),
    ("about-unknown-run", "/dashboard/about/?run=no-such-run", "pcref_lead"),
]


@pytest.mark.parametrize(
    ("path", "principal"), [v[1:] for v in RESULTS_VISITS], ids=[v[0] for v in RESULTS_VISITS]
)
def test_results_page_is_accessible(
    path, principal, page, users, loaded_results_run, sign_in_as, check_accessibility, check_reflow
):
    sign_in_as(users[principal])
    response = page.goto(path)
    assert response.status == 200
    assert page.get_by_text(f"Figures from results run {loaded_results_run.run_id}").count() == 1
    check_accessibility(page)

    check_reflow(page)


def test_choosing_an_earlier_run_shows_it_and_keeps_it_on_links(
    page, users, db, results_run_folder, second_results_run_folder, sign_in_as,
    check_accessibility,
):
    first = load_run(results_run_folder).run
    load_run(second_results_run_folder)
    sign_in_as(users["viewer"])
    page.goto("/dashboard/")
    page.get_by_label("Show figures from results run").select_option(first.run_id)
    page.get_by_role("button", name="Show this run").click()
    assert f"run={first.run_id}" in page.url
    assert page.get_by_text("This is an earlier run, not the current one.").count() == 1
    check_accessibility(page)
    page.get_by_role("link", name="About the data").click()
    assert page.url.endswith(f"/dashboard/about/?run={first.run_id}")
    assert page.get_by_text(f"Figures from results run {first.run_id}").count() == 1
