"""Read helpers for municipalities."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g, has_request_context

from cocreate.extensions import db
from cocreate.municipalities.models import Municipality


def get_municipality_or_404(slug: str) -> Municipality:
    """The municipality with ``slug``; 404 when there is none."""
    municipality = db.session.scalar(sa.select(Municipality).where(Municipality.slug == slug))
    if municipality is None:
        abort(404)
    if has_request_context():
        g.municipality = municipality  # the language switcher offers its languages first
    return municipality


def all_municipalities() -> list[Municipality]:
    return list(db.session.scalars(sa.select(Municipality).order_by(Municipality.name)))
