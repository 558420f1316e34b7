"""People, their roles per municipality, sessions and one-time tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from cocreate.core.base import utcnow
from cocreate.core.permissions import STAFF_ROLES, Role
from cocreate.extensions import db

ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


def token_hash(token: str) -> str:
    """Tokens are stored only as SHA-256 hashes; the secret is in the link alone."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    preferred_language: Mapped[str] = mapped_column(sa.String(16))
    is_site_admin: Mapped[bool] = mapped_column(default=False)
    #: A disabled person cannot sign in and all their sessions end.
    is_disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    #: Set by the login machinery: the key of the session this object was loaded for.
    session_key = None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str | None:  # Flask-Login stores this in the cookie
        return self.session_key

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def is_staff(self) -> bool:
        return self.is_site_admin or any(Role(m.role) in STAFF_ROLES for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(db.Model):
    """A role held by a person in one municipality."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "municipality_id", "role"),
        sa.CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    municipality = relationship("Municipality", lazy="joined")


class LoginSession(db.Model):
    """A server-side session: logging out revokes it, so a replayed cookie fails."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    is_staff: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """A staff invitation by e-mail: expires, single use."""

    __tablename__ = "invitation"
    __table_args__ = (sa.CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(16))
    language: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]

    municipality = relationship("Municipality")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def is_usable(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class ConsentRecord(db.Model):
    """The consent ledger: what was agreed, in which text version and language, when.

    Identified consent names the person (``user_id``) and can be withdrawn;
    consent given with an anonymous response is tied only to that response and
    carries the day, not the time.
    """

    __tablename__ = "consent_record"
    __table_args__ = (
        sa.CheckConstraint("scope IN ('research', 'quotes', 'audio', 'participation')",
                           name="scope_known"),
        # Only the (few) withdrawn rows: aggregates and exports leave their responses
        # out, and cached results notice a new withdrawal, without reading the ledger.
        sa.Index("ix_consent_record_withdrawn", "response_id",
                 sqlite_where=sa.text("withdrawn_at IS NOT NULL"),
                 postgresql_where=sa.text("withdrawn_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                                index=True)
    response_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_response.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("focus_registration.id", ondelete="CASCADE"), index=True)
    #: What the consent is about, e.g. ``survey:12`` or ``session:3``.
    context: Mapped[str] = mapped_column(sa.String(64), index=True)
    scope: Mapped[str] = mapped_column(sa.String(16))
    granted: Mapped[bool]
    text_version: Mapped[int]
    language: Mapped[str] = mapped_column(sa.String(16))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
