"""Making a survey's protected results public, or withdrawing them."""

from __future__ import annotations

from cocreate.core import audit
from cocreate.core.base import utcnow


def set_results_public(actor, survey, public: bool) -> bool:
    """Publish (``public=True``) or withdraw the results; returns whether anything changed.

    Asking for the state the survey is already in changes nothing, so a double
    click cannot undo itself. Public results are always disclosure-controlled and
    never list free texts; they show only while the lab itself is public.
    """
    if public == (survey.results_published_at is not None):
        return False
    survey.results_published_at = utcnow() if public else None
    action = "survey.results_published" if public else "survey.results_withdrawn"
    audit.record(action, survey, actor=actor, municipality=survey.lab.municipality)  # also logs a line
    return True
