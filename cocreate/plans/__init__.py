"""Draft plans: versions, paragraph comments in any language, moderation, official
responses and a "you said, we did" trail."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/<lang:lang_code>", template_folder="templates")

from cocreate.plans import views_manage, views_public  # noqa: E402,F401


def response_label(status: str):
    from flask_babel import lazy_gettext as _l

    return {"adopted": _l("Adopted"), "partly_adopted": _l("Partly adopted"),
            "not_adopted": _l("Not adopted"), "outside_scope": _l("Outside the scope of the plan"),
            "noted": _l("Noted")}.get(status, status)


@bp.app_context_processor
def _helpers():
    from cocreate.plans import rendering

    return {"response_label": response_label, "render_markdown": rendering.markdown,
            "render_comment": rendering.plain_text}


def _lab_section(lab, user, manage: bool) -> dict:
    from cocreate.plans import queries
    from cocreate.plans.permissions import can_manage_plans

    return {"plans": queries.lab_plans(lab, public=not manage),
            "can_manage": can_manage_plans(user, lab)}


def _register_lab_section() -> None:
    from cocreate.labs.sections import LabSection, register

    register(LabSection("plans", "plans/_lab_section.html", "plans/_lab_manage_section.html",
                        _lab_section, order=30))


_register_lab_section()


def _register_consent_context() -> None:
    from cocreate.accounts.consents import register_context_label
    from cocreate.accounts.context_titles import titles_of
    from cocreate.plans.models import Plan

    register_context_label("plan", titles_of(Plan))


_register_consent_context()
