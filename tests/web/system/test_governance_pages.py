"""Governance pages with something to show, in a real browser (zero axe violations for
WCAG 2.0/2.1/2.2 A and AA, no CSP violations or script errors, no sideways scrolling at 320
CSS pixels, the did-it-work chart drawn), and adding a progress update by keyboard alone,
through the error summary."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from pcref.web.governance.choices import ASSESSMENT_ITEMS
from pcref.web.governance.models import (
    Action,
    AssessmentScore,
    Evidence,
    ProgressUpdate,
    SelfAssessment,
)

from ..governance.test_did_it_work import START, build_run
from .test_journeys import tab_until


@pytest.fixture
def governance_data(db, users) -> dict[str, object]:
    build_run("governance-run", step=True)
    action = Action.objects.create(
        title="Advocacy on every acute ward", priority_area="mha_detentions",
        competencies=["co_production", "partnership_working"], metric_id="mha_detentions",
        ethnic_group="Black or Black British", feedback_themes=["Equality, diversity and racism"],
        owner="Chief Nurse", partners="Kent Black Mental Health Forum", start_date=START,
        due_date=dt.date(2030, 3, 31), status="on_track",
    )  # fmt: skip
    ProgressUpdate.objects.create(action=action, on=dt.date(2024, 6, 1),
                                  text="Advocates on 4 of 6 wards.", written_by="demo")
    Evidence.objects.create(action=action, title="Board paper", added_by="demo",
                            url="https://example.org/board")
    assessments = []
    for on, score in ((dt.date(2025, 4, 1), 2), (dt.date(2025, 10, 1), 3)):
        assessment = SelfAssessment.objects.create(assessed_on=on, assessed_by="demo")
        AssessmentScore.objects.bulk_create(
            AssessmentScore(assessment=assessment, item=key, score=score, evidence="Minutes")
            for key in ASSESSMENT_ITEMS
        )
        assessments.append(assessment)
    return {"action": action, "assessment": assessments[-1]}


PAGES = [
    ("actions", lambda d: "/governance/actions/", "viewer"),
    ("action", lambda d: f"/governance/actions/{d['action'].pk}/", "pcref_lead"),
    ("action-edit", lambda d: f"/governance/actions/{d['action'].pk}/change/", "pcref_lead"),
    ("add-update", lambda d: f"/governance/actions/{d['action'].pk}/progress-update/",
     "pcref_lead"),
    ("add-evidence", lambda d: f"/governance/actions/{d['action'].pk}/evidence/", "pcref_lead"),
    ("did-it-work", lambda d: f"/governance/actions/{d['action'].pk}/did-it-work/", "analyst"),
    ("assessments", lambda d: "/governance/self-assessments/", "viewer"),
    ("assessment", lambda d: f"/governance/self-assessments/{d['assessment'].pk}/", "viewer"),
    ("assessment-new", lambda d: "/governance/self-assessments/new/", "pcref_lead"),
]  # fmt: skip


@pytest.mark.parametrize(("path_of", "principal"), [p[1:] for p in PAGES],
                         ids=[p[0] for p in PAGES])  # fmt: skip
def test_governance_page_is_accessible(
    path_of, principal, governance_data, page, users, sign_in_as, check_accessibility, check_reflow
):
    sign_in_as(users[principal])
    response = page.goto(path_of(governance_data))
    assert response.status == 200
    if "did-it-work" in page.url:
        expect(page.locator(".app-chart svg, .app-chart canvas").first).to_be_attached()
    check_accessibility(page)
    check_reflow(page)


def test_adding_a_progress_update_by_keyboard(governance_data, page, users, sign_in_as):
    action = governance_data["action"]
    sign_in_as(users["pcref_lead"])
    page.goto(f"/governance/actions/{action.pk}/")
    tab_until(page, lambda stop: stop["text"] == "Add a progress update", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/governance/actions/{action.pk}/progress-update/")
    # Submit without the update text: the error summary takes focus and links to the field.
    tab_until(page, lambda stop: stop["text"] == "Add update", limit=40)
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    tab_until(page, lambda stop: stop["text"] == "Enter the update")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_text"
    page.keyboard.type("Advocates now on all six wards.")
    tab_until(page, lambda stop: stop["text"] == "Add update")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/governance/actions/{action.pk}/")
    expect(page.get_by_text("Advocates now on all six wards.").first).to_be_visible()
    assert action.updates.filter(text="Advocates now on all six wards.").exists()
    assert action.history.filter(field="Progress update").exists()
