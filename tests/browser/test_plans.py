"""Draft plans in a real Chromium: commenting on a selected passage in Arabic and
supporting a comment, stored XSS through every text people and staff can write (comments,
plan versions, titles, change notes, moderation reasons, answers), accessibility and CSP
on the public and staff pages, and commenting without JavaScript.

Elements are found by id, name, value, class and role, never by translated words (the UI
strings are being translated). What happened is checked in the live server's database.

The demo plan (seeds/plans.py) has two published versions; the current one has nine
paragraphs and its comment period is open.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.browser.conftest import LIVE_DATABASE, Watched

pytestmark = pytest.mark.browser

LAB = "samen-leven-ninove"
PLAN = "integratieplan-2026"
PUBLIC = f"/m/ninove/labs/{LAB}/plans/"
MANAGE = f"/m/ninove/manage/labs/{LAB}/plans/"
OFFICIAL = "official@ninove.demo"
MODERATOR = "moderator@ninove.demo"
PARTICIPANT = "participant@ninove.demo"   # prefers Arabic
SUPPORTER = "bewoner0@ninove.demo"         # a seeded resident ("Amal")

CURRENT_PARAGRAPH = f"""SELECT {{}} FROM plan_paragraph pp
    JOIN plan_version v ON v.id = pp.version_id JOIN plan p ON p.id = v.plan_id
    JOIN lab l ON l.id = p.lab_id
    WHERE l.slug = '{LAB}' AND p.slug = ? AND pp.anchor = ?
      AND v.number = (SELECT max(number) FROM plan_version WHERE plan_id = p.id)"""


# -- Helpers ------------------------------------------------------------------------------


def _rows(sql: str, *params) -> list[tuple]:
    """Every row of a read-only query on the live server's SQLite file."""
    connection = sqlite3.connect(f"file:{LIVE_DATABASE['path']}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _path(watched: Watched) -> str:
    return re.sub(r"^https?://[^/]+", "", watched.page.url).split("#")[0]


def _submit(watched: Watched, selector: str) -> None:
    with watched.page.expect_navigation(wait_until="load"):
        watched.page.click(selector)


def _assert_direction(watched: Watched, lang: str) -> None:
    state = watched.page.evaluate("""() => ({lang: document.documentElement.lang,
        dir: document.documentElement.dir,
        main: getComputedStyle(document.querySelector('main')).direction})""")
    expected = "rtl" if lang == "ar" else "ltr"
    assert state == {"lang": lang, "dir": expected, "main": expected}, \
        f"{_path(watched)}: {state}"


def _open_all_details(watched: Watched) -> None:
    watched.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def _csrf(watched: Watched) -> str:
    token = watched.page.locator("input[name$=csrf_token]").first.input_value()
    assert token, f"no CSRF token on {_path(watched)}"
    return token


def _post(watched: Watched, base: str, url: str, form: dict) -> None:
    """A form post with the page's cookies (as the browser would send it); the app
    answers every accepted post with a redirect."""
    response = watched.page.request.post(base + url, form=form, max_redirects=0)
    assert response.status == 302, f"POST {url}: HTTP {response.status}"


@pytest.fixture(scope="module")
def _storage_states() -> dict:
    return {}


@pytest.fixture
def signed_in(new_page, sign_in, _storage_states):
    """``signed_in(email, **context_options)`` → a Watched page in a fresh context that is
    signed in as ``email`` (each account signs in once per module, through the form)."""

    def make(email: str, **options) -> Watched:
        if email not in _storage_states:
            watched = new_page()
            sign_in(watched, email)
            _storage_states[email] = watched.page.context.storage_state()
        return new_page(storage_state=_storage_states[email], **options)

    return make


# -- 1. A comment on a selected passage, in Arabic; "I support this" once ----------------


def _drag_select(watched: Watched, block_selector: str, passage: str) -> None:
    """Select ``passage`` inside the block with the mouse: press on the edge where its first
    character starts and release where its last one ends (right to left in Arabic)."""
    page = watched.page
    page.locator(block_selector).scroll_into_view_if_needed()
    edges = page.evaluate("""([selector, passage]) => {
        const block = document.querySelector(selector);
        const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(passage);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, at + passage.length - 1); range.setEnd(node, at + passage.length);
            const last = range.getBoundingClientRect();
            const rtl = getComputedStyle(node.parentElement).direction === 'rtl';
            return {rtl, y1: first.top + first.height / 2, y2: last.top + last.height / 2,
                    x1: rtl ? first.right - 1 : first.left + 1,
                    x2: rtl ? last.left + 1 : last.right - 1};
        }
        return null;
    }""", [block_selector, passage])
    assert edges, f"{passage!r} is not in {block_selector}"
    page.mouse.move(edges["x1"], edges["y1"])
    page.mouse.down()
    page.mouse.move((edges["x1"] + edges["x2"]) / 2, (edges["y1"] + edges["y2"]) / 2, steps=4)
    page.mouse.move(edges["x2"], edges["y2"], steps=4)
    page.mouse.up()


@pytest.mark.browser
def test_arabic_comment_on_a_selected_passage_and_support(signed_in, live_server, live_db):
    watched = signed_in(PARTICIPANT, locale="ar")
    page = watched.page
    watched.goto(f"/ar{PUBLIC}{PLAN}/")
    _assert_direction(watched, "ar")
    sections = page.locator("main section.plan-paragraph")
    assert sections.count() == 9
    fourth = sections.nth(3)
    anchor = fourth.get_attribute("id")
    assert anchor and re.fullmatch(r"p-[0-9a-f]{8}", anchor), anchor
    official_text = live_db(CURRENT_PARAGRAPH.format("pp.text"), PLAN, anchor)
    arabic_text = live_db(CURRENT_PARAGRAPH.format("json_extract(pp.translations, '$.ar')"),
                          PLAN, anchor)
    assert official_text and arabic_text

    # Open the paragraph's comments, then select a passage of its (Arabic) text.
    fourth.locator("details.paragraph-comments > summary").click()
    assert fourth.locator("details.paragraph-comments").get_attribute("open") is not None
    block = f"section#{anchor} .plan-block"
    assert page.locator(block).get_attribute("lang") == "ar"
    passage = "مساكن بأسعار معقولة"
    assert passage in arabic_text
    _drag_select(watched, block, passage)
    form = fourth.locator("form.comment-form")
    quote = form.locator("input.quote-field").input_value()
    assert quote, "selecting text in the paragraph must fill the quote"
    assert quote in arabic_text, f"the quote {quote!r} is not a passage of the paragraph"
    assert passage.split()[1] in quote, f"the selection missed the passage: {quote!r}"
    assert form.locator(".quote-preview").is_visible()
    assert form.locator("input[name=anchor]").input_value() == anchor

    body = "أقترح دروسًا مسائية في شارع Burchtstraat"
    page.fill(f"#body-{anchor}", body)
    _submit(watched, f"section#{anchor} form.comment-form button[type=submit]")
    assert _path(watched) == f"/ar{PUBLIC}{PLAN}/"
    _assert_direction(watched, "ar")
    comment = live_db("SELECT max(id) FROM plan_comment WHERE body = ?", body)
    assert comment, "the comment was not saved"
    stored = {column: live_db(f"SELECT {column} FROM plan_comment WHERE id = ?", comment)
              for column in ("language", "anchor", "quote", "status", "parent_id", "show_name")}
    assert stored["language"] == "ar"
    assert stored["anchor"] == anchor
    assert stored["quote"] == quote
    assert stored["quote"] in official_text or stored["quote"] in arabic_text
    assert (stored["status"], stored["parent_id"], stored["show_name"]) == ("published", None, 1)
    item = page.locator(f"li.comment#c{comment}")
    assert item.count() == 1
    assert page.locator(f"section#{anchor}").locator(f"#c{comment}").count() == 1
    comment_body = item.locator(".comment-body")
    assert comment_body.get_attribute("lang") == "ar"
    assert comment_body.get_attribute("dir") == "rtl"
    assert comment_body.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.locator(f"section#{anchor} details.paragraph-comments > summary").click()
    assert comment_body.is_visible()
    assert body in comment_body.inner_text()
    assert item.locator("blockquote.comment-quote").text_content() == quote
    watched.assert_clean()

    # Another resident supports it, once.
    other = signed_in(SUPPORTER)
    count = "SELECT count(*) FROM plan_support WHERE comment_id = ?"
    support = f"#c{comment} form[action$='/comments/{comment}/support'] button[type=submit]"
    for attempt in (1, 2):
        other.goto(f"/en{PUBLIC}{PLAN}/")
        other.page.locator(f"section#{anchor} details.paragraph-comments > summary").click()
        _submit(other, support)
        assert _path(other) == f"/en{PUBLIC}{PLAN}/"
        if attempt == 1:
            assert other.page.locator(".flashes .flash--success").count() == 1
            assert other.page.locator(".flashes .flash--error").count() == 0
        else:
            error = other.page.locator(".flashes .flash--error")
            assert error.count() == 1 and error.is_visible()
            assert error.get_attribute("role") == "alert"
        assert live_db(count, comment) == 1
    other.assert_clean()


# -- 2. Stored XSS ---------------------------------------------------------------------------

#: ``{x}`` is replaced by ``top.__xss.push(<n>)`` and ``{n}`` by the payload's number: any
#: payload that runs leaves its number in ``top.__xss`` (or opens a dialog).
PAYLOADS = [
    "<script>{x}</script>",
    "<script src=\"data:text/javascript,{x}\"></script>",
    "<<script>{x}//<</script>",
    "<scr<script>ipt>{x}</scr</script>ipt>",
    "<script>alert({n})</script>",
    "<img src=x onerror=\"{x}\">",
    "<IMG SRC=\"javascript:{x}\">",
    "<img src=\"x\" onerror=\"&#116;op.__xss.push({n})\">",
    "<img/src/onerror={x}>",
    "<img \"\"\"><script>{x}</script>\">",
    "<svg onload=\"{x}\">",
    "<svg/onload={x}>",
    "<svg><script>{x}</script></svg>",
    "<svg><animate onbegin=\"{x}\" attributeName=\"x\" dur=\"1s\">",
    "<svg><a xlink:href=\"javascript:{x}\"><text x=\"20\" y=\"20\">click</text></a></svg>",
    "<body onload=\"{x}\">",
    "<iframe src=\"javascript:{x}\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;{x}&lt;/script&gt;\"></iframe>",
    "<iframe src=\"data:text/html,<script>alert({n})</script>\"></iframe>",
    "<iframe src=\"https://example.org\" onload=\"{x}\"></iframe>",
    "<object data=\"javascript:{x}\"></object>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=\"javascript:{x}\">",
    "<a href=\"javascript:{x}\">click {n}</a>",
    "<a href=\"java&#x09;script:{x}\">click {n}</a>",
    "<a href=\"&#106;avascript:{x}\">click {n}</a>",
    "<a href=\"javascript&colon;{x}\">click {n}</a>",
    "<a href=javas&#99;ript:{x}>click {n}</a>",
    "<a href=\" javascript:{x}\">click {n}</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click {n}</a>",
    "<a href=\"vbscript:msgbox({n})\">click {n}</a>",
    "<a href=\"https://example.org\" onclick=\"{x}\">link {n}</a>",
    "<a href=\"https://example.org\" title=\"t\" style=\"color:red\" onmouseover=\"{x}\">link</a>",
    "[click {n}](javascript:{x})",
    "[click {n}](javascript&#58;{x})",
    "[click {n}](javascript&colon;{x})",
    "[click {n}](  javascript:{x}  )",
    "[click {n}](data:text/html,<script>{x}</script>)",
    "[click {n}](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click {n}](vbscript:msgbox({n}))",
    "[link {n}](https://example.org\" onmouseover=\"{x})",
    "[link {n}](https://example.org \"t\\\" onmouseover=\\\"{x}\")",
    "![image {n}](javascript:{x})",
    "![image {n}](x\" onerror=\"{x})",
    "[ref]: javascript:{x}\n[click {n}][ref]",
    "<javascript:{x}>",
    "<data:text/html,<script>{x}</script>>",
    "javascript:{x}",
    "&lt;script&gt;{x}&lt;/script&gt;",
    "&#60;script&#62;{x}&#60;/script&#62;",
    "&#x3C;img src=x onerror={x}&#x3E;",
    "%3Cscript%3E{x}%3C/script%3E",
    "\\u003cscript\\u003e{x}\\u003c/script\\u003e",
    "<math><mtext><table><mglyph><style><img src=x onerror={x}>",
    "<math href=\"javascript:{x}\">click {n}</math>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:{x}\">click</maction></math>",
    "<div style=\"background:url(javascript:{x})\">x</div>",
    "<div style=\"width: expression({x})\">x</div>",
    "<style>@import 'javascript:{x}';</style>",
    "<style>*{{background:url(\"javascript:{x}\")}}</style>",
    "<link rel=\"stylesheet\" href=\"javascript:{x}\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{x}\">",
    "<base href=\"javascript:{x}//\">",
    "<form action=\"javascript:{x}\"><button>go {n}</button></form>",
    "<button formaction=\"javascript:{x}\">go {n}</button>",
    "<input autofocus onfocus=\"{x}\">",
    "<textarea autofocus onfocus=\"{x}\"></textarea>",
    "<details open ontoggle=\"{x}\">",
    "<video src=x onerror=\"{x}\"></video>",
    "<span class=\"x\" onmouseover=\"{x}\">hover {n}</span>",
    "<xss id=\"x{n}\" tabindex=\"1\" onfocusin=\"{x}\"></xss>",
    "<p title=\"</p><script>{x}</script>\">x</p>",
    "<!--<script>{x}</script>-->",
    "<![CDATA[<script>{x}</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror={x}>\"></noscript>",
    "\"><script>{x}</script>",
    "'><img src=x onerror={x}>",
    "</textarea><script>{x}</script>",
    "</title><script>{x}</script>",
    "https://example.org/\"onmouseover=\"{x}\"x=\"",
    "https://example.org/'onfocus='{x}'autofocus='",
    "https://example.org/<script>{x}</script>",
    "https://example.org/?q=<img src=x onerror={x}>",
    "`<script>{x}</script>`",
    "```\n<script>{x}</script>\n```",
]
#: The language of a comment is stored as sent when it is short: it lands in attributes.
LANGUAGE_PAYLOADS = ['"><i>x', "x' a='", '"onfocus', "<svg/on"]
XSS_SLUG = "xss-proof"

XSS_RECORDER = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { top.__xss.push(name + ':' + args.join(',')); };
}
"""

#: Run on every rendered page: anything a sanitiser should have removed. Takes an optional
#: ``{content, trusted}``: ``content`` selects the boxes of sanitised content whose elements
#: must all be harmless (the plan's by default; empty: none), ``trusted`` the elements the
#: app draws itself (charts, colour chips, the poster's QR code), which may be SVG or images
#: (an image only from a ``data:image/`` URL) but never carry handlers or styles either.
DOM_PROBLEMS = """(options) => {
    const {content = '.plan-block, .comment-body, .comment-quote, .hidden-comment, ' +
               '.official-response, ol.diff, main .comments div[lang], main h1',
           trusted = ''} = options || {};
    const problems = [];
    const allowed = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li',
        'strong', 'em', 'a', 'code', 'blockquote', 'br', 's', 'del', 'ins', 'span']);
    const forbidden = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'svg', 'math',
        'base', 'video', 'audio', 'marquee', 'template', 'noscript', 'img', 'style', 'xss',
        'animate', 'mglyph', 'maction']);
    const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
        'background', 'poster', 'srcdoc'];
    const describe = el => el.outerHTML.slice(0, 120);
    for (const el of document.querySelectorAll('*')) {
        const tag = el.localName;
        const drawn = trusted !== '' && el.closest(trusted) !== null;
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            if (name.startsWith('on')) problems.push('event handler: ' + describe(el));
            if (name === 'style') problems.push('style attribute: ' + describe(el));
            if (urlAttributes.includes(name)) {
                const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
                const picture = drawn && tag === 'img' && name === 'src' &&
                    /^data:image\\/(png|svg\\+xml);base64,/.test(value);
                if (name === 'srcdoc' || (/^(javascript|vbscript|data):/.test(value) && !picture))
                    problems.push('dangerous URL: ' + describe(el));
            }
        }
        if (forbidden.has(tag) && !drawn) problems.push('element: ' + describe(el));
        if (tag === 'meta' && el.httpEquiv) problems.push('meta refresh: ' + describe(el));
        if (tag === 'script') {
            const url = el.src ? new URL(el.src) : null;
            if (!url || url.origin !== location.origin || !url.pathname.startsWith('/static/'))
                problems.push('script: ' + describe(el));
        }
        if (tag === 'link' && !(el.href && new URL(el.href).origin === location.origin))
            problems.push('link: ' + describe(el));
    }
    for (const box of content ? document.querySelectorAll(content) : []) {
        for (const el of box.querySelectorAll('*')) {
            if (!allowed.has(el.localName)) problems.push('in content: ' + describe(el));
            if (el.localName === 'a') {
                const href = el.getAttribute('href') || '';
                if (href && !/^(https?:|mailto:|#|\\/)/i.test(href))
                    problems.push('link scheme: ' + describe(el));
            }
        }
    }
    return problems;
}"""


def _payloads() -> list[str]:
    result = [p.format(x=f"top.__xss.push({n})", n=n) for n, p in enumerate(PAYLOADS)]
    assert len(result) >= 70 and len(set(result)) == len(result)
    assert all(len(p) <= 200 and "\n\n" not in p for p in result)
    return result


def _packs(payloads: list[str], limit: int = 200) -> list[list[str]]:
    """Consecutive payloads grouped so that each group, joined by spaces, fits in a
    moderation reason (200 characters)."""
    packs: list[list[str]] = [[]]
    for payload in payloads:
        if packs[-1] and len(" ".join([*packs[-1], payload])) > limit:
            packs.append([])
        packs[-1].append(payload)
    return packs


def _set_up_xss_plan(official: Watched, payloads: list[str]) -> None:
    """As the official: a new plan with payloads in its titles, a comment period, and two
    published versions whose paragraphs, translation and change notes are payloads."""
    page = official.page
    official.goto(f"/en{MANAGE}new")
    page.fill("input[name=slug]", XSS_SLUG)
    page.select_option("select[name=official_language]", "nl")
    for i, code in enumerate(("nl", "fr", "en", "ar")):
        page.fill(f"input[name=title__{code}]", f"Plan {code} {payloads[i]}")
    _submit(official, "main form button[type=submit]")
    assert _path(official) == f"/en{MANAGE}{XSS_SLUG}", "the plan was not created"

    page.fill("input[name=period-opens_at]", "2020-01-01T00:00")
    page.fill("input[name=period-closes_at]", "2099-12-31T23:00")
    _submit(official, "form:has(input[name=action][value=period]) button[type=submit]")
    assert official.page.locator(".flashes .flash--success").count() == 1

    removed = [f"Removed later: {p}" for p in payloads[1::16]]
    versions = [
        ("\n\n".join(payloads[::3] + removed), ""),
        ("\n\n".join(payloads), "\n\n".join(reversed(payloads))),
    ]
    for number, (text, arabic) in enumerate(versions, start=1):
        page.fill("textarea[name=version-text]", text)
        page.fill("textarea[name=version-translation__ar]", arabic)
        for i, code in enumerate(("nl", "fr", "en", "ar")):
            page.fill(f"textarea[name=version-change_note__{code}]",
                      f"v{number} {payloads[-1 - i - 4 * number]}")
        _submit(official, "form:has(input[name=action][value=version]) button[type=submit]")
        assert _path(official) == f"/en{MANAGE}{XSS_SLUG}", f"version {number} not published"
        assert official.page.locator(".flashes .flash--success").count() == 1
    official.assert_clean()


@pytest.mark.browser
def test_no_payload_executes_anywhere(signed_in, live_server, live_db):
    payloads = _payloads()
    official = signed_in(OFFICIAL)
    _set_up_xss_plan(official, payloads)
    plan_id = live_db("SELECT id FROM plan WHERE slug = ?", XSS_SLUG)
    version = live_db("SELECT max(id) FROM plan_version WHERE plan_id = ?", plan_id)
    paragraphs = _rows("SELECT anchor, text FROM plan_paragraph WHERE version_id = ? "
                       "ORDER BY position", version)
    assert [text for _, text in paragraphs] == payloads, "each payload is one paragraph"
    anchors = [anchor for anchor, _ in paragraphs]
    public = f"/en{PUBLIC}{XSS_SLUG}/"

    # (a) Comments: each payload once, quoting its own paragraph (the quote must be a passage
    # of the paragraph, and the paragraph is the payload); a second series with a few
    # payloads per comment, for the moderator to hide; and payloads as the language field.
    author = signed_in(PARTICIPANT)
    author.goto(public)
    token = _csrf(author)
    comments = f"/en{PUBLIC}{XSS_SLUG}/comments"
    packs = _packs(payloads)
    for n, payload in enumerate(payloads):
        _post(author, live_server, comments, {
            "csrf_token": token, "anchor": anchors[n], "body": payload, "quote": payload,
            "language": "en"})
    for n, pack in enumerate(packs):
        _post(author, live_server, comments, {
            "csrf_token": token, "anchor": anchors[-1 - n], "body": "\n".join(pack),
            "language": "nl", "anonymous": "y"})
    for n, language in enumerate(LANGUAGE_PAYLOADS):
        _post(author, live_server, comments, {
            "csrf_token": token, "anchor": anchors[n], "body": payloads[n],
            "language": language})
    ids = [row[0] for row in _rows("SELECT id FROM plan_comment WHERE plan_id = ? "
                                   "ORDER BY id", plan_id)]
    assert len(ids) == len(payloads) + len(packs) + len(LANGUAGE_PAYLOADS), \
        "not every comment was saved"
    quoted = live_db("SELECT count(*) FROM plan_comment WHERE plan_id = ? AND quote = body",
                     plan_id)
    assert quoted == len(payloads), "the payload paragraphs must be quotable"
    first, second = ids[:len(payloads)], ids[len(payloads):len(payloads) + len(packs)]
    # Some comments are reported (with a payload as reason): the moderation queue shows them.
    for n in range(0, len(payloads), 17):
        _post(author, live_server, f"/en{PUBLIC}{XSS_SLUG}/comments/{first[n]}/flag",
              {"csrf_token": token, "reason": payloads[n]})

    # (c) The moderator hides the second series; the payloads are the reasons.
    moderator = signed_in(MODERATOR)
    moderation = f"/en{MANAGE}{XSS_SLUG}/moderation"
    moderator.goto(moderation)
    token = _csrf(moderator)
    for comment, pack in zip(second, packs, strict=True):
        _post(moderator, live_server, moderation, {
            "csrf_token": token, "comment_id": str(comment), "action": "hide",
            "reason": " ".join(pack)})
    hidden = _rows("SELECT hidden_reason FROM plan_comment WHERE plan_id = ? "
                   "AND status = 'hidden' ORDER BY id", plan_id)
    assert [reason for (reason,) in hidden] == [" ".join(pack) for pack in packs]

    # The official answers some comments and one paragraph, with payloads as explanations.
    responses = f"/en{MANAGE}{XSS_SLUG}/responses"
    official.goto(responses)
    field = official.page.locator("main form input[name$=csrf_token]").first
    for n in range(0, len(payloads), 9):
        _post(official, live_server, responses, {
            field.get_attribute("name"): field.input_value(), "comment_id": str(first[n]),
            "anchor": "", "response-status": "adopted",
            "response-explanation__nl": payloads[n], "response-explanation__en": payloads[-n]})
    _post(official, live_server, responses, {
        field.get_attribute("name"): field.input_value(), "comment_id": "",
        "anchor": anchors[3], "response-status": "noted",
        "response-explanation__nl": payloads[3]})
    assert live_db("SELECT count(*) FROM plan_response WHERE plan_id = ?", plan_id) >= 10

    # Render everything, once with the Content Security Policy and once without it (so a
    # payload that slipped through the sanitiser would run instead of being blocked).
    pages = {
        PARTICIPANT: [public, f"/ar{PUBLIC}{XSS_SLUG}/", f"/nl{PUBLIC}{XSS_SLUG}/?v=1",
                      f"/en{PUBLIC}{XSS_SLUG}/compare", f"/en{PUBLIC}{XSS_SLUG}/you-said-we-did"],
        MODERATOR: [moderation],
        OFFICIAL: [f"/en{MANAGE}{XSS_SLUG}", responses],
    }
    for bypass_csp in (False, True):
        for email, urls in pages.items():
            watched = signed_in(email, bypass_csp=bypass_csp)
            dialogs = []
            watched.page.context.add_init_script(XSS_RECORDER)
            watched.page.on("dialog", lambda dialog, seen=dialogs: (
                seen.append(dialog.message), dialog.dismiss()))
            for url in urls:
                where = f"{url} ({'CSP bypassed' if bypass_csp else 'with CSP'})"
                watched.goto(url)
                if url in (public, moderation):   # the hide reasons are shown in place
                    hidden = watched.page.locator("main li.comment .hidden-comment")
                    assert hidden.count() == len(packs), where
                _open_all_details(watched)
                watched.page.mouse.move(5, 5)
                watched.page.wait_for_timeout(50)
                text = watched.page.evaluate("document.querySelector('main').textContent")
                assert "<script>" in text, f"{where}: the payloads must show as text"
                ran = watched.page.evaluate("top.__xss")
                assert ran == [], f"{where}: payloads ran: " + "\n".join(
                    payloads[i] if isinstance(i, int) else str(i) for i in ran)
                assert dialogs == [], f"{where}: dialogs opened: {dialogs}"
                problems = watched.page.evaluate(DOM_PROBLEMS)
                assert problems == [], f"{where}: unsafe markup:\n" + "\n".join(problems)
                refused = [m for m in watched.console if any(
                    word in m["text"].lower() for word in ("refused to", "violates the following"))]
                assert refused == [], f"{where}: blocked by the CSP: {refused}"
                watched.assert_clean()


# -- 3. Accessibility and CSP -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "nl", "ar"])
def test_plan_page_is_accessible_and_csp_clean(signed_in, check_a11y, lang):
    watched = signed_in(PARTICIPANT, locale=lang)
    url = f"/{lang}{PUBLIC}{PLAN}/"
    watched.goto(url)
    _assert_direction(watched, lang)
    assert watched.page.locator("main section.plan-paragraph").count() == 9
    assert watched.page.locator("main form.comment-form").count() == 9
    _open_all_details(watched)
    check_a11y(watched, f"plan page ({url}, signed in, comments open)")
    watched.assert_clean()


@pytest.mark.browser
def test_public_plan_pages_are_accessible_and_csp_clean(page, check_a11y):
    for lang, tail in [("en", ""), ("en", "?v=1"), ("en", "compare"), ("en", "you-said-we-did")]:
        url = f"/{lang}{PUBLIC}{PLAN}/{tail}"
        page.goto(url)
        _assert_direction(page, lang)
        assert page.page.locator("main h1").first.is_visible(), url
        _open_all_details(page)
        check_a11y(page, f"anonymous ({url})")
        page.assert_clean()
    page.goto(f"/en{PUBLIC}{PLAN}/compare")
    assert page.page.locator("main ol.diff > li").count() >= 9


@pytest.mark.browser
def test_staff_plan_pages_are_accessible_and_csp_clean(signed_in, check_a11y, live_server,
                                                       live_db):
    # Someone reports a comment, so the moderation queue is not empty.
    participant = signed_in(PARTICIPANT)
    participant.goto(f"/en{PUBLIC}{PLAN}/")
    reported = participant.page.locator(
        "main li.comment form[action$='/flag']").first.get_attribute("action")
    _post(participant, live_server, reported,
          {"csrf_token": _csrf(participant), "reason": "test report"})
    comment = int(re.search(r"/comments/(\d+)/flag$", reported).group(1))
    assert live_db("SELECT count(*) FROM plan_flag WHERE comment_id = ? "
                   "AND resolved_at IS NULL", comment) >= 1
    participant.assert_clean()

    staff = [
        (OFFICIAL, "manage plan", f"/en{MANAGE}{PLAN}"),
        (OFFICIAL, "responses", f"/en{MANAGE}{PLAN}/responses"),
        (MODERATOR, "moderation", f"/en{MANAGE}{PLAN}/moderation"),
        (MODERATOR, "moderation", f"/ar{MANAGE}{PLAN}/moderation"),
    ]
    pages = {}
    for email, label, url in staff:
        watched = pages.get(email) or pages.setdefault(email, signed_in(email))
        watched.goto(url)
        lang = url.split("/")[1]
        _assert_direction(watched, lang)
        assert watched.page.locator("main#main h1").first.is_visible(), url
        if label == "moderation":
            assert watched.page.locator(f"main li.comment#c{comment}").count() == 1
            assert watched.page.locator("main .hidden-comment").count() >= 3
        check_a11y(watched, f"{label} ({url})")
        watched.assert_clean()


# -- 4. Without JavaScript --------------------------------------------------------------------


@pytest.mark.browser
def test_commenting_works_without_javascript(signed_in, live_db):
    watched = signed_in(PARTICIPANT, java_script_enabled=False)
    page = watched.page
    watched.goto(f"/en{PUBLIC}{PLAN}/")
    second = page.locator("main section.plan-paragraph").nth(1)
    anchor = second.get_attribute("id")
    second.locator("details.paragraph-comments > summary").click()
    body = page.locator(f"#body-{anchor}")
    assert body.is_visible(), "the comment form opens without JavaScript"
    text = "Zonder JavaScript: graag ook een versie in eenvoudige taal."
    body.fill(text)
    page.check(f"#anon-{anchor}")
    _submit(watched, f"section#{anchor} form.comment-form button[type=submit]")
    assert _path(watched) == f"/en{PUBLIC}{PLAN}/"
    comment = live_db("SELECT max(id) FROM plan_comment WHERE body = ?", text)
    assert comment, "the comment was not saved"
    row = {column: live_db(f"SELECT {column} FROM plan_comment WHERE id = ?", comment)
           for column in ("anchor", "quote", "language", "status", "show_name")}
    assert row == {"anchor": anchor, "quote": "", "language": "en", "status": "published",
                   "show_name": 0}
    item = page.locator(f"section#{anchor} li.comment#c{comment}")
    assert item.count() == 1
    assert item.locator("blockquote.comment-quote").count() == 0
    assert page.locator(".flashes .flash--success").count() == 1
