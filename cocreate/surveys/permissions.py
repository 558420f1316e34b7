"""Named rules about surveys."""

from __future__ import annotations

from cocreate.core.permissions import Permission, has_permission
from cocreate.surveys.models import SurveyStatus


def can_author_survey(user, lab) -> bool:
    """Officials, researchers and admins of the lab's municipality build surveys."""
    return has_permission(user, Permission.AUTHOR_SURVEYS, lab.municipality)


def can_view_survey(user, survey) -> bool:
    """Published surveys (scheduled, open or closed) are public; drafts only for authors."""
    return survey.state is not SurveyStatus.DRAFT or can_author_survey(user, survey.lab)


def can_enter_assisted(user, survey) -> bool:
    """Moderators, officials and admins enter answers with a resident or from paper."""
    return has_permission(user, Permission.ENTER_ASSISTED, survey.lab.municipality)


def must_sign_in_to_answer(user, survey, invited: bool = False) -> bool:
    """Identified surveys are answered signed in, with an invitation link, or as an
    assisted entry by staff."""
    return (not survey.is_anonymous and not invited
            and not getattr(user, "is_authenticated", False))
