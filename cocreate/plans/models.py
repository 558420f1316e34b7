"""Draft plans: versions split into paragraphs with stable anchors, comments per
paragraph, moderation, official responses and the links from comments to changes."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.core.base import utcnow
from cocreate.extensions import db


class ResponseStatus(enum.StrEnum):
    ADOPTED = "adopted"
    PARTLY = "partly_adopted"
    NOT_ADOPTED = "not_adopted"
    OUTSIDE_SCOPE = "outside_scope"
    NOTED = "noted"


class CommentStatus(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"       # waits for a moderator (pre-moderation)
    HIDDEN = "hidden"


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


class Plan(db.Model):
    __tablename__ = "plan"
    __table_args__ = (
        sa.UniqueConstraint("lab_id", "slug"),
        sa.CheckConstraint("comments_close_at IS NULL OR comments_open_at IS NULL "
                           "OR comments_close_at > comments_open_at", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[dict] = mapped_column(default=dict)
    #: The language of the official text, which prevails over translations.
    official_language: Mapped[str] = mapped_column(sa.String(16))
    comments_open_at: Mapped[datetime | None]
    comments_close_at: Mapped[datetime | None]
    #: Comments wait for a moderator before they are shown.
    pre_moderation: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lab = relationship("Lab", lazy="joined")
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanVersion.number",
        lazy="selectin")

    @property
    def published_versions(self) -> list[PlanVersion]:
        return [v for v in self.versions if v.published_at is not None]

    @property
    def current(self) -> PlanVersion | None:
        published = self.published_versions
        return published[-1] if published else None

    def commenting_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (self.current is not None
                and self.comments_open_at is not None and self.comments_open_at <= now
                and (self.comments_close_at is None or now < self.comments_close_at))


class PlanVersion(db.Model):
    __tablename__ = "plan_version"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: What changed, per language (shown above the comparison).
    change_note: Mapped[dict] = mapped_column(default=dict)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Paragraph.position",
        lazy="selectin")

    def paragraph(self, anchor: str) -> Paragraph | None:
        return next((p for p in self.paragraphs if p.anchor == anchor), None)


class Paragraph(db.Model):
    """One block of Markdown (a heading, paragraph or list) with a stable anchor."""

    __tablename__ = "plan_paragraph"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "anchor"),
        sa.CheckConstraint("change IN ('new', 'edited', 'unchanged')", name="change_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("plan_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    anchor: Mapped[str] = mapped_column(sa.String(16))
    #: Markdown source in the official language.
    text: Mapped[str] = mapped_column(sa.Text)
    #: Translations of this block: ``{"fr": "…", "ar": "…"}``.
    translations: Mapped[dict] = mapped_column(default=dict)
    change: Mapped[str] = mapped_column(sa.String(16), default="new")
    predecessor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_paragraph.id", ondelete="SET NULL"))

    version: Mapped[PlanVersion] = relationship(back_populates="paragraphs")
    predecessor: Mapped[Paragraph | None] = relationship(remote_side=[id])


class Comment(db.Model):
    __tablename__ = "plan_comment"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_values(CommentStatus)})", name="status_known"),
        sa.Index("ix_plan_comment_plan_anchor", "plan_id", "anchor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_version.id", ondelete="CASCADE"))
    #: The paragraph's stable anchor (it survives new versions).
    anchor: Mapped[str] = mapped_column(sa.String(16))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_comment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"),
                                                index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    #: The language the person wrote in (shown with lang/dir, never translated in place).
    language: Mapped[str] = mapped_column(sa.String(16))
    #: A passage of the paragraph the comment is about (selected with JavaScript).
    quote: Mapped[str] = mapped_column(sa.String(500), default="")
    show_name: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=CommentStatus.PUBLISHED)
    hidden_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined")
    replies: Mapped[list[Comment]] = relationship(order_by="Comment.id", lazy="selectin")


class Support(db.Model):
    """"I support this": once per person and comment."""

    __tablename__ = "plan_support"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_comment.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Flag(db.Model):
    __tablename__ = "plan_flag"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_comment.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class Block(db.Model):
    """A person who may no longer comment in a municipality."""

    __tablename__ = "plan_block"
    __table_args__ = (sa.UniqueConstraint("municipality_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficialResponse(db.Model):
    """The municipality's answer to a comment, or to all comments on a paragraph."""

    __tablename__ = "plan_response"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_values(ResponseStatus)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_comment.id", ondelete="CASCADE"), unique=True)
    #: Set for a response to a whole paragraph's comments.
    anchor: Mapped[str | None] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    explanation: Mapped[dict] = mapped_column(default=dict)
    responder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanNotice(db.Model):
    """A message the scheduler sent about a plan, logged under a UNIQUE key so it is
    sent once (e.g. "comments closed" to the officials)."""

    __tablename__ = "plan_notice"
    __table_args__ = (sa.UniqueConstraint("plan_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeLink(db.Model):
    """"You said, we did": a comment that led to a change in a later version's paragraph."""

    __tablename__ = "plan_change_link"
    __table_args__ = (sa.UniqueConstraint("paragraph_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(
        sa.ForeignKey("plan_paragraph.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_comment.id", ondelete="CASCADE"),
                                            index=True)
