"""Permissions are data: roles grant permissions per municipality; views declare theirs.

Every view function carries ``__permission__`` (set by :func:`public`,
:func:`signed_in` or :func:`requires`); a test walks the URL map and fails for
a view that declares nothing. The order inside a view is always
load → authorise → act → respond, so a 404 or 403 happens before any write.
"""

from __future__ import annotations

import enum
import functools

from flask import abort, redirect, request, url_for
from flask_login import current_user


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    MODERATOR = "moderator"
    OFFICIAL = "official"
    RESEARCHER = "researcher"
    ADMIN = "admin"


#: Roles whose holders are staff (shorter idle timeout, may see unpublished work).
STAFF_ROLES = frozenset({Role.MODERATOR, Role.OFFICIAL, Role.RESEARCHER, Role.ADMIN})


class Permission(enum.StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    VIEW_STAFF_AREA = "view_staff_area"
    MANAGE_LABS = "manage_labs"
    AUTHOR_SURVEYS = "author_surveys"
    MANAGE_SESSIONS = "manage_sessions"
    ENTER_ASSISTED = "enter_assisted"
    MODERATE = "moderate"
    VIEW_RESULTS = "view_results"
    RESEARCH = "research"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_MUNICIPALITY = "manage_municipality"
    READ_OUTBOX = "read_outbox"
    SITE_ADMIN = "site_admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PARTICIPANT: frozenset(),
    Role.MODERATOR: frozenset({Permission.VIEW_STAFF_AREA, Permission.MODERATE,
                               Permission.ENTER_ASSISTED, Permission.MANAGE_SESSIONS}),
    Role.OFFICIAL: frozenset({Permission.VIEW_STAFF_AREA, Permission.MANAGE_LABS,
                              Permission.AUTHOR_SURVEYS, Permission.ENTER_ASSISTED, Permission.MANAGE_SESSIONS,
                              Permission.VIEW_RESULTS}),
    Role.RESEARCHER: frozenset({Permission.VIEW_STAFF_AREA, Permission.RESEARCH,
                                Permission.AUTHOR_SURVEYS, Permission.VIEW_RESULTS}),
    Role.ADMIN: frozenset({
        Permission.VIEW_STAFF_AREA, Permission.MANAGE_LABS, Permission.MODERATE, Permission.VIEW_RESULTS,
        Permission.AUTHOR_SURVEYS, Permission.ENTER_ASSISTED, Permission.MANAGE_SESSIONS,
        Permission.MANAGE_MEMBERS, Permission.MANAGE_MUNICIPALITY, Permission.READ_OUTBOX,
    }),
}

#: Held only through a researcher membership, never by being site admin: unsuppressed
#: counts, free text, coding and exports are for the study's researchers alone.
MEMBERSHIP_ONLY = frozenset({Permission.RESEARCH})

#: Permissions that are checked against one municipality.
MUNICIPAL = frozenset(set(Permission) - {Permission.PUBLIC, Permission.SIGNED_IN,
                                           Permission.SITE_ADMIN})


def roles_in(user, municipality) -> set[Role]:
    if not getattr(user, "is_authenticated", False) or municipality is None:
        return set()
    return {Role(m.role) for m in user.memberships if m.municipality_id == municipality.id}


def has_permission(user, permission: Permission, municipality=None) -> bool:
    """Does ``user`` hold ``permission`` (in ``municipality`` for municipal ones)?"""
    if permission is Permission.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if permission is Permission.SIGNED_IN:
        return True
    if user.is_site_admin and permission not in MEMBERSHIP_ONLY:
        return True
    if permission is Permission.SITE_ADMIN:
        return False
    return any(permission in ROLE_PERMISSIONS[role] for role in roles_in(user, municipality))


def _mark(view, permission: Permission):
    view.__permission__ = permission
    return view


def public(view):
    """Anyone may call this view (it still loads objects through their municipality)."""
    return _mark(view, Permission.PUBLIC)


def _deny():
    """403 for people who are signed in, the login page for everyone else."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(403)


def signed_in(view):
    """Any signed-in person."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _deny()
        return view(*args, **kwargs)

    return _mark(wrapper, Permission.SIGNED_IN)


def requires(permission: Permission):
    """Declare and enforce ``permission``.

    For municipal permissions the route has a ``municipality_slug`` argument:
    the municipality is loaded (404 when unknown), the permission checked
    there (login redirect or 403), and the view receives ``municipality``.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            municipality = None
            if permission in MUNICIPAL:
                from cocreate.municipalities.queries import get_municipality_or_404

                municipality = get_municipality_or_404(kwargs.pop("municipality_slug"))
                kwargs["municipality"] = municipality
            if not has_permission(current_user, permission, municipality):
                return _deny()
            return view(*args, **kwargs)

        return _mark(wrapper, permission)

    return decorator
