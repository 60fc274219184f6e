"""Self-assessments: the Part 1 obligations as NHS England words them, the six
competencies, scores kept over time and the change since the previous assessment."""

from __future__ import annotations

from html import unescape

import pytest

from pcref.web.governance.choices import ASSESSMENT_ITEMS, Competency, PartOneObligation
from pcref.web.governance.models import SelfAssessment
from pcref.web.governance.progress import change_words


def test_part_one_has_the_four_duties_and_part_two_the_six_competencies():
    assert len(PartOneObligation.choices) == 4
    assert PartOneObligation.BOARD_MONITORING.label == (
        "Monitor core measures at Trust Board level regularly, and publish PCREF plans"
    )
    assert [label for _, label in Competency.choices] == [
        "Cultural awareness", "Staff knowledge and awareness", "Partnership working",
        "Workforce", "Co-learning", "Co-production",
    ]  # fmt: skip
    assert len(ASSESSMENT_ITEMS) == 10


@pytest.mark.parametrize(
    ("now", "before", "words"),
    [(3, 2, "Up 1 (from Developing)"), (1, 4, "Down 3 (from Embedded)"),
     (2, 2, "No change"), (2, None, "First scored")],
)  # fmt: skip
def test_change_words(now, before, words):
    assert change_words(now, before) == words


def _form(on: str, scores: dict[str, int]) -> dict[str, object]:
    data: dict[str, object] = {"assessed_on": on, "summary": "With Equity for All"}
    for key in ASSESSMENT_ITEMS:
        data[f"score_{key}"] = scores.get(key, 2)
        data[f"evidence_{key}"] = f"Evidence for {key}"
    return data


@pytest.mark.django_db
def test_assessments_are_kept_and_show_the_change(client_for):
    lead = client_for("pcref_lead")
    assert lead.post("/governance/self-assessments/new/", _form("1 4 2025", {})).status_code == 302
    response = lead.post("/governance/self-assessments/new/",
                         _form("1 10 2025", {"co_production": 3, "board_lead": 1}))
    assert response.status_code == 302
    first, second = SelfAssessment.objects.order_by("assessed_on")
    assert {s.item: s.score for s in first.scores.all()}["co_production"] == 2  # unchanged
    page = client_for("viewer").get(f"/governance/self-assessments/{second.pk}/").content.decode()
    assert "Up 1 (from Developing)" in page
    assert "Down 1 (from Developing)" in page
    assert page.count("No change") == 8
    first_page = client_for("viewer").get(
        f"/governance/self-assessments/{first.pk}/").content.decode()
    assert "This is the first recorded assessment." in first_page
    assert first_page.count("First scored") == 10
    listing = client_for("viewer").get("/governance/self-assessments/").content.decode()
    assert "1 October 2025" in listing and "1 April 2025" in listing
    assert "Up 1 (from Developing)" in listing


@pytest.mark.django_db
def test_every_item_needs_a_score(client_for):
    data = _form("1 4 2025", {})
    del data["score_workforce"]
    page = client_for("pcref_lead").post("/governance/self-assessments/new/", data)
    assert "Select a score for 'Workforce'" in unescape(page.content.decode())
    assert not SelfAssessment.objects.exists()


@pytest.mark.django_db
def test_the_demo_plan_is_made_once(settings, make_user):
    from django.core.management import call_command

    from pcref.web.governance.models import Action

    make_user("demo-pcref-lead", "pcref_lead")
    settings.PCREF_ALLOW_DEMO_USERS = True
    call_command("create_demo_governance")
    call_command("create_demo_governance")
    assert Action.objects.count() == 3
    assert SelfAssessment.objects.count() == 2
    first = Action.objects.get(title__startswith="Culturally appropriate advocacy")
    assert first.metric_id == ""  # no results run is loaded here, so nothing is linked
    assert first.history.filter(field="Progress update").count() == 2
