"""The public PCREF page and its download: public figures only, whoever asks. The page must
show no number the public policy withholds: every number in its tables is checked against
the public rows, and the sample run's internal-only figures (Mixed, 66.2 and its ratio 2.2)
must appear nowhere."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile

import pytest
from django.utils import timezone

from pcref.web.dashboard.models import Figure
from pcref.web.dashboard.shown import shown_row
from pcref.web.governance.choices import ActionStatus, PriorityArea
from pcref.web.governance.models import Action
from pcref.web.moderation.models import YouSaidWeDid

pytestmark = pytest.mark.django_db

#: A numeric cell of the NHS.UK responsive table: its repeated heading, then its text.
CELL = re.compile(r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric" role="cell">'
                  r'<span class="nhsuk-table__heading" aria-hidden="true">[^<]*</span>([^<]*)</td>')


def public_numbers(run) -> set[str]:
    """Every number the public rows publish, as the page writes them: counts, values,
    interval ends and ratios of rows that are not withheld."""
    out = set()
    for row in Figure.objects.filter(run=run, disclosure_policy="public").values():
        shown = shown_row(row)
        if shown["withheld"]:
            continue
        out.add(shown["value_text"])
        out.update(shown["interval_text"].split(" to "))
        out.add(shown["ratio_text"])
        out.update(shown["ratio_interval_text"].split(" to "))
        if shown["numerator"] == shown["numerator"]:
            out.add(f"{shown['numerator']:,.0f}")
    return out - {""}


#: The public page in each of its languages: the same figures in every one.
PAGES = ("/pcref/", "/pcref/pl/", "/pcref/pa/")


@pytest.mark.parametrize("url", PAGES)
def test_every_published_number_is_a_public_figure(sample_results_run, client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    allowed = public_numbers(sample_results_run)
    cells = CELL.findall(page)
    assert cells, "the page shows figures"
    for cell in cells:
        for number in re.findall(r"\d[\d,]*(?:\.\d+)?", cell):
            assert number in allowed, f"{number} in {cell!r} is not a public figure"
    # Mixed is withheld under the public policy: its row shows * and its internal
    # figures appear nowhere on the page.
    assert re.search(r"</span>Mixed</th>\s*<td[^>]*><span[^>]*>[^<]+ </span>\*</td>\s*"
                     r"<td[^>]*><span[^>]*>[^<]+ </span>\*</td>", page)
    assert "66.2" not in page and "2.2 (" not in page
    # The gaps are those of the public figures (Black 3.0 times, the largest).
    assert "Black or Black British people were detained by the police under section 136" in page


def test_same_page_whoever_asks(sample_results_run, client_for):
    """Signed-in staff with internal figures see the public figures here too."""
    page = client_for("analyst").get("/pcref/").content.decode()
    assert "66.2" not in page


def test_feedback_and_actions_show_only_public_fields(sample_results_run, client):
    YouSaidWeDid.objects.create(title="Interpreters at first appointments",
                                what_people_said="Nobody spoke my language.",
                                what_we_did="Interpreters are booked at referral.",
                                published=True, published_at=timezone.now())
    YouSaidWeDid.objects.create(title="Not yet published entry", what_people_said="x",
                                what_we_did="y")
    Action.objects.create(
        title="Co-produce a section 136 pathway", description="With Black-led groups.",
        priority_area=PriorityArea.MHA_DETENTIONS, competencies=["co_production"],
        owner="Jane Example, Director of Nursing", partners="Kent Black Carers Forum",
        start_date=dt.date(2024, 4, 1), due_date=dt.date(2099, 3, 31),
        status=ActionStatus.ON_TRACK,
    )
    page = client.get("/pcref/").content.decode()
    assert "Interpreters are booked at referral." in page
    assert "Not yet published entry" not in page
    assert "Co-produce a section 136 pathway" in page and "Co-production" in page
    assert "On track" in page
    assert "Jane Example" not in page and "Kent Black Carers Forum" not in page


def test_no_run_loaded(client, db):
    page = client.get("/pcref/").content.decode()
    assert "No figures have been published yet." in page
    assert client.get("/pcref/published-figures.zip").status_code == 404


def test_download_holds_every_public_figure_and_no_internal_one(sample_results_run, client):
    response = client.get("/pcref/published-figures.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "README.txt", "figures.csv", "metrics.csv", "sql/mha_s136.sql",
        "sql/access_referral_via_police.sql"}
    rows = list(csv.DictReader(io.StringIO(archive.read("figures.csv").decode())))
    assert len(rows) == Figure.objects.filter(run=sample_results_run,
                                              disclosure_policy="public").count()
    assert {r["disclosure_policy"] for r in rows} == {"public"}
    [mixed] = [r for r in rows if r["group"] == "Mixed"]
    assert (mixed["value"], mixed["numerator"], mixed["ratio"]) == ("*", "*", "")
    assert "66.2" not in archive.read("figures.csv").decode()
    [black] = [r for r in rows if r["group"] == "Black or Black British"
               and r["metric_id"] == "mha_s136" and r["period"] == "2024-25"]
    assert (black["value"], black["numerator"], black["ratio"], black["ratio_lower"],
            black["ratio_upper"]) == ("90.3", "90", "3.0", "2.5", "3.6")
    assert archive.read("sql/mha_s136.sql").decode() == "SELECT 1 AS detention -- s136"
    metrics = {r["metric_id"]: r for r in
               csv.DictReader(io.StringIO(archive.read("metrics.csv").decode()))}
    assert metrics["mha_s136"]["improvement_direction"] == "decrease"
    assert metrics["mha_s136"]["sql_file"] == "sql/mha_s136.sql"


@pytest.mark.parametrize("url", PAGES)
def test_every_number_in_what_the_data_shows_is_public(sample_results_run, client, url):
    """Sentences as well as tables: every number after the download link in "What the data
    shows", once the metrics' own words are taken out ("section 136"), is a public figure
    (or the 95 of "95% confidence interval")."""
    page = html.unescape(client.get(url).content.decode())
    section = page[page.index('href="/pcref/published-figures.zip"'):
                   page.index('<h2 id="what-people-told-us"')]
    text = re.sub(r"<[^>]+>", " ", section)
    for metric in sample_results_run.metrics.all():
        for words in (metric.title, metric.description, metric.sentence, metric.unit):
            text = text.replace(words, " ")
    allowed = public_numbers(sample_results_run) | {"95", "2024-25"}
    numbers = re.findall(r"\d{4}-\d{2}|\d[\d,]*(?:\.\d+)?", text)
    assert "3.0" in numbers  # the sentences are checked too
    assert [n for n in numbers if n not in allowed] == []
