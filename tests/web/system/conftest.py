"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser) against
Django's live server, with axe-core for accessibility.

One browser for the whole session and a fresh context (cookies, storage) per test.
Without chromium the tests are skipped with the reason, unless PCREF_REQUIRE_BROWSER is
set (CI sets it), when they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

# Heavy imports the pages make on first use (pandas, via disclosure control) happen here,
# once, rather than inside the first page a test times.
import pcref.disclosure  # noqa: F401

expect.set_options(timeout=10_000)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: axe-core rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = (
            "Debian's chromium is not installed (apt-get install chromium); "
            "browser tests need it and never download a browser"
        )
        if os.environ.get("PCREF_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop unless told it is safe; it is, as the tests use the
    # ORM synchronously between browser steps. Set only while the browser is open.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class BrowserProblems:
    """Console errors (CSP violations included) and uncaught script errors on a page."""

    messages: list[str] = field(default_factory=list)


@pytest.fixture
def problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def context(browser, live_server, problems) -> Iterator:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context, problems):
    page = context.new_page()

    def on_console(message) -> None:
        if message.type not in ("error", "warning"):
            return
        # An error page's own status (404, 403) is logged as a failed load of the document.
        if message.text.startswith("Failed to load resource") and message.location.get(
            "url"
        ) == page.url.split("#")[0]:
            return
        problems.messages.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.messages.append(f"script error: {error}"))
    yield page
    assert problems.messages == [], "the browser reported problems:\n" + "\n".join(
        problems.messages
    )


@pytest.fixture
def sign_in_as(context, live_server):
    """Put a signed-in session for ``user`` into the browser (the sign-in form itself is
    exercised by the keyboard journey)."""

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def check_accessibility(axe):
    """Zero axe violations for WCAG 2.0/2.1/2.2 A and AA, plus the checks
    manage-breast-screening adds: one main landmark, one h1, a title, and no two links
    with the same text going to different places."""

    def check(page) -> None:
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        results = axe.run(page, options=options)
        assert results.violations_count == 0, results.generate_report()
        assert page.locator("main").count() == 1
        assert page.locator("h1").count() == 1
        assert page.title().strip()
        links = page.evaluate(
            """() => [...document.querySelectorAll('a[href]')]
                .filter(a => a.offsetParent !== null)
                .map(a => [a.innerText.trim().replace(/\\s+/g, ' '), a.getAttribute('href')])"""
        )
        targets: dict[str, set[str]] = {}
        for text, href in links:
            targets.setdefault(text.lower(), set()).add(href)
        ambiguous = {text: hrefs for text, hrefs in targets.items() if len(hrefs) > 1}
        assert not ambiguous, f"links with the same text go to different places: {ambiguous}"

    return check


# Reflow (WCAG 1.4.10): the one 320 px check every browser test uses.
#: Waits until web fonts are loaded and two frames have been laid out after the resize, then
#: until the page is no wider than the viewport (charts redraw for their new width after the
#: resize event): on a loaded machine the first reading can be of the old layout.
_SETTLED = """async () => {
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
_OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
#: The element reaching furthest right, to name in the failure.
_WIDEST = """() => {
  let widest = null;
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    if (!widest || right > widest.right) widest = {right, tag: el.tagName.toLowerCase(),
      id: el.id, cls: el.className && el.className.baseVal === undefined ? el.className : ''};
  }
  return widest;
}"""


@pytest.fixture
def check_reflow():
    """No sideways scrolling at 320 CSS pixels wide (WCAG 1.4.10 Reflow): resizes ``page``,
    lets the layout settle, and fails naming how far the page overflows and the element
    reaching furthest right."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    def check(page) -> None:
        page.set_viewport_size({"width": 320, "height": 800})
        page.evaluate(_SETTLED)
        try:
            page.wait_for_function(f"{_OVERFLOW} <= 0", polling="raf", timeout=5_000)
        except PlaywrightTimeoutError:
            overflow = page.evaluate(_OVERFLOW)
            raise AssertionError(
                f"{page.url} scrolls sideways by {overflow}px at 320px wide; "
                f"furthest right: {page.evaluate(_WIDEST)}"
            ) from None

    return check
