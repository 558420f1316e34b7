"""Browser harness: one live demo server and one Chromium per session, a fresh context per test.

The live server is its own application on its own SQLite file with the demo data. It never
uses the ``app`` fixture of tests/conftest.py (parametrized over engines and bound to a
rolled-back connection), so nothing here may request ``app``.

Chromium is Debian's (/usr/bin/chromium), driven through Playwright's sync API; axe-core
comes from npm (node_modules/axe-core). When either is missing the tests skip with a
reason, unless ``REQUIRE_BROWSER=1`` turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

DEMO_PASSWORD = "demo-cocreate"
OFFICIAL = "official@ninove.demo"

#: Runs before any page script (injected by the DevTools protocol, so the page's CSP
#: does not block it) and records every CSP violation the page reports.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') +
    ' at ' + (event.sourceFile || '?') + ':' + event.lineNumber);
});
"""


def _require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    if _require_browser():
        pytest.fail(reason + " (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


# -- The live server ------------------------------------------------------------------

#: Where the live server keeps its SQLite file (set by ``live_server``; see ``live_db``).
LIVE_DATABASE: dict = {}

#: The live server's configuration, but for its database (``LIVE_DATABASE["path"]``). A
#: test that writes into that file builds a second application with the same settings.
LIVE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "browser-test-secret-key",
    "PSEUDONYM_KEY": "browser-test-pseudonym-key",
    "SESSION_COOKIE_SECURE": False,
    "DEMO": True,
    "MAIL_SERVER": None,
    # Every request comes from 127.0.0.1: the plan tests post many comments and the
    # whole suite signs in a dozen times, so this server allows more than production.
    "RATELIMIT_COMMENT": "1000 per minute",
    "RATELIMIT_LOGIN": "100 per minute",
    # A context keeps the style sheet and scripts instead of asking for them again on every
    # page (the tests that open hundreds of pages spend a third of their time on that).
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,
}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of a threaded werkzeug server running the demo on a fresh SQLite file."""
    from werkzeug.serving import make_server

    import seeds
    from cocreate import create_app
    from cocreate.extensions import db

    path = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    LIVE_DATABASE["path"] = path
    application = create_app({**LIVE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with application.app_context():
        db.create_all()
        seeds.run_demo()
        db.session.remove()

    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_db(live_server):
    """``live_db(sql, *params)``: run one read-only query on the live server's SQLite file
    (through its own sqlite3 connection) and return the first column of the first row."""
    import sqlite3

    path = LIVE_DATABASE["path"]

    def scalar(sql: str, *params):
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            row = connection.execute(sql, params).fetchone()
        finally:
            connection.close()
        return row[0] if row else None

    return scalar


# -- Chromium and axe-core --------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        _unavailable(f"axe-core is not installed ({AXE_JS} missing; run `make axe`)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"the playwright Python package is not installed ({exc})")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (run `make chromium`)")
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            )
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no browser"
            _unavailable(f"Chromium at {CHROMIUM} could not be started: {exc}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


# -- Per test: a context, a watched page, and the checks --------------------------------


@dataclass
class Watched:
    """A page plus everything it said on the console and every uncaught error."""

    page: object
    console: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def goto(self, url: str, status: int = 200):
        response = self.page.goto(url, wait_until="load")
        assert response is not None, f"no response for {url}"
        assert response.status == status, f"{url}: HTTP {response.status}, expected {status}"
        return response

    def assert_clean(self):
        """No CSP violation (console or event), no uncaught error, no console error."""
        csp = [m for m in self.console if "content security policy" in m["text"].lower()]
        try:
            csp += self.page.evaluate("window.__cspViolations || []")
        except Exception:  # noqa: BLE001 - the page may be mid-navigation; the console suffices
            pass
        assert not csp, "Content Security Policy violations:\n" + _dump(csp)
        assert not self.errors, "uncaught page errors:\n" + _dump(self.errors)
        console_errors = [m for m in self.console if m["type"] == "error"]
        assert not console_errors, "console errors:\n" + _dump(console_errors)


def _dump(items) -> str:
    return "\n".join(f"  - {json.dumps(item, ensure_ascii=False)}" for item in items)


def _watch(context) -> Watched:
    page = context.new_page()
    watched = Watched(page)
    page.on("console", lambda msg: watched.console.append(
        {"type": msg.type, "text": msg.text, "url": page.url}))
    page.on("pageerror", lambda exc: watched.errors.append(
        {"error": str(exc), "url": page.url}))
    return watched


@pytest.fixture
def new_page(browser, live_server):
    """Factory: ``new_page(**context_options)`` → a Watched page in a fresh context.

    Every page is checked for CSP violations and page errors when the test ends.
    """
    contexts, pages = [], []

    def make(**options) -> Watched:
        options.setdefault("base_url", live_server)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_RECORDER)
        contexts.append(context)
        watched = _watch(context)
        pages.append(watched)
        return watched

    yield make
    try:
        for watched in pages:
            watched.assert_clean()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page) -> Watched:
    return new_page()


@pytest.fixture
def check_a11y(axe_source):
    """``check_a11y(watched)``: run axe on the current page; fail on serious/critical issues."""

    def check(watched: Watched, label: str = ""):
        page = watched.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        result = page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                              html: n.html.slice(0, 200),
                                              summary: n.failureSummary}))
                }));
            }""",
            AXE_TAGS,
        )
        blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, _format_violations(label or page.url, blocking)
        return result

    return check


def _format_violations(where: str, violations) -> str:
    lines = [f"axe found {len(violations)} serious/critical violation(s) on {where}:"]
    for v in violations:
        lines.append(f"* [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    - {node['target']}: {node['html']}")
            for line in (node["summary"] or "").splitlines():
                lines.append(f"        {line}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more element(s)")
    return "\n".join(lines)


@pytest.fixture
def sign_in():
    """``sign_in(watched, email)``: the ordinary mouse-and-form sign-in on /en/login."""

    def do(watched: Watched, email: str = OFFICIAL, password: str = DEMO_PASSWORD):
        page = watched.page
        watched.goto("/en/login")
        page.fill("#email", email)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        sign_out = page.get_by_role("button", name="Sign out")
        if not sign_out.count():  # the home page after login speaks the user's language
            sign_out = page.locator("form[action$='/logout'] button")
        sign_out.wait_for(state="visible")

    return do
