"""The API's routes: GET only, JSON only, lists paged as
``{"items": [...], "page": …, "per_page": …, "total": …}``.

Participants appear only by pseudonymous id (:mod:`cocreate.research.pseudonyms`,
the same ids as in the exports) — never by name, e-mail address, phone or
account id — and only when their consent covers research use.
"""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify, request
from flask_babel import gettext as _

from cocreate.core import audit
from cocreate.core.permissions import public
from cocreate.extensions import db
from cocreate.plans.models import CommentStatus
from cocreate.research import openapi, pseudonyms
from cocreate.research.api import bp, queries
from cocreate.research.api.auth import (
    caller,
    current_token,
    lab_or_404,
    municipality_or_404,
    research_api,
    survey_or_404,
)
from cocreate.research.api.errors import ApiError
from cocreate.surveys.library import SENSITIVE_DIMENSIONS
from cocreate.surveys.models import QuestionType

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
#: Far beyond any real list; keeps the SQL OFFSET a small number.
MAX_PAGE = 1_000_000
CODE_MAX = 32


def _route(rule: str):
    """A GET route without the automatic OPTIONS answer: every other method is a 405."""
    return bp.route(rule, methods=["GET"], provide_automatic_options=False)


# -- Parameters and envelopes ----------------------------------------------------------


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and low <= int(raw) <= high):
        raise ApiError(400, _("The parameter %(name)s must be a whole number from %(low)s to "
                              "%(high)s.", name=name, low=low, high=high))
    return int(raw)


def _paging() -> tuple[int, int]:
    return (_int_arg("page", 1, 1, MAX_PAGE),
            _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))


def _audit_export(action: str, obj, municipality, page: int) -> None:
    """Reading participants' data is an export: the first page of each pass through a
    list leaves an audit row (one per download, not one per page)."""
    if page == 1:
        audit.record(action, obj, actor=caller(), municipality=municipality,
                     token=current_token().id)
        db.session.commit()


def _listing(fetch, serialise, *, audit_as: tuple | None = None, **extra):
    """Run ``fetch(page, per_page)`` and wrap its page of rows in the list envelope;
    ``audit_as`` is ``(action, object, municipality)`` for lists of participants' data."""
    page, per_page = _paging()
    if audit_as:
        _audit_export(*audit_as, page)
    result = fetch(page, per_page)
    return jsonify(items=[serialise(row) for row in result.rows], page=page, per_page=per_page,
                   total=result.total, **extra)


def _time(value):
    return value.isoformat() if value is not None else None


def _day(value):
    """Only the day: the exact time of a response or comment could point to a person."""
    return value.date().isoformat() if value is not None else None


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# -- Serialisers -----------------------------------------------------------------------


def _municipality(m) -> dict:
    return {"slug": m.slug, "name": m.name, "country": m.country, "timezone": m.timezone,
            "default_language": m.default_language, "languages": m.content_languages}


def _lab(lab) -> dict:
    return {"id": lab.id, "slug": lab.slug, "municipality": lab.municipality.slug,
            "title": lab.title, "status": lab.status, "default_language": lab.default_language,
            "languages": lab.content_languages, "published_at": _time(lab.published_at),
            "created_at": _time(lab.created_at), "updated_at": _time(lab.updated_at)}


def _lab_detail(lab) -> dict:
    return {**_lab(lab), "description": lab.description,
            "disclosure_k": lab.disclosure_k, "disclosure_k_sensitive": lab.disclosure_k_sensitive,
            "phases": [{"title": p.title, "starts_on": p.starts_on.isoformat(),
                        "ends_on": p.ends_on.isoformat()} for p in lab.phases]}


def _survey(survey) -> dict:
    return {"id": survey.id, "lab_id": survey.lab_id, "slug": survey.slug, "title": survey.title,
            "status": survey.status, "mode": survey.mode, "invitation_only": survey.invitation_only,
            "default_language": survey.default_language, "languages": survey.content_languages,
            "opens_at": _time(survey.opens_at), "closes_at": _time(survey.closes_at),
            "template_id": survey.template_id, "consent_version": survey.consent_version,
            "results_published_at": _time(survey.results_published_at)}


def _question(question) -> dict:
    return {"code": question.code, "type": question.type, "text": question.text,
            "help": question.help, "required": question.required, "hidden": question.is_hidden,
            "settings": question.settings, "condition": question.condition,
            "dimension": question.dimension,
            "sensitive": question.dimension in SENSITIVE_DIMENSIONS,
            "options": [{"code": o.code, "kind": o.kind, "label": o.label, "hidden": o.is_hidden}
                        for o in question.options]}


def _instrument(survey) -> dict:
    return {**_survey(survey), "sections": [
        {"position": section.position, "title": section.title, "condition": section.condition,
         "questions": [_question(q) for q in section.questions]}
        for section in survey.sections]}


def _participant(lab_id: int, user_id: int | None, response_id: int) -> str:
    """A response's author: the person's id in the lab, or an id of the anonymous response."""
    if user_id is not None:
        return pseudonyms.person_id(lab_id, user_id=user_id)
    return pseudonyms.response_id(response_id)


def _answer(row) -> dict:
    return {"id": row.id, "question_code": row.question_code, "item_code": row.item_code,
            "option_code": row.option_code, "value_number": _number(row.value_number),
            "value_text": row.value_text, "text_language": row.text_language}


# -- Routes ----------------------------------------------------------------------------


@_route("/openapi.json")
@public
def display_openapi():
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return jsonify(openapi.document())


@_route("/me")
@research_api
def export_me():
    user, token = caller(), current_token()
    return jsonify(display_name=user.display_name,
                   municipalities=[{"slug": m.slug, "name": m.name}
                                   for m in queries.research_municipalities(user)],
                   token={"name": token.name, "prefix": token.prefix,
                          "created_at": _time(token.created_at),
                          "expires_at": _time(token.expires_at)})


@_route("/municipalities")
@research_api
def export_municipalities():
    return _listing(lambda page, per_page: queries.municipalities_of(caller(), page, per_page),
                    _municipality)


@_route("/municipalities/<slug:municipality_slug>/labs")
@research_api
def export_municipality_labs(municipality_slug):
    municipality = municipality_or_404(municipality_slug)
    return _listing(lambda page, per_page: queries.labs_of(municipality, page, per_page), _lab)


@_route("/labs/<int:lab_id>")
@research_api
def export_lab(lab_id):
    return jsonify(_lab_detail(lab_or_404(lab_id)))


@_route("/labs/<int:lab_id>/surveys")
@research_api
def export_lab_surveys(lab_id):
    lab = lab_or_404(lab_id)
    return _listing(lambda page, per_page: queries.surveys_of(lab, page, per_page), _survey)


@_route("/surveys/<int:survey_id>")
@research_api
def export_survey(survey_id):
    return jsonify(_instrument(survey_or_404(survey_id)))


@_route("/surveys/<int:survey_id>/responses")
@research_api
def export_survey_responses(survey_id):
    survey = survey_or_404(survey_id)
    page, per_page = _paging()
    _audit_export("api.responses_read", survey, survey.lab.municipality, page)
    result, answers = queries.exportable_responses(survey, page, per_page)
    items = [{"participant_id": _participant(survey.lab_id, row.user_id, row.id),
              "language": row.language, "assisted": row.is_assisted,
              "assisted_language": row.assisted_language, "submitted_on": _day(row.submitted_at),
              "consent_version": row.consent_version,
              "answers": [_answer(a) for a in answers[row.id]]}
             for row in result.rows]
    return jsonify(items=items, page=page, per_page=per_page, total=result.total)


@_route("/surveys/<int:survey_id>/counts")
@research_api
def export_survey_counts(survey_id):
    survey = survey_or_404(survey_id)
    by = request.args.get("by")
    if by is not None:
        question = survey.question(by) if len(by) <= CODE_MAX else None
        if question is None or question.kind is not QuestionType.SINGLE:
            raise ApiError(400, _("The parameter by must be the code of a single-choice "
                                  "question of this survey."))

    def serialise(row) -> dict:
        item = {"question_code": row.question_code, "item_code": row.item_code,
                "option_code": row.option_code, "value_number": _number(row.value_number),
                "count": row.count}
        if by is not None:
            item["by_option_code"] = row.by_option_code
        return item

    return _listing(lambda page, per_page: queries.answer_counts(survey, page, per_page, by),
                    serialise, by=by, responses=queries.counted_responses(survey))


@_route("/labs/<int:lab_id>/comments")
@research_api
def export_lab_comments(lab_id):
    lab = lab_or_404(lab_id)

    def serialise(row) -> dict:
        hidden = row.status == CommentStatus.HIDDEN
        return {"id": row.id, "participant_id": pseudonyms.person_id(lab.id, user_id=row.user_id),
                "plan_id": row.plan_id, "plan_slug": row.plan_slug, "version": row.version,
                "anchor": row.anchor, "parent_id": row.parent_id, "language": row.language,
                # A moderator hid it, often for personal data: the text stays out.
                "body": None if hidden else row.body, "quote": row.quote,
                "status": row.status, "created_on": _day(row.created_at)}

    return _listing(lambda page, per_page: queries.exportable_comments(lab, page, per_page),
                    serialise, audit_as=("api.comments_read", lab, lab.municipality))


@_route("/labs/<int:lab_id>/codes")
@research_api
def export_lab_codes(lab_id):
    lab = lab_or_404(lab_id)
    return _listing(lambda page, per_page: queries.codes_of(lab, page, per_page),
                    lambda row: {"id": row.id, "key": row.key, "name": row.name,
                                 "description": row.description, "color": row.color,
                                 "position": row.position, "parent_id": row.parent_id,
                                 "parent_key": row.parent_key})


@_route("/labs/<int:lab_id>/codings")
@research_api
def export_lab_codings(lab_id):
    lab = lab_or_404(lab_id)

    def serialise(row) -> dict:
        coder = pseudonyms.person_id(lab.id, user_id=row.coder_id) if row.coder_id else None
        return {"id": row.id, "code_id": row.code_id, "code_key": row.code_key,
                "unit_kind": row.unit_kind, "unit_id": row.unit_id, "start": row.start_pos,
                "end": row.end_pos, "coder_id": coder, "created_at": _time(row.created_at)}

    return _listing(lambda page, per_page: queries.codings_of(lab, page, per_page), serialise)
