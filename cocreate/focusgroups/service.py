"""Write paths for focus groups: registering (seats, group quotas, waitlist),
cancelling, approving, promoting from the waitlist, and telling people.

Seats are decided while the session row is locked (``FOR UPDATE`` on
PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``), so two people
can never both take the last seat.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import ConsentRecord
from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.core.mail import queue_mail
from cocreate.extensions import db
from cocreate.focusgroups.calendar import session_calendar
from cocreate.focusgroups.models import (
    ACTIVE,
    FocusSession,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger("cocreate.focusgroups")


class SessionError(DomainError):
    """A refusal about focus-group sessions or registrations."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def lock_session(session: FocusSession) -> FocusSession:
    """Re-read the session row with a write lock for the rest of the transaction."""
    return db.session.execute(
        sa.select(FocusSession).where(FocusSession.id == session.id)
        .with_for_update(of=FocusSession)
        .execution_options(populate_existing=True)
    ).scalar_one()


# -- Seats and groups --------------------------------------------------------------------


def _minimum_seats(session: FocusSession) -> dict[str, int]:
    shares = ((session.quotas or {}).get("minimum") or {})
    return {code: math.ceil(session.capacity * int(share) / 100)
            for code, share in shares.items() if share}


def seat_limit(session: FocusSession, group: str | None) -> int:
    """Most seats a group may hold so every other group can still reach its minimum.

    With capacity 10 and "at least 40% newcomers and 40% long-term residents",
    each of the two groups may take at most 6 seats, anyone else at most 2.
    """
    minimum = _minimum_seats(session)
    return session.capacity - sum(minimum.values()) + minimum.get(group, 0)


def group_of(session: FocusSession, screening_answers: dict) -> str | None:
    question = (session.quotas or {}).get("question")
    answer = (screening_answers or {}).get(question) or {}
    return answer.get("option")


def _confirmed(session: FocusSession) -> list[Registration]:
    return [r for r in session.registrations if r.status == RegistrationStatus.CONFIRMED]


def has_seat_for(session: FocusSession, group: str | None) -> bool:
    confirmed = _confirmed(session)
    in_group = sum(1 for r in confirmed if r.group_code == group)
    return len(confirmed) < session.capacity and in_group < seat_limit(session, group)


def seats_left(session: FocusSession) -> int:
    return max(0, session.capacity - len(_confirmed(session)))


def waitlist(session: FocusSession) -> list[Registration]:
    return sorted((r for r in session.registrations if r.status == RegistrationStatus.WAITLISTED),
                  key=lambda r: (r.created_at, r.id))


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return waitlist(registration.session).index(registration) + 1


# -- Registering --------------------------------------------------------------------------


def register(session: FocusSession, *, user=None, guest_name: str | None = None,
             guest_email: str | None = None, guest_phone: str | None = None, language: str,
             screening_answers: dict, interpretation_language: str | None,
             needs_childcare: bool, accessibility_needs: str, note: str,
             consent_audio: bool, consent_quotes: bool,
             consent_research: bool = False) -> tuple[Registration, str]:
    """Register a person (signed in, or a guest by e-mail) and return the registration
    with its secret token (for the cancel link and the calendar feed)."""
    session = lock_session(session)
    now = utcnow()
    if not session.registration_open(now):
        raise SessionError(_l("Registration for this session is closed."))
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    email = None if signed_in else (guest_email or "").lower()
    existing = next((r for r in session.registrations if
                     (signed_in and r.user_id == user.id) or (email and r.guest_email == email)),
                    None)
    if existing is not None and existing.status in ACTIVE:
        raise SessionError(_l("You are already registered for this session."))
    group = group_of(session, screening_answers)
    if session.requires_approval:
        status = RegistrationStatus.PENDING
    elif has_seat_for(session, group):
        status = RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITLISTED
    token = secrets.token_urlsafe(32)
    registration = existing or Registration(session=session)
    registration.user_id = user.id if signed_in else None
    registration.guest_name = None if signed_in else guest_name
    registration.guest_email = email
    registration.guest_phone = None if signed_in else (guest_phone or None)
    registration.language = language
    registration.group_code = group
    registration.screening_answers = screening_answers
    registration.interpretation_language = interpretation_language or None
    registration.needs_childcare = needs_childcare
    registration.accessibility_needs = accessibility_needs
    registration.note = note
    registration.consent_audio = consent_audio
    registration.consent_quotes = consent_quotes
    registration.status = status
    registration.token_hash = token_hash(token)
    registration.created_at = now
    registration.status_changed_at = now
    registration.attended = None
    db.session.add(registration)
    db.session.flush()
    for scope, granted in (("participation", True), ("audio", consent_audio),
                           ("quotes", consent_quotes), ("research", consent_research)):
        db.session.add(ConsentRecord(user_id=registration.user_id,
                                     registration_id=registration.id,
                                     context=f"session:{session.id}", scope=scope,
                                     granted=granted, text_version=1, language=language))
    notify(registration, "registered", token=token)
    log.info("session %s: registration %s is %s", session.id, registration.id, status)
    return registration, token


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(sa.select(Registration).where(
        Registration.token_hash == token_hash(token)))


def cancel(registration: Registration, *, actor=None) -> None:
    """Cancel a registration and give the seat to the next eligible person."""
    session = lock_session(registration.session)
    if registration.status not in ACTIVE:
        raise SessionError(_l("This registration is already cancelled."))
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.status_changed_at = utcnow()
    db.session.flush()
    if actor is not None:
        audit.record("session.registration_cancelled", session, actor=actor,
                     municipality=session.lab.municipality, registration=registration.id)
    if was_confirmed:
        promote(session)


def promote(session: FocusSession) -> list[Registration]:
    """Confirm waitlisted people, first come first served, while their group has a seat."""
    promoted = []
    for registration in waitlist(session):
        if has_seat_for(session, registration.group_code):
            registration.status = RegistrationStatus.CONFIRMED
            registration.status_changed_at = utcnow()
            db.session.flush()
            notify(registration, "promoted")
            promoted.append(registration)
    return promoted


def decide(actor, registration: Registration, approve: bool) -> None:
    """A moderator approves (seat or waitlist) or declines a pending registration."""
    session = lock_session(registration.session)
    if registration.status != RegistrationStatus.PENDING:
        raise SessionError(_l("Only registrations that wait for approval can be approved or declined."))
    if approve:
        registration.status = (RegistrationStatus.CONFIRMED
                               if has_seat_for(session, registration.group_code)
                               else RegistrationStatus.WAITLISTED)
    else:
        registration.status = RegistrationStatus.DECLINED
    registration.status_changed_at = utcnow()
    db.session.flush()
    audit.record("session.registration_decided", session, actor=actor,
                 municipality=session.lab.municipality, registration=registration.id,
                 status=registration.status)
    notify(registration, "decided")


# -- Telling people --------------------------------------------------------------------------


def session_url(session: FocusSession, language: str | None = None) -> str:
    lab = session.lab
    kwargs = {"lang_code": language} if language else {}
    return url_for("focusgroups.display_session", municipality_slug=lab.municipality.slug,
                   lab_slug=lab.slug, session_id=session.id, **kwargs)


def calendar_attachment(session: FocusSession, confirmed: bool):
    """A callable for queue_mail: the calendar file in the recipient's language."""
    def build(language):
        data = session_calendar([session], language,
                                confirmed_ids={session.id} if confirmed else frozenset(),
                                base_url=current_app.config["BASE_URL"],
                                url_for_session=lambda s: session_url(s, language))
        return [("session.ics", "text/calendar", data.decode("utf-8"))]
    return build


SUBJECTS = {
    RegistrationStatus.CONFIRMED: _l("Your place is confirmed"),
    RegistrationStatus.WAITLISTED: _l("You are on the waiting list"),
    RegistrationStatus.PENDING: _l("We have received your registration"),
    RegistrationStatus.DECLINED: _l("About your registration"),
    RegistrationStatus.CANCELLED: _l("Your registration is cancelled"),
}


def notify(registration: Registration, event: str, token: str | None = None) -> None:
    """Mail the registrant about their status, in their language, with a calendar file
    when they have a seat."""
    if not registration.email:
        return
    session = registration.session
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    subject = _l("A place has become free for you") if event == "promoted" else \
        SUBJECTS[RegistrationStatus(registration.status)]
    queue_mail(registration.email, registration.language, subject, "mail/session_status.txt",
               municipality=session.lab.municipality, session=session,
               registration=registration, token=token, event=event,
               position=waitlist_position(registration),
               attachments=calendar_attachment(session, True) if confirmed else None)


def notify_all(session: FocusSession, event: str) -> int:
    """Tell everyone with an active registration that the session changed or was cancelled."""
    count = 0
    for registration in session.registrations:
        if registration.status in ACTIVE and registration.email:
            confirmed = registration.status == RegistrationStatus.CONFIRMED
            subject = (_l("The session is cancelled") if event == "cancelled"
                       else _l("The session has changed"))
            queue_mail(registration.email, registration.language, subject,
                       "mail/session_changed.txt", municipality=session.lab.municipality,
                       session=session, registration=registration, event=event,
                       attachments=calendar_attachment(session, confirmed))
            count += 1
    return count


def needs_summary(session: FocusSession) -> dict:
    """Counts a moderator needs: confirmed per group, waitlist, and needs."""
    confirmed = _confirmed(session)
    return {
        "confirmed": len(confirmed),
        "by_group": Counter(r.group_code or "" for r in confirmed),
        "waitlisted": len(waitlist(session)),
        "pending": sum(1 for r in session.registrations if r.status == RegistrationStatus.PENDING),
        "interpretation": Counter(r.interpretation_language for r in confirmed
                                  if r.interpretation_language),
        "childcare": sum(1 for r in confirmed if r.needs_childcare),
        "accessibility": sum(1 for r in confirmed if r.accessibility_needs),
    }


def session_report(session: FocusSession) -> dict:
    """After the session: who came, by group, and whether needs were met."""
    confirmed = _confirmed(session)
    came = [r for r in confirmed if r.attended]
    return {
        "registered": len(confirmed),
        "attended": len(came),
        "no_shows": sum(1 for r in confirmed if r.attended is False),
        "walk_ins": sum(1 for r in came if r.is_walk_in),
        "by_group": Counter(r.group_code or "" for r in came),
        "interpretation_asked": Counter(r.interpretation_language for r in confirmed
                                        if r.interpretation_language),
        "interpretation_offered": set(session.interpretation),
        "childcare": sum(1 for r in came if r.needs_childcare),
        "accessibility": sum(1 for r in came if r.accessibility_needs),
    }


def erased_details(now: datetime) -> dict:
    """The values of a registration whose person was erased: status, group and attendance
    stay for the session's counts; nothing about who it was."""
    return dict(user_id=None, guest_name=None, guest_email=None, guest_phone=None,
                accessibility_needs="", note="", screening_answers={}, anonymised_at=now)


def erase_past_guest_details(now: datetime | None = None) -> int:
    """Retention: erase who a guest was once ``GUEST_DATA_DAYS`` have passed since the
    session ended. Signed-in people's registrations stay with their account (they can
    delete it); the status, group and attendance of guests stay for the counts."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["GUEST_DATA_DAYS"]))
    ended = sa.select(FocusSession.id).where(FocusSession.ends_at < cutoff)
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.user_id.is_(None), Registration.anonymised_at.is_(None),
               Registration.session_id.in_(ended))
        .values(**erased_details(now)))
    return result.rowcount or 0
