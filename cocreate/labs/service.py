"""Write paths for labs: create, edit, move through the status cycle, phases."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.extensions import db
from cocreate.labs.models import IllegalTransition, Lab, LabStatus, Phase


class LabError(DomainError):
    """A refusal about labs and their phases."""


def _clean_languages(municipality, default_language: str, languages: list[str]) -> list[str]:
    allowed = set(municipality.content_languages)
    chosen = [c for c in [default_language, *languages] if c in allowed]
    if default_language not in allowed:
        raise LabError(_l("Choose a language that the municipality offers."))
    return list(dict.fromkeys(chosen))


def create_lab(actor, municipality, *, slug: str, title: dict, description: dict,
               default_language: str, languages: list[str]) -> Lab:
    exists = db.session.scalar(
        sa.select(Lab.id).where(Lab.municipality_id == municipality.id, Lab.slug == slug)
    )
    if exists:
        raise LabError(_l("This short name is already used by another lab."))
    lab = Lab(municipality=municipality, slug=slug, title=title, description=description,
              default_language=default_language,
              languages=_clean_languages(municipality, default_language, languages))
    db.session.add(lab)
    audit.record("lab.created", lab, actor=actor, municipality=municipality)
    return lab


def update_lab(actor, lab: Lab, *, title: dict, description: dict, default_language: str,
               languages: list[str]) -> None:
    lab.languages = _clean_languages(lab.municipality, default_language, languages)
    lab.default_language = default_language
    # Keep texts in languages that are no longer offered: nothing written is lost.
    lab.title = {**{k: v for k, v in (lab.title or {}).items() if k not in title}, **title}
    lab.description = {
        **{k: v for k, v in (lab.description or {}).items() if k not in description},
        **description,
    }
    audit.record("lab.updated", lab, actor=actor, municipality=lab.municipality)


def set_disclosure(actor, lab: Lab, *, k: int, k_sensitive: int) -> None:
    """The smallest counts shown in results to anyone but researchers (k ≥ 2, and the
    threshold for sensitive breakdowns at least k)."""
    if k < 2 or k_sensitive < k:
        raise LabError(_l("The smallest group shown must be at least 2, and at least as large for sensitive "
                          "groups."))
    if (lab.disclosure_k, lab.disclosure_k_sensitive) == (k, k_sensitive):
        return
    audit.record("lab.disclosure_changed", lab, actor=actor, municipality=lab.municipality,
                 before=[lab.disclosure_k, lab.disclosure_k_sensitive], after=[k, k_sensitive])
    lab.disclosure_k, lab.disclosure_k_sensitive = k, k_sensitive


def change_status(actor, lab: Lab, target: LabStatus) -> None:
    """Move a lab along draft → published → closed → archived (guarded)."""
    try:
        lab.move_to(LabStatus(target))
    except (IllegalTransition, ValueError) as exc:
        raise LabError(_l("This change of status is not possible.")) from exc
    if lab.state is LabStatus.PUBLISHED and lab.published_at is None:
        lab.published_at = utcnow()
    audit.record(f"lab.{lab.status}", lab, actor=actor, municipality=lab.municipality)


def add_phase(actor, lab: Lab, *, title: dict, starts_on, ends_on) -> Phase:
    if ends_on < starts_on:
        raise LabError(_l("The end date must be on or after the start date."))
    phase = Phase(lab=lab, title=title, starts_on=starts_on, ends_on=ends_on)
    db.session.add(phase)
    audit.record("lab.phase_added", lab, actor=actor, municipality=lab.municipality)
    return phase


def delete_phase(actor, lab: Lab, phase: Phase) -> None:
    lab.phases.remove(phase)
    audit.record("lab.phase_deleted", lab, actor=actor, municipality=lab.municipality,
                 phase_id=phase.id)
