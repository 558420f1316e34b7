"""Write paths for moderators: create, edit, reschedule, publish and cancel sessions;
check people in, record no-shows and walk-ins."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.focusgroups import screening
from cocreate.focusgroups.models import (
    FocusSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from cocreate.focusgroups.service import SessionError, lock_session, notify_all, promote, token_hash

#: Changing any of these tells registrants, with an updated calendar file.
NOTIFY_FIELDS = ("starts_at", "ends_at", "format", "address", "room", "online_link")


def _quotas(values: dict) -> tuple[dict | None, list]:
    if not values.pop("use_quota", False):
        return None, []
    minimum = {screening.NEWCOMER: values.pop("newcomer_share", 0) or 0,
               screening.LONG_TERM: values.pop("long_term_share", 0) or 0}
    return {"question": screening.GROUP_QUESTION, "minimum": minimum}, screening.STANDARD


def create_session(actor, lab, **values) -> FocusSession:
    quotas, questions = _quotas(values)
    values.pop("newcomer_share", None), values.pop("long_term_share", None)
    session = FocusSession(lab=lab, quotas=quotas, screening=questions, **values)
    db.session.add(session)
    audit.record("session.created", session, actor=actor, municipality=lab.municipality)
    return session


def update_session(actor, session: FocusSession, **values) -> bool:
    """Save changes; returns whether registrants were told (time, place or link changed)."""
    session = lock_session(session)
    quotas, questions = _quotas(values)
    values.pop("newcomer_share", None), values.pop("long_term_share", None)
    if values["capacity"] < sum(1 for r in session.registrations
                                if r.status == RegistrationStatus.CONFIRMED):
        raise SessionError(_l("There are more confirmed people than places. Cancel registrations first."))
    changed = session.state is SessionStatus.PUBLISHED and any(
        getattr(session, name) != values[name] for name in NOTIFY_FIELDS)
    for name, value in values.items():
        setattr(session, name, value)
    session.quotas, session.screening = quotas, questions
    if changed:
        session.sequence += 1
    db.session.flush()
    promote(session)  # more places or other quotas may free seats
    audit.record("session.updated", session, actor=actor, municipality=session.lab.municipality,
                 rescheduled=changed)
    if changed:
        notify_all(session, "changed")
    return changed


def publish(actor, session: FocusSession) -> None:
    if session.state is not SessionStatus.DRAFT:
        raise SessionError(_l("Only a draft session can be published."))
    if session.starts_at <= utcnow():
        raise SessionError(_l("This session is in the past."))
    session.status = SessionStatus.PUBLISHED
    audit.record("session.published", session, actor=actor, municipality=session.lab.municipality)


def cancel_session(actor, session: FocusSession) -> int:
    """Cancel the session and tell everyone registered, with a cancelling calendar file."""
    if session.state is SessionStatus.CANCELLED:
        raise SessionError(_l("This session is already cancelled."))
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    db.session.flush()
    audit.record("session.cancelled", session, actor=actor, municipality=session.lab.municipality)
    return notify_all(session, "cancelled")


def set_attendance(actor, registration: Registration, attended: bool | None) -> None:
    if registration.status != RegistrationStatus.CONFIRMED:
        raise SessionError(_l("Only people with a confirmed place can be checked in."))
    registration.attended = attended
    registration.checked_in_at = utcnow() if attended else None


def add_walk_in(actor, session: FocusSession, *, name: str, group_code: str | None,
                language: str) -> Registration:
    """Someone who came without registering: present, and counted in their group."""
    if group_code and group_code not in {o["code"] for q in session.screening for o in q["options"]}:
        raise SessionError(_l("Choose one of the groups."))
    registration = Registration(
        session=session, guest_name=name, language=language, group_code=group_code or None,
        status=RegistrationStatus.CONFIRMED, is_walk_in=True, attended=True, checked_in_at=utcnow(),
        token_hash=token_hash(secrets.token_urlsafe(32)))
    db.session.add(registration)
    audit.record("session.walk_in", session, actor=actor, municipality=session.lab.municipality)
    return registration
