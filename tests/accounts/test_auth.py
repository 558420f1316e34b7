"""Registration, sign-in, real sign-out, password reset, profile, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from cocreate.accounts.models import LoginSession, PasswordReset, User
from cocreate.core.base import utcnow
from cocreate.core.models import OutboxMessage
from cocreate.extensions import db

GOOD = {"display_name": "Amal", "email": "amal@example.org", "password": "a long password 1",
        "confirm": "a long password 1", "preferred_language": "ar"}


def _outbox_link(path_prefix: str) -> str:
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    match = re.search(r"http://cocreate\.test(/\S+)", message.body_text)
    assert match and match.group(1).startswith(path_prefix), message.body_text
    return match.group(1)


def test_register_creates_account_and_signs_in(client):
    response = client.post_form("/en/register", GOOD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/ar/")
    user = db.session.scalar(sa.select(User).where(User.email == "amal@example.org"))
    assert user.preferred_language == "ar"
    assert user.password_hash.startswith("scrypt:") and "a long password" not in user.password_hash
    assert "amal@example.org" in client.get("/en/profile").text


def test_register_refuses_bad_input_and_writes_nothing(client):
    cases = [
        {**GOOD, "email": "not-an-email"},
        {**GOOD, "password": "short", "confirm": "short"},
        {**GOOD, "confirm": "something else"},
        {**GOOD, "display_name": ""},
        {**GOOD, "display_name": "x" * 81},
        {**GOOD, "display_name": "bad\x00name"},
        {**GOOD, "preferred_language": "xx"},
    ]
    for data in cases:
        response = client.post_form("/en/register", data)
        assert response.status_code == 200
        assert 'class="error-summary"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_error_messages_are_translated(client):
    response = client.post_form("/fr/register", {**GOOD, "email": "nope"})
    assert "Il y a un problème" in response.text


def test_duplicate_email_is_refused(client, make_user):
    make_user("amal@example.org")
    response = client.post_form("/en/register", {**GOOD, "email": "AMAL@example.org"})
    assert "already an account" in response.text


def test_login_with_wrong_password_fails(client, make_user):
    user = make_user()
    response = client.post_form("/en/login", {"email": user.email, "password": "wrong one!!"})
    assert response.status_code == 200 and "not right" in response.text


def test_login_redirects_only_to_local_next(client, make_user):
    user = make_user()
    for target, expected in [("/en/profile", "/en/profile"), ("https://evil.example/", "/en/"),
                             ("//evil.example/", "/en/"), ("/\\evil", "/en/")]:
        client.csrf_token()
        response = client.post_form(f"/en/login?next={target}",
                                    {"email": user.email, "password": "correct horse battery"})
        assert response.headers["Location"] == expected
        client.post_form("/en/logout")


def test_logout_really_ends_the_session(client, make_user):
    user = make_user()
    client.login(user)
    assert client.get("/en/profile").status_code == 200
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post_form("/en/logout")
    assert client.get("/en/profile").status_code == 302
    with client.session_transaction() as session:  # replay the old cookie's contents
        session.update(stolen)
    response = client.get("/en/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_needs_a_post_with_csrf(client, make_user):
    client.login(make_user())
    assert client.get("/en/logout").status_code == 405
    assert client.post("/en/logout", data={}).status_code == 400
    assert client.get("/en/profile").status_code == 200


def test_staff_session_ends_after_idle_time(client, make_user, make_municipality):
    user = make_user(roles=[(make_municipality(), "official")])
    client.login(user)
    record = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_id == user.id))
    assert record.is_staff
    record.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.flush()
    assert client.get("/en/profile").status_code == 302


def test_staff_session_ends_after_twelve_hours_even_when_active(client, make_user,
                                                                 make_municipality):
    user = make_user(roles=[(make_municipality(), "official")])
    client.login(user)
    record = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_id == user.id))
    record.created_at = utcnow() - timedelta(hours=11, minutes=59)
    record.last_seen_at = utcnow()
    db.session.flush()
    assert client.get("/en/profile").status_code == 200, "still inside the 12 hours"
    record.created_at = utcnow() - timedelta(hours=12, minutes=1)
    db.session.flush()
    response = client.get("/en/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.refresh(record)
    assert record.revoked_at is not None


def test_disabling_a_person_ends_their_sessions(client, make_user):
    from cocreate.accounts.service import set_disabled

    user = make_user()
    client.login(user)
    set_disabled(make_user(site_admin=True), user, True)
    db.session.flush()
    assert client.get("/en/profile").status_code == 302
    response = client.post_form("/en/login", {"email": user.email,
                                              "password": "correct horse battery"})
    assert response.status_code == 200


def test_password_reset_flow(client, make_user):
    user = make_user(language="nl")
    response = client.post_form("/en/password/forgot", {"email": user.email})
    assert response.status_code == 200
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.language == "nl" and message.to_address == user.email
    assert message.subject == "Kies een nieuw wachtwoord"
    link = _outbox_link("/nl/password/reset/")
    assert client.get(link).status_code == 200
    response = client.post_form(link, {"password": "brand new password",
                                       "confirm": "brand new password"})
    assert response.status_code == 302
    client.post_form("/en/login", {"email": user.email, "password": "brand new password"})
    assert client.get("/en/profile").status_code == 200
    assert client.get(link).status_code == 410  # single use


def test_password_reset_link_expires(client, make_user):
    user = make_user()
    client.post_form("/en/password/forgot", {"email": user.email})
    link = _outbox_link("/en/password/reset/")
    reset = db.session.scalars(sa.select(PasswordReset)).one()
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(link).status_code == 410
    response = client.post_form(link, {"password": "brand new password",
                                       "confirm": "brand new password"})
    assert response.status_code == 410


def test_password_reset_for_unknown_address_says_the_same(client):
    response = client.post_form("/en/password/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 200 and "nobody@example.org" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_reset_ends_other_sessions(client, app, make_user):
    user = make_user()
    other = app.test_client()
    other.login(user)
    client.post_form("/en/password/forgot", {"email": user.email})
    client.post_form(_outbox_link("/en/password/reset/"),
                     {"password": "brand new password", "confirm": "brand new password"})
    assert other.get("/en/profile").status_code == 302


def test_profile_update(client, make_user):
    user = make_user()
    client.login(user)
    response = client.post_form("/en/profile", {"display_name": "Nieuwe naam",
                                                "preferred_language": "nl"})
    assert response.status_code == 302 and response.headers["Location"] == "/nl/profile"
    db.session.refresh(user)
    assert (user.display_name, user.preferred_language) == ("Nieuwe naam", "nl")
    response = client.post_form("/en/profile", {"display_name": "", "preferred_language": "zz"})
    assert response.status_code == 200 and "error-summary" in response.text
    db.session.refresh(user)
    assert user.display_name == "Nieuwe naam"


def test_login_is_rate_limited(client, make_user):
    user = make_user()
    statuses = [client.post_form("/en/login", {"email": user.email, "password": "wrong wrong"})
                .status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    response = client.post_form("/nl/login", {"email": user.email, "password": "x"})
    assert response.status_code == 429 and "Te veel pogingen" in response.text


def test_session_cookie_flags(client, make_user):
    client.login(make_user())
    response = client.get("/en/profile")
    assert response.status_code == 200
    cookie = client.get_cookie("cocreate_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_rate_limits_work_with_redis_storage(tmp_path):
    """Several web hosts share their counts through Redis (skipped without Redis)."""
    import redis

    from cocreate import create_app
    from tests.conftest import BASE_CONFIG, Client

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        import pytest

        pytest.skip(f"Redis is not reachable at 127.0.0.1:6379: {exc}")
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/r.sqlite",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
                      "RATELIMIT_LOGIN": "3 per minute"})
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
    from cocreate.extensions import limiter

    with app.app_context():
        limiter.reset()
    client = app.test_client()
    try:
        statuses = [client.post_form("/en/login", {"email": "a@example.org", "password": "x"})
                    .status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        with app.app_context():
            limiter.reset()
        # The limiter object is shared by every app in this process: give the rest of
        # the suite its in-memory storage back.
        create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.sqlite"})


def test_client_address_comes_from_the_trusted_proxy(tmp_path):
    from cocreate import create_app
    from tests.conftest import BASE_CONFIG, Client

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite",
                      "RATELIMIT_LOGIN": "2 per minute", "PROXY_COUNT": 1})
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
    client = app.test_client()

    def attempt(address):
        return client.post_form("/en/login", {"email": "a@example.org", "password": "x"},
                                headers={"X-Forwarded-For": address}).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.2") == 200  # another person behind the same proxy
