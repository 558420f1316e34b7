"""Who may be counted and who may be exported, read from the consent ledger.

Aggregates count every submitted response except those whose participation or
research consent was withdrawn. Exports and coding material contain only people
whose consent covers research use and has not been withdrawn. Everything here
is an SQL expression, so it sits inside the aggregating and streaming queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from cocreate.accounts.models import ConsentRecord
from cocreate.focusgroups.models import Registration
from cocreate.surveys.models import Response

_ACTIVE_RESEARCH = sa.and_(ConsentRecord.scope == "research", ConsentRecord.granted.is_(True),
                           ConsentRecord.withdrawn_at.is_(None))


def response_withdrawn():
    """True for a response whose participation or research consent was withdrawn."""
    return sa.exists().where(ConsentRecord.response_id == Response.id,
                             ConsentRecord.scope.in_(("participation", "research")),
                             ConsentRecord.withdrawn_at.is_not(None))


def response_counted():
    """Responses that count in aggregates."""
    return ~response_withdrawn()


def response_exportable():
    """Responses whose research consent stands."""
    return sa.and_(sa.exists().where(ConsentRecord.response_id == Response.id, _ACTIVE_RESEARCH),
                   response_counted())


def registration_exportable():
    """Focus-group registrations whose research consent stands."""
    return sa.exists().where(ConsentRecord.registration_id == Registration.id, _ACTIVE_RESEARCH)


def plan_context(plan_id: int) -> str:
    """Same as ``plans.service.consent_context`` for a plan id."""
    return f"plan:{plan_id}"


def commenter_exportable(plan_id: int, user_id_column):
    """Comment authors who agreed that researchers use their comments on this plan
    (the ledger keeps one active row per person, plan and scope)."""
    return sa.exists().where(ConsentRecord.user_id == user_id_column,
                             ConsentRecord.context == plan_context(plan_id), _ACTIVE_RESEARCH)
