"""Session reminders while the scheduler is killed (SIGKILL) in the middle of sending.

Three published sessions start in 47 hours with 40 confirmed guests each, so the
48-hour reminder is due for 120 people: the reminder job
(:func:`cocreate.focusgroups.tasks.send_reminders`) puts 120 messages in the outbox.
A real SMTP server (aiosmtpd) in this process receives them; it takes
``SMTP_DELAY_S`` to accept each recipient, as a remote server checking addresses
would, so sending takes several seconds. The scheduler runs as its own process
(``python -m flask --app wsgi scheduler run``, the outbox job every second,
``COCREATE_MAIL_CLAIM_MINUTES`` low) and gets SIGKILL while the SMTP server is
handling message 41; a second scheduler is started and the run waits (capped) until
nothing in the outbox is queued or being sent.

Passed: every reminder arrived exactly once at the SMTP server — counted per recipient
and subject, and per Message-ID — with the Message-ID of its outbox row, nothing
missing, and every outbox row marked sent. No HTTP is involved: ``errors_5xx`` is null.

What this does not cover: a sender that dies after the SMTP server accepted a message
(its reply to the end of DATA) and before the commit that marks it sent — a few
milliseconds per message — leaves it claimed, and it is sent again after
``MAIL_CLAIM_MINUTES`` with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bench.bench_race import _session
from bench.bench_submit import SECRETS
from bench.common import ROOT
from bench.generate import bench_app
from reliability.common import plain_engine, record, scratch_database, wait_until

SCENARIO = "scheduler_kill"
ENGINES = ("sqlite", "postgresql")
SESSIONS = 3
PEOPLE = 40
SMTP_DELAY_S = 0.06
#: SIGKILL while the server handles the message after this many.
KILL_AFTER = 40
CLAIM_MINUTES = 0.1
KILL_CAP_S = 90
DRAIN_CAP_S = 120


class Inbox:
    """aiosmtpd handler: slow to accept each recipient, records each accepted message."""

    def __init__(self, delay_s: float, kill_after: int):
        self.delay_s = delay_s
        self.kill_after = kill_after
        self.received: list[dict] = []
        self.in_flight = threading.Event()  # the server is handling message kill_after + 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(self.received) >= self.kill_after:
            self.in_flight.set()
        await asyncio.sleep(self.delay_s)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append({"to": message["To"], "subject": message["Subject"],
                              "message_id": message["Message-ID"]})
        return "250 Message accepted for delivery"


def run(engine: str, workdir: Path) -> dict:
    with scratch_database(engine, workdir, SCENARIO) as url:
        expected = _reminders_due(url)
        inbox = Inbox(SMTP_DELAY_S, KILL_AFTER)
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
        controller.start()
        try:
            first = _scheduler(url, controller.port, workdir / "scheduler-1.log")
            try:
                in_flight = inbox.in_flight.wait(timeout=KILL_CAP_S)
                if in_flight:
                    first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
                killed = in_flight and first.returncode == -signal.SIGKILL
            finally:
                _stop(first)
            received_at_kill = len(inbox.received)
            at_kill = _outbox(url)
            second = _scheduler(url, controller.port, workdir / "scheduler-2.log")
            started = time.monotonic()
            try:
                drained = wait_until(lambda: not {"queued", "sending"} & set(_outbox(url)), DRAIN_CAP_S,
                                     interval_s=0.5)
                drain_s = time.monotonic() - started
            finally:
                _stop(second)
        finally:
            controller.stop()
        final = _outbox(url)
    by_recipient = Counter((m["to"], m["subject"]) for m in inbox.received)
    by_message_id = Counter(m["message_id"] for m in inbox.received)
    delivered = {m["to"]: m["message_id"] for m in inbox.received}
    missing = sum(1 for address in expected if address not in delivered)
    duplicates = max(sum(n - 1 for n in by_recipient.values()), sum(n - 1 for n in by_message_id.values()))
    ids_match = all(delivered.get(address) == message_id for address, message_id in expected.items())
    passed = (killed and drained and len(expected) == SESSIONS * PEOPLE and missing == 0 and duplicates == 0
              and ids_match and final == {"sent": len(expected)})
    return record(
        SCENARIO, engine, acknowledged=len(expected), stored=len(set(by_recipient)), lost=missing,
        duplicates=duplicates, errors_5xx=None, passed=passed, reminders_queued=len(expected),
        received=len(inbox.received), duplicates_by_recipient=sum(n - 1 for n in by_recipient.values()),
        duplicates_by_message_id=sum(n - 1 for n in by_message_id.values()), message_ids_match=ids_match,
        killed=killed, received_at_kill=received_at_kill, outbox_at_kill=at_kill, outbox_at_end=final,
        drained=drained, drain_s=round(drain_s, 1), smtp_delay_s=SMTP_DELAY_S, claim_minutes=CLAIM_MINUTES,
    )


def _reminders_due(url: str) -> dict[str, str]:
    """Three sessions in 47 hours with 40 confirmed guests each; the reminder job run
    once. Returns the outbox: recipient → the Message-ID its row gets."""
    from cocreate.core import mail
    from cocreate.core.models import OutboxMessage
    from cocreate.extensions import db
    from cocreate.focusgroups import tasks

    app = bench_app(url)
    with app.app_context():
        db.create_all()
        for index in range(SESSIONS):
            _session(PEOPLE, PEOPLE, starts_in=timedelta(hours=47), prefix=f"rel{index}-")
        db.session.commit()
        tasks.send_reminders()
        db.session.commit()
        expected = {m.to_address: mail.message_id(m) for m in db.session.scalars(sa.select(OutboxMessage))}
        db.session.remove()
        db.engine.dispose()
    return expected


def _outbox(url: str) -> dict[str, int]:
    engine = plain_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(sa.text(
                "SELECT status, count(*) FROM outbox_message GROUP BY status")).all())
    finally:
        engine.dispose()


def _scheduler(url: str, smtp_port: int, log_path: Path) -> subprocess.Popen:
    """``flask scheduler run`` as its own process, sending to our SMTP server."""
    env = {**os.environ, "DATABASE_URL": url, "COCREATE_DEMO": "0",
           "COCREATE_SECRET_KEY": SECRETS["SECRET_KEY"], "COCREATE_PSEUDONYM_KEY": SECRETS["PSEUDONYM_KEY"],
           "COCREATE_MAIL_SERVER": "127.0.0.1", "COCREATE_MAIL_PORT": str(smtp_port),
           "COCREATE_MAIL_USE_TLS": "0", "COCREATE_MAIL_USE_SSL": "0",
           "COCREATE_SCHEDULER_OUTBOX_SECONDS": "1", "COCREATE_MAIL_CLAIM_MINUTES": str(CLAIM_MINUTES)}
    env.pop("COCREATE_MAIL_USERNAME", None)
    with open(log_path, "w") as log:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
