"""Scheduled job: when a plan's comment period ends, tell the officials what to answer."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.accounts.models import Membership
from cocreate.core.base import utcnow
from cocreate.core.mail import queue_mail
from cocreate.core.permissions import Role
from cocreate.extensions import db
from cocreate.plans.models import Comment, OfficialResponse, Plan, PlanNotice
from cocreate.scheduler import task


@task("plans.comment_period_closed", seconds=900)
def comment_period_closed(now=None) -> int:
    """Once per closed period (within a week of closing): a summary to the officials."""
    now = now or utcnow()
    sent = 0
    plans = db.session.scalars(sa.select(Plan).where(
        Plan.comments_close_at <= now, Plan.comments_close_at > now - timedelta(days=7))).all()
    for plan in plans:
        kind = f"closed:{plan.comments_close_at.isoformat()}"[:64]
        if db.session.scalar(sa.select(PlanNotice.id).where(PlanNotice.plan_id == plan.id,
                                                            PlanNotice.kind == kind)):
            continue
        try:
            with db.session.begin_nested():
                db.session.add(PlanNotice(plan_id=plan.id, kind=kind))
        except sa.exc.IntegrityError:
            continue
        comments = db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.plan_id == plan.id, Comment.status == "published"))
        answered = db.session.scalar(sa.select(sa.func.count()).select_from(OfficialResponse)
                                     .where(OfficialResponse.plan_id == plan.id,
                                            OfficialResponse.comment_id.is_not(None)))
        officials = db.session.scalars(sa.select(Membership).where(
            Membership.municipality_id == plan.lab.municipality_id,
            Membership.role == Role.OFFICIAL)).all()
        for membership in officials:
            queue_mail(membership.user.email, membership.user.preferred_language,
                       _l("Comments are closed: time to answer"), "mail/plan_closed.txt",
                       municipality=plan.lab.municipality, plan=plan, person=membership.user,
                       comments=comments, unanswered=max(0, comments - answered))
            sent += 1
    return sent
