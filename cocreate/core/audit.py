"""Audit rows plus a log line for actions someone may later ask about."""

from __future__ import annotations

import logging

from cocreate.core.models import AuditLog
from cocreate.extensions import db

log = logging.getLogger("cocreate.audit")


def record(action: str, obj=None, *, actor=None, municipality=None, **details) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits)."""
    if obj is not None and getattr(obj, "id", 0) is None:
        db.session.flush()
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", None),
        municipality_id=getattr(municipality, "id", None),
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(entry)
    log.info("%s %s#%s by user %s", action, entry.object_type, entry.object_id, entry.actor_id)
    return entry
