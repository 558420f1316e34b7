"""Named rules about people and roles."""

from __future__ import annotations

from cocreate.core.permissions import Permission, has_permission


def can_manage_members(user, municipality) -> bool:
    """Municipality admins (and site admins) invite staff and change roles."""
    return has_permission(user, Permission.MANAGE_MEMBERS, municipality)


def can_accept_invitation(user, invitation) -> bool:
    """A signed-in person may accept only an invitation sent to their own address."""
    return bool(getattr(user, "is_authenticated", False)) and user.email == invitation.email
