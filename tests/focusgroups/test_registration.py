"""Registering: seats, group quotas, waitlist and promotion, approval, cancelling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cocreate.accounts.models import ConsentRecord
from cocreate.core.base import utcnow
from cocreate.core.models import OutboxMessage
from cocreate.extensions import db
from cocreate.focusgroups import screening, service
from cocreate.focusgroups.models import Registration

NEW, OLD = screening.NEWCOMER, screening.LONG_TERM


def register(app, session, email, group=None, **extra):
    values = dict(guest_name=email.split("@")[0], guest_email=email, language="nl",
                  screening_answers={screening.GROUP_QUESTION: {"option": group}} if group else {},
                  interpretation_language=None, needs_childcare=False, accessibility_needs="",
                  note="", consent_audio=False, consent_quotes=False)
    values.update(extra)
    with app.test_request_context():
        return service.register(session, **values)[0]


def statuses(session):
    db.session.refresh(session)
    return [r.status for r in session.registrations]


def test_seats_then_waitlist_then_promotion(app, make_municipality, make_session):
    session = make_session(make_municipality(), capacity=2)
    first = register(app, session, "a@example.org")
    register(app, session, "b@example.org")
    third = register(app, session, "c@example.org", language="en")
    assert statuses(session) == ["confirmed", "confirmed", "waitlisted"]
    assert service.waitlist_position(third) == 1
    with app.test_request_context():
        service.cancel(first)
    db.session.refresh(third)
    assert third.status == "confirmed"
    subjects = [m.subject for m in db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == "c@example.org"))]
    assert subjects == ["You are on the waiting list", "A place has become free for you"]


def test_group_quota_keeps_room_for_the_other_group(app, make_municipality, make_session):
    # 4 places, at least 50% newcomers and 25% long-term residents → long-term max 2.
    session = make_session(make_municipality(), capacity=4, quota=(50, 25))
    assert service.seat_limit(session, OLD) == 2 and service.seat_limit(session, NEW) == 3
    for index in range(3):
        register(app, session, f"old{index}@example.org", OLD)
    assert statuses(session) == ["confirmed", "confirmed", "waitlisted"]
    register(app, session, "new0@example.org", NEW)
    register(app, session, "new1@example.org", NEW)
    assert statuses(session)[-2:] == ["confirmed", "confirmed"]
    register(app, session, "new2@example.org", NEW)  # the session is now full
    assert statuses(session)[-1] == "waitlisted"


def test_same_person_cannot_register_twice(app, make_municipality, make_session):
    session = make_session(make_municipality())
    register(app, session, "a@example.org")
    with pytest.raises(service.SessionError):
        register(app, session, "A@example.org")


def test_registration_after_the_deadline_is_refused(app, make_municipality, make_session):
    session = make_session(make_municipality(), registration_deadline=utcnow() - timedelta(hours=1))
    with pytest.raises(service.SessionError):
        register(app, session, "late@example.org")


def test_manual_approval(app, make_municipality, make_session, make_user):
    town = make_municipality()
    session = make_session(town, capacity=1, requires_approval=True)
    one, two = register(app, session, "a@example.org"), register(app, session, "b@example.org")
    assert statuses(session) == ["pending", "pending"]
    moderator = make_user(roles=[(town, "moderator")])
    with app.test_request_context():
        service.decide(moderator, one, True)
        service.decide(moderator, two, True)
    assert statuses(session) == ["confirmed", "waitlisted"]
    with pytest.raises(service.SessionError), app.test_request_context():
        service.decide(moderator, one, False)


def test_consent_is_recorded_in_the_ledger(app, make_municipality, make_session):
    session = make_session(make_municipality())
    registration = register(app, session, "a@example.org", consent_audio=True)
    rows = {(c.scope, c.granted) for c in db.session.scalars(
        sa.select(ConsentRecord).where(ConsentRecord.registration_id == registration.id))}
    assert rows == {("participation", True), ("audio", True), ("quotes", False), ("research", False)}


def test_confirmation_mail_has_a_calendar_file_and_cancel_link(app, make_municipality,
                                                              make_session):
    session = make_session(make_municipality(), format="online",
                           online_link="https://meet.example.org/x", address="")
    register(app, session, "a@example.org", language="ar")
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.language == "ar" and "/ar/registrations/" in message.body_text
    [attachment] = message.attachments
    assert attachment["content_type"] == "text/calendar"
    assert "BEGIN:VEVENT" in attachment["text"] and "meet.example.org" in attachment["text"]
    assert f"UID:focus-session-{session.id}@cocreate" in attachment["text"]


def test_http_guest_registration_in_arabic_lands_on_the_waitlist(client, make_municipality,
                                                                 make_session):
    town = make_municipality()
    session = make_session(town, capacity=1, quota=(0, 0))
    url = f"/ar/m/{town.slug}/labs/{session.lab.slug}/sessions/{session.id}/"
    form = {"guest_name": "أمل", "guest_email": "amal@example.org",
            screening.GROUP_QUESTION: NEW, "consent_participation": "y",
            "interpretation_language": "ar", "needs_childcare": "y"}
    assert client.post_form(url, {**form, "guest_email": "first@example.org"}).status_code == 302
    response = client.post_form(url, form)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert 'dir="rtl"' in page
    registration = db.session.scalar(sa.select(Registration).filter_by(guest_email="amal@example.org"))
    assert registration.status == "waitlisted" and registration.interpretation_language == "ar"
    assert registration.needs_childcare and registration.language == "ar"


@pytest.mark.parametrize("change", [
    {"guest_email": "not-an-email"}, {"guest_name": ""}, {"consent_participation": ""},
    {screening.GROUP_QUESTION: "FG_GROUP_9"}, {screening.GROUP_QUESTION: ""},
    {"interpretation_language": "xx"}, {"note": "x" * 1001}, {"guest_name": "bad\x00"},
])
def test_bad_registrations_change_nothing(client, make_municipality, make_session, change):
    town = make_municipality()
    session = make_session(town, quota=(40, 40))
    url = f"/en/m/{town.slug}/labs/{session.lab.slug}/sessions/{session.id}/"
    form = {"guest_name": "Jan", "guest_email": "jan@example.org",
            screening.GROUP_QUESTION: OLD, "consent_participation": "y", **change}
    response = client.post_form(url, form)
    assert response.status_code == 400 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_signed_in_registration_and_cancel_by_link(client, make_municipality, make_session,
                                                   make_user):
    town = make_municipality()
    session = make_session(town, capacity=1)
    user = make_user(language="fr")
    client.login_as(user)
    url = f"/fr/m/{town.slug}/labs/{session.lab.slug}/sessions/{session.id}/"
    response = client.post_form(url, {"consent_participation": "y"})
    assert response.status_code == 302
    registration = db.session.scalars(sa.select(Registration)).one()
    assert registration.user_id == user.id and registration.guest_email is None
    assert registration.status == "confirmed"
    cancel_url = response.headers["Location"]
    assert client.post_form(cancel_url).status_code == 302
    db.session.refresh(registration)
    assert registration.status == "cancelled"
    assert client.get("/en/registrations/not-a-token").status_code == 404


def test_personal_calendar_feed(client, app, make_municipality, make_session):
    town = make_municipality()
    first, second = make_session(town), make_session(town)
    register(app, first, "me@example.org")
    register(app, second, "me@example.org")
    message = db.session.scalars(sa.select(OutboxMessage)).first()
    token = re.search(r"/registrations/([\w-]+)", message.body_text).group(1)
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.text.count("BEGIN:VEVENT") == 2
    assert client.get("/calendar/nope.ics").status_code == 404
