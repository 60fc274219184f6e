"""The public PCREF page in Polish and Punjabi: its own words translated, the right ``lang``
attributes, the community-review note, a switcher to the same page in each language, and
the figures' English words marked as English. (That no withheld figure shows in any
language is checked in test_public_page.py.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "lang", "heading", "section", "table_heading", "interval", "note"),
    [
        ("/pcref/", "en-GB", "Patient and Carer Race Equality Framework (PCREF)",
         "What the data shows", "Ethnic group", "95% interval", False),
        ("/pcref/pl/", "pl", "Ramy równości rasowej dla pacjentów i opiekunów (PCREF)",
         "Co pokazują dane", "Grupa etniczna", "Przedział 95%", True),
        ("/pcref/pa/", "pa", "ਮਰੀਜ਼ਾਂ ਅਤੇ ਦੇਖਭਾਲ ਕਰਨ ਵਾਲਿਆਂ ਲਈ ਨਸਲੀ ਬਰਾਬਰੀ ਢਾਂਚਾ (PCREF)",
         "ਅੰਕੜੇ ਕੀ ਦਿਖਾਉਂਦੇ ਹਨ", "ਨਸਲੀ ਸਮੂਹ", "95% ਅੰਤਰਾਲ", True),
    ],
)
def test_the_page_is_in_the_language_of_its_url(
    sample_results_run, url, lang, heading, section, table_heading, interval, note
):
    response = Client().get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}"' in page
    assert response["Content-Language"] == lang
    assert f"<h1>{heading}</h1>" in page
    assert f'<h2 id="what-the-data-shows">{section}</h2>' in page
    assert f'scope="col" role="columnheader">{table_heading}</th>' in page
    # Table headings with a per cent sign come out with one (gettext's %% escape undone).
    assert f'role="columnheader">{interval}</th>' in page and "%%" not in page
    assert ('class="nhsuk-body-s app-translation-note"' in page) is note
    # The figures' words stay English for now: marked so, and said so.
    assert ('<h3 lang="en-GB">' in page) is note
    assert ('class="app-figures-in-english"' in page) is note
    # The feedback form link goes to the form in the same language.
    key = url.strip("/").removeprefix("pcref").strip("/") or "en"
    assert f'href="/feedback/{key}/"' in page


def test_the_switcher_links_to_the_page_in_each_language(db):
    page = Client().get("/pcref/pa/").content.decode()
    links = dict(re.findall(r'<a href="(/pcref/(?:\w+/)?)" lang="([\w-]+)"', page))
    assert links == {"/pcref/": "en-GB", "/pcref/pl/": "pl"}
    assert '<strong lang="pa" aria-current="true">ਪੰਜਾਬੀ</strong>' in page


def test_languages_other_than_the_forms_are_not_found(db):
    assert Client().get("/pcref/fr/").status_code == 404
    assert Client().get("/pcref/en/").status_code == 404


def test_withheld_figures_are_starred_in_every_language(sample_results_run):
    """The same rows are withheld whatever the language (Mixed under the public policy)."""
    stars = {url: Client().get(url).content.decode().count("</span>*</td>")
             for url in ("/pcref/", "/pcref/pl/", "/pcref/pa/")}
    assert len(set(stars.values())) == 1 and stars["/pcref/"] > 0


def test_the_board_report_shares_the_table_headings_in_english(sample_results_run, client_for):
    """The board report uses the same table macro, always in English."""
    page = client_for("analyst").get("/publication/board-report/").content.decode()
    assert 'role="columnheader">Ratio (95% interval)</th>' in page and "%%" not in page
