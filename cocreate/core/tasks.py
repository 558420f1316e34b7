"""Scheduled jobs of the core: the mail outbox."""

from __future__ import annotations

from flask import current_app

from cocreate.core import mail
from cocreate.scheduler import task


@task("core.send_outbox", seconds=lambda: current_app.config["SCHEDULER_OUTBOX_SECONDS"])
def send_outbox() -> int:
    """Send due outbox messages (no-op in demo mode or without an SMTP server)."""
    return mail.send_due()
