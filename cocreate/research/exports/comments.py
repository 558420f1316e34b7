"""A plan's comments as a row stream, one row per comment.

Only comments of people who agreed that researchers use their comments on this
plan (:func:`cocreate.research.consent.commenter_exportable`). Hidden comments
stay in, with their status and the moderator's reason, because researchers need
the moderation trail — but without their text: a comment is mostly hidden for
personal data or abuse, which must not leave the platform. No name or e-mail
address, ever: the person is the same keyed pseudonym as in the lab's survey
exports.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.extensions import db
from cocreate.labs.groups import groups_of
from cocreate.plans.models import Comment as PlanComment
from cocreate.plans.models import CommentStatus, OfficialResponse, PlanVersion, Support
from cocreate.research import pseudonyms
from cocreate.research.consent import commenter_exportable
from cocreate.research.exports.responses import BATCH

HEADER = ["participant_id", "group", "comment_id", "parent_id", "language", "paragraph", "version",
          "quote", "body", "status", "hidden_reason", "created", "supports", "response_status",
          "paragraph_response_status"]

DESCRIPTIONS = {
    "participant_id": _l("Pseudonymous participant id (the same as in the lab's survey exports)"),
    "group": _l("The person's group in the lab (for example newcomer), when known"),
    "comment_id": _l("Number of the comment"),
    "parent_id": _l("Number of the comment this one replies to"),
    "language": _l("Language the comment was written in"),
    "paragraph": _l("Stable anchor of the paragraph commented on"),
    "version": _l("Number of the plan version commented on"),
    "quote": _l("Passage of the paragraph the comment is about"),
    "body": _l("The comment (empty when a moderator hid it)"),
    "status": _l("published, pending (waits for a moderator) or hidden"),
    "hidden_reason": _l("The moderator's reason for hiding"),
    "created": _l("Day the comment was written (UTC)"),
    "supports": _l("Number of people who support the comment"),
    "response_status": _l("The municipality's answer to this comment"),
    "paragraph_response_status": _l("The municipality's latest answer to all comments on the paragraph"),
}


def _groups(plan) -> dict[int, str]:
    """Each exported commenter's group, asked for all commenters at once."""
    people = db.session.scalars(
        sa.select(PlanComment.user_id).where(PlanComment.plan_id == plan.id,
                                             commenter_exportable(plan.id, PlanComment.user_id))
        .distinct())
    return groups_of(people, plan.lab)


def _paragraph_responses(plan) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(OfficialResponse.anchor, OfficialResponse.status)
        .where(OfficialResponse.plan_id == plan.id, OfficialResponse.comment_id.is_(None),
               OfficialResponse.anchor.is_not(None))
        .order_by(OfficialResponse.created_at, OfficialResponse.id))
    return dict(rows.all())  # the latest answer per paragraph wins


def comment_rows(plan) -> Iterator[list]:
    """One list per exportable comment of ``plan``, columns as :data:`HEADER`, by comment id."""
    groups = _groups(plan)
    paragraph_answers = _paragraph_responses(plan)
    supports = (sa.select(Support.comment_id, sa.func.count().label("n"))
                .group_by(Support.comment_id).subquery())
    statement = (
        sa.select(PlanComment.id, PlanComment.parent_id, PlanComment.user_id, PlanComment.language,
                  PlanComment.anchor, PlanVersion.number, PlanComment.quote, PlanComment.body,
                  PlanComment.status, PlanComment.hidden_reason, PlanComment.created_at,
                  sa.func.coalesce(supports.c.n, 0), OfficialResponse.status)
        .join(PlanVersion, PlanVersion.id == PlanComment.version_id)
        .outerjoin(supports, supports.c.comment_id == PlanComment.id)
        .outerjoin(OfficialResponse, OfficialResponse.comment_id == PlanComment.id)
        .where(PlanComment.plan_id == plan.id, commenter_exportable(plan.id, PlanComment.user_id))
        .order_by(PlanComment.id))
    for (comment_id, parent_id, user_id, language, anchor, version, quote, body, status, reason, created,
         support_count, answer) in db.session.execute(statement, execution_options={"yield_per": BATCH}):
        hidden = status == CommentStatus.HIDDEN
        yield [pseudonyms.person_id(plan.lab_id, user_id=user_id), groups.get(user_id, ""), comment_id,
               parent_id, language, anchor, version, "" if hidden else quote, "" if hidden else body,
               status, reason or "", created.date().isoformat(), support_count, answer or "",
               paragraph_answers.get(anchor, "")]


def column_sheet() -> tuple[list[str], list[list]]:
    """The columns explained, for the XLSX ``codebook`` sheet."""
    return ["column", "description"], [[name, str(DESCRIPTIONS[name])] for name in HEADER]
