"""The outbox: rendered in the recipient's language, sent over real SMTP, retried."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from cocreate.core import mail
from cocreate.core.base import utcnow
from cocreate.core.models import OutboxMessage, OutboxStatus
from cocreate.extensions import db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "DEMO")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, DEMO=False)
    yield inbox
    app.config.update(saved)
    controller.stop()


def _queue(app, language="ar", to="amal@example.org"):
    from flask_babel import lazy_gettext as _l

    with app.test_request_context():
        message = mail.queue_mail(to, language, _l("Choose a new password"),
                                  "mail/password_reset.txt",
                                  user=type("U", (), {"display_name": "أمل"})(),
                                  token="tok", hours=1)
    db.session.flush()
    return message


def test_mail_is_rendered_in_the_recipients_language(app):
    message = _queue(app, "ar")
    assert message.language == "ar"
    assert message.subject == "اختر كلمة مرور جديدة"
    assert "/ar/password/reset/tok" in message.body_text
    assert "أمل" in message.body_text


def test_unknown_language_falls_back_to_default(app):
    assert _queue(app, "xx").language == "en"


def test_outbox_is_sent_through_a_real_smtp_server(app, smtp_server):
    message = _queue(app, "nl", to="jan@example.org")
    assert mail.send_due() == 1
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    [received] = smtp_server.messages
    assert received["To"] == "jan@example.org"
    assert received["Subject"] == message.subject
    assert received["Content-Language"] == "nl"
    assert "/nl/password/reset/tok" in received.get_content()
    assert mail.send_due() == 0  # nothing is sent twice


def test_demo_mode_keeps_mail_in_the_outbox(app, smtp_server):
    app.config["DEMO"] = True
    message = _queue(app)
    assert mail.send_due() == 0
    db.session.refresh(message)
    assert message.status == OutboxStatus.QUEUED and smtp_server.messages == []


def test_failed_delivery_is_retried_then_marked_failed(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), DEMO=False)
    try:
        message = _queue(app)
        for attempt in range(1, app.config["MAIL_MAX_ATTEMPTS"] + 1):
            message.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.flush()
            mail.send_due()
            db.session.refresh(message)
            assert message.attempts == attempt
        assert message.status == OutboxStatus.FAILED
        assert message.last_error.startswith("ConnectionRefusedError")
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_stale_claims_are_retried(app, smtp_server):
    message = _queue(app)
    message.status = OutboxStatus.SENDING
    message.claimed_at = utcnow() - timedelta(minutes=11)
    db.session.flush()
    assert mail.send_due() == 1


def test_outbox_page_for_admins(client, make_user, make_municipality, app):
    town = make_municipality()
    with app.test_request_context():
        mail.queue_mail("x@example.org", "ar", "Hallo", "mail/password_reset.txt",
                        municipality=town, user=type("U", (), {"display_name": "X"})(),
                        token="t", hours=1)
    db.session.flush()
    client.login_as(make_user(roles=[(town, "admin")]))
    html = client.get(f"/en/m/{town.slug}/manage/outbox").text
    assert "x@example.org" in html and 'lang="ar" dir="rtl"' in html
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert count == 1


def test_mail_can_be_written_outside_a_request(app):
    """Scheduler jobs and commands have no request; links must still be built."""
    from flask import has_request_context

    assert not has_request_context()
    message = mail.queue_mail("x@example.org", "nl", "Onderwerp", "mail/password_reset.txt",
                              user=type("U", (), {"display_name": "X"})(), token="tok", hours=1)
    assert "/nl/password/reset/tok" in message.body_text


def test_the_claim_timeout_is_a_setting(app, smtp_server):
    """A message left 'sending' by a sender that died is retried after MAIL_CLAIM_MINUTES,
    not before (a live sender may still be handing it over)."""
    message = _queue(app)
    message.status = OutboxStatus.SENDING
    message.claimed_at = utcnow() - timedelta(minutes=2)
    db.session.flush()
    assert app.config["MAIL_CLAIM_MINUTES"] == 10
    assert mail.send_due() == 0
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENDING and smtp_server.messages == []
    app.config["MAIL_CLAIM_MINUTES"] = 1.5
    try:
        assert mail.send_due() == 1
    finally:
        app.config["MAIL_CLAIM_MINUTES"] = 10
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and len(smtp_server.messages) == 1


def test_a_resent_message_keeps_its_message_id(app, smtp_server):
    """The Message-ID comes from the outbox row: when a sender dies after the server
    accepted a message but before it recorded that, the resend is recognisable."""
    message, other = _queue(app), _queue(app, to="other@example.org")
    assert mail.send_due() == 2
    message.status = OutboxStatus.SENDING  # as a sender that died before its commit left it
    message.claimed_at = utcnow() - timedelta(minutes=11)
    db.session.flush()
    assert mail.send_due() == 1
    first, second, resent = smtp_server.messages
    assert first["Message-ID"] == resent["Message-ID"] == mail.message_id(message)
    assert second["Message-ID"] == mail.message_id(other) != first["Message-ID"]
    assert first["Message-ID"].endswith(".outbox@cocreate.local>")
    db.session.expire_all()  # the id is the same after the row is read back from the database
    assert mail.message_id(db.session.get(OutboxMessage, message.id)) == first["Message-ID"]


def test_right_to_left_mail_keeps_its_direction_line_by_line(app):
    """An Arabic mail whose line starts with a Dutch name stays right to left."""
    from cocreate.core.mail import RLM, right_to_left

    body = "Markt 1, Ninove: مرحبًا\n\nhttps://example.org/ar/\n"
    lines = right_to_left(body).split("\n")
    assert lines[0] == RLM + "Markt 1, Ninove: مرحبًا" and lines[1] == ""
    assert lines[2] == RLM + "https://example.org/ar/"
    assert right_to_left(right_to_left(body)) == right_to_left(body)


def test_mail_in_a_right_to_left_language_marks_every_line(app, make_user):
    import sqlalchemy as sa

    from cocreate.accounts import service
    from cocreate.core.mail import RLM
    from cocreate.core.models import OutboxMessage
    from cocreate.extensions import db

    for language in ("ar", "fa", "nl"):
        person = make_user(language=language)
        with app.test_request_context("/"):
            service.request_password_reset(person.email)
        db.session.flush()
        body = db.session.scalar(sa.select(OutboxMessage.body_text)
                                 .where(OutboxMessage.to_address == person.email))
        lines = [line for line in body.split("\n") if line.strip()]
        if language == "nl":
            assert RLM not in body
        else:
            assert lines and all(line.startswith(RLM) for line in lines), language
