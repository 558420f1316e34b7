"""Models that belong to no domain: the audit log and the mail outbox."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.core.base import utcnow
from cocreate.extensions import db


class AuditLog(db.Model):
    """Who did what, for actions someone may later ask about."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(default=dict)


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """A rendered e-mail waiting to be sent (or kept, in demo mode)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')", name="status_known"
        ),
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    #: Text attachments: ``[{"filename", "content_type", "text"}]`` (calendar files).
    attachments: Mapped[list] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
