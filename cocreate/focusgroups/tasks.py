"""Scheduled jobs: reminders to participants, the day-before summary to moderators.

Each message is logged in :class:`ReminderLog` under a UNIQUE key in the same
transaction as its outbox row, so it goes out exactly once, also when the
scheduler restarts or two schedulers run by mistake.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import Membership
from cocreate.core.base import utcnow
from cocreate.core.mail import queue_mail
from cocreate.core.permissions import Role
from cocreate.extensions import db
from cocreate.focusgroups.models import (
    FocusSession,
    RegistrationStatus,
    ReminderLog,
    SessionStatus,
)
from cocreate.focusgroups.service import calendar_attachment, needs_summary
from cocreate.scheduler import task


def _claim(session_id: int, registration_id: int, kind: str) -> bool:
    """Record that a message is being sent; False when it already was."""
    exists = db.session.scalar(sa.select(ReminderLog.id).where(
        ReminderLog.session_id == session_id, ReminderLog.registration_id == registration_id,
        ReminderLog.kind == kind))
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(session_id=session_id, registration_id=registration_id,
                                       kind=kind))
    except sa.exc.IntegrityError:
        return False
    return True


def _upcoming(now, hours: int):
    return db.session.scalars(sa.select(FocusSession).where(
        FocusSession.status == SessionStatus.PUBLISHED, FocusSession.starts_at > now,
        FocusSession.starts_at <= now + timedelta(hours=hours))).all()


@task("focusgroups.send_reminders", seconds=300)
def send_reminders(now=None) -> int:
    """Remind confirmed participants at the configured offsets (default 48 h and 3 h).

    Only the nearest due offset is sent, so someone who registers late gets one
    timely reminder instead of several at once.
    """
    now = now or utcnow()
    offsets = sorted(int(h) for h in current_app.config["SESSION_REMINDER_HOURS"])
    sent = 0
    for session in _upcoming(now, max(offsets)):
        due = [h for h in offsets if session.starts_at - timedelta(hours=h) <= now]
        if not due:
            continue
        hours = min(due)
        for registration in session.registrations:
            if registration.status != RegistrationStatus.CONFIRMED or not registration.email:
                continue
            if not _claim(session.id, registration.id, f"reminder:{hours}:{session.sequence}"):
                continue
            queue_mail(registration.email, registration.language, _l("Reminder: your session"),
                       "mail/session_reminder.txt", municipality=session.lab.municipality,
                       session=session, registration=registration,
                       attachments=calendar_attachment(session, True))
            sent += 1
    return sent


@task("focusgroups.send_summaries", seconds=900)
def send_summaries(now=None) -> int:
    """The day before, tell the municipality's moderators who is coming and what they need."""
    now = now or utcnow()
    sent = 0
    for session in _upcoming(now, 24):
        if not _claim(session.id, 0, f"summary:{session.sequence}"):
            continue
        moderators = db.session.scalars(sa.select(Membership).where(
            Membership.municipality_id == session.lab.municipality_id,
            Membership.role == Role.MODERATOR)).all()
        summary = needs_summary(session)
        for membership in moderators:
            queue_mail(membership.user.email, membership.user.preferred_language,
                       _l("Tomorrow's session: who is coming"), "mail/session_summary.txt",
                       municipality=session.lab.municipality, session=session, summary=summary)
            sent += 1
    return sent


@task("focusgroups.erase_guest_details", seconds=3600)
def erase_guest_details() -> int:
    """Retention: erase guests' details a while after their session (GUEST_DATA_DAYS)."""
    from cocreate.focusgroups import service

    return service.erase_past_guest_details()
