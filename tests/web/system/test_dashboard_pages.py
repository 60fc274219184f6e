"""The biggest-gaps and metric pages in a real browser with a results run loaded: zero axe
violations, no Content-Security-Policy violations or script errors (the page fixture fails
on any), every chart drawn by vega-embed, and the tables still complete without JavaScript.
"""

import pytest

#: (test id, path, who looks, charts expected to be drawn).
DASHBOARD_VISITS = [
    ("gaps", "/dashboard/gaps/", "viewer", 0),
    ("gaps-filtered", "/dashboard/gaps/?period=2023-24&family=Mental+Health+Act", "analyst", 0),
    ("metric-rate-internal", "/dashboard/metrics/mha_s136/", "analyst", 3),
    ("metric-rate-public", "/dashboard/metrics/mha_s136/", "viewer", 3),
    ("metric-proportion-funnel", "/dashboard/metrics/access_referral_via_police/",
     "pcref_lead", 3),
    ("metric-bad-filter", "/dashboard/metrics/mha_s136/?period=1999-00", "analyst", 3),
]


@pytest.mark.parametrize(
    ("path", "principal", "charts"), [v[1:] for v in DASHBOARD_VISITS],
    ids=[v[0] for v in DASHBOARD_VISITS],
)
def test_dashboard_page_is_accessible_and_draws_its_charts(
    path, principal, charts, page, users, sample_results_run, sign_in_as, check_accessibility,
    check_reflow,
):
    sign_in_as(users[principal])
    response = page.goto(path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    drawn = page.locator(".app-chart svg")
    if charts:
        drawn.nth(charts - 1).wait_for(state="attached")
    assert drawn.count() == charts
    assert page.locator(".app-chart[hidden]").count() == 0
    check_accessibility(page)

    check_reflow(page)


def test_metric_page_without_javascript_shows_every_figure(
    browser, live_server, users, sample_results_run, problems
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(users["analyst"], backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.goto("/dashboard/metrics/mha_s136/?period=2024-25&breakdown=ethnicity_5")
        assert page.locator(".app-chart svg").count() == 0
        assert page.locator(".app-chart:visible").count() == 0
        table = page.locator("table").first.inner_text()
        for figure in ("30.1", "90.3", "36.1", "15.0", "66.2"):
            assert figure in table
        page.get_by_label("Period").select_option("2023-24")
        page.get_by_role("button", name="Show figures").click()
        assert "period=2023-24" in page.url
        assert "62.0" in page.locator("table").first.inner_text()
    finally:
        context.close()
