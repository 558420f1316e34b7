"""Personal API tokens: made on the profile, shown once, stored hashed, revoked, expiring;
only for researchers, with CSRF on both forms and clear refusals for bad input."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog
from cocreate.extensions import db
from cocreate.research import tokens
from cocreate.research.models import ApiToken

PAGE = "/en/profile/api-tokens"
TOKEN = re.compile(r'id="new-token"[^>]*value="(cc_[A-Za-z0-9_-]{43})"')


def revoke_url(token) -> str:
    return f"{PAGE}/{token.id}/revoke"


def stored(user) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id)))


def audit(action) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


@pytest.fixture
def researcher(make_municipality, make_user, client):
    user = make_user(roles=[(make_municipality(), "researcher")])
    client.login_as(user)
    return user


def create(client, name="R scripts", days=""):
    response = client.post_form(PAGE, {"name": name, "expires_in_days": days})
    match = TOKEN.search(response.text)
    return response, match.group(1) if match else None


def test_token_is_shown_once_and_stored_as_a_hash(client, researcher):
    page = client.get(PAGE)
    assert page.status_code == 200 and "You have no API tokens yet." in page.text
    response, secret = create(client, "Analysis laptop")
    assert response.status_code == 200 and secret is not None
    assert "Copy it now" in response.text and f"Bearer {secret}" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    [token] = stored(researcher)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert token.prefix == secret[:10] and token.name == "Analysis laptop"
    assert token.expires_at - token.created_at == timedelta(days=90)
    assert [a.object_id for a in audit("api_token.created")] == [token.id]
    # Never again: the list shows the name and the first characters only.
    again = client.get(PAGE)
    assert secret not in again.text and token.prefix in again.text and "Analysis laptop" in again.text
    assert "new-token" not in again.text
    # The token works against the API.
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_expiry_in_days(client, researcher):
    _response, secret = create(client, days="7")
    [token] = stored(researcher)
    assert secret and token.expires_at - token.created_at == timedelta(days=7)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert "Expired" in client.get(PAGE).text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


@pytest.mark.parametrize("name,days", [
    ("", ""), ("   ", ""), ("x" * 81, ""), ("tab\tname", ""), ("line\nbreak", ""),
    ("ok", "0"), ("ok", "366"), ("ok", "-1"), ("ok", "abc"), ("ok", "1.5"), ("ok", "9" * 30)])
def test_bad_input_is_refused_and_changes_nothing(client, researcher, name, days):
    response, secret = create(client, name, days)
    assert response.status_code == 400 and secret is None
    assert "error-summary" in response.text
    assert stored(researcher) == [] and audit("api_token.created") == []


def test_too_many_active_tokens(client, researcher):
    for i in range(tokens.MAX_ACTIVE):
        tokens.create_token(researcher, name=f"t{i}")
    db.session.flush()
    response, secret = create(client, "one more")
    assert response.status_code == 400 and secret is None
    assert "Revoke one you no longer use first." in response.text
    assert len(stored(researcher)) == tokens.MAX_ACTIVE


def test_revoke_own_token(client, researcher):
    _response, secret = create(client)
    [token] = stored(researcher)
    response = client.post_form(revoke_url(token))
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert [a.object_id for a in audit("api_token.revoked")] == [token.id]
    assert "is revoked" in client.get(PAGE).text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    # A second time is refused with a message, and the first date stays.
    first = token.revoked_at
    client.post_form(revoke_url(token))
    assert "already revoked" in client.get(PAGE).text
    db.session.refresh(token)
    assert token.revoked_at == first and len(audit("api_token.revoked")) == 1


def test_someone_elses_token_is_a_404(client, researcher, make_user, make_municipality):
    colleague = make_user(roles=[(make_municipality(), "researcher")])
    theirs, _secret = tokens.create_token(colleague, name="theirs")
    db.session.flush()
    assert client.post_form(revoke_url(theirs)).status_code == 404
    assert client.post_form(f"{PAGE}/2147483647/revoke").status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None
    assert "theirs" not in client.get(PAGE).text


def test_both_forms_need_the_csrf_token(client, researcher):
    response = client.post(PAGE, data={"name": "no csrf"})
    assert response.status_code == 400 and stored(researcher) == []
    token, _secret = tokens.create_token(researcher, name="kept")
    db.session.flush()
    assert client.post(revoke_url(token)).status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None


@pytest.mark.parametrize("role", ["participant", "moderator", "official", "admin", "site_admin"])
def test_only_researchers_have_tokens(client, make_user, make_municipality, role):
    town = make_municipality()
    person = make_user(site_admin=True) if role == "site_admin" else make_user(roles=[(town, role)])
    client.login_as(person)
    assert client.get(PAGE).status_code == 403
    assert client.post_form(PAGE, {"name": "x"}).status_code == 403
    assert client.post_form(f"{PAGE}/1/revoke").status_code == 403
    assert stored(person) == []
    assert "api-tokens" not in client.get("/en/profile").text
    with pytest.raises(tokens.TokenError):
        tokens.create_token(person, name="direct")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(PAGE), client.post_form(f"{PAGE}/1/revoke")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_profile_links_researchers_to_their_tokens(client, researcher):
    page = client.get("/en/profile")
    assert page.status_code == 200 and 'href="/en/profile/api-tokens"' in page.text


def test_service_checks_its_own_input(researcher):
    for kwargs in ({"name": ""}, {"name": "x" * 81}, {"name": "a\x00b"}, {"name": "ok", "expires_in_days": 0},
                   {"name": "ok", "expires_in_days": 366}, {"name": "ok", "expires_in_days": True},
                   {"name": "ok", "expires_in_days": "5"}):
        with pytest.raises(tokens.TokenError):
            tokens.create_token(researcher, **kwargs)
    token, secret = tokens.create_token(researcher, name="ok", expires_in_days=365)
    assert secret.startswith(tokens.PREFIX) and len(secret) == 46
    assert tokens.authenticate(f"bearer {secret}").id == token.id  # the scheme is case-insensitive
    assert tokens.authenticate(f"Bearer {secret}", now=token.expires_at) is None
    assert tokens.authenticate(secret) is None and tokens.authenticate(f"Basic {secret}") is None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=120) | st.sampled_from(["\u202eevil", "<b>x</b>", "😀" * 80]),
       days=st.text(max_size=8) | st.integers(-5, 400).map(str))
def test_any_input_never_fails_badly(client, researcher, name, days):
    before = len(stored(researcher))
    response, secret = create(client, name, days)
    assert response.status_code in (200, 400)
    assert len(stored(researcher)) == before + (1 if secret else 0)
    if secret:
        client.post_form(revoke_url(stored(researcher)[-1]))  # keep below the active limit
