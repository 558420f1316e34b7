"""What an export is about: a survey, a template (pooled), a plan or a lab.

On the web a target is named by type and id and always loaded *through* the
municipality of the page, so another town's object is simply not found. On the
command line it is named by id, by slug, or by ``MUNICIPALITY/LAB/SLUG``
(``MUNICIPALITY/LAB`` for labs); a slug that several objects share is refused
with the list of their full names.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.core.errors import DomainError
from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.municipalities.models import Municipality
from cocreate.plans.models import Plan
from cocreate.surveys.models import Survey, SurveyTemplate

TYPES = ("survey", "template", "plan", "lab")


class ExportError(DomainError):
    """A refusal about an export: unknown target, wrong format, link expired …"""


@dataclass
class Target:
    type: str
    obj: object
    #: None for a template: its surveys are in several towns.
    municipality: Municipality | None
    #: ``town/lab/slug`` (``town/lab`` for a lab, the slug for a template).
    path: str

    def reference(self) -> dict:
        """What the ``Export`` row records as its target."""
        return {self.type: self.obj.id, "path": self.path}


def _path(obj) -> str:
    if isinstance(obj, Lab):
        return f"{obj.municipality.slug}/{obj.slug}"
    if isinstance(obj, Survey | Plan):
        return f"{obj.lab.municipality.slug}/{obj.lab.slug}/{obj.slug}"
    return obj.slug


def _target(type_: str, obj) -> Target:
    municipality = None
    if isinstance(obj, Lab):
        municipality = obj.municipality
    elif isinstance(obj, Survey | Plan):
        municipality = obj.lab.municipality
    return Target(type_, obj, municipality, _path(obj))


def _model(type_: str):
    return {"survey": Survey, "plan": Plan, "lab": Lab, "template": SurveyTemplate}[type_]


# -- On the web: by id, through the municipality ------------------------------------------


def templates_used_in(municipality_id: int):
    """Ids of the templates that surveys of this municipality were made from."""
    return (sa.select(Survey.template_id).join(Lab, Lab.id == Survey.lab_id)
            .where(Lab.municipality_id == municipality_id, Survey.template_id.is_not(None)))


def in_municipality(municipality, type_: str, object_id: int | None) -> Target:
    """The target ``type_`` #``object_id`` as seen from ``municipality``.

    Surveys, plans and labs must belong to it; a template must have been used by
    one of its surveys. Anything else is refused (never a 500, never another
    town's object).
    """
    if type_ not in TYPES or object_id is None:
        raise ExportError(_l("Choose one of the surveys, templates, plans or labs on this page."))
    model = _model(type_)
    query = sa.select(model).where(model.id == object_id)
    if type_ == "template":
        query = query.where(model.id.in_(templates_used_in(municipality.id)))
    elif type_ == "lab":
        query = query.where(Lab.municipality_id == municipality.id)
    else:
        query = query.join(Lab, Lab.id == model.lab_id).where(Lab.municipality_id == municipality.id)
    obj = db.session.scalar(query)
    if obj is None:
        raise ExportError(_l("Choose one of the surveys, templates, plans or labs on this page."))
    return _target(type_, obj)


def from_reference(reference: dict, municipality_id: int | None) -> Target:
    """The target an ``Export`` row recorded (again through its municipality, if any)."""
    type_ = next((key for key in TYPES if key in (reference or {})), None)
    object_id = reference.get(type_) if type_ else None
    obj = db.session.get(_model(type_), object_id) if isinstance(object_id, int) else None
    target = _target(type_, obj) if obj is not None else None
    if target is None or (municipality_id is not None and target.municipality is not None
                          and target.municipality.id != municipality_id):
        raise ExportError(_l("What this export was about no longer exists."))
    return target


# -- On the command line: by id, slug or full path -----------------------------------------


def _by_path(type_: str, parts: list[str]):
    if type_ == "lab":
        return (sa.select(Lab).join(Municipality, Municipality.id == Lab.municipality_id)
                .where(Municipality.slug == parts[0], Lab.slug == parts[1]))
    model = _model(type_)
    return (sa.select(model).join(Lab, Lab.id == model.lab_id)
            .join(Municipality, Municipality.id == Lab.municipality_id)
            .where(Municipality.slug == parts[0], Lab.slug == parts[1], model.slug == parts[2]))


def find(type_: str, reference: str) -> Target:
    """Resolve a command-line reference; refuse unknown and ambiguous ones clearly.

    A number is an id first (and a short name when no object has that id).
    """
    reference = (reference or "").strip()
    model = _model(type_)
    parts = reference.split("/")
    depth = {"lab": 2, "survey": 3, "plan": 3}.get(type_)
    if len(parts) > 1:
        if depth is None or len(parts) != depth or not all(parts):
            raise ExportError(_l("Write %(what)s as its number, its short name or %(form)s.",
                                 what=type_, form=_form(type_)))
        matches = list(db.session.scalars(_by_path(type_, parts)))
    else:
        matches = []
        if reference.isascii() and reference.isdigit() and len(reference) < 10:
            found = db.session.get(model, int(reference))
            matches = [found] if found is not None else []
        if not matches:
            matches = list(db.session.scalars(sa.select(model).where(model.slug == reference)
                                              .order_by(model.id)))
    if not matches:
        raise ExportError(_l("There is no %(what)s “%(reference)s”.", what=type_, reference=reference))
    if len(matches) > 1:
        raise ExportError(_l("“%(reference)s” matches several: %(names)s. Write it as %(form)s.",
                             reference=reference, names=", ".join(sorted(_path(m) for m in matches)),
                             form=_form(type_)))
    return _target(type_, matches[0])


def _form(type_: str) -> str:
    return {"lab": "MUNICIPALITY/LAB", "template": "SLUG"}.get(type_, "MUNICIPALITY/LAB/SLUG")


# -- The surveys of a pooled export --------------------------------------------------------


def pooled_surveys(template, municipality_ids: set[int] | None = None) -> list[Survey]:
    """Surveys made from ``template`` (in the given towns only, if given), oldest first."""
    query = (sa.select(Survey).join(Lab, Lab.id == Survey.lab_id)
             .where(Survey.template_id == template.id).order_by(Survey.id))
    if municipality_ids is not None:
        query = query.where(Lab.municipality_id.in_(sorted(municipality_ids)))
    return list(db.session.scalars(query))
