"""The mail outbox: render in the recipient's language now, send from the scheduler.

Messages are written to :class:`OutboxMessage` inside the caller's transaction,
so a mail exists exactly when the change that caused it was committed. The
scheduler job :func:`send_due` delivers them over SMTP with retries. In demo
mode (or with no ``MAIL_SERVER``) messages stay in the outbox and admins read
them on the outbox page.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale

from cocreate.core.base import utcnow
from cocreate.core.i18n import is_rtl
from cocreate.core.models import OutboxMessage, OutboxStatus
from cocreate.extensions import db

log = logging.getLogger("cocreate.mail")


def queue_mail(to: str, language: str, subject, template: str, *, municipality=None,
               attachments=None, **context):
    """Render ``template`` and ``subject`` (a lazy string) in ``language`` into the outbox.

    ``attachments`` is a list of ``(filename, content_type, text)``, or a callable
    that returns one, called in the recipient's language (calendar files).
    """
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        # Scheduler jobs and commands render mail too: url_for needs a request.
        with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
            return queue_mail(to, language, subject, template, municipality=municipality,
                              attachments=attachments, **context)
    with force_locale(language):
        from flask import g

        previous = getattr(g, "lang", None)
        g.lang = language  # url_for() in the template builds links in this language
        try:
            body = render_template(template, base_url=current_app.config["BASE_URL"],
                                   municipality=municipality, **context)
            subject_text = str(subject)
            if callable(attachments):
                attachments = attachments(language)
        finally:
            g.lang = previous
    if is_rtl(language):
        body = right_to_left(body)
    message = OutboxMessage(
        to_address=to,
        language=language,
        subject=subject_text[:300],
        body_text=body,
        municipality_id=getattr(municipality, "id", None),
        attachments=[{"filename": name, "content_type": kind, "text": text}
                     for name, kind, text in (attachments or [])],
    )
    db.session.add(message)
    return message


RLM = "\u200f"


def right_to_left(text: str) -> str:
    """Plain-text mail has no ``dir``: mail programs pick each paragraph's direction
    from its first strong character, so an Arabic line that starts with a Dutch street
    name or a date would be laid out left to right. A RIGHT-TO-LEFT MARK at the start of
    every line makes each one right to left; it is invisible and changes no word."""
    return "\n".join(RLM + line if line.strip() and not line.startswith(RLM) else line
                     for line in text.split("\n"))


def delivery_enabled() -> bool:
    cfg = current_app.config
    return bool(cfg.get("MAIL_SERVER")) and not cfg.get("DEMO")


def message_id(message: OutboxMessage) -> str:
    """The message's ``Message-ID``, derived from its outbox row: a resend after a
    sender died between the SMTP server's acceptance and the commit carries the same
    id, so it is recognisable (and mail systems that drop repeated ids drop it).

    A hash of the row's id, creation time and address: unique across installations,
    and it tells the recipient nothing about the outbox.
    """
    _name, addr = parseaddr(current_app.config["MAIL_SENDER"])
    created = message.created_at.astimezone(UTC).isoformat() if message.created_at else ""
    digest = hashlib.sha256(f"{message.id}|{created}|{message.to_address}".encode()).hexdigest()
    return f"<{digest[:32]}.outbox@{addr.rpartition('@')[2] or 'cocreate.local'}>"


def _build(message: OutboxMessage) -> EmailMessage:
    cfg = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    name, addr = parseaddr(cfg["MAIL_SENDER"])
    email["From"] = formataddr((name, addr))
    email["To"] = message.to_address
    email["Message-ID"] = message_id(message)
    email.set_content(message.body_text)
    for attachment in message.attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        email.add_attachment(attachment["text"].encode("utf-8"), maintype=maintype,
                             subtype=subtype, filename=attachment["filename"])
    # Last: set_content and add_attachment move Content-* headers into the body parts.
    email["Content-Language"] = message.language
    return email


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=20,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=20)
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg.get("MAIL_USERNAME"):
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return smtp


def _due(limit: int) -> list[int]:
    """Ids of up to ``limit`` messages due now, after releasing stale claims.

    A claim older than ``MAIL_CLAIM_MINUTES`` belongs to a sender that died while
    handing that message to the SMTP server: it is queued again. (The server may have
    accepted it just before: then it goes out twice, with the same Message-ID.)
    """
    db.session.flush()  # pending messages get their timestamps before "now" is taken
    now = utcnow()
    stale = now - timedelta(minutes=float(current_app.config["MAIL_CLAIM_MINUTES"]))
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale)
        .values(status=OutboxStatus.QUEUED)
    )
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    return list(ids)


def _claim(outbox_id: int) -> OutboxMessage | None:
    """Mark one queued message as 'sending' in its own transaction, just before it is
    handed to the SMTP server; None when another sender took it first.

    One message at a time: a sender that dies leaves at most the message it was
    sending claimed (retried after ``MAIL_CLAIM_MINUTES``); the others of its batch
    are still queued and go out at the next run. The claim is committed before
    anything is sent, so a second scheduler (or a restart) does not send it again.
    """
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=utcnow())
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxMessage, outbox_id) if claimed == 1 else None


def send_due() -> int:
    """Send what is due; returns how many messages were sent. Idempotent."""
    if not delivery_enabled():
        return 0
    ids = _due(int(current_app.config["MAIL_BATCH_SIZE"]))
    if not ids:
        return 0
    sent = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        for outbox_id in ids:
            if (message := _claim(outbox_id)) is not None:
                _failed(message, exc)
                db.session.commit()
        return 0
    try:
        for outbox_id in ids:
            message = _claim(outbox_id)
            if message is None:
                continue
            try:
                smtp.send_message(_build(message))
            except (OSError, smtplib.SMTPException) as exc:
                _failed(message, exc)
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                sent += 1
            # At once: a sender that dies after the server accepted the message but
            # before this commit leaves it claimed, and it is sent again.
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent


def _failed(message: OutboxMessage, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
        message.status = OutboxStatus.FAILED
        log.warning("giving up on outbox message %s: %s", message.id, message.last_error)
    else:
        message.status = OutboxStatus.QUEUED
        # Exponential back-off: 1, 2, 4, 8 … minutes.
        message.next_attempt_at = utcnow() + timedelta(minutes=2 ** (message.attempts - 1))
