"""The demo survey "Samen leven in Ninove" in a real Chromium: answering on a phone in
Arabic with save-and-resume on another "device", exactly-once sending, accessibility and
CSP on every survey page, use without JavaScript, and the read-aloud buttons.

Elements are found by id, name, value and role, never by translated words: the UI
strings are not (all) translated in every language. The answers typed in the tests
are the seeded content (option codes such as ``Q6_3``).
"""

from __future__ import annotations

import hashlib
import re

import pytest

from cocreate.config import Defaults
from tests.browser.conftest import _watch

pytestmark = pytest.mark.browser

SURVEY = "/m/ninove/labs/samen-leven-ninove/surveys/samenleven-2026/"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
CROCKFORD = "[0-9A-HJKMNP-TV-Z]"  # the resume code's alphabet: no I, L, O, U
RESUME_CODE = re.compile(rf"^{CROCKFORD}{{4}}(-{CROCKFORD}{{4}}){{5}}-{CROCKFORD}{{2}}$")
RESPONSES = "SELECT count(*) FROM survey_response"
PAGES = 4  # three pages of questions and "About you"


#: Interface languages written right to left.
RTL = {"ar", "fa", "ps"}


def _url(lang: str, tail: str = "") -> str:
    return f"/{lang}{SURVEY}{tail}"


def _path(watched) -> str:
    """The current address without scheme, host and port."""
    return re.sub(r"^https?://[^/]+", "", watched.page.url)


def _submit(watched, selector: str) -> None:
    """Click a submit button (or link) and wait for the page it leads to."""
    with watched.page.expect_navigation(wait_until="load"):
        watched.page.click(selector)


def _action(watched, value: str) -> None:
    """One of the survey page buttons: back, next, later."""
    _submit(watched, f"form.survey-form button[name=action][value={value}]")


def _expected_http_error(watched, status: int) -> None:
    """Forget the console's "Failed to load resource … status of <status>" for the page
    just shown: the app answers a form with errors with 400 and an unknown code with 404."""
    watched.console[:] = [m for m in watched.console
                          if not (m["type"] == "error" and f"status of {status}" in m["text"])]


def _assert_direction(watched, lang: str) -> None:
    state = watched.page.evaluate("""() => ({lang: document.documentElement.lang,
        dir: document.documentElement.dir,
        main: getComputedStyle(document.querySelector('main')).direction})""")
    expected = "rtl" if lang in RTL else "ltr"
    assert state == {"lang": lang, "dir": expected, "main": expected}, \
        f"{_path(watched)}: {state}"


def _assert_phone_page(watched, lang: str) -> None:
    """Right direction, and nothing wider than the phone's screen."""
    _assert_direction(watched, lang)
    widths = watched.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"{_path(watched)}: horizontal scroll on a phone: {widths}"


def _assert_on_page(watched, lang: str, number: int) -> None:
    assert _path(watched) == _url(lang, f"page/{number}"), _path(watched)
    progress = watched.page.locator("main progress")
    assert progress.get_attribute("value") == str(number + 1)
    assert progress.get_attribute("max") == str(PAGES)


def _start(watched, lang: str) -> None:
    """The start page: give consent and begin; lands on page 0."""
    watched.goto(_url(lang))
    _assert_direction(watched, lang)
    watched.page.check("#participation")
    watched.page.check("#research")
    _submit(watched, "section.panel form button[type=submit]")
    _assert_on_page(watched, lang, 0)


def _answer_page_0(page) -> None:
    page.check("#q-Q1-Q1_2")          # single choice, required
    page.check("#q-Q2-4")             # Likert 1–5
    page.check("#q-Q3-8")             # scale 0–10
    page.check("#q-Q4-Q4_5")          # multiple choice
    page.check("#q-Q4-Q4_6")


def _answer_page_1(page) -> None:
    for row, point in (("r1", 2), ("r2", 3), ("r3", 1), ("r4", 4), ("r5", 5)):
        page.check(f"#q-Q5-Q5_{row}-{point}")      # grid
    page.check("#q-Q6-Q6_3")                      # opens the conditional Q7
    page.check("#q-Q7-Q7_1")
    page.check("#q-Q7-Q7_2")
    for rank, option in enumerate(["Q8_3", "Q8_1", "Q8_5", "Q8_2", "Q8_4"], start=1):
        page.select_option(f"#q-Q8-{option}", str(rank))   # ranking with <select>s


def _answer_page_2(page) -> None:
    page.check("#q-Q9-6")                          # Likert 1–7
    page.fill("#q-Q10-input", "12")                # number
    page.fill("#q-Q11-input", "2019-05-01")        # date
    page.fill("#q-Q12-input", "جيراني والسوق")      # short text
    page.fill("#q-Q13-input", "دروس اللغة في المساء مع رعاية للأطفال.")  # long text


def _answer_page_3(page) -> None:
    page.check("#q-AY_BIRTH-AY_BIRTH_3")
    page.check("#q-AY_AGE-AY_AGE_3")
    page.check("#q-AY_HOMELANG-AY_HOMELANG_3")


def _read_resume_code(watched) -> str:
    code = watched.page.locator("main p.resume-code code").inner_text().strip()
    assert RESUME_CODE.match(code), f"not a resume code: {code!r}"
    return code


# -- 1 + 2: a whole survey in Arabic on a phone, resumed elsewhere, sent exactly once -----


@pytest.mark.browser
def test_arabic_phone_survey_resume_elsewhere_and_send_exactly_once(new_page, live_db):
    lang = "ar"
    before = live_db(RESPONSES)

    # The first device: start, answer page 0, go on to page 1, save and stop there.
    phone = new_page(locale="ar", **PHONE)
    _start(phone, lang)
    _assert_phone_page(phone, lang)
    _answer_page_0(phone.page)
    _action(phone, "next")
    _assert_on_page(phone, lang, 1)
    _assert_phone_page(phone, lang)
    _action(phone, "later")
    assert _path(phone) == _url(lang, "later")
    _assert_phone_page(phone, lang)
    code = _read_resume_code(phone)
    link = phone.page.locator("main p.resume-link a")
    assert link.get_attribute("href").endswith(_url(lang, "resume/") + code)
    phone.assert_clean()

    # Another device: fresh cookies, only the code.
    other = new_page(locale="ar", **PHONE)
    other.goto(_url(lang, "resume"))
    _assert_phone_page(other, lang)
    other.page.fill("#code", code)
    _submit(other, "main form button[type=submit]")
    _assert_on_page(other, lang, 1)                    # where the first device stopped
    _assert_phone_page(other, lang)

    # The answer given on the first device is still there on page 0.
    _action(other, "back")
    _assert_on_page(other, lang, 0)
    assert other.page.is_checked("#q-Q1-Q1_2")
    assert other.page.is_checked("#q-Q4-Q4_5") and other.page.is_checked("#q-Q4-Q4_6")
    _action(other, "next")
    _assert_on_page(other, lang, 1)

    # Q7 is on the same page as Q6 and, without knowing Q6 yet, shown with a note.
    assert other.page.locator("#q-Q7").is_visible()
    assert other.page.locator("#q-Q7 .condition-note").is_visible()
    _answer_page_1(other.page)
    _action(other, "next")
    _assert_on_page(other, lang, 2)
    _assert_phone_page(other, lang)
    _answer_page_2(other.page)
    _action(other, "next")
    _assert_on_page(other, lang, 3)
    _assert_phone_page(other, lang)
    _answer_page_3(other.page)
    _action(other, "next")

    # The review lists the conditional answer (seeded Arabic labels, not UI strings).
    assert _path(other) == _url(lang, "review")
    _assert_phone_page(other, lang)
    review = other.page.locator("main").inner_text()
    for label in ("جيد", "لا وقت لدي", "لا توجد رعاية للأطفال", "جيراني والسوق"):
        assert label in review, f"{label!r} missing from the review page"
    assert other.page.locator("main .error-summary").count() == 0
    send = "main form input[name=submission_token] ~ button[type=submit]"
    assert other.page.locator(send).is_enabled()
    resend = {name: other.page.locator(f"main form input[name={name}]").get_attribute("value")
              for name in ("csrf_token", "submission_token")}
    assert resend["submission_token"]
    # A second tab keeps the same review page open (like a page kept by the browser).
    stale = _watch(other.page.context)
    stale.goto(_url(lang, "review"))
    _submit(other, send)
    assert _path(other) == _url(lang, "thanks")
    _assert_phone_page(other, lang)
    assert live_db(RESPONSES) == before + 1

    # 2. Exactly once. (a) Back: the review page is not cached (Cache-Control: no-store)
    # and its draft is gone, so the browser shows the start page again, without an error.
    other.page.go_back(wait_until="load")
    if other.page.locator(send).count():  # a browser that kept the page: send again
        _submit(other, send)
        assert _path(other) == _url(lang, "thanks")
    else:
        assert _path(other) == _url(lang), _path(other)
        assert other.page.locator("main .error-summary, main .flash--error").count() == 0
        # … and re-posting the form it sent (what "reload" after sending does) thanks again.
        with other.page.expect_navigation(wait_until="load"):
            other.page.evaluate("""([action, fields]) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement('input');
                    input.type = 'hidden';
                    input.name = name;
                    input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""", [_url(lang, "submit"), resend])
        assert _path(other) == _url(lang, "thanks")
    _assert_phone_page(other, lang)
    assert other.page.locator("main .error-summary, main .flash--error").count() == 0
    # (b) The review page still open in the other tab: click "send" once more.
    _submit(stale, send)
    assert _path(stale) == _url(lang, "thanks")
    _assert_phone_page(stale, lang)
    assert stale.page.locator("main .error-summary, main .flash--error").count() == 0
    stale.assert_clean()
    assert live_db(RESPONSES) == before + 1, "sending again must not store a second response"

    # The response carries the answers of both devices: Q1 from the first, Q7 from the other.
    # (Stored under the SHA-256 of the one-time submission token, never the token itself.)
    key = hashlib.sha256(resend["submission_token"].encode()).hexdigest()
    response = live_db("SELECT id FROM survey_response WHERE submission_key = ?", key)
    assert response is not None
    assert live_db("SELECT language FROM survey_response WHERE id = ?", response) == "ar"
    stored = "SELECT group_concat(option_code) FROM (SELECT option_code FROM survey_answer " \
             "WHERE response_id = ? AND question_code = ? ORDER BY option_code)"
    assert live_db(stored, response, "Q1") == "Q1_2"
    assert live_db(stored, response, "Q6") == "Q6_3"
    assert live_db(stored, response, "Q7") == "Q7_1,Q7_2"


# -- 3. Accessibility and CSP on every page of the survey, in every interface language ---


@pytest.mark.browser
@pytest.mark.parametrize("lang", Defaults.LANGUAGES)
def test_every_survey_page_is_accessible_and_csp_clean(new_page, check_a11y, lang):
    watched = new_page(locale=lang)
    checked = []

    def check(label: str) -> None:
        _assert_direction(watched, lang)
        assert watched.page.locator("main#main h1").first.is_visible(), label
        check_a11y(watched, f"{label} ({_path(watched)})")
        watched.assert_clean()
        checked.append(label)

    watched.goto(_url(lang))
    check("start")
    watched.page.check("#participation")
    _submit(watched, "section.panel form button[type=submit]")
    _assert_on_page(watched, lang, 0)
    check("page 0")

    # A page with an error summary (the required Q1 left empty) is a page too.
    _action(watched, "next")
    _expected_http_error(watched, 400)
    _assert_on_page(watched, lang, 0)
    assert watched.page.locator("main .error-summary").is_visible()
    assert watched.page.locator("#q-Q1-error").is_visible()
    check("page 0 with an error")

    _answer_page_0(watched.page)
    _action(watched, "next")
    for number in range(1, PAGES):
        _assert_on_page(watched, lang, number)
        check(f"page {number}")
        if number < PAGES - 1:
            _action(watched, "next")

    _action(watched, "later")
    assert _path(watched) == _url(lang, "later")
    _read_resume_code(watched)
    check("later")
    continue_now = watched.page.locator(f"main a[href$='/page/{PAGES - 1}']").get_attribute("href")

    watched.goto(_url(lang, "resume"))
    check("resume")
    watched.page.fill("#code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG")  # unknown code: an error
    with watched.page.expect_navigation(wait_until="load"):
        watched.page.click("main form button[type=submit]")
    assert watched.page.locator("#code").get_attribute("aria-invalid") == "true"
    _expected_http_error(watched, 404)
    check("resume with an unknown code")

    watched.goto(continue_now)  # the "continue now" link of the "later" page
    _assert_on_page(watched, lang, PAGES - 1)
    _action(watched, "next")
    assert _path(watched) == _url(lang, "review")
    check("review")
    _submit(watched, "main form input[name=submission_token] ~ button[type=submit]")
    assert _path(watched) == _url(lang, "thanks")
    check("thanks")

    watched.goto(_url(lang, "print"))
    assert watched.page.locator("main .question").count() >= 13
    check("print")
    watched.goto(_url(lang, "poster"))
    assert watched.page.locator("main img.qr").is_visible()
    check("poster")
    assert len(checked) == 13


# -- 4. Without JavaScript --------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_survey_works_without_javascript(new_page, lang):
    watched = new_page(locale=lang, java_script_enabled=False, **PHONE)
    _start(watched, lang)
    _assert_direction(watched, lang)
    # Every question of the page is there, Q7 included; the read-aloud buttons stay hidden.
    assert watched.page.locator("main .question").count() == 4
    assert all(not button.is_visible()
               for button in watched.page.locator("main .read-aloud").all())
    # Without an answer to the required Q1 the page comes back with the error.
    _action(watched, "next")
    _expected_http_error(watched, 400)
    _assert_on_page(watched, lang, 0)
    assert watched.page.locator("#q-Q1-error").is_visible()
    _answer_page_0(watched.page)
    _action(watched, "next")
    _assert_on_page(watched, lang, 1)
    assert watched.page.locator("#q-Q7 .condition-note").is_visible()
    # Back keeps what was answered.
    _action(watched, "back")
    _assert_on_page(watched, lang, 0)
    assert watched.page.is_checked("#q-Q1-Q1_2")


# -- 5. Read aloud ------------------------------------------------------------------------

#: A stand-in for the browser's speech synthesis (headless Chromium has no voices):
#: voices for the languages in ``window.__voiceLangs`` arrive late, with "voiceschanged".
FAKE_SPEECH = """
(() => {
  const synth = new EventTarget();
  let voices = [];
  synth.spoken = [];
  synth.speaking = false;
  synth.getVoices = () => voices;
  synth.speak = (utterance) => {
    synth.speaking = true;
    synth.spoken.push({text: utterance.text, lang: utterance.lang});
  };
  synth.cancel = () => { synth.speaking = false; };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.__loadVoices = (langs) => {
    voices = langs.map((lang) => ({lang, name: 'fake ' + lang}));
    synth.dispatchEvent(new Event('voiceschanged'));
  };
})();
"""


def _read_aloud_states(watched) -> list[bool]:
    buttons = watched.page.locator("main .read-aloud")
    assert buttons.count() == 4, "one read-aloud button per question on page 0"
    return [button.is_visible() for button in buttons.all()]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_read_aloud_buttons_never_break_the_page(new_page, lang):
    # The real browser: the buttons are all hidden (no voice) or all shown.
    real = new_page(locale=lang, **PHONE)
    _start(real, lang)
    # Shown exactly when the browser has a voice for the page language (voices may load late).
    real.page.wait_for_function("""() => {
        const lang = document.documentElement.lang.split('-')[0];
        const voice = !!window.speechSynthesis && window.speechSynthesis.getVoices()
            .some((v) => (v.lang || '').toLowerCase().split('-')[0] === lang);
        return [...document.querySelectorAll('main .read-aloud')]
            .every((b) => (b.offsetParent !== null) === voice);
    }""", timeout=3_000)
    states = _read_aloud_states(real)
    assert len(set(states)) == 1, f"some read-aloud buttons shown, some not: {states}"
    if not states[0]:
        assert real.page.locator("main .read-aloud[hidden]").count() == 4
    real.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_read_aloud_with_a_voice_reads_the_question(new_page, check_a11y, lang):
    watched = new_page(locale=lang, **PHONE)
    watched.page.context.add_init_script(FAKE_SPEECH)
    _start(watched, lang)
    assert _read_aloud_states(watched) == [False] * 4, "no voice yet: the buttons stay hidden"

    # Voices for another language only: still hidden.
    watched.page.evaluate("window.__loadVoices(['xx-XX'])")
    assert _read_aloud_states(watched) == [False] * 4

    # A fresh page whose language has a voice that arrives late: the buttons appear.
    watched.page.reload(wait_until="load")
    watched.page.evaluate(f"window.__loadVoices(['{lang}-XX', 'de-DE'])")
    assert _read_aloud_states(watched) == [True] * 4
    widths = watched.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll with the buttons shown: {widths}"
    check_a11y(watched, f"page 0 with read-aloud buttons ({lang})")

    button = watched.page.locator("#q-Q1 .read-aloud")
    original = button.inner_text()
    button.click()
    assert button.inner_text() == button.get_attribute("data-label-speaking")
    spoken = watched.page.evaluate("window.speechSynthesis.spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == lang
    question = watched.page.locator("#q-Q1 legend span").first.inner_text()
    assert question in spoken[0]["text"]
    assert watched.page.locator("#q-Q1-Q1_2 + label").inner_text() in spoken[0]["text"]
    button.click()  # stop
    assert button.inner_text() == original
    assert not watched.page.evaluate("window.speechSynthesis.speaking")
    watched.assert_clean()
