"""Write paths for people: registration, sessions, passwords, invitations, roles.

Each function takes the acting person explicitly and leaves committing to the
caller unless it says otherwise, so a view's whole change lands or nothing does.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import (
    Invitation,
    LoginSession,
    Membership,
    PasswordReset,
    User,
    token_hash,
)
from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.core.mail import queue_mail
from cocreate.core.permissions import Role
from cocreate.extensions import db

log = logging.getLogger("cocreate.accounts")

# Checked against when the e-mail is unknown, so timing does not tell who has an account.
_DUMMY_HASH = "scrypt:32768:8:1$dummy$" + "0" * 128


class AccountError(DomainError):
    """A refusal about accounts, sessions, invitations or roles."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.lower()))


def register_user(email: str, password: str, display_name: str, language: str) -> User:
    if find_user_by_email(email) is not None:
        raise AccountError(_l("There is already an account with this e-mail address."))
    user = User(email=email.lower(), display_name=display_name, preferred_language=language)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log.info("registered user %s", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        from werkzeug.security import check_password_hash

        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or user.is_disabled:
        return None
    return user


# -- Sessions ----------------------------------------------------------------


def start_session(user: User) -> str:
    """Create a server-side session for ``user`` and return its secret key."""
    key = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user=user, key_hash=token_hash(key), is_staff=user.is_staff))
    user.last_login_at = utcnow()
    user.session_key = key
    return key


def load_session_user(key: str) -> User | None:
    """The user of a live session, or None when it was revoked or timed out."""
    if not key or len(key) > 128:
        return None
    record = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.key_hash == token_hash(key))
    )
    if record is None or record.revoked_at is not None or record.user.is_disabled:
        return None
    now = utcnow()
    cfg = current_app.config
    if record.is_staff:
        idle, age = timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]), timedelta(
            hours=cfg["SESSION_MAX_HOURS"])
    else:
        idle, age = timedelta(days=14), timedelta(days=30)
    if now - record.last_seen_at > idle or now - record.created_at > age:
        record.revoked_at = now
        db.session.commit()
        return None
    if now - record.last_seen_at > timedelta(minutes=1):
        # Touch at most once a minute: no write on every request. Best effort: a
        # busy database must not turn a page view into an error.
        record.last_seen_at = now
        try:
            db.session.commit()
        except sa.exc.OperationalError:
            db.session.rollback()
    record.user.session_key = key
    return record.user


def end_session(key: str | None) -> None:
    if key:
        db.session.execute(
            sa.update(LoginSession)
            .where(LoginSession.key_hash == token_hash(key), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user: User) -> None:
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def set_disabled(actor: User, user: User, disabled: bool) -> None:
    """Disable or re-enable a person; disabling ends all their sessions."""
    user.is_disabled = disabled
    if disabled:
        end_all_sessions(user)
    audit.record("user.disabled" if disabled else "user.enabled", user, actor=actor)


# -- Profile and passwords -----------------------------------------------------


def update_profile(user: User, display_name: str, language: str) -> None:
    user.display_name = display_name
    user.preferred_language = language


def request_password_reset(email: str) -> None:
    """Mail a single-use reset link if the address has an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or user.is_disabled:
        log.info("password reset asked for an unknown or disabled address")
        return
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(PasswordReset(user=user, token_hash=token_hash(token),
                                 expires_at=utcnow() + timedelta(hours=hours)))
    queue_mail(user.email, user.preferred_language, _l("Choose a new password"),
               "mail/password_reset.txt", user=user, token=token, hours=hours)


def find_password_reset(token: str) -> PasswordReset | None:
    """A reset that can still be used, or None."""
    if not token or len(token) > 128:
        return None
    reset = db.session.scalar(
        sa.select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(token: str, password: str) -> User:
    reset = find_password_reset(token)
    if reset is None:
        raise AccountError(_l("This link has expired or was already used. Ask for a new one."))
    reset.used_at = utcnow()
    reset.user.set_password(password)
    end_all_sessions(reset.user)
    audit.record("user.password_reset", reset.user, actor=reset.user)
    return reset.user


# -- Invitations and roles -------------------------------------------------------


def invite(actor: User, municipality, email: str, role: Role, language: str) -> Invitation:
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        municipality_id=municipality.id, email=email.lower(), role=Role(role).value,
        language=language, token_hash=token_hash(token), invited_by=actor,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    audit.record("invitation.created", invitation, actor=actor, municipality=municipality,
                 role=invitation.role)
    queue_mail(invitation.email, language, _l("You are invited to Cocreate"),
               "mail/invitation.txt", municipality=municipality, invitation=invitation,
               token=token, inviter=actor)
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """A usable invitation for ``token``, or None (unknown, used, revoked or expired)."""
    if not token or len(token) > 128:
        return None
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or not invitation.is_usable(utcnow()):
        return None
    return invitation


def accept_invitation(token: str, user: User) -> Membership:
    invitation = find_invitation(token)
    if invitation is None:
        raise AccountError(_l("This invitation has expired or was already used."))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    membership = db.session.scalar(
        sa.select(Membership).filter_by(user_id=user.id, municipality_id=invitation.municipality_id,
                                        role=invitation.role)
    )
    if membership is None:
        membership = Membership(user=user, municipality_id=invitation.municipality_id,
                                role=invitation.role)
        db.session.add(membership)
    audit.record("membership.created", membership, actor=user,
                 municipality=invitation.municipality, role=invitation.role, via="invitation")
    return membership


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    invitation.revoked_at = utcnow()
    audit.record("invitation.revoked", invitation, actor=actor,
                 municipality=invitation.municipality)


def admin_count(municipality_id: int) -> int:
    """How many administrators a municipality has (the last one may not leave)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership)
        .where(Membership.municipality_id == municipality_id, Membership.role == Role.ADMIN)
    )


def change_role(actor: User, membership: Membership, role: Role) -> None:
    role = Role(role)
    if membership.role == role:
        return
    if membership.role == Role.ADMIN and admin_count(membership.municipality_id) <= 1:
        raise AccountError(_l("A municipality needs at least one administrator."))
    duplicate = db.session.scalar(
        sa.select(Membership).filter_by(user_id=membership.user_id,
                                        municipality_id=membership.municipality_id, role=role)
    )
    if duplicate is not None:
        raise AccountError(_l("This person already has that role."))
    old = membership.role
    membership.role = role.value
    audit.record("membership.role_changed", membership, actor=actor,
                 municipality=membership.municipality, old=old, new=role.value)


def remove_membership(actor: User, membership: Membership) -> None:
    if membership.role == Role.ADMIN and admin_count(membership.municipality_id) <= 1:
        raise AccountError(_l("A municipality needs at least one administrator."))
    audit.record("membership.removed", membership, actor=actor,
                 municipality=membership.municipality, role=membership.role,
                 user_id=membership.user_id)
    db.session.delete(membership)


def purge_expired_records(now=None) -> int:
    """Retention: delete sign-in sessions that ended and password-reset links that were
    used or expired more than ``ACCOUNT_RECORD_DAYS`` ago."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["ACCOUNT_RECORD_DAYS"]))
    max_age = timedelta(hours=int(current_app.config["SESSION_MAX_HOURS"]))
    sessions = db.session.execute(sa.delete(LoginSession).where(sa.or_(
        LoginSession.revoked_at < cutoff, LoginSession.created_at < cutoff - max_age)))
    resets = db.session.execute(sa.delete(PasswordReset).where(
        PasswordReset.expires_at < cutoff))
    return (sessions.rowcount or 0) + (resets.rowcount or 0)
