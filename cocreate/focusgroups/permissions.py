"""Named rules about focus groups."""

from __future__ import annotations

from cocreate.core.permissions import Permission, has_permission
from cocreate.focusgroups.models import SessionStatus


def can_manage_sessions(user, lab) -> bool:
    """Moderators, officials and admins of the lab's municipality run sessions."""
    return has_permission(user, Permission.MANAGE_SESSIONS, lab.municipality)


def can_view_session(user, session) -> bool:
    """Published and cancelled sessions are public; drafts only for those who run them."""
    return session.state is not SessionStatus.DRAFT or can_manage_sessions(user, session.lab)


def may_keep_recordings(session) -> bool:
    """A transcript of a recording is kept only when every confirmed participant agreed
    to audio recording; otherwise only typed notes are kept."""
    confirmed = [r for r in session.registrations if r.status == "confirmed"]
    return all(r.consent_audio for r in confirmed)
