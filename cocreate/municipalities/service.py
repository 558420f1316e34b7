"""Write paths for municipalities."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.core.errors import DomainError
from cocreate.extensions import db
from cocreate.municipalities.models import Municipality


class MunicipalityError(DomainError):
    """A refusal about municipalities."""


def _languages(default_language: str, languages: list[str]) -> list[str]:
    ordered = [default_language] + [c for c in languages if c != default_language]
    return list(dict.fromkeys(ordered))


def create_municipality(actor, *, slug, name, country, timezone, default_language,
                        languages) -> Municipality:
    if db.session.scalar(sa.select(Municipality.id).where(Municipality.slug == slug)):
        raise MunicipalityError(_l("This short name is already used."))
    municipality = Municipality(slug=slug, name=name, country=country.upper(), timezone=timezone,
                                default_language=default_language,
                                languages=_languages(default_language, languages))
    db.session.add(municipality)
    audit.record("municipality.created", municipality, actor=actor, municipality=municipality)
    return municipality


def update_settings(actor, municipality: Municipality, *, name, country, timezone,
                    default_language, languages) -> None:
    municipality.name = name
    municipality.country = country.upper()
    municipality.timezone = timezone
    municipality.default_language = default_language
    municipality.languages = _languages(default_language, languages)
    audit.record("municipality.updated", municipality, actor=actor, municipality=municipality)
