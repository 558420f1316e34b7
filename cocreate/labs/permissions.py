"""Named rules about labs."""

from __future__ import annotations

from cocreate.core.permissions import Permission, has_permission


def can_manage_lab(user, lab) -> bool:
    """Officials and admins of the lab's municipality (and site admins)."""
    return has_permission(user, Permission.MANAGE_LABS, lab.municipality)


def can_view_lab(user, lab) -> bool:
    """Public once published; a draft only for those who manage it."""
    return lab.is_public or can_manage_lab(user, lab)
