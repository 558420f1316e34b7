"""The consent ledger's write paths: record, supersede, withdraw.

The ledger is append-only in spirit: a new decision about the same thing (one
person, one context such as ``plan:4``, one scope) does not overwrite the old
row; the old row gets ``withdrawn_at`` and the new one is added. So "is there an
active, granted row?" always answers "does this person agree now?", and the
history of what they agreed to, in which text version and language, remains.

Other domains name their contexts (``survey:12``, ``session:3``, ``plan:4``) and
register a function that turns such a context into a title for the profile page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import ConsentRecord
from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.extensions import db

log = logging.getLogger("cocreate.accounts")

#: Scopes a person may withdraw from their profile.
WITHDRAWABLE = ("research", "quotes", "audio", "participation")

_LABELS: dict[str, Callable[[list[int]], dict[int, object]]] = {}


class ConsentError(DomainError):
    """A refusal about consent."""


def register_context_label(prefix: str, titles: Callable[[list[int]], dict[int, object]]) -> None:
    """``titles(ids) -> {id: title}`` for contexts ``"<prefix>:<id>"``."""
    _LABELS[prefix] = titles


def context_titles(contexts: list[str]) -> dict[str, object]:
    """Titles for many contexts with one query per kind of context."""
    wanted: dict[str, list[int]] = {}
    for context in contexts:
        prefix, _, raw = context.partition(":")
        if raw.isdigit():
            wanted.setdefault(prefix, []).append(int(raw))
    titles: dict[str, object] = {}
    for prefix, ids in wanted.items():
        if prefix in _LABELS:
            for id_, title in _LABELS[prefix](ids).items():
                titles[f"{prefix}:{id_}"] = title
    return titles


def _active(user_id: int, context: str, scope: str):
    return sa.select(ConsentRecord).where(
        ConsentRecord.user_id == user_id, ConsentRecord.context == context,
        ConsentRecord.scope == scope, ConsentRecord.withdrawn_at.is_(None))


def has_consent(user_id: int | None, context: str, scope: str) -> bool:
    if user_id is None:
        return False
    return any(record.granted for record in db.session.scalars(_active(user_id, context, scope)))


def record_decision(user_id: int, context: str, scope: str, granted: bool, *, language: str,
                    text_version: int = 1, registration_id: int | None = None) -> ConsentRecord | None:
    """Record what a signed-in person decided; unchanged decisions add nothing."""
    active = list(db.session.scalars(_active(user_id, context, scope)))
    if active and all(r.granted == granted for r in active):
        return None
    now = utcnow()
    for record in active:
        record.withdrawn_at = now
    record = ConsentRecord(user_id=user_id, context=context, scope=scope, granted=granted,
                           text_version=text_version, language=language,
                           registration_id=registration_id, recorded_at=now)
    db.session.add(record)
    return record


def active_consents(user) -> list[ConsentRecord]:
    """What this person agrees to now, newest first."""
    return list(db.session.scalars(
        sa.select(ConsentRecord).where(ConsentRecord.user_id == user.id,
                                       ConsentRecord.granted.is_(True),
                                       ConsentRecord.withdrawn_at.is_(None))
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())))


def withdraw(user, record_id: int) -> ConsentRecord:
    """Withdraw one of the person's own active consents (another's is refused).

    Withdrawing research or participation consent takes the person out of later
    exports and aggregates; quotes and audio stop later use of quotes/recordings.
    """
    record = db.session.get(ConsentRecord, record_id)
    if record is None or record.user_id != user.id or record.withdrawn_at is not None \
            or not record.granted or record.scope not in WITHDRAWABLE:
        raise ConsentError(_l("This consent cannot be withdrawn (it may already be withdrawn)."))
    now = utcnow()
    same = db.session.scalars(_active(user.id, record.context, record.scope))
    for row in same:
        row.withdrawn_at = now
    if record.response_id is not None and record.scope == "participation":
        # Taking part is the basis of everything else given with that response.
        db.session.execute(sa.update(ConsentRecord)
                           .where(ConsentRecord.response_id == record.response_id,
                                  ConsentRecord.withdrawn_at.is_(None))
                           .values(withdrawn_at=now))
    audit.record("consent.withdrawn", record, actor=user, context=record.context,
                 scope=record.scope)
    log.info("user %s withdrew %s consent for %s", user.id, record.scope, record.context)
    return record
