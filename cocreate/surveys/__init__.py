"""Surveys: authoring, answering in any language, save-and-resume, exactly-once submission."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/<lang:lang_code>", template_folder="templates")

from cocreate.surveys import instrument, views_answer, views_manage  # noqa: E402,F401


def status_label(status: str):
    from flask_babel import lazy_gettext as _l

    return {"draft": _l("Draft"), "scheduled": _l("Scheduled"), "open": _l("Open"),
            "closed": _l("Closed")}.get(status, status)


@bp.app_context_processor
def _survey_helpers():
    from cocreate.core.base import utcnow
    from cocreate.surveys.answers import describe_answer, form_values

    return {"describe_answer": describe_answer, "form_values": form_values, "now": utcnow,
            "survey_status_label": status_label}


def _lab_section(lab, user, manage: bool) -> dict:
    from cocreate.surveys import queries
    from cocreate.surveys.permissions import can_author_survey

    return {"surveys": queries.lab_surveys(lab, public=not manage),
            "can_author": can_author_survey(user, lab)}


def _register_lab_section() -> None:
    from cocreate.labs.sections import LabSection, register

    register(LabSection("surveys", "surveys/_lab_section.html",
                        "surveys/_lab_manage_section.html", _lab_section, order=10))


_register_lab_section()


def _register_consent_context() -> None:
    from cocreate.accounts.consents import register_context_label
    from cocreate.accounts.context_titles import titles_of
    from cocreate.surveys.models import Survey

    register_context_label("survey", titles_of(Survey))


_register_consent_context()
