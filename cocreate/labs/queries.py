"""Read helpers for labs. Labs are always loaded through their municipality."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from cocreate.extensions import db
from cocreate.labs.models import PUBLIC_STATUSES, Lab, LabStatus


def get_lab_or_404(municipality, slug: str) -> Lab:
    """The lab ``slug`` of ``municipality``; another municipality's lab is a 404."""
    lab = db.session.scalar(
        sa.select(Lab).where(Lab.municipality_id == municipality.id, Lab.slug == slug)
    )
    if lab is None:
        abort(404)
    return lab


def public_labs(municipality) -> list[Lab]:
    """Published and closed labs, newest first (archived ones stay reachable by link)."""
    return list(db.session.scalars(
        sa.select(Lab)
        .where(Lab.municipality_id == municipality.id,
               Lab.status.in_([LabStatus.PUBLISHED, LabStatus.CLOSED]))
        .order_by(Lab.published_at.desc().nulls_last(), Lab.id.desc())
    ))


def all_labs(municipality) -> list[Lab]:
    return list(db.session.scalars(
        sa.select(Lab).where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc())
    ))


__all__ = ["PUBLIC_STATUSES", "all_labs", "get_lab_or_404", "public_labs"]
