"""Residents: read a plan, comment on a paragraph, reply, support, report; compare
versions; see what the municipality did with what people said."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cocreate.accounts.consents import has_consent
from cocreate.core.http import commit_or_flash
from cocreate.core.i18n import current_language, is_known_language
from cocreate.core.permissions import public, signed_in
from cocreate.extensions import limiter
from cocreate.labs.groups import groups_of
from cocreate.labs.queries import get_visible_lab_or_404
from cocreate.plans import bp, queries, rendering, service
from cocreate.plans.permissions import can_moderate, can_see_comment, can_view_plan

BASE = "/m/<slug:municipality_slug>/labs/<slug:lab_slug>/plans/<slug:plan_slug>"


def load_plan(municipality_slug, lab_slug, plan_slug):
    """municipality → lab → plan, each visible to this person, else 404."""
    lab = get_visible_lab_or_404(municipality_slug, lab_slug, current_user)
    plan = queries.get_plan_or_404(lab, plan_slug)
    if not can_view_plan(current_user, plan):
        abort(404)
    return plan


def _slugs(plan):
    return dict(municipality_slug=plan.lab.municipality.slug, lab_slug=plan.lab.slug,
                plan_slug=plan.slug)


def _version(plan, number):
    published = plan.published_versions
    if not published:
        return None
    if number is None:
        return published[-1]
    return next((v for v in published if v.number == number), None) or abort(404)


@bp.route(BASE + "/")
@public
def display_plan(**slugs):
    plan = load_plan(**slugs)
    version = _version(plan, request.args.get("v", type=int))
    wanted = request.args.get("p", "")[:16]
    status = request.args.get("status", "")[:20]
    visible = [c for c in queries.comments_of(plan) if can_see_comment(current_user, c, plan.lab)]
    responses = {r.comment_id: r for r in queries.responses_of(plan) if r.comment_id}
    by_anchor = defaultdict(list)
    for comment in visible:
        if comment.parent_id is None and _matches(comment, status, responses):
            by_anchor[comment.anchor].append(comment)
    return render_template(
        "plans/display.html", plan=plan, version=version, by_anchor=by_anchor,
        counts=Counter(c.anchor for c in visible if c.status == "published"),
        supports=queries.support_counts(plan), filter_anchor=wanted, filter_status=status,
        responses=responses,
        moderator=can_moderate(current_user, plan.lab),
        research_consent=current_user.is_authenticated and has_consent(
            current_user.id, service.consent_context(plan), "research"),
        is_current=version is not None and version.id == plan.current.id)


def _matches(comment, status: str, responses) -> bool:
    """The status filter: answered or not, by answer, or (moderators) pending/hidden."""
    answer = responses.get(comment.id)
    if status in ("", "all"):
        return True
    if status == "answered":
        return answer is not None
    if status == "unanswered":
        return answer is None and comment.status == "published"
    if status in ("pending", "hidden"):
        return comment.status == status
    return answer is not None and answer.status == status


@bp.route(BASE + "/comments", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENT"])
@signed_in
def add_comment(**slugs):
    plan = load_plan(**slugs)
    anchor = request.form.get("anchor", "")[:16]
    parent = request.form.get("parent_id", "")
    from cocreate.core.forms import ConfirmForm

    if ConfirmForm().validate_on_submit():
        language = request.form.get("language", "")[:16]
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language) or \
                not is_known_language(language):
            language = current_language()  # what was written is kept; only the tag is fixed
        ok = commit_or_flash(lambda: service.add_comment(
            current_user, plan, anchor=anchor, body=request.form.get("body", "")[:10_000],
            language=language, quote=request.form.get("quote", "")[:2000],
            show_name=request.form.get("anonymous") != "y",
            research_consent=request.form.get("research") == "y",
            parent_id=int(parent) if parent.isdigit() and len(parent) < 10 else None),
            _("Thank you, your comment is saved.") if not plan.pre_moderation
            else _("Thank you. A moderator will check your comment before it is shown."))
        if not ok:
            return redirect(url_for("plans.display_plan", p=anchor, **_slugs(plan)) + f"#{anchor}")
    return redirect(url_for("plans.display_plan", **_slugs(plan)) + f"#{anchor}")


@bp.route(BASE + "/comments/<int:comment_id>/<any(support, flag):action>", methods=["POST"])
@signed_in
def comment_action(comment_id, action, **slugs):
    plan = load_plan(**slugs)
    comment = queries.get_comment_or_404(plan, comment_id)
    if not can_see_comment(current_user, comment, plan.lab):
        abort(404)
    from cocreate.core.forms import ConfirmForm

    if ConfirmForm().validate_on_submit():
        if action == "support":
            commit_or_flash(lambda: service.support(current_user, comment),
                            _("You support this comment."))
        else:
            commit_or_flash(lambda: service.flag(current_user, comment,
                                                 request.form.get("reason", "")[:300]),
                            _("Thank you. A moderator will look at this comment."))
    return redirect(url_for("plans.display_plan", **_slugs(plan)) + f"#c{comment.id}")


@bp.route(BASE + "/compare")
@public
def compare(**slugs):
    plan = load_plan(**slugs)
    published = plan.published_versions
    if len(published) < 2:
        flash(_("There is only one version of this plan."), "error")
        return redirect(url_for("plans.display_plan", **_slugs(plan)))
    new = _version(plan, request.args.get("to", type=int) or published[-1].number)
    old = _version(plan, request.args.get("from", type=int) or new.number - 1)
    if old is None or old.number >= new.number:
        abort(404)
    old_by_anchor = {p.anchor: p for p in old.paragraphs}
    rows = []
    for paragraph in new.paragraphs:
        before = old_by_anchor.pop(paragraph.anchor, None)
        rows.append((paragraph, rendering.word_diff(before.text if before else "", paragraph.text)))
    removed = list(old_by_anchor.values())
    return render_template("plans/compare.html", plan=plan, old=old, new=new, rows=rows,
                           removed=removed)


@bp.route(BASE + "/you-said-we-did")
@public
def you_said_we_did(**slugs):
    plan = load_plan(**slugs)
    comments = [c for c in queries.comments_of(plan) if c.status == "published"]
    responses = queries.responses_of(plan)
    links = queries.change_links(plan)
    by_comment = {r.comment_id: r for r in responses if r.comment_id}
    paragraph_responses = defaultdict(list)
    for response in responses:
        if response.anchor:
            paragraph_responses[response.anchor].append(response)
    changed_by = defaultdict(list)
    for link in links:
        changed_by[link.comment_id].append(link)
    threshold = int(current_app.config["SMALL_GROUP_THRESHOLD"])
    people = {c.user_id for c in comments if c.user_id}
    commenters = Counter(groups_of(people, plan.lab).values())
    by_group = {group: (count if count >= threshold else None)
                for group, count in commenters.items()}
    return render_template(
        "plans/you_said_we_did.html", plan=plan, version=plan.current,
        comments_by_anchor=_group_by_anchor(comments), by_comment=by_comment,
        paragraph_responses=paragraph_responses, changed_by=changed_by,
        status_counts=Counter(r.status for r in responses), by_group=by_group,
        threshold=threshold, people=len(people))


def _group_by_anchor(comments):
    result = defaultdict(list)
    for comment in comments:
        result[comment.anchor].append(comment)
    return result
