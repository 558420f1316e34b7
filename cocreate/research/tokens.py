"""Personal API tokens for the read-only research API: create, revoke, authenticate.

A token is ``cc_`` followed by 256 random bits. The secret is shown to its owner
once, when it is made; the database keeps only its SHA-256 (so a copy of the
database opens nothing) and its first characters, so people can tell their
tokens apart. A token acts for its owner and is worth exactly what the owner's
researcher memberships are worth at the moment of each request: losing the role
in a town closes that town's data to every token at once.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import Membership, token_hash
from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.core.forms import CONTROL_SINGLE_LINE
from cocreate.core.permissions import ROLE_PERMISSIONS, Permission, has_permission
from cocreate.extensions import db
from cocreate.research.models import ApiToken

log = logging.getLogger("cocreate.research.api")

PREFIX = "cc_"
#: ``cc_`` and a few characters of the secret: enough to recognise a token in a list.
SHOWN_PREFIX_LENGTH = 10
NAME_MAX = 80
DEFAULT_DAYS = 90
MAX_DAYS = 365
#: Active tokens per person; more is a sign that old ones are not being revoked.
MAX_ACTIVE = 20
#: ``last_used_at`` is written at most this often per token: no write on every call.
TOUCH_INTERVAL = timedelta(minutes=1)
#: Longer Authorization values are refused unread (a real one is about 46 characters).
MAX_HEADER_LENGTH = 200

#: Roles that carry the research permission, read from the permission table.
RESEARCH_ROLES = tuple(sorted(role.value for role, permissions in ROLE_PERMISSIONS.items()
                              if Permission.RESEARCH in permissions))


class TokenError(DomainError):
    """A refusal about API tokens."""


# -- Who may hold tokens -------------------------------------------------------------


def research_municipality_ids(user):
    """SQL: the ids of the municipalities where ``user`` holds the research permission
    (a subquery over memberships; being site admin gives it nowhere)."""
    return sa.select(Membership.municipality_id).where(
        Membership.user_id == user.id, Membership.role.in_(RESEARCH_ROLES))


def holds_research_anywhere(user) -> bool:
    """API tokens are for people who are researchers in at least one municipality."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(has_permission(user, Permission.RESEARCH, m.municipality) for m in user.memberships)


# -- Reading -------------------------------------------------------------------------


def tokens_of(user) -> list[ApiToken]:
    """A person's tokens, newest first (revoked and expired ones too, for the record)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_own_token(user, token_id: int) -> ApiToken | None:
    """``user``'s token ``token_id``; None for anyone else's (the view answers 404)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    return token


# -- Writing -------------------------------------------------------------------------


def create_token(actor, *, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``actor``; returns it with its secret (shown once, never stored)."""
    if not holds_research_anywhere(actor):
        raise TokenError(_l("API tokens are for researchers."))
    name = (name or "").strip()
    if not name:
        raise TokenError(_l("Give the token a name, for example the project or computer it is for."))
    if len(name) > NAME_MAX or CONTROL_SINGLE_LINE.search(name):
        raise TokenError(_l("Use at most %(max)s characters, without line breaks, for the name.",
                            max=NAME_MAX))
    days = DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise TokenError(_l("A token is valid for 1 to %(max)s days.", max=MAX_DAYS))
    now = utcnow()
    active = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None),
        sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)))
    if active >= MAX_ACTIVE:
        raise TokenError(_l("You have %(count)s active tokens. Revoke one you no longer use first.",
                            count=active))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=token_hash(secret),
                     prefix=secret[:SHOWN_PREFIX_LENGTH], created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    audit.record("api_token.created", token, actor=actor, name=name,
                 expires_at=token.expires_at.isoformat())
    return token, secret


def revoke_token(actor, token: ApiToken) -> None:
    """Revoke one of ``actor``'s own tokens; it stops working with the next request."""
    if token.user_id != actor.id:
        raise TokenError(_l("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        raise TokenError(_l("This token was already revoked."))
    token.revoked_at = utcnow()
    audit.record("api_token.revoked", token, actor=actor, name=token.name)


# -- Authentication ------------------------------------------------------------------


def bearer_secret(authorization: str | None) -> str | None:
    """The token in an ``Authorization: Bearer …`` header, or None for anything else."""
    if not authorization or len(authorization) > MAX_HEADER_LENGTH:
        return None
    scheme, _space, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX) or not secret.isascii():
        return None
    return secret


def authenticate(authorization: str | None, now: datetime | None = None) -> ApiToken | None:
    """The active token presented in the header, or None (unknown, revoked, expired,
    or its owner disabled). Notes when it was used, at most once a minute."""
    secret = bearer_secret(authorization)
    if secret is None:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    now = now or utcnow()
    if token is None or not token.is_active(now) or token.user.is_disabled:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        # Best effort, as for sessions: a busy database must not fail a read.
        token.last_used_at = now
        try:
            db.session.commit()
        except sa.exc.OperationalError:
            db.session.rollback()
        log.info("api token %s used by user %s", token.id, token.user_id)
    return token
