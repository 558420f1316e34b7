"""Community-policy labs and their phases."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.core.base import ContentLanguagesMixin, TimestampMixin
from cocreate.extensions import db


class LabStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


#: The only moves a lab's status may make. Reopening a closed lab is allowed;
#: an archived lab is final, and nothing goes back to draft once public.
TRANSITIONS: dict[LabStatus, frozenset[LabStatus]] = {
    LabStatus.DRAFT: frozenset({LabStatus.PUBLISHED}),
    LabStatus.PUBLISHED: frozenset({LabStatus.CLOSED}),
    LabStatus.CLOSED: frozenset({LabStatus.PUBLISHED, LabStatus.ARCHIVED}),
    LabStatus.ARCHIVED: frozenset(),
}

#: Statuses in which the lab page is public.
PUBLIC_STATUSES = frozenset({LabStatus.PUBLISHED, LabStatus.CLOSED, LabStatus.ARCHIVED})


class IllegalTransition(Exception):
    pass


class Lab(ContentLanguagesMixin, TimestampMixin, db.Model):
    __tablename__ = "lab"
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "slug"),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'closed', 'archived')", name="status_known"
        ),
        sa.Index("ix_lab_municipality_status", "municipality_id", "status"),
        sa.CheckConstraint("disclosure_k >= 2 AND disclosure_k_sensitive >= disclosure_k",
                           name="disclosure_k_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[dict] = mapped_column(default=dict)
    description: Mapped[dict] = mapped_column(default=dict)
    default_language: Mapped[str] = mapped_column(sa.String(16))
    languages: Mapped[list] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=LabStatus.DRAFT)
    published_at: Mapped[datetime | None]
    #: Smallest count shown to anyone but researchers (disclosure control) …
    disclosure_k: Mapped[int] = mapped_column(default=5, server_default="5")
    #: … and for breakdowns by origin, migration background, nationality or neighbourhood.
    disclosure_k_sensitive: Mapped[int] = mapped_column(default=10, server_default="10")

    municipality = relationship("Municipality", lazy="joined")
    phases: Mapped[list[Phase]] = relationship(
        back_populates="lab", cascade="all, delete-orphan",
        order_by="(Phase.starts_on, Phase.id)", lazy="selectin",
    )

    @property
    def state(self) -> LabStatus:
        return LabStatus(self.status)

    def allowed_transitions(self) -> frozenset[LabStatus]:
        return TRANSITIONS[self.state]

    def move_to(self, target: LabStatus) -> None:
        """Change status, refusing any move not in :data:`TRANSITIONS`."""
        if target not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"{self.state} → {target}")
        self.status = target

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATUSES


class Phase(db.Model):
    __tablename__ = "lab_phase"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict] = mapped_column(default=dict)
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    lab: Mapped[Lab] = relationship(back_populates="phases")
