"""Read helpers for surveys, always loaded through their lab and municipality."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from cocreate.extensions import db
from cocreate.surveys.models import (
    Question,
    Response,
    Section,
    Survey,
    SurveyInvitation,
    SurveyStatus,
    SurveyTemplate,
)


def get_survey_or_404(lab, slug: str, *, with_instrument: bool = True) -> Survey:
    """The survey ``slug`` of ``lab`` with its sections, questions and options (or, with
    ``with_instrument=False``, just its row: see :mod:`cocreate.surveys.instrument`);
    ``survey.lab`` is the lab given (joining it again would reload it and its phases)."""
    options = [lazyload(Survey.lab)] + ([] if with_instrument else [lazyload(Survey.sections)])
    survey = db.session.scalar(sa.select(Survey).where(Survey.lab_id == lab.id,
                                                       Survey.slug == slug)
                               .options(*options))
    if survey is None:
        abort(404)
    set_committed_value(survey, "lab", lab)
    return survey


def get_question_or_404(survey: Survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def get_section_or_404(survey: Survey, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.survey_id != survey.id:
        abort(404)
    return section


def lab_surveys(lab, *, public: bool) -> list[Survey]:
    """The lab's surveys, without their instruments (sections and questions load if used)."""
    query = sa.select(Survey).where(Survey.lab_id == lab.id).order_by(Survey.id) \
        .options(lazyload(Survey.sections))
    if public:
        query = query.where(Survey.status != SurveyStatus.DRAFT)
    return list(db.session.scalars(query))


def response_count(survey: Survey) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_id == survey.id))


def templates_for(municipality) -> list[SurveyTemplate]:
    """This municipality's templates and the shared ones."""
    return list(db.session.scalars(
        sa.select(SurveyTemplate).where(sa.or_(
            SurveyTemplate.municipality_id.is_(None),
            SurveyTemplate.municipality_id == municipality.id))
        .order_by(SurveyTemplate.id)))


def get_template_or_404(municipality, template_id: int) -> SurveyTemplate:
    template = db.session.get(SurveyTemplate, template_id)
    if template is None or template.municipality_id not in (None, municipality.id):
        abort(404)
    return template


def invitation_counts(survey: Survey) -> dict[str, int]:
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(SurveyInvitation.used_at))
        .where(SurveyInvitation.survey_id == survey.id)).one()
    return {"created": row[0], "used": row[1]}
