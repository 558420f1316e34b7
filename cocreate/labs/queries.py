"""Read helpers for labs. Labs are always loaded through their municipality."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from cocreate.extensions import db
from cocreate.labs.models import PUBLIC_STATUSES, Lab, LabStatus


def get_lab_or_404(municipality, slug: str) -> Lab:
    """The lab ``slug`` of ``municipality``; another municipality's lab is a 404.

    ``lab.municipality`` is the one given (no second join) and the phases load when
    a page uses them: most pages under a lab (every survey answer and submit) do not.
    """
    lab = db.session.scalar(
        sa.select(Lab).where(Lab.municipality_id == municipality.id, Lab.slug == slug)
        .options(lazyload(Lab.municipality), lazyload(Lab.phases))
    )
    if lab is None:
        abort(404)
    set_committed_value(lab, "municipality", municipality)
    return lab


def get_visible_lab_or_404(municipality_slug: str, lab_slug: str, user) -> Lab:
    """municipality → lab, as seen by ``user``: unknown or not visible is a 404.

    The first step of every public page about something inside a lab.
    """
    from cocreate.labs.permissions import can_view_lab
    from cocreate.municipalities.queries import get_municipality_or_404

    lab = get_lab_or_404(get_municipality_or_404(municipality_slug), lab_slug)
    if not can_view_lab(user, lab):
        abort(404)
    return lab


def public_labs(municipality) -> list[Lab]:
    """Published and closed labs, newest first (archived ones stay reachable by link);
    their phases load only if used (lists do not show them)."""
    return list(db.session.scalars(
        sa.select(Lab)
        .where(Lab.municipality_id == municipality.id,
               Lab.status.in_([LabStatus.PUBLISHED, LabStatus.CLOSED]))
        .order_by(Lab.published_at.desc().nulls_last(), Lab.id.desc())
        .options(lazyload(Lab.phases))
    ))


def all_labs(municipality) -> list[Lab]:
    return list(db.session.scalars(
        sa.select(Lab).where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc())
        .options(lazyload(Lab.phases))
    ))


__all__ = ["PUBLIC_STATUSES", "all_labs", "get_lab_or_404", "public_labs"]
