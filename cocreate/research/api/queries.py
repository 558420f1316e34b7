"""Read helpers for the API: each list is one SQL statement, paged in SQL.

The consent rules come from :mod:`cocreate.research.consent` as SQL expressions,
so a person who withdrew is left out by the database, page by page, exactly as
in the exports. Columns are selected explicitly: a page of comments never loads
their authors' accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, lazyload

from cocreate.extensions import db
from cocreate.focusgroups.models import Registration, Turn
from cocreate.labs.models import Lab
from cocreate.municipalities.models import Municipality
from cocreate.plans.models import Comment, Plan, PlanVersion
from cocreate.research.consent import (
    commenter_exportable,
    registration_exportable,
    response_counted,
    response_exportable,
)
from cocreate.research.models import Code, Coding, UnitKind
from cocreate.research.tokens import research_municipality_ids
from cocreate.surveys.models import Answer, Question, Response, Section, Survey


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and how many there are in all."""

    rows: list
    total: int


def paginate(stmt, page: int, per_page: int, *, scalars: bool = False) -> Page:
    """Count the whole list and fetch one page of it (``stmt`` must be ordered)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(paged).all() if scalars else db.session.execute(paged).all()
    return Page(list(rows), total)


# -- Municipalities, labs, surveys -----------------------------------------------------


def _research_municipalities(user):
    return (sa.select(Municipality)
            .where(Municipality.id.in_(research_municipality_ids(user)))
            .order_by(Municipality.name, Municipality.id))


def research_municipalities(user) -> list[Municipality]:
    """Every municipality where ``user`` is a researcher."""
    return list(db.session.scalars(_research_municipalities(user)))


def municipalities_of(user, page: int, per_page: int) -> Page:
    """A page of the municipalities where ``user`` is a researcher."""
    return paginate(_research_municipalities(user), page, per_page, scalars=True)


def labs_of(municipality, page: int, per_page: int) -> Page:
    """Every lab of the municipality, drafts too (researchers are staff)."""
    stmt = (sa.select(Lab).options(lazyload(Lab.phases))
            .where(Lab.municipality_id == municipality.id).order_by(Lab.id))
    return paginate(stmt, page, per_page, scalars=True)


def surveys_of(lab, page: int, per_page: int) -> Page:
    stmt = (sa.select(Survey).options(lazyload(Survey.sections), lazyload(Survey.questions))
            .where(Survey.lab_id == lab.id).order_by(Survey.id))
    return paginate(stmt, page, per_page, scalars=True)


# -- Responses and counts --------------------------------------------------------------


def exportable_responses(survey, page: int, per_page: int) -> tuple[Page, dict[int, list]]:
    """A page of the responses whose research consent stands, and their answers
    (one query for the page's answers, keyed by response id)."""
    stmt = (sa.select(Response.id, Response.user_id, Response.language, Response.is_assisted,
                      Response.assisted_language, Response.submitted_at, Response.consent_version)
            .where(Response.survey_id == survey.id, response_exportable())
            .order_by(Response.id))
    result = paginate(stmt, page, per_page)
    answers: dict[int, list] = {row.id: [] for row in result.rows}
    if answers:
        for answer in db.session.execute(
                sa.select(Answer.id, Answer.response_id, Answer.question_code, Answer.item_code,
                          Answer.option_code, Answer.value_number, Answer.value_text,
                          Answer.text_language)
                .where(Answer.response_id.in_(list(answers)))
                .order_by(Answer.response_id, Answer.id)):
            answers[answer.response_id].append(answer)
    return result, answers


def counted_responses(survey) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
        Response.survey_id == survey.id, response_counted()))


def answer_counts(survey, page: int, per_page: int, by: str | None = None) -> Page:
    """How many counted responses gave each answer: one GROUP BY over the long answers.

    A group is a question, matrix row, option and value (the value tells the points
    of a scale and the place in a ranking apart). With ``by`` (the code of a
    single-choice question) each group is split by the option chosen there; people
    who did not answer it form a group of their own (``by_option_code`` null).
    Ordered as the questions appear in the survey.
    """
    keys = [Answer.question_code, Answer.item_code, Answer.option_code, Answer.value_number]
    order = [Section.position, Question.position, Answer.question_code,
             Answer.item_code.nulls_first(), Answer.option_code.nulls_first(),
             Answer.value_number.nulls_first()]
    stmt = (sa.select(*keys)
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .outerjoin(Question, sa.and_(Question.survey_id == Answer.survey_id,
                                         Question.code == Answer.question_code))
            .outerjoin(Section, Section.id == Question.section_id)
            .where(Answer.survey_id == survey.id, response_counted()))
    groups = [*keys, Section.position, Question.position]
    if by is not None:
        chosen = aliased(Answer)
        stmt = (stmt.add_columns(chosen.option_code.label("by_option_code"))
                .outerjoin(chosen, sa.and_(chosen.response_id == Answer.response_id,
                                           chosen.question_code == by,
                                           chosen.option_code.is_not(None))))
        groups.append(chosen.option_code)
        order.append(chosen.option_code.nulls_first())
    stmt = (stmt.add_columns(sa.func.count(sa.distinct(Answer.response_id)).label("count"))
            .group_by(*groups).order_by(*order))
    return paginate(stmt, page, per_page)


# -- Comments --------------------------------------------------------------------------


def _comment_consented(plan_ids: list[int]):
    """Comments whose author agreed to research use for that plan (consent is per plan)."""
    return sa.or_(*(sa.and_(Comment.plan_id == plan_id,
                            commenter_exportable(plan_id, Comment.user_id))
                    for plan_id in plan_ids))


def _plan_ids(lab) -> list[int]:
    return list(db.session.scalars(sa.select(Plan.id).where(Plan.lab_id == lab.id)))


def exportable_comments(lab, page: int, per_page: int) -> Page:
    plan_ids = _plan_ids(lab)
    if not plan_ids:
        return Page([], 0)
    stmt = (sa.select(Comment.id, Comment.plan_id, Plan.slug.label("plan_slug"),
                      PlanVersion.number.label("version"), Comment.anchor, Comment.parent_id,
                      Comment.user_id, Comment.body, Comment.quote, Comment.language,
                      Comment.status, Comment.created_at)
            .join(Plan, Plan.id == Comment.plan_id)
            .join(PlanVersion, PlanVersion.id == Comment.version_id)
            .where(Plan.lab_id == lab.id, _comment_consented(plan_ids))
            .order_by(Comment.id))
    return paginate(stmt, page, per_page)


# -- Codebook and codings --------------------------------------------------------------


def codes_of(lab, page: int, per_page: int) -> Page:
    parent = aliased(Code)
    stmt = (sa.select(Code.id, Code.key, Code.name, Code.description, Code.color, Code.position,
                      Code.parent_id, parent.key.label("parent_key"))
            .outerjoin(parent, parent.id == Code.parent_id)
            .where(Code.lab_id == lab.id)
            .order_by(Code.position, Code.id))
    return paginate(stmt, page, per_page)


def _unit_exportable(plan_ids: list[int]):
    """A coded unit whose author's consent still stands: a coding of a withdrawn
    person's answer, comment or turn goes out of the list with the text itself.
    Turns not linked to a registration (facilitator, unknown speaker) stay."""
    answer = sa.exists(sa.select(Answer.id).join(Response, Response.id == Answer.response_id)
                       .where(Answer.id == Coding.unit_id, response_exportable()))
    comment = (sa.exists(sa.select(Comment.id).where(Comment.id == Coding.unit_id,
                                                     _comment_consented(plan_ids)))
               if plan_ids else sa.false())
    consented_speaker = sa.exists(sa.select(Registration.id).where(
        Registration.id == Turn.registration_id, registration_exportable()))
    turn = sa.exists(sa.select(Turn.id).where(
        Turn.id == Coding.unit_id, sa.or_(Turn.registration_id.is_(None), consented_speaker)))
    return sa.or_(sa.and_(Coding.unit_kind == UnitKind.ANSWER.value, answer),
                  sa.and_(Coding.unit_kind == UnitKind.COMMENT.value, comment),
                  sa.and_(Coding.unit_kind == UnitKind.TURN.value, turn))


def codings_of(lab, page: int, per_page: int) -> Page:
    stmt = (sa.select(Coding.id, Coding.code_id, Code.key.label("code_key"), Coding.unit_kind,
                      Coding.unit_id, Coding.start_pos, Coding.end_pos, Coding.coder_id,
                      Coding.created_at)
            .join(Code, Code.id == Coding.code_id)
            .where(Coding.lab_id == lab.id, _unit_exportable(_plan_ids(lab)))
            .order_by(Coding.id))
    return paginate(stmt, page, per_page)
