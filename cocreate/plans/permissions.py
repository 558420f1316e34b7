"""Named rules about draft plans."""

from __future__ import annotations

from cocreate.core.permissions import Permission, has_permission


def can_manage_plans(user, lab) -> bool:
    """Officials and admins publish versions and answer comments."""
    return has_permission(user, Permission.MANAGE_LABS, lab.municipality)


def can_moderate(user, lab) -> bool:
    """Moderators and admins hide, restore and approve comments and block people."""
    return has_permission(user, Permission.MODERATE, lab.municipality)


def can_view_plan(user, plan) -> bool:
    """A plan is public once a version is published."""
    return plan.current is not None or can_manage_plans(user, plan.lab)


def can_see_comment(user, comment, lab) -> bool:
    """Published comments are public; pending ones only for their author and moderators."""
    if comment.status == "published":
        return True
    return can_moderate(user, lab) or (
        getattr(user, "is_authenticated", False) and comment.user_id == user.id)
