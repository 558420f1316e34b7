"""Focus-group sessions of "Samen leven in Ninove" in a real Chromium: registering as a
guest on a phone in Arabic (waiting list by group quota, the last seat, cancelling),
accessibility and CSP on the public and staff pages, registering without
JavaScript, and checking people in on the roster on a phone.

Elements are found by id, name, value and role, never by translated words (the UI strings
are not all translated). What happened is checked in the live server's database.

The seeded sessions (seeds/focusgroups.py), in the order they are created:

1. in person in Dutch with Arabic interpretation, 12 places, at least 40% newcomers and
   40% long-term residents: at least ceil(4.8) = 5 seats are kept for each group, so each
   group may hold at most 12 - 10 + 5 = 7. Seeded: 11 confirmed (7 long-term residents,
   4 newcomers) and 2 long-term residents on the waiting list — the one place left is for
   a newcomer;
2. online in French, 8 places, nobody registered;
3. in the past, with attendance and a transcript of 60 turns.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.browser.conftest import Watched

pytestmark = pytest.mark.browser

LAB = "samen-leven-ninove"
PUBLIC = f"/m/ninove/labs/{LAB}/sessions/"
MANAGE = f"/m/ninove/manage/labs/{LAB}/sessions/"
MODERATOR = "moderator@ninove.demo"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
NEWCOMER, LONG_TERM = "FG_GROUP_1", "FG_GROUP_2"
REGISTRATION = "SELECT {} FROM focus_registration WHERE token_hash = ?"
COUNT = "SELECT count(*) FROM focus_registration WHERE session_id = ? AND status = ?"
COUNT_GROUP = COUNT + " AND group_code = ?"


# -- Helpers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sessions(live_db) -> dict[int, int]:
    """The demo sessions' ids: {1: in person in Dutch, 2: online in French, 3: past}."""
    query = ("SELECT s.id FROM focus_session s JOIN lab l ON l.id = s.lab_id "
             "WHERE l.slug = ? ORDER BY s.id LIMIT 1 OFFSET ?")
    ids = {number: live_db(query, LAB, number - 1) for number in (1, 2, 3)}
    assert all(ids.values()), f"the demo focus-group sessions are missing: {ids}"
    return ids


def _path(watched: Watched) -> str:
    """The current address without scheme, host, port and fragment."""
    return re.sub(r"^https?://[^/]+", "", watched.page.url).split("#")[0]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _assert_direction(watched: Watched, lang: str) -> None:
    state = watched.page.evaluate("""() => ({lang: document.documentElement.lang,
        dir: document.documentElement.dir,
        main: getComputedStyle(document.querySelector('main')).direction})""")
    expected = "rtl" if lang == "ar" else "ltr"
    assert state == {"lang": lang, "dir": expected, "main": expected}, \
        f"{_path(watched)}: {state}"


def _assert_no_horizontal_scroll(watched: Watched) -> None:
    widths = watched.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"{_path(watched)}: horizontal scroll: {widths}"


def _register(watched: Watched, lang: str, session_id: int, *, name: str, email: str,
              phone: str | None = None, group: str | None = None,
              interpretation: str | None = None, childcare: bool = False,
              check=None) -> str:
    """Fill in the public registration form as a guest, send it, and return the token of
    the status page it leads to. ``check(watched)`` runs on the filled-in form first."""
    watched.goto(f"/{lang}{PUBLIC}{session_id}/")
    _assert_direction(watched, lang)
    page = watched.page
    page.fill("#guest_name", name)
    page.fill("#guest_email", email)
    if phone:
        page.fill("#guest_phone", phone)
    if group:
        page.check(f"input[name=FG_GROUP][value={group}]")
    if interpretation:
        page.select_option("select[name=interpretation_language]", interpretation)
    if childcare:
        page.check("input[name=needs_childcare]")
    page.check("input[name=consent_participation]")
    page.check("input[name=consent_audio]")
    if check is not None:
        check(watched)
    with page.expect_navigation(wait_until="load"):
        page.click("section[aria-labelledby=register-title] form button[type=submit]")
    match = re.fullmatch(rf"/{lang}/registrations/([A-Za-z0-9_-]+)", _path(watched))
    assert match, f"not on a registration status page: {_path(watched)}"
    return match.group(1)


# -- 1. Group quota, waiting list, the last seat, cancelling ---------------------------


@pytest.mark.browser
def test_group_quota_waitlist_last_seat_and_cancel(new_page, live_db, sessions):
    session = sessions[1]
    capacity = live_db("SELECT capacity FROM focus_session WHERE id = ?", session)
    # The seeded state (this is the first test to write to session 1): 12 places, at least
    # 40% of each group, so at most 7 long-term residents — and they are all taken.
    assert capacity == 12
    assert live_db(COUNT_GROUP, session, "confirmed", LONG_TERM) == 7
    assert live_db(COUNT_GROUP, session, "confirmed", NEWCOMER) == 4
    assert live_db(COUNT, session, "waitlisted") == 2
    first_waiting = live_db(
        "SELECT id FROM focus_registration WHERE session_id = ? AND status = 'waitlisted' "
        "ORDER BY created_at, id LIMIT 1", session)

    # A long-term resident registers in Arabic on a phone. One place is free, but it is kept
    # for a newcomer: the quota of their group is full, so the waiting list.
    phone = new_page(locale="ar", **PHONE)
    long_term = _register(phone, "ar", session, name="سامي الاختبار",
                          email="sami.longterm@example.org", phone="+32 470 12 34 56",
                          group=LONG_TERM, interpretation="ar", childcare=True,
                          check=_assert_no_horizontal_scroll)
    _assert_direction(phone, "ar")
    _assert_no_horizontal_scroll(phone)
    assert phone.page.locator("main [role=status]").first.is_visible()
    stored = {column: live_db(REGISTRATION.format(column), _hash(long_term))
              for column in ("status", "language", "group_code", "interpretation_language",
                             "needs_childcare", "guest_phone", "consent_audio")}
    assert stored == {"status": "waitlisted", "language": "ar", "group_code": LONG_TERM,
                      "interpretation_language": "ar", "needs_childcare": 1,
                      "guest_phone": "+32 470 12 34 56", "consent_audio": 1}
    assert live_db(COUNT, session, "confirmed") == capacity - 1
    assert live_db(COUNT, session, "waitlisted") == 3
    phone.assert_clean()

    # A newcomer takes the last place: the session is full.
    desktop = new_page()
    newcomer = _register(desktop, "en", session, name="Nadia Test",
                         email="nadia.newcomer@example.org", group=NEWCOMER)
    assert live_db(REGISTRATION.format("status"), _hash(newcomer)) == "confirmed"
    assert live_db(COUNT, session, "confirmed") == capacity, "the session must be full"
    desktop.assert_clean()

    # The newcomer cancels from the status page. Nobody on the waiting list may take the
    # seat — they are all long-term residents, whose group is at its most — so it stays free.
    desktop.goto(f"/en/registrations/{newcomer}")
    with desktop.page.expect_navigation(wait_until="load"):
        desktop.page.click("main form[method=post] button[type=submit]")
    assert _path(desktop) == f"/en/registrations/{newcomer}"
    assert live_db(REGISTRATION.format("status"), _hash(newcomer)) == "cancelled"
    assert desktop.page.locator("main form[method=post] button[type=submit]").count() == 0
    assert live_db("SELECT status FROM focus_registration WHERE id = ?",
                   first_waiting) == "waitlisted"
    assert live_db(COUNT_GROUP, session, "confirmed", LONG_TERM) == 7   # the group's limit
    assert live_db(COUNT, session, "confirmed") == capacity - 1
    assert live_db(COUNT, session, "waitlisted") == 3
    desktop.assert_clean()

    # The phone's status page still works and stays right-to-left.
    phone.goto(f"/ar/registrations/{long_term}")
    _assert_direction(phone, "ar")
    _assert_no_horizontal_scroll(phone)


# -- 2. Accessibility and CSP --------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "nl", "ar"])
def test_session_pages_are_accessible_and_csp_clean(new_page, check_a11y, sessions, lang):
    watched = new_page(locale=lang)
    for number in (1, 2):
        url = f"/{lang}{PUBLIC}{sessions[number]}/"
        watched.goto(url)
        _assert_direction(watched, lang)
        assert watched.page.locator("main#main h1").first.is_visible()
        assert watched.page.locator("input[name=consent_participation]").count() == 1
        check_a11y(watched, f"session {number} ({url})")
        watched.assert_clean()


@pytest.mark.browser
def test_registration_status_page_is_accessible_in_arabic(new_page, check_a11y, live_db,
                                                          sessions):
    watched = new_page(locale="ar", **PHONE)
    token = _register(watched, "ar", sessions[2], name="ليلى الاختبار",
                      email="layla.status@example.org")
    assert live_db(REGISTRATION.format("status"), _hash(token)) == "confirmed"
    assert live_db(REGISTRATION.format("language"), _hash(token)) == "ar"
    _assert_direction(watched, "ar")
    _assert_no_horizontal_scroll(watched)
    check_a11y(watched, "registration status page (ar, confirmed)")
    watched.assert_clean()
    # … and once cancelled.
    with watched.page.expect_navigation(wait_until="load"):
        watched.page.click("main form[method=post] button[type=submit]")
    assert live_db(REGISTRATION.format("status"), _hash(token)) == "cancelled"
    _assert_direction(watched, "ar")
    check_a11y(watched, "registration status page (ar, cancelled)")
    watched.assert_clean()


@pytest.mark.browser
def test_staff_pages_are_accessible_and_csp_clean(page, check_a11y, sign_in, live_db,
                                                  sessions):
    sign_in(page, MODERATOR)
    transcript = live_db("SELECT id FROM focus_transcript WHERE session_id = ? ORDER BY id",
                         sessions[3])
    assert live_db("SELECT count(*) FROM focus_turn WHERE transcript_id = ?", transcript) == 60
    upcoming, past = sessions[1], sessions[3]
    pages = [
        ("manage page", "en", f"{upcoming}"),
        ("manage page of the past session", "en", f"{past}"),
        ("roster", "en", f"{upcoming}/roster"),
        ("sign-in sheet", "en", f"{upcoming}/sign-in-sheet"),
        ("transcripts", "en", f"{past}/transcripts"),
        ("transcript", "en", f"{past}/transcripts/{transcript}"),
        ("report", "en", f"{past}/report"),
        ("manage page", "ar", f"{upcoming}"),
    ]
    for label, lang, tail in pages:
        url = f"/{lang}{MANAGE}{tail}"
        page.goto(url)
        _assert_direction(page, lang)
        assert page.page.locator("main#main h1").first.is_visible(), url
        check_a11y(page, f"{label} ({url})")
        page.assert_clean()
    # The transcript page shows every turn.
    page.goto(f"/en{MANAGE}{past}/transcripts/{transcript}")
    assert page.page.locator("main ol.turns > li").count() == 60


# -- 3. Without JavaScript -----------------------------------------------------------------


@pytest.mark.browser
def test_guest_registration_works_without_javascript(new_page, live_db, sessions):
    watched = new_page(locale="fr", java_script_enabled=False)
    token = _register(watched, "fr", sessions[2], name="Claire Sans-JS",
                      email="claire.nojs@example.org", phone="0470 00 00 00")
    assert live_db(REGISTRATION.format("status"), _hash(token)) == "confirmed"
    assert live_db(REGISTRATION.format("language"), _hash(token)) == "fr"
    assert live_db(REGISTRATION.format("session_id"), _hash(token)) == sessions[2]
    assert watched.page.locator("main form[method=post] button[type=submit]").is_visible()


# -- 4. The roster on a phone ---------------------------------------------------------------


@pytest.mark.browser
def test_roster_check_in_on_a_phone(new_page, sign_in, live_db, sessions):
    session = sessions[3]
    person = live_db("SELECT id FROM focus_registration WHERE session_id = ? "
                     "AND status = 'confirmed' AND coalesce(attended, 0) = 0 ORDER BY id", session)
    assert person is not None, "the past session has a no-show (seeded) to check in"
    watched = new_page(**PHONE)
    sign_in(watched, MODERATOR)
    roster = f"/en{MANAGE}{session}/roster"
    watched.goto(roster)
    _assert_no_horizontal_scroll(watched)
    item = watched.page.locator(f"#r{person}")
    assert "is-present" not in (item.get_attribute("class") or "")
    button = item.locator(f"form[action$='/registrations/{person}/present'] button[type=submit]")
    button.scroll_into_view_if_needed()
    assert button.is_visible()
    with watched.page.expect_navigation(wait_until="load"):
        button.tap()
    assert _path(watched) == roster
    assert live_db("SELECT attended FROM focus_registration WHERE id = ?", person) == 1
    assert live_db("SELECT checked_in_at IS NOT NULL FROM focus_registration WHERE id = ?",
                   person) == 1
    assert "is-present" in watched.page.locator(f"#r{person}").get_attribute("class")
    _assert_no_horizontal_scroll(watched)
    watched.assert_clean()
