"""The form in Polish, Punjabi and easy read: the right words, the right ``lang``
attributes, the community-review note, and .po files that are complete."""

from __future__ import annotations

import re

import polib
import pytest
from django.test import Client

from pcref.web.feedback import i18n_build
from pcref.web.feedback.models import Submission

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("flow", "lang", "question", "note"),
    [
        ("en", "en-GB", "Overall, how was your experience of our service?", False),
        ("pl", "pl", "Jak ogólnie oceniasz swoje doświadczenia z naszymi usługami?", True),
        ("pa", "pa", "ਕੁੱਲ ਮਿਲਾ ਕੇ, ਸਾਡੀ ਸੇਵਾ ਨਾਲ ਤੁਹਾਡਾ ਤਜਰਬਾ ਕਿਹੋ ਜਿਹਾ ਰਿਹਾ?", True),
    ],
)
def test_the_first_question_is_in_the_flow_language(teams, flow, lang, question, note):
    response = Client().get(f"/feedback/{flow}/experience/")
    page = response.content.decode()
    assert f'<html lang="{lang}"' in page
    assert response["Content-Language"] == lang
    assert question in page
    assert ('class="nhsuk-body-s app-translation-note"' in page) is note
    # Crisis numbers are on the first question page in every language.
    for number in ("999", "111", "116 123"):
        assert number in page


def test_the_language_switcher_links_to_the_same_page_in_each_language(teams):
    page = Client().get("/feedback/pl/experience/").content.decode()
    links = dict(re.findall(r'<a href="(/feedback/\w+/experience/)" lang="([\w-]+)"', page))
    assert links == {"/feedback/en/experience/": "en-GB", "/feedback/pa/experience/": "pa"}
    assert '<strong lang="pl" aria-current="true">Polski</strong>' in page


def test_errors_are_in_the_flow_language(teams):
    page = Client().post("/feedback/pl/experience/", {}).content.decode()
    assert "<title>Błąd:" in page
    assert "Wystąpił problem" in page
    assert "Wybierz, jak ogólnie oceniasz swoje doświadczenia z naszymi usługami" in page
    assert '<span class="nhsuk-u-visually-hidden">Błąd: </span>' in page


def test_a_submission_records_its_language_and_switching_keeps_answers(teams):
    client = Client()
    client.post("/feedback/en/experience/", {"fft_answer": "1"})
    # Switching language part-way keeps what was answered.
    assert client.get("/feedback/pa/about-your-feedback/").status_code == 200
    client.post("/feedback/pa/about-your-feedback/", {})
    client.post("/feedback/pa/about-you/", {"skip": "yes"})
    response = client.post("/feedback/pa/contact/", {})
    assert response["Location"] == "/feedback/pa/thank-you/"
    assert "ਤੁਹਾਡੀ ਫੀਡਬੈਕ ਲਈ ਧੰਨਵਾਦ" in client.get(response["Location"]).content.decode()
    assert Submission.objects.get().language == "pa"


def test_easy_read_asks_one_question_a_page_in_plain_words(teams):
    client = Client()
    first = client.get("/feedback/easy-read/how-was-it/").content.decode()
    assert "How was our service?" in first
    assert "Not good and not bad" in first
    assert "Question 1 of 14" in first
    answers = {
        "how-was-it": {"fft_answer": "3"},
        "what-was-good": {"what_was_good": "The garden"},
        "who-are-you": {"respondent_type": "patient"},
        "if-we-are-worried": {"may_contact_if_worried": "no"},
    }
    url = "/feedback/easy-read/how-was-it/"
    for _ in range(20):
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        page = client.get(url).content.decode()
        assert page.count("<h1") == 1
        assert sum(page.count(tag) for tag in ("<fieldset", "<textarea", "<select")) == 1
        url = client.post(url, answers.get(slug, {"skip": "yes"}))["Location"]
        if url.endswith("/thank-you/"):
            break
    assert url == "/feedback/easy-read/thank-you/"
    submission = Submission.objects.get()
    assert (submission.form_version, submission.fft_answer) == ("easy_read", 3)
    assert (submission.what_was_good, submission.respondent_type) == ("The garden", "patient")


def test_every_string_is_translated_and_marked_for_community_review():
    assert i18n_build.problems() == []
    for path in i18n_build.po_files():
        assert polib.pofile(str(path)).metadata["X-Review-Status"] == "for community review"


def test_the_check_finds_an_untranslated_string(tmp_path):
    source = i18n_build.po_files()[0]
    broken = tmp_path / "django.po"
    catalogue = polib.pofile(str(source))
    catalogue.find("Send feedback").msgstr = ""
    catalogue.metadata["X-Review-Status"] = "reviewed"
    catalogue.save(str(broken))
    found = i18n_build.problems([broken], i18n_build.FEEDBACK)
    assert any("no translation for 'Send feedback'" in problem for problem in found)
    assert any("X-Review-Status" in problem for problem in found)


def test_compiled_catalogues_match_their_po_files(tmp_path):
    for source in i18n_build.po_files():
        copy = tmp_path / source.parents[3].name / source.parent.parent.name / "django.po"
        copy.parent.mkdir(parents=True)
        copy.write_bytes(source.read_bytes())
        (mo,) = i18n_build.compile_all([copy])
        compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(mo))}
        expected = {e.msgid: e.msgstr for e in polib.pofile(str(source)) if e.msgstr}
        assert {k: v for k, v in compiled.items() if k} == expected


def test_easy_read_yes_to_contact_if_worried_needs_a_way_to_contact(teams):
    client = Client()
    url = "/feedback/easy-read/how-was-it/"
    client.post(url, {"fft_answer": "4"})
    for slug in ("what-was-good", "what-could-be-better", "who-are-you", "which-team"):
        client.post(f"/feedback/easy-read/{slug}/", {})
    for slug in ("ethnic-group", "sex", "gender", "age", "health-condition", "religion",
                 "sexual-orientation", "contact"):  # fmt: skip
        client.post(f"/feedback/easy-read/{slug}/", {"skip": "yes"})
    refused = client.post(
        "/feedback/easy-read/if-we-are-worried/", {"may_contact_if_worried": "yes"}
    )
    assert refused.status_code == 200
    assert "We do not have your phone number or email address" in refused.content.decode()
    assert not Submission.objects.exists()
    client.post("/feedback/easy-read/contact/", {"phone": "01632 960 001"})
    sent = client.post("/feedback/easy-read/if-we-are-worried/", {"may_contact_if_worried": "yes"})
    assert sent["Location"] == "/feedback/easy-read/thank-you/"
    contact = Submission.objects.get().contact_details
    assert (contact.phone, contact.may_contact_if_worried) == ("01632 960 001", True)


def test_hidden_words_for_screen_readers_are_translated_too(teams):
    page = Client().get("/feedback/pl/experience/").content.decode()
    for english in ("homepage", "Urgent advice", "Skip to main content", "Support links"):
        assert english not in page
    assert "Pilna porada: " in page and "Pilna porada::" not in page
    assert 'aria-label="NHS – Podziel się opinią"' in page
