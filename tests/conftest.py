"""Test harness: real databases (SQLite and PostgreSQL), rolled back per test.

Every test that uses ``app`` runs once per engine. Tests that need PostgreSQL
skip with a reason when it is not reachable, unless ``REQUIRE_POSTGRES=1``,
which turns the skip into a failure (CI sets it).
"""

from __future__ import annotations

import functools
import os
import re
import uuid

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id

from cocreate import create_app
from cocreate.extensions import db, limiter

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def postgres_url(name: str) -> str:
    """A fresh, empty PostgreSQL database called ``name`` (skip or fail when absent)."""
    try:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}"
        if _flag("REQUIRE_POSTGRES"):
            pytest.fail(message + " (REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


DEFAULT_PASSWORD = "correct horse battery"


@functools.cache
def _default_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(DEFAULT_PASSWORD, method="scrypt")


BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "PSEUDONYM_KEY": "test-pseudonym-key",
    "SESSION_COOKIE_SECURE": False,
    "SERVER_NAME": None,
    "BASE_URL": "http://cocreate.test",
    "MAIL_SERVER": None,
}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    if request.param == "postgresql":
        url = postgres_url(f"cocreate_test_{os.getpid()}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/test.sqlite"
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    application.test_client_class = Client
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _database(request):
    """Bind every session to one connection inside a transaction rolled back afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    # A plain Session honours ``bind`` (Flask-SQLAlchemy's picks the engine itself);
    # scoped per app context exactly like the real one.
    db.session = sa.orm.scoped_session(
        sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()
        ctx.pop()


class Client(FlaskClient):
    """A test client whose every request gets a fresh app context (as in production),
    with CSRF tokens filled in for POSTs unless the test gives its own."""

    _csrf: str | None = None

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)  # the test's own app context must not leak into the request
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if has_app_context():
                db.session.expire_all()

    def csrf_token(self, lang: str = "en") -> str:
        response = self.get(f"/{lang}/login")
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text) or \
            re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        assert match, "no CSRF token on the login page"
        self._csrf = match.group(1)
        return self._csrf

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self._csrf or self.csrf_token()
        response = self.post(url, data=data, **kwargs)
        if url.endswith("/logout"):
            self._csrf = None  # signing out clears the session and its token
        return response

    def login_as(self, user):
        """Sign ``user`` in without the password round trip (a real server-side session)."""
        from cocreate.accounts.service import start_session

        key = start_session(user)
        db.session.flush()
        with self.session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        self._csrf = None

    def login(self, user, password: str = DEFAULT_PASSWORD):
        response = self.post_form("/en/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        self._csrf = None  # the session was renewed at login
        return response


@pytest.fixture
def client(app):
    return app.test_client()


# -- Factories: fixtures that return callables ------------------------------------


@pytest.fixture
def make_municipality(app):
    from cocreate.municipalities.models import Municipality

    def make(slug=None, **kwargs):
        slug = slug or f"town-{uuid.uuid4().hex[:8]}"
        values = dict(name=slug.title(), country="BE", timezone="Europe/Brussels",
                      default_language="nl", languages=["nl", "fr", "en", "ar"])
        values.update(kwargs)
        municipality = Municipality(slug=slug, **values)
        db.session.add(municipality)
        db.session.flush()
        return municipality

    return make


@pytest.fixture
def make_user(app):
    from cocreate.accounts.models import Membership, User

    def make(email=None, *, roles=(), password=DEFAULT_PASSWORD, language="en",
             site_admin=False, name="Test Person"):
        user = User(email=email or f"{uuid.uuid4().hex[:10]}@example.org", display_name=name,
                    preferred_language=language, is_site_admin=site_admin)
        if password == DEFAULT_PASSWORD:
            user.password_hash = _default_hash()  # scrypt is slow on purpose; hash once
        else:
            user.set_password(password)
        db.session.add(user)
        for municipality, role in roles:
            db.session.add(Membership(user=user, municipality_id=municipality.id, role=role))
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_lab(app):
    from cocreate.labs.models import Lab

    def make(municipality, slug=None, status="published", **kwargs):
        values = dict(title={"nl": "Samen leven", "en": "Living together", "ar": "العيش معًا"},
                      description={"nl": "Beschrijving.", "en": "Description."},
                      default_language="nl", languages=["nl", "en", "ar"])
        values.update(kwargs)
        lab = Lab(municipality=municipality, slug=slug or f"lab-{uuid.uuid4().hex[:8]}",
                  status=status, **values)
        db.session.add(lab)
        db.session.flush()
        return lab

    return make


@pytest.fixture
def make_survey(make_lab):
    from cocreate.surveys.authoring import add_sections_from
    from cocreate.surveys.models import Survey
    from tests.surveys.definitions import DEFINITION, t

    def make(town, *, lab=None, status="open", mode="anonymous", definition=None,
             slug="s1", **kwargs):
        lab = lab or make_lab(town)
        survey = Survey(lab=lab, slug=slug, title=t("Survey"), intro=t("Intro"),
                        thanks=t("Thanks"), consent_text=t("Consent"), mode=mode, status=status,
                        default_language="nl", languages=["nl", "en", "ar"], **kwargs)
        db.session.add(survey)
        db.session.flush()
        add_sections_from(survey, definition or DEFINITION)
        db.session.refresh(survey)
        return survey

    return make


@pytest.fixture
def make_session(make_lab):
    """A published focus-group session starting in ten days (callable factory)."""
    from datetime import timedelta

    from cocreate.core.base import utcnow
    from cocreate.focusgroups import screening
    from cocreate.focusgroups.models import FocusSession

    def make(town, *, lab=None, capacity=4, quota=None, status="published", **kwargs):
        start = utcnow().replace(microsecond=0) + timedelta(days=10)
        values = dict(topic={"nl": "Gesprek", "en": "Conversation", "ar": "حوار"},
                      description={"nl": "Uitleg"}, starts_at=start,
                      ends_at=start + timedelta(hours=2), format="in_person",
                      address="Markt 1, Ninove", working_language="nl", interpretation=["ar"],
                      capacity=capacity, status=status)
        if quota:
            values.update(quotas={"question": screening.GROUP_QUESTION,
                                  "minimum": {screening.NEWCOMER: quota[0],
                                              screening.LONG_TERM: quota[1]}},
                          screening=screening.STANDARD)
        values.update(kwargs)
        session = FocusSession(lab=lab or make_lab(town), **values)
        db.session.add(session)
        db.session.flush()
        return session

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def live_app(request, tmp_path):
    """A separate app on its own fresh database with the demo (no survey responses),
    committed for real: for tests where several threads must use their own connections."""
    url = (postgres_url(f"cocreate_live_{os.getpid()}") if request.param == "postgresql"
           else f"sqlite:///{tmp_path}/live.sqlite")
    # Many clients from one address on purpose: lift the limits (the limiter object is
    # shared by every app in the process, so it must stay enabled).
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                              "RATELIMIT_REGISTER": "10000 per minute",
                              "RATELIMIT_SURVEY_SUBMIT": "10000 per minute"})
    application.test_client_class = Client
    with application.app_context():
        db.create_all()
        from seeds import run_demo

        run_demo(responses=0)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
