"""The tenant: a municipality and its settings."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.core.base import ContentLanguagesMixin, utcnow
from cocreate.extensions import db


class Municipality(ContentLanguagesMixin, db.Model):
    __tablename__ = "municipality"
    __table_args__ = (
        sa.CheckConstraint("length(slug) BETWEEN 2 AND 64", name="slug_length"),
        sa.CheckConstraint("length(country) = 2", name="country_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: ISO 3166-1 alpha-2, upper case.
    country: Mapped[str] = mapped_column(sa.String(2))
    #: IANA zone, e.g. ``Europe/Brussels``; all times are shown in it.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    default_language: Mapped[str] = mapped_column(sa.String(16))
    #: Languages the municipality offers content in (includes the default).
    languages: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"
