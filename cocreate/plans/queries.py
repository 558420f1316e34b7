"""Read helpers for plans (loaded through their lab)."""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, lazyload, subqueryload
from sqlalchemy.orm.attributes import set_committed_value

from cocreate.accounts.models import User
from cocreate.extensions import db
from cocreate.plans.models import ChangeLink, Comment, Flag, OfficialResponse, Plan, PlanVersion, Support


def get_plan_or_404(lab, slug: str) -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.lab_id == lab.id, Plan.slug == slug))
    if plan is None:
        abort(404)
    return plan


def get_comment_or_404(plan: Plan, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.plan_id != plan.id:
        abort(404)
    return comment


def lab_plans(lab, *, public: bool) -> list[Plan]:
    """The lab's plans with their versions in one query (a list shows the current version's
    number; the paragraphs load only if used)."""
    plans = list(db.session.scalars(
        sa.select(Plan).where(Plan.lab_id == lab.id).order_by(Plan.id)
        .options(subqueryload(Plan.versions).lazyload(PlanVersion.paragraphs))))
    return [p for p in plans if p.current is not None] if public else plans


def comments_of(plan: Plan) -> list[Comment]:
    """Every comment of the plan, by id, each with its replies (taken from the same list:
    no query per comment) and its author (whose roles are not loaded: pages show names)."""
    comments = list(db.session.scalars(
        sa.select(Comment).where(Comment.plan_id == plan.id).order_by(Comment.id)
        .options(joinedload(Comment.user).lazyload(User.memberships), lazyload(Comment.replies))))
    replies = defaultdict(list)
    for comment in comments:
        if comment.parent_id is not None:
            replies[comment.parent_id].append(comment)
    for comment in comments:
        set_committed_value(comment, "replies", replies[comment.id])
    return comments


def comment_counts(plan: Plan) -> Counter:
    """Published comments per paragraph anchor (one GROUP BY)."""
    rows = db.session.execute(sa.select(Comment.anchor, sa.func.count()).where(
        Comment.plan_id == plan.id, Comment.status == "published").group_by(Comment.anchor))
    return Counter(dict(rows.all()))


def support_counts(plan: Plan) -> Counter:
    rows = db.session.execute(sa.select(Support.comment_id, sa.func.count()).join(Comment)
                              .where(Comment.plan_id == plan.id).group_by(Support.comment_id))
    return Counter(dict(rows.all()))


def responses_of(plan: Plan) -> list[OfficialResponse]:
    return list(db.session.scalars(sa.select(OfficialResponse).where(
        OfficialResponse.plan_id == plan.id)))


def change_links(plan: Plan) -> list[ChangeLink]:
    return list(db.session.scalars(sa.select(ChangeLink).join(Comment).where(
        Comment.plan_id == plan.id)))


def open_flags(plan: Plan) -> Counter:
    rows = db.session.execute(sa.select(Flag.comment_id, sa.func.count()).join(Comment).where(
        Comment.plan_id == plan.id, Flag.resolved_at.is_(None)).group_by(Flag.comment_id))
    return Counter(dict(rows.all()))
