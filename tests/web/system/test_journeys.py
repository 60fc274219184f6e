"""Journeys in a real browser: the main journey by keyboard alone with focus always
visible, the error-summary pattern on forms, signing in with two-factor
authentication, and being locked out."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' '),
    href: el.getAttribute('href'),
    inMain: !!el.closest('main'),
    boxShadow: style.boxShadow,
    outline: [style.outlineStyle, style.outlineWidth, style.outlineColor],
    inViewport: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
      && box.bottom <= window.innerHeight && box.right <= window.innerWidth,
  };
}"""


def _focus_is_visible(stop: dict) -> bool:
    """NHS.UK focus style: a yellow box and a thick black underline (box-shadow), or an
    outline that is actually drawn."""
    style, width, colour = stop["outline"]
    invisible = ("transparent", "rgba(0, 0, 0, 0)")
    outline = style != "none" and width != "0px" and colour not in invisible
    return stop["boxShadow"] != "none" or outline


def tab_until(page, wanted, *, limit: int = 25) -> dict:
    """Press Tab until ``wanted(stop)``; every stop on the way must show its focus, on
    screen (WCAG 2.4.7 Focus Visible, 2.4.11 Focus Not Obscured)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["tag"] != "body":
            assert _focus_is_visible(stop), f"focus is not visible on {stop}"
            assert stop["inViewport"], f"focused element is off screen: {stop}"
        if wanted(stop):
            return stop
    raise AssertionError(f"did not reach the wanted element in {limit} presses of Tab")


def test_main_journey_by_keyboard_alone(page, make_user, password, check_accessibility):
    make_user("sam", "analyst", first_name="Sam", last_name="Okafor")
    page.goto("/")

    # The skip link is the first thing Tab reaches, and it moves focus to the content.
    stop = tab_until(page, lambda s: True, limit=1)
    assert stop["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "maincontent"

    stop = tab_until(page, lambda s: s["inMain"] and s["text"] == "Sign in")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/sign-in/")

    tab_until(page, lambda s: s["id"] == "id_username")
    page.keyboard.type("sam")
    tab_until(page, lambda s: s["id"] == "id_password", limit=1)
    page.keyboard.type(password)
    tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Sign in", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("You are signed in as Sam Okafor")

    tab_until(page, lambda s: s["text"] == "Dashboard" and s["href"] == "/dashboard/")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/dashboard/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    check_accessibility(page)

    tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Sign out")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/sign-in/")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")
    check_accessibility(page)


def test_sign_in_errors_follow_the_error_summary_pattern(page, check_accessibility):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()

    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()  # so screen readers announce it first
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    check_accessibility(page)

    for message, field_id in [
        ("Enter your username", "id_username"),
        ("Enter your password", "id_password"),
    ]:
        summary.get_by_role("link", name=message).click()
        field = page.locator(f"#{field_id}")
        expect(field).to_be_focused()
        described_by = field.get_attribute("aria-describedby").split()
        assert f"{field_id}-error" in described_by
        expect(page.locator(f"#{field_id}-error")).to_contain_text(message)


def test_two_factor_set_up_errors_follow_the_pattern(
    page, users, sign_in_as, check_accessibility
):
    sign_in_as(users["viewer"])
    page.goto("/account/two-factor/set-up/")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="The security code must be 6 numbers").click()
    expect(page.get_by_label("Security code")).to_be_focused()
    check_accessibility(page)


def test_signing_in_with_two_factor(page, make_user, password, totp_code, check_accessibility):
    user = make_user("sam", "viewer", first_name="Sam", last_name="Okafor")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/sign-in/security-code/")
    expect(page.locator("h1")).to_have_text("Enter your security code")
    expect(page.get_by_role("link", name="Back")).to_have_attribute("href", "/sign-in/")
    check_accessibility(page)

    page.get_by_label("Enter your security code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("You are signed in as Sam Okafor")


@pytest.mark.parametrize("attempts", [5])
def test_being_locked_out(page, make_user, attempts, check_accessibility):
    make_user("sam", "viewer")
    page.goto("/sign-in/")
    for attempt in range(attempts):
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password", exact=True).fill(f"wrong-password-{attempt}")
        with page.expect_response(lambda r: r.url.endswith("/sign-in/")) as response:
            page.get_by_role("button", name="Sign in").click()
    assert response.value.status == 429
    expect(page.locator("h1")).to_have_text("Your account is locked for now")
    check_accessibility(page)


def test_from_the_biggest_gaps_to_a_download_by_keyboard_alone(
    page, make_user, password, sample_results_run, check_accessibility
):
    """The main journey on results: sign in, the biggest gaps, a gap's metric page, another
    period chosen and shown, the CSV download, every step by keyboard with focus visible
    and on screen, and focus free to move back and forth (no keyboard trap)."""
    make_user("sam", "analyst", first_name="Sam", last_name="Okafor")
    page.goto("/sign-in/")
    tab_until(page, lambda s: s["id"] == "id_username")
    page.keyboard.type("sam")
    tab_until(page, lambda s: s["id"] == "id_password", limit=1)
    page.keyboard.type(password)
    tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Sign in", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("You are signed in as Sam Okafor")

    tab_until(page, lambda s: s["text"] == "Dashboard" and s["href"] == "/dashboard/")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/dashboard/")
    tab_until(page, lambda s: s["inMain"] and s["text"] == "Where are the biggest gaps")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/dashboard/gaps/")

    # The largest gap in the sample run: Black or Black British people, section 136, 3.0
    # times the rate of White people in 2024-25.
    stop = tab_until(
        page, lambda s: s["inMain"] and (s["href"] or "").startswith("/dashboard/metrics/"),
        limit=40,
    )
    assert stop["href"].startswith("/dashboard/metrics/mha_s136/"), stop
    assert "Black or Black British" in stop["text"], stop  # the link names its group
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Uses of section 136 of the Mental Health Act")
    period = page.locator("#id_period")
    expect(period).to_have_value("2024-25")

    tab_until(page, lambda s: s["id"] == "id_period", limit=40)
    page.keyboard.type("2023")  # a select chooses the option its typed text starts
    expect(period).to_have_value("2023-24")
    tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Show figures", limit=5)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]period=2023-24(&|$)"))
    expect(page.locator("#id_period")).to_have_value("2023-24")
    expect(page.locator("main")).to_contain_text("2023-24")

    download_link = tab_until(
        page, lambda s: s["text"] == "Download these figures (CSV)", limit=60
    )
    assert "period=2023-24" in download_link["href"], download_link
    # No trap: focus leaves the link backwards and comes back to it.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED)["text"] != download_link["text"]
    tab_until(page, lambda s: s["text"] == "Download these figures (CSV)", limit=5)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "mha_s136-2023-24-ethnicity_5.csv"
    with open(download.value.path(), encoding="utf-8") as csv_file:
        text = csv_file.read()
    assert "Black or Black British" in text and "2023-24" in text
    check_accessibility(page)
