"""A person's own data: everything we hold about them as one file, and erasing their account.

:func:`collect` is what *My profile → Download my data* gives: the account, roles,
consents, survey responses linked to the account (anonymous responses are linked to
no one, so they cannot be in it), drafts, focus-group registrations, plan comments,
supports and reports, and sign-in sessions.

:func:`delete_account` erases the account. The person chooses what happens to what
they contributed:

* ``keep`` — contributions stay, anonymised: responses and comments lose the link to
  the account (comments show no name), past registrations keep only their status,
  group and attendance (:attr:`Registration.anonymised_at`). Research consent given
  with a response stays with that response;
* ``remove`` — responses (with their answers), comments (with replies to them),
  supports, reports, registrations and the codings researchers made on any of these
  are deleted.

Either way, registrations for sessions still to come are cancelled first (the seat
goes to the waiting list), drafts, consents held by the account, sign-in sessions,
password resets, memberships and API tokens go, and the audit log keeps an entry
without any personal detail.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import ConsentRecord, LoginSession, User
from cocreate.accounts.service import admin_count
from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.core.permissions import Role
from cocreate.extensions import db

log = logging.getLogger("cocreate.accounts")

KEEP, REMOVE = "keep", "remove"


class DeletionRefused(DomainError):
    """The account cannot be deleted (yet)."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _in(language: str, text) -> str:
    """A translated sentence in the person's own language (not the page's)."""
    from flask_babel import force_locale

    with force_locale(language):
        return str(text)


def collect(user: User) -> dict:
    """Everything held about ``user``, as plain JSON-ready data."""
    from cocreate.accounts.consents import context_titles
    from cocreate.core.i18n import localize
    from cocreate.focusgroups.models import FocusSession, Registration
    from cocreate.plans.models import Comment, Flag, Plan, Support
    from cocreate.surveys.models import ResponseDraft, Survey

    language = user.preferred_language

    def text(value) -> str:
        if isinstance(value, dict):
            return str(localize(value, language))
        return str(value) if value else ""

    consents = list(db.session.scalars(sa.select(ConsentRecord).where(
        ConsentRecord.user_id == user.id).order_by(ConsentRecord.id)))
    titles = context_titles([c.context for c in consents])

    responses = _responses(user, text)

    drafts = [{"survey": text(survey.title), "updated_at": _iso(draft.updated_at),
               "answers": draft.answers}
              for draft, survey in db.session.execute(
                  sa.select(ResponseDraft, Survey).join(Survey, Survey.id == ResponseDraft.survey_id)
                  .where(ResponseDraft.user_id == user.id))]

    registrations = [{
        "session": text(session.topic), "starts_at": _iso(session.starts_at),
        "status": registration.status, "language": registration.language,
        "interpretation_language": registration.interpretation_language,
        "needs_childcare": registration.needs_childcare,
        "accessibility_needs": registration.accessibility_needs, "note": registration.note,
        "screening_answers": registration.screening_answers,
        "attended": registration.attended, "registered_at": _iso(registration.created_at),
    } for registration, session in db.session.execute(
        sa.select(Registration, FocusSession)
        .join(FocusSession, FocusSession.id == Registration.session_id)
        .where(Registration.user_id == user.id).order_by(Registration.id))]

    comments = [{
        "plan": text(plan.title), "paragraph": comment.anchor, "text": comment.body,
        "quote": comment.quote, "language": comment.language, "status": comment.status,
        "show_name": comment.show_name, "written_at": _iso(comment.created_at),
        "reply_to": comment.parent_id,
    } for comment, plan in db.session.execute(
        sa.select(Comment, Plan).join(Plan, Plan.id == Comment.plan_id)
        .where(Comment.user_id == user.id).order_by(Comment.id))]

    supports = [{"comment": comment_id, "at": _iso(at)} for comment_id, at in db.session.execute(
        sa.select(Support.comment_id, Support.created_at).where(Support.user_id == user.id))]
    reports = [{"comment": comment_id, "reason": reason, "at": _iso(at)}
               for comment_id, reason, at in db.session.execute(
                   sa.select(Flag.comment_id, Flag.reason, Flag.created_at)
                   .where(Flag.user_id == user.id))]
    sessions = [{"started": _iso(row.created_at), "last_seen": _iso(row.last_seen_at),
                 "ended": _iso(row.revoked_at)}
                for row in db.session.scalars(sa.select(LoginSession).where(
                    LoginSession.user_id == user.id).order_by(LoginSession.id))]

    return {
        "account": {"email": user.email, "name": user.display_name,
                    "language": user.preferred_language, "created_at": _iso(user.created_at),
                    "last_login_at": _iso(user.last_login_at)},
        "roles": [{"municipality": m.municipality.name, "role": m.role}
                  for m in user.memberships],
        "consents": [{"about": text(titles.get(c.context)) or c.context, "scope": c.scope,
                      "granted": c.granted, "text_version": c.text_version,
                      "language": c.language, "recorded_at": _iso(c.recorded_at),
                      "withdrawn_at": _iso(c.withdrawn_at)} for c in consents],
        "survey_responses": responses,
        "unfinished_survey_answers": drafts,
        "focus_group_registrations": registrations,
        "plan_comments": comments,
        "supported_comments": supports,
        "reported_comments": reports,
        "sign_in_sessions": sessions,
        "note": _in(language, _l("Answers to anonymous surveys are not linked to your account, "
                                 "so they are not in this file.")),
        "exported_at": _iso(utcnow()),
    }


def _responses(user: User, text) -> list[dict]:
    """The person's survey responses with their answers, labelled in their language (three
    queries, however many responses)."""
    from collections import defaultdict

    from cocreate.surveys.models import Answer, Question, Response, Survey

    rows = db.session.execute(
        sa.select(Response, Survey).join(Survey, Survey.id == Response.survey_id)
        .where(Response.user_id == user.id).order_by(Response.id)).all()
    questions = {(q.survey_id, q.code): q for q in db.session.scalars(
        sa.select(Question).where(Question.survey_id.in_({survey.id for _r, survey in rows})))}
    answers = defaultdict(list)
    for answer in db.session.scalars(sa.select(Answer).where(
            Answer.response_id.in_([response.id for response, _s in rows])).order_by(Answer.id)):
        answers[answer.response_id].append(answer)

    def described(answer, survey_id) -> dict:
        question = questions.get((survey_id, answer.question_code))
        option = question.option(answer.option_code) if question and answer.option_code else None
        return {"question": answer.question_code,
                "question_text": text(question.text) if question else "",
                "row": answer.item_code, "option": answer.option_code,
                "option_label": text(option.label) if option else "",
                "number": float(answer.value_number) if answer.value_number is not None else None,
                "text": answer.value_text}

    return [{"survey": text(survey.title), "language": response.language,
             "submitted_at": _iso(response.submitted_at),
             "answers": [described(answer, survey.id) for answer in answers[response.id]]}
            for response, survey in rows]


def delete_account(user: User, contributions: str) -> None:
    """Erase ``user``'s account; ``contributions`` is :data:`KEEP` or :data:`REMOVE`.

    The caller commits (and signs the person out)."""
    from cocreate.focusgroups import service as focusgroups
    from cocreate.focusgroups.models import ACTIVE, FocusSession, Registration
    from cocreate.plans.models import Comment
    from cocreate.research.models import Coding, UnitKind
    from cocreate.surveys.models import Answer, Response

    if contributions not in (KEEP, REMOVE):
        raise DeletionRefused(_l("Choose what happens to what you wrote."))
    for membership in user.memberships:
        if Role(membership.role) is Role.ADMIN and admin_count(membership.municipality_id) <= 1:
            raise DeletionRefused(_l(
                "You are the only administrator of %(municipality)s. Make someone else "
                "administrator first.", municipality=membership.municipality.name))
    now = utcnow()

    # Seats for sessions still to come go to the waiting list, in both cases.
    for registration in db.session.scalars(
            sa.select(Registration).join(FocusSession)
            .where(Registration.user_id == user.id, Registration.status.in_(ACTIVE),
                   FocusSession.starts_at > now)):
        focusgroups.cancel(registration)

    registration_ids = sa.select(Registration.id).where(Registration.user_id == user.id)
    response_ids = sa.select(Response.id).where(Response.user_id == user.id)
    comment_ids = sa.select(Comment.id).where(Comment.user_id == user.id)

    if contributions == KEEP:
        # Consent given with a response stays with the response, without the person.
        db.session.execute(sa.update(ConsentRecord).where(
            ConsentRecord.user_id == user.id, ConsentRecord.response_id.is_not(None))
            .values(user_id=None))
        db.session.execute(sa.update(ConsentRecord).where(
            ConsentRecord.registration_id.in_(registration_ids)).values(user_id=None))
        db.session.execute(sa.update(Registration).where(Registration.user_id == user.id)
                           .values(**focusgroups.erased_details(now)))
        db.session.execute(sa.update(Response).where(Response.user_id == user.id)
                           .values(user_id=None))
        db.session.execute(sa.update(Comment).where(Comment.user_id == user.id)
                           .values(user_id=None, show_name=False))
    else:
        answer_ids = sa.select(Answer.id).where(Answer.response_id.in_(response_ids))
        all_comment_ids = sa.select(Comment.id).where(sa.or_(
            Comment.id.in_(comment_ids), Comment.parent_id.in_(comment_ids)))
        db.session.execute(sa.delete(Coding).where(sa.or_(
            sa.and_(Coding.unit_kind == UnitKind.ANSWER.value, Coding.unit_id.in_(answer_ids)),
            sa.and_(Coding.unit_kind == UnitKind.COMMENT.value,
                    Coding.unit_id.in_(all_comment_ids)))))
        db.session.execute(sa.delete(ConsentRecord).where(sa.or_(
            ConsentRecord.response_id.in_(response_ids),
            ConsentRecord.registration_id.in_(registration_ids))))
        db.session.execute(sa.delete(Answer).where(Answer.response_id.in_(response_ids)))
        db.session.execute(sa.delete(Response).where(Response.user_id == user.id))
        # Replies to the person's comments go with them (their parent is gone).
        db.session.execute(sa.delete(Comment).where(Comment.parent_id.in_(
            sa.select(Comment.id).where(Comment.user_id == user.id).scalar_subquery())))
        db.session.execute(sa.delete(Comment).where(Comment.user_id == user.id))
        db.session.execute(sa.delete(Registration).where(Registration.user_id == user.id))

    audit.record("account.deleted", None, contributions=contributions)
    db.session.flush()
    db.session.expire_all()
    db.session.delete(db.session.get(User, user.id))
    db.session.flush()
    log.info("an account was deleted (contributions: %s)", contributions)
