"""Invitations by e-mail (expire, single use) and role management."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cocreate.accounts import service
from cocreate.accounts.models import Invitation, Membership, User
from cocreate.core.base import utcnow
from cocreate.core.models import AuditLog, OutboxMessage
from cocreate.extensions import db


@pytest.fixture
def town_admin(make_municipality, make_user):
    town = make_municipality()
    return town, make_user(roles=[(town, "admin")])


def _invite(client, town, email="new@example.org", role="official", language="fr"):
    response = client.post_form(f"/en/m/{town.slug}/manage/members",
                                {"email": email, "role": role, "language": language})
    assert response.status_code == 302, response.text
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return message, re.search(r"http://cocreate\.test(/\S+)", message.body_text).group(1)


def test_invitation_creates_account_and_role(client, town_admin):
    town, admin = town_admin
    client.login_as(admin)
    message, link = _invite(client, town)
    assert message.language == "fr" and link.startswith("/fr/invitations/")
    assert town.name in message.body_text
    client.post_form("/en/logout")
    assert client.get(link).status_code == 200
    response = client.post_form(link, {"display_name": "Nora", "password": "new password 123",
                                       "confirm": "new password 123"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert [(m.municipality_id, m.role) for m in user.memberships] == [(town.id, "official")]
    assert client.get(f"/en/m/{town.slug}/manage/labs/new").status_code == 200
    assert client.get(link).status_code == 410  # single use


def test_invitation_expires(client, town_admin):
    town, admin = town_admin
    client.login_as(admin)
    _, link = _invite(client, town)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    client.post_form("/en/logout")
    assert client.get(link).status_code == 410


def test_existing_account_accepts_after_signing_in(client, town_admin, make_user):
    town, admin = town_admin
    invitee = make_user("known@example.org")
    client.login_as(admin)
    _, link = _invite(client, town, email="known@example.org", role="researcher",
                      language="en")
    client.post_form("/en/logout")
    assert "Sign in to accept" in client.get(link).text
    client.login_as(invitee)
    assert client.post_form(link).status_code == 302
    db.session.refresh(invitee)
    assert {m.role for m in invitee.memberships} == {"researcher"}


def test_invitation_cannot_be_taken_by_another_account(client, town_admin, make_user):
    town, admin = town_admin
    client.login_as(admin)
    _, link = _invite(client, town)
    client.login_as(make_user("someone-else@example.org"))
    assert client.post_form(link).status_code == 403
    assert db.session.scalar(sa.select(Invitation.accepted_at)) is None


def test_revoked_invitation_no_longer_works(client, town_admin):
    town, admin = town_admin
    client.login_as(admin)
    _, link = _invite(client, town)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    client.post_form(f"/en/m/{town.slug}/manage/invitations/{invitation.id}/revoke")
    client.post_form("/en/logout")
    assert client.get(link).status_code == 410


def test_invite_form_refuses_bad_input(client, town_admin):
    town, admin = town_admin
    client.login_as(admin)
    for data in ({"email": "nope", "role": "official", "language": "en"},
                 {"email": "a@example.org", "role": "king", "language": "en"},
                 {"email": "a@example.org", "role": "official", "language": "xx"}):
        response = client.post_form(f"/en/m/{town.slug}/manage/members", data)
        assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_change_and_remove_role_are_audited(client, town_admin, make_user):
    town, admin = town_admin
    person = make_user(roles=[(town, "moderator")])
    membership = db.session.scalars(sa.select(Membership).filter_by(user_id=person.id)).one()
    client.login_as(admin)
    client.post_form(f"/en/m/{town.slug}/manage/members/{membership.id}/role", {"role": "official"})
    db.session.refresh(membership)
    assert membership.role == "official"
    membership_id = membership.id
    client.post_form(f"/en/m/{town.slug}/manage/members/{membership_id}/remove")
    db.session.expunge(membership)
    assert db.session.scalar(sa.select(Membership).filter_by(id=membership_id)) is None
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "membership.role_changed" in actions and "membership.removed" in actions


def test_last_admin_cannot_be_removed(client, town_admin):
    town, admin = town_admin
    membership = admin.memberships[0]
    client.login_as(admin)
    response = client.post_form(f"/en/m/{town.slug}/manage/members/{membership.id}/remove")
    assert response.status_code == 302
    assert db.session.get(Membership, membership.id) is not None
    client.post_form(f"/en/m/{town.slug}/manage/members/{membership.id}/role",
                     {"role": "official"})
    db.session.refresh(membership)
    assert membership.role == "admin"


def test_service_refuses_duplicate_role(town_admin, make_user):
    town, admin = town_admin
    person = make_user(roles=[(town, "moderator"), (town, "official")])
    moderator = next(m for m in person.memberships if m.role == "moderator")
    with pytest.raises(service.AccountError):
        service.change_role(admin, moderator, "official")
