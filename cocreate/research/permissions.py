"""Named rules about results, coding and exports."""

from __future__ import annotations

from cocreate.core.permissions import Permission, has_permission


def can_view_results(user, survey) -> bool:
    """Officials, researchers and admins of the survey's municipality see its results
    (with disclosure control unless they are researchers)."""
    return has_permission(user, Permission.VIEW_RESULTS, survey.lab.municipality)


def sees_unsuppressed(user, municipality) -> bool:
    """Researchers of the municipality see every count, free text and "other" answer.

    Site admins do not: research data is for the study's researchers alone."""
    return has_permission(user, Permission.RESEARCH, municipality)


def can_publish_results(user, survey) -> bool:
    """Officials and admins decide whether a survey's (protected) results are public."""
    return has_permission(user, Permission.MANAGE_LABS, survey.lab.municipality)


def results_are_public(survey) -> bool:
    """Public results: an official published them and the lab itself is public."""
    return survey.results_published_at is not None and survey.lab.is_public


def can_code(user, lab) -> bool:
    """Researchers of the lab's municipality code texts and keep its codebook."""
    return has_permission(user, Permission.RESEARCH, lab.municipality)


def can_export(user, municipality) -> bool:
    """Only researchers of that municipality export data."""
    return has_permission(user, Permission.RESEARCH, municipality)
