"""Bad input never gives a 500 and never leaves a partial write (property-based)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocreate.accounts.models import Invitation, User
from cocreate.extensions import db
from cocreate.labs.models import Lab, Phase
from cocreate.municipalities.models import Municipality

# Any text a browser (or an attacker) can send: control characters, RTL marks,
# emoji, very long strings — but not lone surrogates, which no UTF-8 form can carry.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400) | \
    st.sampled_from(["", " ", "\x00", "a" * 20_000, "<script>alert(1)</script>", "‮evil",
                     "=cmd|' /C calc'!A0", "😀" * 50, "null", "../../etc/passwd"])
FUZZ = settings(max_examples=20, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@FUZZ
@given(name=TEXT, email=TEXT, password=TEXT, language=TEXT)
def test_register_never_fails_badly(client, name, email, password, language):
    before = _count(User)
    response = client.post_form("/en/register", {"display_name": name, "email": email,
                                                 "password": password, "confirm": password,
                                                 "preferred_language": language})
    assert response.status_code in (200, 302, 429)
    if response.status_code == 302:
        client.post_form("/en/logout")
    else:
        assert _count(User) == before


@FUZZ
@given(email=TEXT, password=TEXT, next_url=TEXT)
def test_login_never_fails_badly(client, email, password, next_url):
    response = client.post("/en/login", query_string={"next": next_url},
                           data={"email": email, "password": password,
                                 "csrf_token": client._csrf or client.csrf_token()})
    assert response.status_code in (200, 429)


@FUZZ
@given(email=TEXT)
def test_forgot_password_never_fails_badly(client, email):
    assert client.post_form("/en/password/forgot", {"email": email}).status_code in (200, 429)


@pytest.fixture
def official(make_municipality, make_user, client):
    town = make_municipality()
    client.login_as(make_user(roles=[(town, "admin")]))
    return town


@FUZZ
@given(slug=TEXT, title=TEXT, description=TEXT, default=TEXT, langs=st.lists(TEXT, max_size=3))
def test_new_lab_never_fails_badly(client, official, slug, title, description, default, langs):
    before = _count(Lab)
    response = client.post_form(f"/en/m/{official.slug}/manage/labs/new", {
        "slug": slug, "title__nl": title, "description__nl": description,
        "default_language": default, "languages": langs})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _count(Lab) == before


@FUZZ
@given(title=TEXT, start=TEXT, end=TEXT)
def test_add_phase_never_fails_badly(client, official, make_lab, title, start, end):
    lab = make_lab(official)
    before = _count(Phase)
    response = client.post_form(f"/en/m/{official.slug}/manage/labs/{lab.slug}/phases", {
        "phase-title__nl": title, "phase-starts_on": start, "phase-ends_on": end})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert _count(Phase) == before


@FUZZ
@given(name=TEXT, country=TEXT, timezone=TEXT, default=TEXT)
def test_settings_never_fail_badly(client, official, name, country, timezone, default):
    response = client.post_form(f"/en/m/{official.slug}/manage/settings", {
        "name": name, "country": country, "timezone": timezone, "default_language": default,
        "languages": [default]})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        db.session.refresh(official)
        assert official.timezone == "Europe/Brussels"


@FUZZ
@given(email=TEXT, role=TEXT, language=TEXT)
def test_invite_never_fails_badly(client, official, email, role, language):
    before = _count(Invitation)
    response = client.post_form(f"/en/m/{official.slug}/manage/members",
                                {"email": email, "role": role, "language": language})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _count(Invitation) == before


@FUZZ
@given(slug=TEXT, name=TEXT)
def test_new_municipality_never_fails_badly(client, make_user, slug, name):
    client.login_as(make_user(site_admin=True))
    before = _count(Municipality)
    response = client.post_form("/en/admin/municipalities", {
        "slug": slug, "name": name, "country": "BE", "timezone": "Europe/Brussels",
        "default_language": "nl", "languages": ["nl"]})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _count(Municipality) == before


@pytest.mark.parametrize("url", [
    "/en/m/%00/", "/en/m/ninove%00/", "/en/m/" + "a" * 500 + "/",
    "/en/m/xtown/manage/members/99999999999999999999999/role",
    "/en/m/xtown/manage/labs/y/phases/-1/delete", "/en/invitations/%00%ff",
    "/en/password/reset/" + "x" * 5000, "/en/login?next=%ff%fe%00",
    "/%E2%80%AE/", "/en/m/ninove/labs/../../", "/en/?a=%zz&b[]=1",
])
def test_malformed_urls_are_never_a_500(client, make_user, make_municipality, url):
    town = make_municipality("xtown")
    client.login_as(make_user(roles=[(town, "admin")]))
    assert client.get(url).status_code < 500
    assert client.post_form(url, {}).status_code < 500


def test_huge_id_on_a_real_route_is_404(client, make_user, make_municipality):
    town = make_municipality()
    client.login_as(make_user(roles=[(town, "admin")]))
    response = client.post_form(f"/en/m/{town.slug}/manage/members/99999999999/role",
                                {"role": "official"})
    assert response.status_code == 404


def test_a_one_character_short_name_is_refused_by_the_form_not_the_database(client, make_user):
    """Found by the property test above: the form let "0" through to the database's check."""
    client.login_as(make_user(site_admin=True))
    response = client.post_form("/en/admin/municipalities", {
        "slug": "0", "name": "Zero", "country": "BE", "timezone": "Europe/Brussels",
        "default_language": "nl", "languages": ["nl"]})
    assert response.status_code == 200 and "Use 2 to 64 lower-case letters" in response.text
    assert _count(Municipality) == 0
