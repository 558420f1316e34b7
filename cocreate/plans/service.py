"""Write paths for draft plans: versions, comments, support, moderation, responses."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cocreate.accounts.consents import record_decision
from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.core.errors import DomainError
from cocreate.core.mail import queue_mail
from cocreate.extensions import db
from cocreate.plans.anchors import map_blocks, split_blocks
from cocreate.plans.models import (
    Block,
    ChangeLink,
    Comment,
    CommentStatus,
    Flag,
    OfficialResponse,
    Paragraph,
    Plan,
    PlanVersion,
    ResponseStatus,
    Support,
)

log = logging.getLogger("cocreate.plans")

COMMENT_MAX = 2000
REASON_MAX = 200


class PlanError(DomainError):
    """A refusal about plans, comments or moderation."""


# -- Plans and versions ------------------------------------------------------------------


def create_plan(actor, lab, *, slug: str, title: dict, official_language: str) -> Plan:
    if db.session.scalar(sa.select(Plan.id).where(Plan.lab_id == lab.id, Plan.slug == slug)):
        raise PlanError(_l("This short name is already used by another plan in this lab."))
    plan = Plan(lab=lab, slug=slug, title=title, official_language=official_language)
    db.session.add(plan)
    audit.record("plan.created", plan, actor=actor, municipality=lab.municipality)
    return plan


def set_period(actor, plan: Plan, *, opens_at, closes_at, pre_moderation: bool) -> None:
    plan.comments_open_at, plan.comments_close_at = opens_at, closes_at
    plan.pre_moderation = pre_moderation
    audit.record("plan.period_set", plan, actor=actor, municipality=plan.lab.municipality)


def publish_version(actor, plan: Plan, *, text: str, translations: dict[str, str],
                    change_note: dict, links: dict[int, list[int]] | None = None) -> PlanVersion:
    """Publish a new version: paragraphs keep their anchors where the text continues.

    ``translations`` maps a language to the whole translated text; it must have as
    many paragraphs as the official text. ``links`` maps a new paragraph's
    position to the ids of the comments that led to the change.
    """
    blocks = split_blocks(text)
    if not blocks:
        raise PlanError(_l("The plan text is empty."))
    split_translations = {}
    for language, translated in (translations or {}).items():
        parts = split_blocks(translated)
        if not parts:
            continue
        if len(parts) != len(blocks):
            raise PlanError(_l("The %(language)s translation has %(found)s paragraphs; "
                               "the official text has %(expected)s.",
                               language=language, found=len(parts), expected=len(blocks)))
        split_translations[language] = parts
    previous = plan.current
    old = [(p.anchor, p.text) for p in previous.paragraphs] if previous else []
    taken = set(db.session.scalars(
        sa.select(Paragraph.anchor).join(PlanVersion).where(PlanVersion.plan_id == plan.id)))
    mapped = map_blocks(old, blocks, taken)
    version = PlanVersion(plan=plan, number=len(plan.versions) + 1, change_note=change_note,
                          published_at=utcnow())
    for position, item in enumerate(mapped):
        version.paragraphs.append(Paragraph(
            position=position, anchor=item.anchor, text=item.text, change=item.change,
            translations={lang: parts[position] for lang, parts in split_translations.items()},
            predecessor_id=previous.paragraphs[item.predecessor].id
            if previous and item.predecessor is not None else None))
    db.session.add(version)
    db.session.flush()
    valid_comments = set(db.session.scalars(sa.select(Comment.id).where(Comment.plan_id == plan.id)))
    for position, comment_ids in (links or {}).items():
        if not 0 <= position < len(version.paragraphs):
            raise PlanError(_l("A link points to a paragraph that does not exist."))
        for comment_id in comment_ids:
            if comment_id not in valid_comments:
                raise PlanError(_l("A link points to a comment of another plan."))
            db.session.add(ChangeLink(paragraph_id=version.paragraphs[position].id,
                                      comment_id=comment_id))
    audit.record("plan.version_published", plan, actor=actor, municipality=plan.lab.municipality,
                 version=version.number)
    if previous is not None:
        _tell_commenters(plan, _l("A new version of the plan is published"),
                         "mail/plan_new_version.txt", version=version)
    return version


def _tell_commenters(plan: Plan, subject, template: str, **context) -> None:
    people = db.session.scalars(sa.select(Comment.user_id).where(
        Comment.plan_id == plan.id, Comment.user_id.is_not(None)).distinct()).all()
    from cocreate.accounts.models import User

    for user in db.session.scalars(sa.select(User).where(User.id.in_(people))):
        queue_mail(user.email, user.preferred_language, subject, template,
                   municipality=plan.lab.municipality, plan=plan, person=user, **context)


# -- Comments --------------------------------------------------------------------------------


def is_blocked(user, municipality) -> bool:
    return db.session.scalar(sa.select(Block.id).where(
        Block.municipality_id == municipality.id, Block.user_id == user.id)) is not None


def consent_context(plan: Plan) -> str:
    """The consent-ledger context of a plan's comments (research use is asked per plan)."""
    return f"plan:{plan.id}"


def add_comment(user, plan: Plan, *, anchor: str, body: str, language: str, quote: str = "",
                show_name: bool = True, parent_id: int | None = None,
                research_consent: bool | None = None) -> Comment:
    """Add a comment (or a reply). ``research_consent`` — the commenter's answer to
    "may researchers use my comments under a pseudonym" — goes into the consent ledger."""
    if not plan.commenting_open():
        raise PlanError(_l("Comments are closed for this plan."))
    if is_blocked(user, plan.lab.municipality):
        raise PlanError(_l("You can no longer comment in this municipality. "
                           "Contact the municipality if you think this is a mistake."))
    version = plan.current
    paragraph = version.paragraph(anchor)
    if paragraph is None:
        raise PlanError(_l("This paragraph does not exist in the current version."))
    body = (body or "").strip()
    if not body:
        raise PlanError(_l("Write a comment first."))
    if len(body) > COMMENT_MAX:
        raise PlanError(_l("Please keep your comment under %(max)s characters.", max=COMMENT_MAX))
    quote = (quote or "").strip()
    if quote and quote not in paragraph.text and not any(
            quote in t for t in paragraph.translations.values()):
        quote = ""  # only a passage of this paragraph can be quoted
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.plan_id != plan.id or parent.status != CommentStatus.PUBLISHED \
                or parent.anchor != anchor:
            raise PlanError(_l("You can only reply to a visible comment on this paragraph."))
        if parent.parent_id is not None:
            parent_id = parent.parent_id  # one level of replies keeps threads readable
    comment = Comment(plan_id=plan.id, version_id=version.id, anchor=anchor, parent_id=parent_id,
                      user_id=user.id, body=body, language=language, quote=quote[:500],
                      show_name=show_name,
                      status=CommentStatus.PENDING if plan.pre_moderation else CommentStatus.PUBLISHED)
    db.session.add(comment)
    if research_consent is not None:
        record_decision(user.id, consent_context(plan), "research", research_consent, language=language)
    return comment


def support(user, comment: Comment) -> None:
    if comment.status != CommentStatus.PUBLISHED:
        raise PlanError(_l("You can only support a visible comment."))
    if db.session.scalar(sa.select(Support.id).where(Support.comment_id == comment.id,
                                                     Support.user_id == user.id)):
        raise PlanError(_l("You already support this comment."))
    db.session.add(Support(comment_id=comment.id, user_id=user.id))


def flag(user, comment: Comment, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise PlanError(_l("Say briefly what is wrong with this comment."))
    if db.session.scalar(sa.select(Flag.id).where(Flag.comment_id == comment.id,
                                                  Flag.user_id == user.id)):
        raise PlanError(_l("You have already reported this comment. A moderator will look at it."))
    db.session.add(Flag(comment_id=comment.id, user_id=user.id, reason=reason[:300]))


def moderate(actor, comment: Comment, action: str, reason: str = "") -> None:
    """Hide (with a reason that stays visible), restore or approve a comment."""
    plan = db.session.get(Plan, comment.plan_id)
    if action == "hide":
        reason = (reason or "").strip()
        if not reason:
            raise PlanError(_l("Give the reason for hiding; it stays visible in place of the comment."))
        comment.status, comment.hidden_reason = CommentStatus.HIDDEN, reason[:REASON_MAX]
    elif action in ("restore", "approve"):
        comment.status, comment.hidden_reason = CommentStatus.PUBLISHED, ""
    else:
        raise PlanError(_l("This moderation action is not known."))
    db.session.execute(sa.update(Flag).where(Flag.comment_id == comment.id,
                                             Flag.resolved_at.is_(None)).values(resolved_at=utcnow()))
    audit.record(f"comment.{action}", comment, actor=actor, municipality=plan.lab.municipality,
                 reason=reason)


def block_person(actor, municipality, user_id: int, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise PlanError(_l("Give the reason for blocking."))
    if db.session.scalar(sa.select(Block.id).where(Block.municipality_id == municipality.id,
                                                   Block.user_id == user_id)):
        raise PlanError(_l("This person is already blocked."))
    db.session.add(Block(municipality_id=municipality.id, user_id=user_id, reason=reason[:300]))
    audit.record("comment.person_blocked", None, actor=actor, municipality=municipality,
                 user_id=user_id)


def respond(actor, plan: Plan, *, status: str, explanation: dict, comment: Comment | None = None,
            anchor: str | None = None) -> OfficialResponse:
    """An official answer to one comment or to a paragraph's comments."""
    try:
        status = ResponseStatus(status)
    except ValueError as exc:
        raise PlanError(_l("Choose one of the response statuses.")) from exc
    if not (explanation or {}).get(plan.official_language):
        raise PlanError(_l("Write the explanation in the official language."))
    if comment is not None:
        if comment.plan_id != plan.id:
            raise PlanError(_l("This comment belongs to another plan."))
        response = db.session.scalar(sa.select(OfficialResponse).where(
            OfficialResponse.comment_id == comment.id)) or OfficialResponse(
            plan_id=plan.id, comment_id=comment.id)
    else:
        if plan.current is None or plan.current.paragraph(anchor or "") is None:
            raise PlanError(_l("This paragraph does not exist in the current version."))
        response = OfficialResponse(plan_id=plan.id, anchor=anchor)
    response.status, response.explanation, response.responder_id = status, explanation, actor.id
    db.session.add(response)
    audit.record("plan.response", plan, actor=actor, municipality=plan.lab.municipality,
                 status=status)
    if comment is not None and comment.user is not None:
        queue_mail(comment.user.email, comment.user.preferred_language,
                   _l("The municipality has answered your comment"), "mail/plan_response.txt",
                   municipality=plan.lab.municipality, plan=plan, comment=comment,
                   response=response, person=comment.user)
    return response
