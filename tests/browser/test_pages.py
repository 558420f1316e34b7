"""The public pages in a real Chromium: accessibility (axe-core), CSP, right-to-left,
keyboard-only use and small screens. Every page opened through the ``page``/``new_page``
fixtures is also checked for CSP violations and uncaught errors when its test ends."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_PASSWORD, OFFICIAL

pytestmark = pytest.mark.browser

LAB = "/m/ninove/labs/samen-leven-ninove/"
PUBLIC_PAGES = {
    "home": "/",
    "municipality": "/m/ninove/",
    "lab": LAB,
    "login": "/login",
    "registration": "/register",
}
LANGUAGES = ["en", "ar"]


def _url(lang: str, path: str) -> str:
    return f"/{lang}{path}"


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_page_is_accessible_and_csp_clean(page, check_a11y, name, lang):
    url = _url(lang, PUBLIC_PAGES[name])
    page.goto(url)
    assert page.page.locator("main#main h1").first.is_visible()
    check_a11y(page, f"{name} ({url})")
    page.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_arabic_pages_are_right_to_left(page, name):
    page.goto(_url("ar", PUBLIC_PAGES[name]))
    state = page.page.evaluate("""() => ({
        dir: document.documentElement.dir,
        lang: document.documentElement.lang,
        mainDirection: getComputedStyle(document.querySelector('main')).direction,
    })""")
    assert state == {"dir": "rtl", "lang": "ar", "mainDirection": "rtl"}


@pytest.mark.browser
def test_english_pages_are_left_to_right(page):
    page.goto("/en/")
    state = page.page.evaluate("""() => [document.documentElement.dir,
        document.documentElement.lang,
        getComputedStyle(document.querySelector('main')).direction]""")
    assert state == ["ltr", "en", "ltr"]


@pytest.mark.browser
def test_login_error_summary_is_accessible(page, check_a11y):
    page.goto("/en/login")
    page.page.fill("#email", OFFICIAL)
    page.page.fill("#password", "not-the-password")
    with page.page.expect_navigation():
        page.page.click("main form button[type=submit]")
    summary = page.page.locator(".error-summary")
    summary.wait_for(state="visible")
    assert summary.get_attribute("role") == "alert"
    assert page.page.locator("#password").get_attribute("aria-invalid") == "true"
    check_a11y(page, "login after a failed sign-in")
    page.assert_clean()


@pytest.mark.browser
def test_lab_edit_page_is_accessible_for_an_official(page, check_a11y, sign_in):
    sign_in(page, OFFICIAL)
    page.goto("/en/m/ninove/manage/labs/samen-leven-ninove")
    assert page.page.locator("main h1").first.is_visible()
    assert page.page.locator("main form").count() >= 2
    check_a11y(page, "lab edit page (official)")
    page.assert_clean()


@pytest.mark.browser
def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/en/login")
    keyboard = page.page.keyboard
    keyboard.press("Tab")
    first = page.page.evaluate("""() => ({cls: document.activeElement.className,
                                          href: document.activeElement.getAttribute('href')})""")
    assert first == {"cls": "skip-link", "href": "#main"}
    assert page.page.locator(".skip-link").is_visible(), "the focused skip link must be visible"
    keyboard.press("Enter")
    page.page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    # From main, the next Tab goes into the content, not back to the header.
    keyboard.press("Tab")
    inside_main = page.page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert inside_main


def _active_id(page) -> str:
    return page.page.evaluate("document.activeElement ? document.activeElement.id : ''")


@pytest.mark.browser
def test_keyboard_only_sign_in(page):
    page.goto("/en/login")
    keyboard = page.page.keyboard
    for _ in range(40):
        keyboard.press("Tab")
        if _active_id(page) == "email":
            break
    else:
        pytest.fail("Tab never reached the e-mail field")
    keyboard.type(OFFICIAL)
    keyboard.press("Tab")
    assert _active_id(page) == "password", "the password field must follow the e-mail field"
    keyboard.type(DEMO_PASSWORD)
    with page.page.expect_navigation():
        keyboard.press("Enter")
    # The official prefers Dutch, so the landing page speaks Dutch; the sign-out form is there.
    page.page.locator("form[action$='/logout'] button[type=submit]").wait_for(state="visible")
    page.goto("/en/")
    sign_out = page.page.get_by_role("button", name="Sign out")
    assert sign_out.is_visible()
    assert page.page.get_by_role("link", name="Manage Ninove").is_visible()
    page.assert_clean()


@pytest.mark.browser
def test_arabic_lab_page_fits_a_small_phone(new_page):
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                    device_scale_factor=2)
    page.goto(_url("ar", LAB))
    widths = page.page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                          inner: window.innerWidth})""")
    assert widths["inner"] == 360
    assert widths["scroll"] <= widths["inner"], f"horizontal scroll on a 360px screen: {widths}"
    page.assert_clean()
