"""Team profiles and the data-quality page on a results run of a hand-made warehouse
(``team_results_run`` in conftest.py: Alpha team 53 people, Beta team 50), every figure
worked out by hand; and the page logic on its own.

Disclosure, by hand. Internal (nhse: below 5 withheld, others rounded to 5, no secondary
suppression): Alpha's 3 Muslims are withheld; Beta's 10 Muslims and 5 Polish speakers are
shown. Public (1-7 withheld, secondary suppression): Alpha's 3 Muslims, Beta's 5 Polish
speakers, and — because the Muslim row of the trust (13) less Beta's 10 would give Alpha's 3
— Beta's 10 Muslims too. So a viewer must never see Beta's 10 or 5.
"""

import html
import math
import re

import pandas as pd
import pytest

from pcref.web.dashboard import data_quality, team_profile

Z = 1.959963984540054
BETA = "/dashboard/teams/beta-team/"
ALPHA = "/dashboard/teams/alpha-team/"


def wilson_upper(x: int, n: int) -> float:
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    return 100 * (centre + Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n))


def text_of(response) -> str:
    body = response.content.decode()
    body = body[body.index("<main"):body.index("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def table_rows(response, caption: str) -> dict[str, list[str]]:
    """The table with this caption as {first cell: [other cells]} (the responsive tables'
    hidden headings left out)."""
    body = response.content.decode()
    start = body.index(caption)
    table = body[start:body.index("</table>", start)]
    table = re.sub(r'<span class="nhsuk-table__heading"[^>]*>.*?</span>', "", table, flags=re.S)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c))).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        rows[cells[0]] = cells[1:]
    return rows


# -- pages on the hand-made run --------------------------------------------------------------


def test_the_list_of_teams_links_each_team_with_its_caseload(client_for, team_results_run):
    response = client_for("viewer").get("/dashboard/teams/")
    assert response.status_code == 200
    rows = table_rows(response, "Teams and their caseloads, 2024-25")
    # 53 and 50 people rounded to 5; shares of the 103 in both caseloads.
    assert rows == {"Alpha team": ["55", "51.5%"], "Beta team": ["50", "48.5%"]}
    assert 'href="/dashboard/teams/beta-team/?period=2024-25"' in response.content.decode()


def test_staff_with_internal_figures_see_what_nhs_englands_rule_shows(
    client_for, team_results_run
):
    response = client_for("analyst").get(BETA)
    assert response.status_code == 200
    religion = table_rows(response, "Religion or belief: Beta team and the trust")
    assert religion["Muslim"][:2] == ["10", "20.0%"]
    assert religion["Christian"][:2] == ["25", "50.0%"]
    language = table_rows(response, "Preferred language: Beta team and the trust")
    assert language["Polish"][:2] == ["5", "10.0%"]
    alpha = table_rows(client_for("analyst").get(ALPHA),
                       "Religion or belief: Alpha team and the trust")
    assert alpha["Muslim"][:2] == ["*", "*"]


def test_a_viewer_never_sees_a_figure_the_public_policy_withholds(client_for, team_results_run):
    # An analyst looks first, so the page's figures under the internal policy are cached.
    assert "20.0%" in text_of(client_for("analyst").get(BETA))
    response = client_for("viewer").get(BETA)
    religion = table_rows(response, "Religion or belief: Beta team and the trust")
    # Beta's 10 Muslims are withheld (secondary), and so must be their share (20.0%).
    assert religion["Muslim"][:3] == ["*", "*", ""]
    language = table_rows(response, "Preferred language: Beta team and the trust")
    assert language["Polish"][:2] == ["*", "*"]
    page = text_of(response)
    assert "20.0%" not in page and "10.0%" not in page
    assert "Withheld" in page


def test_the_team_page_says_where_the_team_records_less_than_the_trust(
    client_for, team_results_run
):
    # Beta records ethnicity for 30 of 50 (60.0%), the trust for 83 of 103 (80.6%); Beta's
    # upper 95% limit is below the trust's figure, so the difference is called.
    assert wilson_upper(30, 50) < 100 * 83 / 103
    page = text_of(client_for("viewer").get(BETA))
    assert ("Beta team records ethnicity for fewer people than the trust does: 60.0% of its "
            "caseload against 80.6% across the trust.") in page
    alpha = text_of(client_for("viewer").get(ALPHA))
    assert "records ethnicity for" not in alpha
    assert "at least as many of its people as the trust does" in alpha


def test_the_caseload_by_ethnic_group_shows_not_known_as_a_group(client_for, team_results_run):
    rows = table_rows(client_for("viewer").get(BETA), "Ethnic group: Beta team and the trust")
    # 30 White British and 20 with nothing recorded (Not known) in Beta; the trust has 83.
    assert rows["White British"][:2] == ["30", "60.0%"]
    assert rows["White British"][3:5] == ["85", "80.6%"]
    assert rows["Not known"][:2] == ["20", "40.0%"]


def test_data_quality_ranks_teams_by_coverage_worst_first(client_for, team_results_run):
    response = client_for("viewer").get("/dashboard/data-quality/")
    assert response.status_code == 200
    rows = table_rows(response, "by team, 2024-25, worst coverage first")
    assert list(rows) == ["Whole trust", "Beta team", "Alpha team"]
    assert rows["Beta team"][0] == "50" and rows["Beta team"][1].startswith("60.0% (")
    assert rows["Alpha team"][1].startswith("100.0% (")
    page = text_of(response)
    assert "Coverage: the percentage with an ethnic category recorded at all." in page


def test_data_quality_over_time_puts_the_team_beside_the_trust(client_for, team_results_run):
    response = client_for("viewer").get(
        "/dashboard/data-quality/?metric=dq_ethnicity_recorded&team=beta-team&time=quarter")
    rows = table_rows(response, "Coverage by quarter, the trust and Beta team")
    # Beta's even-numbered people (25) were first seen in October (Q3), 15 of them recorded.
    assert list(rows) == ["2024-25 Q1", "2024-25 Q3"]
    assert rows["2024-25 Q3"][2].startswith("60.0% (") and rows["2024-25 Q3"][3] == "25"
    months = client_for("viewer").get(
        "/dashboard/data-quality/?metric=dq_ethnicity_recorded&team=beta-team&time=month")
    assert "Teams are reported by quarter only" in text_of(months)


def test_a_team_not_in_the_run_is_not_found(client_for, team_results_run):
    assert client_for("viewer").get("/dashboard/teams/gamma-team/").status_code == 404


def test_pages_without_a_results_run(client_for, db):
    assert "No results run is loaded" in text_of(client_for("viewer").get("/dashboard/teams/"))
    assert "No results run is loaded" in text_of(
        client_for("viewer").get("/dashboard/data-quality/"))
    assert client_for("viewer").get(BETA).status_code == 404


def test_a_run_without_team_caseloads_says_the_page_is_not_available(
    client_for, team_results_run
):
    from pcref.web.dashboard.models import Metric

    Metric.objects.filter(run=team_results_run).delete()
    page = text_of(client_for("viewer").get("/dashboard/teams/"))
    assert "has no team caseloads, so this page is not available" in page


# -- the page logic on hand-made rows ---------------------------------------------------------


def shown_rows(**values):
    """A shown-row mapping as pcref.web.dashboard.shown gives it."""
    base = {"withheld": False, "value": math.nan, "upper": math.nan, "value_text": ""}
    return {**base, **values}


def test_a_lower_figure_within_chance_is_said_to_be_within_chance():
    own = shown_rows(value=70.0, upper=75.0, value_text="70.0")
    whole = shown_rows(value=72.0, value_text="72.0")
    sentence = team_profile.recording_sentence("Gamma", "religion or belief", own, whole)
    assert "slightly fewer" in sentence and "within what chance alone could give" in sentence
    assert team_profile.recording_sentence("Gamma", "religion", whole, own) == ""
    withheld = shown_rows(withheld=True)
    assert team_profile.recording_sentence("Gamma", "religion", withheld, whole) == ""


def test_definitions_come_from_the_description_or_not_at_all():
    found = data_quality.definitions(
        "Intro. Coverage is the share with X; validity the share with a code from the list "
        "(A to Z); accuracy the share with a code that says something, i.e. not Z. Later.")
    assert found == {
        "coverage": "Coverage: the share with X.",
        "validity": "Validity: the share with a code from the list (A to Z).",
        "accuracy": "Accuracy: the share with a code that says something, i.e. not Z.",
    }
    assert data_quality.definitions("No such sentences here.") == {}


def test_languages_no_one_in_the_team_prefers_are_counted_not_listed():
    def row(breakdown, group, subgroup, numerator, value):
        return {"breakdown": breakdown, "group": group, "subgroup": subgroup,
                "statistic": "share of caseload", "numerator": numerator,
                "denominator": 100.0, "value": value, "lower": value - 1,
                "upper": value + 1, "display_value": f"{value:.1f}", "status": "rounded"}

    rows = pd.DataFrame([
        row("preferred_language", "English", None, 90, 90.0),
        row("preferred_language", "Polish", None, 5, 5.0),
        row("preferred_language", "Urdu", None, 5, 5.0),
        row("team x preferred_language", "Gamma", "English", 40, 100.0),
    ])
    section = team_profile.profile_section(team_profile.shown_records(rows), "Gamma",
                                           "preferred_language")
    assert [r[0] for r in section.table.rows] == ["English"]
    assert section.notes == ["2 other languages are preferred by people in the trust's "
                             "caseload but by no one in this team's, and not listed."]
    religion = team_profile.profile_section(team_profile.shown_records(
        rows.assign(breakdown=rows["breakdown"].str.replace("preferred_language", "religion"))),
        "Gamma", "religion")
    # Other characteristics list every group: a group the team lacks is a true zero.
    assert [r[:3] for r in religion.table.rows] == [
        ["English", "40", "100.0%"], ["Polish", "0", "0.0%"], ["Urdu", "0", "0.0%"]]


@pytest.mark.parametrize("name", ["Alpha team", "Dartford, Gravesham and Swanley CRHT"])
def test_team_addresses_are_slugs_of_their_names(name):
    assert re.fullmatch(r"[a-z0-9-]+", team_profile.team_slug(name))
