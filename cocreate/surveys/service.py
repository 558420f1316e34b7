"""Write paths for answering: start, save a page, resume, submit exactly once."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.core.mail import queue_mail
from cocreate.extensions import db
from cocreate.surveys import answers as rules
from cocreate.surveys.models import Answer, Response, ResponseDraft, Survey, SurveyInvitation

log = logging.getLogger("cocreate.surveys")

#: Consent scopes asked at the start of a survey; "participation" is required.
CONSENT_SCOPES = ("participation", "research", "quotes")
_RESUME_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
#: The answer columns :func:`rules.answer_rows` may fill; absent ones are stored as NULL.
_ANSWER_COLUMNS = dict.fromkeys(("item_code", "option_code", "value_number", "value_text",
                                 "text_language"))


class SurveyError(DomainError):
    """A refusal about surveys: answering or building."""


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def new_resume_code() -> str:
    """130 random bits as 26 base32 characters in groups of four (easy to copy)."""
    raw = "".join(secrets.choice(_RESUME_ALPHABET) for _ in range(26))
    return "-".join(raw[i:i + 4] for i in range(0, 26, 4))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 26 or any(ch not in _RESUME_ALPHABET for ch in cleaned):
        return ""
    return "-".join(cleaned[i:i + 4] for i in range(0, 26, 4))


def ensure_accepting(survey: Survey) -> None:
    if not survey.is_accepting():
        raise SurveyError(_l("This survey is not open for answers at the moment."))


def find_invitation(survey: Survey, token: str | None) -> SurveyInvitation | None:
    """An unused invitation of this survey, or None."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(sa.select(SurveyInvitation).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.token_hash == _hash(token),
        SurveyInvitation.used_at.is_(None)))


def create_invitations(survey: Survey, count: int) -> list[str]:
    """Make ``count`` one-time links; returns their tokens (shown once, stored hashed)."""
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    db.session.add_all(SurveyInvitation(survey_id=survey.id, token_hash=_hash(token))
                       for token in tokens)
    return tokens


def send_invitations(survey: Survey, addresses: list[str], language: str) -> int:
    """Mail one link to each address. The addresses are not kept with the invitations."""
    for address, token in zip(addresses, create_invitations(survey, len(addresses)), strict=True):
        queue_mail(address, language, _l("You are invited to answer a survey"),
                   "mail/survey_invitation.txt", municipality=survey.lab.municipality,
                   survey=survey, token=token)
    return len(addresses)


def start_draft(survey: Survey, *, language: str, consent: dict[str, bool], user=None,
                assisted_language: str | None = None,
                invitation_token: str | None = None) -> tuple[ResponseDraft, str]:
    """Begin answering; returns the draft and its resume code (shown once to the person)."""
    ensure_accepting(survey)
    invitation = find_invitation(survey, invitation_token)
    if survey.invitation_only and invitation is None and not assisted_language:
        raise SurveyError(_l("This survey is answered by invitation only. "
                             "Use the link you received; each link works once."))
    if not consent.get("participation"):
        raise SurveyError(_l("Please confirm that you want to take part."))
    if has_answered(survey, user) and not assisted_language:
        raise SurveyError(_l("You have already answered this survey. Thank you!"))
    code = new_resume_code()
    draft = ResponseDraft(
        survey_id=survey.id, resume_hash=_hash(code), submission_token=secrets.token_urlsafe(32),
        user_id=None if survey.is_anonymous or assisted_language else getattr(user, "id", None),
        language=language, consent={k: bool(consent.get(k)) for k in CONSENT_SCOPES},
        is_assisted=assisted_language is not None, assisted_language=assisted_language or None,
        invitation_id=getattr(invitation, "id", None),
    )
    db.session.add(draft)
    db.session.flush()
    return draft, code


def has_answered(survey: Survey, user) -> bool:
    """Identified surveys take one response per person."""
    if survey.is_anonymous or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(sa.select(Response.id).where(
        Response.survey_id == survey.id, Response.user_id == user.id)) is not None


def find_draft(survey: Survey, code: str | None) -> ResponseDraft | None:
    code = normalise_code(code or "")
    if not code:
        return None
    return db.session.scalar(sa.select(ResponseDraft).where(
        ResponseDraft.survey_id == survey.id, ResponseDraft.resume_hash == _hash(code)))


def find_user_draft(survey: Survey, user) -> ResponseDraft | None:
    if survey.is_anonymous or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(ResponseDraft).where(
        ResponseDraft.survey_id == survey.id, ResponseDraft.user_id == user.id))


def save_page(survey: Survey, draft: ResponseDraft, page: int, result: rules.PageResult,
              section, *, next_page: int, language: str) -> None:
    """Store a page's answers (replacing that page's earlier answers) and where to go next."""
    ensure_accepting(survey)
    answers = {code: value for code, value in (draft.answers or {}).items()
               if code not in {q.code for q in section.questions}}
    answers.update(result.answers)
    draft.answers = rules.prune_hidden(survey, answers)
    draft.page = max(0, next_page)
    draft.language = language


def submit(survey: Survey, draft: ResponseDraft | None, token: str, *,
           instrument: Survey | None = None) -> Response:
    """Store the response exactly once.

    ``instrument`` is a read-only copy of the survey's sections, questions and options
    (:func:`cocreate.surveys.instrument.instrument_of`); without it, the survey's own.

    The submission token is unique: a double click, a retry or a resubmission
    with the back button finds the stored response instead of making a second.
    (While the draft with this token exists, no response has it yet: the draft
    goes in the transaction that stores the response.)
    """
    if draft is None or not token or draft.submission_token != token:
        existing = find_submitted(survey, token)
        if existing is not None:
            return existing
        raise SurveyError(_l("This answer form has expired. Open the survey again to continue."))
    ensure_accepting(survey)
    instrument = instrument if instrument is not None else survey
    answers = rules.prune_hidden(instrument, draft.answers or {})
    errors = rules.check_complete(instrument, answers)
    if errors:
        raise SurveyError(_l("Some required questions are not answered yet."))
    now = utcnow()
    if draft.invitation_id is not None:
        # Mark the invitation used in the same transaction as the response: a link
        # answers once. An anonymous response keeps no trace of which link it was.
        claimed = db.session.execute(
            sa.update(SurveyInvitation)
            .where(SurveyInvitation.id == draft.invitation_id, SurveyInvitation.used_at.is_(None))
            .values(used_at=datetime(now.year, now.month, now.day, tzinfo=UTC)))
        if claimed.rowcount != 1:
            raise SurveyError(_l("This invitation link was already used."))
    response = Response(
        survey_id=survey.id, submission_key=_hash(token), language=draft.language,
        user_id=None if survey.is_anonymous else draft.user_id,
        submitted_at=datetime(now.year, now.month, now.day, tzinfo=UTC)
        if survey.is_anonymous else now,
        is_assisted=draft.is_assisted, assisted_language=draft.assisted_language,
        consent_version=survey.consent_version,
        consent_scopes=[k for k, v in (draft.consent or {}).items() if v],
        invitation_id=None if survey.is_anonymous else draft.invitation_id,
    )
    db.session.add(response)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        stored = find_submitted(survey, token)
        if stored is None:
            raise
        return stored
    answer_records = [{**_ANSWER_COLUMNS, **row, "survey_id": survey.id, "response_id": response.id}
                      for row in rules.answer_rows(instrument, answers)]
    consent_records = [{"user_id": response.user_id, "response_id": response.id,
                        "context": f"survey:{survey.id}", "scope": scope, "granted": granted,
                        "text_version": survey.consent_version, "language": draft.language,
                        "recorded_at": response.submitted_at}
                       for scope, granted in (draft.consent or {}).items()]
    # Every row has every column (render_nulls), so each table is one executemany rather
    # than one statement per shape of answer. An empty list must not reach execute():
    # it would insert one row of defaults (everything skipped is a valid response).
    for model, rows in ((Answer, answer_records), (ConsentRecord, consent_records)):
        if rows:
            db.session.execute(sa.insert(model).execution_options(render_nulls=True), rows)
    db.session.delete(draft)
    log.info("survey %s: response stored", survey.id)
    return response


def find_submitted(survey: Survey, token: str | None) -> Response | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(sa.select(Response).where(
        Response.survey_id == survey.id, Response.submission_key == _hash(token)))


def email_resume_link(survey: Survey, draft: ResponseDraft, code: str, address: str,
                      language: str) -> None:
    """Mail the resume link. The address is used for this message only, never stored
    with the draft or the response."""
    queue_mail(address, language, _l("Continue your answers later"), "mail/survey_resume.txt",
               municipality=survey.lab.municipality, survey=survey, code=code)


def purge_stale_drafts(now: datetime | None = None) -> int:
    """Delete drafts untouched for ``SURVEY_DRAFT_DAYS`` days (retention)."""
    cutoff = (now or utcnow()) - timedelta(days=int(current_app.config["SURVEY_DRAFT_DAYS"]))
    result = db.session.execute(sa.delete(ResponseDraft).where(ResponseDraft.updated_at < cutoff))
    return result.rowcount or 0
