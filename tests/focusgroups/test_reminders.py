"""Reminders go out exactly once (also across restarts), in each person's language."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from cocreate.core import mail
from cocreate.core.base import utcnow
from cocreate.core.models import OutboxMessage
from cocreate.extensions import db
from cocreate.focusgroups import tasks
from tests.core.test_mail import smtp_server  # noqa: F401  (a real local SMTP server)
from tests.focusgroups.test_registration import register


def test_reminders_once_each_through_real_smtp(app, smtp_server, make_municipality,  # noqa: F811
                                               make_session, make_user):
    town = make_municipality()
    make_user(roles=[(town, "moderator")], language="fr", email="mod@example.org")
    session = make_session(town, capacity=2)
    register(app, session, "nl@example.org", language="nl")
    register(app, session, "ar@example.org", language="ar", interpretation_language="ar")
    register(app, session, "wait@example.org")  # waitlisted: no reminder
    mail.send_due()
    smtp_server.messages.clear()
    start = session.starts_at
    with app.test_request_context():
        assert tasks.send_reminders(start - timedelta(hours=72)) == 0
        assert tasks.send_reminders(start - timedelta(hours=47)) == 2
        assert tasks.send_reminders(start - timedelta(hours=47)) == 0  # a restart: nothing twice
        assert tasks.send_reminders(start - timedelta(hours=20)) == 0
        assert tasks.send_reminders(start - timedelta(hours=2)) == 2
        assert tasks.send_summaries(start - timedelta(hours=20)) == 1
        assert tasks.send_summaries(start - timedelta(hours=19)) == 0
    assert mail.send_due() == 5
    received = {(m["To"], m["Content-Language"]) for m in smtp_server.messages}
    assert received == {("nl@example.org", "nl"), ("ar@example.org", "ar"), ("mod@example.org", "fr")}
    arabic = [m for m in smtp_server.messages if m["To"] == "ar@example.org"][0]
    assert arabic.is_multipart() and any(p.get_content_type() == "text/calendar"
                                         for p in arabic.iter_attachments())
    summary = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == "mod@example.org")).one()
    assert summary.language == "fr" and "2" in summary.body_text


def test_rescheduling_sends_fresh_reminders_and_tells_people(app, make_municipality, make_session,
                                                            make_user):
    from cocreate.focusgroups import scheduling

    town = make_municipality()
    session = make_session(town)
    register(app, session, "a@example.org", language="en")
    with app.test_request_context():
        tasks.send_reminders(session.starts_at - timedelta(hours=2))
        values = {name: getattr(session, name) for name in (
            "topic", "description", "accessibility", "ends_at", "registration_deadline", "format",
            "address", "room", "online_link", "working_language", "interpretation", "capacity",
            "requires_approval")}
        values["starts_at"] = session.starts_at + timedelta(days=1)
        values["ends_at"] = session.ends_at + timedelta(days=1)
        changed = scheduling.update_session(make_user(roles=[(town, "moderator")]), session,
                                            use_quota=False, **values)
        assert changed and session.sequence == 1
        assert tasks.send_reminders(session.starts_at - timedelta(hours=2)) == 1
    subjects = [m.subject for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]
    assert "The session has changed" in subjects
    changed_mail = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.subject == "The session has changed")).one()
    assert "SEQUENCE:1" in changed_mail.attachments[0]["text"]


def test_cancelling_a_session_tells_everyone(app, make_municipality, make_session, make_user):
    from cocreate.focusgroups import scheduling

    town = make_municipality()
    session = make_session(town, capacity=1)
    register(app, session, "a@example.org", language="en")
    register(app, session, "b@example.org", language="en")
    with app.test_request_context():
        assert scheduling.cancel_session(make_user(), session) == 2
        assert tasks.send_reminders(session.starts_at - timedelta(hours=2)) == 0
    cancelled = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.subject == "The session is cancelled")).all()
    assert len(cancelled) == 2
    assert all("METHOD:CANCEL" in m.attachments[0]["text"] for m in cancelled)


def test_session_across_daylight_saving_change(client, make_municipality, make_user, make_lab):
    """Brussels leaves summer time on 2026-10-25 at 03:00: a session 01:30–04:30 local
    lasts four hours, and is shown and stored right."""
    from cocreate.focusgroups.models import FocusSession

    town = make_municipality()
    lab = make_lab(town)
    client.login_as(make_user(roles=[(town, "moderator")]))
    response = client.post_form(f"/en/m/{town.slug}/manage/labs/{lab.slug}/sessions/new", {
        "topic__nl": "Nachtgesprek", "starts_at": "2026-10-25T01:30", "ends_at": "2026-10-25T04:30",
        "format": "in_person", "address": "Markt 1", "working_language": "nl", "capacity": "5"})
    assert response.status_code == 302
    session = db.session.scalars(sa.select(FocusSession)).one()
    assert (session.ends_at - session.starts_at) == timedelta(hours=4)
    assert session.starts_at.hour == 23 and session.starts_at.day == 24  # 01:30 CEST = 23:30 UTC
    assert session.starts_at > utcnow() - timedelta(days=3650)
