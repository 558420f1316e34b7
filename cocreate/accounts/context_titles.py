"""Build the "titles of these ids" functions that domains register for consent contexts."""

from __future__ import annotations

import sqlalchemy as sa

from cocreate.extensions import db


def titles_of(model, column="title"):
    """``titles(ids) -> {id: title map}`` reading ``model.<column>`` in one query."""

    def titles(ids: list[int]) -> dict[int, object]:
        rows = db.session.execute(sa.select(model.id, getattr(model, column)).where(model.id.in_(ids)))
        return {row[0]: row[1] for row in rows}

    return titles
