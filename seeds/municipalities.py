from __future__ import annotations

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.municipalities.models import Municipality

TOWNS = [
    dict(slug="ninove", name="Ninove", country="BE", timezone="Europe/Brussels",
         default_language="nl", languages=["nl", "fr", "en", "ar", "fa", "uk", "tr"]),
    dict(slug="fermignano", name="Fermignano", country="IT", timezone="Europe/Rome",
         default_language="it", languages=["it", "en", "ar", "uk"]),
]


def seed() -> dict[str, Municipality]:
    towns = {}
    for data in TOWNS:
        town = db.session.scalar(sa.select(Municipality).where(Municipality.slug == data["slug"]))
        if town is None:
            town = Municipality(**data)
            db.session.add(town)
        towns[data["slug"]] = town
    db.session.flush()
    return towns
