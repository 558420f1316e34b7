"""Focus-group sessions, registrations (with waitlist), reminders and transcripts."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.core.base import TimestampMixin, utcnow
from cocreate.extensions import db


class SessionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"        # waits for a moderator's approval
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DECLINED = "declined"


#: Registrations that hold (or wait for) a seat.
ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


class FocusSession(TimestampMixin, db.Model):
    __tablename__ = "focus_session"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_values(SessionStatus)})", name="status_known"),
        sa.CheckConstraint(f"format IN ({_values(SessionFormat)})", name="format_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity_range"),
        sa.Index("ix_focus_session_lab_start", "lab_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"))
    topic: Mapped[dict] = mapped_column(default=dict)
    description: Mapped[dict] = mapped_column(default=dict)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    format: Mapped[str] = mapped_column(sa.String(16), default=SessionFormat.IN_PERSON)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    room: Mapped[str] = mapped_column(sa.String(120), default="")
    accessibility: Mapped[dict] = mapped_column(default=dict)
    #: Shown only to confirmed participants.
    online_link: Mapped[str] = mapped_column(sa.String(500), default="")
    working_language: Mapped[str] = mapped_column(sa.String(16))
    interpretation: Mapped[list] = mapped_column(default=list)
    capacity: Mapped[int]
    registration_deadline: Mapped[datetime | None]
    requires_approval: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=SessionStatus.DRAFT)
    #: Target mix: ``{"question": "FG_GROUP", "minimum": {"FG_GROUP_1": 40, …}}`` (percent).
    quotas: Mapped[dict | None] = mapped_column(nullable=True)
    #: Screening questions (survey question definitions, same codes and types).
    screening: Mapped[list] = mapped_column(default=list)
    #: Bumped on every reschedule so calendar files replace the old event.
    sequence: Mapped[int] = mapped_column(default=0)

    lab = relationship("Lab", lazy="joined")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="Registration.id", lazy="selectin")

    @property
    def state(self) -> SessionStatus:
        return SessionStatus(self.status)

    @property
    def is_online(self) -> bool:
        return self.format == SessionFormat.ONLINE

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        deadline = self.registration_deadline or self.starts_at
        return self.state is SessionStatus.PUBLISHED and now < deadline


class Registration(db.Model):
    __tablename__ = "focus_registration"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_values(RegistrationStatus)})", name="status_known"),
        sa.CheckConstraint("user_id IS NOT NULL OR guest_email IS NOT NULL OR is_walk_in "
                           "OR anonymised_at IS NOT NULL", name="has_person"),
        # The same person registers once per session (NULLs never collide).
        sa.UniqueConstraint("session_id", "user_id"),
        sa.UniqueConstraint("session_id", "guest_email"),
        sa.Index("ix_focus_registration_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("focus_session.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                                index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(80))
    #: Lower-cased; only for guests (a signed-in person's address is on their account).
    guest_email: Mapped[str | None] = mapped_column(sa.String(254))
    guest_phone: Mapped[str | None] = mapped_column(sa.String(32))
    language: Mapped[str] = mapped_column(sa.String(16))
    group_code: Mapped[str | None] = mapped_column(sa.String(48))
    screening_answers: Mapped[dict] = mapped_column(default=dict)
    interpretation_language: Mapped[str | None] = mapped_column(sa.String(16))
    needs_childcare: Mapped[bool] = mapped_column(default=False)
    accessibility_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    consent_audio: Mapped[bool] = mapped_column(default=False)
    consent_quotes: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16))
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    #: None: not recorded yet; True: present; False: no-show.
    attended: Mapped[bool | None]
    checked_in_at: Mapped[datetime | None]
    #: Secret for the cancel link and the personal calendar feed (stored hashed).
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the person's details were erased (account deleted with contributions kept,
    #: or the retention period for guest details ended): status, group and attendance
    #: stay for the session's counts; nothing about who it was.
    anonymised_at: Mapped[datetime | None]

    session: Mapped[FocusSession] = relationship(back_populates="registrations")
    user = relationship("User", lazy="joined")

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        if self.anonymised_at is not None:
            from flask_babel import gettext

            return gettext("(details erased)")
        return self.guest_name or ""

    @property
    def email(self) -> str | None:
        return self.user.email if self.user is not None else self.guest_email


class ReminderLog(db.Model):
    """One row per message sent about a registration or session: the UNIQUE
    constraint makes every reminder go out once, also across scheduler restarts."""

    __tablename__ = "focus_reminder_log"
    __table_args__ = (sa.UniqueConstraint("session_id", "registration_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("focus_session.id", ondelete="CASCADE"), index=True)
    #: 0 for messages to the moderators (the day-before summary).
    registration_id: Mapped[int] = mapped_column(default=0)
    #: ``reminder:48`` (hours before), ``summary`` …; includes the schedule sequence.
    kind: Mapped[str] = mapped_column(sa.String(32))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Transcript(db.Model):
    __tablename__ = "focus_transcript"
    __table_args__ = (
        sa.CheckConstraint("source IN ('text', 'vtt', 'srt', 'notes')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("focus_session.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(sa.String(8))
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(16))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    turns: Mapped[list[Turn]] = relationship(back_populates="transcript",
                                             cascade="all, delete-orphan",
                                             order_by="Turn.position", lazy="selectin")


class Turn(db.Model):
    __tablename__ = "focus_turn"
    __table_args__ = (
        sa.CheckConstraint("speaker_kind IN ('participant', 'facilitator', 'unknown')",
                           name="speaker_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        sa.ForeignKey("focus_transcript.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    speaker_label: Mapped[str] = mapped_column(sa.String(80), default="")
    speaker_kind: Mapped[str] = mapped_column(sa.String(16), default="unknown")
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("focus_registration.id", ondelete="SET NULL"), index=True)
    start_ms: Mapped[int | None]
    end_ms: Mapped[int | None]
    text: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(16))

    transcript: Mapped[Transcript] = relationship(back_populates="turns")
