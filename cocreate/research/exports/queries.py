"""Read helpers for the exports page: what a town has to export, and the person's exports."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.labs.models import Lab
from cocreate.plans.models import Plan
from cocreate.research.consent import response_exportable
from cocreate.research.exports.targets import templates_used_in
from cocreate.research.models import Export
from cocreate.research.permissions import can_export
from cocreate.surveys.models import Response, Survey, SurveyTemplate

RECENT = 20


def research_municipality_ids(user) -> set[int]:
    """Towns where ``user`` may export (researcher memberships only)."""
    return {m.municipality_id for m in user.memberships if can_export(user, m.municipality)}


def town_surveys(municipality) -> list[tuple[Survey, int]]:
    """Every survey of the town with its number of exportable responses (one query)."""
    exportable = (sa.select(sa.func.count()).select_from(Response)
                  .where(Response.survey_id == Survey.id, response_exportable())
                  .correlate(Survey).scalar_subquery())
    return list(db.session.execute(
        sa.select(Survey, exportable).join(Lab, Lab.id == Survey.lab_id)
        .where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc(), Survey.id)).tuples())


@dataclass
class PooledTemplate:
    template: SurveyTemplate
    surveys: int
    towns: int


def town_templates(municipality, municipality_ids: set[int]) -> list[PooledTemplate]:
    """Templates this town's surveys were made from, with how many surveys and towns a
    pooled export by this person would cover (``municipality_ids``: where they research)."""
    counts = (sa.select(Survey.template_id, sa.func.count(Survey.id).label("surveys"),
                        sa.func.count(sa.distinct(Lab.municipality_id)).label("towns"))
              .join(Lab, Lab.id == Survey.lab_id)
              .where(Lab.municipality_id.in_(sorted(municipality_ids)), Survey.template_id.is_not(None))
              .group_by(Survey.template_id).subquery())
    rows = db.session.execute(
        sa.select(SurveyTemplate, counts.c.surveys, counts.c.towns)
        .join(counts, counts.c.template_id == SurveyTemplate.id)
        .where(SurveyTemplate.id.in_(templates_used_in(municipality.id)))
        .order_by(SurveyTemplate.slug))
    return [PooledTemplate(template, surveys, towns) for template, surveys, towns in rows]


def town_plans(municipality) -> list[Plan]:
    return list(db.session.scalars(
        sa.select(Plan).join(Lab, Lab.id == Plan.lab_id)
        .where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc(), Plan.id)))


def town_labs(municipality) -> list[Lab]:
    return list(db.session.scalars(
        sa.select(Lab).where(Lab.municipality_id == municipality.id).order_by(Lab.id.desc())))


def recent_exports(user, municipality) -> list[Export]:
    """The person's latest exports in this town, newest first."""
    return list(db.session.scalars(
        sa.select(Export).where(Export.user_id == user.id, Export.municipality_id == municipality.id)
        .order_by(Export.created_at.desc(), Export.id.desc()).limit(RECENT)))
