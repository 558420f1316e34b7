"""Attacks on the web routes: CSRF on every change, no change by GET, rate limits (429).

The routes come from the access table in :mod:`tests.test_access`, which fails the build
when a route is missing from it, so a new route is covered here too.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from cocreate.extensions import db
from tests.accounts.test_consents import plan  # noqa: F401  (fixture)
from tests.test_access import ALLOWED, ROLES, SITE, _person, world  # noqa: F401  (fixture)

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)

#: Writes a GET may make on purpose: the sign-in session's "last seen" (for the idle
#: timeout) and the audit log of who opened what.
BOOKKEEPING = re.compile(r"^\s*(UPDATE login_session\b|INSERT INTO audit_log\b)", re.I)

CHANGING = sorted(e for e, spec in ALLOWED.items() if spec[0] != "GET")
READING = sorted(e for e, spec in ALLOWED.items() if spec[0] == "GET")


@contextmanager
def recorded_writes():
    """Every data-changing SQL statement sent while the block runs (savepoints aside)."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, _params, _context, _many):
        if WRITE.match(statement):
            seen.append(" ".join(statement.split())[:120])

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def _url(endpoint, world):  # noqa: F811
    return ALLOWED[endpoint][1].format(**world["own"])


@pytest.mark.parametrize("endpoint", CHANGING)
def test_every_change_refuses_a_missing_or_wrong_csrf_token(client, world, make_user, endpoint):  # noqa: F811
    """Signed in with every right there is, without the token (or with a forged one):
    a translated 400 and not one write."""
    client.login_as(_person(SITE, world["own"]["obj"], make_user))
    url = _url(endpoint, world)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": client.csrf_token() + "x"}):
        with recorded_writes() as writes:
            response = client.post(url, data={**data, "target": "nonsense"})
        assert response.status_code == 400, (endpoint, data, response.status_code)
        assert [w for w in writes if not BOOKKEEPING.match(w)] == [], (endpoint, writes)


def test_the_csrf_refusal_is_translated(client, make_user):
    client.login_as(make_user())
    response = client.post("/ar/profile", data={"display_name": "x"})
    assert response.status_code == 400
    assert 'dir="rtl"' in response.text and "CSRF" not in response.text.split("<main", 1)[-1]


@pytest.mark.parametrize("endpoint", READING)
def test_no_get_changes_state(app, world, make_user, endpoint):  # noqa: F811
    """Every reading route, as every role: nothing but session and audit bookkeeping
    is written."""
    url = _url(endpoint, world)
    for role in ROLES:
        person = _person(role, world["own"]["obj"], make_user)
        client = app.test_client()
        if person is not None:
            client.login_as(person)
        with recorded_writes() as writes:
            response = client.get(url)
        assert response.status_code < 500, (endpoint, role)
        assert [w for w in writes if not BOOKKEEPING.match(w)] == [], (endpoint, role, writes)


# -- Rate limits --------------------------------------------------------------------


@contextmanager
def limit(app, key, value):
    saved = app.config[key]
    app.config[key] = value
    try:
        yield
    finally:
        app.config[key] = saved


def test_password_reset_requests_are_limited(client, app):
    with limit(app, "RATELIMIT_PASSWORD_RESET", "3 per minute"):
        statuses = [client.post_form("/en/password/forgot", {"email": f"p{i}@example.org"})
                    .status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_default_thresholds_are_the_documented_ones(app):
    """The README's table of limits is about these values."""
    assert app.config["RATELIMIT_LOGIN"] == "10 per minute; 50 per hour"
    assert app.config["RATELIMIT_PASSWORD_RESET"] == "5 per minute; 20 per hour"
    assert app.config["RATELIMIT_SURVEY_SUBMIT"] == "30 per minute; 500 per hour"
    assert app.config["RATELIMIT_COMMENT"] == "5 per minute; 50 per day"
    assert app.config["RATELIMIT_EXPORT"] == "20 per hour"


def test_anonymous_submissions_are_limited(client, app, make_municipality, make_survey):
    from tests.surveys.definitions import survey_url
    from tests.surveys.test_answering import answer_all

    survey = make_survey(make_municipality())
    with limit(app, "RATELIMIT_SURVEY_SUBMIT", "2 per minute"):
        statuses = []
        for _ in range(3):
            client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
            token = answer_all(client, survey)
            statuses.append(client.post_form(survey_url(survey) + "/submit",
                                             {"submission_token": token}).status_code)
    assert statuses == [302, 302, 429]
    from cocreate.surveys.models import Response

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 2


def test_comments_are_limited(client, app, plan, make_user):  # noqa: F811
    from cocreate.plans.models import Comment

    client.login_as(make_user())
    url = f"/en/m/{plan.lab.municipality.slug}/labs/{plan.lab.slug}/plans/{plan.slug}/comments"
    anchor = plan.current.paragraphs[1].anchor
    with limit(app, "RATELIMIT_COMMENT", "2 per minute"):
        statuses = [client.post_form(url, {"anchor": anchor, "body": f"Reactie {i}"}).status_code
                    for i in range(3)]
    assert statuses == [302, 302, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 2


def test_a_429_page_is_translated_and_says_when_to_retry(client, app):
    with limit(app, "RATELIMIT_PASSWORD_RESET", "1 per minute"):
        client.post_form("/ar/password/forgot", {"email": "a@example.org"})
        response = client.post_form("/ar/password/forgot", {"email": "a@example.org"})
    assert response.status_code == 429
    assert 'dir="rtl"' in response.text and "Too many" not in response.text
    assert "Retry-After" in response.headers


def test_the_write_recorder_sees_a_real_change(client, make_user):
    """Control: the checks above would see a change if there were one."""
    client.login_as(make_user())
    with recorded_writes() as writes:
        client.post_form("/en/profile", {"display_name": "New name", "preferred_language": "en"})
    assert any(w.startswith("UPDATE user") or w.startswith('UPDATE "user"') for w in writes), writes
