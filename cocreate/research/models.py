"""Research: lab codebooks and codings, audited exports, personal API tokens.

Coding works on *text units* of three kinds — a transcript turn, a free-text
answer, a plan comment — named by ``(unit_kind, unit_id)``. A coding covers the
whole unit (no offsets) or a passage (``start``/``end`` in characters of the
unit's text, end exclusive, as in REFI-QDA).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.core.base import utcnow
from cocreate.extensions import db


class UnitKind(enum.StrEnum):
    TURN = "turn"
    ANSWER = "answer"
    COMMENT = "comment"


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


class CodebookTemplate(db.Model):
    """A codebook to start from, so that towns code alike (shared when no municipality)."""

    __tablename__ = "codebook_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict] = mapped_column(default=dict)
    #: ``[{"key", "name", "description", "color", "children": [...]}]``.
    definition: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Code(db.Model):
    """One code of a lab's codebook; the hierarchy is ``parent_id``."""

    __tablename__ = "research_code"
    __table_args__ = (
        sa.UniqueConstraint("lab_id", "key"),
        sa.CheckConstraint("length(color) = 7", name="color_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("research_code.id", ondelete="CASCADE"), index=True)
    #: Stable key (kept from a template) so codings of different towns can be compared.
    key: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    color: Mapped[str] = mapped_column(sa.String(7), default="#1f6f8b")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Code | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent",
                                                order_by="(Code.position, Code.id)")


class Coding(db.Model):
    """A code applied by one coder to a text unit or a passage of it."""

    __tablename__ = "research_coding"
    __table_args__ = (
        sa.CheckConstraint(f"unit_kind IN ({_values(UnitKind)})", name="unit_kind_known"),
        sa.CheckConstraint("(start_pos IS NULL AND end_pos IS NULL) OR "
                           "(start_pos >= 0 AND end_pos > start_pos)", name="span_valid"),
        sa.Index("ix_research_coding_unit", "unit_kind", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(sa.ForeignKey("research_code.id", ondelete="CASCADE"),
                                         index=True)
    coder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    unit_kind: Mapped[str] = mapped_column(sa.String(16))
    unit_id: Mapped[int]
    #: Characters (code points) of the unit's text; both None for the whole unit.
    start_pos: Mapped[int | None]
    end_pos: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    code: Mapped[Code] = relationship(lazy="joined")
    coder = relationship("User", lazy="joined")

    @property
    def is_whole_unit(self) -> bool:
        return self.start_pos is None


class Memo(db.Model):
    """A researcher's note on a code, a text unit or the lab's coding as a whole."""

    __tablename__ = "research_memo"
    __table_args__ = (
        sa.CheckConstraint(f"unit_kind IS NULL OR unit_kind IN ({_values(UnitKind)})",
                           name="unit_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    code_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("research_code.id", ondelete="CASCADE"), index=True)
    unit_kind: Mapped[str | None] = mapped_column(sa.String(16))
    unit_id: Mapped[int | None]
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")


class Export(db.Model):
    """An export asked for by a researcher (or run from the CLI): the audit trail and
    the expiring download link in one row.

    The link token is stored hashed; the download needs the same person's session
    in the same municipality, before ``expires_at``. Row count and file hash are
    filled in when the file has been written or streamed to the end.
    """

    __tablename__ = "research_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    #: None for exports run from the command line.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"),
                                                index=True)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: ``responses`` / ``pooled`` / ``comments`` / ``qdpx`` / ``segments``.
    kind: Mapped[str] = mapped_column(sa.String(16))
    format: Mapped[str] = mapped_column(sa.String(16))
    #: What was exported: ``{"survey": 3}``, ``{"template": 1}``, ``{"lab": 2}`` …
    target: Mapped[dict] = mapped_column(default=dict)
    filters: Mapped[dict] = mapped_column(default=dict)
    row_count: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    download_count: Mapped[int] = mapped_column(default=0)

    user = relationship("User")


class ApiToken(db.Model):
    """A personal token for the read-only research API (shown once, stored hashed)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters, shown in the profile so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
