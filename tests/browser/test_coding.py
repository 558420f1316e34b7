"""Qualitative coding in a real Chromium: a passage selected after an emoji in Arabic text
is stored with code-point offsets (as the server counts), a whole text is coded without
JavaScript, and the coding pages are accessible and CSP-clean in English and Arabic.

Elements are found by id, name and class, never by translated words. What happened is
checked in the live server's database. The demo lab's codebook and first codings come
from seeds/research.py.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Watched

pytestmark = pytest.mark.browser

LAB = "samen-leven-ninove"
CODING = f"/m/ninove/manage/labs/{LAB}/coding"
RESEARCHER = "researcher@ninove.demo"
MODERATOR = "moderator@ninove.demo"
#: Written into the first (facilitator) turn of the demo transcript by the moderator.
EDITED_TURN = "Welkom 👋🏽 allemaal. نريد دروسا في المساء، مع رعاية الأطفال"
PASSAGE = "دروسا في المساء"

FIRST_TURN = """SELECT t.id FROM focus_turn t JOIN focus_transcript tr ON tr.id = t.transcript_id
    JOIN focus_session s ON s.id = tr.session_id JOIN lab l ON l.id = s.lab_id
    WHERE l.slug = ? AND t.position = 0 ORDER BY t.id LIMIT 1"""


@pytest.fixture(scope="module")
def _states() -> dict:
    return {}


@pytest.fixture
def signed_in(new_page, sign_in, _states):
    def make(email: str, **options) -> Watched:
        if email not in _states:
            watched = new_page()
            sign_in(watched, email)
            _states[email] = watched.page.context.storage_state()
        return new_page(storage_state=_states[email], **options)

    return make


@pytest.fixture
def emoji_turn(signed_in, live_server, live_db):
    """The first turn of the demo transcript, edited by the moderator to hold an emoji and
    Arabic; returns (transcript id, turn id)."""
    turn = live_db(FIRST_TURN, LAB)
    transcript, session = (live_db("SELECT transcript_id FROM focus_turn WHERE id = ?", turn),
                           live_db("SELECT tr.session_id FROM focus_turn t JOIN focus_transcript tr "
                                   "ON tr.id = t.transcript_id WHERE t.id = ?", turn))
    if live_db("SELECT text FROM focus_turn WHERE id = ?", turn) != EDITED_TURN:
        watched = signed_in(MODERATOR)
        url = f"/en/m/ninove/manage/labs/{LAB}/sessions/{session}/transcripts/{transcript}"
        watched.goto(url)
        token = watched.page.locator("input[name=csrf_token]").first.input_value()
        response = watched.page.request.post(live_server + url, max_redirects=0, form={
            "csrf_token": token, "action": "edit", "turn_id": str(turn), "text": EDITED_TURN,
            "language": "ar"})
        assert response.status == 302, response.status
        assert live_db("SELECT text FROM focus_turn WHERE id = ?", turn) == EDITED_TURN
    return transcript, turn


def _code_id(live_db, key: str) -> int:
    return live_db("SELECT c.id FROM research_code c JOIN lab l ON l.id = c.lab_id "
                   "WHERE l.slug = ? AND c.key = ?", LAB, key)


def test_a_selected_passage_is_stored_in_code_points(signed_in, emoji_turn, live_db):
    transcript, turn = emoji_turn
    watched = signed_in(RESEARCHER)
    page = watched.page
    watched.goto(f"/en{CODING}/sources/transcript-{transcript}")
    unit = page.locator(f"li#unit-turn-{turn}")
    text = unit.locator("p.unit-text")
    assert text.get_attribute("lang") == "ar" and text.get_attribute("dir") == "rtl"
    assert text.text_content() == EDITED_TURN

    # Select the passage (a range inside the unit's text) the way a mouse leaves it.
    text.scroll_into_view_if_needed()
    page.evaluate("""([id, passage]) => {
        const node = document.getElementById(id).firstChild;
        const at = node.data.indexOf(passage);
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + passage.length);
        const selection = window.getSelection();
        selection.removeAllRanges(); selection.addRange(range);
        document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", [f"text-turn-{turn}", PASSAGE])
    form = unit.locator("form.coding-form")
    start = EDITED_TURN.index(PASSAGE)  # Python counts code points; the emoji before it is 2 of them
    assert len(EDITED_TURN[:start].encode("utf-16-le")) // 2 == start + 2
    assert form.locator("input.coding-start").input_value() == str(start)
    assert form.locator("input.coding-end").input_value() == str(start + len(PASSAGE))
    assert form.locator(".coding-quote").is_visible()
    assert form.locator(".coding-quote-text").text_content() == PASSAGE

    code = _code_id(live_db, "language-courses")
    form.locator("select[name=code]").select_option(str(code))
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()
    stored = live_db("SELECT start_pos || ':' || end_pos FROM research_coding WHERE unit_kind = 'turn' "
                     "AND unit_id = ? AND code_id = ? AND start_pos IS NOT NULL ORDER BY id DESC", turn, code)
    assert stored == f"{start}:{start + len(PASSAGE)}"
    assert re.sub(r"^https?://[^/]+", "", page.url).startswith(f"/en{CODING}/sources/transcript-{transcript}")
    assert page.locator(f"li#unit-turn-{turn} ul.unit-codings q").first.text_content() == PASSAGE

    # "Code the whole text instead" clears the passage again.
    page.evaluate("""(id) => {
        const node = document.getElementById(id).firstChild;
        const range = document.createRange(); range.setStart(node, 0); range.setEnd(node, 6);
        window.getSelection().removeAllRanges(); window.getSelection().addRange(range);
        document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", f"text-turn-{turn}")
    form = page.locator(f"li#unit-turn-{turn} form.coding-form")
    assert form.locator("input.coding-end").input_value() == "6"
    form.locator("button.coding-clear").click()
    assert form.locator("input.coding-start").input_value() == ""
    assert not form.locator(".coding-quote").is_visible()


def test_a_whole_text_is_coded_without_javascript(signed_in, emoji_turn, live_db):
    transcript, turn = emoji_turn
    watched = signed_in(RESEARCHER, java_script_enabled=False)
    page = watched.page
    watched.goto(f"/en{CODING}/sources/transcript-{transcript}")
    code = _code_id(live_db, "belonging-meeting")
    form = page.locator(f"li#unit-turn-{turn} form.coding-form")
    form.locator("select[name=code]").select_option(str(code))
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()
    assert live_db("SELECT count(*) FROM research_coding WHERE unit_kind = 'turn' AND unit_id = ? "
                   "AND code_id = ? AND start_pos IS NULL", turn, code) == 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_coding_pages_are_accessible_and_csp_clean(signed_in, check_a11y, live_db, lang):
    watched = signed_in(RESEARCHER, locale=lang)
    transcript = live_db("SELECT tr.id FROM focus_transcript tr JOIN focus_session s ON s.id = tr.session_id "
                         "JOIN lab l ON l.id = s.lab_id WHERE l.slug = ? ORDER BY tr.id", LAB)
    code = _code_id(live_db, "language")
    for path in ("", "/codebook", f"/sources/transcript-{transcript}", f"/codes/{code}?children=1",
                 f"/codes/{code}/edit", f"/codes/{code}/delete", "/agreement"):
        watched.goto(f"/{lang}{CODING}{path}")
        check_a11y(watched, f"{lang}{CODING}{path}")
    watched.assert_clean()
