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


def withdrawn_responses():
    """The ids of responses whose participation or research consent was withdrawn."""
    return sa.select(ConsentRecord.response_id).where(
        ConsentRecord.response_id.is_not(None), ConsentRecord.scope.in_(("participation", "research")),
        ConsentRecord.withdrawn_at.is_not(None))


def counted(response_id):
    """True where ``response_id`` (a column) is a response that counts in aggregates.

    An uncorrelated ``NOT IN``: the few withdrawn ids are read once per statement
    (through the index on ``withdrawn_at``), not looked up again for every row.
    """
    return response_id.not_in(withdrawn_responses())


def response_counted():
    """Responses that count in aggregates."""
    return counted(Response.id)


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


def commenter_exportable(plan_id, user_id_column):
    """Comment authors who agreed that researchers use their comments on this plan
    (the ledger keeps one active row per person, plan and scope).

    ``plan_id`` is a plan's id, or the column holding it: comments of many plans are
    then checked against their own plan in one condition, whatever the number of plans.
    """
    context = plan_context(plan_id) if isinstance(plan_id, int) else \
        sa.literal("plan:") + sa.cast(plan_id, sa.String)
    return sa.exists().where(ConsentRecord.user_id == user_id_column, ConsentRecord.context == context,
                             _ACTIVE_RESEARCH)
