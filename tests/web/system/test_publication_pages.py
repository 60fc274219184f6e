"""The board report and the public PCREF page in a real browser with the sample results run
loaded (section 136 by ethnic group and month, so SPC charts are drawn) and a small plan:
zero axe violations, no Content-Security-Policy violations or script errors (the page
fixture fails on any), no sideways scrolling at 320 CSS pixels (check_reflow), and the SPC
charts drawn as static SVG."""

import datetime as dt

import pytest
from django.utils import timezone

from pcref.web.governance.choices import ActionStatus, PriorityArea
from pcref.web.governance.models import Action, AssessmentScore, SelfAssessment
from pcref.web.moderation.models import YouSaidWeDid

#: (test id, path, who looks).
PUBLICATION_VISITS = [
    ("board-report-internal", "/publication/board-report/", "pcref_lead"),
    ("board-report-public-policy", "/publication/board-report/?period=2023-24", "viewer"),
    ("board-report-pdf-link", "/publication/board-report/?period=2024-25", "analyst"),
    ("pcref-public", "/pcref/", "anonymous"),
    ("pcref-public-polish", "/pcref/pl/", "anonymous"),
    ("pcref-public-punjabi", "/pcref/pa/", "anonymous"),
]
#: The download link's words on the public page in each language.
DOWNLOAD_LINK = {
    "/pcref/": "Download every published figure",
    "/pcref/pl/": "Pobierz wszystkie opublikowane dane",
    "/pcref/pa/": "ਸਾਰੇ ਪ੍ਰਕਾਸ਼ਿਤ ਅੰਕੜੇ ਡਾਊਨਲੋਡ ਕਰੋ",
}


@pytest.fixture
def plan(db):
    action = Action.objects.create(
        title="Street triage with community workers", description="Co-produced.",
        priority_area=PriorityArea.MHA_DETENTIONS, competencies=["co_production"],
        owner="Director of Nursing", start_date=dt.date(2024, 4, 1),
        due_date=dt.date(2099, 3, 31), status=ActionStatus.ON_TRACK)
    entry = YouSaidWeDid.objects.create(
        title="Police detentions", what_people_said="Detained more often.",
        what_we_did="Street triage.", published=True, published_at=timezone.now())
    action.you_said_we_did.add(entry)
    assessment = SelfAssessment.objects.create(assessed_on=dt.date(2025, 3, 1),
                                               assessed_by="lead")
    AssessmentScore.objects.create(assessment=assessment, item="board_lead", score=3)


@pytest.mark.parametrize(
    ("path", "principal"), [v[1:] for v in PUBLICATION_VISITS],
    ids=[v[0] for v in PUBLICATION_VISITS],
)
def test_publication_page_is_accessible(
    path, principal, page, users, sample_results_run_by_month, plan, sign_in_as,
    check_accessibility, check_reflow,
):
    if principal != "anonymous":
        sign_in_as(users[principal])
    response = page.goto(path)
    assert response.status == 200
    if path.startswith("/publication/"):
        assert page.locator("svg.app-xmr").count() > 0  # SPC charts drawn on the server
    else:
        assert page.get_by_role("link", name=DOWNLOAD_LINK[path]).count() == 1
    check_accessibility(page)
    check_reflow(page)
