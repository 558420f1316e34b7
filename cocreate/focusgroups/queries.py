"""Read helpers for focus groups, loaded through their lab (and so their municipality)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import lazyload, selectinload

from cocreate.accounts.models import User
from cocreate.extensions import db
from cocreate.focusgroups.models import FocusSession, Registration, SessionStatus, Transcript


def get_session_or_404(lab, session_id: int) -> FocusSession:
    """The session with its registrations and their people (without the people's roles,
    which no session page shows: a full session would load them in several rounds)."""
    session = db.session.get(FocusSession, session_id, options=[
        selectinload(FocusSession.registrations).joinedload(Registration.user).lazyload(User.memberships)])
    if session is None or session.lab_id != lab.id:
        abort(404)
    return session


def get_registration_or_404(session, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.session_id != session.id:
        abort(404)
    return registration


def get_transcript_or_404(session, transcript_id: int) -> Transcript:
    transcript = db.session.get(Transcript, transcript_id)
    if transcript is None or transcript.session_id != session.id:
        abort(404)
    return transcript


def lab_sessions(lab, *, public: bool) -> list[FocusSession]:
    """The lab's sessions; their registrations load only if used (lists do not show them)."""
    query = sa.select(FocusSession).where(FocusSession.lab_id == lab.id) \
        .order_by(FocusSession.starts_at).options(lazyload(FocusSession.registrations))
    if public:
        query = query.where(FocusSession.status != SessionStatus.DRAFT)
    return list(db.session.scalars(query))


def transcripts_of(session) -> list[Transcript]:
    return list(db.session.scalars(sa.select(Transcript).where(Transcript.session_id == session.id)
                                   .order_by(Transcript.id)))


def registrations_of_person(registration: Registration) -> list[Registration]:
    """All registrations of the same person (account or guest address)."""
    if registration.user_id is not None:
        condition = Registration.user_id == registration.user_id
    else:
        condition = Registration.guest_email == registration.guest_email
    return list(db.session.scalars(sa.select(Registration).where(condition)))


def pseudonyms(session) -> dict[int, str]:
    """Stable pseudonyms P1, P2 … per session, in order of registration."""
    ordered = sorted(session.registrations, key=lambda r: r.id)
    return {r.id: f"P{index}" for index, r in enumerate(ordered, start=1)}
