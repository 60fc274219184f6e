"""The public feedback form in a real browser: walked in English and in Polish with axe on
every page, the error-summary pattern in Polish, the easy-read form, and the whole form
with JavaScript switched off (plain posts; axe needs JavaScript, so those pages are checked
by the other walks)."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver
from playwright.sync_api import expect

from pcref.web.feedback.models import Submission, Team


@pytest.fixture
def teams(transactional_db):
    # Load every app's views now, not inside the first page load the browser waits for.
    get_resolver().url_patterns  # noqa: B018
    Team.objects.create(code="T0001", name="Ashford Community Mental Health Team")
    Team.objects.create(code="T0002", name="Canterbury Community Mental Health Team")


def _reference(page) -> str:
    return page.locator(".app-feedback-reference").inner_text().strip()


def test_walk_the_form_in_english(page, teams, check_accessibility):
    page.goto("/feedback/")
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    check_accessibility(page)
    expect(page.get_by_text("Samaritans free on 116 123")).to_be_visible()
    page.get_by_role("button", name="Start now").click()

    expect(page).to_have_url(re.compile(r"/feedback/en/experience/$"))
    check_accessibility(page)
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("What was good?").fill("My care coordinator always called back.")
    page.get_by_label("What could we do better?").fill("The waiting room was cold.")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("About your feedback")
    check_accessibility(page)
    page.get_by_label("I am a carer, friend or family member").check()
    page.get_by_label("Which service or team is your feedback about?").select_option("T0002")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("About you")
    check_accessibility(page)
    page.get_by_label("Black, Black British, Caribbean or African: Caribbean").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Contact details")
    check_accessibility(page)
    page.get_by_role("button", name="Send feedback").click()

    expect(page.locator("h1")).to_have_text("Thank you for your feedback")
    check_accessibility(page)
    expect(page.get_by_text("call NHS 111 and choose the mental health option")).to_be_visible()
    submission = Submission.objects.get()
    assert _reference(page) == submission.reference
    assert (submission.fft_answer, submission.service) == (2, "T0002")
    assert submission.about_you.ethnic_category == "M"


def test_walk_the_form_in_polish_with_the_error_summary(page, teams, check_accessibility):
    page.goto("/feedback/en/")
    page.get_by_role("link", name="Polski").click()
    expect(page).to_have_url(re.compile(r"/feedback/pl/$"))
    assert page.evaluate("document.documentElement.lang") == "pl"
    expect(page.get_by_text("To tłumaczenie czeka na sprawdzenie")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Rozpocznij").click()

    page.get_by_role("button", name="Dalej").click()  # nothing chosen
    assert page.title().startswith("Błąd:")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Wystąpił problem")
    check_accessibility(page)
    summary.get_by_role("link").click()
    expect(page.locator("#id_fft_answer")).to_be_focused()

    page.get_by_label("Bardzo dobrze").check()
    page.get_by_role("button", name="Dalej").click()
    check_accessibility(page)
    page.get_by_role("button", name="Dalej").click()
    check_accessibility(page)
    page.get_by_role("button", name="Pomiń te pytania").click()
    check_accessibility(page)
    page.get_by_role("button", name="Wyślij opinię").click()

    expect(page.locator("h1")).to_contain_text("Dziękujemy za Twoją opinię")
    check_accessibility(page)
    submission = Submission.objects.get()
    assert (submission.language, submission.fft_answer) == ("pl", 1)
    assert _reference(page) == submission.reference


def test_walk_the_easy_read_form(page, teams, check_accessibility):
    page.goto("/feedback/en/")
    page.get_by_role("link", name="Use the easy read form (in English)").click()
    check_accessibility(page)
    page.get_by_role("button", name="Start").click()
    for _ in range(20):
        check_accessibility(page)
        if page.get_by_label("Very good", exact=True).count():
            page.get_by_label("Very good", exact=True).check()
            page.get_by_role("button", name="Continue").click()
        elif page.get_by_role("button", name="Send feedback").count():
            page.get_by_label("No", exact=True).check()
            page.get_by_role("button", name="Send feedback").click()
            break
        elif page.get_by_role("button", name="Skip this question").count():
            page.get_by_role("button", name="Skip this question").click()
        else:
            page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_contain_text("Thank you for telling us")
    check_accessibility(page)
    assert Submission.objects.get().form_version == "easy_read"


def test_the_form_works_without_javascript(browser, live_server, teams):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/feedback/pa/")
        assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
        page.get_by_role("button", name="ਹੁਣੇ ਸ਼ੁਰੂ ਕਰੋ").click()
        page.get_by_label("ਨਾ ਚੰਗਾ ਨਾ ਮਾੜਾ").check()
        page.get_by_label("ਅਸੀਂ ਕੀ ਬਿਹਤਰ ਕਰ ਸਕਦੇ ਹਾਂ?").fill("Interpreter was not booked.")
        page.get_by_role("button", name="ਜਾਰੀ ਰੱਖੋ").click()
        page.get_by_label("ਤੁਹਾਡੀ ਫੀਡਬੈਕ ਕਿਸ ਸੇਵਾ ਜਾਂ ਟੀਮ ਬਾਰੇ ਹੈ?").select_option("T0001")
        page.get_by_role("button", name="ਜਾਰੀ ਰੱਖੋ").click()
        page.get_by_label("ਸਿੱਖ").check()
        page.get_by_role("button", name="ਜਾਰੀ ਰੱਖੋ").click()
        page.get_by_label("ਹਾਂ", exact=True).check()  # may we contact you if worried
        page.get_by_role("button", name="ਫੀਡਬੈਕ ਭੇਜੋ").click()
        # Without a way to contact them, the form says so rather than storing a "yes".
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("ਫ਼ੋਨ ਨੰਬਰ ਜਾਂ ਈਮੇਲ")
        page.get_by_label("ਫ਼ੋਨ ਨੰਬਰ").fill("01632 960 001")
        page.get_by_role("button", name="ਫੀਡਬੈਕ ਭੇਜੋ").click()
        expect(page.locator("h1")).to_contain_text("ਧੰਨਵਾਦ")
        submission = Submission.objects.get()
        assert (submission.language, submission.fft_answer, submission.service) == (
            "pa",
            3,
            "T0001",
        )
        assert submission.about_you.religion == "I"
        assert submission.contact_details.may_contact_if_worried is True
        assert page.locator(".app-feedback-reference").inner_text().strip() == (
            submission.reference
        )
    finally:
        context.close()
