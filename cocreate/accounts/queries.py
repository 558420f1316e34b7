"""Read helpers for people and roles."""

from __future__ import annotations

import sqlalchemy as sa

from cocreate.accounts.models import Invitation, Membership, User
from cocreate.core.base import utcnow
from cocreate.extensions import db


def members_of(municipality) -> list[Membership]:
    return list(db.session.scalars(
        sa.select(Membership).join(Membership.user)
        .where(Membership.municipality_id == municipality.id)
        .order_by(sa.func.lower(User.display_name), Membership.role)
    ))


def get_invitation_or_404(municipality, invitation_id: int) -> Invitation:
    """An invitation of this municipality; another municipality's is a 404."""
    from flask import abort

    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.municipality_id != municipality.id:
        abort(404)
    return invitation


def open_invitations(municipality) -> list[Invitation]:
    return list(db.session.scalars(
        sa.select(Invitation).where(
            Invitation.municipality_id == municipality.id, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
        ).order_by(Invitation.created_at.desc())
    ))
