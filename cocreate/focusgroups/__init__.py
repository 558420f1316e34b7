"""Focus groups: sessions, registrations and waitlist, reminders, calendar files,
attendance and transcripts."""

from flask import Blueprint

bp = Blueprint("focusgroups", __name__, template_folder="templates")

from cocreate.focusgroups import views_manage, views_public  # noqa: E402,F401


def status_label(status: str):
    from flask_babel import lazy_gettext as _l

    return {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled"),
            "pending": _l("Waiting for approval"), "confirmed": _l("Confirmed"),
            "waitlisted": _l("On the waiting list"), "declined": _l("Declined")}.get(status, status)


@bp.app_context_processor
def _helpers():
    return {"session_status_label": status_label}


def _lab_section(lab, user, manage: bool) -> dict:
    from cocreate.focusgroups import queries
    from cocreate.focusgroups.permissions import can_manage_sessions

    return {"sessions": queries.lab_sessions(lab, public=not manage),
            "can_manage": can_manage_sessions(user, lab)}


def _register_lab_section() -> None:
    from cocreate.labs.sections import LabSection, register

    register(LabSection("sessions", "focusgroups/_lab_section.html",
                        "focusgroups/_lab_manage_section.html", _lab_section, order=20))


def _groups_in_lab(user_ids: list[int], lab) -> dict[int, str]:
    """The group each person gave when registering for a session of this lab (their
    earliest registration that has one), in one query."""
    import sqlalchemy as sa

    from cocreate.extensions import db
    from cocreate.focusgroups.models import FocusSession, Registration

    groups: dict[int, str] = {}
    for user_id, group in db.session.execute(
            sa.select(Registration.user_id, Registration.group_code).join(FocusSession)
            .where(Registration.user_id.in_(user_ids), FocusSession.lab_id == lab.id,
                   Registration.group_code.is_not(None))
            .order_by(Registration.user_id, Registration.id)):
        groups.setdefault(user_id, group)
    return groups


def _register_providers() -> None:
    from cocreate.labs.groups import register as register_group

    _register_lab_section()
    register_group(_groups_in_lab)


_register_providers()


def _register_consent_context() -> None:
    from cocreate.accounts.consents import register_context_label
    from cocreate.accounts.context_titles import titles_of
    from cocreate.focusgroups.models import FocusSession

    register_context_label("session", titles_of(FocusSession, "topic"))


_register_consent_context()
